"""Allocations as JSON, CSV and an aligned plain-text table.

Every output is deterministic: rows by recipient id (unless the plan says input order), keys in
a fixed order, amounts as decimal strings with two decimals (``"2800000.00"``, never a JSON
number), exact fractions as ``"1234/567"`` beside a 6-decimal rounding for people. The CSV and
the table share one row model (:mod:`._rows`), so they sum alike.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import operator
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

from conciliazione_core._grid import ColumnRows, GridColumn, _whole, grid_lines, wrap
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money, cents_texts
from conciliazione_core._printable import printable
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation._envelopes import is_recipient_level
from conciliazione_core.allocation._formatting import (
    AmountTexts,
    amounts,
    euros,
    format_share,
    in_language,
)
from conciliazione_core.allocation._kinds import kind_of
from conciliazione_core.allocation._result import Allocation, Component, EnvelopeOutcome
from conciliazione_core.allocation._rounding import Strategy
from conciliazione_core.allocation._rows import (
    RowKind,
    allocation_columns,
    cell_units,
    footer_rows,
)
from conciliazione_core.i18n import _

__all__ = [
    "allocation_csv_pieces",
    "allocation_to_csv",
    "allocation_to_json",
    "fraction_to_json",
    "render_table",
    "render_table_pieces",
]


def fraction_to_json(value: Fraction) -> dict[str, str]:
    """``{"exact": "1234/567", "decimal": "2.176367"}`` (decimal rounded half-even to 6 places)."""
    millionths = round(value * 1_000_000)
    sign = "-" if millionths < 0 else ""
    whole, rest = divmod(abs(millionths), 1_000_000)
    return {"exact": str(value), "decimal": f"{sign}{whole}.{rest:06d}"}


def _basis(citation: str, basis: LegalBasis) -> dict[str, Any]:
    return {
        "citation": citation,
        "act": str(basis.act),
        "provision": None if basis.provision is None else str(basis.provision),
        "url": basis.url,
        "evidence": basis.evidence.value,
        "text": str(basis),
    }


def _provenance(p: Provenance) -> dict[str, Any]:
    return {
        "source": str(p.source),
        "reference_date": p.reference_date.isoformat(),
        "status": p.status.value,
        "method": None if p.method is None else str(p.method),
    }


def _component(c: Component) -> dict[str, Any]:
    return {
        "envelope": c.envelope_id,
        "label": str(c.label),
        "kind": str(c.kind),
        "amount": str(c.amount),
        "quota": fraction_to_json(c.quota),
        "adjustment": fraction_to_json(c.adjustment),
        "rounding": {"strategy": c.rounding.strategy.value, "unit": str(c.rounding.unit)},
        "bound": c.bound,
        "basis": _basis(c.citation, c.basis),
        "inputs": [
            {
                "indicator": i.indicator,
                "value": fraction_to_json(i.value),
                "total": fraction_to_json(i.total),
                "weight": fraction_to_json(i.weight),
                "provenance": _provenance(i.provenance),
            }
            for i in c.inputs
        ],
        "parts": [
            {
                "id": p.id,
                "label": str(p.label),
                "share": fraction_to_json(p.share),
                "amount": str(p.amount),
                "quota": fraction_to_json(p.quota),
                "basis": str(p.basis),
            }
            for p in c.parts
        ],
        "tranches": [
            {
                "id": t.id,
                "label": None if t.label is None else str(t.label),
                "share": fraction_to_json(t.share),
                "amount": str(t.amount),
                "quota": fraction_to_json(t.quota),
            }
            for t in c.tranches
        ],
    }


def _cents(outcome: EnvelopeOutcome, units: tuple[int, ...], i: int) -> Money:
    return Money(units[i] * outcome.rounding.unit.cents)


def allocation_to_json(a: Allocation, cycle_id: str | None = None) -> dict[str, Any]:
    """The allocation as JSON-ready data (strings, lists and dicts only; no floats).

    Each share lists its amount per envelope; its ``components`` (exact quotas, inputs,
    bases) are filled when the allocation was built with ``explain=True``.
    """
    table = a.table
    uses_table = table is not None and any(
        kind_of(o.envelope).indicators(o.envelope) for o in a.outcomes
    )
    shares: list[dict[str, Any]] = []
    explained = a.explained
    for position, i in enumerate(a.order):
        rid = a.recipient_ids[i]
        provenance = None
        if uses_table:
            assert table is not None
            row = table.get(rid)
            provenance = None if row is None else _provenance(row.provenance)
        envelopes: dict[str, str] = {}
        for outcome in a.outcomes:
            envelopes[outcome.envelope.id] = str(_cents(outcome, outcome.units, i))
        shares.append(
            {
                "id": rid,
                "name": a.recipient_names[i],
                "amount": str(Money(a.cents[i])),
                "status": a.status(rid).value,
                "envelopes": envelopes,
                "components": []
                if explained is None
                else [_component(c) for c in explained[position].components],
                "provenance": provenance,
            }
        )
    return {
        "cycle": cycle_id,
        "currency": a.currency,
        "total": str(a.total),
        "unit": str(a.unit),
        "strategy": a.strategy.value,
        "what_if": list(a.what_if),
        "non_official": [
            {
                "id": n.recipient_id,
                "status": n.status.value,
                "provenance": _provenance(n.provenance),
            }
            for n in a.non_official
        ],
        "envelopes": [
            {
                "id": e.id,
                "kind": str(e.kind),
                "label": str(e.label),
                "amount": None if e.amount is None else str(e.amount),
                "basis": _basis(e.citation, e.basis),
            }
            for e in a.plan.envelopes
        ],
        "shares": shares,
        "retained": [
            {
                "id": r.envelope_id,
                "label": str(r.label),
                "amount": str(r.amount),
                "basis": _basis(r.citation, r.basis),
                "note": None if r.note is None else str(r.note),
            }
            for r in a.retained
        ],
        "unallocated": str(a.unallocated),
        "pending": [
            {
                "envelope": p.envelope_id,
                "label": str(p.label),
                "amount": str(p.amount),
                "indicators": list(p.indicators),
                "missing": list(p.missing),
                "basis": str(p.basis),
            }
            for p in a.pending
        ],
    }


def allocation_to_csv(a: Allocation) -> str:
    """The rows of :func:`allocation_rows`, so the ``amount`` column sums like the table: a
    ``row`` column (``recipient``, ``retained``, ``pending``, ``unallocated``, ``total``) to
    filter on, id, name, a column per envelope, split part and tranche (``envelope.part``), the
    amount and, for recipients, the status of the figures it depends on."""
    return "".join(allocation_csv_pieces(a))


_CSV_ROWS_PER_PIECE = 10_000


def _column_texts(
    units: Sequence[int], unit: int, positions: Sequence[int], in_order: bool = False
) -> list[str]:
    """The amounts ``units[i] * unit`` cents at ``positions`` (a slice of ``units`` when
    ``in_order``: positions are consecutive), as ``str(Money)`` writes them."""
    chosen = (
        units[positions[0] : positions[-1] + 1]
        if in_order and positions
        else list(map(units.__getitem__, positions))
    )
    if unit % 100 == 0:  # whole euros: no division per cell
        euros = unit // 100
        return [f"{u * euros}.00" for u in chosen]
    return cents_texts(chosen if unit == 1 else map(operator.mul, chosen, itertools.repeat(unit)))


def _plain(text: str) -> bool:
    """Whether the csv writer writes ``text`` as it is: no comma, no quote, nothing
    unprintable (a newline); otherwise it is left to the writer, which quotes it."""
    return text.isprintable() and "," not in text and '"' not in text


def allocation_csv_pieces(a: Allocation) -> Iterator[str]:
    """The text of :func:`allocation_to_csv` in pieces of up to 10,000 lines, in order, so that
    the command writes a million recipients without holding them all as text; the amounts are
    written from the integer cents (:func:`~conciliazione_core._money.cents_texts`), with no
    ``Money`` per cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    columns = allocation_columns(a)
    writer.writerow(["row", "id", "name", *(c.id for c in columns), "amount", "status"])
    cells = cell_units(a)
    ids, names, cents = a.recipient_ids, a.recipient_names, a.cents
    statuses = a.status_values()
    order, in_order = a.order, a.in_input_order()
    for start in range(0, len(order), _CSV_ROWS_PER_PIECE):
        end = start + _CSV_ROWS_PER_PIECE
        positions = order[start:end]
        if in_order:  # the rows as given: slices, not one look-up per cell
            chosen: Sequence[str] = ids[start:end]
            chosen_names: Sequence[str] = names[start:end]
            chosen_statuses = statuses[start:end]
        else:
            chosen = [ids[i] for i in positions]
            chosen_names = [names[i] for i in positions]
            chosen_statuses = [statuses[i] for i in positions]
        rows = zip(
            itertools.repeat(RowKind.RECIPIENT.value),
            chosen,
            chosen_names,
            *(
                itertools.repeat("") if c is None else _column_texts(*c, positions, in_order)
                for c in cells
            ),
            _column_texts(cents, 1, positions, in_order),
            chosen_statuses,
        )
        if _plain("".join(chosen)) and _plain("".join(chosen_names)):
            # Nothing to quote (amounts and statuses never need it): the lines the writer
            # would write, joined at once.
            yield taken() + "\n".join(map(",".join, rows)) + "\n"
        else:
            writer.writerows(rows)
            yield taken()
    for row in footer_rows(a, len(columns)):
        writer.writerow(
            [
                row.kind.value,
                row.id,
                row.name,
                *("" if cell is None else str(cell) for cell in row.cells),
                str(row.amount),
                "" if row.status is None else row.status.value,
            ]
        )
    yield taken()


