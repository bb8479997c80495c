"""The library API an application calls instead of the command line: check, allocate, explain, dump.

The command line, the documentation build and the conformance kit go through these functions
too, so an application embedding the library gets exactly what ``conciliazione`` prints.
Defined here, re-exported by :mod:`conciliazione_core`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal, get_args

import attrs

from conciliazione_core._cycle import Cycle
from conciliazione_core._documents import Document
from conciliazione_core._errors import InputError, PluginError
from conciliazione_core._suggest import listing, with_hint
from conciliazione_core.i18n import LANGUAGES, _, language

if TYPE_CHECKING:
    from conciliazione_core._findings import Report
    from conciliazione_core._host import Host
    from conciliazione_core._indicators import IndicatorTable
    from conciliazione_core.allocation import Allocation

__all__ = ["DumpFormat", "allocate", "check", "dump_allocation", "explain"]

DumpFormat = Literal["json", "csv", "table"]


@contextlib.contextmanager
def _in(lang: str | None) -> Iterator[None]:
    """Messages in ``lang`` for the call; None keeps the current language."""
    if lang is None:
        yield
        return
    if lang not in LANGUAGES:
        raise InputError.at(
            "lang",
            _("unsupported language {lang!r}; choose one of: {names}").format(
                lang=lang, names=", ".join(LANGUAGES)
            ),
        )
    with language(lang):
        yield


def _cycle(cycle: object, host: Host | None) -> Cycle:
    if isinstance(cycle, Cycle):
        return cycle
    if isinstance(cycle, str):
        from conciliazione_core._host import default_host

        return (host or default_host()).cycle(cycle)
    raise InputError.at(
        "cycle",
        _("expected a Cycle or a cycle id, got {kind}").format(kind=type(cycle).__name__),
    )


def check(
    cycle: Cycle | str,
    document: Document,
    name: str = "document",
    *,
    lang: str | None = None,
    host: Host | None = None,
    today: dt.date | None = None,
) -> Report:
    """Check a document against a cycle's rules; violations are findings in the report.

    ``cycle`` is a :class:`Cycle` or an installed cycle's id; ``host`` is the plugin host to
    use (default: the installed plugins). ``lang`` (``"en"``, ``"it"``; None: the current one)
    is the language of the errors the call raises. A finding keeps its code and arguments and
    renders its message when it is read, in the reader's language: read it inside
    ``with conciliazione_core.i18n.language("it"):`` for Italian, whatever ``lang`` was.
    ``today`` is the day of the check, against which a date of something done (a signature, a
    submission) is in the future (``DATE_IN_FUTURE``); None: today's date, read from the clock
    here (and nowhere in the rules). Pass it for a reproducible report.
    """
    from conciliazione_core._documents import (
        Alliance,
        Network,
        NetworkRegister,
        Project,
        TerritorialPlan,
    )
    from conciliazione_core._host import default_host

    if not isinstance(document, Network | NetworkRegister | Alliance | Project | TerritorialPlan):
        raise InputError.at(
            "document",
            _("expected a document (Network, Alliance, Project...), got {kind}").format(
                kind=type(document).__name__
            ),
        )
    if not isinstance(name, str):
        raise InputError.at("name", _("expected text, got {kind}").format(kind=type(name).__name__))
    with _in(lang):
        resolved = _cycle(cycle, host)
        day = dt.date.today() if today is None else today  # the host checks what it is
        return (host or default_host()).check(resolved, document, name, today=day)


def allocate(
    cycle: Cycle | str,
    table: IndicatorTable | None = None,
    *,
    overrides: Sequence[str] = (),
    explain: bool | Iterable[str] = True,
    lang: str | None = None,
    host: Host | None = None,
) -> Allocation:
    """Split a cycle's budget among its recipients, exactly, as ``conciliazione allocate`` does.

    ``table`` gives the indicator values; None uses the cycle's shipped reference data, where a
    missing value leaves its envelopes *pending* (see :attr:`Allocation.pending`) instead of
    being an error. ``overrides`` are what-if assignments (``"allocation.total=3000000"``), as
    ``--set``. ``explain`` builds every recipient's trace (True), none (False: faster, and
    :func:`explain` still works), or those of the recipient ids given, which are checked first.
    Raises :class:`InputError` for a cycle without an allocation and for bad arguments.
    """
    from conciliazione_core import allocation as engine
    from conciliazione_core._indicators import IndicatorTable

    if (
        isinstance(overrides, str | bytes)
        or not isinstance(overrides, Iterable)
        or not all(isinstance(o, str) for o in overrides)
    ):
        raise InputError.at("overrides", _("expected a list of PATH=VALUE texts"))
    if table is not None and not isinstance(table, IndicatorTable):
        raise InputError.at(
            "table",
            _("expected an IndicatorTable or None, got {kind}").format(kind=type(table).__name__),
        )
    with _in(lang):
        resolved = _cycle(cycle, host).with_overrides(list(overrides))
        plan = resolved.allocation
        if plan is None:
            raise InputError.at(
                "cycle", _("cycle {cycle} defines no allocation").format(cycle=resolved.id)
            )
        given = _shipped_table(resolved) if table is None else table
        from_data = resolved.recipients_from == "data"
        if from_data and given is None:
            raise InputError.at(
                "table",
                _(
                    "cycle {cycle} takes its recipients from an indicator table, "
                    "and ships none: give one"
                ).format(cycle=resolved.id),
            )
        if isinstance(explain, bool):
            build = explain
        elif isinstance(explain, str) or not isinstance(explain, Iterable):
            raise InputError.at("explain", _("expected True, False or a list of recipient ids"))
        else:
            known = (
                given.ids
                if from_data and given is not None
                else tuple(r.id for r in resolved.recipients)
            )
            _check_explained(explain, known, resolved.id)
            build = True
        return engine.allocate(
            plan,
            # A cycle that takes its recipients from the data splits among the table's rows
            # as they are: a million of them are neither copied nor checked again.
            None if from_data else resolved.recipients_for(None),
            given,
            explain=build,
            missing="pending" if table is None else "error",
            what_if=resolved.overrides,
        )


def _check_explained(explain: Iterable[str], known: Sequence[str], cycle: str) -> None:
    """Every id of ``explain`` is a recipient's (``known``), else an error naming the closest."""
    ids = set(known)
    for recipient in explain:
        if recipient not in ids:
            raise InputError.at(
                "explain",
                with_hint(
                    _("{id!r} is not a recipient of {cycle}; recipients: {ids}").format(
                        id=recipient, cycle=cycle, ids=listing(known)
                    ),
                    recipient,
                    known,
                ),
            )


