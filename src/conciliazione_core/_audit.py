"""Auditing a published per-recipient table against what a cycle's rule gives.

Regions and newspapers publish tables of who received what. :func:`audit` compares such a table
with the cycle's allocation rule, recipient by recipient: the difference in euros and in quota
units (of the cycle's rounding unit), whether the published figure is the floor or the ceiling
of the exact quota (the quota rule), the sum against the envelope, and which rounding
parameters would reconcile the table: rounding units €1, €10, €100 and €1,000, each with floor,
ceiling, nearest (halves up) and largest remainder, on each reference table given. The result is
a finding about the table, never an exception: only bad input raises.

Published amounts must be exact decimal text (``"110700"``, ``"110700.00"``): floats, commas and
a point followed by three digits (``"110.700"``, a thousands separator or a decimal point?) are
refused. A row with an empty amount is *not given* (a typo in the source, say) and its ``note``
says why.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from math import lcm
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs

from conciliazione_core._cycle import Cycle
from conciliazione_core._errors import InputError, Problem
from conciliazione_core._formats import file_path
from conciliazione_core._indicators import IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core._serialisation import DEFAULT_LIMITS, Limits, parse_json, read_file
from conciliazione_core.i18n import N_, _, current_language

if TYPE_CHECKING:
    from conciliazione_core.allocation import AllocationPlan, RecipientEnvelope

__all__ = [
    "AuditReport",
    "Candidate",
    "Method",
    "PublishedAmount",
    "PublishedTable",
    "RecipientAudit",
    "audit",
    "audit_cycle",
    "audit_to_json",
    "load_published_table",
    "parse_published_amount",
    "parse_published_csv",
    "parse_published_json",
    "render_audit",
]

UNITS = (Money.euros(1), Money.euros(10), Money.euros(100), Money.euros(1000))
"""The rounding units tried when looking for parameters that reconcile a table."""

_EXACT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


class Method(enum.Enum):
    """How exact quotas become multiples of a rounding unit."""

    FLOOR = "floor"
    CEILING = "ceiling"
    NEAREST = "nearest"
    """Halves up."""
    LARGEST_REMAINDER = "largest_remainder"
    """Floors, then the units left over to the largest remainders (ties by id); the whole
    units of the amount only (€1,000 units split €1,000,500 as 1,000 units)."""


# ---- the published table ----------------------------------------------------------------------


@attrs.frozen
class PublishedAmount:
    """One row of a published table; ``amount`` None when the source gives no usable figure."""

    id: str
    amount: Money | None
    note: str | None = None


@attrs.frozen
class PublishedTable:
    rows: tuple[PublishedAmount, ...]
    source: str | None = None

    @property
    def given(self) -> dict[str, Money]:
        return {r.id: r.amount for r in self.rows if r.amount is not None}


def parse_published_amount(value: object, path: str = "$") -> Money:
    """An amount in euros written exactly; anything ambiguous or inexact is an InputError."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        kind = "float" if isinstance(value, float) else type(value).__name__
        raise InputError.at(
            path,
            _(
                '{value!r} ({kind}) is not an exact amount: write euros as text, e.g. "110700" '
                'or "110700.00"'
            ).format(value=value, kind=kind),
        )
    if isinstance(value, int):
        return Money.parse(value, path)
    text = value.strip()
    if "," in text or _THOUSANDS.fullmatch(text):
        raise InputError.at(
            path,
            _(
                "{value!r} is ambiguous: ',' or '.' may be a thousands separator or a decimal "
                "mark; write euros with no separator and '.' before the cents, e.g. \"110700\" or "
                '"110700.50"'
            ).format(value=value),
        )
    if not _EXACT.fullmatch(text):
        raise InputError.at(
            path,
            _(
                "{value!r} is not an exact amount in euros (digits, then at most two decimals "
                "after '.')"
            ).format(value=value),
        )
    return Money.parse(text, path)


