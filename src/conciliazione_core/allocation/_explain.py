"""Explanations: how one recipient's amount was computed, as data and in words.

:func:`explain_share` rebuilds one recipient's components (exact quota, rounding adjustment,
indicator inputs with their provenance, legal basis, split parts, tranches) from the compact
result, so explanations cost nothing until somebody asks for one. :func:`explain_text` puts
that trace in sentences a policy officer can check with a calculator.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from conciliazione_core._grid import wrap
from conciliazione_core._indicators import IndicatorRow
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation._bounds import clamp
from conciliazione_core.allocation._envelopes import (
    Combine,
    EqualEnvelope,
    FixedEnvelope,
    ProportionalEnvelope,
)
from conciliazione_core.allocation._formatting import (
    decimal,
    euros,
    format_share,
    in_language,
    percent,
)
from conciliazione_core.allocation._kinds import Explained, blame, kind_of
from conciliazione_core.allocation._rounding import Rounding, Strategy
from conciliazione_core.allocation._shares import (
    Component,
    EnvelopeOutcome,
    IndicatorInput,
    PartAmount,
    Share,
    TrancheAmount,
)
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    from conciliazione_core.allocation._result import Allocation

__all__ = ["explain_share", "explain_text"]


def explain_share(allocation: Allocation, index: int) -> Share:
    """The share of the recipient at input position ``index``, with every component."""
    rid = allocation.recipient_ids[index]
    n = len(allocation.recipient_ids)
    row = allocation.row(index)
    components: list[Component] = []
    for outcome in allocation.outcomes:
        envelope = outcome.envelope
        kind = kind_of(envelope)
        unit = outcome.rounding.unit
        units = outcome.units[index]
        amount = Money(units * unit.cents)
        try:
            explained = kind.explain(envelope, outcome, index, rid, row)
            if not isinstance(explained, Explained):
                raise TypeError(f"returned {type(explained).__name__}, not Explained")
        except Exception as exc:
            blame(kind, "explain", exc)
            raise
        quota_units = explained.quota
        quota = quota_units * unit.fraction
        parts: tuple[PartAmount, ...] = ()
        if envelope.split is not None:
            shares = envelope.split.shares_for(rid)
            parts = tuple(
                PartAmount(
                    part.id,
                    part.label,
                    share,
                    Money(outcome.parts[p][index] * outcome.part_unit.cents),
                    units * share * unit.fraction,
                    part.basis,
                )
                for p, (part, share) in enumerate(zip(envelope.split.parts, shares, strict=True))
            )
        tranches = tuple(
            TrancheAmount(
                t.id,
                t.label,
                t.share,
                Money(outcome.tranches[j][index] * unit.cents),
                units * t.share * unit.fraction,
            )
            for j, t in enumerate(envelope.tranches)
        )
        citation, basis = explained.citation or (envelope.citation, envelope.basis)
        components.append(
            Component(
                envelope_id=envelope.id,
                label=envelope.label,
                kind=envelope.kind,
                amount=amount,
                quota=quota,
                adjustment=amount.fraction - quota,
                basis=basis,
                citation=citation,
                rounding=outcome.rounding,
                envelope_amount=kind.amount(envelope, n),
                recipients=n,
                inputs=explained.inputs,
                bound=explained.bound,
                parts=parts,
                tranches=tranches,
            )
        )
    return Share(
        rid,
        allocation.recipient_names[index],
        Money(allocation.cents[index]),
        allocation.status(rid),
        tuple(components),
    )


def explain_proportional(
    envelope: ProportionalEnvelope,
    outcome: EnvelopeOutcome,
    row: IndicatorRow | None,
) -> Explained:
    """A recipient's quota of a proportional envelope, from its indicator values."""
    assert row is not None, "a computed proportional envelope has every row"
    values = [row.value(k) for k in envelope.indicators]
    weight = sum((c * v for c, v in zip(outcome.coefficients, values, strict=True)), Fraction(0))
    raw = outcome.scale * weight
    bound: Literal["floor", "cap"] | None = None
    if raw < outcome.floor:
        bound = "floor"
    elif outcome.cap is not None and raw > outcome.cap:
        bound = "cap"
    inputs = tuple(
        IndicatorInput(k, v, t, w, row.provenance)
        for (k, w), v, t in zip(envelope.weights, values, outcome.totals, strict=True)
    )
    return Explained(clamp(raw, outcome.floor, outcome.cap), inputs, bound)


