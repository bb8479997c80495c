"""Shared pieces of the fuzz tests: settings, seeds, mutators and the one assertion they all make.

Every loader must either return a value or raise :class:`InputError` whose problems each name the
bad place: a JSON-path (``$.projects[2].lead``), a spreadsheet row/column (``row 4 (ATS-X),
column status``) or the option that carried it (``--set allocation.total``). Any other exception
(``TypeError``, ``RecursionError``, ``csv.Error``...) is a bug: the test fails and hypothesis
shrinks the input.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import os
import tomllib
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import tomli_w
from hypothesis import settings
from hypothesis import strategies as st

from conciliazione_core._errors import InputError

__all__ = [
    "CELL_TOKENS",
    "NASTY_TEXT",
    "PROFILE_ENV",
    "assert_located",
    "byte_mutated",
    "csv_seeds",
    "csv_text",
    "cycle_folder",
    "cycle_seeds",
    "document_seeds",
    "fuzz_settings",
    "mutated_tree",
    "nasty_values",
    "plugin_file",
    "refused_or",
    "to_json_bytes",
    "to_toml_bytes",
]

T = TypeVar("T")

PROFILE_ENV = "CONCILIAZIONE_FUZZ"
PROFILE = os.environ.get(PROFILE_ENV, "fuzz-ci")
# bench/fuzz_deep.py runs each deep test in this many shorter runs with distinct seeds: a
# hypothesis run slows down as it grows (its record of tried inputs), and the counts add up.
ROUNDS_ENV = "CONCILIAZIONE_FUZZ_ROUNDS"


def fuzz_settings(deep: int) -> settings:
    """Settings of one fuzz test under the profile chosen by ``CONCILIAZIONE_FUZZ``.

    ``deep`` is the number of inputs the test tries in the deep profile; the tests of one loader
    share that loader's 100,000 inputs by cost (cheap generators take the most).
    """
    profile = settings.get_profile(PROFILE)
    if PROFILE == "fuzz-deep":
        rounds = int(os.environ.get(ROUNDS_ENV, "1"))
        return settings(profile, max_examples=-(-deep // rounds))
    return settings(profile)


# Where a problem may be located: a JSON-path, a spreadsheet row, an option, or (for the
# allocation engine, which is handed lists rather than files) the argument that was wrong.
_PLACES = ("$", "row ", "--set", "recipients", "indicators")


def assert_located(exc: InputError) -> None:
    """Every problem names its place, and the error renders as one line."""
    assert exc.problems, "an InputError without problems"
    for problem in exc.problems:
        assert problem.path, f"a problem without a path: {problem.message!r}"
        assert problem.path.startswith(_PLACES), f"path {problem.path!r} names no place"
        assert problem.message.strip(), f"empty message at {problem.path}"
    line = exc.one_line()
    assert line
    assert "\n" not in line


def refused_or(call: Callable[[], T], refused: list[InputError] | None = None) -> T | None:
    """The value of ``call()``, or None after checking that its InputError is located.

    Only InputError is caught: anything else propagates and fails the test. The error is
    appended to ``refused`` when a list is given.
    """
    try:
        return call()
    except InputError as exc:
        error = exc
    assert_located(error)
    if refused is not None:
        refused.append(error)
    return None


# ---- seeds: the shipped example documents, parameter files and reference data ----------------


def plugin_file(package: str, *parts: str) -> Path:
    """A file shipped in an installed plugin package."""
    return Path(str(files(package).joinpath(*parts)))


_PLUGINS = ("lombardia_2014", "lombardia_2020", "lombardia_2025")
_CYCLE_FOLDERS = {
    "lombardia_2014": ("lombardia_2014",),
    "lombardia_2017": ("lombardia_2017", "cycle_2017"),
    "lombardia_2020": ("lombardia_2020",),
    "lombardia_2025": ("lombardia_2025",),
}
"""Each fuzzed cycle's folder (parameter file, data, examples) inside its package. lombardia-2019
(lombardia_2017/cycle_2019) is left out: its envelope kind comes from its plugin, and the fuzz
tests read parameter files with the core's kinds only."""


