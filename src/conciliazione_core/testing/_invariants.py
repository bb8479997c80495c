"""Checks every allocation must pass, recomputed independently of the engine.

:func:`assert_allocation_invariants` recomputes each recipient's exact quota from the plan and
the indicator table with plain fractions (not the engine's integer fast path) and checks the
amounts against it: the books balance, nobody gets a negative amount, every amount is the floor
or the ceiling of its quota (the floor for floor-and-report), floors and caps hold, split parts
and tranches add up, zero weight gets nothing. It raises :class:`AssertionError` saying which
recipient, which envelope and which rule. An envelope of a plugin's kind gets the checks that
hold for every kind (the books balance, amounts within a unit of their quotas, parts add up).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from conciliazione_core._indicators import IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core.allocation import (
    Allocation,
    AllocationPlan,
    Combine,
    Component,
    EqualEnvelope,
    FixedEnvelope,
    ProportionalEnvelope,
    RecipientEnvelope,
    Strategy,
    is_recipient_level,
    kind_of,
)

__all__ = ["assert_allocation_invariants", "exact_quotas"]


def _fail(message: str) -> None:
    raise AssertionError(message)


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def _weights(
    envelope: ProportionalEnvelope, ids: Sequence[str], table: IndicatorTable
) -> list[Fraction]:
    """Each recipient's combined weight, straight from the definition."""
    rows = [table.get(r) for r in ids]
    assert all(r is not None for r in rows)
    totals = {
        k: sum((r.value(k) for r in rows if r is not None), Fraction(0))
        for k in envelope.indicators
    }
    out = []
    for row in rows:
        assert row is not None
        weight = Fraction(0)
        for k, w in envelope.weights:
            if envelope.combine is Combine.SHARES:
                weight += w * row.value(k) / totals[k] if totals[k] else Fraction(0)
            else:
                weight += w * row.value(k)
        out.append(weight)
    return out


def exact_quotas(
    envelope: RecipientEnvelope, ids: Sequence[str], table: IndicatorTable | None
) -> list[Fraction] | None:
    """The exact quotas in euros when no floor or cap applies (None when one does, or for a
    plugin's kind, whose quotas only the kind knows)."""
    n = len(ids)
    if not isinstance(envelope, (FixedEnvelope, EqualEnvelope, ProportionalEnvelope)):
        return None
    if isinstance(envelope, FixedEnvelope):
        return [envelope.per_recipient.fraction] * n
    if envelope.floor is not None or envelope.cap is not None:
        return None
    if isinstance(envelope, EqualEnvelope):
        return [envelope.amount.fraction / n] * n
    assert table is not None
    weights = _weights(envelope, ids, table)
    total = sum(weights, Fraction(0))
    return [envelope.amount.fraction * w / total for w in weights]


def _check_bounded(
    envelope: EqualEnvelope | ProportionalEnvelope,
    ids: Sequence[str],
    table: IndicatorTable | None,
    quotas: list[Fraction],
) -> None:
    """Floors and caps: quotas add up, stay in bounds, and the free ones share one scale."""
    where = f"envelope {envelope.id!r}"
    if sum(quotas, Fraction(0)) != envelope.amount.fraction:
        _fail(f"{where}: exact quotas add up to {sum(quotas, Fraction(0))}, not {envelope.amount}")
    low = envelope.floor.fraction if envelope.floor is not None else Fraction(0)
    high = envelope.cap.fraction if envelope.cap is not None else None
    for rid, q in zip(ids, quotas, strict=True):
        if q < low or (high is not None and q > high):
            _fail(f"{where}, {rid}: quota {q} outside floor {low} / cap {high}")
    if isinstance(envelope, EqualEnvelope):
        return
    assert table is not None
    weights = _weights(envelope, ids, table)
    scales = {
        q / w
        for q, w in zip(quotas, weights, strict=True)
        if w and low < q and (high is None or q < high)
    }
    if len(scales) > 1:
        _fail(
            f"{where}: recipients between floor and cap are not proportional to their "
            f"weights (scales {sorted(scales)[:3]}...)"
        )
    if scales:
        scale = scales.pop()
        for rid, q, w in zip(ids, quotas, weights, strict=True):
            if q == low and scale * w > low and (high is None or q < high):
                _fail(
                    f"{where}, {rid}: held at the floor though its proportional quota "
                    f"{scale * w} is above it"
                )
            if high is not None and q == high and scale * w < high and q > low:
                _fail(
                    f"{where}, {rid}: held at the cap though its proportional quota "
                    f"{scale * w} is below it"
                )


