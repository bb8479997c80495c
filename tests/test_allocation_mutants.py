"""Tests that kill surviving mutants of the allocation engine (see docs/robustness.md).

Mutation testing (``make mutation``) left these behaviours unpinned: the exact messages of the
envelope invariants, the truncation of long id lists in error messages, and the preconditions of
``bounded_scale``. Each test below fails on at least one such mutant.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction as F

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._legal import LegalBasis
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation import Split, SplitPart, Tranche, allocate, bounded_scale
from conciliazione_core.allocation._bounds import clamp
from conciliazione_core.allocation._envelopes import AllocationPlan, _check_tranches
from conciliazione_core.allocation._parameters import parse_allocation
from conciliazione_core.allocation._rounding import _kth_largest, largest_remainder
from test_allocation_engine import plan_of  # tests/ is on sys.path: one plan builder for both

ACT = LegalBasis("Test act")


def part(id: str, share: F) -> SplitPart:
    return SplitPart(id=id, label=id, share=share, basis=ACT, citation="act")


# ---- invariants of envelopes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ((F(3, 2),), "split: every share must be between 0 and 1"),
        ((F(3, 2), F(-1, 2)), "split: every share must be between 0 and 1"),
        ((F(1, 2), F(2, 5)), "split: shares add up to 9/10, not exactly 1"),
        ((F(1, 2), F(3, 5)), "split: shares add up to 11/10, not exactly 1"),
    ],
)
def test_split_shares_must_be_fractions_of_one(shares: tuple[F, ...], message: str) -> None:
    parts = tuple(part(f"p{i}", s) for i, s in enumerate(shares))
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Split(parts=parts)


def test_split_needs_unique_parts() -> None:
    with pytest.raises(ValueError, match=r"^a split needs at least one part$"):
        Split(parts=())
    with pytest.raises(ValueError, match=r"^split part ids must be unique$"):
        Split(parts=(part("a", F(1, 2)), part("a", F(1, 2))))


def test_split_overrides_are_checked_per_recipient() -> None:
    parts = (part("projects", F(4, 5)), part("system", F(1, 5)))
    with pytest.raises(ValueError, match=r"^one split override per recipient$"):
        Split(parts=parts, overrides=(("A", (F(1), F(0))), ("A", (F(0), F(1)))))
    with pytest.raises(ValueError, match=r"^split override for 'A': one share per part$"):
        Split(parts=parts, overrides=(("A", (F(1),)),))
    with pytest.raises(
        ValueError, match=r"^split override for 'A': shares add up to 1/2, not exactly 1$"
    ):
        Split(parts=parts, overrides=(("A", (F(1, 4), F(1, 4))),))
    split = Split(parts=parts, overrides=(("A", (F(1), F(0))),))
    assert split.shares_for("A") == (F(1), F(0))
    assert split.shares_for("B") == (F(4, 5), F(1, 5))


def test_tranches_must_be_unique_and_add_up() -> None:
    plan_data = {
        "total": "100",
        "envelopes": [
            {
                "id": "all",
                "kind": "equal",
                "label": "All",
                "amount": "100",
                "basis": "act",
                "tranches": [{"id": "2020", "share": "1/2"}, {"id": "2021", "share": "1/4"}],
            }
        ],
    }
    with pytest.raises(InputError, match="add up to 75%, not exactly 100%"):
        parse_allocation(plan_data, {"act": ACT})
    bad = (Tranche(id="a", share=F(1, 2)), Tranche(id="b", share=F(1, 4)))
    with pytest.raises(ValueError, match=r"^tranches: shares add up to 3/4, not exactly 1$"):
        _check_tranches(None, None, bad)
    with pytest.raises(ValueError, match=r"^tranche ids must be unique$"):
        _check_tranches(None, None, (Tranche(id="a", share=F(1, 2)),) * 2)


# ---- bounded_scale preconditions ----------------------------------------------------------------------


def test_bounded_scale_refuses_what_its_callers_must_never_pass() -> None:
    with pytest.raises(ValueError, match=r"^the weights add up to zero$"):
        bounded_scale(10, [0, 0], 0, None)
    with pytest.raises(ValueError, match=r"^infeasible floor or cap$"):
        bounded_scale(10, [1, 1], 6, None)
    with pytest.raises(ValueError, match=r"^infeasible floor or cap$"):
        bounded_scale(10, [1, 1], 0, 4)
    assert bounded_scale(100, [1, 1, 8], 0, 50) == 25
    assert bounded_scale(100, [1, 1, 8], 20, None) == F(15, 2)  # 20, 20, 60


# ---- long id lists in errors ------------------------------------------------------------------------


def _table(ids: list[str]) -> IndicatorTable:
    provenance = Provenance("test", dt.date(2020, 1, 1), DataStatus.OFFICIAL)
    return IndicatorTable(("p",), tuple(IndicatorRow(i, i, (("p", 1),), provenance) for i in ids))


def _plan() -> AllocationPlan:
    data = {
        "total": "100",
        "envelopes": [
            {
                "id": "pop",
                "kind": "proportional",
                "amount": "100",
                "indicator": "p",
                "basis": "act",
                "label": "Pop",
            }
        ],
    }
    return parse_allocation(data, {"act": ACT})


@pytest.mark.parametrize(("count", "tail"), [(30, ""), (31, " and 1 more"), (35, " and 5 more")])
def test_long_id_lists_are_cut_after_thirty(count: int, tail: str) -> None:
    ids = [f"R{i:02d}" for i in range(count)]
    recipients = [("A", "a"), *((i, i) for i in ids)]
    with pytest.raises(InputError) as info:
        allocate(_plan(), recipients, _table(["A"]), missing="error")
    [problem] = info.value.problems
    assert problem.path == "$.allocation.envelopes[0]"
    assert problem.message.endswith(": " + ", ".join(ids[:30]) + tail), problem.message
    assert f"for {count} recipient(s) missing" in problem.message


# ---- weighted indicators: several columns, decimals, a column that sums to zero --------------------


def _weighted_table(rows: dict[str, tuple[object, object, object]]) -> IndicatorTable:
    provenance = Provenance("test", dt.date(2020, 1, 1), DataStatus.OFFICIAL)
    return IndicatorTable(
        ("pop", "area", "none"),
        tuple(
            IndicatorRow(rid, rid, (("pop", p), ("area", a), ("none", z)), provenance)
            for rid, (p, a, z) in rows.items()
        ),
    )


@pytest.mark.parametrize("combine", ["shares", "raw"])
@pytest.mark.parametrize(
    "weights",
    [
        {"pop": "0.7", "area": "0.3"},
        {"pop": "1/3", "area": "2/3", "none": "1/2"},
        {"area": "1"},
    ],
)
def test_weighted_indicators_match_the_definition(combine: str, weights: dict[str, str]) -> None:
    from conciliazione_core.testing import assert_allocation_invariants

    table = _weighted_table(
        {
            "A": (1000, F(1, 2), 0),
            "B": (3000, F(5, 4), 0),
            "C": (7, F(33, 10), 0),
            "D": (0, F(0), 0),
        }
    )
    data = {
        "total": "10000",
        "envelopes": [
            {
                "id": "mix",
                "kind": "proportional",
                "label": "Mix",
                "amount": "10000",
                "weights": weights,
                "combine": combine,
                "basis": "act",
            }
        ],
    }
    plan = parse_allocation(data, {"act": ACT})
    recipients = [(r, r) for r in ("A", "B", "C", "D")]
    result = allocate(plan, recipients, table, missing="error")
    assert_allocation_invariants(result, plan, recipients, table)
    assert result.amount("D").cents == 0
    assert sum(result.amount(r).cents for r, _n in recipients) == 1_000_000


# ---- bounded_scale solves its equation; rounding's preconditions and selection ----------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=8),
    units=st.integers(0, 10**6),
    floor=st.integers(0, 50),
    cap=st.none() | st.integers(0, 10**6),
)
def test_bounded_scale_solves_its_equation(
    weights: list[int], units: int, floor: int, cap: int | None
) -> None:
    """Σ clamp(λ × w, floor, cap) == units exactly, also when λ < 1 (large weights)."""
    n = len(weights)
    assume(sum(weights) > 0 and n * floor <= units and (cap is None or units <= n * cap))
    assume(cap is None or cap >= floor)
    scale = bounded_scale(units, weights, floor, cap)
    assert scale >= 0
    assert sum(clamp(scale * w, floor, cap) for w in weights) == units


def test_clamp_holds_values_between_floor_and_cap() -> None:
    assert clamp(F(1, 2), 1, 3) == 1
    assert clamp(F(7, 2), 1, 3) == 3
    assert clamp(F(5, 2), 1, 3) == F(5, 2)
    assert clamp(F(99), 1, None) == 99


def test_rounding_refuses_impossible_inputs_with_a_reason() -> None:
    with pytest.raises(ValueError, match=r"^weights must not be negative$"):
        largest_remainder(10, [1, -1], ["a", "b"])
    with pytest.raises(ValueError, match=r"^cannot apportion among weights that are all zero$"):
        largest_remainder(10, [0, 0], ["a", "b"])
    with pytest.raises(ValueError, match=r"^units must be a non-negative int, not -1$"):
        largest_remainder(-1, [1], ["a"])
    assert largest_remainder(0, [0, 0], ["a", "b"]) == [0, 0]


@pytest.mark.parametrize("n", [20_002, 20_003, 30_001])
def test_kth_largest_on_long_lists_is_the_sorted_answer(n: int) -> None:
    """Above the selection threshold a sample brackets the rank; a miss must fall back."""
    lone_top = [0] * (n - 1) + [1]  # the 1 falls outside the sample: the bracket misses
    assert _kth_largest(lone_top, 1) == 1
    assert _kth_largest(lone_top, 2) == 0
    values = [(i * 7919) % 1009 for i in range(n)]
    ordered = sorted(values, reverse=True)
    for k in (1, 2, n // 3, n // 2, n - 1, n):
        assert _kth_largest(values, k) == ordered[k - 1]


def test_proportional_envelope_weights_are_checked() -> None:
    from conciliazione_core._money import Money
    from conciliazione_core.allocation import ProportionalEnvelope

    def envelope(weights: tuple[tuple[str, F], ...]) -> ProportionalEnvelope:
        return ProportionalEnvelope(
            id="e", label="e", amount=Money(100), weights=weights, basis=ACT, citation="act"
        )

    with pytest.raises(ValueError, match=r"^a proportional envelope needs an indicator$"):
        envelope(())
    with pytest.raises(ValueError, match=r"^indicator names must be unique$"):
        envelope((("p", F(1)), ("p", F(1))))
    with pytest.raises(ValueError, match=r"^weights must be non-negative and not all zero$"):
        envelope((("p", F(0)),))
    with pytest.raises(ValueError, match=r"^weights must be non-negative and not all zero$"):
        envelope((("p", F(2)), ("q", F(-1))))
    assert envelope((("p", F(1)),)).weights == (("p", F(1)),)


# ---- the engine's own errors: exact place and words --------------------------------------------------


def _rows(values: dict[str, int], indicator: str = "p") -> IndicatorTable:
    provenance = Provenance("test", dt.date(2020, 1, 1), DataStatus.OFFICIAL)
    return IndicatorTable(
        (indicator,),
        tuple(IndicatorRow(i, i, ((indicator, v),), provenance) for i, v in values.items()),
    )


@pytest.mark.parametrize(
    ("recipients", "table", "path", "message"),
    [
        (
            [("A", "a"), ("A", "a"), ("B", "b")],
            _rows({"A": 1, "B": 1}),
            "recipients",
            "duplicate recipient id(s): A",
        ),
        (
            [("A", "a"), ("B", "b")],
            _rows({"A": 0, "B": 0}),
            "$.allocation.envelopes[0]",
            "envelope 'pop': the weights (p) add up to zero over all recipients, so there is "
            "nothing to be proportional to",
        ),
        (
            [("A", "a")],
            _rows({"A": 1}, "q"),
            "$.allocation.envelopes[0].indicator",
            "envelope 'pop' reads indicator(s) p that the table does not have (it has: q)",
        ),
    ],
)
def test_engine_errors_name_the_place_and_the_problem(
    recipients: list[tuple[str, str]], table: IndicatorTable, path: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        allocate(_plan(), recipients, table, missing="error")
    [problem] = info.value.problems
    assert (problem.path, problem.message) == (path, message)


# ---- what an outcome records, and the places of amount errors ----------------------------------------


def test_outcomes_record_rounding_floor_and_cap() -> None:
    plan = plan_of(
        {"id": "eq", "kind": "equal", "amount": "30", "floor": "2", "cap": "12"},
        {"id": "pop", "kind": "proportional", "amount": "60", "indicator": "p", "cap": "25"},
        total="90",
        unit="1",
    )
    allocation = allocate(
        plan, [("A", "a"), ("B", "b"), ("C", "c")], _rows({"A": 1, "B": 1, "C": 8})
    )
    equal, proportional = allocation.outcomes
    assert (equal.floor, equal.cap) == (2, 12)  # in units of the plan's rounding (1 euro)
    assert (proportional.floor, proportional.cap) == (0, 25)
    assert equal.rounding == proportional.rounding == plan.rounding
    assert proportional.units == (18, 17, 25)  # C capped at 25; A and B tie at 17.5: A by id


def test_envelopes_without_recipients_record_a_zero_scale() -> None:
    """Nothing to split among no one: empty amounts, scale 0, the plan's rounding."""
    plan = plan_of(
        {"id": "kept", "kind": "retained", "amount": "10"},
        {"id": "eq", "kind": "equal", "amount": "0"},
        {"id": "pop", "kind": "proportional", "amount": "0", "indicator": "p"},
        total="10",
        unit="1",
    )
    allocation = allocate(plan, [], _rows({}))
    assert [
        (o.envelope.id, o.units, o.leftover, o.scale, o.rounding) for o in allocation.outcomes
    ] == [
        ("eq", (), 0, F(0), plan.rounding),
        ("pop", (), 0, F(0), plan.rounding),
    ]
    # Per indicator: the total over no one is 0, and so is the coefficient of its shares.
    assert (allocation.outcomes[1].coefficients, allocation.outcomes[1].totals) == (
        (F(0),),
        (F(0),),
    )


