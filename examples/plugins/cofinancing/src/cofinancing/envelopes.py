"""The envelope kind ``given``: amounts the decree gives each recipient, each with its citation.

Some acts publish the amount of every recipient without the rule that produced it (the 2019
extension of the Lombard programme did, per ATS). Such a table is data, not a rule::

    [[allocation.envelopes]]
    id = "ats-2019"
    kind = "given"
    label = "2019 extension, per ATS"
    basis = "dgr_1017"
    amount = "1000000"
    amounts.ATS-BERGAMO = { amount = "125000", basis = "dgr_1017_annex" }
    amounts.ATS-BRESCIA = { amount = "135000", basis = "dgr_1017_annex" }
    # ... one line per recipient

When the cycle loads, the amounts must add up exactly to the envelope's ``amount`` (an error names
the difference), each must cite a known act and be a whole number of rounding units; once the
recipients are known every recipient needs exactly one line. A recipient's explanation names the
citation that gave its amount.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from cofinancing.rule import CATALOGUE
from conciliazione_core._errors import Problem
from conciliazione_core._indicators import IndicatorRow
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    AllocationContext,
    Component,
    EnvelopeKind,
    EnvelopeOutcome,
    EnvelopeReader,
    Explained,
    RetainedLine,
    Rounding,
    Split,
    Tranche,
    given_outcome,
    recipients_mismatch,
    sum_mismatch,
)
from conciliazione_core.hookspecs import hookimpl
from conciliazione_core.i18n import translate

__all__ = ["GivenAmount", "GivenEnvelope", "GivenKind", "conciliazione_envelope_kinds"]


def _(message: str) -> str:
    """``message`` in the current language, from this plugin's own catalogue (not the core's)."""
    return translate(message, CATALOGUE)


_ROW_KEYS = ("amount", "basis")


@attrs.frozen(kw_only=True)
class GivenAmount:
    """One recipient's amount as the act gives it."""

    recipient: str
    amount: Money
    basis: LegalBasis
    citation: str
    """The key of :attr:`basis` in the cycle's citations."""


@attrs.frozen(kw_only=True)
class GivenEnvelope:
    """An envelope whose amount per recipient is given, line by line, by an act."""

    kind: ClassVar[str] = "given"
    id: str
    label: str
    amount: Money
    amounts: tuple[GivenAmount, ...]
    """One line per recipient, sorted by recipient id."""
    basis: LegalBasis
    citation: str
    note: str | None = None
    split: Split | None = None
    tranches: tuple[Tranche, ...] = ()
    rounding: Rounding | None = None

    def line(self, recipient_id: str) -> GivenAmount:
        """The line of one recipient (KeyError if the act gives it nothing)."""
        for given in self.amounts:
            if given.recipient == recipient_id:
                return given
        raise KeyError(recipient_id)


class GivenKind(EnvelopeKind[GivenEnvelope]):
    """``kind = "given"``: a table of amounts given by the decree, one per recipient."""

    kind = "given"
    parameters = GivenEnvelope
    keys = ("amount", "amounts")
    summary = "amounts given per recipient by the act"

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        amount = reader.money(raw, "amount", path)
        reader.whole_units(amount, rounding.unit, f"{path}.amount")
        table = reader.table(raw, "amounts", path)
        if table is None:
            if "amounts" not in raw:
                reader.add(f"{path}.amounts", _("missing: one line per recipient"))
            return {"amount": amount, "amounts": None}
        if not table:
            reader.add(f"{path}.amounts", _("expected at least one recipient"))
        lines: list[GivenAmount] = []
        for recipient, row in sorted(table.items()):
            where = f"{path}.amounts.{recipient}"
            if not isinstance(row, Mapping):
                reader.add(where, _('expected a table: { amount = "...", basis = "..." }'))
                continue
            reader.keys(row, _ROW_KEYS, where, _("a given amount"))
            given = reader.money(row, "amount", where)
            reader.whole_units(given, rounding.unit, f"{where}.amount")
            cited = reader.basis(row, where)
            if given is not None and cited is not None:
                lines.append(
                    GivenAmount(
                        recipient=recipient, amount=given, basis=cited[1], citation=cited[0]
                    )
                )
        if amount is not None and len(lines) == len(table):
            gap = sum_mismatch(Money.total(line.amount for line in lines), amount)
            if gap is not None:
                reader.add(f"{path}.amounts", gap)
        return {"amount": amount, "amounts": tuple(lines)}

    def check(self, envelope: GivenEnvelope, ids: Sequence[str], path: str) -> list[Problem]:
        return recipients_mismatch(
            (line.recipient for line in envelope.amounts), ids, f"{path}.amounts"
        )

    def allocate(
        self, envelope: GivenEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return given_outcome(
            envelope, context, {a.recipient: a.amount.cents for a in envelope.amounts}
        )

    def explain(
        self,
        envelope: GivenEnvelope,
        outcome: EnvelopeOutcome,
        index: int,
        recipient_id: str,
        row: IndicatorRow | None,
    ) -> Explained:
        line = envelope.line(recipient_id)
        return Explained(
            quota=Fraction(line.amount.cents, outcome.rounding.unit.cents),
            citation=(line.citation, line.basis),
        )

    def explain_text(self, envelope: GivenEnvelope, component: Component, lang: str) -> str:
        return _("the amount the act gives this recipient ({citation}: {basis})").format(
            citation=component.citation, basis=str(component.basis)
        )

    def describe(self, envelope: GivenEnvelope) -> dict[str, str | None]:
        return {
            "kind and amount": f"{self.kind}, {envelope.amount.format()}",
            "given amounts": ", ".join(
                f"{line.recipient} {line.amount.format()} ({line.citation})"
                for line in envelope.amounts
            ),
        }


@hookimpl
def conciliazione_envelope_kinds(register: Callable[[EnvelopeKind[Any]], None]) -> None:
    """Register the ``given`` kind."""
    register(GivenKind())
