"""The tests' own integer largest-remainder, independent of the engine it checks."""

from __future__ import annotations

__all__ = ["largest_remainder"]


def largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Whole units by largest remainder, ties by id, in integers only."""
    whole = sum(weights.values())
    floors = {k: total * w // whole for k, w in weights.items()}
    remainders = {k: total * w % whole for k, w in weights.items()}
    left = total - sum(floors.values())
    for k in sorted(weights, key=lambda k: (-remainders[k], k))[:left]:
        floors[k] += 1
    return floors