def _check_rounded(
    where: str, amount: Money, quota: Fraction, unit: Money, strategy: Strategy
) -> None:
    units = amount.cents // unit.cents
    if amount.cents % unit.cents:
        _fail(f"{where}: {amount} is not a whole number of units of {unit}")
    q = quota / unit.fraction
    if strategy is Strategy.FLOOR:
        if units != _floor(q):
            _fail(
                f"{where}: floor strategy gave {units} units, the floor of the quota {q} is "
                f"{_floor(q)}"
            )
    elif units not in (_floor(q), _ceil(q)):
        _fail(
            f"{where}: {units} units is neither the floor nor the ceiling of the quota {q} "
            "(quota rule)"
        )


def _check_subdivisions(where: str, c: Component, part_unit: Money | None) -> None:
    """Parts (in the split's own unit, when it has one) and tranches add up and round right."""
    unit = c.rounding.unit
    if c.parts:
        if Money.total(p.amount for p in c.parts) != c.amount:
            _fail(
                f"{where}: split parts add up to {Money.total(p.amount for p in c.parts)}, "
                f"not {c.amount}"
            )
        for p in c.parts:
            if p.quota != c.amount.fraction * p.share:
                _fail(f"{where}, part {p.id}: quota {p.quota} is not {c.amount} × {p.share}")
            _check_rounded(
                f"{where}, part {p.id}",
                p.amount,
                p.quota,
                part_unit or unit,
                Strategy.LARGEST_REMAINDER,
            )
    if c.tranches:
        if Money.total(t.amount for t in c.tranches) != c.amount:
            _fail(
                f"{where}: tranches add up to {Money.total(t.amount for t in c.tranches)}, "
                f"not {c.amount}"
            )
        for t in c.tranches:
            _check_rounded(
                f"{where}, tranche {t.id}",
                t.amount,
                c.amount.fraction * t.share,
                unit,
                Strategy.LARGEST_REMAINDER,
            )


