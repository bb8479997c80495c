"""The envelope tree: how a budget is cut into envelopes, and each envelope among recipients.

A plan is data (see :func:`~conciliazione_core.allocation.parse_allocation`): a total, a rounding
rule and a list of envelopes, each citing the act that sets it. Envelope kinds come from a
registry (see :mod:`conciliazione_core.allocation._kinds`), so a plugin can add one; the core's
own four are:

* :class:`RetainedEnvelope`: kept by the payer (the Region), shown on its own line;
* :class:`FixedEnvelope`: the same fixed amount to every recipient;
* :class:`EqualEnvelope`: an amount split equally;
* :class:`ProportionalEnvelope`: an amount split in proportion to indicator values.

The last three are *recipient-level* envelopes: each may split every recipient's amount into
parts (:class:`Split`, e.g. 80% alliance projects / 20% system action) and into yearly
:class:`Tranche` s.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, ClassVar, Protocol, TypeGuard

import attrs

from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.allocation._kinds import kind_of
from conciliazione_core.allocation._rounding import Rounding
from conciliazione_core.i18n import Text, to_optional_text, to_text

__all__ = [
    "AllocationPlan",
    "Combine",
    "Envelope",
    "EqualEnvelope",
    "FixedEnvelope",
    "Kind",
    "Order",
    "ProportionalEnvelope",
    "RecipientEnvelope",
    "RetainedEnvelope",
    "Split",
    "SplitPart",
    "Tranche",
    "indicators_of",
    "is_recipient_level",
]

ONE = Fraction(1)


class Kind(enum.StrEnum):
    """The core's own envelope kinds, as written in the parameter file.

    A plugin's kind is a plain string (see :class:`Envelope`); these compare equal to theirs.
    """

    RETAINED = "retained"
    FIXED = "fixed"
    EQUAL = "equal"
    PROPORTIONAL = "proportional"


class Combine(enum.Enum):
    """How several indicators combine into one weight per recipient.

    ``SHARES`` (the default) first turns each indicator into each recipient's share of its
    total, then takes the weighted sum, so ``{pop = "0.7", area = "0.3"}`` means "70% by
    population share, 30% by area share" whatever the units of the indicators. ``RAW`` takes the
    weighted sum of the raw values as given, which only makes sense for indicators in the same
    unit. With a single indicator the two give the same result.
    """

    SHARES = "shares"
    RAW = "raw"


class Order(enum.Enum):
    """The order of recipient rows in reports."""

    ID = "id"
    """By recipient id (string order): the default, independent of the input order."""
    INPUT = "input"
    """In the order the recipients were given."""


def _shares_sum_to_one(shares: Sequence[Fraction], what: str) -> None:
    if any(s < 0 or s > 1 for s in shares):
        raise ValueError(f"{what}: every share must be between 0 and 1")
    if sum(shares, Fraction(0)) != ONE:
        raise ValueError(f"{what}: shares add up to {sum(shares, Fraction(0))}, not exactly 1")


@attrs.frozen(kw_only=True)
class SplitPart:
    """One part of a split, e.g. "alliance projects, 80%"."""

    id: str
    label: Text = attrs.field(converter=to_text)
    share: Fraction
    basis: LegalBasis
    citation: str
    """The key of :attr:`basis` in the cycle's citations."""


def _check_parts(_instance: object, _attribute: object, parts: tuple[SplitPart, ...]) -> None:
    if not parts:
        raise ValueError("a split needs at least one part")
    if len({p.id for p in parts}) != len(parts):
        raise ValueError("split part ids must be unique")
    _shares_sum_to_one([p.share for p in parts], "split")


def _check_overrides(
    instance: Split, _attribute: object, overrides: tuple[tuple[str, tuple[Fraction, ...]], ...]
) -> None:
    if len({r for r, _s in overrides}) != len(overrides):
        raise ValueError("one split override per recipient")
    for recipient, shares in overrides:
        if len(shares) != len(instance.parts):
            raise ValueError(f"split override for {recipient!r}: one share per part")
        _shares_sum_to_one(shares, f"split override for {recipient!r}")