def render_table(
    a: Allocation,
    lang: str | None = None,
    *,
    cycle_title: str | None = None,
    width: int | None = None,
) -> str:
    """An aligned plain-text table: one row per recipient, a column per envelope and part
    headed by its label, the retained, pending and unallocated lines, and a TOTAL equal to the
    plan total; amounts in each column's unit (no cents on whole-euro amounts).

    ``lang`` (``"en"`` or ``"it"``) sets the words and the number format; None keeps the current
    language (see :mod:`conciliazione_core.i18n`). ``cycle_title`` heads the table. ``width``
    wraps names, labels and notes to that many characters (ids and amounts are never cut; the
    columns go in blocks when they cannot fit side by side); None never wraps.
    """
    return "".join(render_table_pieces(a, lang, cycle_title=cycle_title, width=width))


_TABLE_LINES_PER_PIECE = 10_000


def render_table_pieces(
    a: Allocation,
    lang: str | None = None,
    *,
    cycle_title: str | None = None,
    width: int | None = None,
) -> Iterator[str]:
    """The text of :func:`render_table` in pieces of up to 10,000 lines, in order, so that the
    command writes a million recipients without holding every line."""
    with in_language(lang) as chosen:
        # Texts of one line, or of up to 10,000 rows of the grid at once (joined by newlines).
        piece: list[str] = []
        lines = 0
        for text in _table_lines(a, chosen, cycle_title, width):
            piece.append(text)
            lines += text.count("\n") + 1
            if lines >= _TABLE_LINES_PER_PIECE:
                yield "\n".join(piece) + "\n"
                piece, lines = [], 0
        if piece:
            yield "\n".join(piece) + "\n"


