"""Reading an allocation plan from parameter data: the two cycles' plans, and every error path."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from conciliazione_core._errors import InputError
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    AllocationPlan,
    Combine,
    EqualEnvelope,
    FixedEnvelope,
    Order,
    ProportionalEnvelope,
    RetainedEnvelope,
    Rounding,
    Strategy,
    format_share,
    indicators_of,
    parse_allocation,
    parse_fraction,
)

CITATIONS = {
    "dgr_2398": LegalBasis("D.G.R. XI/2398 of 11/11/2019"),
    "brianza_plan": LegalBasis("ATS Brianza plan 2020-2023", evidence=Evidence.INFERENCE),
    "dgr_1081": LegalBasis("D.G.R. X/1081 of 12/12/2013"),
}

PLAN_2020 = """
[allocation]
total = "3000000"
rounding = { strategy = "largest_remainder", unit = "1" }
[[allocation.envelopes]]
id = "ats"
kind = "proportional"
label = "Funds to the ATS networks, by resident population"
amount = "2800000"
indicator = "resident_2019_01_01"
basis = "dgr_2398"
split = [ { id = "projects", label = "Alliance projects", share = "80%", basis = "brianza_plan" },
          { id = "system_action", label = "System action", share = "20%", basis = "brianza_plan" } ]
