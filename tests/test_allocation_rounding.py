"""The low-level apportionment functions: worked examples, ties, large inputs, paradoxes, and
the NumPy path of largest remainder, which must give the pure-Python result unit for unit."""

from __future__ import annotations

import random
from fractions import Fraction
from importlib.util import find_spec

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    PURE_PYTHON_ENV,
    Rounding,
    Strategy,
    apportion,
    bounded_scale,
    floor_apportion,
    largest_remainder,
    numpy_or_none,
)
from conciliazione_core.allocation._rounding import _kth_largest
from conciliazione_core.allocation._vectorised import MIN_LENGTH, largest_remainder_int64


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


# ---- the NumPy path (allocation/vectorised.py): same results as pure Python ---------------------

INT64_MAX = 2**63 - 1
needs_numpy = pytest.mark.skipif(
    find_spec("numpy") is None, reason="NumPy is not installed (the `fast` extra)"
)


def pure(units: int, weights: list[int], ids: list[str]) -> list[int]:
    """The pure-Python method, with the NumPy path switched off for this one call."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PURE_PYTHON_ENV, "1")
        return largest_remainder(units, weights, ids)


def numpy_case(seed: int, n: int, high: int) -> tuple[list[int], list[str]]:
    """n weights up to ``high`` (small ``high``: many ties) and unique ids in a random order."""
    rng = random.Random(seed)
    weights = [rng.randint(0, high) for _ in range(n)]
    ids = [f"R{i:05d}" for i in range(n)]
    rng.shuffle(ids)
    return weights, ids


@needs_numpy
@settings(max_examples=150)
@given(
    seed=st.integers(0, 2**32),
    n=st.integers(MIN_LENGTH, MIN_LENGTH + 3_000),
    high=st.sampled_from([1, 2, 3, 7, 100, 10**6, 10**9]),
    units=st.integers(0, 10**10),
)
def test_the_numpy_path_gives_the_pure_python_result(
    seed: int, n: int, high: int, units: int
) -> None:
    weights, ids = numpy_case(seed, n, high)
    if not any(weights):
        weights[0] = 1
    fast = largest_remainder_int64(units, weights, ids, sum(weights))
    if max(weights) * units > INT64_MAX:
        assert fast is None, "a product could overflow int64: pure Python must take it"
        return
    assert fast is not None, "this input fits int64: the NumPy path must take it"
    assert all(type(x) is int for x in fast)
    assert fast == pure(units, weights, ids)
    assert largest_remainder(units, weights, ids) == fast
    assert sum(fast) == units


@needs_numpy
def test_ties_at_the_threshold_go_by_id_not_by_position() -> None:
    """3 units among 2,001 equal weights: ids R00000..R00002 win wherever they stand."""
    n = MIN_LENGTH + 1
    ids = [f"R{i:05d}" for i in range(n)][::-1]
    fast = largest_remainder_int64(3, [1] * n, ids, n)
    assert fast is not None
    assert [ids[i] for i, x in enumerate(fast) if x] == ["R00002", "R00001", "R00000"]


@needs_numpy
def test_what_might_overflow_int64_stays_in_pure_python() -> None:
    n = MIN_LENGTH
    weights = [1] * (n - 1) + [2**40]
    ids = [f"R{i:05d}" for i in range(n)]
    units = 2**23 + 1  # 2**40 x units > 2**63: an int64 product could wrap around
    assert largest_remainder_int64(units, weights, ids, sum(weights)) is None
    assert largest_remainder(units, weights, ids) == pure(units, weights, ids)
    assert sum(largest_remainder(units, weights, ids)) == units
    # A total beyond int64 also stays in Python, even when no product overflows.
    big = [2**62, 2**62] + [0] * (n - 2)
    assert largest_remainder_int64(1, big, ids, sum(big)) is None
    assert largest_remainder(1, big, ids) == pure(1, big, ids)


@needs_numpy
@pytest.mark.parametrize(
    ("units", "head"),
    [
        (1, INT64_MAX - (MIN_LENGTH - 1)),  # the total is exactly the int64 maximum
        (7, INT64_MAX // 7),  # 2**63 - 1 = 7 x 1,317,624,576,693,539,401: the largest product
    ],
    ids=["total-at-the-limit", "product-at-the-limit"],
)
def test_int64_is_used_up_to_its_last_value(units: int, head: int) -> None:
    n = MIN_LENGTH
    weights = [head] + [1] * (n - 1)
    ids = [f"R{i:05d}" for i in range(n)]
    assert max(weights) * units <= INT64_MAX
    assert sum(weights) <= INT64_MAX
    fast = largest_remainder_int64(units, weights, ids, sum(weights))
    assert fast is not None, "every product fits int64: the NumPy path must take it"
    assert fast == pure(units, weights, ids)


@needs_numpy
def test_largest_remainder_hands_long_lists_to_the_numpy_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from conciliazione_core.allocation import _rounding as rounding

    calls: list[int] = []

    def spy(units: int, weights: list[int], ids: list[str], total: int) -> list[int] | None:
        calls.append(len(weights))
        return largest_remainder_int64(units, weights, ids, total)

    monkeypatch.setattr(rounding, "largest_remainder_int64", spy)
    weights, ids = numpy_case(3, MIN_LENGTH, 50)
    assert largest_remainder(1000, weights, ids) == pure(1000, weights, ids)
    assert calls == [MIN_LENGTH, MIN_LENGTH]  # ours, then pure() which declines it by the switch


@needs_numpy
def test_a_large_total_with_small_weights_still_takes_the_numpy_path() -> None:
    """total x units overflows, but no single product does: exact in int64."""
    n = MIN_LENGTH
    weights = [2**40] * n
    ids = [f"R{i:05d}" for i in range(n)]
    units = 2**21 + 7
    assert sum(weights) * units > INT64_MAX >= max(weights) * units
    fast = largest_remainder_int64(units, weights, ids, sum(weights))
    assert fast is not None
    assert fast == pure(units, weights, ids)


@needs_numpy
def test_short_lists_and_the_switch_keep_pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    weights, ids = numpy_case(1, MIN_LENGTH - 1, 10)
    assert largest_remainder_int64(10**6, weights, ids, sum(weights)) is None
    weights, ids = numpy_case(1, MIN_LENGTH, 10)
    assert largest_remainder_int64(10**6, weights, ids, sum(weights)) is not None
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert numpy_or_none() is None
    assert largest_remainder_int64(10**6, weights, ids, sum(weights)) is None
    monkeypatch.setenv(PURE_PYTHON_ENV, "0")
    assert numpy_or_none() is not None