@cache
def document_seeds() -> tuple[tuple[str, bytes], ...]:
    """Every example document the shipped plugins carry, as (name, raw bytes)."""
    found = []
    for parts in _CYCLE_FOLDERS.values():
        folder = plugin_file(*parts, "examples")
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".toml", ".json"):
                    found.append((path.name, path.read_bytes()))
    assert found, "no example documents found"
    return tuple(found)


@cache
def cycle_seeds() -> tuple[tuple[str, bytes], ...]:
    """The shipped cycle parameter files, as (package, raw bytes)."""
    return tuple(
        (name, plugin_file(*parts, "cycle.toml").read_bytes())
        for name, parts in _CYCLE_FOLDERS.items()
    )


def cycle_folder(name: str) -> Path:
    """The folder of a fuzzed cycle (a key of :func:`cycle_seeds`)."""
    return plugin_file(*_CYCLE_FOLDERS[name])


@cache
def csv_seeds() -> tuple[tuple[str, str], ...]:
    """The shipped reference data tables, as (name, text)."""
    found = []
    for package in _PLUGINS:
        folder = plugin_file(package, "data")
        for path in sorted(folder.glob("*.csv")):
            found.append((path.name, path.read_text(encoding="utf-8")))
    assert found, "no reference data found"
    return tuple(found)


def plain_data(name: str, raw: bytes) -> Any:
    """A seed file as plain data (dates stay dates for TOML)."""
    if name.endswith(".json"):
        return json.loads(raw)
    return tomllib.loads(raw.decode("utf-8"))


# ---- writing mutated trees back as text ------------------------------------------------------


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json_bytes(data: Any) -> bytes:
    """JSON text for any tree; NaN and infinities are written as the bare words JSON forbids."""
    return json.dumps(data, default=_json_default, ensure_ascii=False, allow_nan=True).encode(
        "utf-8", "surrogatepass"
    )


def _tomlable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_tomlable(v) for v in value if v is not None]
    return value


def to_toml_bytes(data: Any) -> bytes | None:
    """TOML text for a tree with a table at the top (None dropped); None if TOML cannot hold it."""
    if not isinstance(data, dict):
        return None
    try:
        return tomli_w.dumps(_tomlable(data)).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return None


def csv_text(rows: list[list[str]]) -> str:
    """CSV text as a spreadsheet would save it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


# ---- hostile values ----------------------------------------------------------------------------

NASTY_TEXT: tuple[str, ...] = (
    "",
    " ",
    "\t\n",
    "\x00",
    "\ufeff",
    "\u202e",
    "\ud800",
    "è" * 3,
    "0",
    "-1",
    "-0",
    "+5",
    "1e3",
    "1E+2",
    "NaN",
    "nan",
    "sNaN",
    "inf",
    "-Infinity",
    "0.001",
    "1.005",
    "1,5",
    "1.000,50",
    "1_000",
    "0x10",
    "٣",
    "１２",
    "99999999999999999999999999999.99",
    "0." + "0" * 40 + "1",
    "1" * 4400,
    "4/5",
    "1/0",
    "80%",
    "120%",
    "%",
    "2020-02-30",
    "2020-13-01",
    "0001-01-01",
    "9999-12-31",
    "2020-01-01T00:00:00",
    "true",
    "null",
    "None",
    "__import__('os').system('touch /tmp/pwned')",
    "os.system",
    "subprocess:run",
    "!!python/object/apply:os.system ['touch /tmp/pwned']",
    "{{7*7}}",
    "$(touch /tmp/pwned)",
    "../../../../etc/passwd",
    "lombardia-2020",
    "ATS-MONTAGNA",
    "public",
    "school",
    "x" * 5000,
)

SUSPICIOUS_KEYS: tuple[str, ...] = (
    "__class__",
    "__init__",
    "__reduce__",
    "__builtins__",
    "__import__",
    "!!python/object",
    "kind",
    "id",
    "extra",
    "",
    " ",
    "é",
    "0",
)


def nasty_values() -> st.SearchStrategy[Any]:
    """Values of every type a JSON or TOML file can hold, weighted to the troublesome ones."""
    scalars = st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.sampled_from(
            [0, -1, 1, 2**31, 2**63, -(2**63), 10**40, 10**4000, 1.5, 0.1, -0.0, 1e308]
        ),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.text(max_size=12),
        st.booleans(),
        st.none(),
        st.dates(),
        st.datetimes(),
    )
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=3),
        st.dictionaries(
            st.sampled_from(SUSPICIOUS_KEYS) | st.text(max_size=6), scalars, max_size=3
        ),
    )


# ---- tree mutations ------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def _paths(tree: Any, prefix: Path_ = ()) -> list[Path_]:
    out = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out += _paths(value, (*prefix, i))
    return out


def _get(tree: Any, path: Path_) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _put(tree: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    _get(tree, path[:-1])[path[-1]] = value
    return tree


def _swap_type(value: Any) -> Any:
    """The same content in another type: the classic wrong-type input."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return [value]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_OPS = ("delete", "replace", "swap_type", "add_key", "duplicate", "nest", "grow")


