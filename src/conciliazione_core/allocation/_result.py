"""The result of an allocation: who gets what, from which envelope, and why.

An :class:`Allocation` keeps the amounts compactly (one tuple of ints per envelope) so that a
million recipients cost a few tuples, not a million objects. :class:`Share` objects are built on
access; the full explanation of a share (its :class:`Component` s with exact quotas, rounding
adjustments, indicator inputs with provenance, legal basis, split parts and tranches) is built
for everybody only when asked (``allocate(..., explain=True)``), and for one recipient at a time
with :meth:`Allocation.explain`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

import attrs

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation._envelopes import (
    AllocationPlan,
    Order,
    RecipientEnvelope,
)
from conciliazione_core.allocation._rounding import Rounding, Strategy
from conciliazione_core.i18n import _

__all__ = [
    "Allocation",
    "Component",
    "EnvelopeOutcome",
    "IndicatorInput",
    "NonOfficial",
    "PartAmount",
    "PendingEnvelope",
    "RetainedLine",
    "Share",
    "TrancheAmount",
    "worst_status",
]

_SCANS_BEFORE_INDEX = 16

_STATUS_RANK = {DataStatus.OFFICIAL: 0, DataStatus.DERIVED: 1, DataStatus.ESTIMATE: 2}


def worst_status(statuses: Any) -> DataStatus:
    """The least reliable of some statuses (official when there are none)."""
    worst = DataStatus.OFFICIAL
    for status in statuses:
        if _STATUS_RANK[status] > _STATUS_RANK[worst]:
            worst = status
    return worst


@attrs.frozen
class IndicatorInput:
    """One indicator value read for one recipient, with the total it is compared with."""

    indicator: str
    value: Fraction
    total: Fraction
    """The indicator's total over all the envelope's recipients."""
    weight: Fraction
    """The envelope's weight for this indicator (1 for a single indicator)."""
    provenance: Provenance


@attrs.frozen
class PartAmount:
    """A recipient's amount for one split part (e.g. alliance projects)."""

    id: str
    label: str
    share: Fraction
    amount: Money
    quota: Fraction
    """Exact euros before rounding."""
    basis: LegalBasis


@attrs.frozen
class TrancheAmount:
    """A recipient's amount for one tranche (e.g. the 2020 instalment)."""

    id: str
    label: str | None
    share: Fraction
    amount: Money
    quota: Fraction


@attrs.frozen
class Component:
    """What one recipient receives from one envelope, and how it was computed."""

    envelope_id: str
    label: str
    kind: str
    """The envelope's kind (a :class:`~conciliazione_core.allocation.Kind` for the core's own)."""
    amount: Money
    quota: Fraction
    """The exact quota in euros, before rounding (after floors and caps)."""
    adjustment: Fraction
    """``amount - quota`` in euros: what rounding added (positive) or took (negative)."""
    basis: LegalBasis
    """The act that gave this amount: the envelope's, or the one its kind cites for this
    recipient (e.g. one line of a table of given amounts)."""
    citation: str
    rounding: Rounding
    envelope_amount: Money
    recipients: int
    """How many recipients the envelope was split among."""
    inputs: tuple[IndicatorInput, ...] = ()
    bound: Literal["floor", "cap"] | None = None
    """Set when the floor or the cap, not the indicator, decided the quota."""
    parts: tuple[PartAmount, ...] = ()
    tranches: tuple[TrancheAmount, ...] = ()


@attrs.frozen
class Share:
    """One recipient's total, with its components when explained."""

    id: str
    name: str
    amount: Money
    status: DataStatus
    """The least reliable status among the indicator values the amount depends on."""
    components: tuple[Component, ...] = ()


@attrs.frozen
class RetainedLine:
    """An amount kept by the payer."""

    envelope_id: str
    label: str
    amount: Money
    basis: LegalBasis
    citation: str
    note: str | None = None


@attrs.frozen
class PendingEnvelope:
    """An envelope not allocated because the indicator values it reads are missing."""

    envelope_id: str
    label: str
    amount: Money
    indicators: tuple[str, ...]
    missing: tuple[str, ...]
    """Recipient ids without a row in the indicator table, in id order."""
    basis: LegalBasis


@attrs.frozen
class NonOfficial:
    """A recipient whose amount depends on derived or estimated figures."""

    recipient_id: str
    status: DataStatus
    provenance: Provenance


@attrs.frozen
class EnvelopeOutcome:
    """One recipient-level envelope, computed: amounts in rounding units, per recipient.

    The exact quota of recipient *i* in units is ``clamp(scale × weight_i, floor, cap)`` where
    ``weight_i = Σ_k coefficients[k] × value_k,i`` (1 for equal and fixed envelopes), so any
    recipient's explanation can be rebuilt without storing a million fractions.
    """

    envelope: RecipientEnvelope
    rounding: Rounding
    units: tuple[int, ...]
    """Amount per recipient in rounding units, in the input order of recipients."""
    leftover: int
    """Units not handed out (floor strategy only)."""
    scale: Fraction
    coefficients: tuple[Fraction, ...] = ()
    totals: tuple[Fraction, ...] = ()
    """Per indicator, the total over the recipients."""
    floor: int = 0
    cap: int | None = None
    parts: tuple[tuple[int, ...], ...] = ()
    """Per split part, the amount of each recipient in :attr:`part_unit`."""
    tranches: tuple[tuple[int, ...], ...] = ()

    @property
    def part_unit(self) -> Money:
        """The unit split parts are counted in: the split's own, else the envelope's."""
        split = self.envelope.split
        return split.unit if split is not None and split.unit is not None else self.rounding.unit

    @property
    def amount(self) -> Money:
        """What the envelope handed out (less any leftover)."""
        return Money((sum(self.units)) * self.rounding.unit.cents)


