"""The core's own envelope kinds, registered through the plugin hook like any plugin's.

Each kind wires its reading (:mod:`.parameters`), computing (:mod:`.engine`) and explaining
(:mod:`.explain`) to the :class:`~conciliazione_core.allocation._kinds.EnvelopeKind` contract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from conciliazione_core._errors import Problem
from conciliazione_core._indicators import IndicatorRow
from conciliazione_core._money import Money
from conciliazione_core.allocation import _engine as engine
from conciliazione_core.allocation import _explain as explain
from conciliazione_core.allocation import _parameters as parameters
from conciliazione_core.allocation._envelopes import (
    EqualEnvelope,
    FixedEnvelope,
    Kind,
    ProportionalEnvelope,
    RetainedEnvelope,
)
from conciliazione_core.allocation._formatting import format_share
from conciliazione_core.allocation._kinds import (
    AllocationContext,
    EnvelopeKind,
    EnvelopeReader,
    Explained,
)
from conciliazione_core.allocation._result import (
    Component,
    EnvelopeOutcome,
    RetainedLine,
)
from conciliazione_core.allocation._rounding import Rounding
from conciliazione_core.hookspecs import hookimpl

__all__ = [
    "EqualKind",
    "FixedKind",
    "ProportionalKind",
    "RetainedKind",
    "conciliazione_envelope_kinds",
]


def _bounds(envelope: EqualEnvelope | ProportionalEnvelope) -> str | None:
    bounds = []
    if envelope.floor is not None:
        bounds.append(f"floor {envelope.floor.format()}")
    if envelope.cap is not None:
        bounds.append(f"cap {envelope.cap.format()}")
    return ", ".join(bounds) or None


class RetainedKind(EnvelopeKind[RetainedEnvelope]):
    """An amount the payer keeps, on a line of its own."""

    kind = Kind.RETAINED.value
    parameters = RetainedEnvelope
    keys = ("amount",)
    recipient_level = False
    summary = "kept by the payer"

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        return parameters.read_retained(reader, raw, path, rounding)

    def allocate(
        self, envelope: RetainedEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return engine.retained_line(envelope, context)

    def explain_text(self, envelope: RetainedEnvelope, component: Component, lang: str) -> str:
        raise AssertionError("a retained envelope has no recipient to explain")


class FixedKind(EnvelopeKind[FixedEnvelope]):
    """The same amount to every recipient."""

    kind = Kind.FIXED.value
    parameters = FixedEnvelope
    keys = ("per_recipient", "amount")
    summary = "a fixed amount per recipient"

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        return parameters.read_fixed(reader, raw, path, rounding)

    def amount(self, envelope: FixedEnvelope, n: int) -> Money:
        return envelope.per_recipient * n

    def check(self, envelope: FixedEnvelope, ids: Sequence[str], path: str) -> list[Problem]:
        return engine.check_fixed(envelope, ids, path)

    def allocate(
        self, envelope: FixedEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return engine.compute_fixed(envelope, context)

    def explain_text(self, envelope: FixedEnvelope, component: Component, lang: str) -> str:
        return explain.fixed_text(envelope, component, lang)

    def how(self, envelope: FixedEnvelope) -> str:
        return f"{envelope.per_recipient.format()} per recipient"

    def describe(self, envelope: FixedEnvelope) -> dict[str, str | None]:
        amount = f"{envelope.per_recipient.format()} per recipient"
        if envelope.amount is not None:
            amount += f" ({envelope.amount.format()} in all)"
        return {"kind and amount": f"{self.kind}, {amount}", "floor and cap": None}


class EqualKind(EnvelopeKind[EqualEnvelope]):
    """An amount split equally."""

    kind = Kind.EQUAL.value
    parameters = EqualEnvelope
    keys = ("amount", "floor", "cap")
    summary = "equal shares"

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        return parameters.read_bounded(reader, raw, path, rounding)

    def check(self, envelope: EqualEnvelope, ids: Sequence[str], path: str) -> list[Problem]:
        return engine.check_bounded(envelope, ids, path)

    def allocate(
        self, envelope: EqualEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return engine.compute_equal(envelope, context)

    def explain_text(self, envelope: EqualEnvelope, component: Component, lang: str) -> str:
        return explain.equal_text(envelope, component, lang)

    def describe(self, envelope: EqualEnvelope) -> dict[str, str | None]:
        return {
            "kind and amount": f"{self.kind}, {envelope.amount.format()}",
            "floor and cap": _bounds(envelope),
        }


class ProportionalKind(EnvelopeKind[ProportionalEnvelope]):
    """An amount split in proportion to one indicator or a weighted combination of several."""

    kind = Kind.PROPORTIONAL.value
    parameters = ProportionalEnvelope
    keys = ("amount", "indicator", "weights", "combine", "floor", "cap")
    summary = "in proportion to indicators"

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        return parameters.read_proportional(reader, raw, path, rounding)

    def indicators(self, envelope: ProportionalEnvelope) -> tuple[str, ...]:
        return envelope.indicators

    def check(self, envelope: ProportionalEnvelope, ids: Sequence[str], path: str) -> list[Problem]:
        return engine.check_bounded(envelope, ids, path)

    def allocate(
        self, envelope: ProportionalEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return engine.compute_proportional(envelope, context)

    def explain(
        self,
        envelope: ProportionalEnvelope,
        outcome: EnvelopeOutcome,
        index: int,
        recipient_id: str,
        row: IndicatorRow | None,
    ) -> Explained:
        return explain.explain_proportional(envelope, outcome, row)

    def explain_text(self, envelope: ProportionalEnvelope, component: Component, lang: str) -> str:
        return explain.proportional_text(envelope, component, lang)

    def how(self, envelope: ProportionalEnvelope) -> str:
        if len(envelope.weights) == 1:
            return f"in proportion to {envelope.weights[0][0]}"
        return "weighted: " + ", ".join(f"{k} × {format_share(w)}" for k, w in envelope.weights)

    def describe(self, envelope: ProportionalEnvelope) -> dict[str, str | None]:
        weights = envelope.weights
        indicators = ", ".join(
            k if len(weights) == 1 else f"{k} × {format_share(w)}" for k, w in weights
        ) + (f" (combine {envelope.combine.value})" if len(weights) > 1 else "")
        return {
            "kind and amount": f"{self.kind}, {envelope.amount.format()}",
            "indicators": indicators,
            "floor and cap": _bounds(envelope),
        }


@hookimpl
def conciliazione_envelope_kinds(register: Callable[[EnvelopeKind[Any]], None]) -> None:
    """The core's four kinds, in the order the parameter file's errors list them."""
    register(RetainedKind())
    register(FixedKind())
    register(EqualKind())
    register(ProportionalKind())
