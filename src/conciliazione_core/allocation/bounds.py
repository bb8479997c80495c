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

from collections.abc import Sequence
from fractions import Fraction

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
    ``floor / w_i`` and ``cap / w_i``, so a binary search over those points finds the segment
    and one division solves it.

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
    positive = [w for w in weights if w > 0]
    floor_binds = floor > 0 and (len(positive) < n or min(positive) * units < floor * total)
    cap_binds = cap is not None and max(positive) * units > cap * total
    if not floor_binds and not cap_binds:
        return plain

    def scaled_sum(p: int, q: int) -> int:
        """``q × Σ clamp((p/q) × w_i)``: integers only."""
        low, high = floor * q, (cap * q if cap is not None else None)
        s = 0
        for w in weights:
            x = p * w
            if x < low:
                x = low
            elif high is not None and x > high:
                x = high
            s += x
        return s

    points = {Fraction(0)}
    for w in set(positive):
        if floor:
            points.add(Fraction(floor, w))
        if cap is not None:
            points.add(Fraction(cap, w))
    ordered = sorted(points)
    lo, hi = 0, len(ordered) - 1  # invariant: sum at ordered[lo] <= units
    if (
        scaled_sum(ordered[hi].numerator, ordered[hi].denominator)
        <= units * ordered[hi].denominator
    ):
        lo = hi
    else:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            point = ordered[mid]
            if scaled_sum(point.numerator, point.denominator) <= units * point.denominator:
                lo = mid
            else:
                hi = mid
    start = ordered[lo]
    probe = (start + ordered[lo + 1]) / 2 if lo + 1 < len(ordered) else start + 1
    fixed = Fraction(0)
    free_weight = 0
    for w in weights:
        x = probe * w
        if x <= floor:
            fixed += floor
        elif cap is not None and x >= cap:
            fixed += cap
        else:
            free_weight += w
    if free_weight == 0:
        return start
    return (units - fixed) / free_weight
