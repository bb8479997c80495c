"""The parts of an allocation's result: shares, their components and the lines beside them.

Plain frozen values that both the result (:mod:`._result`) and the explanations
(:mod:`._explain`) build, so that neither has to import the other's module to make them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import attrs

from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation._envelopes import RecipientEnvelope
from conciliazione_core.allocation._rounding import Rounding
from conciliazione_core.i18n import Text, to_optional_text, to_text

__all__ = [
    "Component",
    "EnvelopeOutcome",
    "IndicatorInput",
    "NonOfficial",
    "PartAmount",
    "PendingEnvelope",
    "RetainedLine",
    "Share",
    "TrancheAmount",
]


@attrs.frozen
class IndicatorInput:
    """One indicator value read for one recipient, with the total it is compared with."""

    indicator: str
    value: Fraction
    total: Fraction
    """The indicator's total over all the envelope's recipients."""
    weight: Fraction
    """The envelope's weight for this indicator (1 for a single indicator)."""
    provenance: Provenance


@attrs.frozen
class PartAmount:
    """A recipient's amount for one split part (e.g. alliance projects)."""

    id: str
    label: Text = attrs.field(converter=to_text)
    share: Fraction
    amount: Money
    quota: Fraction
    """Exact euros before rounding."""
    basis: LegalBasis


@attrs.frozen
class TrancheAmount:
    """A recipient's amount for one tranche (e.g. the 2020 instalment)."""

    id: str
    label: Text | None = attrs.field(converter=to_optional_text)
    share: Fraction
    amount: Money
    quota: Fraction


@attrs.frozen
class Component:
    """What one recipient receives from one envelope, and how it was computed."""

    envelope_id: str
    label: Text = attrs.field(converter=to_text)
    kind: str
    """The envelope's kind (a :class:`~conciliazione_core.allocation.Kind` for the core's own)."""
    amount: Money
    quota: Fraction
    """The exact quota in euros, before rounding (after floors and caps)."""
    adjustment: Fraction
    """``amount - quota`` in euros: what rounding added (positive) or took (negative)."""
    basis: LegalBasis
    """The act that gave this amount: the envelope's, or the one its kind cites for this
    recipient (e.g. one line of a table of given amounts)."""
    citation: str
    rounding: Rounding
    envelope_amount: Money
    recipients: int
    """How many recipients the envelope was split among."""
    inputs: tuple[IndicatorInput, ...] = ()
    bound: Literal["floor", "cap"] | None = None
    """Set when the floor or the cap, not the indicator, decided the quota."""
    parts: tuple[PartAmount, ...] = ()
    tranches: tuple[TrancheAmount, ...] = ()


@attrs.frozen
class Share:
    """One recipient's total, with its components when explained."""

    id: str
    name: str
    amount: Money
    status: DataStatus
    """The least reliable status among the indicator values the amount depends on."""
    components: tuple[Component, ...] = ()


@attrs.frozen
class RetainedLine:
    """An amount kept by the payer."""

    envelope_id: str
    label: Text = attrs.field(converter=to_text)
    amount: Money
    basis: LegalBasis
    citation: str
    note: Text | None = attrs.field(default=None, converter=to_optional_text)


@attrs.frozen
class PendingEnvelope:
    """An envelope not allocated because the indicator values it reads are missing."""

    envelope_id: str
    label: Text = attrs.field(converter=to_text)
    amount: Money
    indicators: tuple[str, ...]
    missing: tuple[str, ...]
    """Recipient ids without a row in the indicator table, in id order."""
    basis: LegalBasis


@attrs.frozen
class NonOfficial:
    """A recipient whose amount depends on derived or estimated figures."""

    recipient_id: str
    status: DataStatus
    provenance: Provenance


@attrs.frozen
class EnvelopeOutcome:
    """One recipient-level envelope, computed: amounts in rounding units, per recipient.

    The exact quota of recipient *i* in units is ``clamp(scale × weight_i, floor, cap)`` where
    ``weight_i = Σ_k coefficients[k] × value_k,i`` (1 for equal and fixed envelopes), so any
    recipient's explanation can be rebuilt without storing a million fractions.
    """

    envelope: RecipientEnvelope
    rounding: Rounding
    units: tuple[int, ...]
    """Amount per recipient in rounding units, in the input order of recipients."""
    leftover: int
    """Units not handed out (floor strategy only)."""
    scale: Fraction
    coefficients: tuple[Fraction, ...] = ()
    totals: tuple[Fraction, ...] = ()
    """Per indicator, the total over the recipients."""
    floor: int = 0
    cap: int | None = None
    parts: tuple[tuple[int, ...], ...] = ()
    """Per split part, the amount of each recipient in :attr:`part_unit`."""
    tranches: tuple[tuple[int, ...], ...] = ()

    @property
    def part_unit(self) -> Money:
        """The unit split parts are counted in: the split's own, else the envelope's."""
        split = self.envelope.split
        return split.unit if split is not None and split.unit is not None else self.rounding.unit

    @property
    def amount(self) -> Money:
        """What the envelope handed out (less any leftover)."""
        return Money((sum(self.units)) * self.rounding.unit.cents)
