"""The library's error types.

Only *input and usage* problems are exceptions: a malformed file, a wrong type, an unknown cycle,
a broken plugin. A domain violation (an ineligible lead, a late accord) is a
:class:`~conciliazione_core._findings.Finding` in a report, never an exception.

Every error carries the place of the problem as a path (``$.projects[2].lead.kind``) and, when it
came from a file, the file's name, so that a command-line tool can print one helpful line.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from conciliazione_core._suggest import close_matches, did_you_mean
from conciliazione_core.i18n import _, ngettext

__all__ = [
    "ConciliazioneError",
    "CycleNotFoundError",
    "InputError",
    "PluginError",
    "Problem",
]


@attrs.frozen
class Problem:
    """One bad place in an input: where it is and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConciliazioneError(Exception):
    """Base class of every error the library raises on purpose."""

    def one_line(self) -> str:
        """The error as one line, fit for a terminal."""
        return " ".join(str(self).split())


class InputError(ConciliazioneError, ValueError):
    """An input document, data file or value is not acceptable.

    ``problems`` lists every bad place found (validation collects them all rather than
    stopping at the first); ``source`` names the file, when there is one.
    """

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        self.source = source
        super().__init__(self._render())

    @classmethod
    def at(cls, path: str, message: str, source: str | None = None) -> InputError:
        """An error with a single problem."""
        return cls([Problem(path, message)], source)

    def with_source(self, source: str) -> InputError:
        """The same problems, attributed to a file."""
        return InputError(self.problems, source)

    def prefixed(self, prefix: str) -> InputError:
        """The same problems, their paths placed under ``prefix`` (``$.rows[3]``)."""
        return InputError(
            [Problem(prefix + p.path.removeprefix("$"), p.message) for p in self.problems],
            self.source,
        )

    def every_problem(self) -> str:
        """The file and every problem on one line (``str()`` gives the first and a count)."""
        head = f"{self.source}: " if self.source else ""
        return " ".join((head + "; ".join(str(p) for p in self.problems)).split())

    def _render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        first = str(self.problems[0])
        more = len(self.problems) - 1
        tail = (
            " " + ngettext("(and {n} more problem)", "(and {n} more problems)", more).format(n=more)
            if more
            else ""
        )
        return f"{head}{first}{tail}"


class CycleNotFoundError(ConciliazioneError, LookupError):
    """No installed plugin provides the requested cycle."""

    def __init__(self, cycle_id: str, known: Iterable[str], faulty: Iterable[str] = ()) -> None:
        self.cycle_id = cycle_id
        self.known = tuple(sorted(known))
        self.faulty = tuple(sorted(faulty))
        """Plugins that failed to load: one of them may be the one that provides the cycle."""
        self.suggestions = tuple(close_matches(cycle_id, self.known))
        """The installed cycle ids closest to the one asked for (a typo), closest first."""
        listing = ", ".join(self.known) if self.known else _("none installed")
        message = _("unknown cycle {cycle!r} (installed cycles: {listing})").format(
            cycle=cycle_id, listing=listing
        )
        if self.suggestions:
            message += "; " + did_you_mean(cycle_id, self.known)
        if self.faulty:
            message += "; " + _(
                "these plugins failed to load and may provide it: {plugins} "
                "(see 'conciliazione cycles')"
            ).format(plugins=", ".join(self.faulty))
        super().__init__(message)


class PluginError(ConciliazioneError):
    """A plugin failed to import, raised inside a hook, returned garbage or clashed with another."""

    def __init__(self, plugin: str, reason: str) -> None:
        self.plugin = plugin
        self.reason = reason
        super().__init__(_("plugin {plugin!r}: {reason}").format(plugin=plugin, reason=reason))
