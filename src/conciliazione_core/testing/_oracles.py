"""Independent oracles: the simplest exact way to compute what the engine computes fast.

A plugin's tests compare the engine's amounts with these, written in a few lines of integer
arithmetic and sharing no code with the engine, so that a bug in one is not in both.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["largest_remainder_oracle"]


def largest_remainder_oracle(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """``total`` whole units by largest remainder (Hamilton), ties by id, in integers only."""
    whole = sum(weights.values())
    floors = {k: total * w // whole for k, w in weights.items()}
    remainders = {k: total * w % whole for k, w in weights.items()}
    left = total - sum(floors.values())
    for k in sorted(weights, key=lambda k: (-remainders[k], k))[:left]:
        floors[k] += 1
    return floors
