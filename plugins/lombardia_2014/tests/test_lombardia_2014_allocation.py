"""The 2014-2015 allocation: €3,639,500 = €300,000 in 15 equal shares + €3,339,500 by indicators.

The published figures are asserted exactly; the shipped reference data is checked against the
ISTAT regional total; with the shipped data only the training envelope is allocated and the 5 ASL
without data are named; with a complete table (MADE-UP test data, built here and never shipped)
the 15 shares add up exactly; the core's invariants hold on generated indicator data.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lombardia_2014.plugin
from conciliazione_core import Cycle, Evidence, Host, Money
from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable, parse_indicator_csv
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation import (
    AllocationPlan,
    Combine,
    EqualEnvelope,
    ProportionalEnvelope,
    allocate,
)
from conciliazione_core.testing import assert_allocation_invariants, indicator_tables

CYCLE_ID = "lombardia-2014"
MISSING = ("ASL-BRESCIA", "ASL-MILANO", "ASL-MILANO-1", "ASL-MILANO-2", "ASL-VALLECAMONICA-SEBINO")
SHIPPED = (
    "ASL-BERGAMO",
    "ASL-COMO",
    "ASL-CREMONA",
    "ASL-LECCO",
    "ASL-LODI",
    "ASL-MANTOVA",
    "ASL-MONZA-BRIANZA",
    "ASL-PAVIA",
    "ASL-SONDRIO",
    "ASL-VARESE",
)
#: ISTAT census 2011: Lombardy, and the provinces of Milano and Brescia (split among ASL that are
#: not shipped); the 10 shipped ASL are the rest of the region.
LOMBARDY_2011, MILANO_2011, BRESCIA_2011 = 9_704_151, 3_038_420, 1_238_044

#: MADE-UP TEST DATA, not ISTAT figures: round values for the 5 ASL whose population is not
#: shipped, only to exercise a complete table. Never copy these into reference data.
MADE_UP = {
    "ASL-BRESCIA": 1_000_000,
    "ASL-MILANO": 1_000_000,
    "ASL-MILANO-1": 1_000_000,
    "ASL-MILANO-2": 1_000_000,
    "ASL-VALLECAMONICA-SEBINO": 100_000,
}


@pytest.fixture(scope="module")
def cycle() -> Cycle:
    host = Host([("lombardia_2014", lombardia_2014.plugin)], use_entry_points=False)
    return host.cycle(CYCLE_ID)


@pytest.fixture(scope="module")
def plan(cycle: Cycle) -> AllocationPlan:
    plan = cycle.allocation
    assert plan is not None
    return plan


def recipients(cycle: Cycle) -> list[tuple[str, str]]:
    return [(r.id, r.name) for r in cycle.recipients]


def complete_table(cycle: Cycle) -> IndicatorTable:
    """The shipped 10 rows plus MADE-UP rows for the 5 missing ASL (test data only)."""
    shipped = cycle.reference_table()
    assert shipped is not None
    names = dict(recipients(cycle))
    made_up = [
        IndicatorRow(
            id=rid,
            name=names[rid],
            values=(("population_2011", value),),
            provenance=Provenance("MADE-UP TEST DATA", dt.date(2011, 10, 9), DataStatus.ESTIMATE),
        )
        for rid, value in MADE_UP.items()
    ]
    return IndicatorTable(shipped.indicators, (*shipped.rows, *made_up))


# ---- the published figures ----------------------------------------------------------------------


def test_published_totals(plan: AllocationPlan) -> None:
    training, action_plans = plan.envelopes
    assert isinstance(training, EqualEnvelope)
    assert isinstance(action_plans, ProportionalEnvelope)
    assert plan.total == Money.euros(3_639_500)
    assert training.amount == Money.euros(300_000)
    assert action_plans.amount == Money.euros(3_339_500)
    assert training.amount + action_plans.amount == plan.total
    assert Money.euros(20_000) * 15 == training.amount
    assert plan.rounding.unit == Money.parse("0.01")


def test_envelopes_cite_the_decree_and_the_indicator_assumption(
    cycle: Cycle, plan: AllocationPlan
) -> None:
    training, action_plans = plan.envelopes
    for envelope in (training, action_plans):
        assert envelope.basis.act == "D.G.R. X/1081 of 12/12/2013"
        assert envelope.basis.evidence is Evidence.DOCUMENT
    assert "€20,000 each" in str(training.basis.note or "")
    assert "ISTAT, reference year 2011" in str(action_plans.basis.note or "")
    assert isinstance(action_plans, ProportionalEnvelope)
    assert action_plans.weights == (("population_2011", Fraction(1)),)
    assert action_plans.combine is Combine.SHARES
    assert cycle.cite("indicator_default").evidence is Evidence.INFERENCE


# ---- the shipped reference data -----------------------------------------------------------------


def test_reference_data_ships_only_the_10_whole_province_asl(cycle: Cycle) -> None:
    table = cycle.reference_table()
    assert table is not None
    assert table.ids == SHIPPED
    assert table.indicators == ("population_2011",)
    assert set(SHIPPED) | set(MISSING) == {r.id for r in cycle.recipients}
    total = sum(table.column("population_2011"), Fraction(0))
    assert total == LOMBARDY_2011 - MILANO_2011 - BRESCIA_2011 == 5_427_687


def test_reference_data_provenance(cycle: Cycle) -> None:
    table = cycle.reference_table()
    assert table is not None
    for row in table.rows:
        assert row.provenance.source.en.startswith("ISTAT 15th population census")
        assert row.provenance.reference_date == dt.date(2011, 10, 9)
        assert row.provenance.method
    official = [r.id for r in table.rows if r.provenance.official]
    assert official == ["ASL-BERGAMO", "ASL-PAVIA"]
    assert table.non_official() == tuple(r for r in SHIPPED if r not in official)


# ---- allocating ---------------------------------------------------------------------------------


def test_shipped_data_allocates_training_and_leaves_action_plans_pending(
    cycle: Cycle, plan: AllocationPlan
) -> None:
    table = cycle.reference_table()
    result = allocate(plan, recipients(cycle), table, missing="pending")
    assert [s.amount for s in result.shares] == [Money.euros(20_000)] * 15
    (pending,) = result.pending
    assert pending.envelope_id == "action_plans"
    assert pending.missing == MISSING
    assert pending.amount == Money.euros(3_339_500)
    assert result.pending_total + Money.total(s.amount for s in result.shares) == plan.total
    assert_allocation_invariants(result, plan, recipients(cycle), table)


def test_shipped_data_alone_is_an_error_when_pending_is_not_allowed(
    cycle: Cycle, plan: AllocationPlan
) -> None:
    with pytest.raises(InputError) as caught:
        allocate(plan, recipients(cycle), cycle.reference_table(), missing="error")
    assert all(m in str(caught.value.problems[0]) for m in MISSING)


def test_complete_made_up_table_gives_15_shares_summing_exactly(
    cycle: Cycle, plan: AllocationPlan
) -> None:
    table = complete_table(cycle)
    result = allocate(plan, recipients(cycle), table, missing="error")
    assert len(result.shares) == 15
    assert result.pending == ()
    assert result.retained == ()
    assert result.unallocated == Money(0)
    assert Money.total(s.amount for s in result.shares) == Money.parse("3639500.00")
    assert_allocation_invariants(result, plan, recipients(cycle), table)
    # Every share is €20,000 plus its population share of €3,339,500, to the cent.
    populations = {r.id: r.value("population_2011") for r in table.rows}
    whole = sum(populations.values(), Fraction(0))
    for share in result.shares:
        quota = Fraction(3_339_500) * populations[share.id] / whole
        extra = share.amount.fraction - 20_000
        assert abs(extra - quota) < Fraction(1, 100)
    # every row but ASL Bergamo and ASL Pavia is non-official, so their amounts say so
    assert sorted(n.recipient_id for n in result.non_official) == sorted(
        set(MISSING) | set(SHIPPED) - {"ASL-BERGAMO", "ASL-PAVIA"}
    )


def test_indicator_set_is_overridable(cycle: Cycle) -> None:
    """A what-if with two indicators, 50/50, from a MADE-UP data file."""
    what_if = cycle.with_overrides(
        ['allocation.envelopes.action_plans.weights={population_2011 = "1/2", other = "1/2"}']
    )
    plan = what_if.allocation
    assert plan is not None
    lines = ["id,name,population_2011,other,source,reference_date,status,method"]
    for i, (rid, name) in enumerate(recipients(cycle)):
        lines.append(f'{rid},"{name}",{1000 + i},{1 if i == 0 else 0},MADE-UP,2011-10-09,estimate,')
    table = parse_indicator_csv("\n".join(lines) + "\n", "made-up.csv")
    result = allocate(plan, recipients(cycle), table, what_if=what_if.overrides)
    assert Money.total(s.amount for s in result.shares) == plan.total
    first = result.share(recipients(cycle)[0][0])
    # half of €3,339,500 goes to the only recipient with a non-zero "other"
    assert first.amount > Money.euros(20_000 + 3_339_500 // 2)
    assert_allocation_invariants(result, plan, recipients(cycle), table)
    baseline = cycle.allocation  # the baseline is untouched
    assert baseline is not None
    assert isinstance(baseline.envelopes[1], ProportionalEnvelope)
    assert baseline.envelopes[1].weights == (("population_2011", Fraction(1)),)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data())
def test_invariants_hold_on_generated_indicator_data(cycle: Cycle, data: st.DataObject) -> None:
    plan = cycle.allocation
    assert plan is not None
    people = recipients(cycle)
    table = data.draw(indicator_tables(people, ("population_2011",)))
    result = allocate(plan, people, table)
    assert_allocation_invariants(result, plan, people, table)
    assert Money.total(s.amount for s in result.shares) == Money.euros(3_639_500)
    training = [
        c.amount for s in result.shares for c in s.components if c.envelope_id == "training"
    ]
    assert training == [Money.euros(20_000)] * 15


@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    weights=st.lists(st.integers(0, 5), min_size=1, max_size=3).filter(any),
    data=st.data(),
)
def test_invariants_hold_for_generated_indicator_sets(
    cycle: Cycle, weights: list[int], data: st.DataObject
) -> None:
    names = [f"indicator_{i}" for i in range(len(weights))]
    inline = ", ".join(f'{n} = "{w}"' for n, w in zip(names, weights, strict=True))
    what_if = cycle.with_overrides([f"allocation.envelopes.action_plans.weights={{{inline}}}"])
    plan = what_if.allocation
    assert plan is not None
    people = recipients(cycle)
    table = data.draw(indicator_tables(people, names))
    result = allocate(plan, people, table, what_if=what_if.overrides)
    assert_allocation_invariants(result, plan, people, table)
    assert Money.total(s.amount for s in result.shares) == plan.total == Money.euros(3_639_500)