def _grid_rows(a: Allocation, lang: str) -> tuple[ColumnRows, list[list[str]]]:
    """The body and footer cells of the table, from the shared row model: each column's
    amounts in its unit, with cents only where the unit or an amount has them; formatted from
    the integer cents, column by column (no Money per cell)."""
    order, in_order = a.order, a.in_input_order()
    ids, names = a.recipient_ids, a.recipient_names
    footer_model = list(footer_rows(a, len(allocation_columns(a))))

    def picked(values: Sequence[int], unit: int) -> Sequence[int]:
        if in_order:  # the rows as given: no look-up per cell
            return values if unit == 1 else list(map(unit.__mul__, values))
        return [values[i] * unit for i in order]

    texts: list[Sequence[str] | None] = []
    for column, cell in zip(allocation_columns(a), cell_units(a), strict=True):
        if cell is None:  # nothing computed: a dash for every recipient
            texts.append(None)
            continue
        values = picked(cell[0], 1)
        unit = cell[1]
        # Cents where the column's unit has them, or where an amount in units of `unit` may.
        with_cents = column.unit.cents % 100 != 0 or (unit % 100 != 0 and _has_cents(picked(*cell)))
        texts.append(AmountTexts(values, lang, with_cents, unit))
    totals = picked(a.cents, 1)
    footer_cents = [r.amount.cents for r in footer_model]
    # A recipient's total is a sum of amounts in its envelopes' units.
    step = math.gcd(*(o.rounding.unit.cents for o in a.outcomes))
    with_cents = (
        a.unit.cents % 100 != 0
        or (step % 100 != 0 and _has_cents(totals))
        or _has_cents(footer_cents)
    )
    footer_texts = amounts(footer_cents, lang, with_cents)
    n = len(order)
    shown_ids, shown_names = (
        _printable_all(ids if in_order else [ids[i] for i in order]),
        _printable_all(names if in_order else [names[i] for i in order]),
    )
    if a.non_official:  # a star after the id of a recipient whose figures are not official
        official = DataStatus.OFFICIAL.value
        statuses = a.status_values()
        flags = map(official.__ne__, statuses if in_order else [statuses[i] for i in order])
        shown_ids = list(shown_ids)
        for position in itertools.compress(range(n), flags):  # the few, not every id again
            shown_ids[position] += "*"
    body = ColumnRows(
        [
            shown_ids,
            shown_names,
            *(["-"] * n if t is None else t for t in texts),
            AmountTexts(totals, lang, with_cents),
        ]
    )
    footer: list[list[str]] = []
    blank = [""] * len(texts)
    for row, total in zip(footer_model, footer_texts, strict=True):
        first, name = (
            "",
            {
                RowKind.RETAINED: _("{label} (retained: {id})"),
                RowKind.PENDING: _("{label} (pending: {id})"),
                RowKind.UNALLOCATED: _("Unallocated (rounding remainders)"),
                RowKind.TOTAL: "",
            }[row.kind].format(label=row.name, id=row.id),
        )
        if row.kind is RowKind.TOTAL:
            first = _("TOTAL")
        footer.append([first, printable(name), *blank, total])
    return body, footer