def _rows(raw: Sequence[Mapping[str, Any]], where: Sequence[str]) -> list[PublishedAmount]:
    rows, problems, seen = [], [], set()
    for record, path in zip(raw, where, strict=True):
        rid = str(record.get("id") or "").strip()
        if not rid:
            problems.append(Problem(path, _("the row has no id")))
            continue
        if rid in seen:
            problems.append(Problem(path, _("id {id!r} appears twice").format(id=rid)))
        seen.add(rid)
        value = record.get("amount")
        note = str(record.get("note") or "").strip() or None
        if value is None or (isinstance(value, str) and not value.strip()):
            if note is None:
                problems.append(
                    Problem(
                        path,
                        _("the amount of {id} is empty: give a note saying why").format(id=rid),
                    )
                )
            rows.append(PublishedAmount(rid, None, note))
            continue
        try:
            rows.append(PublishedAmount(rid, parse_published_amount(value, path), note))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError.at("$", _("the table has no rows"))
    return rows


def parse_published_csv(text: str, source: str | None = None) -> PublishedTable:
    """A CSV with columns ``id`` and ``amount`` (others, like ``name`` and ``note``, allowed)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        records = [r for r in reader if any((v or "").strip() for v in r.values())]
    except csv.Error as exc:
        raise InputError.at("$", _("not valid CSV: {reason}").format(reason=exc), source) from None
    missing = [c for c in ("id", "amount") if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError.at(
            "row 1",
            _("the header needs the columns id and amount (missing: {columns})").format(
                columns=", ".join(missing)
            ),
            source,
        )
    try:
        rows = _rows(records, [f"row {i}" for i in range(2, len(records) + 2)])
    except InputError as exc:
        raise exc.with_source(source) if source else exc from None
    return PublishedTable(tuple(rows), source)


class _FloatText(str):
    """A JSON number with a fraction or an exponent, kept as written so it can be refused."""


def parse_published_json(text: str | bytes, source: str | None = None) -> PublishedTable:
    """JSON: a list of ``{"id": ..., "amount": "..."}`` objects, or ``{"rows": [...]}``."""
    data = parse_json(text, source, DEFAULT_LIMITS, parse_float=_FloatText)
    records = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError.at(
            "$",
            _('expected a list of {"id": ..., "amount": "..."} objects, or {"rows": [...]}'),
            source,
        )
    prefix = "$.rows" if isinstance(data, dict) else "$"
    fixed = [
        {**r, "amount": float(r["amount"])} if isinstance(r.get("amount"), _FloatText) else r
        for r in records
    ]
    try:
        rows = _rows(fixed, [f"{prefix}[{i}]" for i in range(len(records))])
    except InputError as exc:
        raise exc.with_source(source) if source else exc from None
    return PublishedTable(tuple(rows), source)


def load_published_table(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> PublishedTable:
    """A published table from a ``.csv`` or ``.json`` file."""
    path = file_path(path)
    raw = read_file(path, limits)
    if path.suffix.lower() == ".json":
        return parse_published_json(raw, str(path))
    if path.suffix.lower() != ".csv":
        raise InputError.at("$", _("a published table is a .csv or a .json file"), str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.at("$", _("the file is not UTF-8 text"), str(path)) from None
    return parse_published_csv(text, str(path))


# ---- the audit --------------------------------------------------------------------------------


@attrs.frozen
class RecipientAudit:
    """One recipient: the published figure against the exact quota and the rule's amount."""

    id: str
    name: str
    quota: Fraction
    """The exact quota in euros: the envelope's amount × the recipient's weight / the total."""
    rule_amount: Money
    """What the cycle's rule (its rounding strategy and unit) gives."""
    status: DataStatus
    """The reference data's status for this recipient (official, derived, estimate)."""
    published: Money | None
    note: str | None = None

    @property
    def difference(self) -> Fraction | None:
        """Published minus exact quota, in euros."""
        return None if self.published is None else _euros(self.published) - self.quota

    def difference_units(self, unit: Money) -> Fraction | None:
        """Published minus exact quota, in rounding units."""
        d = self.difference
        return None if d is None else d / _euros(unit)

    def meets_quota_rule(self, unit: Money) -> bool | None:
        """Whether the published figure is the floor or the ceiling of the quota at ``unit``."""
        if self.published is None:
            return None
        return self.published in (
            _round(self.quota, unit, Method.FLOOR),
            _round(self.quota, unit, Method.CEILING),
        )

    @property
    def matches_rule(self) -> bool | None:
        return None if self.published is None else self.published == self.rule_amount


