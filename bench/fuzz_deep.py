"""Run the fuzz tests with the deep profile and report the inputs tried per loader.

``make fuzz-deep`` runs this: the tests of ``tests/fuzz`` with ``CONCILIAZIONE_FUZZ=fuzz-deep``
(each test tries its share of at least 100,000 inputs per loader, see ``deep=`` in the tests),
split over ``--jobs`` pytest processes, then sums hypothesis's statistics per loader and prints
a Markdown table for ``docs/robustness.md``. Each test runs in ``--rounds`` shorter runs with
distinct seeds (``--hypothesis-seed``), because one long hypothesis run slows down as its record
of tried inputs grows: 20 rounds of 2,000 inputs take a tenth of the time of one run of 40,000.
Failures are kept in hypothesis's example database (``.hypothesis/``), so a rerun replays them
first. Exit status is pytest's (non-zero on failure).

    python bench/fuzz_deep.py [--jobs 2] [--rounds 20] [--profile fuzz-deep] [--json out.json]
                              [--interleave] [--first-round N] [-k EXPR]...
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "tests" / "fuzz"

# test function -> the loader it feeds (the list of loaders)
LOADERS = {
    "test_random_bytes": "JSON/TOML documents",
    "test_random_documents": "JSON/TOML documents",
    "test_parse_document_on_any_plain_data": "JSON/TOML documents",
    "test_mutated_example_documents": "JSON/TOML documents",
    "test_byte_mutated_example_documents": "JSON/TOML documents",
    "test_load_document_within_limits": "JSON/TOML documents",
    "test_money_is_exact_or_refused": "JSON/TOML documents",
    "test_random_csv_text": "indicator tables (CSV)",
    "test_random_csv_tables": "indicator tables (CSV)",
    "test_mutated_reference_csv": "indicator tables (CSV)",
    "test_mutated_json_tables": "indicator tables (JSON)",
    "test_byte_mutated_json_tables": "indicator tables (JSON)",
    "test_parsed_json_objects": "indicator tables (JSON)",
    "test_indicator_files": "indicator table files",
    "test_byte_mutated_parameter_files": "cycle parameter files",
    "test_mutated_parameter_files": "cycle parameter files",
    "test_random_parameter_files": "cycle parameter files",
    "test_overrides": "what-if overrides (--set)",
    "test_parse_override": "what-if overrides (--set)",
    "test_check_any_document": "CLI",
    "test_allocate_with_any_data_file": "CLI",
    "test_allocate_with_any_override": "CLI",
    "test_special_files": "special files (every file reader)",
    "test_streams_stop_at_their_limit": "streams (stdin reader)",
    "test_memory_stays_under_the_estimate": "size and memory (JSON/TOML estimate)",
    "test_numbers_of_any_length_and_exponent": "digits and exponents",
    "test_numbers_as_what_if_values": "digits and exponents",
    "test_any_argument_gets_the_library_error": "API arguments",
    "test_any_text_on_any_terminal": "output encodings",
}

_TEST = re.compile(r"^(?P<file>tests/fuzz/\S+?)::(?P<test>\w+)(\[.*\])?:$")
_PHASE = re.compile(r"during (?P<phase>\w+) phase \((?P<seconds>[\d.]+) seconds\)")
_COUNTS = re.compile(
    r"(?P<passing>\d+) passing, (?P<failing>\d+) failing, and (?P<invalid>\d+) invalid"
)


def parse_statistics(text: str) -> dict[str, dict[str, float]]:
    """Per test: inputs run (passing + failing), failing, invalid and seconds, all phases."""
    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        match = _TEST.match(stripped)
        if match:
            current = match.group("test")
            continue
        if current is None:
            continue
        phase = _PHASE.search(stripped)
        if phase:
            stats[current]["seconds"] += float(phase.group("seconds"))
        counts = _COUNTS.search(stripped)
        if counts:
            stats[current]["inputs"] += int(counts.group("passing")) + int(counts.group("failing"))
            stats[current]["failing"] += int(counts.group("failing"))
            stats[current]["invalid"] += int(counts.group("invalid"))
    return {k: dict(v) for k, v in stats.items()}


def _test_ids(exprs: list[str] | None) -> list[str]:
    """One pytest node id per fuzz test, grouped loader by loader (so loaders finish in turn)."""
    order = list(dict.fromkeys(LOADERS.values()))
    ids = []
    for path in sorted(FUZZ.glob("test_fuzz_*.py")):
        for match in re.finditer(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M):
            if match.group(1) in LOADERS and (not exprs or any(e in match.group(1) for e in exprs)):
                ids.append(f"{path.relative_to(ROOT).as_posix()}::{match.group(1)}")
    return sorted(ids, key=lambda i: order.index(LOADERS[i.rsplit("::", 1)[1]]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", default="fuzz-deep")
    parser.add_argument("--json", type=Path, default=None, help="also write the counts here")
    parser.add_argument("--rounds", type=int, default=20, help="runs per test, distinct seeds")
    parser.add_argument(
        "-k", dest="exprs", action="append", help="only tests whose name has this (repeatable)"
    )
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="run round 1 of every test, then round 2...: a run stopped early has counts for all",
    )
    parser.add_argument(
        "--first-round", type=int, default=1, help="resume: the round (seed) to start from"
    )
    args = parser.parse_args()

    env = dict(
        os.environ, CONCILIAZIONE_FUZZ=args.profile, CONCILIAZIONE_FUZZ_ROUNDS=str(args.rounds)
    )
    logs_dir = ROOT / ".hypothesis" / "fuzz-deep"
    logs_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rounds = range(args.first_round, args.rounds + 1)
    ids = _test_ids(args.exprs)
    pending = (
        [(n, r) for r in rounds for n in ids]
        if args.interleave
        else [(n, r) for n in ids for r in rounds]
    )
    running: list[tuple[subprocess.Popen[bytes], Any]] = []
    logs: list[Path] = []
    codes: list[int] = []
    # One pytest process per test, --jobs at a time: each finished test's counts are in its
    # log even if the run is stopped early.
    while pending or running:
        while pending and len(running) < max(1, args.jobs):
            node, round_ = pending.pop(0)
            log = logs_dir / f"{node.rsplit('::', 1)[1]}.{round_}.log"
            handle = log.open("w", encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--hypothesis-show-statistics",
                f"--hypothesis-seed={round_}",
                node,
            ]
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
            )
            running.append((proc, handle))
            logs.append(log)
            print(
                f"[{time.monotonic() - started:7.0f} s] started {node} ({round_}/{args.rounds})",
                flush=True,
            )
        time.sleep(1)
        for proc, handle in list(running):
            if proc.poll() is not None:
                handle.close()
                codes.append(proc.returncode)
                running.remove((proc, handle))
    elapsed = time.monotonic() - started

    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    outcome_lines = []
    for log in logs:
        text = log.read_text(encoding="utf-8")
        for test, numbers in parse_statistics(text).items():
            for key, value in numbers.items():
                stats[test][key] += value
        outcome_lines += [ln for ln in text.splitlines() if re.search(r"\d+ (passed|failed)", ln)]

    per_loader: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for test, numbers in stats.items():
        loader = LOADERS.get(test, "other")
        for key, value in numbers.items():
            per_loader[loader][key] += value
        per_loader[loader]["tests"] += 1  # a test counts once, however many rounds

    print(f"profile {args.profile}, {len(logs)} run(s), wall time {elapsed:,.0f} s")
    print()
    print("| loader | tests | inputs | failing | invalid (assume) | CPU seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for loader in sorted(per_loader):
        n = per_loader[loader]
        print(
            f"| {loader} | {int(n['tests'])} | {int(n['inputs']):,} | {int(n['failing'])} "
            f"| {int(n['invalid']):,} | {n['seconds']:,.0f} |"
        )
    print()
    for line in outcome_lines:
        print("pytest:", line.strip())
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "profile": args.profile,
                    "wall_seconds": round(elapsed),
                    "rounds": args.rounds,
                    "tests": {k: dict(v) for k, v in stats.items()},
                    "loaders": {k: dict(v) for k, v in per_loader.items()},
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return max(codes, default=0)


if __name__ == "__main__":
    sys.exit(main())