def _non_official_lines(a: Allocation, width: int | None) -> Iterator[str]:
    """``  R0000010 estimate: projected`` for each non-official recipient, wrapped to ``width``;
    10,000 lines at a time when they all fit (100,000 such recipients among a million)."""
    said: dict[int, str] = {}  # "estimate: projected", once per distinct provenance
    for start in range(0, len(a.non_official), _TABLE_LINES_PER_PIECE):
        lines = []
        for n in a.non_official[start : start + _TABLE_LINES_PER_PIECE]:
            what = said.get(id(n.provenance))
            if what is None:
                method = f": {n.provenance.method}" if n.provenance.method else ""
                what = said[id(n.provenance)] = printable(f"{n.status.word}{method}")
            lines.append(f"{n.recipient_id} {what}")
        shown = _printable_all(lines)
        if width is None or (max(map(len, shown)) + 2 <= width and all(map(_whole, shown))):
            yield "  " + "\n  ".join(shown)
        else:
            for line in shown:
                yield from wrap(line, width, "  ", "    ")


def _printable_all(texts: Sequence[str]) -> Sequence[str]:
    """:func:`printable` of each text; the texts themselves when all are (one pass in C)."""
    if all(map(str.isprintable, texts)):
        return texts
    return list(map(printable, texts))


def _has_cents(values: Sequence[int]) -> bool:
    """Whether an amount in cents has cents (one pass in C)."""
    return any(map(int.__mod__, values, itertools.repeat(100)))


def _table_lines(
    a: Allocation, lang: str, cycle_title: str | None, width: int | None
) -> Iterator[str]:
    strategy = (
        _("largest remainder")
        if a.strategy is Strategy.LARGEST_REMAINDER
        else _("floor and report")
    )
    if a.what_if:
        banner = wrap(
            _("WHAT-IF: not the official parameters; changed: {changes}").format(
                changes="; ".join(a.what_if)
            ),
            width,
        )
        rule = "=" * min(max(len(b) for b in banner), 100 if width is None else width)
        yield from [rule, *banner, rule, ""]
    if cycle_title:
        yield from wrap(cycle_title, width)
    yield from wrap(
        _("Allocation of {total} ({strategy}, unit {unit}); amounts in EUR").format(
            total=euros(a.total, lang), strategy=strategy, unit=euros(a.unit, lang)
        ),
        width,
    )
    yield ""
    body, footer = _grid_rows(a, lang)
    columns = [
        GridColumn(_("ID")),
        GridColumn(_("Name"), wraps=True, breaks=True),
        *(GridColumn(printable(c.label), right=True) for c in allocation_columns(a)),
        GridColumn(_("Amount"), right=True),
    ]
    yield from grid_lines(columns, [body, footer], width, repeat=2, chunk=_TABLE_LINES_PER_PIECE)
    if a.non_official:
        yield ""
        yield from wrap(
            _(
                "* figures not official (derived or estimated), so these amounts are "
                "not official either:"
            ),
            width,
        )
        yield from _non_official_lines(a, width)
    legend = []
    for envelope in a.plan.envelopes:
        text = f"{envelope.id}: {envelope.label} ({envelope.basis})"
        split = envelope.split if is_recipient_level(envelope) else None
        if split is not None:
            text += "; " + ", ".join(
                f"{envelope.id}.{p.id} = {p.label} {format_share(p.share)}" for p in split.parts
            )
            if split.overrides:
                text += _(" (overridden for {ids})").format(
                    ids=", ".join(r for r, _s in split.overrides)
                )
        legend += wrap(printable(text), width, "  ", "    ")
    yield from ["", *wrap(_("Envelopes:"), width), *legend]
    for p in a.pending:
        yield ""
        yield from wrap(
            _(
                "Not allocated: {label!r} ({amount}) is split by {indicators}, which is "
                "missing for {n} recipient(s): {ids}. Supply an indicator table with "
                "these rows to allocate it."
            ).format(
                label=str(p.label),
                amount=euros(p.amount, lang),
                indicators=", ".join(p.indicators),
                n=len(p.missing),
                ids=", ".join(p.missing),
            ),
            width,
        )