def fixed_text(_envelope: FixedEnvelope, c: Component, lang: str) -> str:
    """How a fixed envelope's quota was reached, in words."""
    return _("a fixed {per} per recipient").format(per=euros(c.quota, lang))


def equal_text(_envelope: EqualEnvelope, c: Component, lang: str) -> str:
    """How an equal envelope's quota was reached, in words."""
    return _("an equal share of {envelope} among {n} recipients = exact quota {quota}").format(
        envelope=euros(c.envelope_amount, lang), n=c.recipients, quota=euros(c.quota, lang)
    )


def _strategy(rounding: Rounding) -> str:
    if rounding.strategy is Strategy.FLOOR:
        return _("floor and report")
    return _("largest remainder")


def _unit(rounding: Rounding, lang: str) -> str:
    if rounding.unit.cents == 100:
        return _("whole euros")
    if rounding.unit.cents == 1:
        return _("the cent")
    return _("multiples of {unit}").format(unit=euros(rounding.unit, lang))


def _provenance(p: Provenance) -> str:
    text = f"{p.status.word}: {p.source}, {p.reference_date.isoformat()}"
    return f"{text}; {p.method}" if p.method else text


def _component_text(allocation: Allocation, c: Component, lang: str) -> list[str]:
    head = _("receives {amount} from {label!r} ({basis})").format(
        amount=euros(c.amount, lang), label=str(c.label), basis=str(c.basis)
    )
    lines: list[str] = []
    envelope = allocation.plan.envelope(c.envelope_id)
    kind = kind_of(envelope)
    try:
        body = kind.explain_text(envelope, c, lang)
    except Exception as exc:
        blame(kind, "explain_text", exc)
        raise
    lines.append(f"{head}: {body}")
    if c.adjustment:
        if c.rounding.strategy is Strategy.FLOOR:
            lines.append(
                _(
                    "rounded down to {unit} (floor and report): {adjustment}; the remainders of "
                    "the envelope are reported as unallocated"
                ).format(
                    unit=_unit(c.rounding, lang),
                    adjustment=euros(c.adjustment, lang, signed=True),
                )
            )
        else:
            lines.append(
                _("rounded to {unit} by {strategy}: {adjustment}").format(
                    unit=_unit(c.rounding, lang),
                    strategy=_strategy(c.rounding),
                    adjustment=euros(c.adjustment, lang, signed=True),
                )
            )
    else:
        lines.append(_("no rounding needed"))
    if c.parts:
        lines.append(
            _("Split: {parts}").format(
                parts=", ".join(
                    f"{format_share(p.share)} {p.label} {euros(p.amount, lang)}" for p in c.parts
                )
            )
        )
    if c.tranches:
        lines.append(
            _("Tranches: {tranches}").format(
                tranches=", ".join(
                    f"{t.label or t.id} ({format_share(t.share)}) {euros(t.amount, lang)}"
                    for t in c.tranches
                )
            )
        )
    return lines


