"""Benchmark of reading an indicator table and allocating from it: ``python bench/bench_table.py``.

What ``conciliazione allocate CYCLE --data FILE`` computes, at 1,000,000 recipients (``N`` on
the command line to change it): a CSV indicator table (``id,name,pop,source,reference_date,
status,method``; population-like values, every tenth row an estimate) is written to a temporary
folder, then each of these runs in a fresh interpreter, the runs alternating so that the
machine's load hits them alike:

* ``baseline``: ``list(csv.reader(open(FILE)))``, the floor for reading the file in Python;
* ``ours``: ``load_indicator_table(FILE)`` then ``allocate(plan, recipients, table,
  explain=False)`` of one proportional envelope (the plan of ``bench_allocation.py``), then the
  NumPy kernel alone on the same weights (``vectorised.largest_remainder_int64``), timed apart;
* ``pure``: the same as ``ours`` with ``CONCILIAZIONE_PURE_PYTHON=1``, and a minimal exact
  pure-Python largest remainder (:func:`minimal`) on the same weights, timed apart.

* ``italian``: ``load_indicator_table`` of the same table as an Italian office's Excel exports
  it (``;`` between columns, ``298.032``, ``01/01/2019``, Windows-1252);
* ``cli``: the command itself, ``conciliazione allocate bench-1m --data FILE --format csv``
  (stdout to ``/dev/null``), and ``cli-table`` the same with its default format, the table
  (80 columns wide, as when the output is not a terminal), of a cycle that takes its
  recipients from the data (``recipients_from = "data"``: the table's 1,000,000 rows) and
  whose allocation is lombardia-2020's (an 80/20 split), registered with the plugin host from
  Python; ``cli-listed`` the CSV command again with a cycle that lists the 1,000,000
  recipients itself, built before the clock starts (a plugin's cost, not the table door's);
* ``refused``: ``load_indicator_table`` of the table with a bad cell in its last row, which
  the careful reader reads to name every problem; its peak against the budget of issue 15
  (20 × the file's size + 64 MiB).

Each process reports its CPU time and its peak resident memory (``ru_maxrss``: the interpreter,
NumPy and everything). The target of issue 16: ``ours`` within 2 × (baseline + kernel), peak
under 300 MiB. Prints figures and ratios, asserts only that the amounts agree.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = 3

CHILD = r"""
import gc, json, os, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
out = {}
c0 = time.process_time()
if mode == "baseline":
    import csv
    rows = list(csv.reader(open(path)))
    out["cpu"] = time.process_time() - c0
    out["rows"] = len(rows) - 1
elif mode in ("italian", "refused"):
    from conciliazione_core._indicators import load_indicator_table
    from conciliazione_core import InputError
    c1 = time.process_time()
    try:
        table = load_indicator_table(path)
        out["rows"] = len(table)
    except InputError as refused:
        out["problems"] = len(refused.problems)
    out["cpu"] = time.process_time() - c1
elif mode in ("cli", "cli-table", "cli-listed"):
    import attrs
    import conciliazione_core as cc
    from conciliazione_core import _host
    from conciliazione_core._cycle import Recipient
    from conciliazione_core.cli import main
    from conciliazione_core.hookspecs import hookimpl
    from conciliazione_core.allocation import numpy_or_none
    numpy_or_none()
    b0 = time.process_time()
    base = cc.get_cycle("lombardia-2020")
    n = int(sys.argv[4])
    if mode == "cli-listed":  # the cycle lists the million recipients itself
        recipients = tuple(Recipient(f"R{i:07d}", f"Recipient {i}") for i in range(n))
        cycle = attrs.evolve(base, id="bench-1m", recipients=recipients, recipients_from="list")
        del recipients
    else:  # recipients_from = "data": the rows of the table are the recipients
        cycle = attrs.evolve(base, id="bench-1m", recipients=(), recipients_from="data")

    class Plugin:
        @hookimpl
        def conciliazione_cycles(self):
            return [cycle]

    _host._default[:] = [_host.Host([("bench", Plugin())], use_entry_points=False)]
    _host.default_host().cycle("bench-1m")
    out["cycle"] = time.process_time() - b0
    gc.collect()
    sys.stdout = open(os.devnull, "w")
    c1 = time.process_time()
    try:
        fmt = "table" if mode == "cli-table" else "csv"
        main(["allocate", "bench-1m", "--data", path, "--format", fmt])
    except SystemExit as done:
        out["exit"] = done.code
    out["cpu"] = time.process_time() - c1
    sys.stdout = sys.__stdout__
