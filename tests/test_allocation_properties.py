"""Apportionment properties, checked on generated plans, recipients and indicator tables.

Which properties hold (see docs/allocation.md): exact sum, no negative share, zero weight gets
nothing, the quota rule (largest remainder: floor or ceiling of the exact quota; floor and
report: the floor), anonymity, scale invariance, determinism. Monotonicity: raising one
recipient's weight never lowers its exact quota, and never lowers its rounded share either
(for both strategies); but with largest remainder *another* recipient whose weight did not
change may gain a unit (the population paradox), which floor-and-report never allows.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    Allocation,
    AllocationPlan,
    ProportionalEnvelope,
    allocate,
    allocation_to_json,
    parse_allocation,
)
from conciliazione_core.testing import (
    TEST_CITATIONS,
    allocation_cases,
    assert_allocation_invariants,
    indicator_tables,
    recipients,
)

Case = tuple[AllocationPlan, list[tuple[str, str]], IndicatorTable]
MANY = settings(max_examples=300, deadline=None)


def dumps(allocation: Allocation) -> str:
    return json.dumps(allocation_to_json(allocation, "test"), sort_keys=True)


def scaled(table: IndicatorTable, factor: int) -> IndicatorTable:
    return IndicatorTable(
        table.indicators,
        tuple(
            IndicatorRow(r.id, r.name, tuple((k, v * factor) for k, v in r.values), r.provenance)
            for r in table.rows
        ),
    )


def with_value(table: IndicatorTable, rid: str, indicator: str, value: Fraction) -> IndicatorTable:
    return IndicatorTable(
        table.indicators,
        tuple(
            IndicatorRow(
                r.id,
                r.name,
                tuple((k, value if (r.id, k) == (rid, indicator) else v) for k, v in r.values),
                r.provenance,
            )
            for r in table.rows
        ),
    )


def one_proportional(amount_units: int, unit: str, strategy: str, **extra: Any) -> AllocationPlan:
    amount = str(Money(amount_units * Money.parse(unit).cents))
    return parse_allocation(
        {
            "total": amount,
            "rounding": {"strategy": strategy, "unit": unit},
            "envelopes": [
                {
                    "id": "p",
                    "kind": "proportional",
                    "label": "P",
                    "amount": amount,
                    "indicator": "pop",
                    "basis": "test_act",
                    **extra,
                }
            ],
        },
        TEST_CITATIONS,
    )


# ---- the books balance, every amount obeys its quota ---------------------------------------------


@MANY
@given(allocation_cases())
def test_every_invariant_holds(case: Case) -> None:
    plan, people, table = case
    result = allocate(plan, people, table)
    assert_allocation_invariants(result, plan, people, table)


@MANY
@given(allocation_cases())
def test_exact_sum_and_no_negative_share(case: Case) -> None:
    plan, people, table = case
    result = allocate(plan, people, table, explain=False)
    summed = sum(result.cents) + result.retained_total.cents + result.unallocated.cents
    assert summed == plan.total.cents
    assert all(c >= 0 for c in result.cents)
    assert result.pending == ()


@MANY
@given(allocation_cases())
def test_lazy_explanations_equal_the_full_ones(case: Case) -> None:
    plan, people, table = case
    full = allocate(plan, people, table, explain=True)
    lazy = allocate(plan, people, table, explain=False)
    assert lazy.explained is None
    assert lazy == full
    for rid, _name in people:
        assert lazy.explain(rid) == full.share(rid)


# ---- anonymity, scale invariance, determinism ----------------------------------------------------


@MANY
@given(allocation_cases(), st.randoms(use_true_random=False))
def test_anonymity_order_of_input_changes_nothing(case: Case, rnd: Any) -> None:
    plan, people, table = case
    shuffled_people = list(people)
    rnd.shuffle(shuffled_people)
    rows = list(table.rows)
    rnd.shuffle(rows)
    shuffled_table = IndicatorTable(table.indicators, tuple(rows))
    assert dumps(allocate(plan, people, table)) == dumps(
        allocate(plan, shuffled_people, shuffled_table)
    )


@MANY
@given(allocation_cases(), st.integers(2, 10**6))
def test_scale_invariance_of_indicator_values(case: Case, factor: int) -> None:
    plan, people, table = case
    before = allocate(plan, people, table, explain=False)
    after = allocate(plan, people, scaled(table, factor), explain=False)
    assert before.cents == after.cents
    assert [o.units for o in before.outcomes] == [o.units for o in after.outcomes]


@MANY
@given(allocation_cases())
def test_determinism_byte_identical_json(case: Case) -> None:
    plan, people, table = case
    assert dumps(allocate(plan, people, table)) == dumps(allocate(plan, people, table))


# ---- zero weight, monotonicity -------------------------------------------------------------------


@st.composite
def proportional_cases(
    draw: st.DrawFn,
) -> tuple[AllocationPlan, list[tuple[str, str]], IndicatorTable]:
    people = draw(recipients(1, 10))
    table = draw(indicator_tables(people, ("pop",), max_value=draw(st.sampled_from([5, 10**6]))))
    unit = draw(st.sampled_from(["0.01", "1"]))
    strategy = draw(st.sampled_from(["largest_remainder", "floor"]))
    plan = one_proportional(draw(st.integers(0, 10**5)), unit, strategy)
    return plan, people, table


@MANY
@given(proportional_cases())
def test_zero_weight_gets_nothing(case: Case) -> None:
    plan, people, table = case
    result = allocate(plan, people, table)
    for share in result.shares:
        row = table.get(share.id)
        assert row is not None
        if row.value("pop") == 0:
            assert share.amount == Money(0)
            assert share.components[0].quota == 0


@MANY
@given(proportional_cases(), st.data())
def test_quota_rule(case: Case, data: st.DataObject) -> None:
    plan, people, table = case
    result = allocate(plan, people, table)
    envelope = plan.envelopes[0]
    assert isinstance(envelope, ProportionalEnvelope)
    unit = plan.rounding.unit.fraction
    total = sum(table.column("pop"), Fraction(0))
    for share in result.shares:
        row = table.get(share.id)
        assert row is not None
        quota = envelope.amount.fraction * row.value("pop") / total / unit  # in units
        got = share.amount.fraction / unit
        assert got.denominator == 1
        floor = quota.numerator // quota.denominator
        if plan.rounding.strategy.value == "floor":
            assert got == floor
        else:
            assert got in (floor, floor + (quota.denominator != 1))


@MANY
@given(proportional_cases(), st.data())
def test_monotonicity_in_one_recipients_weight(case: Case, data: st.DataObject) -> None:
    plan, people, table = case
    rid = data.draw(st.sampled_from([r for r, _n in people]))
    row = table.get(rid)
    assert row is not None
    bigger = with_value(table, rid, "pop", row.value("pop") + data.draw(st.integers(1, 10**6)))
    before = allocate(plan, people, table)
    after = allocate(plan, people, bigger)
    # Exact quotas: the grower's rises (weakly), everybody else's falls (weakly).
    for share in before.shares:
        q_before = share.components[0].quota
        q_after = after.share(share.id).components[0].quota
        assert q_after >= q_before if share.id == rid else q_after <= q_before
    # Rounded: the grower never loses, under either strategy.
    assert after.amount(rid) >= before.amount(rid)
    if plan.rounding.strategy.value == "floor":
        # Floor and report is population-monotone: nobody else gains.
        assert all(after.amount(s.id) <= s.amount for s in before.shares if s.id != rid)
    else:
        # Largest remainder keeps the quota rule instead, so another recipient, whose quota
        # fell, can still gain, but at most one unit: ceil(new quota) <= ceil(old quota).
        unit = plan.rounding.unit.cents
        assert all(
            after.amount(s.id).cents <= s.amount.cents + unit for s in before.shares if s.id != rid
        )


# ---- fixed, equal, floors and caps ---------------------------------------------------------------


@MANY
@given(
    recipients(1, 20),
    st.integers(0, 10**6),
    st.sampled_from(["0.01", "1", "10"]),
    st.sampled_from(["largest_remainder", "floor"]),
)
def test_fixed_and_equal_are_exact_when_divisible(
    people: list[tuple[str, str]], each: int, unit: str, strategy: str
) -> None:
    n = len(people)
    per = Money(each * Money.parse(unit).cents)
    plan = parse_allocation(
        {
            "total": str(per * (2 * n)),
            "rounding": {"strategy": strategy, "unit": unit},
            "envelopes": [
                {
                    "id": "f",
                    "kind": "fixed",
                    "label": "F",
                    "per_recipient": str(per),
                    "basis": "test_act",
                },
                {
                    "id": "e",
                    "kind": "equal",
                    "label": "E",
                    "amount": str(per * n),
                    "basis": "test_act",
                },
            ],
        },
        TEST_CITATIONS,
    )
    result = allocate(plan, people, None)
    for share in result.shares:
        assert [c.amount for c in share.components] == [per, per]
        assert all(c.adjustment == 0 for c in share.components)
    assert result.unallocated == Money(0)


@st.composite
def bounded_cases(draw: st.DrawFn) -> Case:
    people = draw(recipients(1, 10))
    n = len(people)
    table = draw(indicator_tables(people, ("pop",), max_value=draw(st.sampled_from([3, 10**4]))))
    amount = draw(st.integers(0, 10**5))
    positive = sum(1 for r in table.rows if r.value("pop"))
    floor = draw(st.integers(0, amount // n))
    least = max(floor, -(-(amount - (n - positive) * floor) // positive))
    cap = draw(st.one_of(st.none(), st.integers(least, max(least, amount))))
    extra: dict[str, str] = {"floor": str(floor)}
    if cap is not None:
        extra["cap"] = str(cap)
    plan = one_proportional(
        amount, "1", draw(st.sampled_from(["largest_remainder", "floor"])), **extra
    )
    return plan, people, table


@MANY
@given(bounded_cases())
def test_floors_and_caps_are_respected(case: Case) -> None:
    plan, people, table = case
    envelope = plan.envelopes[0]
    assert isinstance(envelope, ProportionalEnvelope)
    result = allocate(plan, people, table)
    assert_allocation_invariants(result, plan, people, table)
    for share in result.shares:
        assert envelope.floor is None or share.amount >= envelope.floor
        assert envelope.cap is None or share.amount <= envelope.cap
    quotas = [s.components[0].quota for s in result.shares]
    assert sum(quotas, Fraction(0)) == envelope.amount.fraction


# ---- missing data ------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(allocation_cases(min_recipients=2), st.data())
def test_pending_envelopes_leave_the_others_as_they_were(case: Case, data: st.DataObject) -> None:
    plan, people, table = case
    assume(any(isinstance(e, ProportionalEnvelope) for e in plan.envelopes))
    kept = data.draw(st.lists(st.sampled_from(table.rows), unique=True, max_size=len(people) - 1))
    partial = IndicatorTable(table.indicators, tuple(kept))
    full = allocate(plan, people, table)
    result = allocate(plan, people, partial, missing="pending")
    assert_allocation_invariants(result, plan, people, partial)
    pending = {p.envelope_id for p in result.pending}
    assert pending == {e.id for e in plan.envelopes if isinstance(e, ProportionalEnvelope)}
    kept_ids = {r.id for r in kept}
    assert all(set(p.missing) == {r for r, _n in people} - kept_ids for p in result.pending)
    for envelope in plan.recipient_envelopes:
        if envelope.id not in pending:
            assert result.component_units(envelope.id) == full.component_units(envelope.id)
