"""The 2020-2023 allocation: €2,800,000 among the 8 ATS by resident population at 1/1/2019,
whole euros by largest remainder, €200,000 retained by the Region, 80/20 inside each ATS.

The expected amounts are computed here with integer arithmetic of the test's own, and also
written out as literals, so that the engine is checked against two independent witnesses."""

from __future__ import annotations

import shutil
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lombardia_2020.plugin
from conciliazione_core import Cycle, DataStatus, Host, InputError, Money, load_cycle
from conciliazione_core.allocation import Allocation, allocate
from conciliazione_core.testing import assert_allocation_invariants, indicator_tables
from conciliazione_core.testing import largest_remainder_oracle as largest_remainder

INDICATOR = "resident_2019_01_01"
ATS_AMOUNT = 2_800_000
RETAINED = 200_000

#: Resident population at 1/1/2019 as shipped (official = ISTAT province sums; Insubria, Montagna
#: and Brescia derived, see test_lombardia_2020_population.py).
POPULATION = {
    "ATS-MILANO": 3_480_513,
    "ATS-INSUBRIA": 1_473_041,
    "ATS-MONTAGNA": 298_032,
    "ATS-BRIANZA": 1_211_315,
    "ATS-BERGAMO": 1_114_590,
    "ATS-BRESCIA": 1_165_948,
    "ATS-VALPADANA": 771_247,
    "ATS-PAVIA": 545_888,
}
DERIVED = {"ATS-INSUBRIA", "ATS-MONTAGNA", "ATS-BRESCIA"}

#: The per-ATS amounts in whole euros (the floors of the quotas, plus one euro for Milano,
#: Val Padana, Brescia and Montagna, which have the four largest remainders).
EXPECTED = {
    "ATS-MILANO": 968_676,
    "ATS-INSUBRIA": 409_968,
    "ATS-MONTAGNA": 82_947,
    "ATS-BRIANZA": 337_126,
    "ATS-BERGAMO": 310_206,
    "ATS-BRESCIA": 324_500,
    "ATS-VALPADANA": 214_649,
    "ATS-PAVIA": 151_928,
}


def split_80_20(amount: int) -> tuple[int, int]:
    """80/20 of a whole-euro amount, in cents (the cycle's split_unit): always exact."""
    parts = largest_remainder(amount * 100, {"projects": 4, "system_action": 1})
    return parts["projects"], parts["system_action"]


@pytest.fixture(scope="module")
def cycle() -> Cycle:
    host = Host([("lombardia_2020", lombardia_2020.plugin)], use_entry_points=False)
    return host.cycle("lombardia-2020")


def run(cycle: Cycle) -> Allocation:
    plan = cycle.allocation
    assert plan is not None
    return allocate(
        plan,
        [(r.id, r.name) for r in cycle.recipients],
        cycle.reference_table(),
        explain=True,
        what_if=cycle.overrides,
    )


@pytest.fixture(scope="module")
def official(cycle: Cycle) -> Allocation:
    return run(cycle)


def euros(amount: Money) -> int:
    assert amount.cents % 100 == 0
    return amount.cents // 100


# ---- the published and derived figures, exactly -------------------------------------------------


def test_the_independent_computation_gives_the_literal_amounts() -> None:
    assert sum(POPULATION.values()) == 10_060_574
    assert largest_remainder(ATS_AMOUNT, POPULATION) == EXPECTED
    assert sum(EXPECTED.values()) == 2_800_000


def test_each_ats_amount_is_the_largest_remainder_of_its_population(
    official: Allocation,
) -> None:
    assert {s.id: euros(s.amount) for s in official.shares} == EXPECTED
    assert euros(official.allocated_total) == 2_800_000