@attrs.frozen(kw_only=True)
class Split:
    """Each recipient's amount cut into parts, with optional per-recipient percentages."""

    parts: tuple[SplitPart, ...] = attrs.field(validator=_check_parts)
    overrides: tuple[tuple[str, tuple[Fraction, ...]], ...] = attrs.field(
        default=(), validator=_check_overrides
    )
    """``(recipient id, shares in the order of parts)`` replacing the default shares."""
    unit: Money | None = None
    """The rounding unit of the parts (``split_unit``), finer than the envelope's when a decree
    pays recipients in whole euros but publishes their parts in cents; None: the envelope's."""

    def shares_for(self, recipient_id: str) -> tuple[Fraction, ...]:
        """The part shares that apply to one recipient."""
        for rid, shares in self.overrides:
            if rid == recipient_id:
                return shares
        return tuple(p.share for p in self.parts)


@attrs.frozen(kw_only=True)
class Tranche:
    """A share of each recipient's amount paid in one period (a year)."""

    id: str
    share: Fraction
    label: Text | None = attrs.field(default=None, converter=to_optional_text)


def _check_tranches(_instance: object, _attribute: object, tranches: tuple[Tranche, ...]) -> None:
    if not tranches:
        return
    if len({t.id for t in tranches}) != len(tranches):
        raise ValueError("tranche ids must be unique")
    _shares_sum_to_one([t.share for t in tranches], "tranches")


@attrs.frozen(kw_only=True)
class RetainedEnvelope:
    """An amount kept by the payer, not split among recipients."""

    kind: ClassVar[str] = Kind.RETAINED
    id: str
    label: Text = attrs.field(converter=to_text)
    amount: Money
    basis: LegalBasis
    citation: str
    note: Text | None = attrs.field(default=None, converter=to_optional_text)


@attrs.frozen(kw_only=True)
class FixedEnvelope:
    """The same amount to every recipient; the envelope is ``n × per_recipient``."""

    kind: ClassVar[str] = Kind.FIXED
    id: str
    label: Text = attrs.field(converter=to_text)
    per_recipient: Money
    basis: LegalBasis
    citation: str
    amount: Money | None = None
    """If given, it must equal ``n × per_recipient`` (checked when the recipients are known)."""
    note: Text | None = attrs.field(default=None, converter=to_optional_text)
    split: Split | None = None
    tranches: tuple[Tranche, ...] = attrs.field(default=(), validator=_check_tranches)
    rounding: Rounding | None = None


def _check_bounds(instance: Any, _attribute: object, cap: Money | None) -> None:
    floor = instance.floor
    if floor is not None and cap is not None and floor > cap:
        raise ValueError(f"floor {floor} is above cap {cap}")


@attrs.frozen(kw_only=True)
class EqualEnvelope:
    """An amount split equally among the recipients."""

    kind: ClassVar[str] = Kind.EQUAL
    id: str
    label: Text = attrs.field(converter=to_text)
    amount: Money
    basis: LegalBasis
    citation: str
    floor: Money | None = None
    cap: Money | None = attrs.field(default=None, validator=_check_bounds)
    note: Text | None = attrs.field(default=None, converter=to_optional_text)
    split: Split | None = None
    tranches: tuple[Tranche, ...] = attrs.field(default=(), validator=_check_tranches)
    rounding: Rounding | None = None


def _check_weights(
    _instance: object, _attribute: object, weights: tuple[tuple[str, Fraction], ...]
) -> None:
    if not weights:
        raise ValueError("a proportional envelope needs an indicator")
    if len({k for k, _w in weights}) != len(weights):
        raise ValueError("indicator names must be unique")
    if any(w < 0 for _k, w in weights) or not any(w for _k, w in weights):
        raise ValueError("weights must be non-negative and not all zero")