else:
    sys.path.insert(0, os.path.dirname(sys.argv[3]))
    from bench_allocation import plan, UNITS
    from bench_table import minimal
    from conciliazione_core.allocation import allocate
    from conciliazione_core.allocation._vectorised import largest_remainder_int64
    from conciliazione_core._indicators import load_indicator_table
    the_plan = plan()
    from conciliazione_core.allocation import numpy_or_none
    numpy_or_none()  # importing NumPy (once per process) is not the table's cost
    c1 = time.process_time()
    table = load_indicator_table(path)
    c2 = time.process_time()
    recipients = list(zip(table.ids, table.names))
    c3 = time.process_time()
    result = allocate(the_plan, recipients, table, explain=False)
    c4 = time.process_time()
    out.update(load=c2 - c1, allocate=c4 - c3, cpu=(c2 - c1) + (c4 - c3))
    out["non_official"] = len(result.non_official)
    weights, _d = table.integer_column("pop")
    ids = table.ids
    gc.collect()
    k0 = time.process_time()
    if mode == "ours":
        same = largest_remainder_int64(UNITS, weights, ids, sum(weights))
    else:
        same = minimal(UNITS, weights, ids)
    out["kernel"] = time.process_time() - k0
    out["same"] = same == list(result.cents)
out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def minimal(units: int, weights: list[int] | tuple[int, ...], ids: tuple[str, ...]) -> list[int]:
    """Largest remainder written plainly and exactly in pure Python (ties by id)."""
    total = sum(weights)
    products = [units * w for w in weights]
    floors = [p // total for p in products]
    remainders = [p % total for p in products]
    left = units - sum(floors)
    if left:
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], ids[i]))
        for i in order[:left]:
            floors[i] += 1
    return floors


def write_table(path: Path, n: int, seed: int = 2019, indicator: str = "pop") -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f"id,name,{indicator},source,reference_date,status,method\n")
        for i in range(n):
            status, method = ("estimate", "projected") if i % 10 == 0 else ("official", "")
            out.write(
                f"R{i:07d},Recipient {i},{rng.randint(0, 1_000_000)},ISTAT,2019-01-01,"
                f"{status},{method}\n"
            )


def write_italian(path: Path, n: int, seed: int = 2019) -> None:
    """The table of :func:`write_table` as an Italian office's Excel exports it."""
    rng = random.Random(seed)
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write("id;name;resident_2019_01_01;source;reference_date;status;method\r\n")
        for i in range(n):
            status, method = ("estimate", "proiezione") if i % 10 == 0 else ("official", "")
            pop = f"{rng.randint(0, 1_000_000):,}".replace(",", ".")
            out.write(f"R{i:07d};Comunità {i};{pop};ISTAT;01/01/2019;{status};{method}\r\n")


