"""Floors and caps: proportional quotas clamped to a minimum and a maximum per recipient.

What a cap cuts off from one recipient goes to the others in proportion to their weights, and
what a floor adds is taken from them in the same way, repeatedly until nothing moves. The fixed
point of that process has a closed form: every quota is ``clamp(λ × weight, floor, cap)`` for
the one scale ``λ`` at which the quotas add up to the envelope. This module finds ``λ`` exactly.

Worked example: 100 units, weights 1, 1, 8, cap 50. Unclamped quotas are 10, 10, 80; the third
is capped at 50 and the 30 it loses go to the others in proportion 1:1, giving 25, 25, 50 (that
is ``λ = 25``: 25×1, 25×1 and min(25×8, 50)).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from fractions import Fraction
from itertools import accumulate

__all__ = ["bounded_scale", "clamp"]


def clamp(value: Fraction, floor: int, cap: int | None) -> Fraction:
    """``value`` held between ``floor`` and ``cap`` (no cap when None)."""
    if value < floor:
        return Fraction(floor)
    if cap is not None and value > cap:
        return Fraction(cap)
    return value


def bounded_scale(units: int, weights: Sequence[int], floor: int, cap: int | None) -> Fraction:
    """The scale ``λ`` with ``Σ clamp(λ × w_i, floor, cap) == units``, exactly.

    The caller guarantees feasibility (``n × floor <= units <= n × cap``) and a positive total
    weight. The sum is continuous and non-decreasing in ``λ`` and linear between the points
    ``floor / w_i`` and ``cap / w_i``. With the weights sorted once, and their running sums, the
    sum at any ``λ = p / q`` takes two bisections and a few integer products (the recipients
    below ``floor × q / p`` are at the floor, those above ``cap × q / p`` at the cap); a binary
    search over the points finds the last one the sum does not exceed ``units`` at, and one
    division solves the segment after it. Integers only, no Fraction per recipient: O(n log n).
    Where the sum is flat at ``units`` (everyone at a bound) ``λ`` is that last point.

    >>> bounded_scale(100, [1, 1, 8], 0, 50)
    Fraction(25, 1)
    """
    n = len(weights)
    total = sum(weights)
    if total <= 0:
        raise ValueError("the weights add up to zero")
    if n * floor > units or (cap is not None and n * cap < units):
        raise ValueError("infeasible floor or cap")
    plain = Fraction(units, total)
    ordered = sorted(weights)
    zeros = bisect_right(ordered, 0)
    floor_binds = floor > 0 and (zeros > 0 or ordered[zeros] * units < floor * total)
    cap_binds = cap is not None and ordered[-1] * units > cap * total
    if not floor_binds and not cap_binds:
        return plain
    prefix = [0, *accumulate(ordered)]
    top = cap if cap is not None else 0

    def at_most_units(p: int, q: int) -> bool:
        """Whether the sum at ``λ = p / q > 0`` is at most ``units``: integers only."""
        low = bisect_right(ordered, floor * q // p)  # λ × w <= floor
        high = n if cap is None else max(low, bisect_left(ordered, -(-cap * q // p)))
        return (low * floor + (n - high) * top) * q + p * (prefix[high] - prefix[low]) <= units * q

    # The points floor / w and cap / w in increasing order are the positive weights in
    # decreasing order; on each list the sum grows with the point, so the points the sum does
    # not exceed ``units`` at are a prefix of it: find its last element by bisection.
    best_p, best_q = 0, 1
    for bound in (floor, cap):
        if not bound:
            continue
        lo, hi = zeros, n  # the smallest index j (largest point) with sum <= units
        while lo < hi:
            mid = (lo + hi) // 2
            if at_most_units(bound, ordered[mid]):
                hi = mid
            else:
                lo = mid + 1
        if lo < n and bound * best_q > best_p * ordered[lo]:
            best_p, best_q = bound, ordered[lo]
    # Just after the point: at the floor when λ × w < floor, at the cap when λ × w >= cap.
    if best_p:
        low = bisect_left(ordered, -(-floor * best_q // best_p))
        high = n if cap is None else max(low, bisect_left(ordered, -(-cap * best_q // best_p)))
    else:
        low, high = (n if floor else 0), n
    free_weight = prefix[high] - prefix[low]
    if free_weight == 0:
        return Fraction(best_p, best_q)
    return Fraction(units - low * floor - (n - high) * top, free_weight)