def _shipped_table(cycle: Cycle) -> IndicatorTable | None:
    """The cycle's reference data; a bad shipped file is its plugin's fault, and says so."""
    try:
        return cycle.reference_table()
    except InputError as exc:
        if cycle.distribution is None:
            raise
        raise PluginError(
            cycle.distribution,
            _("its reference data for {cycle}: {error}").format(
                cycle=cycle.id, error=exc.one_line()
            ),
        ) from None


def explain(
    allocation: Allocation, recipient_id: str, lang: str | None = None, width: int | None = None
) -> str:
    """One recipient's amount explained in words (an unknown id is an InputError); ``width``
    wraps the lines, as the command does to fit the terminal (None: one line per step)."""
    from conciliazione_core.allocation import explain_text

    with _in(lang):
        return explain_text(allocation, recipient_id, width=width)


def dump_allocation(
    allocation: Allocation,
    format: DumpFormat = "json",
    *,
    cycle: Cycle | str | None = None,
    lang: str | None = None,
    width: int | None = None,
) -> str:
    """The allocation as ``conciliazione allocate --format FORMAT`` prints it.

    ``cycle`` (a Cycle or its id) names the cycle in the JSON and heads the table. ``width``
    wraps the table's names and notes to that many characters, as the command does to fit the
    terminal (None: one line per row, however long).
    """
    from conciliazione_core import allocation as engine

    if not isinstance(allocation, engine.Allocation):
        raise InputError.at(
            "allocation",
            _("expected an Allocation, got {kind}").format(kind=type(allocation).__name__),
        )
    if format not in get_args(DumpFormat):
        raise InputError.at(
            "format",
            _("unknown format {value!r}; choose one of: {names}").format(
                value=format, names=", ".join(get_args(DumpFormat))
            ),
        )
    cycle_id = cycle.id if isinstance(cycle, Cycle) else cycle
    title = cycle.title if isinstance(cycle, Cycle) else None
    with _in(lang):
        if format == "json":
            data = engine.allocation_to_json(allocation, cycle_id)
            return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
        if format == "csv":
            return engine.allocation_to_csv(allocation)
        return engine.render_table(
            allocation, cycle_title=str(title) if title is not None else None, width=width
        )


OPTION_NAMES = {"explain": "--explain", "overrides": "--set", "table": "--data"}
"""The API's argument names as the command line's options (which the HTTP API shares)."""


def with_option_names(exc: InputError) -> InputError:
    """``exc`` with each problem at an argument of this API renamed to its command-line option."""
    return InputError(
        [attrs.evolve(p, path=OPTION_NAMES.get(p.path, p.path)) for p in exc.problems],
        exc.source,
    )