@attrs.frozen
class Allocation:
    """Who receives what. Amounts add up exactly: shares + retained + unallocated + pending
    == total.

    Recipient-level data is stored in the input order of recipients; :attr:`shares` and the
    renderers list recipients by id (or in input order when the plan says ``order = "input"``).
    """

    plan: AllocationPlan
    total: Money
    unit: Money
    strategy: Strategy
    recipient_ids: tuple[str, ...]
    recipient_names: tuple[str, ...]
    cents: tuple[int, ...]
    """Each recipient's total in cents, in input order."""
    outcomes: tuple[EnvelopeOutcome, ...]
    retained: tuple[RetainedLine, ...]
    unallocated: Money
    pending: tuple[PendingEnvelope, ...]
    non_official: tuple[NonOfficial, ...]
    """Recipients whose inputs are derived or estimated, by id."""
    what_if: tuple[str, ...] = ()
    """The parameter overrides this run applied (empty for the official parameters)."""
    table: IndicatorTable | None = attrs.field(default=None, eq=False, repr=False)
    explained: tuple[Share, ...] | None = attrs.field(default=None, eq=False, repr=False)
    """Every share with its components, in display order (when built with explain=True)."""
    currency: str = "EUR"
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False, eq=False, hash=False)

    # ---- look-ups ---------------------------------------------------------------------------

    @property
    def order(self) -> list[int]:
        """Recipient positions in display order (by id unless the plan says input order)."""
        found = self._cache.get("order")
        if found is None:
            n = len(self.recipient_ids)
            if self.plan.order is Order.INPUT:
                found = list(range(n))
            else:
                found = sorted(range(n), key=self.recipient_ids.__getitem__)
            self._cache["order"] = found
        return found

    def index(self, recipient_id: str) -> int:
        """The input position of a recipient; InputError naming the known ids if unknown."""
        positions: dict[str, int] | None = self._cache.get("positions")
        try:
            if positions is not None:
                return positions[recipient_id]
            # A look-up scans the tuple (about 10 ms for a million ids); only when many are
            # asked for is an index built.
            if self._cache.setdefault("lookups", 0) >= _SCANS_BEFORE_INDEX:
                self._cache["positions"] = dict(
                    zip(self.recipient_ids, range(len(self.recipient_ids)), strict=True)
                )
                return self._cache["positions"][recipient_id]  # type: ignore[no-any-return]
            self._cache["lookups"] += 1
            return self.recipient_ids.index(recipient_id)
        except (KeyError, ValueError):
            known = sorted(self.recipient_ids)
            listing = ", ".join(known[:20]) + (
                _(" and {n} more").format(n=len(known) - 20) if len(known) > 20 else ""
            )
            raise InputError.at(
                "recipient",
                _("unknown recipient {id!r}; known: {known}").format(
                    id=recipient_id, known=listing or _("none")
                ),
            ) from None

    def row(self, index: int) -> IndicatorRow | None:
        """The indicator row of the recipient at input position ``index`` (None if none)."""
        table = self.table
        if table is None:
            return None
        aligned = self._cache.get("aligned")
        if aligned is None:
            aligned = self._cache["aligned"] = table.ids == self.recipient_ids
        return table.row(index) if aligned else table.get(self.recipient_ids[index])

    def status(self, recipient_id: str) -> DataStatus:
        """The least reliable status of the figures this recipient's amount depends on."""
        statuses: dict[str, DataStatus] | None = self._cache.get("statuses")
        if statuses is None:
            statuses = self._cache["statuses"] = {
                n.recipient_id: n.status for n in self.non_official
            }
        return statuses.get(recipient_id, DataStatus.OFFICIAL)

    def amount(self, recipient_id: str) -> Money:
        """One recipient's total."""
        return Money(self.cents[self.index(recipient_id)])

    @property
    def shares(self) -> tuple[Share, ...]:
        """Every recipient's share in display order; with components if explained."""
        if self.explained is not None:
            return self.explained
        found = self._cache.get("shares")
        if found is None:
            ids, names, cents = self.recipient_ids, self.recipient_names, self.cents
            found = self._cache["shares"] = tuple(
                Share(ids[i], names[i], Money(cents[i]), self.status(ids[i])) for i in self.order
            )
        return found

    def share(self, recipient_id: str) -> Share:
        """One recipient's share (with components if the allocation was explained)."""
        i = self.index(recipient_id)
        if self.explained is not None:
            return self.explained[self.order.index(i)]
        return Share(
            recipient_id, self.recipient_names[i], Money(self.cents[i]), self.status(recipient_id)
        )

    def explain(self, recipient_id: str) -> Share:
        """One recipient's share with its full trace, computed now if it was not built."""
        if self.explained is not None:
            return self.share(recipient_id)
        from conciliazione_core.allocation._explain import explain_share

        return explain_share(self, self.index(recipient_id))

    @property
    def retained_total(self) -> Money:
        return Money.total(r.amount for r in self.retained)

    @property
    def pending_total(self) -> Money:
        return Money.total(p.amount for p in self.pending)

    @property
    def allocated_total(self) -> Money:
        """What the recipients receive in all."""
        return Money(sum(self.cents))

    def component_units(self, envelope_id: str) -> tuple[int, ...] | None:
        """The units each recipient receives from one envelope (None if not computed)."""
        for outcome in self.outcomes:
            if outcome.envelope.id == envelope_id:
                return outcome.units
        return None
