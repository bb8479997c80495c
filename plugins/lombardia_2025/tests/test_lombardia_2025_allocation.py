"""The 2025-2027 allocation: €3,000,000 among the 8 ATS by resident population (ISTAT 1/1/2023 as
shipped, a parameter), whole euros by largest remainder, nothing retained, derived rows flagged.

The expected amounts are computed here with the test's own integer arithmetic and also written
out as literals: two independent witnesses for the engine."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_lombardia_2025_population import DERIVED, POPULATION_2023

import lombardia_2025.plugin
from conciliazione_core import Cycle, DataStatus, Host, Money
from conciliazione_core.allocation import Allocation, allocate
from conciliazione_core.cli import main
from conciliazione_core.testing import assert_allocation_invariants, indicator_tables
from conciliazione_core.testing import largest_remainder_oracle as largest_remainder

INDICATOR = "resident_population"
TOTAL = 3_000_000

#: Floors of the quotas, plus one euro for Brescia, Insubria, Pavia and Milano (the four largest
#: remainders: .93, .857, .857, .616; Bergamo's .556 is the fifth).
EXPECTED = {
    "ATS-MILANO": 1_039_185,
    "ATS-INSUBRIA": 439_108,
    "ATS-MONTAGNA": 88_348,
    "ATS-BRIANZA": 362_864,
    "ATS-BERGAMO": 332_769,
    "ATS-BRESCIA": 348_559,
    "ATS-VALPADANA": 227_882,
    "ATS-PAVIA": 161_285,
}


@pytest.fixture(scope="module")
def cycle() -> Cycle:
    host = Host([("lombardia_2025", lombardia_2025.plugin)], use_entry_points=False)
    return host.cycle("lombardia-2025")


@pytest.fixture(scope="module")
def official(cycle: Cycle) -> Allocation:
    plan = cycle.allocation
    assert plan is not None
    return allocate(plan, [(r.id, r.name) for r in cycle.recipients], cycle.reference_table())


def euros(amount: Money) -> int:
    assert amount.cents % 100 == 0
    return amount.cents // 100


def test_the_known_figures_are_the_cycle_s_parameters(cycle: Cycle) -> None:
    # lombardianotizie.online, 09/12/2025: €3M over 2025-2027 to the ATS, by resident population.
    plan = cycle.allocation
    assert plan is not None
    assert plan.total == Money.euros(TOTAL)
    (envelope,) = plan.envelopes
    assert envelope.amount == Money.euros(TOTAL)
    assert (cycle.period.start.year, cycle.period.end.year) == (2025, 2027)
    assert "09/12/2025" in str(cycle.legal_basis[0].act)
    assert "lombardianotizie.online" in str(cycle.cite("funding").note or "")


def test_the_independent_computation_gives_the_literal_amounts() -> None:
    assert largest_remainder(TOTAL, POPULATION_2023) == EXPECTED
    assert sum(EXPECTED.values()) == TOTAL


def test_the_allocation_is_the_largest_remainder_of_the_population(official: Allocation) -> None:
    assert {s.id: euros(s.amount) for s in official.shares} == EXPECTED
    assert euros(official.allocated_total) == TOTAL
    assert official.retained == ()
    assert official.unallocated == Money(0)
    assert official.pending == ()


def test_each_amount_is_the_floor_or_ceiling_of_its_exact_quota(official: Allocation) -> None:
    whole = sum(POPULATION_2023.values())
    for share in official.shares:
        quota = Fraction(TOTAL * POPULATION_2023[share.id], whole)
        assert euros(share.amount) in (math.floor(quota), math.ceil(quota))


def test_derived_populations_are_flagged(official: Allocation) -> None:
    assert {n.recipient_id for n in official.non_official} == DERIVED
    for share in official.shares:
        assert share.status is (DataStatus.DERIVED if share.id in DERIVED else DataStatus.OFFICIAL)


def test_the_table_marks_the_derived_ats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["allocate", "lombardia-2025"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for ats in DERIVED:
        assert f"{ats}*" in out
    assert "ATS-MILANO*" not in out
    # Whole euros: the table prints no ".00".
    assert re.search(r"^ATS-MILANO\s.*\s1,039,185$", out, re.M)
    assert re.search(r"^TOTAL\s+3,000,000$", out, re.M)


def test_another_reference_date_is_a_data_file(
    tmp_path: Path, cycle: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    # The reference date is unknown: a user's table at another date replaces the shipped one.
    data = tmp_path / "population.csv"
    lines = [f"id,name,{INDICATOR},source,reference_date,status"]
    lines += [f"{r.id},{r.name},1,user's figures,2025-01-01,official" for r in cycle.recipients]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["allocate", "lombardia-2025", "--data", str(data), "--format", "csv"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.count(",375000.00,375000.00,official\n") == 8  # equal: 3,000,000 / 8 each
    assert "derived" not in out
    assert "ATS-MILANO,ATS della Città Metropolitana di Milano,375000.00" in out


def test_the_cycle_allocation_passes_the_core_invariants(
    cycle: Cycle, official: Allocation
) -> None:
    plan = cycle.allocation
    assert plan is not None
    recipients = [(r.id, r.name) for r in cycle.recipients]
    assert_allocation_invariants(official, plan, recipients, cycle.reference_table())


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_invariants_hold_for_any_population(cycle: Cycle, data: st.DataObject) -> None:
    recipients = [(r.id, r.name) for r in cycle.recipients]
    table = data.draw(indicator_tables(recipients, (INDICATOR,)))
    plan = cycle.allocation
    assert plan is not None
    result = allocate(plan, recipients, table)
    assert_allocation_invariants(result, plan, recipients, table)
    assert euros(result.allocated_total) == TOTAL
    weights = {row.id: row.value(INDICATOR) for row in table.rows}
    if all(w.denominator == 1 for w in weights.values()):
        ints = {k: int(w) for k, w in weights.items()}
        assert {s.id: euros(s.amount) for s in result.shares} == largest_remainder(TOTAL, ints)
