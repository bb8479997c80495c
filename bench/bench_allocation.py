"""Benchmark of the allocation engine: ``python bench/bench_allocation.py``.

Times :func:`conciliazione_core.allocation.allocate` on one proportional envelope
(€2,800,000 to the cent, by a population-like indicator) at 10,000, 100,000 and 1,000,000
recipients with ``explain=False``, and compares, on the same input:

* the ``apportionment`` package's largest-remainder method (``pip install apportionment``; a
  benchmark-only dependency, skipped with a message when missing);
* ``largest_remainder()`` alone, the method on the same input as the package's, on the NumPy
  path (when NumPy is installed) and in pure Python (``CONCILIAZIONE_PURE_PYTHON=1``);
* the NumPy kernel of that path called directly (``vectorised.largest_remainder_int64``, no
  input checks), the practical limit for Python.
* ``allocate`` among the rows of the table (``recipients=None``, what a cycle with
  ``recipients_from = "data"`` does): the ids and names the table checked when it was built,
  with no list of ``(id, name)`` pairs to build and check again.

It checks that the three give the same amounts, and measures peak memory with tracemalloc.
It prints figures and asserts nothing (the tests check correctness); copy the figures into
``docs/performance.md``. Timings are the median of several runs, wall clock and CPU time; the
machine's load average is printed because other processes skew wall-clock figures.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from conciliazione_core._indicators import IndicatorTable
from conciliazione_core._legal import LegalBasis
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation import (
    PURE_PYTHON_ENV,
    Allocation,
    AllocationPlan,
    allocate,
    largest_remainder,
    numpy_or_none,
    parse_allocation,
)
from conciliazione_core.allocation._vectorised import largest_remainder_int64

AMOUNT_EUROS = 2_800_000
UNITS = AMOUNT_EUROS * 100  # cents
SIZES = (10_000, 100_000, 1_000_000)
COMPARE_SIZES = (10_000, 100_000)
RUNS = {10_000: 9, 100_000: 5, 1_000_000: 3}


def plan() -> AllocationPlan:
    return parse_allocation(
        {
            "total": str(AMOUNT_EUROS),
            "rounding": {"strategy": "largest_remainder", "unit": "0.01"},
            "envelopes": [
                {
                    "id": "p",
                    "kind": "proportional",
                    "label": "By population",
                    "amount": str(AMOUNT_EUROS),
                    "indicator": "pop",
                    "basis": "bench",
                }
            ],
        },
        {"bench": LegalBasis("Benchmark (synthetic data)")},
    )


def inputs(n: int, seed: int = 2019) -> tuple[list[tuple[str, str]], list[int]]:
    """Recipients in id order and population-like weights (many equal values, so ties)."""
    rng = random.Random(seed)
    ids = [f"R{i:07d}" for i in range(n)]
    weights = [rng.randint(0, 1_000_000) for _ in range(n)]
    return [(i, i) for i in ids], weights


def table_of(recipients: Sequence[tuple[str, str]], weights: Sequence[int]) -> IndicatorTable:
    """The table as the readers build it: by columns, one provenance for every row."""
    provenance = Provenance("synthetic", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
    return IndicatorTable.from_columns(
        ("pop",),
        [r for r, _ in recipients],
        [name for _, name in recipients],
        [weights],
        [provenance],
        [0] * len(recipients),
    )


def fresh(table: IndicatorTable) -> IndicatorTable:
    """The same columns in a new table: nothing cached yet (a cold start)."""
    return IndicatorTable.from_columns(
        table.indicators,
        table.ids,
        table.names,
        [table.integer_column(name)[0] for name in table.indicators],
        table.provenances()[:1],
        [0] * len(table.ids),
    )


def timed(
    fn: Callable[..., Any], runs: int, setup: Callable[[], tuple[Any, ...]] = tuple
) -> tuple[float, float, Any]:
    """Median wall-clock and CPU seconds over ``runs`` calls of ``fn(*setup())``, and the last
    result; ``setup`` runs outside the measured time."""
    walls, cpus = [], []
    result: Any = None
    for _ in range(runs):
        args = setup()
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), result


def numpy_reference(units: int, weights: Sequence[int], ids: Sequence[str]) -> list[int]:
    """The library's int64 kernel called directly: no input checks, no dispatch."""
    result = largest_remainder_int64(units, weights, ids, sum(weights))
    assert result is not None, "the benchmark's inputs fit int64"
    return result


