"""Benchmark of the core: cold start (import + discovery) and a large JSON round trip.

Prints figures and their ratio to the targets; asserts nothing (performance is measured here,
never asserted in tests). Run from the repository root::

    .venv/bin/python bench/bench_core.py                 # the figures of docs/performance.md
    .venv/bin/python bench/bench_core.py --runs 21 --members 20000

1. Cold start: ``import conciliazione_core`` plus discovery of the installed cycles, each run in a
   fresh interpreter. Bytecode is cached as it is for an installed package (the editable sources
   get theirs under a temporary ``PYTHONPYCACHEPREFIX``, so nothing is written into the tree);
   the figure without any bytecode cache is printed too, with ``-X importtime``'s top offenders.
2. Round trip: a network of 100,000 member bodies dumped to JSON, parsed, structured into models
   and compared for exact equality with the original.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

TARGET_COLD_MS = 150.0
TARGET_ROUND_TRIP_S = 2.0

COLD_CODE = """
import time
t0 = time.perf_counter()
import conciliazione_core
t1 = time.perf_counter()
found = conciliazione_core.default_host().cycles()
t2 = time.perf_counter()
assert {"lombardia-2014", "lombardia-2020"} <= set(found), found
print(f"{(t1 - t0) * 1000:.3f} {(t2 - t1) * 1000:.3f}")
"""


def _environment(cache: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CONCILIAZIONE_PLUGINS", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(code: str, env: dict[str, str], *flags: str) -> tuple[float, str, str, float]:
    """Wall milliseconds, output, errors and CPU milliseconds of one fresh interpreter."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, *flags, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    wall = (time.perf_counter() - start) * 1000
    return wall, done.stdout, done.stderr, (_children_cpu() - cpu) * 1000


def cold_start(runs: int, cache: str | None) -> dict[str, float]:
    """Median milliseconds of a fresh process: whole process, import, discovery, bare Python."""
    env = _environment(cache)
    for _ in range(2):  # warm the bytecode cache and the OS file cache
        _run(COLD_CODE, env)
    walls, cpus, imports, discoveries, bare = [], [], [], [], []
    for _ in range(runs):
        wall, out, _, cpu = _run(COLD_CODE, env)
        imported, discovered = (float(x) for x in out.split())
        walls.append(wall)
        cpus.append(cpu)
        imports.append(imported)
        discoveries.append(discovered)
        bare.append(_run("pass", env)[0])
    return {
        "process": statistics.median(walls),
        "process_min": min(walls),
        "process_cpu": statistics.median(cpus),
        "import": statistics.median(imports),
        "discovery": statistics.median(discoveries),
        "library": statistics.median(i + d for i, d in zip(imports, discoveries, strict=True)),
        "library_min": min(i + d for i, d in zip(imports, discoveries, strict=True)),
        "python": statistics.median(bare),
    }


def import_offenders(cache: str | None, top: int = 12) -> list[tuple[int, int, str]]:
    """``-X importtime`` of import + discovery: (self µs, cumulative µs, module), by self time."""
    err = _run(COLD_CODE, _environment(cache), "-X", "importtime")[2]
    rows = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(own), int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def big_network(members: int) -> object:
    """A network of ``members`` bodies of every kind, half of them with optional fields set."""
    from conciliazione_core import Body, BodyKind, Member, Network

    kinds = list(BodyKind)
    start = dt.date(2011, 1, 27)
    return Network(
        id="rete-benchmark",
        name="Rete territoriale di conciliazione (benchmark)",
        agency="ATS-MONTAGNA",
        lead=Body(id="ATS-MONTAGNA", name="ATS della Montagna", kind=BodyKind.ATS),
        members=tuple(
            Member(
                Body(
                    id=f"ente-{i:06d}",
                    name=f"Ente numero {i} di Sondrio",
                    kind=kinds[i % len(kinds)],
                    tax_code=f"{i:011d}" if i % 2 else None,
                    municipality="Sondrio" if i % 3 == 0 else None,
                ),
                joined_on=start + dt.timedelta(days=i % 1500) if i % 5 else None,
            )
            for i in range(members)
        ),
    )


