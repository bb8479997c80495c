"""The result of an allocation: who gets what, from which envelope, and why.

An :class:`Allocation` keeps the amounts compactly (one tuple of ints per envelope) so that a
million recipients cost a few tuples, not a million objects. :class:`Share` objects are built on
access; the full explanation of a share (its :class:`Component` s with exact quotas, rounding
adjustments, indicator inputs with provenance, legal basis, split parts and tranches) is built
for everybody only when asked (``allocate(..., explain=True)``), and for one recipient at a time
with :meth:`Allocation.explain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, repeat
from typing import Any

import attrs

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core._suggest import listing, with_hint
from conciliazione_core.allocation._envelopes import (
    AllocationPlan,
    Order,
)
from conciliazione_core.allocation._explain import explain_share
from conciliazione_core.allocation._rounding import Strategy
from conciliazione_core.allocation._shares import (
    Component,
    EnvelopeOutcome,
    IndicatorInput,
    NonOfficial,
    PartAmount,
    PendingEnvelope,
    RetainedLine,
    Share,
    TrancheAmount,
)
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
    def order(self) -> Sequence[int]:
        """Recipient positions in display order (by id unless the plan says input order): a
        ``range`` when that is the input order, so a million positions cost no list."""
        found: Sequence[int] | None = self._cache.get("order")
        if found is None:
            ids = self.recipient_ids
            # Ids often come sorted already (a table written in id order): one comparison
            # pass instead of a sort by key.
            if self.plan.order is Order.INPUT or all(map(str.__lt__, ids, islice(ids, 1, None))):
                found = range(len(ids))
            else:
                found = sorted(range(len(ids)), key=ids.__getitem__)
            self._cache["order"] = found
        return found

    def in_input_order(self) -> bool:
        """Whether :attr:`order` lists the recipients as given (so renderers slice, not pick)."""
        return isinstance(self.order, range)

    def status_values(self) -> list[str]:
        """Each recipient's :meth:`status` value (``"official"``, ...), in input order: for
        writing a million rows; taken from the table's column of provenances when its rows are
        the recipients, instead of a look-up per recipient."""
        n = len(self.recipient_ids)
        if not self.non_official:
            return [DataStatus.OFFICIAL.value] * n
        table = self.table
        if table is not None and (
            table.ids is self.recipient_ids or table.ids == self.recipient_ids
        ):
            return table.status_values()
        marked = {m.recipient_id: m.status.value for m in self.non_official}
        return list(map(marked.get, self.recipient_ids, repeat(DataStatus.OFFICIAL.value)))

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
            raise InputError.at(
                "recipient",
                with_hint(
                    _("unknown recipient {id!r}; known: {known}").format(
                        id=recipient_id, known=listing(known, 20) or _("none")
                    ),
                    recipient_id,
                    known,
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