def test_a_rounding_unit_of_two_cents_counts_in_twos() -> None:
    plan = plan_of({"id": "eq", "kind": "equal", "amount": "1"}, total="1", unit="0.02")
    allocation = allocate(plan, [("A", "a"), ("B", "b"), ("C", "c")], None)
    assert allocation.outcomes[0].units == (17, 17, 16)  # 50 units of 2 cents
    assert allocation.cents == (34, 34, 32)


def test_zero_weights_over_several_indicators_are_named() -> None:
    plan = plan_of(
        {"id": "mix", "kind": "proportional", "amount": "10", "weights": {"p": "1", "q": "1"}},
        total="10",
    )
    provenance = Provenance("test", dt.date(2020, 1, 1), DataStatus.OFFICIAL)
    table = IndicatorTable(("p", "q"), (IndicatorRow("A", "a", (("p", 0), ("q", 0)), provenance),))
    with pytest.raises(InputError) as info:
        allocate(plan, [("A", "a")], table)
    [problem] = info.value.problems
    assert problem.message == (
        "envelope 'mix': the weights (p, q) add up to zero over all recipients, so there is "
        "nothing to be proportional to"
    )


def test_amount_errors_name_the_envelope() -> None:
    plan = plan_of(
        {"id": "kept", "kind": "retained", "amount": "10"},
        {"id": "each", "kind": "fixed", "per_recipient": "5", "amount": "20"},
        {
            "id": "pop",
            "kind": "proportional",
            "amount": "10",
            "indicator": "p",
            "split": [
                {"id": "x", "label": "x", "share": "1/2"},
                {"id": "y", "label": "y", "share": "1/2"},
            ],
            "split_overrides": {"Z": {"x": "1", "y": "0"}, "W": {"x": "0", "y": "1"}},
        },
        total="40",
        unit="1",
    )
    with pytest.raises(InputError) as info:
        allocate(plan, [("A", "a")], _rows({"A": 1}))
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.allocation.envelopes[1].amount", "€20.00 is not 1 recipients × €5.00 = €5.00"),
        (
            "$.allocation.envelopes[2].split_overrides",
            "override(s) for id(s) that are not recipients: W, Z",
        ),
        (
            "$.allocation.total",
            "the envelopes add up to €25.00 for 1 recipients but the total is €40.00",
        ),
    ]
    no_one = plan_of(
        {"id": "eq", "kind": "equal", "amount": "5"},
        {"id": "kept", "kind": "retained", "amount": "5"},  # still counted after the problem
        total="10",
        unit="1",
    )
    with pytest.raises(InputError) as info:
        allocate(no_one, [], None)
    [problem] = info.value.problems
    assert (problem.path, problem.message) == (
        "$.allocation.envelopes[0]",
        "envelope 'eq' has €5.00 to split but there are no recipients",
    )


