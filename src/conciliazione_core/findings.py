"""Findings: what a check says about a document, each with its legal basis.

A finding is a domain fact ("the lead of project X is a social cooperative, and this cycle admits
only public leads"), never an exception. A report is admissible when it has no error finding.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from conciliazione_core.legal import LegalBasis

__all__ = ["Finding", "Report", "Severity"]


class Severity(enum.Enum):
    """How much a finding weighs."""

    ERROR = "error"
    """The document is inadmissible under the cycle's rules."""
    WARNING = "warning"
    """Likely a problem; a person should look."""
    INFO = "info"
    """Worth knowing (e.g. an unknown that a rule would need)."""


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@attrs.frozen
class Finding:
    """One thing a check found, where, and under which rule.

    ``code`` is stable across versions (``LEAD_NOT_PUBLIC``); ``message`` is for people and is
    rendered in the current language; ``path`` points into the checked document
    (``$.projects[3].lead``); ``args`` are the values the message was built from.
    """

    code: str
    severity: Severity
    message: str
    path: str
    legal_basis: LegalBasis | None = None
    args: tuple[tuple[str, str], ...] = ()


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
