"""Apportionment: turning exact quotas into whole units of money.

An allocation first computes every recipient's exact quota (a fraction of a unit), then a named
rounding strategy turns the quotas into whole units (cents, or whole euros). The two strategies:

* **largest remainder** (Hamilton): each recipient gets the floor of its quota, then the units
  left over go one each to the largest remainders; ties are broken by recipient id in string
  order (the smaller id first), never by input order, so that shuffling the input changes
  nothing. The shares add up exactly to the amount.
* **floor and report**: each recipient gets the floor of its quota; what is left is reported as
  an explicit unallocated amount.

Worked example: 10 units among weights 5, 3, 1 (ids a, b, c). The quotas are 10×5/9 = 5.56,
10×3/9 = 3.33 and 10×1/9 = 1.11; floors 5, 3, 1 (9 units); the one unit left goes to the largest
remainder, a (0.56), so the result is 6, 3, 1. Floor and report gives 5, 3, 1 and 1 unallocated.

The functions here work on plain lists of ints so that a million recipients take well under a
second; the quotas are ``units × weight / sum(weights)`` computed exactly with integer division.
When NumPy is installed, long lists go through the same integer arithmetic on ``int64`` arrays
(:mod:`.vectorised`), with the same result.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Sequence
from math import isqrt

import attrs

from conciliazione_core._money import Money
from conciliazione_core.allocation._vectorised import largest_remainder_int64

__all__ = ["Rounding", "Strategy", "apportion", "floor_apportion", "largest_remainder"]

# Below this size, sorting all the remainders is as fast as selecting the threshold.
_SELECT_THRESHOLD = 20_000
_SAMPLE = 4_096


class Strategy(enum.Enum):
    """How exact quotas become whole units."""

    LARGEST_REMAINDER = "largest_remainder"
    """Floors, then the leftover units to the largest remainders (ties by id)."""
    FLOOR = "floor"
    """Floors; the leftover is reported as unallocated."""


def _positive_unit(_instance: object, _attribute: object, value: Money) -> None:
    if not value.cents:
        raise ValueError("the rounding unit must be more than zero")


@attrs.frozen
class Rounding:
    """A rounding strategy and the unit it rounds to (``Money.parse("0.01")`` is one cent)."""

    strategy: Strategy = Strategy.LARGEST_REMAINDER
    unit: Money = attrs.field(default=Money(1), validator=_positive_unit)

    def describe(self) -> str:
        """``largest_remainder to 1.00`` (for logs and errors)."""
        return f"{self.strategy.value} to {self.unit}"


def _check(units: int, weights: Sequence[int]) -> int:
    if type(units) is not int or units < 0:
        raise ValueError(f"units must be a non-negative int, not {units!r}")
    if weights and min(weights) < 0:
        raise ValueError("weights must not be negative")
    total = sum(weights)
    if total == 0 and units:
        raise ValueError("cannot apportion among weights that are all zero")
    return total


def floor_apportion(units: int, weights: Sequence[int]) -> list[int]:
    """Each share is the floor of its exact quota ``units × w / sum(w)``.

    The shares add up to at most ``units``; the caller reports the difference as unallocated.

    >>> floor_apportion(10, [5, 3, 1])
    [5, 3, 1]
    """
    return _floor(units, weights, _check(units, weights))


def _floor(units: int, weights: Sequence[int], total: int) -> list[int]:
    if units == 0:
        return [0] * len(weights)
    return list(map(total.__rfloordiv__, map(units.__mul__, weights)))


def largest_remainder(units: int, weights: Sequence[int], ids: Sequence[str]) -> list[int]:
    """Split ``units`` in proportion to ``weights`` by the largest-remainder (Hamilton) method.

    Each share is the floor or the ceiling of its exact quota ``units × w / sum(w)`` and the
    shares add up to ``units`` exactly. Ties between equal remainders go to the smaller id in
    string order; ``ids`` must be unique (only the tied ones are compared).

    >>> largest_remainder(10, [5, 3, 1], ["a", "b", "c"])
    [6, 3, 1]
    >>> largest_remainder(2, [1, 1, 1], ["c", "a", "b"])  # a three-way tie: a and b win
    [0, 1, 1]
    """
    if len(ids) != len(weights):
        raise ValueError(f"{len(weights)} weights but {len(ids)} ids")
    return _largest_remainder(units, weights, ids, _check(units, weights))


def _largest_remainder(
    units: int, weights: Sequence[int], ids: Sequence[str], total: int
) -> list[int]:
    """:func:`largest_remainder` on checked input (``total == sum(weights) > 0``)."""
    n = len(weights)
    if units == 0:
        return [0] * n
    fast = largest_remainder_int64(units, weights, ids, total)  # NumPy, if installed
    if fast is not None:
        return fast
    products = list(map(units.__mul__, weights))
    floors = list(map(total.__rfloordiv__, products))
    remainders = list(map(total.__rmod__, products))
    del products
    left = units - sum(floors)
    if left == 0:
        return floors
    threshold = _kth_largest(remainders, left)
    above = sum(map(threshold.__lt__, remainders))
    tied_wanted = left - above
    if remainders.count(threshold) == tied_wanted:
        # Everyone at the threshold gets a unit: no tie to break.
        return list(map(operator.add, floors, map(threshold.__le__, remainders)))
    result = list(map(operator.add, floors, map(threshold.__lt__, remainders)))
    tied = [i for i, r in enumerate(remainders) if r == threshold]
    tied.sort(key=ids.__getitem__)
    for i in tied[:tied_wanted]:
        result[i] += 1
    return result


def _kth_largest(values: list[int], k: int) -> int:
    """The k-th largest value (1-based) without sorting everything when the list is long.

    A strided sample brackets the wanted rank; only the values inside the bracket are sorted.
    The sample only affects speed: if the bracket misses, it falls back to a full sort.
    """
    n = len(values)
    rank = n - k  # 0-based position in ascending order
    if n <= _SELECT_THRESHOLD:
        return sorted(values)[rank]
    sample = sorted(values[:: max(1, n // _SAMPLE)])
    m = len(sample)
    middle = rank * m // n
    margin = 4 * isqrt(m) + 8
    low = sample[max(0, middle - margin)]
    high = sample[min(m - 1, middle + margin)]
    below = sum(map(low.__gt__, values))
    if below <= rank:
        inside = [v for v in values if low <= v <= high]
        if rank < below + len(inside):
            inside.sort()
            return inside[rank - below]
    return sorted(values)[rank]


def apportion(
    rounding: Rounding,
    units: int,
    weights: Sequence[int],
    ids: Sequence[str],
    total: int | None = None,
) -> list[int]:
    """Apportion with the named strategy (largest remainder or floor).

    Pass ``total`` (the sum of the weights, which must then be non-negative ints with a positive
    sum) to skip the checks when the caller already knows them, as the engine does.
    """
    if total is None:
        if len(ids) != len(weights):
            raise ValueError(f"{len(weights)} weights but {len(ids)} ids")
        total = _check(units, weights)
    if rounding.strategy is Strategy.FLOOR:
        return _floor(units, weights, total)
    return _largest_remainder(units, weights, ids, total)
