"""An example plugin for conciliazione-core: the partners' share of a project's cost.

It brings a rule the core does not have, ``[rules.co_financing]``, with its own parameters, its
own finding codes and its own Italian messages (gettext domain ``cofinancing``). Any cycle turns
it on by adding the section to its parameter file; nothing in the core knows it.
"""

from __future__ import annotations

from cofinancing.rule import (
    CATALOGUE,
    COFINANCING_NOT_STATED,
    COFINANCING_TOO_LOW,
    RULE,
    CoFinancingRules,
    partners_share,
)

__all__ = [
    "CATALOGUE",
    "COFINANCING_NOT_STATED",
    "COFINANCING_TOO_LOW",
    "RULE",
    "CoFinancingRules",
    "partners_share",
]
