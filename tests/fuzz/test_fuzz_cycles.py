"""Fuzzing cycle parameter files (load_cycle), what-if overrides (Cycle.with_overrides) and, for
the files that still load, the allocation they describe (Cycle.allocation, allocate).

Seeds are the shipped ``cycle.toml`` files, mutated structurally and byte by byte, written into
a copy of the plugin folder (so that their data files resolve). An allocation computed from a
mutated file must still pass every allocation invariant.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from conciliazione_core._cycle import Cycle, load_cycle, parse_override
from conciliazione_core._errors import InputError
from conciliazione_core._serialisation import Limits
from conciliazione_core.allocation import allocate
from conciliazione_core.testing import assert_allocation_invariants

from ._support import (
    NASTY_TEXT,
    byte_mutated,
    cycle_folder,
    cycle_seeds,
    fuzz_settings,
    mutated_tree,
    refused_or,
    to_toml_bytes,
)


@pytest.fixture(scope="module")
def plugin_copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A writable copy of each plugin package folder (parameter file, data, examples)."""
    out = {}
    for package, _raw in cycle_seeds():
        target = tmp_path_factory.mktemp(package) / package
        shutil.copytree(cycle_folder(package), target, ignore=shutil.ignore_patterns("*.py*"))
        out[package] = target
    return out


def exercise(cycle: Cycle) -> None:
    """Everything a loaded cycle offers: allocation plan, reference data, the allocation itself."""
    plan = refused_or(lambda: cycle.allocation)
    table = refused_or(lambda: cycle.reference_table())
    if plan is None:
        return
    recipients = [(r.id, r.name) for r in cycle.recipients]
    result = refused_or(lambda: allocate(plan, recipients, table, missing="pending"))
    if result is not None and not result.pending:
        assert_allocation_invariants(result, plan, recipients, table)


def load_raw(folder: Path, raw: bytes) -> Cycle | None:
    path = folder / "cycle.toml"
    path.write_bytes(raw)
    cycle = refused_or(lambda: load_cycle(path))
    if cycle is not None:
        exercise(cycle)
    return cycle


@pytest.fixture(scope="module")
def shipped(plugin_copies: dict[str, Path]) -> Iterator[dict[str, Cycle]]:
    cycles = {p: load_cycle(folder / "cycle.toml") for p, folder in plugin_copies.items()}
    return cycles


def test_shipped_parameter_files_load(shipped: dict[str, Cycle]) -> None:
    for cycle in shipped.values():
        exercise(cycle)
        assert cycle.allocation is not None


# ---- parameter files ---------------------------------------------------------------------------


@fuzz_settings(40000)
@given(data=st.data())
def test_byte_mutated_parameter_files(data: st.DataObject, plugin_copies: dict[str, Path]) -> None:
    package, raw = data.draw(st.sampled_from(cycle_seeds()), label="seed")
    load_raw(plugin_copies[package], data.draw(byte_mutated(raw), label="bytes"))


@fuzz_settings(40000)
@given(data=st.data())
def test_mutated_parameter_files(data: st.DataObject, plugin_copies: dict[str, Path]) -> None:
    package, raw = data.draw(st.sampled_from(cycle_seeds()), label="seed")
    tree = data.draw(mutated_tree(tomllib.loads(raw.decode())), label="mutated")
    text = to_toml_bytes(tree)
    assume(text is not None)
    assert text is not None
    load_raw(plugin_copies[package], text)


@fuzz_settings(20000)
@given(text=st.binary(max_size=300))
@example(text=b"")
@example(text=b"[cycle]\nid = 'x'\n")
@example(text=b'[allocation]\ntotal = "1"\n')
def test_random_parameter_files(text: bytes, plugin_copies: dict[str, Path]) -> None:
    load_raw(plugin_copies["lombardia_2020"], text)


# ---- what-if overrides ---------------------------------------------------------------------------


def _dotted_paths(tree: Any, prefix: str = "") -> list[str]:
    """Every override path of a parameter tree; list items are named by their id."""
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _dotted_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(tree, list):
        for item in tree:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out += _dotted_paths(item, f"{prefix}.{item['id']}")
    return out


def _override_paths() -> list[str]:
    paths: set[str] = set()
    for _package, raw in cycle_seeds():
        paths.update(_dotted_paths(tomllib.loads(raw.decode())))
    return sorted(paths)


_VALUES = st.sampled_from(
    [
        *NASTY_TEXT[:60],
        '"2800000"',
        "2800000",
        "-1",
        "0",
        "0.8",
        '"80%"',
        '"101%"',
        "nan",
        "inf",
        "[1, 2]",
        "{ a = 1 }",
        "2020-01-01",
        "true",
        '"largest_remainder"',
        '"floor"',
        '"proportional"',
        "[" * 3000,
        "9" * 5000,
        "0x" + "f" * 5000,
    ]
) | st.text(max_size=12)


@fuzz_settings(60000)
@given(
    data=st.data(),
    paths=st.lists(
        st.sampled_from(_override_paths()) | st.text(max_size=12), min_size=1, max_size=3
    ),
)
@example(data=None, paths=["allocation.total"])
def test_overrides(data: st.DataObject | None, paths: list[str], shipped: dict[str, Cycle]) -> None:
    cycle = shipped[
        "lombardia_2020" if data is None else data.draw(st.sampled_from(sorted(shipped)))
    ]
    values = ["9" * 5000] if data is None else [data.draw(_VALUES) for _ in paths]
    assignments = [f"{p}={v}" for p, v in zip(paths, values, strict=True)]
    changed = refused_or(lambda: cycle.with_overrides(assignments))
    if changed is not None:
        assert changed.overrides == tuple(assignments)
        exercise(changed)


@fuzz_settings(40000)
@given(assignment=st.text(max_size=40))
@example(assignment="a=" + "[" * 100_000)
@example(assignment="=1")
@example(assignment="a.b")
def test_parse_override(assignment: str) -> None:
    refused_or(lambda: parse_override(assignment))


# ---- limits ------------------------------------------------------------------------------------


def test_parameter_files_obey_limits(plugin_copies: dict[str, Path]) -> None:
    path = plugin_copies["lombardia_2020"] / "cycle.toml"
    path.write_bytes(dict(cycle_seeds())["lombardia_2020"])
    with pytest.raises(InputError, match="over the limit of 100") as too_big:
        load_cycle(path, Limits(max_bytes=100))
    assert too_big.value.problems[0].path == "$"
    with pytest.raises(InputError, match="nested deeper than the limit of 2 levels") as too_deep:
        load_cycle(path, Limits(max_depth=2))
    assert too_deep.value.problems[0].path.startswith("$.")
    assert load_cycle(path).id == "lombardia-2020"
