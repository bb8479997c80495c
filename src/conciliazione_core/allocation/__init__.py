"""Exact, explained splitting of a budget among territories.

A policy team describes the allocation as data (:func:`parse_allocation`), the engine splits it
exactly with a named rounding strategy (:func:`allocate`), and the result says who receives
what, from which envelope, under which act, from which figures (:func:`explain_text`,
:func:`render_table`, :func:`allocation_to_json`, :func:`allocation_to_csv`).
Envelope kinds come from a registry (:class:`EnvelopeKind`, :class:`KindRegistry`): the core's
own are registered through the same plugin hook as a plugin's. See ``docs/allocation.md``.
"""

from conciliazione_core.allocation import _builtin_kinds, _kinds
from conciliazione_core.allocation._bounds import bounded_scale
from conciliazione_core.allocation._engine import allocate
from conciliazione_core.allocation._envelopes import (
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
    is_recipient_level,
)
from conciliazione_core.allocation._explain import explain_share, explain_text
from conciliazione_core.allocation._formatting import format_share
from conciliazione_core.allocation._given import given_outcome, recipients_mismatch, sum_mismatch
from conciliazione_core.allocation._kinds import (
    AllocationContext,
    EnvelopeKind,
    EnvelopeReader,
    Explained,
    KindRegistry,
    RegisteredKind,
    active_kinds,
    default_kinds,
    kind_of,
    using_kinds,
)
from conciliazione_core.allocation._parameters import parse_allocation, parse_fraction
from conciliazione_core.allocation._render import (
    allocation_to_csv,
    allocation_to_json,
    fraction_to_json,
    render_table,
)
from conciliazione_core.allocation._result import (
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
from conciliazione_core.allocation._rounding import (
    Rounding,
    Strategy,
    apportion,
    floor_apportion,
    largest_remainder,
)
from conciliazione_core.allocation._rows import (
    AllocationColumn,
    AllocationRow,
    RowKind,
    allocation_columns,
    allocation_rows,
)
from conciliazione_core.allocation._vectorised import PURE_PYTHON_ENV, numpy_or_none

_kinds.use_core_plugin(_builtin_kinds)

__all__ = [
    "PURE_PYTHON_ENV",
    "Allocation",
    "AllocationColumn",
    "AllocationContext",
    "AllocationPlan",
    "AllocationRow",
    "Combine",
    "Component",
    "Envelope",
    "EnvelopeKind",
    "EnvelopeOutcome",
    "EnvelopeReader",
    "EqualEnvelope",
    "Explained",
    "FixedEnvelope",
    "IndicatorInput",
    "Kind",
    "KindRegistry",
    "NonOfficial",
    "Order",
    "PartAmount",
    "PendingEnvelope",
    "ProportionalEnvelope",
    "RecipientEnvelope",
    "RegisteredKind",
    "RetainedEnvelope",
    "RetainedLine",
    "Rounding",
    "RowKind",
    "Share",
    "Split",
    "SplitPart",
    "Strategy",
    "Tranche",
    "TrancheAmount",
    "active_kinds",
    "allocate",
    "allocation_columns",
    "allocation_rows",
    "allocation_to_csv",
    "allocation_to_json",
    "apportion",
    "bounded_scale",
    "default_kinds",
    "explain_share",
    "explain_text",
    "floor_apportion",
    "format_share",
    "fraction_to_json",
    "given_outcome",
    "indicators_of",
    "is_recipient_level",
    "kind_of",
    "largest_remainder",
    "numpy_or_none",
    "parse_allocation",
    "parse_fraction",
    "recipients_mismatch",
    "render_table",
    "sum_mismatch",
    "using_kinds",
]