def test_each_amount_is_the_floor_or_ceiling_of_its_exact_quota(official: Allocation) -> None:
    for share in official.shares:
        quota = Fraction(ATS_AMOUNT * POPULATION[share.id], 10_060_574)
        assert euros(share.amount) in (quota.numerator // quota.denominator, -(-quota // 1))
        (component,) = official.explain(share.id).components
        assert component.quota == quota
        assert component.adjustment == euros(share.amount) - quota


def test_the_region_keeps_200000_on_its_own_line(official: Allocation) -> None:
    (line,) = official.retained
    assert line.envelope_id == "region"
    assert euros(line.amount) == RETAINED
    assert line.label == "Kept by the Region for harmonisation actions"
    assert euros(official.total) == 3_000_000
    assert euros(official.allocated_total + official.retained_total) == 3_000_000
    assert official.unallocated == Money(0)
    assert official.pending == ()


def test_each_ats_splits_80_20(official: Allocation) -> None:
    for share in official.shares:
        (component,) = official.explain(share.id).components
        parts = {p.id: (p.share, p.amount.cents) for p in component.parts}
        projects, system_action = split_80_20(EXPECTED[share.id])
        assert parts == {
            "projects": (Fraction(4, 5), projects),
            "system_action": (Fraction(1, 5), system_action),
        }
        assert projects + system_action == 100 * EXPECTED[share.id]
    # The ATS calls publish the parts in cents: ATS Montagna's €82,947 is €66,357.60 + €16,589.40.
    montagna = {p.id: p.amount for p in official.explain("ATS-MONTAGNA").components[0].parts}
    assert montagna == {"projects": Money(6_635_760), "system_action": Money(1_658_940)}


def test_the_split_is_cited_as_an_inference(official: Allocation) -> None:
    (component,) = official.explain("ATS-BRIANZA").components
    for part in component.parts:
        assert part.basis.act == "conciliazione-core inference from the ATS Brianza plan 2020-2023"
        assert part.basis.evidence.value == "inference"
    assert component.basis.act == "D.G.R. XI/2398 of 11/11/2019"


def test_derived_populations_are_flagged(official: Allocation) -> None:
    assert {n.recipient_id for n in official.non_official} == DERIVED
    for n in official.non_official:
        assert n.status is DataStatus.DERIVED
        assert n.provenance.method is not None
    for share in official.shares:
        expected = DataStatus.DERIVED if share.id in DERIVED else DataStatus.OFFICIAL
        assert share.status is expected


def test_no_tranches_by_default(cycle: Cycle, official: Allocation) -> None:
    plan = cycle.allocation
    assert plan is not None
    assert all(not getattr(e, "tranches", ()) for e in plan.envelopes)
    assert all(c.tranches == () for s in official.shares for c in official.explain(s.id).components)
    assert official.what_if == ()


def test_the_cycle_allocation_passes_the_core_invariants(
    cycle: Cycle, official: Allocation
) -> None:
    plan = cycle.allocation
    assert plan is not None
    assert_allocation_invariants(
        official, plan, [(r.id, r.name) for r in cycle.recipients], cycle.reference_table()
    )


# ---- invariants on this cycle's envelope tree with generated populations ----------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_invariants_hold_for_any_population(cycle: Cycle, data: st.DataObject) -> None:
    recipients = [(r.id, r.name) for r in cycle.recipients]
    table = data.draw(indicator_tables(recipients, (INDICATOR,)))
    plan = cycle.allocation
    assert plan is not None
    result = allocate(plan, recipients, table, explain=True)
    assert_allocation_invariants(result, plan, recipients, table)
    # This cycle's own promises, whatever the population:
    assert euros(result.allocated_total) == ATS_AMOUNT
    assert [euros(r.amount) for r in result.retained] == [RETAINED]
    weights = {row.id: row.value(INDICATOR) for row in table.rows}
    if all(w.denominator == 1 for w in weights.values()):
        ints = {k: int(w) for k, w in weights.items()}
        assert {s.id: euros(s.amount) for s in result.shares} == largest_remainder(ATS_AMOUNT, ints)
    for share in result.shares:
        (component,) = result.explain(share.id).components
        projects, system_action = split_80_20(euros(share.amount))
        assert [p.amount.cents for p in component.parts] == [projects, system_action]


@settings(max_examples=40, deadline=None)
@given(ats=st.integers(0, 3_000_000))
def test_what_if_amounts_keep_the_books_balanced(cycle: Cycle, ats: int) -> None:
    what_if = cycle.with_overrides(
        [
            f"allocation.envelopes.ats.amount={ats}",
            f"allocation.envelopes.region.amount={3_000_000 - ats}",
        ]
    )
    result = run(what_if)
    assert euros(result.allocated_total) == ats
    assert euros(result.retained_total) == 3_000_000 - ats
    assert {s.id: euros(s.amount) for s in result.shares} == largest_remainder(ats, POPULATION)
    assert len(result.what_if) == 2


# ---- what-if runs -------------------------------------------------------------------------------


def test_a_what_if_is_recorded(cycle: Cycle) -> None:
    changed = [
        "allocation.envelopes.ats.amount=2900000",
        "allocation.envelopes.region.amount=100000",
    ]
    result = run(cycle.with_overrides(changed))
    assert result.what_if == tuple(changed)
    assert {s.id: euros(s.amount) for s in result.shares} == largest_remainder(
        2_900_000, POPULATION
    )
    assert euros(result.retained_total) == 100_000
    # The official cycle is not changed by a what-if.
    assert run(cycle).what_if == ()


def test_changing_one_envelope_alone_breaks_the_total(cycle: Cycle) -> None:
    with pytest.raises(InputError) as error:
        cycle.with_overrides(["allocation.envelopes.ats.amount=2900000"]).allocation  # noqa: B018
    # the what-if names what must change with it: the total, or the other envelope
    assert str(error.value).endswith(
        "set one of: allocation.total=3100000, allocation.envelopes.region.amount=100000"
    )


def test_another_split_for_one_ats(cycle: Cycle) -> None:
    """The 80/20 split is a per-network parameter."""
    changed = cycle.with_overrides(
        [
            'allocation.envelopes.ats.split_overrides={ATS-MONTAGNA={projects="70%", system_action="30%"}}'
        ]
    )
    result = run(changed)
    montagna = {p.id: p.amount.cents for p in result.explain("ATS-MONTAGNA").components[0].parts}
    assert montagna == {"projects": 5_806_290, "system_action": 2_488_410}  # 82,947 x 70%, cents
    brianza = {p.id: p.amount.cents for p in result.explain("ATS-BRIANZA").components[0].parts}
    assert brianza == dict(zip(("projects", "system_action"), split_80_20(337_126), strict=True))


# ---- yearly tranches: unknown, off by default, available as a what-if ---------------------------------

TRANCHES = '[{id="2020", share="8/28"}, {id="2021", share="10/28"}, {id="2022", share="10/28"}]'


def check_tranches(result: Allocation) -> None:
    for share in result.shares:
        (component,) = result.explain(share.id).components
        amounts = {t.id: euros(t.amount) for t in component.tranches}
        expected = largest_remainder(euros(share.amount), {"2020": 8, "2021": 10, "2022": 10})
        assert amounts == expected
        assert sum(amounts.values()) == euros(share.amount)


def test_tranches_can_be_turned_on_with_set(cycle: Cycle) -> None:
    result = run(cycle.with_overrides([f"allocation.envelopes.ats.tranches={TRANCHES}"]))
    check_tranches(result)
    assert result.what_if
    montagna = result.explain("ATS-MONTAGNA").components[0].tranches
    assert [(t.id, euros(t.amount)) for t in montagna] == [
        ("2020", 23_699),
        ("2021", 29_624),
        ("2022", 29_624),
    ]


def test_tranches_can_be_turned_on_in_a_copied_parameter_file(tmp_path: Path) -> None:
    package = Path(str(files("lombardia_2020")))
    shutil.copytree(package / "data", tmp_path / "data")
    text = (package / "cycle.toml").read_text(encoding="utf-8")
    anchor = 'share = "20%", basis = "split_default" },\n]\n'
    assert text.count(anchor) == 1
    copied = tmp_path / "cycle.toml"
    copied.write_text(text.replace(anchor, f"{anchor}tranches = {TRANCHES}\n"), encoding="utf-8")
    result = run(load_cycle(copied))
    check_tranches(result)
    assert result.what_if == ()  # a copied file is a new parameter set, not a --set what-if
    assert {s.id: euros(s.amount) for s in result.shares} == EXPECTED
