"""Start-up cost of the library and of the CLI's main command, as ratios to a bare interpreter.

Issue 16 point 5: ``conciliazione allocate lombardia-2020`` within 6x the CPU time of ``python -c
pass``, and ``import conciliazione_core`` plus discovery within 5x. Each command runs in a fresh
process; the commands are run in alternation with the baseline, ``--runs`` times, so that the
machine's load hits every one alike; the figure is the median CPU time (user + system) of the
child process, read from ``RUSAGE_CHILDREN``. Prints figures and ratios; asserts nothing (the
tests never time anything). Run from the repository root::

    .venv/bin/python bench/bench_startup.py              # 15 runs of each command
    .venv/bin/python bench/bench_startup.py --runs 31 --importtime
    .venv/bin/python bench/bench_startup.py --before e3a46af   # and the core of a commit

With ``--before REF`` the core's sources of commit ``REF`` (``git archive``) are put first on
``PYTHONPATH`` for a second run of every command, in alternation with this tree's, so that the
before/after pair meets the same load.

Bytecode is cached as for an installed package (the editable sources get theirs under a temporary
``PYTHONPYCACHEPREFIX``, so nothing is written into the tree).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
CLI = str(BIN / "conciliazione")

DISCOVERY = "import conciliazione_core; conciliazione_core.default_host().declared_cycles()"
ONE_CYCLE = "import conciliazione_core; conciliazione_core.get_cycle('lombardia-2020')"
ALL_CYCLES = "import conciliazione_core; conciliazione_core.cycles()"

COMMANDS: dict[str, list[str]] = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "import conciliazione_core": [sys.executable, "-c", "import conciliazione_core"],
    "import + discovery (declared cycles)": [sys.executable, "-c", DISCOVERY],
    "import + one cycle (lombardia-2020)": [sys.executable, "-c", ONE_CYCLE],
    "import + every cycle": [sys.executable, "-c", ALL_CYCLES],
    "conciliazione allocate lombardia-2020": [CLI, "allocate", "lombardia-2020"],
}
STAGES = """
import time
marks = [time.process_time()]
def mark(): marks.append(time.process_time())
import typing, inspect, re; mark()
import attrs; mark()
import click; mark()
import pluggy; mark()
import conciliazione_core.cli; mark()
from conciliazione_core import _host; mark()
import importlib.metadata; mark()
host = _host.default_host(); mark()
import cattrs; mark()
from conciliazione_core import _cycle; mark()
import conciliazione_core.allocation; mark()
host._start(); mark()
host._load_extensions(); mark()
from conciliazione_core._territory import lombardy; lombardy(); mark()
cycle = host.cycle("lombardia-2020"); mark()
from conciliazione_core import allocate
from conciliazione_core.allocation import render_table
render_table(allocate(cycle)); mark()
print(" ".join(f"{(b - a) * 1000:.2f}" for a, b in zip(marks, marks[1:])))
"""
STAGE_NAMES = (
    "typing, inspect, re (the standard library attrs needs)",
    "attrs",
    "click",
    "pluggy",
    "conciliazione_core.cli (i18n, errors, the command modules)",
    "_host (findings, rule registry, legal, money)",
    "importlib.metadata (email, zipfile, csv...)",
    "Host(): reading the entry points",
    "cattrs",
    "_cycle (formats, converter, documents, territory)",
    "allocation (engine, kinds, parameters, explain, render)",
    "registering the core's rules (_rules) and kinds",
    "importing the extension plugins (cofinancing, in this venv)",
    "the territory table (lombardy())",
    "host.cycle(): import the plugin, parse, structure, check",
    "allocate + render_table",
)
TARGETS = {
    "import + discovery (declared cycles)": 5.0,
    "conciliazione allocate lombardia-2020": 6.0,
}


def _environment(pycache: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CONCILIAZIONE_PLUGINS", "PYTHONDONTWRITEBYTECODE", "CONCILIAZIONE_LANG"):
        env.pop(name, None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    env["LANG"] = "C.UTF-8"
    return env


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], env: dict[str, str]) -> float:
    """CPU milliseconds of one fresh process running ``command``."""
    before = _cpu()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    return (_cpu() - before) * 1000


def importtime(command: list[str], env: dict[str, str], top: int) -> list[tuple[int, int, str]]:
    """``-X importtime`` of ``command``: (self µs, cumulative µs, module), largest cumulative."""
    code = f"import sys; sys.argv = {command!r}; from conciliazione_core.cli import main; main()"
    if command[0] == sys.executable:
        code = command[-1]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            own, cumulative, name = line.removeprefix("import time:").split("|")
            rows.append((int(own), int(cumulative), name.rstrip()))
    return sorted(rows, key=lambda r: -r[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true", help="also print -X importtime")
    parser.add_argument("--before", metavar="REF", help="also time the core of commit REF")
    parser.add_argument(
        "--stages", action="store_true", help="also split the allocation's CPU time by stage"
    )
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as pycache, tempfile.TemporaryDirectory() as old:
        env = _environment(pycache)
        variants = {"": env}
        if args.before:
            archive = subprocess.run(
                ["git", "archive", args.before, "src"], capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
            variants[f" [{args.before}]"] = {**env, "PYTHONPATH": str(Path(old) / "src")}
        runs = {
            name + label: (command, variant)
            for name, command in COMMANDS.items()
            for label, variant in variants.items()
        }
        for command, variant in runs.values():  # warm the bytecode and the OS file cache
            run_once(command, variant)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, (command, variant) in runs.items():
                times[name].append(run_once(command, variant))
        base = statistics.median(times["python -c pass (baseline)"])
        print(f"\nCPU ms of a fresh process, median (min) of {args.runs}, ratio to the baseline:")
        for name, values in times.items():
            median = statistics.median(values)
            target = TARGETS.get(name)
            goal = ""
            if target is not None:
                goal = f"  (target {target:g}x: {'met' if median / base <= target else 'NOT met'})"
            print(f"  {name:50} {median:7.1f} ({min(values):6.1f})  {median / base:5.1f}x{goal}")
        if args.stages:
            rows = []
            for _ in range(args.runs):
                done = subprocess.run(
                    [sys.executable, "-c", STAGES], env=env, capture_output=True, text=True
                )
                rows.append([float(x) for x in done.stdout.split()])
            print(f"\nwhere the CPU time goes, in one process, median of {args.runs} (ms):")
            for name, values in zip(STAGE_NAMES, zip(*rows, strict=True), strict=True):
                print(f"  {statistics.median(values):6.1f}  {name}")
            print(f"  {statistics.median(sum(r) for r in rows):6.1f}  in all")
        if args.importtime:
            for name in (
                "import + discovery (declared cycles)",
                "conciliazione allocate lombardia-2020",
            ):
                print(f"\n-X importtime of {name!r}, largest cumulative (µs):")
                for own, cumulative, module in importtime(COMMANDS[name], env, 25):
                    print(f"  {cumulative:8} {own:8}  {module}")
    print(f"\nload average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
