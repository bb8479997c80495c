"""The rows of an allocation as every tabular format shows them, so that they all sum alike.

One model for the text table, the CSV and any other tabular format (a spreadsheet): a column per
recipient-level envelope, split part and tranche, with its label and unit; a row per recipient,
then the retained, pending and unallocated lines, then the total. The ``amount`` of every row but
the total adds up exactly to the total's.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence

import attrs

from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core.allocation._result import Allocation
from conciliazione_core.allocation._rounding import Strategy

__all__ = [
    "AllocationColumn",
    "AllocationRow",
    "RowKind",
    "allocation_columns",
    "allocation_rows",
    "cell_units",
    "footer_rows",
]


class RowKind(enum.Enum):
    """What a row of an allocation table is: the CSV's ``row`` column."""

    RECIPIENT = "recipient"
    RETAINED = "retained"
    PENDING = "pending"
    UNALLOCATED = "unallocated"
    TOTAL = "total"


@attrs.frozen
class AllocationColumn:
    """A column of amounts: one envelope, or one split part or tranche of it."""

    id: str
    """``ats``, ``ats.projects``: the envelope's id, then the part's or tranche's."""
    label: str
    """The envelope's, part's or tranche's label, for people, in the language of messages when
    the columns were made."""
    unit: Money
    """Every amount in the column is a whole multiple of this rounding unit."""


@attrs.frozen
class AllocationRow:
    """A line of an allocation table."""

    kind: RowKind
    id: str
    """The recipient's id, or the retained or pending envelope's; empty otherwise."""
    name: str
    """The recipient's name, or the envelope's label; empty for the unallocated and total rows."""
    cells: tuple[Money | None, ...]
    """One per column; None where nothing is computed (a pending envelope, non-recipient rows)."""
    amount: Money
    status: DataStatus | None = None
    """For a recipient, the least reliable status of the figures its amount depends on."""


def allocation_columns(a: Allocation) -> tuple[AllocationColumn, ...]:
    """A column per recipient-level envelope, then per split part and tranche of it."""
    outcomes = {o.envelope.id: o for o in a.outcomes}
    columns: list[AllocationColumn] = []
    for envelope in a.plan.recipient_envelopes:
        outcome = outcomes.get(envelope.id)
        unit = a.unit if outcome is None else outcome.rounding.unit
        part_unit = unit if outcome is None else outcome.part_unit
        columns.append(AllocationColumn(envelope.id, str(envelope.label), unit))
        if envelope.split is not None:
            columns += [
                AllocationColumn(f"{envelope.id}.{p.id}", str(p.label), part_unit)
                for p in envelope.split.parts
            ]
        columns += [
            AllocationColumn(f"{envelope.id}.{t.id}", str(t.label or t.id), unit)
            for t in envelope.tranches
        ]
    return tuple(columns)


def cell_units(a: Allocation) -> list[tuple[Sequence[int], int] | None]:
    """Per column (in :func:`allocation_columns` order), each recipient's amount as whole units
    (input order) and the cents in a unit; None where nothing is computed (a pending envelope).
    The integers behind the cells, for writers that format millions of them without a Money
    each."""
    outcomes = {o.envelope.id: o for o in a.outcomes}
    cells: list[tuple[Sequence[int], int] | None] = []
    for envelope in a.plan.recipient_envelopes:
        outcome = outcomes.get(envelope.id)
        extra = (len(envelope.split.parts) if envelope.split is not None else 0) + len(
            envelope.tranches
        )
        if outcome is None:
            cells += [None] * (1 + extra)
            continue
        unit, part_unit = outcome.rounding.unit.cents, outcome.part_unit.cents
        cells.append((outcome.units, unit))
        cells += [(units, part_unit) for units in outcome.parts]
        cells += [(units, unit) for units in outcome.tranches]
    return cells


def _cells(a: Allocation) -> list[list[Money | None]]:
    """Per column (in :func:`allocation_columns` order), each recipient's amount (input order)."""
    n = len(a.recipient_ids)
    return [
        [None] * n if column is None else [Money(u * column[1]) for u in column[0]]
        for column in cell_units(a)
    ]


def allocation_rows(a: Allocation) -> Iterator[AllocationRow]:
    """The recipients in display order, then the retained, pending and unallocated lines, then
    the total; the amounts of all rows before the total add up to it exactly."""
    cells = _cells(a)
    for i in a.order:
        rid = a.recipient_ids[i]
        yield AllocationRow(
            RowKind.RECIPIENT,
            rid,
            a.recipient_names[i],
            tuple(column[i] for column in cells),
            Money(a.cents[i]),
            a.status(rid),
        )
    yield from footer_rows(a, len(cells))


def footer_rows(a: Allocation, columns: int) -> Iterator[AllocationRow]:
    """The rows of :func:`allocation_rows` after the recipients (``columns`` empty cells each):
    the retained, pending and unallocated lines, then the total."""
    blank: tuple[Money | None, ...] = (None,) * columns
    for r in a.retained:
        yield AllocationRow(RowKind.RETAINED, r.envelope_id, str(r.label), blank, r.amount)
    for p in a.pending:
        yield AllocationRow(RowKind.PENDING, p.envelope_id, str(p.label), blank, p.amount)
    if a.unallocated or a.strategy is Strategy.FLOOR:
        yield AllocationRow(RowKind.UNALLOCATED, "", "", blank, a.unallocated)
    yield AllocationRow(RowKind.TOTAL, "", "", blank, a.total)
