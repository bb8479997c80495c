"""Findings: what a check says about a document, each with its legal basis.

A finding is a domain fact ("the lead of project X is a social cooperative, and this cycle admits
only public leads"), never an exception. A report is admissible when it has no error finding.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping

import attrs

from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._suggest import close_matches
from conciliazione_core.i18n import (
    CORE_CATALOGUE,
    Catalogue,
    _,
    current_language,
    translate,
)

__all__ = ["Finding", "FindingCode", "Report", "Severity", "closest_names", "day_text"]


class Severity(enum.Enum):
    """How much a finding weighs."""

    ERROR = "error"
    """The document is inadmissible under the cycle's rules."""
    WARNING = "warning"
    """Likely a problem; a person should look."""
    INFO = "info"
    """Worth knowing (e.g. an unknown that a rule would need)."""


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _pairs(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


def closest_names(word: str, known: Iterable[str]) -> str:
    """The known names closest to a mistyped ``word``, quoted (``'after_school'``), as a
    finding's ``closest`` argument: its message then ends with "Did you mean …?"; ``""`` when
    none is close."""
    return ", ".join(repr(name) for name in close_matches(word, known))


@attrs.frozen
class FindingCode:
    """A finding code a rule can emit: its severity and its message, in every language.

    ``template`` is the English message with ``{name}`` placeholders. Its translations come from
    ``translations`` (language -> template) when given, else from ``catalogue`` (a gettext domain
    and folder: the core's, or a plugin's own). The values of the ``localised`` arguments are
    English words translated through the same catalogue when the message is read (a list of
    them is joined by ``", "``); the ``amounts`` arguments are sums of money (exact text, as
    ``str(Money)`` gives), written the reader's way (``€10,000.00``, ``€ 10.000,00``). ``when``
    says, for the docs, when the code is emitted. A finding whose ``closest`` argument is not
    empty (the known names closest to a mistyped one, as :func:`closest_names` gives) ends with
    "Did you mean …?" in the reader's language, whatever its template.
    """

    code: str
    severity: Severity
    template: str
    catalogue: Catalogue = CORE_CATALOGUE
    translations: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    localised: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    when: str = ""

    def translated(self, lang: str | None = None) -> str:
        """The template in ``lang`` (the current language when None); English if untranslated."""
        lang = lang or current_language()
        explicit = dict(self.translations)
        if lang in explicit:
            return explicit[lang]
        return translate(self.template, self.catalogue, lang)

    def render(self, args: Mapping[str, str]) -> str:
        """The message in the current language, its placeholders filled from ``args``."""
        values = dict(args)
        for name in self.localised:
            if name in values:
                values[name] = ", ".join(
                    translate(word, self.catalogue) for word in values[name].split(", ")
                )
        for name in self.amounts:
            if name in values:
                values[name] = Money.parse(values[name]).format(current_language())
        message = self.translated().format(**values)
        closest = values.get("closest")
        if closest:
            message += " " + _("Did you mean {names}?").format(names=closest)
        return message

    def at(self, path: str, basis: LegalBasis | None, /, **args: object) -> Finding:
        """A finding of this code at ``path``, citing ``basis``; ``args`` fill the message."""
        return Finding(
            code=self.code,
            severity=self.severity,
            path=path,
            legal_basis=basis,
            args=tuple(sorted((k, str(v)) for k, v in args.items())),
            definition=self,
        )


@attrs.frozen
class Finding:
    """One thing a check found, where, and under which rule.

    ``code`` is stable across versions (``LEAD_NOT_PUBLIC``); ``path`` points into the checked
    document (``$.projects[3].lead``); ``args`` are the values the message is built from.
    ``message`` is rendered when it is read, in the reader's current language, from the code's
    registered :class:`FindingCode` (``definition``; the host fills it in for a finding a plugin
    built without one).
    """

    code: str
    severity: Severity
    path: str
    legal_basis: LegalBasis | None = None
    args: tuple[tuple[str, str], ...] = ()
    definition: FindingCode | None = attrs.field(
        default=None, repr=False, eq=False, metadata={"transient": True}
    )

    __rendered__ = ("message",)
    """Written to JSON/TOML as text for people, in the current language; ignored when read."""

    @property
    def message(self) -> str:
        """The message for people, in the current language (the code when none is registered)."""
        definition = self.definition
        if definition is None:  # read back from a file: the registry in force knows the code
            from conciliazione_core._rule_registry import active_registry

            definition = active_registry().codes.get(self.code)
            if definition is None:
                return self.code
        return definition.render(dict(self.args))


@attrs.frozen
class Report:
    """The findings of checking one document against one cycle."""

    cycle: str
    document: str
    findings: tuple[Finding, ...] = ()

    @property
    def admissible(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def codes(self, severity: Severity | None = None) -> list[str]:
        """The codes found, optionally of one severity only, in report order."""
        return [f.code for f in self.findings if severity is None or f.severity is severity]

    @staticmethod
    def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
        """Findings by severity, keeping the order the checks emitted them in within each."""
        return tuple(sorted(findings, key=lambda f: _ORDER[f.severity]))


def day_text(day: dt.date) -> str:
    """A day as findings write it in either language: ``30/11/2026``."""
    return day.strftime("%d/%m/%Y")