@attrs.frozen
class Candidate:
    """One combination of rounding parameters tried, and how far it is from the table."""

    unit: Money
    method: Method
    data: str
    """Which reference table: the cycle's shipped data or a file given with --data."""
    residual: Money
    """Sum over the published figures of |published − this combination's amount|."""
    mismatches: int
    """How many published figures this combination does not give exactly."""

    @property
    def exact(self) -> bool:
        return self.mismatches == 0


@attrs.frozen
class AuditReport:
    cycle_id: str
    envelope_id: str
    amount: Money
    """The amount the published table is taken to split (the envelope's, unless given)."""
    unit: Money
    """The cycle's rounding unit for the envelope."""
    strategy: str
    data: str
    rows: tuple[RecipientAudit, ...]
    candidates: tuple[Candidate, ...]
    """Every combination tried, closest first."""
    source: str | None = None

    @property
    def published_total(self) -> Money:
        return Money(sum(r.published.cents for r in self.rows if r.published is not None))

    @property
    def not_given(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rows if r.published is None)

    @property
    def sum_difference(self) -> int:
        """Published total minus the envelope's amount, in cents."""
        return self.published_total.cents - self.amount.cents

    @property
    def exact_matches(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.exact)

    @property
    def reconciled(self) -> bool:
        """Every recipient's figure is given and is what the rule gives; the sum is the amount."""
        return all(r.matches_rule for r in self.rows) and self.sum_difference == 0


def _euros(money: Money) -> Fraction:
    return Fraction(money.cents, 100)


