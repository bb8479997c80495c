"""Helpers for envelope kinds whose amounts are given per recipient (a decree's published table).

The programme publishes such tables without the rule behind them (the 2019 per-ATS amounts), so
plugins bring kinds that read them from their own sources: inline in ``cycle.toml``, a data file.
What every such kind must do is the same and lives here: the amounts add up exactly to the
envelope, name exactly the cycle's recipients, and are handed out as given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from conciliazione_core._errors import Problem
from conciliazione_core._money import Money
from conciliazione_core.allocation._kinds import AllocationContext
from conciliazione_core.allocation._shares import EnvelopeOutcome
from conciliazione_core.i18n import _

__all__ = ["given_outcome", "recipients_mismatch", "sum_mismatch"]


def sum_mismatch(summed: Money, amount: Money) -> str | None:
    """Why amounts adding up to ``summed`` cannot be an envelope of ``amount``, naming the gap;
    None when they add up exactly."""
    gap = summed.cents - amount.cents
    if gap == 0:
        return None
    if gap > 0:
        text = _(
            "the given amounts add up to {sum}, {gap} more than the envelope's amount {amount}"
        )
    else:
        text = _(
            "the given amounts add up to {sum}, {gap} less than the envelope's amount {amount}"
        )
    return text.format(sum=summed.format(), gap=Money(abs(gap)).format(), amount=amount.format())


def recipients_mismatch(listed: Iterable[str], ids: Sequence[str], path: str) -> list[Problem]:
    """Problems at ``path`` when the recipients given amounts are not exactly ``ids``."""
    known, given = set(ids), set(listed)
    problems = []
    strangers = sorted(given - known)
    if strangers:
        message = _("amounts given to id(s) that are not recipients: {ids}")
        problems.append(Problem(path, message.format(ids=", ".join(strangers))))
    forgotten = sorted(known - given)
    if forgotten:
        message = _("no amount given to recipient(s): {ids}")
        problems.append(Problem(path, message.format(ids=", ".join(forgotten))))
    return problems


def given_outcome(
    envelope: Any, context: AllocationContext, cents: Mapping[str, int]
) -> EnvelopeOutcome:
    """The outcome of handing out ``cents`` per recipient id, as given (whole rounding units,
    checked when the envelope was read)."""
    unit = context.rounding.unit.cents
    return EnvelopeOutcome(
        envelope=envelope,
        rounding=context.rounding,
        units=tuple(cents[rid] // unit for rid in context.ids),
        leftover=0,
        scale=Fraction(1),
    )
