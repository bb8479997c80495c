"""Registers the lombardia-2017 and lombardia-2019 cycles, and the ``published_table`` kind.

All of the cycles' rules are in ``cycle_2017/cycle.toml`` and ``cycle_2019/cycle.toml`` beside
this module, each folder with its examples (and data);
the kind is in ``published.py``. This file only hands them over.
"""

from __future__ import annotations

from importlib.resources import files

from conciliazione_core import Cycle, hookimpl, load_cycle
from lombardia_2017.published import conciliazione_envelope_kinds

__all__ = ["conciliazione_cycles", "conciliazione_envelope_kinds"]


@hookimpl
def conciliazione_cycles() -> list[Cycle]:
    """The 2017-2018 cycle and its 2019 extension, each read from its parameter file."""
    here = files("lombardia_2017")
    return [load_cycle(here.joinpath(f"cycle_{year}", "cycle.toml")) for year in (2017, 2019)]
