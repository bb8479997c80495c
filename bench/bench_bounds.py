"""Benchmark of capped envelopes and splits: ``python bench/bench_bounds.py [N]``.

The case of issue 16: one proportional envelope of €2,800,000 to the cent among N recipients
(100,000 by default) by a weighted combination of 3 indicators (``combine = "shares"``, 50/30/20),
a cap of €40 per recipient and an 80/20 split, with ``explain=False``. ``allocate`` is compared,
in the same process and on the same input, with :func:`reference`: a straightforward exact
pure-Python implementation of the same rule (weights over a common denominator, the capped
recipients found by water-filling down the weights, largest remainder by one sort, the split one
recipient at a time). The two must give the same amounts; the runs alternate so that the
machine's load hits both alike. Prints figures and ratios, asserts nothing but the agreement.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import lcm
from typing import Any

from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._legal import LegalBasis
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation import (
    PURE_PYTHON_ENV,
    AllocationPlan,
    allocate,
    parse_allocation,
)
from conciliazione_core.allocation._engine import _split_columns, _split_units

AMOUNT_EUROS = 2_800_000
CAP_EUROS = 40
SHARES = {"pop": Fraction(1, 2), "area": Fraction(3, 10), "cases": Fraction(1, 5)}
SPLIT = (("projects", Fraction(4, 5)), ("system_action", Fraction(1, 5)))


def plan(weights: dict[str, Fraction] = SHARES, split: bool = True) -> AllocationPlan:
    parts = [
        {"id": pid, "label": pid, "share": str(share), "basis": "bench"} for pid, share in SPLIT
    ]
    return parse_allocation(
        {
            "total": str(AMOUNT_EUROS),
            "rounding": {"strategy": "largest_remainder", "unit": "0.01"},
            "envelopes": [
                {
                    "id": "p",
                    "kind": "proportional",
                    "label": "Weighted, capped, split",
                    "amount": str(AMOUNT_EUROS),
                    "weights": {k: str(v) for k, v in weights.items()},
                    "cap": str(CAP_EUROS),
                    "basis": "bench",
                    **({"split": parts} if split else {}),
                }
            ],
        },
        {"bench": LegalBasis("Benchmark (synthetic data)")},
    )


def inputs(n: int, seed: int = 16) -> tuple[list[tuple[str, str]], list[list[int]]]:
    rng = random.Random(seed)
    recipients = [(f"R{i:07d}", f"R{i:07d}") for i in range(n)]
    columns = [
        [rng.randint(0, 1_000_000) for _ in range(n)],
        [rng.randint(1, 10_000) for _ in range(n)],
        [rng.randint(0, 1_000) for _ in range(n)],
    ]
    return recipients, columns


def table_of(recipients: Sequence[tuple[str, str]], columns: list[list[int]]) -> IndicatorTable:
    provenance = Provenance("synthetic", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
    names = tuple(SHARES)
    return IndicatorTable(
        names,
        tuple(
            IndicatorRow(rid, name, tuple(zip(names, values, strict=True)), provenance)
            for (rid, name), *values in zip(recipients, *columns, strict=True)
        ),
    )


def reference(
    units: int, columns: list[list[int]], ids: Sequence[str], cap: int
) -> tuple[list[int], list[list[int]]]:
    """The rule written plainly, exact: (amounts, [projects, system_action]) in cents."""
    n = len(ids)
    coefficients = [share / sum(c) for share, c in zip(SHARES.values(), columns, strict=True)]
    common = lcm(*(c.denominator for c in coefficients))
    a, b, c = (x.numerator * (common // x.denominator) for x in coefficients)
    weights = [a * x + b * y + c * z for x, y, z in zip(*columns, strict=True)]
    # Water-filling: cap the heaviest while the scale rest / free would take them over the cap.
    order = sorted(range(n), key=weights.__getitem__, reverse=True)
    free, rest, k = sum(weights), units, 0
    while k < n and weights[order[k]] * rest > cap * free:
        rest -= cap
        free -= weights[order[k]]
        k += 1
    capped = set(order[:k])
    # Quotas over the common denominator ``free``: cap × free, or w × rest.
    quotas = [cap * free if i in capped else w * rest for i, w in enumerate(weights)]
    amounts = [q // free for q in quotas]
    left = units - sum(amounts)
    by_remainder = sorted(range(n), key=lambda i: (-(quotas[i] % free), ids[i]))
    for i in by_remainder[:left]:
        amounts[i] += 1
    projects, system = [], []
    for amount in amounts:  # 80/20, largest remainder, ties to "projects" (the smaller id)
        p, s = amount * 4 // 5, amount // 5
        if amount - p - s:
            if amount * 4 % 5 >= amount % 5:
                p += 1
            else:
                s += 1
        projects.append(p)
        system.append(s)
    return amounts, [projects, system]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    c0 = time.process_time()
    result = fn()
    return time.process_time() - c0, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = 5
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    the_plan = plan()
    recipients, columns = inputs(n)
    ids = [r for r, _ in recipients]
    table = table_of(recipients, columns)
    allocate(the_plan, recipients, table, explain=False)  # the table's columns: warm

    def ours() -> tuple[list[int], list[list[int]]]:
        outcome = allocate(the_plan, recipients, table, explain=False).outcomes[0]
        return list(outcome.units), [list(p) for p in outcome.parts]

    def theirs() -> tuple[list[int], list[list[int]]]:
        return reference(AMOUNT_EUROS * 100, columns, ids, CAP_EUROS * 100)

    figures: dict[str, list[float]] = {"reference": [], "numpy": [], "pure": []}
    results = {}
    for _ in range(runs):
        t, results["reference"] = timed(theirs)
        figures["reference"].append(t)
        t, results["numpy"] = timed(ours)
        figures["numpy"].append(t)
        os.environ[PURE_PYTHON_ENV] = "1"
        try:
            t, results["pure"] = timed(ours)
        finally:
            del os.environ[PURE_PYTHON_ENV]
        figures["pure"].append(t)
    base = statistics.median(figures["reference"])
    print(
        f"n = {n:,}: 3 indicators (shares), cap €{CAP_EUROS}, 80/20 split; CPU s, median of {runs}"
    )
    for name, label in (
        ("reference", "exact pure-Python reference (bench)"),
        ("numpy", "allocate, NumPy installed"),
        ("pure", f"allocate, {PURE_PYTHON_ENV}=1"),
    ):
        median = statistics.median(figures[name])
        same = results[name] == results["reference"]
        print(
            f"  {label:38} {median:7.3f} s  ratio {median / base:5.2f}"
            f"  same amounts: {'yes' if same else 'NO'}"
        )
    capped = sum(1 for u in results["reference"][0] if u == CAP_EUROS * 100)
    print(f"  ({capped:,} recipients at the cap)")
    # One indicator with a cap: the quotas over one denominator fit int64, so NumPy is used.
    single = plan(weights={"pop": Fraction(1)}, split=False)
    allocate(single, recipients, table, explain=False)
    times: dict[str, list[float]] = {"numpy": [], "pure": []}
    amounts = {}
    for _ in range(runs):
        t, amounts["numpy"] = timed(
            lambda: allocate(single, recipients, table, explain=False).cents
        )
        times["numpy"].append(t)
        os.environ[PURE_PYTHON_ENV] = "1"
        try:
            t, amounts["pure"] = timed(
                lambda: allocate(single, recipients, table, explain=False).cents
            )
        finally:
            del os.environ[PURE_PYTHON_ENV]
        times["pure"].append(t)
    numpy_s, pure_s = statistics.median(times["numpy"]), statistics.median(times["pure"])
    print(
        f"  1 indicator, cap €{CAP_EUROS}, no split: allocate {numpy_s:.3f} s with NumPy,"
        f" {pure_s:.3f} s pure Python (x {pure_s / numpy_s:.1f});"
        f" same amounts: {'yes' if amounts['numpy'] == amounts['pure'] else 'NO'}"
    )
    # The split alone: one pass per part against one largest-remainder call per recipient.
    units = results["reference"][0]
    shares, part_ids = [share for _p, share in SPLIT], [pid for pid, _s in SPLIT]
    one_pass, columns = timed(lambda: _split_columns(units, shares, part_ids))
    per_recipient, rows = timed(lambda: [_split_units(u, shares, part_ids) for u in units])
    same = columns == [list(c) for c in zip(*rows, strict=True)]
    print(
        f"  the 80/20 split alone: {one_pass:.3f} s in one pass per part, {per_recipient:.3f} s"
        f" with one largest_remainder() per recipient (x {per_recipient / one_pass:.0f});"
        f" same amounts: {'yes' if same else 'NO'}"
    )
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