def test_infeasible_floors_and_caps_name_their_key() -> None:
    plan = plan_of(
        {"id": "eq", "kind": "equal", "amount": "10", "floor": "4"},
        {"id": "pop", "kind": "proportional", "amount": "30", "indicator": "p", "cap": "9"},
        total="40",
        unit="1",
    )
    with pytest.raises(InputError) as info:
        allocate(plan, [("A", "a"), ("B", "b"), ("C", "c")], _rows({"A": 1, "B": 1, "C": 1}))
    assert [(p.path, p.message) for p in info.value.problems] == [
        (
            "$.allocation.envelopes[0].floor",
            "infeasible: 3 recipients × floor €4.00 = €12.00 is more than the envelope €10.00",
        ),
        (
            "$.allocation.envelopes[1].cap",
            "infeasible: 3 recipients × cap €9.00 = €27.00 is less than the envelope €30.00",
        ),
    ]


@pytest.mark.parametrize(
    ("floor", "most"),
    [(None, "€12.00"), ("2", "€16.00")],  # 1 × 12, or 1 × 12 + 2 others × floor 2
)
def test_a_cap_that_zero_weights_make_infeasible_is_explained(floor: str | None, most: str) -> None:
    envelope = {"id": "pop", "kind": "proportional", "amount": "30", "indicator": "p", "cap": "12"}
    if floor is not None:
        envelope["floor"] = floor
    plan = plan_of(envelope, total="30", unit="1")
    with pytest.raises(InputError) as info:
        allocate(plan, [("A", "a"), ("B", "b"), ("C", "c")], _rows({"A": 1, "B": 0, "C": 0}))
    [problem] = info.value.problems
    assert (problem.path, problem.message) == (
        "$.allocation.envelopes[0].cap",
        "infeasible: only 1 recipient(s) have a positive weight; at the cap of €12.00 each (and "
        f"the floor for the others) they can receive {most}, less than the envelope €30.00",
    )