@attrs.frozen(kw_only=True)
class ProportionalEnvelope:
    """An amount split in proportion to one indicator or a weighted combination of several.

    The weight of recipient *i* is ``Σ_k w_k × x_k,i`` where ``x_k,i`` is indicator *k*'s value
    (``combine = RAW``) or recipient *i*'s share of indicator *k*'s total (``combine = SHARES``).
    """

    kind: ClassVar[str] = Kind.PROPORTIONAL
    id: str
    label: Text = attrs.field(converter=to_text)
    amount: Money
    weights: tuple[tuple[str, Fraction], ...] = attrs.field(validator=_check_weights)
    """``(indicator, weight)``; a single ``indicator = "x"`` is ``(("x", 1),)``."""
    basis: LegalBasis
    citation: str
    combine: Combine = Combine.SHARES
    floor: Money | None = None
    cap: Money | None = attrs.field(default=None, validator=_check_bounds)
    note: Text | None = attrs.field(default=None, converter=to_optional_text)
    split: Split | None = None
    tranches: tuple[Tranche, ...] = attrs.field(default=(), validator=_check_tranches)
    rounding: Rounding | None = None

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(k for k, _w in self.weights)

    @property
    def single_indicator(self) -> str | None:
        """The indicator when the envelope reads only one, else None."""
        return self.weights[0][0] if len(self.weights) == 1 else None


class Envelope(Protocol):
    """What every envelope has, whatever its kind: the class of a registered envelope kind."""

    kind: ClassVar[str]
    """The name of its kind, as written in ``kind = "..."``."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str | Text: ...
    @property
    def basis(self) -> LegalBasis: ...
    @property
    def citation(self) -> str: ...
    @property
    def note(self) -> str | Text | None: ...
    @property
    def amount(self) -> Money | None:
        """The envelope's amount (None when it depends on the number of recipients)."""


class RecipientEnvelope(Envelope, Protocol):
    """An envelope split among recipients: it may cut each amount into parts and tranches."""

    @property
    def split(self) -> Split | None: ...
    @property
    def tranches(self) -> tuple[Tranche, ...]: ...
    @property
    def rounding(self) -> Rounding | None: ...


def is_recipient_level(envelope: Envelope) -> TypeGuard[RecipientEnvelope]:
    """Whether the envelope is split among recipients (its kind says so)."""
    return kind_of(envelope).recipient_level


def _check_envelopes(
    _instance: object, _attribute: object, envelopes: tuple[Envelope, ...]
) -> None:
    ids = [e.id for e in envelopes]
    if len(set(ids)) != len(ids):
        raise ValueError("envelope ids must be unique")


@attrs.frozen(kw_only=True)
class AllocationPlan:
    """A total, a default rounding rule and the envelopes, in display order."""

    total: Money
    envelopes: tuple[Envelope, ...] = attrs.field(validator=_check_envelopes)
    rounding: Rounding = attrs.field(factory=Rounding)
    order: Order = Order.ID

    def envelope(self, envelope_id: str) -> Envelope:
        """The envelope with this id (KeyError naming the known ids)."""
        for envelope in self.envelopes:
            if envelope.id == envelope_id:
                return envelope
        known = ", ".join(e.id for e in self.envelopes)
        raise KeyError(f"no envelope {envelope_id!r} (known: {known})")

    def rounding_for(self, envelope: RecipientEnvelope) -> Rounding:
        """The envelope's own rounding rule, else the plan's."""
        return envelope.rounding or self.rounding

    @property
    def recipient_envelopes(self) -> tuple[RecipientEnvelope, ...]:
        return tuple(e for e in self.envelopes if is_recipient_level(e))


def indicators_of(plan: AllocationPlan) -> tuple[str, ...]:
    """Every indicator the plan's envelopes read, in order of first use.

    This is the header of the indicator template a policy officer fills in.
    """
    names: dict[str, None] = {}
    for envelope in plan.envelopes:
        names.update(dict.fromkeys(kind_of(envelope).indicators(envelope)))
    return tuple(names)
