"""Peak memory of every input door on pathological inputs: ``python bench/bench_memory.py [MB]``.

Each case writes one hostile input of about ``MB`` megabytes (6 by default; the issue's
reproducers are 60) and feeds it to one door in a fresh child process, which reports its peak
resident memory (``ru_maxrss``) after importing the library and at the end, its outcome (the
first line of the library's error, or "accepted") and the seconds taken. The budget of issue 15
is 20 times the input's size plus 64 MiB over what the process held before reading; a case over
it is marked. Nothing here is a test: ``tests/test_bounds.py`` runs the same doors under a hard
memory limit.

    python bench/bench_memory.py [MB] [--only NAME]... [--skip NAME]... [--markdown]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MIB = 1024 * 1024

CHILD = r"""
import resource, sys, time, json
from pathlib import Path

def peak():
    # VmHWM belongs to this process's memory since exec; ru_maxrss may carry the parent's
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

door, path = sys.argv[1], Path(sys.argv[2])
import conciliazione_core
from conciliazione_core import ConciliazioneError, Network, from_json, from_toml, load_cycle
from conciliazione_core import load_document
from conciliazione_core._cycle import parse_override
from conciliazione_core._indicators import load_indicator_table
from conciliazione_core._formats import read_stream
before = peak()
started = time.monotonic()
outcome = "accepted"
try:
    if door == "document":
        load_document(path)
    elif door == "api-json":
        from_json(path.read_bytes(), Network)
    elif door == "api-toml":
        from_toml(path.read_text(encoding="utf-8"), Network)
    elif door == "parameter file":
        load_cycle(path)
    elif door == "--set":
        parse_override("allocation.total=" + path.read_text(encoding="utf-8"))
    elif door == "stream":
        with path.open("rb") as stream:
            read_stream(stream, str(path))
    elif door == "indicator table":
        load_indicator_table(path)
    else:
        raise SystemExit("unknown door " + door)
except ConciliazioneError as exc:
    outcome = exc.one_line()[:110]
except MemoryError:
    outcome = "MemoryError"
print(json.dumps({"before": before, "peak": peak(), "seconds": time.monotonic() - started,
                  "outcome": outcome}))
"""


def _repeat(head: str, item: str, tail: str, size: int, sep: str = ",") -> str:
    count = max(1, (size - len(head) - len(tail)) // (len(item) + len(sep)))
    return head + sep.join([item] * count) + tail


def _lines(head: str, line: str, size: int) -> str:
    count = max(1, (size - len(head)) // len(line))
    return head + line * count


def _valid_network(fmt: str) -> str:
    """bench_core's network of 100,000 members (22 MB of JSON), as a document that loads."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_core import big_network

    from conciliazione_core import dump_document

    return dump_document(big_network(100_000), fmt)  # type: ignore[arg-type]


