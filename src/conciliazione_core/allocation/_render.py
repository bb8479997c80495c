"""Allocations as JSON, CSV and an aligned plain-text table.

Every output is deterministic: rows by recipient id (unless the plan says input order), keys in
a fixed order, amounts as decimal strings with two decimals (``"2800000.00"``, never a JSON
number), exact fractions as ``"1234/567"`` beside a 6-decimal rounding for people.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._printable import printable
from conciliazione_core._provenance import Provenance
from conciliazione_core.allocation._envelopes import is_recipient_level
from conciliazione_core.allocation._formatting import amount, euros, format_share, in_language
from conciliazione_core.allocation._kinds import kind_of
from conciliazione_core.allocation._result import Allocation, Component, EnvelopeOutcome
from conciliazione_core.allocation._rounding import Strategy
from conciliazione_core.i18n import _

__all__ = ["allocation_to_csv", "allocation_to_json", "fraction_to_json", "render_table"]


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
        "source": p.source,
        "reference_date": p.reference_date.isoformat(),
        "status": p.status.value,
        "method": p.method,
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


def _columns(a: Allocation) -> list[tuple[str, list[str]]]:
    """``(header, one cell per recipient in display order)`` per envelope, part and tranche."""
    outcomes = {o.envelope.id: o for o in a.outcomes}
    columns: list[tuple[str, list[str]]] = []
    order = a.order
    for envelope in a.plan.recipient_envelopes:
        outcome = outcomes.get(envelope.id)
        unit = outcome.rounding.unit.cents if outcome is not None else 0
        part_ids = [p.id for p in envelope.split.parts] if envelope.split is not None else []
        tranche_ids = [t.id for t in envelope.tranches]
        if outcome is None:
            blank = [""] * len(order)
            columns.append((envelope.id, blank))
            columns.extend((f"{envelope.id}.{p}", blank) for p in (*part_ids, *tranche_ids))
            continue
        columns.append((envelope.id, [str(Money(outcome.units[i] * unit)) for i in order]))
        part_unit = outcome.part_unit.cents
        for p, part_id in enumerate(part_ids):
            units = outcome.parts[p]
            columns.append(
                (f"{envelope.id}.{part_id}", [str(Money(units[i] * part_unit)) for i in order])
            )
        for t, tranche_id in enumerate(tranche_ids):
            units = outcome.tranches[t]
            columns.append(
                (f"{envelope.id}.{tranche_id}", [str(Money(units[i] * unit)) for i in order])
            )
    return columns


def allocation_to_csv(a: Allocation) -> str:
    """One row per recipient: id, name, a column per envelope, split part and tranche
    (``envelope.part``), the amount and the status of the figures it depends on."""
    columns = _columns(a)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", *(h for h, _c in columns), "amount", "status"])
    for row, i in enumerate(a.order):
        rid = a.recipient_ids[i]
        writer.writerow(
            [
                rid,
                a.recipient_names[i],
                *(c[row] for _h, c in columns),
                str(Money(a.cents[i])),
                a.status(rid).value,
            ]
        )
    return buffer.getvalue()


def _as_amount(cell: str, lang: str) -> str:
    return amount(Money.parse(cell), lang) if cell else "-"


def render_table(a: Allocation, lang: str | None = None, *, cycle_title: str | None = None) -> str:
    """An aligned plain-text table: one row per recipient, a column per envelope and part,
    the retained, pending and unallocated lines, and a TOTAL equal to the plan total.

    ``lang`` (``"en"`` or ``"it"``) sets the words and the number format; None keeps the current
    language (see :mod:`conciliazione_core.i18n`). ``cycle_title`` heads the table.
    """
    with in_language(lang) as chosen:
        return _render_table(a, chosen, cycle_title)


def _render_table(a: Allocation, lang: str, cycle_title: str | None) -> str:
    columns = _columns(a)
    strategy = (
        _("largest remainder")
        if a.strategy is Strategy.LARGEST_REMAINDER
        else _("floor and report")
    )
    lines: list[str] = []
    if a.what_if:
        banner = _("WHAT-IF: not the official parameters; changed: {changes}").format(
            changes="; ".join(a.what_if)
        )
        rule = "=" * min(len(banner), 100)
        lines += [rule, banner, rule, ""]
    if cycle_title:
        lines.append(cycle_title)
    lines.append(
        _("Allocation of {total} ({strategy}, unit {unit}); amounts in EUR").format(
            total=euros(a.total, lang), strategy=strategy, unit=euros(a.unit, lang)
        )
    )
    lines.append("")
    marked = {n.recipient_id for n in a.non_official}
    header = [_("ID"), _("Name"), *(h for h, _c in columns), _("Amount")]
    body: list[list[str]] = []
    for row, i in enumerate(a.order):
        rid = a.recipient_ids[i]
        body.append(
            [
                rid + ("*" if rid in marked else ""),
                a.recipient_names[i],
                *(_as_amount(c[row], lang) for _h, c in columns),
                amount(Money(a.cents[i]), lang),
            ]
        )
    footer: list[list[str]] = []
    blanks = [""] * len(columns)
    for r in a.retained:
        footer.append(
            [
                "",
                _("{label} (retained: {id})").format(label=r.label, id=r.envelope_id),
                *blanks,
                amount(r.amount, lang),
            ]
        )
    for p in a.pending:
        footer.append(
            [
                "",
                _("{label} (pending: {id})").format(label=p.label, id=p.envelope_id),
                *blanks,
                amount(p.amount, lang),
            ]
        )
    if a.unallocated or a.strategy is Strategy.FLOOR:
        footer.append(
            ["", _("Unallocated (rounding remainders)"), *blanks, amount(a.unallocated, lang)]
        )
    footer.append([_("TOTAL"), "", *blanks, amount(a.total, lang)])
    body = [[printable(c) for c in row] for row in body]  # names from input: one line each
    widths = [max(len(r[k]) for r in (header, *body, *footer)) for k in range(len(header))]

    def fmt(cells: list[str]) -> str:
        out = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
        out += [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines += [fmt(header), rule, *(fmt(r) for r in body), rule, *(fmt(r) for r in footer)]
    if marked:
        lines.append("")
        lines.append(
            _(
                "* figures not official (derived or estimated), so these amounts are "
                "not official either:"
            )
        )
        for n in a.non_official:
            method = f": {n.provenance.method}" if n.provenance.method else ""
            lines.append(f"  {n.recipient_id} {n.status.word}{method}")
    legend = []
    for envelope in a.plan.envelopes:
        text = f"  {envelope.id}: {envelope.label} ({envelope.basis})"
        split = envelope.split if is_recipient_level(envelope) else None
        if split is not None:
            text += "; " + ", ".join(
                f"{envelope.id}.{p.id} = {p.label} {format_share(p.share)}" for p in split.parts
            )
            if split.overrides:
                text += _(" (overridden for {ids})").format(
                    ids=", ".join(r for r, _s in split.overrides)
                )
        legend.append(text)
    lines += ["", _("Envelopes:"), *legend]
    for p in a.pending:
        lines.append("")
        lines.append(
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
            )
        )
    return "\n".join(lines) + "\n"
