"""Determinism: the same inputs give byte-identical output across runs, processes, hash seeds
and input orderings that should not matter.

The CLI runs in subprocesses with several ``PYTHONHASHSEED`` values (set and string iteration
order changes with it), and the allocation and the checks run on shuffled recipients, shuffled
indicator rows and columns, shuffled members and partners, and shuffled keys.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conciliazione_core import allocation as engine
from conciliazione_core._cycle import Cycle
from conciliazione_core._host import Host
from conciliazione_core._indicators import parse_indicator_csv
from conciliazione_core._serialisation import parse_document, parse_json, parse_toml

ROOT = Path(__file__).parents[1]
EXAMPLES_2014 = ROOT / "plugins/lombardia_2014/src/lombardia_2014/examples"
EXAMPLES_2020 = ROOT / "plugins/lombardia_2020/src/lombardia_2020/examples"
CLI = Path(sys.executable).parent / "conciliazione"

COMMANDS = [
    ["allocate", "lombardia-2020", "--format", "json"],
    ["allocate", "lombardia-2020", "--format", "csv"],
    ["allocate", "lombardia-2020", "--explain", "ATS-MONTAGNA"],
    ["allocate", "lombardia-2014", "--format", "json"],
    ["check", "lombardia-2020", str(EXAMPLES_2020 / "montagna_2020_2023.toml"), "--format", "json"],
    [
        "check",
        "lombardia-2020",
        str(EXAMPLES_2020 / "plan_several_findings.toml"),
        "--format",
        "json",
    ],
    [
        "check",
        "lombardia-2014",
        str(EXAMPLES_2014 / "invalid_register_sixteen_networks.toml"),
        "--format",
        "json",
    ],
    ["cycles", "--format", "json"],
]
SEEDS = ["0", "1", "4242", "random"]


def run(args: list[str], seed: str) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CONCILIAZIONE_PLUGINS"}
    env.update(PYTHONHASHSEED=seed, LANGUAGE="en", LC_ALL="C.UTF-8")
    done = subprocess.run([str(CLI), *args], env=env, capture_output=True, timeout=120, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]) + " " + a[-1][-12:])
def test_cli_output_is_identical_across_hash_seeds(args: list[str]) -> None:
    outputs = {seed: run(args, seed) for seed in SEEDS}
    first = outputs[SEEDS[0]]
    assert first[0] in (0, 1), first[2]
    assert first[1], "no output"
    for seed, output in outputs.items():
        assert output == first, f"PYTHONHASHSEED={seed} differs"


# ---- orderings that must not matter (in-process) ---------------------------------------------------


@pytest.fixture(scope="module")
def cycles() -> dict[str, Cycle]:
    return Host(environ={}).cycles()


def _allocation_json(cycle: Cycle, recipients: list[tuple[str, str]], table_text: str) -> str:
    plan = cycle.allocation
    assert plan is not None
    table = parse_indicator_csv(table_text)
    result = engine.allocate(plan, recipients, table, missing="pending")
    return json.dumps(engine.allocation_to_json(result, cycle.id), ensure_ascii=False, indent=2)


def _shuffled_csv(text: str, rng: random.Random) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    rng.shuffle(body)
    columns = list(range(len(header)))
    rng.shuffle(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in [header, *body]:
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue()


@pytest.mark.parametrize("cycle_id", ["lombardia-2014", "lombardia-2020"])
@pytest.mark.parametrize("seed", range(5))
def test_allocation_ignores_recipient_row_and_column_order(
    cycles: dict[str, Cycle], cycle_id: str, seed: int
) -> None:
    cycle = cycles[cycle_id]
    ref = cycle.data_files[cycle.default_data or ""]
    text = ref.read_text(encoding="utf-8")
    recipients = [(r.id, r.name) for r in cycle.recipients]
    expected = _allocation_json(cycle, recipients, text)
    rng = random.Random(seed)
    shuffled = recipients[:]
    rng.shuffle(shuffled)
    assert _allocation_json(cycle, shuffled, _shuffled_csv(text, rng)) == expected


def _shuffle_tree(value: Any, rng: random.Random, lists: frozenset[str], key: str = "") -> Any:
    """Every table's keys in random order; the lists named in ``lists`` in random order too."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffle_tree(v, rng, lists, k) for k, v in items}
    if isinstance(value, list):
        out = [_shuffle_tree(v, rng, lists) for v in value]
        if key in lists:
            rng.shuffle(out)
        return out
    return value


_SHUFFLED_INDEX = re.compile(r"\b(members|partners|signatories)\[\d+\]")


def _report_json(host: Host, cycle: str, data: Any) -> str:
    """The report as text; an index into a shuffled list is left out of paths (it moves with
    the item), the finding itself is not."""
    report = host.check(cycle, parse_document(data), name="doc")
    findings = sorted(
        (
            f.code,
            f.severity.value,
            f.message,
            _SHUFFLED_INDEX.sub(r"\1[*]", f.path),
            str(f.legal_basis),
        )
        for f in report.findings
    )
    return json.dumps([report.admissible, findings], ensure_ascii=False)


def _examples() -> list[tuple[str, Path]]:
    out = []
    for cycle, folder in (("lombardia-2014", EXAMPLES_2014), ("lombardia-2020", EXAMPLES_2020)):
        out += [(cycle, p) for p in sorted(folder.iterdir()) if p.suffix in (".toml", ".json")]
    return out


@pytest.mark.parametrize(("cycle", "path"), _examples(), ids=lambda x: getattr(x, "name", x))
def test_checks_ignore_key_order_and_member_order(cycle: str, path: Path) -> None:
    host = Host(environ={})
    raw = path.read_bytes()
    data = parse_json(raw) if path.suffix == ".json" else parse_toml(raw)
    expected = _report_json(host, cycle, data)
    for seed in range(3):
        rng = random.Random(seed)
        shuffled = _shuffle_tree(data, rng, frozenset({"members", "partners", "signatories"}))
        assert _report_json(host, cycle, shuffled) == expected, seed
