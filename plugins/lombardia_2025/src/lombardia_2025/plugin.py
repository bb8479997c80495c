"""Registers the lombardia-2025 cycle with conciliazione-core.

All of the cycle's rules are in ``cycle.toml`` beside this module; this file only hands it over.
"""

from __future__ import annotations

from importlib.resources import files

from conciliazione_core import Cycle, hookimpl, load_cycle

__all__ = ["conciliazione_cycles"]


@hookimpl
def conciliazione_cycles() -> list[Cycle]:
    """The lombardia-2025 cycle, read from its parameter file."""
    return [load_cycle(files("lombardia_2025").joinpath("cycle.toml"))]