def assert_allocation_invariants(
    allocation: Allocation,
    plan: AllocationPlan,
    recipients: Sequence[tuple[str, str]],
    table: IndicatorTable | None,
) -> None:
    """Raise AssertionError if ``allocation`` is not a correct allocation of ``plan``."""
    ids = [r for r, _n in recipients]
    n = len(ids)
    if sorted(allocation.recipient_ids) != sorted(ids):
        _fail("the allocation's recipients are not the ones given")
    shares = {s.id: s for s in allocation.shares}
    if len(shares) != n:
        _fail(f"{len(shares)} shares for {n} recipients")
    if allocation.total != plan.total:
        _fail(f"allocation total {allocation.total} is not the plan total {plan.total}")
    summed = (
        Money.total(s.amount for s in shares.values())
        + allocation.retained_total
        + allocation.unallocated
        + allocation.pending_total
    )
    if summed != plan.total:
        _fail(f"shares + retained + unallocated + pending = {summed}, not the total {plan.total}")
    if any(c < 0 for c in allocation.cents):
        _fail("a share is negative")
    retained = [e for e in plan.envelopes if not is_recipient_level(e)]
    if [(r.envelope_id, r.amount) for r in allocation.retained] != [
        (e.id, kind_of(e).amount(e, n)) for e in retained
    ]:
        _fail("retained lines differ from the plan's retained envelopes")
    pending = {p.envelope_id: p for p in allocation.pending}
    for p in allocation.pending:
        lacking = sorted(r for r in ids if table is None or table.get(r) is None)
        if list(p.missing) != lacking:
            _fail(f"pending envelope {p.envelope_id!r} lists missing {p.missing}, not {lacking}")
    explained = {rid: allocation.explain(rid) for rid in ids}
    for rid, share in explained.items():
        if allocation.amount(rid) != shares[rid].amount:
            _fail(
                f"{rid}: stored amount {allocation.amount(rid)} differs from its share "
                f"{shares[rid].amount}"
            )
        if share.amount != shares[rid].amount:
            _fail(f"{rid}: explained amount {share.amount} differs from {shares[rid].amount}")
        if Money.total(c.amount for c in share.components) != share.amount:
            _fail(
                f"{rid}: components add up to "
                f"{Money.total(c.amount for c in share.components)}, not {share.amount}"
            )

    leftover = Money(0)
    for envelope in plan.recipient_envelopes:
        if envelope.id in pending:
            if not kind_of(envelope).indicators(envelope):
                _fail(f"envelope {envelope.id!r} is pending but reads no indicator")
            continue
        rounding = plan.rounding_for(envelope)
        components = {rid: _component(explained[rid].components, envelope.id) for rid in ids}
        quotas = exact_quotas(envelope, ids, table)
        if quotas is None:
            quotas = [components[rid].quota for rid in ids]
            if isinstance(envelope, (EqualEnvelope, ProportionalEnvelope)):
                _check_bounded(envelope, ids, table, quotas)
        handed_out = Money.total(c.amount for c in components.values())
        whole = kind_of(envelope).amount(envelope, n)
        if handed_out > whole:
            _fail(f"envelope {envelope.id!r} hands out {handed_out}, more than {whole}")
        if rounding.strategy is Strategy.LARGEST_REMAINDER and handed_out != whole:
            _fail(
                f"envelope {envelope.id!r}: largest remainder hands out {handed_out}, "
                f"not exactly {whole}"
            )
        leftover += whole - handed_out
        weights = (
            _weights(envelope, ids, table)
            if isinstance(envelope, ProportionalEnvelope) and table is not None
            else None
        )
        for k, rid in enumerate(ids):
            c = components[rid]
            where = f"{rid}, envelope {envelope.id!r}"
            if c.quota != quotas[k]:
                _fail(f"{where}: quota {c.quota} differs from the recomputed {quotas[k]}")
            if c.adjustment != c.amount.fraction - c.quota:
                _fail(f"{where}: adjustment {c.adjustment} is not amount - quota")
            if abs(c.adjustment) >= rounding.unit.fraction:
                _fail(f"{where}: {c.amount} is a unit or more away from its quota {c.quota}")
            _check_rounded(where, c.amount, c.quota, rounding.unit, rounding.strategy)
            if isinstance(envelope, (EqualEnvelope, ProportionalEnvelope)):
                if envelope.floor is not None and c.amount < envelope.floor:
                    _fail(f"{where}: {c.amount} is below the floor {envelope.floor}")
                if envelope.cap is not None and c.amount > envelope.cap:
                    _fail(f"{where}: {c.amount} is above the cap {envelope.cap}")
            if (
                weights is not None
                and not weights[k]
                and isinstance(envelope, ProportionalEnvelope)
                and envelope.floor is None
                and c.amount
            ):
                _fail(f"{where}: zero weight but receives {c.amount}")
            split = getattr(envelope, "split", None)
            _check_subdivisions(where, c, split.unit if split is not None else None)
    if leftover != allocation.unallocated:
        _fail(f"unallocated is {allocation.unallocated}, the envelopes leave {leftover}")

    if table is not None and any(
        kind_of(e).indicators(e) and e.id not in pending for e in plan.envelopes
    ):
        expected = {}
        for rid in ids:
            row = table.get(rid)
            if row is not None and row.provenance.status is not DataStatus.OFFICIAL:
                expected[rid] = row.provenance.status
        got = {x.recipient_id: x.status for x in allocation.non_official}
        if got != expected:
            _fail(f"non-official recipients {sorted(got)} differ from {sorted(expected)}")


def _component(components: Sequence[Component], envelope_id: str) -> Component:
    for c in components:
        if c.envelope_id == envelope_id:
            return c
    raise AssertionError(f"no component for envelope {envelope_id!r}")
