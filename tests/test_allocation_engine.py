"""The allocation engine on worked examples (2014, 2020), edge cases and every input error."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._territory import Level, lombardy
from conciliazione_core.allocation import (
    Allocation,
    AllocationPlan,
    allocate,
    parse_allocation,
)
from conciliazione_core.testing import assert_allocation_invariants
from conciliazione_core.testing import largest_remainder_oracle as hamilton

CITATIONS = {
    "dgr_2398": LegalBasis("D.G.R. XI/2398 of 11/11/2019"),
    "split_default": LegalBasis("ATS Brianza plan 2020-2023"),
    "dgr_1081": LegalBasis("D.G.R. X/1081 of 12/12/2013"),
    "test": LegalBasis("Test act"),
}
OFFICIAL = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
DERIVED = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.DERIVED, "split by tranches")


def table_of(
    values: dict[str, int | Fraction], indicator: str = "pop", derived: frozenset[str] = frozenset()
) -> IndicatorTable:
    return IndicatorTable(
        (indicator,),
        tuple(
            IndicatorRow(
                rid, f"Name of {rid}", ((indicator, v),), DERIVED if rid in derived else OFFICIAL
            )
            for rid, v in values.items()
        ),
    )


def people(*ids: str) -> list[tuple[str, str]]:
    return [(i, f"Name of {i}") for i in ids]


def plan_of(
    *envelopes: dict[str, Any],
    total: str | None = None,
    unit: str = "0.01",
    strategy: str = "largest_remainder",
    **extra: Any,
) -> AllocationPlan:
    envelopes = tuple({"basis": "test", "label": e["id"], **e} for e in envelopes)
    if total is None:
        total = str(Money.total(Money.parse(e.get("amount", "0")) for e in envelopes))
    data = {
        "total": total,
        "rounding": {"strategy": strategy, "unit": unit},
        "envelopes": list(envelopes),
        **extra,
    }
    return parse_allocation(data, CITATIONS)


def euros(allocation: Allocation) -> dict[str, Fraction]:
    return {s.id: s.amount.fraction for s in allocation.shares}


# ---- the 2020 cycle ------------------------------------------------------------------------------

#: Resident population at 1/1/2019, copied from /work/shared/data/ats_population_2019.csv
#: (Insubria, Montagna and Brescia are derived there, the others official).
POPULATION_2019 = {
    "ATS-MILANO": 3480513,
    "ATS-INSUBRIA": 1473041,
    "ATS-MONTAGNA": 298032,
    "ATS-BRIANZA": 1211315,
    "ATS-BERGAMO": 1114590,
    "ATS-BRESCIA": 1165948,
    "ATS-VALPADANA": 771247,
    "ATS-PAVIA": 545888,
}
DERIVED_2019 = frozenset({"ATS-INSUBRIA", "ATS-MONTAGNA", "ATS-BRESCIA"})


def plan_2020() -> AllocationPlan:
    return parse_allocation(
        {
            "total": "3000000",
            "rounding": {"strategy": "largest_remainder", "unit": "1"},
            "envelopes": [
                {
                    "id": "ats",
                    "kind": "proportional",
                    "label": "Funds to the ATS networks",
                    "amount": "2800000",
                    "indicator": "resident_2019_01_01",
                    "basis": "dgr_2398",
                    "split": [
                        {
                            "id": "projects",
                            "label": "Alliance projects",
                            "share": "80%",
                            "basis": "split_default",
                        },
                        {
                            "id": "system_action",
                            "label": "System action",
                            "share": "20%",
                            "basis": "split_default",
                        },
                    ],
                },
                {
                    "id": "region",
                    "kind": "retained",
                    "label": "Kept by the Region",
                    "amount": "200000",
                    "basis": "dgr_2398",
                },
            ],
        },
        CITATIONS,
    )


@pytest.fixture(scope="module")
def allocation_2020() -> Allocation:
    table = table_of(POPULATION_2019, "resident_2019_01_01", DERIVED_2019)
    return allocate(plan_2020(), [(r.id, r.name) for r in table.rows], table)


def test_2020_shares_are_whole_euros_by_largest_remainder(allocation_2020: Allocation) -> None:
    expected = hamilton(2_800_000, POPULATION_2019)
    # Worked by hand: the floors leave 4 euros, which go to the 4 largest remainders.
    floors = {k: 2_800_000 * v // 10_060_574 for k, v in POPULATION_2019.items()}
    assert sum(floors.values()) == 2_799_996
    assert {k for k in expected if expected[k] > floors[k]} == {
        "ATS-MILANO",
        "ATS-VALPADANA",
        "ATS-BRESCIA",
        "ATS-MONTAGNA",
    }
    assert euros(allocation_2020) == {k: Fraction(v) for k, v in expected.items()}
    assert all(s.amount.cents % 100 == 0 for s in allocation_2020.shares)
    assert allocation_2020.allocated_total == Money.euros(2_800_000)
    assert allocation_2020.retained_total == Money.euros(200_000)
    assert allocation_2020.allocated_total + allocation_2020.retained_total == Money.euros(
        3_000_000
    )
    assert allocation_2020.unallocated == Money(0)


def test_2020_split_80_20_inside_each_ats(allocation_2020: Allocation) -> None:
    for share in allocation_2020.shares:
        (component,) = share.components
        amount = share.amount.cents // 100
        projects, system_action = (p.amount.cents // 100 for p in component.parts)
        assert projects + system_action == amount
        assert (projects, system_action) == tuple(
            hamilton(amount, {"projects": 4, "system_action": 1}).values()
        )
    montagna = allocation_2020.share("ATS-MONTAGNA").components[0]
    assert [p.amount for p in montagna.parts] == [Money.euros(66_358), Money.euros(16_589)]
    # (this test plan has no split_unit: the shipped cycle publishes €66,357.60 + €16,589.40)


def test_2020_explanation_data(allocation_2020: Allocation) -> None:
    (c,) = allocation_2020.share("ATS-MONTAGNA").components
    assert c.quota == Fraction(2_800_000 * 298_032, 10_060_574)
    assert c.amount == Money.euros(82_947)
    assert c.adjustment == 82_947 - c.quota
    (i,) = c.inputs
    assert (i.indicator, i.value, i.total) == ("resident_2019_01_01", 298_032, 10_060_574)
    assert i.provenance is DERIVED
    assert c.basis == CITATIONS["dgr_2398"]
    assert {n.recipient_id for n in allocation_2020.non_official} == DERIVED_2019
    assert allocation_2020.status("ATS-MONTAGNA") is DataStatus.DERIVED
    assert allocation_2020.status("ATS-MILANO") is DataStatus.OFFICIAL


# ---- the 2014 cycle ------------------------------------------------------------------------------

# The 15 ASL of 2014, in id order (the territory data is tested against the decree's list in
# tests/test_territory.py).
ASL = tuple(sorted(agency.id for agency in lombardy().of_level(Level.ASL)))
#: MADE-UP TEST DATA (round numbers, not ISTAT figures), one per ASL, to exercise the 2014 plan.
MADE_UP_2014 = {rid: 100_000 * (k + 1) + 7 * k for k, rid in enumerate(ASL)}


def plan_2014(training: dict[str, Any]) -> AllocationPlan:
    return parse_allocation(
        {
            "total": "3639500",
            "rounding": {"strategy": "largest_remainder", "unit": "0.01"},
            "envelopes": [
                {"label": "Training and accompaniment", "basis": "dgr_1081", **training},
                {
                    "id": "action_plans",
                    "kind": "proportional",
                    "label": "Territorial action plans",
                    "amount": "3339500",
                    "indicator": "population_2011",
                    "basis": "dgr_1081",
                },
            ],
        },
        CITATIONS,
    )


@pytest.mark.parametrize(
    "training",
    [
        {"id": "training", "kind": "equal", "amount": "300000"},
        {"id": "training", "kind": "fixed", "per_recipient": "20000"},
        {"id": "training", "kind": "fixed", "per_recipient": "20000", "amount": "300000"},
    ],
)
def test_2014_worked_example(training: dict[str, Any]) -> None:
    plan = plan_2014(training)
    table = table_of(MADE_UP_2014, "population_2011")
    result = allocate(plan, people(*ASL), table)
    cents = hamilton(3_339_500 * 100, MADE_UP_2014)
    for share in result.shares:
        by_envelope = {c.envelope_id: c.amount for c in share.components}
        assert by_envelope["training"] == Money.euros(20_000)
        assert by_envelope["action_plans"] == Money(cents[share.id])
        assert share.amount == Money(2_000_000 + cents[share.id])
    assert Money.total(s.amount for s in result.shares) == Money.euros(3_639_500)
    assert_allocation_invariants(result, plan, people(*ASL), table)


def test_2014_without_population_for_five_asl_still_allocates_training() -> None:
    plan = plan_2014({"id": "training", "kind": "equal", "amount": "300000"})
    shipped = {
        k: v
        for k, v in MADE_UP_2014.items()
        if "MILANO" not in k and "BRESCIA" not in k and "VALLECAMONICA" not in k
    }
    table = table_of(shipped, "population_2011")
    result = allocate(plan, people(*ASL), table, missing="pending")
    assert [s.amount for s in result.shares] == [Money.euros(20_000)] * 15
    (pending,) = result.pending
    assert (pending.envelope_id, pending.amount, pending.indicators) == (
        "action_plans",
        Money.euros(3_339_500),
        ("population_2011",),
    )
    assert pending.missing == (
        "ASL-BRESCIA",
        "ASL-MILANO",
        "ASL-MILANO-1",
        "ASL-MILANO-2",
        "ASL-VALLECAMONICA-SEBINO",
    )
    assert result.allocated_total + result.pending_total == plan.total
    assert result.non_official == ()  # no indicator was read
    assert_allocation_invariants(result, plan, people(*ASL), table)
    with pytest.raises(InputError) as error:
        allocate(plan, people(*ASL), table, missing="error")
    (problem,) = error.value.problems
    assert problem.path == "$.allocation.envelopes[1]"
    assert "population_2011" in problem.message
    for rid in pending.missing:
        assert rid in problem.message


def test_no_table_at_all() -> None:
    plan = plan_2014({"id": "training", "kind": "equal", "amount": "300000"})
    result = allocate(plan, people(*ASL), None, missing="pending")
    assert result.pending[0].missing == tuple(sorted(ASL))
    with pytest.raises(InputError, match="no indicator table was given"):
        allocate(plan, people(*ASL), None)


# ---- rounding and ordering -----------------------------------------------------------------------


def test_ties_break_by_id_not_by_input_order() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "0.02"})
    for order in (("c", "a", "b"), ("b", "c", "a"), ("a", "b", "c")):
        result = allocate(plan, people(*order), None)
        assert euros(result) == {"a": Fraction(1, 100), "b": Fraction(1, 100), "c": 0}


def test_floor_and_report_leaves_the_remainder_unallocated() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "100"}, unit="1", strategy="floor")
    result = allocate(plan, people("a", "b", "c"), None)
    assert euros(result) == {"a": 33, "b": 33, "c": 33}
    assert result.unallocated == Money.euros(1)
    assert result.allocated_total + result.unallocated == plan.total


def test_whole_euro_and_per_envelope_units() -> None:
    plan = plan_of(
        {"id": "e", "kind": "equal", "amount": "100", "rounding": {"unit": "10"}},
        {"id": "f", "kind": "equal", "amount": "1", "rounding": {"strategy": "floor"}},
        unit="1",
    )
    result = allocate(plan, people("a", "b", "c"), None)
    e, f = (o.units for o in result.outcomes)
    assert e == (4, 3, 3)  # tens of euros: 40, 30, 30
    assert f == (0, 0, 0)  # whole euros, floored: 1 euro unallocated
    assert euros(result) == {"a": 40, "b": 30, "c": 30}
    assert result.unallocated == Money.euros(1)


def test_display_order_is_by_id_unless_the_plan_says_input() -> None:
    by_id = plan_of({"id": "e", "kind": "equal", "amount": "3"})
    as_given = plan_of({"id": "e", "kind": "equal", "amount": "3"}, order="input")
    assert [s.id for s in allocate(by_id, people("b", "c", "a"), None).shares] == ["a", "b", "c"]
    assert [s.id for s in allocate(as_given, people("b", "c", "a"), None).shares] == ["b", "c", "a"]


# ---- floors, caps, splits, tranches --------------------------------------------------------------


def test_a_cap_cut_is_redistributed_in_proportion() -> None:
    plan = plan_of(
        {"id": "p", "kind": "proportional", "amount": "100", "indicator": "pop", "cap": "50"},
        unit="1",
    )
    table = table_of({"a": 1, "b": 1, "c": 8})
    result = allocate(plan, people("a", "b", "c"), table)
    assert euros(result) == {"a": 25, "b": 25, "c": 50}
    assert result.share("c").components[0].bound == "cap"
    assert result.share("a").components[0].bound is None


def test_a_floor_is_taken_from_the_others_in_proportion() -> None:
    plan = plan_of(
        {"id": "p", "kind": "proportional", "amount": "100", "indicator": "pop", "floor": "20"},
        unit="1",
    )
    table = table_of({"a": 0, "b": 1, "c": 9})
    result = allocate(plan, people("a", "b", "c"), table)
    # a (zero weight) gets the floor; b's plain quota 10 is raised to 20; c gets the rest.
    assert euros(result) == {"a": 20, "b": 20, "c": 60}
    assert [result.share(r).components[0].bound for r in "abc"] == ["floor", "floor", None]
    assert_allocation_invariants(result, plan, people("a", "b", "c"), table)


def test_zero_weight_gets_nothing_without_a_floor() -> None:
    plan = plan_of({"id": "p", "kind": "proportional", "amount": "10", "indicator": "pop"})
    result = allocate(plan, people("a", "b"), table_of({"a": 0, "b": 3}))
    assert euros(result) == {"a": 0, "b": 10}


def test_split_with_a_per_recipient_override() -> None:
    plan = plan_of(
        {
            "id": "e",
            "kind": "equal",
            "amount": "200",
            "split": [
                {"id": "projects", "label": "P", "share": "80%"},
                {"id": "system_action", "label": "S", "share": "20%"},
            ],
            "split_overrides": {"b": {"projects": "75%", "system_action": "25%"}},
        },
        unit="1",
    )
    result = allocate(plan, people("a", "b"), None)
    parts = {s.id: [(p.id, p.amount) for p in s.components[0].parts] for s in result.shares}
    assert parts == {
        "a": [("projects", Money.euros(80)), ("system_action", Money.euros(20))],
        "b": [("projects", Money.euros(75)), ("system_action", Money.euros(25))],
    }


def test_split_and_tranches_round_per_recipient_ties_by_part_id() -> None:
    plan = plan_of(
        {
            "id": "e",
            "kind": "equal",
            "amount": "10",
            "split": [
                {"id": "z", "label": "Z", "share": "1/2"},
                {"id": "a", "label": "A", "share": "1/2"},
            ],
            "tranches": [
                {"id": "2020", "share": "4/14"},
                {"id": "2021", "share": "5/14"},
                {"id": "2022", "share": "5/14"},
            ],
        },
        unit="1",
    )
    result = allocate(
        plan,
        people(
            "only",
        ),
        None,
    )
    (c,) = result.share("only").components
    # 10 / 2 is exact; 10 × 4/14 = 2.86, 10 × 5/14 = 3.57 (twice): floors 2, 3, 3 leave 2
    # units for the two largest remainders (0.86 and a tie at 0.57 that 2021 wins by id).
    assert [(p.id, p.amount) for p in c.parts] == [("z", Money.euros(5)), ("a", Money.euros(5))]
    assert [(t.id, t.amount) for t in c.tranches] == [
        ("2020", Money.euros(3)),
        ("2021", Money.euros(4)),
        ("2022", Money.euros(3)),
    ]
    odd = plan_of(
        {
            "id": "e",
            "kind": "equal",
            "amount": "1",
            "split": [
                {"id": "z", "label": "Z", "share": "1/2"},
                {"id": "a", "label": "A", "share": "1/2"},
            ],
        },
        unit="1",
    )
    (c,) = (
        allocate(
            odd,
            people(
                "only",
            ),
            None,
        )
        .share("only")
        .components
    )
    assert [(p.id, p.amount) for p in c.parts] == [("z", Money(0)), ("a", Money.euros(1))]


# ---- explanations are built only when asked ------------------------------------------------------


def test_explain_false_builds_no_shares_until_asked() -> None:
    plan = plan_2020()
    table = table_of(POPULATION_2019, "resident_2019_01_01", DERIVED_2019)
    recipients = [(r.id, r.name) for r in table.rows]
    lazy = allocate(plan, recipients, table, explain=False)
    full = allocate(plan, recipients, table, explain=True)
    assert lazy.explained is None
    assert lazy == full  # the same amounts (explanations are not part of equality)
    assert lazy.shares[0].components == ()
    for rid, _name in recipients:
        assert lazy.explain(rid) == full.share(rid)
        assert lazy.amount(rid) == full.share(rid).amount
    with pytest.raises(InputError, match="unknown recipient 'ATS-ROMA'; known: ATS-BERGAMO"):
        lazy.explain("ATS-ROMA")


def test_what_if_overrides_are_recorded() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "3"})
    result = allocate(plan, people("a"), None, what_if=["allocation.total=3"])
    assert result.what_if == ("allocation.total=3",)
    assert allocate(plan, people("a"), None).what_if == ()


# ---- input errors --------------------------------------------------------------------------------


def test_duplicate_recipients() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "3"})
    with pytest.raises(InputError, match=r"duplicate recipient id\(s\): a, b"):
        allocate(plan, people("a", "b", "a", "c", "b"), None)
    table = table_of({"a": 1, "b": 1})
    prop = plan_of({"id": "p", "kind": "proportional", "amount": "3", "indicator": "pop"})
    with pytest.raises(InputError, match=r"duplicate recipient id\(s\): a"):
        allocate(prop, people("a", "a"), table)
    with pytest.raises(InputError, match=r"duplicate recipient id\(s\): a"):
        allocate(prop, people("a", "b", "a"), table)


def test_table_rows_for_strangers() -> None:
    plan = plan_of({"id": "p", "kind": "proportional", "amount": "3", "indicator": "pop"})
    with pytest.raises(InputError) as error:
        allocate(plan, people("a"), table_of({"a": 1, "x": 2, "y": 3}))
    assert [str(p) for p in error.value.problems] == [
        "indicators: the indicator table has rows for 2 id(s) that are not recipients: x, y"
    ]


def test_zero_total_weight_names_envelope_and_indicator() -> None:
    plan = plan_of({"id": "p", "kind": "proportional", "amount": "3", "indicator": "pop"})
    with pytest.raises(InputError) as error:
        allocate(plan, people("a", "b"), table_of({"a": 0, "b": 0}))
    (problem,) = error.value.problems
    assert problem.path == "$.allocation.envelopes[0]"
    assert "'p'" in problem.message
    assert "pop" in problem.message


def test_unknown_indicator() -> None:
    plan = plan_of({"id": "p", "kind": "proportional", "amount": "3", "indicator": "area"})
    with pytest.raises(InputError, match=r"reads indicator\(s\) area that the table does not"):
        allocate(plan, people("a"), table_of({"a": 1}))


@pytest.mark.parametrize(
    ("envelope", "recipients", "message"),
    [
        (
            {"id": "f", "kind": "fixed", "per_recipient": "10", "amount": "30"},
            2,
            "€30.00 is not 2 recipients × €10.00 = €20.00",
        ),
        (
            {"id": "e", "kind": "equal", "amount": "30", "floor": "20"},
            2,
            "infeasible: 2 recipients × floor €20.00 = €40.00 is more than the envelope €30.00",
        ),
        (
            {"id": "e", "kind": "equal", "amount": "30", "cap": "10"},
            2,
            "infeasible: 2 recipients × cap €10.00 = €20.00 is less than the envelope €30.00",
        ),
        (
            {"id": "e", "kind": "equal", "amount": "30"},
            0,
            "envelope 'e' has €30.00 to split but there are no recipients",
        ),
        (
            {
                "id": "e",
                "kind": "equal",
                "amount": "30",
                "split": [{"id": "a", "label": "A", "share": "1"}],
                "split_overrides": {"ghost": {"a": "1"}},
            },
            2,
            "override(s) for id(s) that are not recipients: ghost",
        ),
    ],
)
def test_checks_that_need_the_recipients(
    envelope: dict[str, Any], recipients: int, message: str
) -> None:
    plan = plan_of(envelope, total=envelope.get("amount", "30"))
    with pytest.raises(InputError, match=re.escape(message)):
        allocate(plan, people(*(f"r{i}" for i in range(recipients))), None)


def test_a_fixed_envelope_without_amount_must_fit_the_total() -> None:
    plan = plan_of({"id": "f", "kind": "fixed", "per_recipient": "10"}, total="30")
    assert allocate(plan, people("a", "b", "c"), None).allocated_total == Money.euros(30)
    with pytest.raises(
        InputError, match=r"add up to €20\.00 for 2 recipients but the total is €30\.00"
    ):
        allocate(plan, people("a", "b"), None)


def test_a_cap_the_zero_weights_cannot_help_reach() -> None:
    plan = plan_of(
        {"id": "p", "kind": "proportional", "amount": "3", "indicator": "pop", "cap": "2"}, unit="1"
    )
    with pytest.raises(InputError) as error:
        allocate(plan, people("a", "b"), table_of({"a": 1, "b": 0}))
    (problem,) = error.value.problems
    assert problem.path == "$.allocation.envelopes[0].cap"
    assert "only 1 recipient(s) have a positive weight" in problem.message


def test_missing_must_be_error_or_pending() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "3"})
    with pytest.raises(ValueError, match="missing must be"):
        allocate(plan, people("a"), None, missing="ignore")  # type: ignore[arg-type]


def test_retained_only_plan_needs_no_recipients() -> None:
    plan = plan_of({"id": "r", "kind": "retained", "amount": "5"})
    result = allocate(plan, [], None)
    assert result.shares == ()
    assert result.retained_total == Money.euros(5)


# ---- split parts in a finer unit than the amounts (split_unit) ---------------------------------------

SPLIT_80_20 = [
    {"id": "projects", "label": "Projects", "share": "80%"},
    {"id": "system_action", "label": "System action", "share": "20%"},
]


def test_parts_are_rounded_in_their_own_unit_while_amounts_stay_whole_euros() -> None:
    """The ATS calls publish 80/20 in cents of amounts that are whole euros."""
    plan = plan_of(
        {
            "id": "ats",
            "kind": "proportional",
            "amount": "100",
            "indicator": "pop",
            "split": SPLIT_80_20,
            "split_unit": "0.01",
        },
        unit="1",
    )
    table = table_of({"A": 1, "B": 1, "C": 1})
    result = allocate(plan, people("A", "B", "C"), table)
    assert_allocation_invariants(result, plan, people("A", "B", "C"), table)
    amounts = {s.id: s.amount for s in result.shares}
    assert amounts == {"A": Money.euros(34), "B": Money.euros(33), "C": Money.euros(33)}
    parts = {
        s.id: [p.amount for p in result.explain(s.id).components[0].parts] for s in result.shares
    }
    assert parts["A"] == [Money.parse("27.20"), Money.parse("6.80")]
    assert parts["B"] == [Money.parse("26.40"), Money.parse("6.60")]
    # Without split_unit the parts are whole euros, like the amounts.
    whole = plan_of(
        {
            "id": "ats",
            "kind": "proportional",
            "amount": "100",
            "indicator": "pop",
            "split": SPLIT_80_20,
        },
        unit="1",
    )
    result = allocate(whole, people("A", "B", "C"), table)
    assert [p.amount for p in result.explain("A").components[0].parts] == [
        Money.euros(27),
        Money.euros(7),
    ]


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=8).filter(any),
    amount=st.integers(0, 10**7),
    projects=st.integers(0, 100),
    split_unit=st.sampled_from(["0.01", "0.10", "0.50", "1"]),
)
def test_parts_in_their_own_unit_add_up_and_keep_the_quota_rule(
    weights: list[int], amount: int, projects: int, split_unit: str
) -> None:
    ids = [f"R{i}" for i in range(len(weights))]
    split = [
        {"id": "a", "label": "A", "share": f"{projects}%"},
        {"id": "b", "label": "B", "share": f"{100 - projects}%"},
    ]
    plan = plan_of(
        {
            "id": "e",
            "kind": "proportional",
            "amount": str(amount),
            "indicator": "pop",
            "split": split,
            "split_unit": split_unit,
        },
        unit="1",
    )
    table = table_of(dict(zip(ids, weights, strict=True)))
    result = allocate(plan, people(*ids), table)
    assert_allocation_invariants(result, plan, people(*ids), table)  # sums, quota rule per part
    cents = Money.parse(split_unit).cents
    for share in result.shares:
        parts = result.explain(share.id).components[0].parts
        assert sum(p.amount.cents for p in parts) == share.amount.cents
        assert all(p.amount.cents % cents == 0 for p in parts)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"split_unit": "0.30"}, "€0.30 does not divide the envelope's rounding unit €1.00"),
        ({"split_unit": "0"}, "must be more than zero"),
        ({"split_unit": 0.01}, "float"),
    ],
)
def test_a_bad_split_unit_is_named_at_its_path(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as info:
        plan_of(
            {"id": "e", "kind": "equal", "amount": "100", "split": SPLIT_80_20, **extra},
            unit="1",
        )
    [problem] = info.value.problems
    assert problem.path == "$.allocation.envelopes[0].split_unit"
    assert message in problem.message


def test_a_split_unit_without_a_split_is_refused() -> None:
    with pytest.raises(InputError) as info:
        plan_of({"id": "e", "kind": "equal", "amount": "100", "split_unit": "0.01"}, unit="1")
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.allocation.envelopes[0].split_unit", "split_unit needs a split")
    ]
