"""The optional NumPy path of largest remainder gives the pure-Python result, unit for unit."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core.allocation import PURE_PYTHON_ENV, largest_remainder, numpy_or_none
from conciliazione_core.allocation.vectorised import MIN_LENGTH, largest_remainder_int64

pytest.importorskip("numpy")  # installed by `make test` (the `fast` extra)

INT64_MAX = 2**63 - 1


def pure(units: int, weights: list[int], ids: list[str]) -> list[int]:
    """The pure-Python method, with the NumPy path switched off for this one call."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PURE_PYTHON_ENV, "1")
        return largest_remainder(units, weights, ids)


def case(seed: int, n: int, high: int) -> tuple[list[int], list[str]]:
    """n weights up to ``high`` (small ``high``: many ties) and unique ids in a random order."""
    rng = random.Random(seed)
    weights = [rng.randint(0, high) for _ in range(n)]
    ids = [f"R{i:05d}" for i in range(n)]
    rng.shuffle(ids)
    return weights, ids


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
    weights, ids = case(seed, n, high)
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


def test_ties_at_the_threshold_go_by_id_not_by_position() -> None:
    """3 units among 2,001 equal weights: ids R00000..R00002 win wherever they stand."""
    n = MIN_LENGTH + 1
    ids = [f"R{i:05d}" for i in range(n)][::-1]
    fast = largest_remainder_int64(3, [1] * n, ids, n)
    assert fast is not None
    assert [ids[i] for i, x in enumerate(fast) if x] == ["R00002", "R00001", "R00000"]


def test_what_might_overflow_int64_stays_in_pure_python() -> None:
    n = MIN_LENGTH
    weights = [1] * (n - 1) + [2**40]
    ids = [f"R{i:05d}" for i in range(n)]
    units = 2**23 + 1  # 2**40 x units > 2**63: an int64 product could wrap around
    assert largest_remainder_int64(units, weights, ids, sum(weights)) is None
    assert largest_remainder(units, weights, ids) == pure(units, weights, ids)
    assert sum(largest_remainder(units, weights, ids)) == units
    # A total beyond int64 also stays in Python.
    assert largest_remainder_int64(1, [2**62, 2**62], ["a", "b"] * (n // 2), 2**63) is None


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


def test_short_lists_and_the_switch_keep_pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    weights, ids = case(1, MIN_LENGTH - 1, 10)
    assert largest_remainder_int64(10**6, weights, ids, sum(weights)) is None
    weights, ids = case(1, MIN_LENGTH, 10)
    assert largest_remainder_int64(10**6, weights, ids, sum(weights)) is not None
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert numpy_or_none() is None
    assert largest_remainder_int64(10**6, weights, ids, sum(weights)) is None
    monkeypatch.setenv(PURE_PYTHON_ENV, "0")
    assert numpy_or_none() is not None