def _round(quota: Fraction, unit: Money, method: Method) -> Money:
    """One quota (euros) to a multiple of ``unit`` (floor, ceiling or nearest, halves up)."""
    units = quota / _euros(unit)
    if method is Method.FLOOR:
        whole = units.numerator // units.denominator
    elif method is Method.CEILING:
        whole = -(-units.numerator // units.denominator)
    else:
        whole = int((units + Fraction(1, 2)) // 1)
    return Money(whole * unit.cents)


def _apportion(
    quotas: Mapping[str, Fraction], amount: Money, unit: Money, method: Method
) -> dict[str, Money]:
    if method is not Method.LARGEST_REMAINDER:
        return {k: _round(q, unit, method) for k, q in quotas.items()}
    from conciliazione_core.allocation._rounding import largest_remainder

    ids = list(quotas)
    common = lcm(*(q.denominator for q in quotas.values()))
    weights = [int(quotas[k] * common) for k in ids]
    units = amount.cents // unit.cents
    shares = largest_remainder(units, weights, ids) if any(weights) else [0] * len(ids)
    return {k: Money(s * unit.cents) for k, s in zip(ids, shares, strict=True)}


def audit(
    rule: Mapping[str, tuple[str, Fraction, Money, DataStatus]],
    published: PublishedTable,
    *,
    cycle_id: str,
    envelope_id: str,
    amount: Money,
    unit: Money,
    strategy: str,
    data_label: str,
    alternatives: Mapping[str, Mapping[str, Fraction]] | None = None,
) -> AuditReport:
    """Compare a published table with the rule's result.

    ``rule`` maps each recipient id to ``(name, exact quota in euros, rule amount, status)`` as
    the allocation engine gives them for ``amount`` on the reference data ``data_label``;
    ``alternatives`` maps the label of each other reference table to its exact quotas. Raises
    InputError when the table names recipients the cycle does not have.
    """
    unknown = sorted(set(r.id for r in published.rows) - set(rule))
    if unknown:
        raise InputError.at(
            "id",
            _("not recipients of {cycle}: {ids} (recipients: {known})").format(
                cycle=cycle_id, ids=", ".join(unknown), known=", ".join(rule)
            ),
            published.source,
        )
    by_id = {r.id: r for r in published.rows}
    rows = tuple(
        RecipientAudit(
            id=rid,
            name=name,
            quota=quota,
            rule_amount=amount_,
            status=status,
            published=by_id[rid].amount if rid in by_id else None,
            note=by_id[rid].note if rid in by_id else None,
        )
        for rid, (name, quota, amount_, status) in rule.items()
    )
    given = published.given
    tables = {data_label: {rid: q for rid, (_n, q, _a, _s) in rule.items()}, **(alternatives or {})}
    candidates = []
    for label, quotas in tables.items():
        for u in UNITS:
            for method in Method:
                got = _apportion(quotas, amount, u, method)
                gaps = [abs(got[k].cents - v.cents) for k, v in given.items() if k in got]
                candidates.append(
                    Candidate(u, method, label, Money(sum(gaps)), sum(1 for g in gaps if g))
                )
    order = {label: i for i, label in enumerate(tables)}
    methods = list(Method)
    candidates.sort(
        key=lambda c: (c.residual, c.mismatches, order[c.data], c.unit, methods.index(c.method))
    )
    return AuditReport(
        cycle_id=cycle_id,
        envelope_id=envelope_id,
        amount=amount,
        unit=unit,
        strategy=strategy,
        data=data_label,
        rows=rows,
        candidates=tuple(candidates),
        source=published.source,
    )


def _rule_of(
    plan: AllocationPlan,
    envelope: RecipientEnvelope,
    amount: Money,
    recipients: Sequence[tuple[str, str]],
    table: IndicatorTable | None,
) -> dict[str, tuple[str, Fraction, Money, DataStatus]]:
    """The rule's result for ``amount``: the one place the audit calls the allocation engine.

    It runs the envelope alone, as ``conciliazione allocate`` runs a cycle, without its split
    and tranches (a published table lists recipients' totals).
    """
    from conciliazione_core import allocation as engine

    # Every recipient envelope is an attrs class with these fields (the kinds' contract); the
    # protocol type does not say it is attrs.
    alone = attrs.evolve(cast(Any, envelope), amount=amount, split=None, tranches=())
    single = engine.AllocationPlan(
        total=amount, envelopes=(alone,), rounding=plan.rounding_for(envelope)
    )
    result = engine.allocate(single, recipients, table, explain=False)
    rule = {}
    for rid, name in recipients:
        share = result.explain(rid)
        rule[rid] = (name, share.components[0].quota, share.amount, share.status)
    return rule


def audit_cycle(
    cycle: Cycle,
    published: PublishedTable,
    *,
    envelope_id: str | None = None,
    amount: Money | None = None,
    data: Sequence[tuple[str, IndicatorTable]] = (),
) -> AuditReport:
    """Audit a published table against a cycle's rule.

    ``envelope_id`` names the envelope the table splits (default: the cycle's only recipient
    envelope); ``amount`` the amount it splits (default: the envelope's, e.g. a yearly tranche
    otherwise). The rule runs on the first of ``data`` (``(label, table)`` pairs), else on the
    cycle's shipped reference data; the other tables, and the shipped one, are tried as
    alternatives when looking for reconciling parameters.
    """
    plan = cycle.allocation
    if plan is None:
        raise InputError.at(
            "cycle", _("cycle {cycle} defines no allocation").format(cycle=cycle.id)
        )
    candidates = plan.recipient_envelopes
    if envelope_id is None and len(candidates) != 1:
        raise InputError.at(
            "--envelope",
            _("cycle {cycle} has several envelopes; name one of: {ids}").format(
                cycle=cycle.id, ids=", ".join(e.id for e in candidates)
            ),
        )
    chosen = [e for e in candidates if envelope_id is None or e.id == envelope_id]
    if not chosen:
        raise InputError.at(
            "--envelope",
            _(
                "{id!r} is not an envelope of {cycle} that reaches recipients; envelopes: {ids}"
            ).format(id=envelope_id, cycle=cycle.id, ids=", ".join(e.id for e in candidates)),
        )
    envelope = chosen[0]
    total = amount if amount is not None else envelope.amount
    if total is None:
        raise InputError.at("--amount", _("give the amount the table splits with --amount"))
    tables: list[tuple[str, IndicatorTable | None]] = list(data)
    shipped = cycle.reference_table()
    if shipped is not None and cycle.default_data is not None:
        name = Path(str(cycle.data_files[cycle.default_data])).name
        tables.append((_("shipped {file}").format(file=name), shipped))
    elif not tables:
        tables.append((_("none"), None))
    (label, first), others = tables[0], tables[1:]
    rule = _rule_of(plan, envelope, total, cycle.recipients_for(first), first)
    alternatives = {
        other: {
            rid: q
            for rid, (_n, q, _a, _s) in _rule_of(
                plan, envelope, total, cycle.recipients_for(t), t
            ).items()
        }
        for other, t in others
    }
    rounding = plan.rounding_for(envelope)
    return audit(
        rule,
        published,
        cycle_id=cycle.id,
        envelope_id=envelope.id,
        amount=total,
        unit=rounding.unit,
        strategy=rounding.strategy.value,
        data_label=label,
        alternatives=alternatives,
    )


# ---- output -----------------------------------------------------------------------------------


_METHOD_WORDS = {
    "floor": N_("rounded down"),
    "ceiling": N_("rounded up"),
    "nearest": N_("rounded to the nearest"),
    "largest_remainder": N_("largest remainder"),
}


def _method(name: str) -> str:
    """A rounding method in words of the current language (its name when unknown)."""
    return _(_METHOD_WORDS[name]) if name in _METHOD_WORDS else name


def _number(whole: int, decimals: str = "") -> str:
    """``1,234.50`` in English, ``1.234,50`` in Italian (the current language's)."""
    grouped = f"{whole:,}"
    if current_language() == "it":
        return grouped.replace(",", ".") + ("," + decimals if decimals else "")
    return grouped + ("." + decimals if decimals else "")


def _signed(value: Fraction, places: int = 2) -> str:
    scaled = round(value * 10**places)
    sign = "-" if scaled < 0 else "+"
    whole, rest = divmod(abs(scaled), 10**places)
    return sign + _number(whole, f"{rest:0{places}d}")


def _plain(value: Fraction, places: int = 2) -> str:
    return _signed(value, places).lstrip("+")


def _amount(money: Money) -> str:
    whole, cents = divmod(money.cents, 100)
    return _number(whole, f"{cents:02d}")


def _unit(money: Money) -> str:
    euro = "€ " if current_language() == "it" else "€"
    return euro + (_number(money.cents // 100) if money.cents % 100 == 0 else _amount(money))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int]) -> str:
    widths = [max(len(c) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


def _candidate_text(c: Candidate) -> str:
    return _("unit {unit}, {method}, data {data}: residual €{residual}, {n} differ").format(
        unit=_unit(c.unit),
        method=_method(c.method.value),
        data=c.data,
        residual=_amount(c.residual),
        n=c.mismatches,
    )


def render_audit(report: AuditReport, *, shown: int = 5) -> str:
    """The audit as plain text: a table per recipient, the sum, then the reconciling search."""
    yes, no = _("yes"), _("no")
    lines = [
        _(
            "Audit of {source} against {cycle}, envelope {envelope}: €{amount} split by the rule "
            "({strategy} to {unit}), reference data {data}"
        ).format(
            source=report.source or _("the published table"),
            cycle=report.cycle_id,
            envelope=report.envelope_id,
            amount=_amount(report.amount),
            strategy=_method(report.strategy),
            unit=_unit(report.unit),
            data=report.data,
        ),
        "",
    ]
    headers = [
        _("id"),
        _("published"),
        _("exact quota"),
        _("rule gives"),
        _("difference €"),
        _("in units"),
        _("quota rule"),
    ]
    rows = []
    for r in report.rows:
        star = "" if r.status is DataStatus.OFFICIAL else "*"
        if r.published is None:
            rows.append(
                [r.id + star, _("not given"), _plain(r.quota), _amount(r.rule_amount), "", "", ""]
            )
            continue
        d, du = r.difference, r.difference_units(report.unit)
        assert d is not None
        assert du is not None
        rows.append(
            [
                r.id + star,
                _amount(r.published),
                _plain(r.quota),
                _amount(r.rule_amount),
                _signed(d),
                _signed(du),
                yes if r.meets_quota_rule(report.unit) else no,
            ]
        )
    lines.append(_table(headers, rows, right=(1, 2, 3, 4, 5)))
    lines.append("")
    lines.append(
        _("Sum: published €{published}, envelope €{amount}, difference €{difference}").format(
            published=_amount(report.published_total),
            amount=_amount(report.amount),
            difference=_signed(Fraction(report.sum_difference, 100)),
        )
    )
    for r in report.rows:
        if r.published is None:
            lines.append(
                _("Not given: {id}{note}").format(id=r.id, note=f" ({r.note})" if r.note else "")
            )
    if any(r.status is not DataStatus.OFFICIAL for r in report.rows):
        lines.append(_("* the reference figure is not official (derived or estimated)"))
    lines.append("")
    exact = report.exact_matches
    if exact:
        lines.append(_("Parameters that reconcile every published figure:"))
        lines.extend("  " + _candidate_text(c) for c in exact)
    else:
        lines.append(
            _("No combination of the {n} tried reconciles every published figure; closest:").format(
                n=len(report.candidates)
            )
        )
        lines.extend("  " + _candidate_text(c) for c in report.candidates[:shown])
    lines.append(_("Reconciled: {verdict}").format(verdict=yes if report.reconciled else no))
    return "\n".join(lines)


def _fraction(value: Fraction) -> dict[str, str]:
    from conciliazione_core.allocation import fraction_to_json

    return fraction_to_json(value)


def audit_to_json(report: AuditReport) -> dict[str, Any]:
    """The audit as JSON-ready data; amounts as exact strings, quotas as exact fractions."""

    def candidate(c: Candidate) -> dict[str, Any]:
        return {
            "unit": str(c.unit),
            "method": c.method.value,
            "data": c.data,
            "residual": str(c.residual),
            "mismatches": c.mismatches,
            "exact": c.exact,
        }

    return {
        "cycle": report.cycle_id,
        "envelope": report.envelope_id,
        "published_table": report.source,
        "amount": str(report.amount),
        "rounding": {"strategy": report.strategy, "unit": str(report.unit)},
        "data": report.data,
        "recipients": [
            {
                "id": r.id,
                "name": r.name,
                "published": None if r.published is None else str(r.published),
                "note": r.note,
                "exact_quota": _fraction(r.quota),
                "rule_amount": str(r.rule_amount),
                "status": r.status.value,
                "difference": None if r.difference is None else _fraction(r.difference),
                "difference_units": None
                if r.published is None
                else _fraction(r.difference_units(report.unit) or Fraction(0)),
                "meets_quota_rule": r.meets_quota_rule(report.unit),
                "matches_rule": r.matches_rule,
            }
            for r in report.rows
        ],
        "sum": {
            "published": str(report.published_total),
            "envelope": str(report.amount),
            "difference_cents": report.sum_difference,
            "not_given": list(report.not_given),
        },
        "exact_matches": [candidate(c) for c in report.exact_matches],
        "candidates": [candidate(c) for c in report.candidates],
        "reconciled": report.reconciled,
    }