def _timed(function: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def round_trip(members: int, repeats: int) -> dict[str, float]:
    """Median seconds of dump, parse, structure and comparison of a large network."""
    from conciliazione_core._serialisation import dump_document, parse_document, parse_json

    network = big_network(members)
    phases: dict[str, list[float]] = {"dump": [], "parse": [], "structure": [], "equal": []}
    size = 0
    cpus = []
    for _ in range(repeats):
        cpu = time.process_time()
        dump, raw = _timed(lambda: dump_document(network).encode("utf-8"))  # type: ignore[arg-type]
        parse, data = _timed(lambda: parse_json(raw, "network.json"))  # noqa: B023
        structure, back = _timed(lambda: parse_document(data, "network.json"))  # noqa: B023
        equal, same = _timed(lambda: back == network)  # noqa: B023
        cpus.append(time.process_time() - cpu)
        if not same:
            raise SystemExit("round trip changed the network")
        for name, seconds in zip(phases, (dump, parse, structure, equal), strict=True):
            phases[name].append(seconds)
        size = len(raw)
    result = {name: statistics.median(values) for name, values in phases.items()}
    totals = [sum(v[i] for v in phases.values()) for i in range(repeats)]
    result["total"] = statistics.median(totals)
    result["total_min"] = min(totals)
    result["total_cpu"] = statistics.median(cpus)
    result["megabytes"] = size / 1e6
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="fresh processes per figure (>= 7)")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="round trips (median taken)")
    args = parser.parse_args()

    print(f"conciliazione-core core benchmark, {dt.date.today().isoformat()}")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.machine()}"
    )
    with contextlib.suppress(OSError):
        print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        cold = cold_start(args.runs, cache)
        offenders = import_offenders(cache)
    uncached = cold_start(max(7, args.runs // 2), None)

    print(f"\n1. Cold start: import + discovery of both cycles, median of {args.runs} processes")
    print(f"   bare interpreter (python -c pass)  {cold['python']:7.1f} ms")
    print(f"   import conciliazione_core          {cold['import']:7.1f} ms")
    print(f"   discovery (default_host().cycles)  {cold['discovery']:7.1f} ms")
    print(
        f"   import + discovery                 {cold['library']:7.1f} ms   "
        f"(min {cold['library_min']:.1f})   target {TARGET_COLD_MS:.0f} ms, "
        f"ratio {cold['library'] / TARGET_COLD_MS:.2f}"
    )
    print(
        f"   whole process incl. interpreter    {cold['process']:7.1f} ms   "
        f"(min {cold['process_min']:.1f})   ratio {cold['process'] / TARGET_COLD_MS:.2f}"
    )
    print(f"   whole process, CPU time            {cold['process_cpu']:7.1f} ms")
    print(
        f"   without any bytecode cache         {uncached['library']:7.1f} ms "
        f"import + discovery, {uncached['process']:.1f} ms whole process"
    )
    print("   -X importtime, top offenders by self time (µs self / cumulative):")
    for own, cumulative, name in offenders:
        print(f"     {own:7d} {cumulative:8d}  {name}")

    trip = round_trip(args.members, args.repeats)
    print(
        f"\n2. JSON round trip of a network of {args.members:,} members "
        f"({trip['megabytes']:.1f} MB), median of {args.repeats}"
    )
    for name in ("dump", "parse", "structure", "equal"):
        print(f"   {name:10} {trip[name]:6.2f} s")
    print(
        f"   total      {trip['total']:6.2f} s   (min {trip['total_min']:.2f})   "
        f"target {TARGET_ROUND_TRIP_S:.0f} s, ratio {trip['total'] / TARGET_ROUND_TRIP_S:.2f}"
    )
    print(f"   total CPU  {trip['total_cpu']:6.2f} s")


if __name__ == "__main__":
    main()
