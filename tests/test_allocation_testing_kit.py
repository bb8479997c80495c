"""The testing kit: its strategies generate valid input, its invariants catch wrong allocations."""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._indicators import IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core.allocation import Allocation, EnvelopeOutcome, allocate, parse_allocation
from conciliazione_core.testing import (
    TEST_CITATIONS,
    allocation_plan_data,
    assert_allocation_invariants,
    indicator_tables,
    money,
    recipients,
)
from test_allocation_engine import POPULATION_2019, plan_2020, table_of


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_generated_data_is_valid(data: st.DataObject) -> None:
    people = data.draw(recipients(1, 8))
    ids = [r for r, _n in people]
    assert len(set(ids)) == len(ids)
    table = data.draw(indicator_tables(people, ("pop", "area")))
    assert sorted(table.ids) == sorted(ids)
    assert all(sum(table.column(k), Fraction(0)) > 0 for k in table.indicators)
    plan_data = data.draw(allocation_plan_data(people, ("pop", "area"), table=table))
    plan = parse_allocation(plan_data, TEST_CITATIONS)
    assert plan.total == Money.parse(plan_data["total"])
    allocate(plan, people, table)  # valid input: no InputError


@settings(max_examples=100, deadline=None)
@given(money(max_cents=500))
def test_money_strategy_respects_its_bounds(m: Money) -> None:
    assert 0 <= m.cents <= 500


@pytest.fixture
def good() -> tuple[Allocation, IndicatorTable]:
    table = table_of(POPULATION_2019, "resident_2019_01_01", frozenset({"ATS-MONTAGNA"}))
    return allocate(plan_2020(), [(r.id, r.name) for r in table.rows], table), table


def check(allocation: Allocation, table: IndicatorTable) -> None:
    people = list(zip(allocation.recipient_ids, allocation.recipient_names, strict=True))
    assert_allocation_invariants(allocation, plan_2020(), people, table)


def tamper(allocation: Allocation, outcome: EnvelopeOutcome, cents: list[int]) -> Allocation:
    return attrs.evolve(allocation, outcomes=(outcome,), cents=tuple(cents), explained=None)


def test_the_good_allocation_passes(good: tuple[Allocation, IndicatorTable]) -> None:
    check(*good)


def test_a_unit_moved_between_recipients_is_caught(
    good: tuple[Allocation, IndicatorTable],
) -> None:
    allocation, table = good
    (outcome,) = allocation.outcomes
    units = list(outcome.units)
    units[0] += 1
    units[1] -= 1  # the sum still balances: only the quota rule can see it
    moved = attrs.evolve(outcome, units=tuple(units))
    cents = [u * 100 for u in units]
    with pytest.raises(AssertionError, match="a unit or more away from its quota"):
        check(tamper(allocation, moved, cents), table)


def test_a_missing_cent_breaks_the_sum(good: tuple[Allocation, IndicatorTable]) -> None:
    allocation, table = good
    with pytest.raises(AssertionError, match="not the total"):
        check(attrs.evolve(allocation, unallocated=Money(1)), table)


def test_parts_that_do_not_add_up(good: tuple[Allocation, IndicatorTable]) -> None:
    allocation, table = good
    (outcome,) = allocation.outcomes
    projects, system_action = outcome.parts
    broken = attrs.evolve(outcome, parts=(projects, tuple(u + 1 for u in system_action)))
    with pytest.raises(AssertionError, match="split parts add up to"):
        check(tamper(allocation, broken, list(allocation.cents)), table)


def test_a_wrong_status_list(good: tuple[Allocation, IndicatorTable]) -> None:
    allocation, table = good
    with pytest.raises(AssertionError, match="non-official recipients"):
        check(attrs.evolve(allocation, non_official=()), table)
    assert allocation.non_official[0].status is DataStatus.DERIVED


def test_a_share_that_differs_from_its_components(good: tuple[Allocation, IndicatorTable]) -> None:
    allocation, table = good
    cents = list(allocation.cents)
    cents[0] += 100
    cents[1] -= 100
    with pytest.raises(AssertionError, match="differs from"):
        check(attrs.evolve(allocation, cents=tuple(cents)), table)


def test_floor_and_report_must_give_exactly_the_floor() -> None:
    from test_allocation_engine import people, plan_of

    plan = plan_of({"id": "e", "kind": "equal", "amount": "10"}, unit="1", strategy="floor")
    result = allocate(plan, people("a", "b", "c"), None)
    assert result.unallocated == Money.euros(1)
    (outcome,) = result.outcomes
    rounded_up = attrs.evolve(outcome, units=(4, 3, 3), leftover=0)  # what largest remainder gives
    tampered = attrs.evolve(
        result, outcomes=(rounded_up,), cents=(400, 300, 300), unallocated=Money(0), explained=None
    )
    with pytest.raises(
        AssertionError, match="floor strategy gave 4 units, the floor of the quota 10/3 is 3"
    ):
        assert_allocation_invariants(tampered, plan, people("a", "b", "c"), None)


def test_the_largest_remainder_oracle_is_exact_and_breaks_ties_by_id() -> None:
    from conciliazione_core.testing import largest_remainder_oracle

    assert largest_remainder_oracle(3, {"a": 1, "b": 1, "c": 3}) == {"a": 1, "b": 0, "c": 2}
    assert largest_remainder_oracle(10, {"x": 1, "y": 2}) == {"x": 3, "y": 7}
    assert sum(largest_remainder_oracle(7, {"p": 5, "q": 5, "r": 5}).values()) == 7
