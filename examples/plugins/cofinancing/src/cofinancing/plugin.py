"""The plugin module named by the ``conciliazione`` entry point: it only registers.

Each hook implementation stays one call, so that other capabilities of this example (an
envelope kind, in a module of its own) can add theirs beside it.
"""

from __future__ import annotations

from collections.abc import Callable

from cofinancing.rule import RULE
from conciliazione_core import Rule, hookimpl

__all__ = ["conciliazione_rules"]


@hookimpl
def conciliazione_rules(register: Callable[[Rule], None]) -> None:
    """Register the ``[rules.co_financing]`` rule."""
    register(RULE)