def proportional_text(envelope: ProportionalEnvelope, c: Component, lang: str) -> str:
    """How a proportional envelope's quota was reached, in words."""
    amount = euros(c.envelope_amount, lang)
    if envelope.combine is Combine.SHARES:
        share = sum((i.weight * i.value / i.total for i in c.inputs if i.total), Fraction(0)) / sum(
            (i.weight for i in c.inputs), Fraction(0)
        )
    else:
        whole = sum((i.weight * i.total for i in c.inputs), Fraction(0))
        share = (
            sum((i.weight * i.value for i in c.inputs), Fraction(0)) / whole
            if whole
            else Fraction(0)
        )
    if len(c.inputs) == 1:
        i = c.inputs[0]
        text = _(
            "{indicator} {value} ({provenance}) out of {total} in all, i.e. {percent} of {envelope}"
        ).format(
            indicator=i.indicator,
            value=decimal(i.value, lang),
            provenance=_provenance(i.provenance),
            total=decimal(i.total, lang),
            percent=percent(share, lang),
            envelope=amount,
        )
    else:
        pieces = [
            _("{weight} × {indicator} {value} out of {total}").format(
                weight=decimal(i.weight, lang),
                indicator=i.indicator,
                value=decimal(i.value, lang),
                total=decimal(i.total, lang),
            )
            for i in c.inputs
        ]
        how = (
            _("shares of each indicator's total")
            if envelope.combine is Combine.SHARES
            else _("raw indicator values")
        )
        text = _(
            "weighted combination of {how}: {pieces} ({provenance}), i.e. {percent} of {envelope}"
        ).format(
            how=how,
            pieces=" + ".join(pieces),
            provenance=_provenance(c.inputs[0].provenance),
            percent=percent(share, lang),
            envelope=amount,
        )
    if c.bound == "cap":
        text += _("; held at the cap of {cap}").format(cap=euros(envelope.cap or Money(0), lang))
    elif c.bound == "floor":
        text += _("; raised to the floor of {floor}").format(
            floor=euros(envelope.floor or Money(0), lang)
        )
    elif c.quota != share * c.envelope_amount.fraction:
        text += _("; rescaled after the floors and caps of other recipients")
    return text + _(" = exact quota {quota}").format(quota=euros(c.quota, lang))


def explain_text(
    allocation: Allocation, recipient_id: str, lang: str | None = None, *, width: int | None = None
) -> str:
    """One recipient's amount explained in words.

    ``lang`` (``"en"`` or ``"it"``) sets the words and the number format (``1,234.5`` or
    ``1.234,5``); None keeps the current language. ``width`` wraps the lines to that many
    characters at spaces (never inside a figure or an id); None keeps one line per step. An
    unknown id is an InputError naming the known ids (and the closest ones).
    """
    with in_language(lang) as chosen:
        text = _explain_text(allocation, recipient_id, chosen)
    if width is None:
        return text
    lines: list[str] = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip(" "))]
        body = line[len(indent) :]
        hang = indent + ("  " if indent or body.startswith("- ") else "")
        lines += wrap(body, width, indent, hang)
    return "\n".join(lines) + "\n"


def _explain_text(allocation: Allocation, recipient_id: str, lang: str) -> str:
    share = allocation.explain(recipient_id)
    lines = [
        _("{name} ({id}) receives {amount} in all.").format(
            name=share.name, id=share.id, amount=euros(share.amount, lang)
        )
    ]
    if allocation.what_if:
        lines.insert(
            0,
            _("WHAT-IF (not the official parameters): {changes}").format(
                changes="; ".join(allocation.what_if)
            ),
        )
    for c in share.components:
        body = _component_text(allocation, c, lang)
        lines.append(f"- {share.name} {body[0]}")
        lines.extend(f"  {line}" for line in body[1:])
    for p in allocation.pending:
        mine = recipient_id in p.missing
        lines.append(
            _(
                "- {label!r} ({amount}) is not allocated yet: {indicators} missing for {ids}{mine}."
            ).format(
                label=str(p.label),
                amount=euros(p.amount, lang),
                indicators=", ".join(p.indicators),
                ids=", ".join(p.missing),
                mine=_(" (including this recipient)") if mine else "",
            )
        )
    if share.status is not DataStatus.OFFICIAL:
        lines.append(
            _("Note: this amount depends on {status} figures, not official ones.").format(
                status=share.status.word
            )
        )
    if not share.components and not allocation.pending:
        lines.append(_("No envelope is split among recipients."))
    return "\n".join(lines) + "\n"