@st.composite
def mutated_tree(draw: st.DrawFn, seed: Any, max_ops: int = 4) -> Any:
    """A deep copy of ``seed`` with one to ``max_ops`` structural mutations."""
    tree = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, max_ops))):
        path = draw(st.sampled_from(_paths(tree)))
        op = draw(st.sampled_from(_OPS))
        current = _get(tree, path)
        if op == "delete":
            if not path:
                tree = {}
            else:
                del _get(tree, path[:-1])[path[-1]]
        elif op == "replace":
            tree = _put(tree, path, draw(nasty_values()))
        elif op == "swap_type":
            tree = _put(tree, path, _swap_type(current))
        elif op == "add_key":
            if isinstance(current, dict):
                key = draw(st.sampled_from(SUSPICIOUS_KEYS) | st.text(max_size=8))
                current[key] = draw(nasty_values())
            elif isinstance(current, list):
                current.append(draw(nasty_values()))
        elif op == "duplicate":
            if path and isinstance(_get(tree, path[:-1]), list):
                _get(tree, path[:-1]).append(copy.deepcopy(current))
            elif isinstance(current, list) and current:
                current.append(copy.deepcopy(current[0]))
        elif op == "nest":
            depth = draw(st.integers(1, 80))
            wrapped = current
            for _level in range(depth):
                wrapped = [wrapped] if draw(st.booleans()) else {"k": wrapped}
            tree = _put(tree, path, wrapped)
        elif op == "grow":
            size = draw(st.integers(20, 300))
            tree = _put(tree, path, [copy.deepcopy(current)] * size)
    return tree


# ---- byte mutations ------------------------------------------------------------------------------

TOKENS: tuple[bytes, ...] = (
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\r",
    b"\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b'"',
    b"'''",
    b'"""',
    b"=",
    b",",
    b":",
    b"#",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"NaN",
    b"nan",
    b"inf",
    b"-Infinity",
    b"1e999",
    b"-1",
    b"0.1",
    b"9" * 4400,
    b"0x" + b"f" * 4000,
    b"2020-02-30",
    b"kind = 'network'\n",
    b'"kind": "project",',
    b"a.b.c = 1\n",
)


@st.composite
def byte_mutated(draw: st.DrawFn, raw: bytes, max_ops: int = 6) -> bytes:
    """``raw`` with a few byte-level edits: flips, insertions, deletions, duplicated chunks."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "duplicate", "truncate")))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=6))
        elif op == "delete":
            data[pos : pos + draw(st.integers(1, 64))] = b""
        elif op == "duplicate":
            end = min(len(data), pos + draw(st.integers(1, 400)))
            chunk = bytes(data[pos:end])
            at = draw(st.integers(0, len(data)))
            data[at:at] = chunk
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


# ---- CSV cells -------------------------------------------------------------------------------------

CELL_TOKENS: tuple[str, ...] = (
    *NASTY_TEXT,
    "1e999999999",
    "1e-999999999",
    "1e99999",
    "-0.0",
    "0e5",
    "1.5",
    "00012",
    "Official",
    "official ",
    "derived",
    "estimate",
    "unknown",
    "2019-01-01",
    "2019-1-1",
    '"quoted"',
    "a,b",
    "line\nbreak",
    "bare\rreturn",
    "=cmd|' /C calc'!A0",
    "=1+1",
    "@SUM(A1)",
    "x" * 140_000,
)