# name -> (door, file suffix, text of about `size` bytes)
CASES: dict[str, tuple[str, str, Callable[[int], str]]] = {
    "JSON network of 100,000 valid members (accepted)": (
        "document",
        ".json",
        lambda n: _valid_network("json"),
    ),
    "TOML network of 100,000 valid members (accepted)": (
        "document",
        ".toml",
        lambda n: _valid_network("toml"),
    ),
    "JSON [[],…]": ("document", ".json", lambda n: _repeat("[", "[]", "]", n)),
    "JSON {x: [{},…]}": ("document", ".json", lambda n: _repeat('{"x": [', "{}", "]}", n)),
    "JSON network, members [{},…]": (
        "document",
        ".json",
        lambda n: _repeat('{"kind": "network", "members": [', "{}", "]}", n),
    ),
    'JSON ["ab",…]': ("document", ".json", lambda n: _repeat("[", '"ab"', "]", n)),
    "JSON [1000,…]": ("document", ".json", lambda n: _repeat("[", "1000", "]", n)),
    'JSON ["€",…]': ("document", ".json", lambda n: _repeat("[", '"€"', "]", n)),
    'JSON {"k000000001": 1, …}, distinct keys just within the estimate': (
        "document",
        ".json",
        lambda n: "{" + ",".join(f'"k{i:09d}":1' for i in range(n // 15)) + "}",
    ),
    "JSON one long string": ("document", ".json", lambda n: '{"x": "' + "a" * n + '"}'),
    "JSON nested 100,000 deep": (
        "document",
        ".json",
        lambda n: "[" * 100_000 + "]" * 100_000,
    ),
    "TOML x = [{},…]": ("document", ".toml", lambda n: _repeat("x = [", "{}", "]\n", n)),
    "TOML x = [1,…]": ("document", ".toml", lambda n: _repeat("x = [", "1", "]\n", n)),
    "TOML tables [a1] [a2] …": (
        "document",
        ".toml",
        lambda n: "".join(f"[a{i}]\n" for i in range(n // 10)),
    ),
    "TOML keys k1 = 1 …": (
        "document",
        ".toml",
        lambda n: "".join(f"k{i} = 1\n" for i in range(n // 13)),
    ),
    "TOML [[members]] …": (
        "document",
        ".toml",
        lambda n: _lines('kind = "network"\n', "[[members]]\n", n),
    ),
    "TOML dotted a.b.c… = 1": (
        "document",
        ".toml",
        lambda n: "".join(f"a{i}.b.c = 1\n" for i in range(n // 16)),
    ),
    "API from_json [[],…]": ("api-json", ".json", lambda n: _repeat("[", "[]", "]", n)),
    "API from_toml x = [{},…]": ("api-toml", ".toml", lambda n: _repeat("x = [", "{}", "]\n", n)),
    "parameter file x = [{},…] (2 MiB)": (
        "parameter file",
        ".toml",
        lambda n: _repeat("x = [", "{}", "]\n", 2 * MIB - 16),
    ),
    "parameter file [a1] … (2 MiB)": (
        "parameter file",
        ".toml",
        lambda n: "".join(f"[a{i}]\n" for i in range((2 * MIB - 16) // 10)),
    ),
    "--set [{},…] (128 KiB, argv's limit)": (
        "--set",
        ".txt",
        lambda n: _repeat("[", "{}", "]", 128 * 1024 - 64),
    ),
    "stream of [[],…]": ("stream", ".json", lambda n: _repeat("[", "[]", "]", n)),
    "indicator CSV, rows of one cell": (
        "indicator table",
        ".csv",
        lambda n: _lines("id,name,x,source,reference_date,status\n", "a,,,,,\n", n),
    ),
    "indicator CSV, valid rows": (
        "indicator table",
        ".csv",
        lambda n: (
            "id,name,x,source,reference_date,status\n"
            + "".join(f"r{i},R,{i},s,2024-01-01,official\n" for i in range(n // 32))
        ),
    ),
    "indicator JSON [[],…]": ("indicator table", ".json", lambda n: _repeat("[", "[]", "]", n)),
    "indicator JSON rows [{},…]": (
        "indicator table",
        ".json",
        lambda n: _repeat('{"indicators": ["x"], "rows": [', "{}", "]}", n),
    ),
}


def run(name: str, size: int, folder: Path) -> dict[str, object]:
    door, suffix, make = CASES[name]
    text = make(size)
    path = folder / f"input{suffix}"
    if door == "parameter file":
        path = folder / "cycle.toml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, door, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"LANGUAGE": "en", "PATH": "/usr/bin:/bin"},
    )
    wall = time.monotonic() - started
    size = len(text.encode("utf-8"))
    budget = 20 * size + 64 * MIB
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {
            "case": name,
            "door": door,
            "bytes": size,
            "outcome": f"CRASH: {tail[:100]}",
            "wall": wall,
        }
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    grown = figures["peak"] - figures["before"]
    return {
        "case": name,
        "door": door,
        "bytes": size,
        "before": figures["before"],
        "peak": figures["peak"],
        "grown": grown,
        "budget": budget,
        "within": grown <= budget,
        "seconds": figures["seconds"],
        "outcome": figures["outcome"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("megabytes", nargs="?", type=float, default=6.0)
    parser.add_argument("--only", action="append", help="cases whose name contains this")
    parser.add_argument("--skip", action="append", help="leave out cases whose name has this")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    names = [
        n
        for n in CASES
        if (not args.only or any(o in n for o in args.only))
        and not any(k in n for k in args.skip or ())
    ]
    if args.markdown:
        print("| door | input | bytes | peak − start (MiB) | budget (MiB) | seconds | outcome |")
        print("|---|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            row = run(name, size, Path(tmp))
            if "grown" not in row:
                print(f"{name}: {row['outcome']}", flush=True)
                continue
            mark = "" if row["within"] else " OVER BUDGET"
            if args.markdown:
                print(
                    f"| {row['door']} | {name} | {row['bytes']:,} | {row['grown'] / MIB:,.0f} "
                    f"| {row['budget'] / MIB:,.0f}{mark} | {row['seconds']:.1f} "
                    f"| {str(row['outcome']).replace('|', '/')} |",
                    flush=True,
                )
            else:
                print(
                    f"{name:40} {row['bytes'] / MIB:7.1f} MiB  start {row['before'] / MIB:5.0f}"
                    f"  +{row['grown'] / MIB:7.0f} MiB (budget {row['budget'] / MIB:5.0f})"
                    f"{mark}  {row['seconds']:6.1f} s  {row['outcome']}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