[[allocation.envelopes]]
id = "region"
kind = "retained"
label = "Kept by the Region for harmonisation actions"
amount = "200000"
basis = "dgr_2398"
"""


def data_2020() -> dict[str, Any]:
    return tomllib.loads(PLAN_2020)["allocation"]  # type: ignore[no-any-return]


def data_2014(training: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "total": "3639500",
        "rounding": {"strategy": "largest_remainder", "unit": "0.01"},
        "envelopes": [
            training
            or {
                "id": "training",
                "kind": "equal",
                "label": "Training",
                "amount": "300000",
                "basis": "dgr_1081",
            },
            {
                "id": "action_plans",
                "kind": "proportional",
                "label": "Action plans",
                "amount": "3339500",
                "indicator": "population_2011",
                "basis": "dgr_1081",
            },
        ],
    }


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as error:
        parse_allocation(data, CITATIONS)
    return [str(p) for p in error.value.problems]


# ---- the two cycles ------------------------------------------------------------------------------


def test_the_2020_plan_parses_into_frozen_data() -> None:
    plan = parse_allocation(data_2020(), CITATIONS)
    assert plan.total == Money.euros(3_000_000)
    assert plan.rounding == Rounding(Strategy.LARGEST_REMAINDER, Money.euros(1))
    assert plan.order is Order.ID
    ats, region = plan.envelopes
    assert isinstance(ats, ProportionalEnvelope)
    assert ats.weights == (("resident_2019_01_01", Fraction(1)),)
    assert ats.single_indicator == "resident_2019_01_01"
    assert ats.basis == CITATIONS["dgr_2398"]
    assert ats.citation == "dgr_2398"
    assert ats.split is not None
    assert [(p.id, p.share, p.citation) for p in ats.split.parts] == [
        ("projects", Fraction(4, 5), "brianza_plan"),
        ("system_action", Fraction(1, 5), "brianza_plan"),
    ]
    assert ats.split.shares_for("ATS-BRIANZA") == (Fraction(4, 5), Fraction(1, 5))
    assert isinstance(region, RetainedEnvelope)
    assert region.amount == Money.euros(200_000)
    with pytest.raises(AttributeError):
        plan.total = Money(0)  # type: ignore[misc]
    assert indicators_of(plan) == ("resident_2019_01_01",)
    assert plan.envelope("region") is region
    with pytest.raises(KeyError, match="known: ats, region"):
        plan.envelope("nope")


def test_the_2014_plan_parses_with_an_equal_or_a_fixed_training_envelope() -> None:
    equal = parse_allocation(data_2014(), CITATIONS)
    assert isinstance(equal.envelopes[0], EqualEnvelope)
    assert equal.rounding.unit == Money.parse("0.01")
    fixed = parse_allocation(
        data_2014(
            {
                "id": "training",
                "kind": "fixed",
                "label": "Training",
                "per_recipient": "20000",
                "basis": "dgr_1081",
            }
        ),
        CITATIONS,
    )
    training = fixed.envelopes[0]
    assert isinstance(training, FixedEnvelope)
    assert training.per_recipient == Money.euros(20_000)
    assert training.amount is None  # 15 × 20,000 is checked once the recipients are known
    with_amount = parse_allocation(
        data_2014(
            {
                "id": "training",
                "kind": "fixed",
                "label": "Training",
                "per_recipient": "20000",
                "amount": "300000",
                "basis": "dgr_1081",
            }
        ),
        CITATIONS,
    )
    assert with_amount.envelopes[0].amount == Money.euros(300_000)


def test_everything_optional_is_read() -> None:
    data = {
        "total": "1000",
        "order": "input",
        "rounding": {"strategy": "floor"},
        "envelopes": [
            {
                "id": "p",
                "kind": "proportional",
                "label": "P",
                "amount": "1000",
                "basis": "dgr_2398",
                "weights": {"pop": "0.7", "area": "3/10"},
                "combine": "raw",
                "floor": "10",
                "cap": "900",
                "note": "a note",
                "rounding": {"unit": "1"},
                "split": [
                    {"id": "a", "label": "A", "share": "1/3"},
                    {"id": "b", "label": "B", "share": "2/3"},
                ],
                "split_overrides": {"X": {"a": "50%", "b": "0.5"}},
                "tranches": [
                    {"id": "2020", "label": "first year", "share": "4/14"},
                    {"id": "2021", "share": "10/14"},
                ],
            }
        ],
    }
    plan = parse_allocation(data, CITATIONS)
    assert plan.order is Order.INPUT
    assert plan.rounding == Rounding(Strategy.FLOOR, Money(1))
    (p,) = plan.envelopes
    assert isinstance(p, ProportionalEnvelope)
    assert p.weights == (("pop", Fraction(7, 10)), ("area", Fraction(3, 10)))
    assert p.single_indicator is None
    assert p.combine is Combine.RAW
    assert (p.floor, p.cap, p.note) == (Money.euros(10), Money.euros(900), "a note")
    assert p.rounding == Rounding(Strategy.FLOOR, Money.euros(1))  # strategy from the plan
    assert plan.rounding_for(p) == p.rounding
    assert p.split is not None
    assert p.split.parts[0].basis == CITATIONS["dgr_2398"]  # inherited from the envelope
    assert p.split.shares_for("X") == (Fraction(1, 2), Fraction(1, 2))
    assert p.split.shares_for("Y") == (Fraction(1, 3), Fraction(2, 3))
    assert [(t.id, t.label, t.share) for t in p.tranches] == [
        ("2020", "first year", Fraction(2, 7)),
        ("2021", None, Fraction(5, 7)),
    ]


def test_combine_defaults_to_shares() -> None:
    data = data_2014()
    data["envelopes"][1] = {
        "id": "action_plans",
        "kind": "proportional",
        "label": "x",
        "amount": "3339500",
        "weights": {"pop": 1, "area": 1},
        "basis": "dgr_1081",
    }
    envelope = parse_allocation(data, CITATIONS).envelopes[1]
    assert isinstance(envelope, ProportionalEnvelope)
    assert envelope.combine is Combine.SHARES


# ---- exact numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("80%", Fraction(4, 5)),
        ("4/5", Fraction(4, 5)),
        ("0.8", Fraction(4, 5)),
        (1, Fraction(1)),
        ("12.5%", Fraction(1, 8)),
        (Decimal("0.25"), Fraction(1, 4)),
        (Fraction(2, 7), Fraction(2, 7)),
        (" 4 / 14 ", Fraction(2, 7)),
        ("1000", Fraction(1000)),
    ],
)
def test_fractions_are_exact(text: object, value: Fraction) -> None:
    assert parse_fraction(text) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.8, "floating-point number"),
        (True, "got a boolean"),
        ("abc", "is not an exact number"),
        ("1/0", "denominator must be more than zero"),
        ("-1", "is negative"),
        ("nan", "is not an exact number"),
        ("inf%", "is not an exact number"),
        (Decimal("NaN"), "not a finite number"),
        ([1], "expected a number as a string"),
        ("120%", "more than 100%"),
        # The one number grammar (issue 15): underscores refused, sizes bounded.
        ("1_000", "is not an exact number"),
        ("_8_0_%", "is not an exact number"),
        ("1__0", "is not an exact number"),
        ("1" * 4400 + "%", "more than 30 digits"),
        ("1/" + "7" * 4400, "more than 30 digits"),
        (Decimal("1e-999999999"), "too large or has too many decimals"),
        (Decimal("1E+999999"), "too large or has too many decimals"),
        (10**4400, "more than 30 digits"),
    ],
    ids=lambda v: repr(v)[:30] if not isinstance(v, int) or v.bit_length() < 100 else "huge-int",
)
def test_fraction_errors(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        parse_fraction(value, "$.x", at_most_one=True)
    assert error.value.problems[0].path == "$.x"


def test_format_share() -> None:
    assert format_share(Fraction(4, 5)) == "80%"
    assert format_share(Fraction(1, 8)) == "12.5%"
    assert format_share(Fraction(2, 7)) == "2/7"
    assert format_share(Fraction(1)) == "100%"


# ---- every error path, with its path -------------------------------------------------------------


def with_envelope(**fields: Any) -> dict[str, Any]:
    envelope = {"id": "e", "kind": "equal", "label": "E", "amount": "100", "basis": "dgr_2398"}
    envelope.update(fields)
    envelope = {k: v for k, v in envelope.items() if v is not None}
    return {"total": "100", "envelopes": [envelope]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"total": "1", "envelopes": [], "extra": 1},
            [
                "$.allocation.extra: unknown key 'extra' for the allocation; allowed: total, rounding, "
                "envelopes, order",
                "$.allocation.envelopes: expected a non-empty list of envelopes",
            ],
        ),
        (
            {"envelopes": "x"},
            [
                "$.allocation.total: missing",
                "$.allocation.envelopes: expected a non-empty list of envelopes",
            ],
        ),
        (
            {"total": 3000000.0, "envelopes": [1]},
            [
                "$.allocation.total: amount 3000000.0 is a floating-point number, which cannot hold "
                'cents exactly; write it as a string, e.g. "3000000.00"',
                "$.allocation.envelopes[0]: expected a table",
            ],
        ),
        (
            {**with_envelope(), "rounding": {"strategy": "bankers", "unit": "0", "x": 1}},
            [
                "$.allocation.rounding.x: unknown key 'x' for rounding; allowed: strategy, unit",
                "$.allocation.rounding.strategy: unknown strategy 'bankers'; choose one of: "
                "largest_remainder, floor",
                "$.allocation.rounding.unit: the unit must be more than zero",
            ],
        ),
        (
            {**with_envelope(), "rounding": "cents"},
            ["$.allocation.rounding: expected a table of keys and values"],
        ),
        (
            {**with_envelope(), "order": "random"},
            ["$.allocation.order: unknown order 'random'; choose one of: id, input"],
        ),
        (
            with_envelope(kind=None),
            [
                "$.allocation.envelopes[0].kind: missing; choose one of: retained, fixed, equal, "
                "proportional"
            ],
        ),
        (
            with_envelope(kind="lottery"),
            [
                "$.allocation.envelopes[0].kind: unknown kind 'lottery'; choose one of: retained, "
                "fixed, equal, proportional"
            ],
        ),
        (
            with_envelope(id=None, label="", basis=None, note=3),
            [
                "$.allocation.envelopes[0].id: missing",
                "$.allocation.envelopes[0].label: expected a non-empty string",
                "$.allocation.envelopes[0].basis: missing",
                "$.allocation.envelopes[0].note: expected a non-empty string",
            ],
        ),
        (
            with_envelope(basis="dgr_9999"),
            [
                "$.allocation.envelopes[0].basis: unknown citation 'dgr_9999'; known: brianza_plan, "
                "dgr_1081, dgr_2398"
            ],
        ),
        (
            with_envelope(kind="retained", split=[]),
            [
                "$.allocation.envelopes[0].split: unknown key 'split' for a 'retained' envelope; "
                "allowed: id, kind, label, basis, note, amount"
            ],
        ),
        (with_envelope(amount="-5"), ["$.allocation.envelopes[0].amount: amount '-5' is negative"]),
        (
            with_envelope(amount="1.005"),
            ["$.allocation.envelopes[0].amount: amount '1.005' has more than two decimals"],
        ),
        (
            {**with_envelope(amount="100.50"), "total": "100.50", "rounding": {"unit": "1"}},
            [
                "$.allocation.envelopes[0].amount: €100.50 is not a whole number of rounding units of "
                "€1.00"
            ],
        ),
        (
            with_envelope(floor="60", cap="50"),
            ["$.allocation.envelopes[0].floor: the floor €60.00 is above the cap €50.00"],
        ),
        (
            with_envelope(floor="101"),
            [
                "$.allocation.envelopes[0].floor: the floor €101.00 is more than the whole envelope "
                "€100.00"
            ],
        ),
        (
            with_envelope(cap="0"),
            ["$.allocation.envelopes[0].cap: a cap of zero cannot hand out €100.00"],
        ),
        (
            with_envelope(kind="fixed", amount="100", per_recipient=None),
            ["$.allocation.envelopes[0].per_recipient: missing"],
        ),
        (
            with_envelope(kind="fixed", amount="100", per_recipient="30"),
            [
                "$.allocation.envelopes[0].amount: €100.00 is not a whole multiple of the amount per "
                "recipient €30.00"
            ],
        ),
        (
            with_envelope(kind="fixed", amount="100", per_recipient="0"),
            [
                "$.allocation.envelopes[0].amount: a fixed envelope of zero per recipient cannot "
                "amount to €100.00"
            ],
        ),
        (
            with_envelope(kind="fixed", amount="100", per_recipient="50", floor="1"),
            [
                "$.allocation.envelopes[0].floor: unknown key 'floor' for a 'fixed' envelope; "
                "allowed: id, kind, label, basis, note, per_recipient, amount, split, "
                "split_overrides, split_unit, tranches, rounding"
            ],
        ),
        (
            with_envelope(kind="proportional"),
            [
                "$.allocation.envelopes[0]: a proportional envelope needs exactly one of indicator = "
                '"name" or weights = { name = "share", ... }'
            ],
        ),
        (
            with_envelope(kind="proportional", indicator="pop", weights={"pop": 1}),
            [
                "$.allocation.envelopes[0]: a proportional envelope needs exactly one of indicator = "
                '"name" or weights = { name = "share", ... }'
            ],
        ),
        (
            with_envelope(kind="proportional", weights={}),
            ["$.allocation.envelopes[0].weights: expected at least one indicator"],
        ),
        (
            with_envelope(kind="proportional", weights={"pop": 0.7, "area": "-1"}),
            [
                "$.allocation.envelopes[0].weights.pop: 0.7 is a floating-point number, which is not "
                'exact; write it as a string: "0.8", "4/5" or "80%"',
                "$.allocation.envelopes[0].weights.area: '-1' is negative",
            ],
        ),
        (
            with_envelope(kind="proportional", weights={"pop": "0", "area": 0}),
            ["$.allocation.envelopes[0].weights: the weights are all zero"],
        ),
        (
            with_envelope(kind="proportional", indicator="pop", combine="mean"),
            ["$.allocation.envelopes[0].combine: unknown value 'mean'; choose one of: shares, raw"],
        ),
        (
            with_envelope(kind="proportional", indicator=""),
            ["$.allocation.envelopes[0].indicator: expected a non-empty string"],
        ),
        (
            with_envelope(split="80/20"),
            ["$.allocation.envelopes[0].split: expected a non-empty list of parts"],
        ),
        (
            with_envelope(
                split=[
                    {"id": "a", "label": "A", "share": "80%"},
                    {"id": "b", "label": "B", "share": "15%"},
                ]
            ),
            ["$.allocation.envelopes[0].split: the shares add up to 95%, not exactly 100%"],
        ),
        (
            with_envelope(
                split=[
                    {"id": "a", "label": "A", "share": "1/3"},
                    {"id": "a", "share": "150%", "basis": "x", "y": 1},
                    "z",
                ]
            ),
            [
                "$.allocation.envelopes[0].split[1].y: unknown key 'y' for a split part; allowed: id, "
                "label, share, basis",
                "$.allocation.envelopes[0].split[1].label: missing",
                "$.allocation.envelopes[0].split[1].share: '150%' is more than 100%",
                "$.allocation.envelopes[0].split[1].basis: unknown citation 'x'; known: brianza_plan, "
                "dgr_1081, dgr_2398",
                "$.allocation.envelopes[0].split[1].id: duplicate part id 'a'",
                "$.allocation.envelopes[0].split[2]: expected a table",
            ],
        ),
        (
            with_envelope(split=[{"id": "a", "label": "A"}]),
            ["$.allocation.envelopes[0].split[0].share: missing"],
        ),
        (
            with_envelope(split_overrides={"X": {"a": "1"}}),
            ["$.allocation.envelopes[0].split_overrides: split_overrides needs a split"],
        ),
        (
            with_envelope(
                split=[
                    {"id": "a", "label": "A", "share": "1/2"},
                    {"id": "b", "label": "B", "share": "1/2"},
                ],
                split_overrides={
                    "X": {"a": "70%", "c": "30%"},
                    "Y": {"a": "70%", "b": "20%"},
                    "Z": "all",
                },
            ),
            [
                "$.allocation.envelopes[0].split_overrides.X.c: unknown split part; the parts are: a, b",
                "$.allocation.envelopes[0].split_overrides.X.b: missing: an override gives every part "
                "its share",
                "$.allocation.envelopes[0].split_overrides.Y: the shares add up to 90%, not exactly "
                "100%",
                "$.allocation.envelopes[0].split_overrides.Z: expected a table: part id -> share",
            ],
        ),
        (
            with_envelope(
                tranches=[
                    {"id": "2020", "share": "1/3"},
                    {"id": "2020", "share": "1/3"},
                    {"id": "2022"},
                ]
            ),
            [
                "$.allocation.envelopes[0].tranches[1].id: duplicate tranche id '2020'",
                "$.allocation.envelopes[0].tranches[2].share: missing",
            ],
        ),
        (
            with_envelope(
                tranches=[{"id": "2020", "share": "4/14"}, {"id": "2021", "share": "9/14"}]
            ),
            ["$.allocation.envelopes[0].tranches: the shares add up to 13/14, not exactly 100%"],
        ),
        (
            with_envelope(tranches=[]),
            ["$.allocation.envelopes[0].tranches: expected a non-empty list of tranches"],
        ),
        (
            with_envelope(tranches=[{"id": "a", "share": "1", "when": 2020}]),
            [
                "$.allocation.envelopes[0].tranches[0].when: unknown key 'when' for a tranche; "
                "allowed: id, label, share"
            ],
        ),
        (
            with_envelope(
                split=[{"id": "a", "label": "A", "share": "1"}],
                tranches=[{"id": "a", "share": "1"}],
            ),
            ["$.allocation.envelopes[0].tranches: tranche ids must differ from split part ids: a"],
        ),
        (
            {**with_envelope(), "total": "99"},
            ["$.allocation.total: the envelopes add up to €100.00 but the total is €99.00"],
        ),
    ],
)
def test_errors_name_every_bad_field(data: dict[str, Any], expected: list[str]) -> None:
    assert problems_of(data) == expected


def test_duplicate_envelope_ids() -> None:
    data = with_envelope()
    data["envelopes"].append(copy.deepcopy(data["envelopes"][0]))
    data["total"] = "200"
    assert problems_of(data) == [
        "$.allocation.envelopes[1].id: duplicate envelope id 'e' (first at envelopes[0])"
    ]


def test_a_custom_path_prefix_and_a_non_mapping() -> None:
    with pytest.raises(InputError) as error:
        parse_allocation({"total": "1"}, CITATIONS, path="$.cycles[2].allocation")
    assert error.value.problems[0].path == "$.cycles[2].allocation.envelopes"
    with pytest.raises(InputError, match="expected a table"):
        parse_allocation([], CITATIONS)  # type: ignore[arg-type]


def test_an_envelope_with_a_bad_basis_reports_only_that() -> None:
    """A split part without its own basis would inherit the bad one: no second, confusing
    problem about the split."""
    data = with_envelope(basis="nope", split=[{"id": "a", "label": "A", "share": "1"}])
    assert problems_of(data) == [
        "$.allocation.envelopes[0].basis: unknown citation 'nope'; known: brianza_plan, "
        "dgr_1081, dgr_2398"
    ]


def test_the_classes_check_their_own_invariants() -> None:
    """Plans built in code (not parsed) are checked too."""
    from conciliazione_core.allocation import Split, SplitPart, Tranche

    basis = CITATIONS["dgr_2398"]
    part = SplitPart(id="a", label="A", share=Fraction(1, 2), basis=basis, citation="dgr_2398")
    with pytest.raises(ValueError, match="not exactly 1"):
        Split(parts=(part,))
    with pytest.raises(ValueError, match="unique"):
        Split(parts=(part, part))
    other = SplitPart(id="b", label="B", share=Fraction(1, 2), basis=basis, citation="dgr_2398")
    with pytest.raises(ValueError, match="one share per part"):
        Split(parts=(part, other), overrides=(("X", (Fraction(1),)),))
    with pytest.raises(ValueError, match="tranche ids must be unique"):
        EqualEnvelope(
            id="e",
            label="E",
            amount=Money(1),
            basis=basis,
            citation="dgr_2398",
            tranches=(Tranche(id="t", share=Fraction(1, 2)),) * 2,
        )
    with pytest.raises(ValueError, match="above cap"):
        EqualEnvelope(
            id="e",
            label="E",
            amount=Money(1),
            basis=basis,
            citation="dgr_2398",
            floor=Money(2),
            cap=Money(1),
        )
    with pytest.raises(ValueError, match="not all zero"):
        ProportionalEnvelope(
            id="p",
            label="P",
            amount=Money(1),
            weights=(("x", Fraction(0)),),
            basis=basis,
            citation="dgr_2398",
        )
    retained = RetainedEnvelope(
        id="r", label="R", amount=Money(1), basis=basis, citation="dgr_2398"
    )
    with pytest.raises(ValueError, match="envelope ids must be unique"):
        AllocationPlan(total=Money(2), envelopes=(retained, retained))


@pytest.mark.parametrize("text", ["1e999999999", "1e999999999%", "1e3", "٣/٤", "9" * 41])
def test_exponents_and_oversized_numbers_are_refused_quickly(text: str) -> None:
    """Decimal would take "1e999999999" exactly: an integer of a billion digits."""
    with pytest.raises(InputError, match=r"is not an exact number|30 digits"):
        parse_fraction(text)
    with pytest.raises(InputError, match="too large or has too many decimals"):
        parse_fraction(Decimal("1e999999999"))