Method = Callable[[int, Sequence[int], Sequence[str]], list[int]]


def package_methods() -> dict[str, Method]:
    """The ``apportionment`` package's Hamilton method, in float and in exact mode (empty if the
    package is not installed).

    Its API is ``apportionment.methods.compute(method, votes, seats, fractions=False,
    parties=..., ...)``: quotas in binary floating point by default (NumPy), or as Fractions with
    ``fractions=True`` (exact, like ours). It breaks ties in input order; the input here is in
    id order, so its ties fall as ours do. ``parties`` must be given: the default (the 52 ASCII
    letters) runs out past 52 recipients when there is a tie. After the floors it loops over
    every recipient summing the whole array each time, so it is quadratic in the number of
    recipients.
    """
    try:
        from apportionment import methods
    except ImportError:
        return {}

    def run(exact: bool, units: int, weights: Sequence[int], ids: Sequence[str]) -> list[int]:
        return list(
            methods.compute(
                "largest_remainder", list(weights), units, fractions=exact, parties=list(ids)
            )
        )

    return {"float": partial(run, False), "exact": partial(run, True)}


def bench_size(
    n: int,
    the_plan: AllocationPlan,
    package: dict[str, Method],
    numpy_ok: bool,
) -> None:
    """Time every implementation at one size and check that they agree."""
    recipients, weights = inputs(n)
    ids = [r for r, _ in recipients]
    table = table_of(recipients, weights)
    runs = RUNS[n]

    def run(people: list[tuple[str, str]] | None, data: IndicatorTable) -> Allocation:
        return allocate(the_plan, people, data, explain=False)

    warm_table = fresh(table)
    allocate(the_plan, recipients, warm_table, explain=False)
    shuffled = recipients[:]
    random.Random(1).shuffle(shuffled)

    cold_w, cold_c, result = timed(run, runs, lambda: (recipients, fresh(table)))
    warm_w, warm_c, _ = timed(run, runs, lambda: (recipients, warm_table))
    sh_w, sh_c, _ = timed(run, runs, lambda: (shuffled, fresh(table)))
    # The table's rows as the recipients (a cycle with recipients_from = "data"): no pairs.
    rows_w, rows_c, by_rows = timed(run, runs, lambda: (None, fresh(table)))
    print(f"n = {n:>9,}  allocate, cold table: {cold_w:7.3f} s wall, {cold_c:7.3f} s CPU")
    print(
        f"{'':14}allocate among the table's rows (recipients=None), cold table: "
        f"{rows_w:7.3f} s wall, {rows_c:7.3f} s CPU"
    )
    print(f"{'':14}allocate, warm table: {warm_w:7.3f} s wall, {warm_c:7.3f} s CPU")
    print(
        f"{'':14}allocate, recipients in another order than the table (cold): "
        f"{sh_w:7.3f} s wall, {sh_c:7.3f} s CPU"
    )
    ours = list(result.cents)
    method = partial(largest_remainder, UNITS, weights, ids)
    lr_w, lr_c, lr = timed(method, runs)
    path = "NumPy path" if numpy_or_none() is not None else "pure Python: NumPy not installed"
    print(f"{'':14}largest_remainder() ({path}): {lr_w:7.3f} s wall, {lr_c:7.3f} s CPU")
    os.environ[PURE_PYTHON_ENV] = "1"
    try:
        py_w, py_c, py = timed(method, runs)
    finally:
        del os.environ[PURE_PYTHON_ENV]
    print(f"{'':14}largest_remainder() (pure Python): {py_w:7.3f} s wall, {py_c:7.3f} s CPU")
    agree = {
        "largest_remainder()": lr == ours,
        "pure Python": py == ours,
        "the table's rows": list(by_rows.cents) == ours,
    }
    if numpy_ok:
        np_w, np_c, np_result = timed(partial(numpy_reference, UNITS, weights, ids), runs)
        agree["NumPy"] = np_result == ours
        print(
            f"{'':14}NumPy kernel alone:   {np_w:7.3f} s wall, {np_c:7.3f} s CPU"
            f"  -> the NumPy time (the practical limit) x {lr_c / np_c:.1f} for"
            f" largest_remainder(), x {py_c / np_c:.1f} in pure Python, x {cold_c / np_c:.1f}"
            f" for allocate (cold), x {rows_c / np_c:.1f} for allocate among the table's rows"
        )
    for mode, package_method in package.items() if n in COMPARE_SIZES else ():
        pk_w, pk_c, pk_result = timed(
            partial(package_method, UNITS, weights, ids), max(1, runs // 3)
        )
        same = pk_result == ours
        agree[f"apportionment ({mode})"] = same
        diff = sum(1 for a, b in zip(pk_result, ours, strict=True) if a != b)
        print(
            f"{'':14}apportionment ({mode:5}): {pk_w:7.3f} s wall, {pk_c:7.3f} s CPU"
            f"{'' if same else f' (amounts differ for {diff} recipients)'}\n"
            f"{'':16}-> largest_remainder() is {pk_c / lr_c:6.1f}x faster"
            f" (pure Python {pk_c / py_c:5.1f}x), allocate (cold) {pk_c / cold_c:5.1f}x,"
            f" allocate (warm) {pk_c / warm_c:5.1f}x"
        )
    # Target 4 in pure Python: allocate (cold table) against the plainest exact implementation.
    from bench_table import minimal

    os.environ[PURE_PYTHON_ENV] = "1"
    try:
        pa_w, pa_c, pure_result = timed(run, runs, lambda: (recipients, fresh(table)))
    finally:
        del os.environ[PURE_PYTHON_ENV]
    mi_w, mi_c, mi_result = timed(partial(minimal, UNITS, weights, tuple(ids)), runs)
    agree["allocate (pure Python)"] = list(pure_result.cents) == ours
    agree["minimal"] = mi_result == ours
    print(
        f"{'':14}allocate, cold table, pure Python: {pa_w:7.3f} s wall, {pa_c:7.3f} s CPU;"
        f" minimal exact pure Python (bench_table.minimal): {mi_w:7.3f} s wall,"
        f" {mi_c:7.3f} s CPU -> allocate x {pa_c / mi_c:.2f} of it"
    )
    listing = ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in agree.items())
    print(f"{'':14}same amounts as allocate: {listing}\n")


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"one proportional envelope of €{AMOUNT_EUROS:,} to the cent, explain=False\n")
    the_plan = plan()
    package = package_methods()
    if not package:
        print(
            "NOTE: the 'apportionment' package is not installed; `pip install apportionment`"
            " to compare with it (a benchmark-only dependency).\n"
        )
    if package:
        # Why the package can disagree: at the cut-off it hands units to tied remainders in
        # input order before it has served every strictly larger remainder.
        ours = largest_remainder(3, [1, 1, 3], ["a", "b", "c"])
        theirs = package["exact"](3, [1, 1, 3], ["a", "b", "c"])
        print(
            f"3 units by weights 1, 1, 3 (remainders 0.6, 0.6, 0.8): allocate {ours}, "
            f"apportionment {theirs}{'' if ours == theirs else ' (c, the largest remainder, loses)'}\n"
        )
    numpy_ok = numpy_or_none() is not None
    if not numpy_ok:
        print("NOTE: NumPy is not installed; the NumPy path and kernel are skipped.\n")

    for n in SIZES:
        bench_size(n, the_plan, package, numpy_ok)

    print("memory (tracemalloc), inputs already built: peak during allocate, kept by the result")
    for n, explain in ((1_000_000, False), (100_000, False), (100_000, True)):
        recipients, weights = inputs(n)
        table = table_of(recipients, weights)
        allocate(the_plan, recipients, table, explain=False)  # the table's caches: not counted
        gc.collect()
        tracemalloc.start()
        allocation = allocate(the_plan, recipients, table, explain=explain)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  n = {n:>9,} explain={explain!s:5}: peak {peak / 2**20:7.1f} MiB,"
            f" kept {kept / 2**20:7.1f} MiB ({kept / n:.0f} bytes per recipient)"
        )
        del allocation
    recipients, weights = inputs(1_000_000)
    table = table_of(recipients, weights)
    allocation = allocate(the_plan, recipients, table, explain=False)
    times = []
    for k in range(40):
        w0 = time.perf_counter()
        allocation.explain(f"R{k * 24_999:07d}")
        times.append(time.perf_counter() - w0)
    print(
        f"  explaining recipients one by one after explain=False (1,000,000 recipients):"
        f" {statistics.median(times[:16]) * 1000:.1f} ms each for the first 16 (a scan),"
        f" {times[16]:.3f} s for the 17th (builds an id index),"
        f" then {statistics.median(times[17:]) * 1000:.2f} ms each"
    )
    print(f"\nload average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