def test_invariant_messages_are_exact() -> None:
    from conciliazione_core._money import Money
    from conciliazione_core.allocation import Rounding

    with pytest.raises(ValueError, match=r"^the rounding unit must be more than zero$"):
        Rounding(unit=Money(0))
    plan = plan_of({"id": "a", "kind": "retained", "amount": "1"}, total="1", unit="1")
    with pytest.raises(ValueError, match=r"^envelope ids must be unique$"):
        attrs.evolve(plan, total=Money(200), envelopes=plan.envelopes * 2)


def _two_indicators(
    rows: dict[str, tuple[int, int]], names: tuple[str, str] = ("p", "q")
) -> IndicatorTable:
    provenance = Provenance("test", dt.date(2020, 1, 1), DataStatus.OFFICIAL)
    return IndicatorTable(
        names,
        tuple(
            IndicatorRow(i, i, tuple(zip(names, v, strict=True)), provenance)
            for i, v in rows.items()
        ),
    )


_MIX = {"id": "mix", "kind": "proportional", "amount": "10", "weights": {"p": "1", "q": "1"}}


@pytest.mark.parametrize(
    ("table", "path", "message"),
    [
        (
            None,
            "$.allocation.envelopes[0]",
            "envelope 'mix' is split by p, q but no indicator table was given",
        ),
        (
            _two_indicators({"A": (1, 1)}),
            "$.allocation.envelopes[0]",
            "envelope 'mix' needs p, q for 1 recipient(s) missing from the indicator table: B",
        ),
        (
            _two_indicators({"A": (1, 1), "B": (1, 1)}, ("x", "y")),
            "$.allocation.envelopes[0].indicator",
            "envelope 'mix' reads indicator(s) p, q that the table does not have (it has: x, y)",
        ),
    ],
    ids=["no-table", "missing-rows", "unknown-indicators"],
)
def test_missing_indicator_data_names_every_indicator(
    table: IndicatorTable | None, path: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        allocate(plan_of(_MIX, total="10"), [("A", "a"), ("B", "b")], table)
    [problem] = info.value.problems
    assert (problem.path, problem.message) == (path, message)


def test_retained_lines_carry_their_label_citation_and_note() -> None:
    plan = plan_of(
        {"id": "kept", "kind": "retained", "label": "Kept back", "amount": "10", "note": "why"},
        total="10",
    )
    [line] = allocate(plan, [], None).retained
    assert (line.envelope_id, line.label, line.amount, line.citation, line.note) == (
        "kept",
        "Kept back",
        plan.envelopes[0].amount,
        "test",
        "why",
    )
    assert line.basis == plan.envelopes[0].basis


def test_a_table_no_envelope_reads_does_not_mark_the_result_non_official() -> None:
    provenance = Provenance("test", dt.date(2020, 1, 1), DataStatus.DERIVED, "derived")
    table = IndicatorTable(("p",), (IndicatorRow("A", "a", (("p", 1),), provenance),))
    plan = plan_of({"id": "eq", "kind": "equal", "amount": "10"}, total="10")
    assert allocate(plan, [("A", "a")], table).non_official == ()
    proportional = plan_of({"id": "pop", "kind": "proportional", "amount": "10", "indicator": "p"})
    assert [n.recipient_id for n in allocate(proportional, [("A", "a")], table).non_official] == [
        "A"
    ]


def test_a_split_in_a_finer_unit_with_overrides_keeps_the_outcome_and_its_bounds() -> None:
    """Amounts in 2-cent units split in cents (a factor of 2), one recipient with its own
    shares: every part is counted in cents, and the outcome keeps the envelope's floor and cap."""
    split = [
        {"id": "a", "label": "A", "share": "1/3", "basis": "test"},
        {"id": "b", "label": "B", "share": "2/3", "basis": "test"},
    ]
    plan = plan_of(
        {
            "id": "e",
            "kind": "equal",
            "amount": "1.02",
            "floor": "0.10",
            "cap": "0.50",
            "split": split,
            "split_unit": "0.01",
            "split_overrides": {"R2": {"a": "1/2", "b": "1/2"}},
        },
        unit="0.02",
    )
    outcome = allocate(plan, [("R1", "One"), ("R2", "Two"), ("R3", "Three")]).outcomes[0]
    assert outcome.units == (17, 17, 17)  # 34 cents each
    assert outcome.parts == ((11, 17, 11), (23, 17, 23))  # R2: 17 + 17 cents, not 8 + 9
    assert (outcome.floor, outcome.cap) == (5, 25)  # in 2-cent units, as the envelope's


def test_a_bad_recipient_is_named_with_its_value_cut_to_80_characters() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "1.00"})
    long = ("b" * 100,)
    for bad, shown in ((long, repr(long)[:80]), ("ab", "'ab'")):
        with pytest.raises(InputError) as info:
            allocate(plan, [("a", "A"), bad])  # type: ignore[list-item]
        assert [(p.path, p.message) for p in info.value.problems] == [
            ("recipients[1]", f"expected an (id, name) pair of texts, got {shown}")
        ]
