"""The low-level apportionment functions: worked examples, ties, large inputs, paradoxes."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from conciliazione_core.allocation import (
    PURE_PYTHON_ENV,
    Rounding,
    Strategy,
    apportion,
    bounded_scale,
    floor_apportion,
    largest_remainder,
)
from conciliazione_core.allocation.rounding import _kth_largest
from conciliazione_core.money import Money


def reference(units: int, weights: list[int], ids: list[str]) -> list[int]:
    """Hamilton by the book: sort everybody by (remainder desc, id), hand out the leftover."""
    total = sum(weights)
    floors = [units * w // total for w in weights]
    remainders = [units * w % total for w in weights]  # over the common denominator `total`
    left = units - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], ids[i]))[:left]:
        floors[i] += 1
    return floors


def test_worked_example() -> None:
    # 10 units, weights 5:3:1 -> quotas 5.56, 3.33, 1.11; the leftover unit goes to a (0.56).
    assert largest_remainder(10, [5, 3, 1], ["a", "b", "c"]) == [6, 3, 1]
    assert floor_apportion(10, [5, 3, 1]) == [5, 3, 1]


def test_ties_go_to_the_smaller_id_whatever_the_input_order() -> None:
    assert largest_remainder(2, [1, 1, 1], ["c", "a", "b"]) == [0, 1, 1]
    assert largest_remainder(1, [1, 1], ["b", "a"]) == [0, 1]
    assert largest_remainder(1, [1, 1], ["a", "b"]) == [1, 0]
    # String order, not numeric: "10" < "9".
    assert largest_remainder(1, [1, 1], ["9", "10"]) == [0, 1]


def test_exact_division_needs_no_rounding() -> None:
    assert largest_remainder(300_000, [1] * 15, [f"{i:02d}" for i in range(15)]) == [20_000] * 15
    assert floor_apportion(300_000, [1] * 15) == [20_000] * 15


def test_zero_weights_get_nothing_and_zero_units_give_zeros() -> None:
    assert largest_remainder(7, [0, 3, 0, 4], ["a", "b", "c", "d"]) == [0, 3, 0, 4]
    assert largest_remainder(0, [0, 0], ["a", "b"]) == [0, 0]
    assert floor_apportion(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError, match="all zero"):
        largest_remainder(5, [], [])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        largest_remainder(3, [1, -1], ["a", "b"])
    with pytest.raises(ValueError, match="all zero"):
        floor_apportion(3, [0, 0])
    with pytest.raises(ValueError, match="non-negative int"):
        largest_remainder(-1, [1], ["a"])
    with pytest.raises(ValueError, match="2 weights but 1 ids"):
        largest_remainder(1, [1, 1], ["a"])
    with pytest.raises(ValueError, match="2 weights but 1 ids"):
        apportion(Rounding(), 1, [1, 1], ["a"])


def test_apportion_dispatches_on_the_strategy() -> None:
    ids = ["a", "b", "c"]
    assert apportion(Rounding(Strategy.LARGEST_REMAINDER), 10, [5, 3, 1], ids) == [6, 3, 1]
    assert apportion(Rounding(Strategy.FLOOR), 10, [5, 3, 1], ids) == [5, 3, 1]
    with pytest.raises(ValueError, match="more than zero"):
        Rounding(unit=Money(0))
    assert Rounding(unit=Money.parse("1")).describe() == "largest_remainder to 1.00"


@pytest.mark.parametrize("path", ["numpy", "pure-python"])
@pytest.mark.parametrize("seed", range(6))
def test_large_inputs_match_the_reference(
    seed: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the selection threshold, with many ties (small weights) or few (large weights);
    on the NumPy path (when installed) and in pure Python."""
    if path == "pure-python":
        monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    rng = random.Random(seed)
    n = 30_000
    high = [3, 50, 10**6][seed % 3]
    weights = [rng.randint(0, high) for _ in range(n)]
    ids = [f"R{rng.randrange(10**9):09d}-{i}" for i in range(n)]
    units = rng.choice([n // 3, n * 7 + 5, 2_800_000])
    got = largest_remainder(units, weights, ids)
    assert got == reference(units, weights, ids)
    assert sum(got) == units


@pytest.mark.parametrize(
    "values",
    [
        [5] * 30_000,
        list(range(30_000)),
        list(range(30_000, 0, -1)),
        [0, 1] * 15_000,
        [random.Random(1).randrange(10**12) for _ in range(30_000)],
    ],
    ids=["all-equal", "ascending", "descending", "two-values", "random"],
)
def test_selection_of_the_kth_largest(values: list[int]) -> None:
    ordered = sorted(values, reverse=True)
    for k in (1, 2, len(values) // 2, len(values) - 1, len(values)):
        assert _kth_largest(values, k) == ordered[k - 1]


def test_alabama_paradox_more_money_can_mean_less_for_one() -> None:
    """Largest remainder is not house-monotone (Balinski-Young): the third recipient gets 2 of
    10 units but only 1 of 11."""
    ids = ["a", "b", "c"]
    assert largest_remainder(10, [6, 6, 2], ids) == [4, 4, 2]
    assert largest_remainder(11, [6, 6, 2], ids) == [5, 5, 1]
    # Floor and report never takes anything away when the amount grows.
    assert floor_apportion(10, [6, 6, 2]) == [4, 4, 1]
    assert floor_apportion(11, [6, 6, 2]) == [4, 4, 1]


def test_population_paradox_a_recipient_whose_weight_did_not_change_can_gain() -> None:
    """c's weight grows from 21 to 29; b's stays 18 and its quota falls (1.58 -> 1.48), yet b
    gains a unit and a (also unchanged) loses one. c itself never loses (see the property
    tests: raising one's own weight never lowers one's own largest-remainder share)."""
    ids = ["a", "b", "c", "d"]
    before = largest_remainder(7, [30, 18, 21, 8], ids)
    after = largest_remainder(7, [30, 18, 29, 8], ids)
    assert before == [3, 1, 2, 1]
    assert after == [2, 2, 2, 1]
    assert Fraction(7 * 18, 85) > Fraction(7 * 18, 77 + 8 + 8)
    # Floor and report moves every other share with its quota: none of them rises.
    f_before = floor_apportion(7, [30, 18, 21, 8])
    f_after = floor_apportion(7, [30, 18, 29, 8])
    assert all(x >= y for x, y, i in zip(f_before, f_after, ids, strict=True) if i != "c")


def test_bounded_scale_worked_examples() -> None:
    # Cap 50: the third is held at 50, its 30 extra units go 1:1 to the others.
    assert bounded_scale(100, [1, 1, 8], 0, 50) == 25
    # Floor 20: the first two are raised to 20, the third takes the rest.
    scale = bounded_scale(100, [1, 1, 8], 20, None)
    assert [max(scale * w, 20) for w in (1, 1, 8)] == [20, 20, 60]
    # Zero weights sit at the floor.
    scale = bounded_scale(100, [0, 1, 3], 10, None)
    assert [max(scale * w, 10) for w in (0, 1, 3)] == [10, Fraction(45, 2), Fraction(135, 2)]
    # Nothing binds: the plain proportional scale.
    assert bounded_scale(90, [1, 2], 10, 80) == 30
    # Everyone capped: any scale that caps everybody.
    scale = bounded_scale(30, [1, 2, 3], 0, 10)
    assert [min(scale * w, 10) for w in (1, 2, 3)] == [10, 10, 10]
    with pytest.raises(ValueError, match="infeasible"):
        bounded_scale(100, [1, 1], 60, None)
    with pytest.raises(ValueError, match="add up to zero"):
        bounded_scale(100, [0, 0], 0, None)
