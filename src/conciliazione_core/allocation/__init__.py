"""Exact, explained splitting of a budget among territories.

A policy team describes the allocation as data (:func:`parse_allocation`), the engine splits it
exactly with a named rounding strategy (:func:`allocate`), and the result says who receives
what, from which envelope, under which act, from which figures (:func:`explain_text`,
:func:`render_table`, :func:`allocation_to_json`, :func:`allocation_to_csv`).
See ``docs/allocation.md``.
"""

from conciliazione_core.allocation.bounds import bounded_scale
from conciliazione_core.allocation.engine import allocate
from conciliazione_core.allocation.envelopes import (
    AllocationPlan,
    Combine,
    Envelope,
    EqualEnvelope,
    FixedEnvelope,
    Kind,
    Order,
    ProportionalEnvelope,
    RecipientEnvelope,
    RetainedEnvelope,
    Split,
    SplitPart,
    Tranche,
    indicators_of,
)
from conciliazione_core.allocation.explain import explain_share, explain_text
from conciliazione_core.allocation.formatting import format_share
from conciliazione_core.allocation.parameters import parse_allocation, parse_fraction
from conciliazione_core.allocation.render import (
    allocation_to_csv,
    allocation_to_json,
    fraction_to_json,
    render_table,
)
from conciliazione_core.allocation.result import (
    Allocation,
    Component,
    EnvelopeOutcome,
    IndicatorInput,
    NonOfficial,
    PartAmount,
    PendingEnvelope,
    RetainedLine,
    Share,
    TrancheAmount,
)
from conciliazione_core.allocation.rounding import (
    Rounding,
    Strategy,
    apportion,
    floor_apportion,
    largest_remainder,
)
from conciliazione_core.allocation.vectorised import PURE_PYTHON_ENV, numpy_or_none

__all__ = [
    "PURE_PYTHON_ENV",
    "Allocation",
    "AllocationPlan",
    "Combine",
    "Component",
    "Envelope",
    "EnvelopeOutcome",
    "EqualEnvelope",
    "FixedEnvelope",
    "IndicatorInput",
    "Kind",
    "NonOfficial",
    "Order",
    "PartAmount",
    "PendingEnvelope",
    "ProportionalEnvelope",
    "RecipientEnvelope",
    "RetainedEnvelope",
    "RetainedLine",
    "Rounding",
    "Share",
    "Split",
    "SplitPart",
    "Strategy",
    "Tranche",
    "TrancheAmount",
    "allocate",
    "allocation_to_csv",
    "allocation_to_json",
    "apportion",
    "bounded_scale",
    "explain_share",
    "explain_text",
    "floor_apportion",
    "format_share",
    "fraction_to_json",
    "indicators_of",
    "largest_remainder",
    "numpy_or_none",
    "parse_allocation",
    "parse_fraction",
    "render_table",
]
