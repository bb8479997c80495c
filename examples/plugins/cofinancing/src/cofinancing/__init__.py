"""An example plugin for conciliazione-core: the partners' share of a project's cost.

It brings a rule the core does not have, ``[rules.co_financing]``, with its own parameters, its
own finding codes and its own Italian messages (gettext domain ``cofinancing``), and an envelope
kind, ``given``: a table of amounts given by a decree, each with its citation. Any cycle turns them
on in its parameter file; nothing in the core knows them.
"""

from __future__ import annotations

from cofinancing.envelopes import GivenAmount, GivenEnvelope, GivenKind
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
    "GivenAmount",
    "GivenEnvelope",
    "GivenKind",
    "partners_share",
]
