"""The plugin module named by the ``conciliazione`` entry point: it only registers.

Each hook implementation stays one call: the rule lives in ``rule.py``, the envelope kind in
``envelopes.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from cofinancing.envelopes import conciliazione_envelope_kinds
from cofinancing.rule import RULE
from conciliazione_core import Rule, hookimpl

__all__ = ["conciliazione_envelope_kinds", "conciliazione_rules"]


@hookimpl
def conciliazione_rules(register: Callable[[Rule], None]) -> None:
    """Register the ``[rules.co_financing]`` rule."""
    register(RULE)
