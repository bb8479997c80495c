"""Hypothesis strategies for allocations, shared by this project's tests and by plugins.

Everything generated is valid input: recipient ids are unique, every indicator has a positive
total, envelope amounts are whole rounding units and add up to the plan total, floors and caps
are feasible, split and tranche shares add up to exactly 100%. Tests for invalid input build it
by hand, next to the error they expect.

Plans are generated as parameter *data* (what a policy officer writes) and read with
:func:`~conciliazione_core.allocation.parse_allocation`, so the reader is exercised too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation import AllocationPlan, parse_allocation

__all__ = [
    "TEST_CITATIONS",
    "allocation_cases",
    "allocation_plan_data",
    "allocation_plans",
    "indicator_tables",
    "money",
    "recipients",
]

TEST_CITATIONS: dict[str, LegalBasis] = {
    "test_act": LegalBasis(
        act="Test act (generated data, not a real act)", evidence=Evidence.INFERENCE
    ),
    "test_plan": LegalBasis(
        act="Test plan (generated data)", provision="Annex 1", evidence=Evidence.INFERENCE
    ),
}
"""Citations that generated plans refer to (``basis = "test_act"``)."""

_ID_PREFIXES = ("", "A", "a", "b-", "Z.")
_UNITS = ("0.01", "0.05", "1", "10")


def money(max_cents: int = 10**11, min_cents: int = 0) -> st.SearchStrategy[Money]:
    """Amounts between ``min_cents`` and ``max_cents`` cents."""
    return st.integers(min_value=min_cents, max_value=max_cents).map(Money)


def recipients(min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[list[tuple[str, str]]]:
    """``(id, name)`` pairs with unique ids, in random order.

    Ids mix letters, cases and digits so that string order differs from numeric order and
    from the input order (``"b-10" < "b-9"``): ties must be broken by id, never by position.
    """
    numbers = st.lists(st.integers(0, 5 * 400), min_size=min_size, max_size=max_size, unique=True)
    return numbers.map(
        lambda xs: [
            (rid, f"Recipient {rid}") for rid in (_ID_PREFIXES[x % 5] + str(x // 5) for x in xs)
        ]
    )


@st.composite
def _values(draw: st.DrawFn, max_value: int, count: int) -> list[Fraction]:
    """``count`` exact values in one of four regimes: small integers (many ties and zeros),
    large integers, hundredths, or large integers with zeros mixed in."""
    regime = draw(st.integers(0, 3))
    high = 5 if regime == 0 else max_value
    numbers = draw(st.lists(st.integers(0, high), min_size=count, max_size=count))
    if regime == 2:
        return [Fraction(x, 100) for x in numbers]
    if regime == 3:
        return [Fraction(x) if x % 3 else Fraction(0) for x in numbers]
    return [Fraction(x) for x in numbers]


_PROVENANCES = {
    status: Provenance(
        source="Generated test data",
        reference_date=dt.date(2019, 1, 1),
        status=status,
        method=None if status is DataStatus.OFFICIAL else "made up by the test",
    )
    for status in DataStatus
}


@st.composite
def indicator_tables(
    draw: st.DrawFn,
    recipients: Sequence[tuple[str, str]],
    indicators: Sequence[str] = ("pop",),
    max_value: int = 10**7,
) -> IndicatorTable:
    """A table with one row per recipient (shuffled), a positive total per indicator and a
    random provenance status per row."""
    n = len(recipients)
    columns = {name: draw(_values(max_value, n)) for name in indicators}
    for values in columns.values():
        if n and not any(values):
            values[draw(st.integers(0, n - 1))] = Fraction(draw(st.integers(1, 100)))
    statuses = draw(st.lists(st.sampled_from(list(DataStatus)), min_size=n, max_size=n))
    rows = [
        IndicatorRow(
            id=rid,
            name=rname,
            values=tuple((name, columns[name][i]) for name in indicators),
            provenance=_PROVENANCES[statuses[i]],
        )
        for i, (rid, rname) in enumerate(recipients)
    ]
    shuffled = draw(st.permutations(rows))
    return IndicatorTable(tuple(indicators), tuple(shuffled))


def _share_text(draw: st.DrawFn, numerator: int, denominator: int) -> str:
    """The same exact share written as a fraction, a percentage or a decimal when possible."""
    value = Fraction(numerator, denominator)
    forms = [f"{numerator}/{denominator}"]
    if (value * 100).denominator == 1:
        forms.append(f"{value * 100}%")
    if (value * 10**6).denominator == 1:
        whole, rest = divmod((value * 10**6).numerator, 10**6)
        forms.append(f"{whole}.{rest:06d}")
    return draw(st.sampled_from(forms))


def _partition(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [bounds[k + 1] - bounds[k] for k in range(parts)]


def _shares(draw: st.DrawFn, count: int) -> list[str]:
    denominator = draw(st.sampled_from([1, 3, 14, 100, 1000]))
    return [_share_text(draw, n, denominator) for n in _partition(draw, denominator, count)]


def _money_text(cents: int) -> str:
    return str(Money(cents))


@st.composite
def allocation_plan_data(
    draw: st.DrawFn,
    recipients: Sequence[tuple[str, str]],
    indicators: Sequence[str] = ("pop",),
    max_envelopes: int = 4,
    max_units: int = 10**6,
    table: IndicatorTable | None = None,
) -> dict[str, Any]:
    """The ``[allocation]`` data of a random but valid plan for these recipients.

    Pass the indicator ``table`` when some values may be zero: recipients with zero weight stay
    at the floor, so caps are then drawn high enough for the others to absorb the envelope.
    """
    n = len(recipients)
    ids = [r for r, _name in recipients]
    plan_unit = draw(st.sampled_from(_UNITS))
    strategy = draw(st.sampled_from(["largest_remainder", "floor"]))
    kinds = ["retained", "fixed", "equal", "proportional"] if n else ["retained"]
    count = draw(st.integers(1, max_envelopes))
    envelopes: list[dict[str, Any]] = []
    total = 0
    for k in range(count):
        kind = draw(st.sampled_from(kinds))
        env: dict[str, Any] = {
            "id": f"e{k}",
            "kind": kind,
            "label": f"Envelope {k} ({kind})",
            "basis": "test_act",
        }
        unit_text = plan_unit
        if kind != "retained" and draw(st.integers(0, 5)) == 0:
            unit_text = draw(st.sampled_from(_UNITS))
            env["rounding"] = {
                "unit": unit_text,
                "strategy": draw(st.sampled_from(["largest_remainder", "floor"])),
            }
        unit = Money.parse(unit_text).cents
        if kind == "fixed":
            per = draw(st.integers(0, max_units // max(1, n))) * unit
            env["per_recipient"] = _money_text(per)
            if draw(st.booleans()):
                env["amount"] = _money_text(per * n)
            cents = per * n
        else:
            amount = draw(st.integers(0, max_units))
            cents = amount * unit
            env["amount"] = _money_text(cents)
        positive = n
        if kind == "proportional":
            if len(indicators) == 1 or draw(st.booleans()):
                name = draw(st.sampled_from(list(indicators)))
                env["indicator"] = name
                tenths = {name: 10}
            else:
                chosen = draw(st.lists(st.sampled_from(list(indicators)), min_size=1, unique=True))
                tenths = {name: draw(st.integers(0, 30)) for name in chosen}
                if not any(tenths.values()):
                    tenths[chosen[0]] = 10
                env["weights"] = {name: _share_text(draw, v, 10) for name, v in tenths.items()}
                env["combine"] = draw(st.sampled_from(["raw", "shares"]))
            if table is not None:
                positive = sum(
                    1
                    for rid in ids
                    if any(
                        w and (row := table.get(rid)) is not None and row.value(k)
                        for k, w in tenths.items()
                    )
                )
        if kind in ("equal", "proportional") and draw(st.integers(0, 2)) == 0:
            floor = draw(st.integers(0, amount // n))
            if draw(st.booleans()):
                env["floor"] = _money_text(floor * unit)
            else:
                floor = 0
            if draw(st.booleans()) and positive:
                # Zero-weight recipients stay at the floor, so the others' caps must cover the
                # rest of the envelope.
                rest = amount - (n - positive) * floor
                least = max(floor, -(-rest // positive))
                env["cap"] = _money_text(draw(st.integers(least, max(least, amount))) * unit)
        if kind != "retained" and draw(st.integers(0, 2)) == 0:
            parts = draw(st.integers(1, 3))
            shares = _shares(draw, parts)
            env["split"] = [
                {
                    "id": f"p{j}",
                    "label": f"Part {j}",
                    "share": shares[j],
                    **({"basis": "test_plan"} if draw(st.booleans()) else {}),
                }
                for j in range(parts)
            ]
            if draw(st.booleans()) and ids:
                who = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
                env["split_overrides"] = {
                    rid: dict(
                        zip([f"p{j}" for j in range(parts)], _shares(draw, parts), strict=True)
                    )
                    for rid in who
                }
        if kind != "retained" and draw(st.integers(0, 2)) == 0:
            count_t = draw(st.integers(1, 3))
            shares = _shares(draw, count_t)
            env["tranches"] = [{"id": str(2020 + j), "share": shares[j]} for j in range(count_t)]
        total += cents
        envelopes.append(env)
    return {
        "total": _money_text(total),
        "rounding": {"strategy": strategy, "unit": plan_unit},
        "envelopes": envelopes,
    }


def allocation_plans(
    recipients: Sequence[tuple[str, str]],
    indicators: Sequence[str] = ("pop",),
    max_envelopes: int = 4,
    table: IndicatorTable | None = None,
) -> st.SearchStrategy[AllocationPlan]:
    """Random valid plans (mixing retained, fixed, equal and proportional envelopes with
    floors, caps, splits, overrides and tranches) for these recipients (and ``table``)."""
    return allocation_plan_data(recipients, indicators, max_envelopes, table=table).map(
        lambda data: parse_allocation(data, TEST_CITATIONS)
    )


@st.composite
def allocation_cases(
    draw: st.DrawFn,
    min_recipients: int = 1,
    max_recipients: int = 10,
    indicators: Sequence[str] = ("pop", "area"),
    max_envelopes: int = 4,
) -> tuple[AllocationPlan, list[tuple[str, str]], IndicatorTable]:
    """``(plan, recipients, table)``: everything :func:`allocate` needs, consistent."""
    people = draw(recipients(min_recipients, max_recipients))
    table = draw(indicator_tables(people, indicators))
    plan = draw(allocation_plans(people, indicators, max_envelopes, table))
    return plan, people, table