def run(mode: str, path: Path, n: int = 0) -> dict[str, float]:
    env = dict(os.environ, COLUMNS="80")  # the width of the table the command writes
    if mode == "pure":
        env["CONCILIAZIONE_PURE_PYTHON"] = "1"
    here = str(Path(__file__).resolve())
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), here, str(n)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        write_table(path, n)
        cycle_table = Path(folder) / "cycle.csv"
        write_table(cycle_table, n, indicator="resident_2019_01_01")
        italian = Path(folder) / "italian.csv"
        write_italian(italian, n)
        refused = Path(folder) / "refused.csv"
        body = path.read_bytes()
        last = body.rstrip(b"\n").rfind(b"\n") + 1
        refused.write_bytes(body[:last] + body[last:].replace(b",official,", b",guessed,"))
        sizes = {"table": path.stat().st_size, "refused": refused.stat().st_size}
        print(f"{n:,} rows, {sizes['table'] / 2**20:.1f} MiB of CSV; CPU s, median of {RUNS}")
        figures: dict[str, list[dict[str, float]]] = {
            "baseline": [],
            "ours": [],
            "pure": [],
            "cli": [],
            "cli-table": [],
            "cli-listed": [],
            "italian": [],
            "refused": [],
        }
        where = {
            "cli": cycle_table,
            "cli-table": cycle_table,
            "cli-listed": cycle_table,
            "italian": italian,
            "refused": refused,
        }
        for _ in range(RUNS):
            for mode in figures:
                figures[mode].append(run(mode, where.get(mode, path), n))

    def med(mode: str, key: str) -> float:
        return statistics.median(f[key] for f in figures[mode])

    base, kernel = med("baseline", "cpu"), med("ours", "kernel")
    print(
        f"  list(csv.reader(open(FILE)))          {base:7.3f} s   peak {med('baseline', 'peak_mib'):6.1f} MiB"
    )
    print(f"  NumPy kernel alone                    {kernel:7.3f} s")
    for mode, label in (("ours", "NumPy installed"), ("pure", "CONCILIAZIONE_PURE_PYTHON=1")):
        load, alloc, cpu = med(mode, "load"), med(mode, "allocate"), med(mode, "cpu")
        same = all(f["same"] for f in figures[mode])
        print(
            f"  {label}: load_indicator_table {load:.3f} s + allocate {alloc:.3f} s = {cpu:.3f} s,"
            f" peak {med(mode, 'peak_mib'):6.1f} MiB, same amounts: {'yes' if same else 'NO'}"
        )
        print(f"    ratio to (csv.reader + NumPy kernel): {cpu / (base + kernel):.2f}")
    minimal_s = med("pure", "kernel")
    pure_alloc = med("pure", "allocate")
    print(f"  minimal exact pure-Python largest remainder: {minimal_s:.3f} s")
    print(f"    allocate (pure Python, table read) / minimal: {pure_alloc / minimal_s:.2f}")
    print(
        f"    allocate (NumPy, table read) / NumPy kernel: {med('ours', 'allocate') / kernel:.2f}"
    )
    cli = med("cli", "cpu")
    print(
        f"  the command (allocate --data FILE --format csv), a cycle taking its recipients from"
        f" the data: {cli:.3f} s, peak {med('cli', 'peak_mib'):6.1f} MiB;"
        f" exit {figures['cli'][0].get('exit')}"
    )
    print(f"    ratio to (csv.reader + NumPy kernel): {cli / (base + kernel):.2f}")
    listed = med("cli-listed", "cpu")
    print(
        f"  the same command, the cycle listing the 1,000,000 recipients itself: {listed:.3f} s,"
        f" peak {med('cli-listed', 'peak_mib'):6.1f} MiB (building that cycle before it:"
        f" {med('cli-listed', 'cycle'):.3f} s); exit {figures['cli-listed'][0].get('exit')}"
    )
    print(f"    ratio to (csv.reader + NumPy kernel): {listed / (base + kernel):.2f}")
    table = med("cli-table", "cpu")
    print(
        f"  the command with its default table (allocate --data FILE, 80 columns): {table:.3f} s,"
        f" peak {med('cli-table', 'peak_mib'):6.1f} MiB; exit {figures['cli-table'][0].get('exit')}"
    )
    print(f"    ratio to (csv.reader + NumPy kernel): {table / (base + kernel):.2f}")
    print(
        f"  Italian export (';', 298.032, dd/mm/yyyy, cp1252): load_indicator_table "
        f"{med('italian', 'cpu'):.3f} s, peak {med('italian', 'peak_mib'):6.1f} MiB, "
        f"ratio to csv.reader {med('italian', 'cpu') / base:.2f}"
    )
    budget = 20 * sizes["refused"] / 2**20 + 64
    print(
        f"  refused (a bad cell in the last row): {med('refused', 'cpu'):.3f} s, peak "
        f"{med('refused', 'peak_mib'):6.1f} MiB; budget 20 × size + 64 MiB = {budget:,.0f} MiB "
        f"(ratio {med('refused', 'peak_mib') / budget:.2f})"
    )
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
