"""Fuzzing what surrounds the loaders (issue 15): every door, not only the parsers behind them.

- special files: any kind of path (pipes, devices, sockets, folders, dangling and looping
  links, NUL characters, over-long names, files over a random limit) given to every file reader;
- size and memory: texts made of the characters that cost most once parsed, whose real peak
  (tracemalloc) must stay under the cheap estimate that decides whether to parse at all;
- digits and exponents: number-like text and Decimals of any length and exponent, as money, as
  exact numbers, as ``--set`` values and inside documents; what is accepted prints and reloads;
- API arguments: any object for each argument of the public functions and models;
- output encodings: the command line writing documents with any text to a terminal of any
  encoding, strict like a real one.

Each asserts that only the library's own error comes out, located (``assert_located``), and a
watchdog (``faulthandler``) ends the process with a traceback if one input hangs, even in C.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import io
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conciliazione_core import (
    Body,
    BodyKind,
    ConciliazioneError,
    Cycle,
    Network,
    Project,
    allocate,
    check,
    default_host,
    dump_document,
    from_json,
    from_toml,
    load_cycle,
    load_document,
)
from conciliazione_core._audit import load_published_table
from conciliazione_core._converter import Refused, parse_fraction
from conciliazione_core._errors import InputError
from conciliazione_core._formats import (
    MEMORY_BASE,
    Limits,
    memory_estimate,
    memory_problem,
    parse_document,
    parse_json,
    parse_toml,
    read_data_file,
    read_file,
    read_stream,
)
from conciliazione_core._indicators import load_indicator_table, parse_indicator_csv
from conciliazione_core._money import Money
from conciliazione_core._numbers import NumberError, parse_decimal
from conciliazione_core.cli import main

from ._support import document_seeds, fuzz_settings, refused_or

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pipes and /dev files are POSIX")

HANG = 60
"""Seconds one input may take before the watchdog ends the run, writing every thread's stack to
:data:`HANG_LOG` (pytest's capture of stderr is lost when the process is ended)."""

HANG_LOG = Path(tempfile.gettempdir()) / "conciliazione-fuzz-hang.log"


@contextlib.contextmanager
def watchdog() -> Iterator[None]:
    """End the process if the body hangs, even inside C (``Decimal``), where signals wait."""
    with HANG_LOG.open("a", encoding="utf-8") as log:
        faulthandler.dump_traceback_later(HANG, exit=True, file=log)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()


def only_library_errors(call: Callable[[], Any]) -> Any:
    """``call()``'s value, or None after a located InputError or another ConciliazioneError."""
    with watchdog():
        try:
            return refused_or(call)
        except ConciliazioneError as exc:  # an unknown cycle, a plugin's fault: not InputError
            error = exc
    assert str(error).strip()
    return None


_ARGUMENT = re.compile(r"[A-Za-z_]\w*(\[\d+\]|\.\w+)*")


def only_argument_errors(call: Callable[[], Any]) -> Any:
    """``call()``'s value, or None after the library's error naming the argument or field
    (``id``, ``partners[1]``) or a place in the data (``$.lead``, ``row 1``), on one line."""
    with watchdog():
        try:
            return call()
        except ConciliazioneError as exc:  # InputError, or an unknown cycle id as the cycle
            error = exc
    assert str(error).strip()
    assert "\n" not in error.one_line()
    for problem in getattr(error, "problems", ()):
        place = problem.path.startswith(("$", "--set", "row ", "indicators", "recipients"))
        assert place or _ARGUMENT.fullmatch(problem.path), problem
        assert problem.message.strip()
    return None


# ---- special files ------------------------------------------------------------------------------

_FOLDER = Path(tempfile.mkdtemp(prefix="conciliazione-fuzz-doors-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
_COUNTER = iter(range(10**12))

READERS: dict[str, Callable[[Path], object]] = {
    "read_file": read_file,
    "read_data_file": read_data_file,
    "load_document": load_document,
    "load_cycle": load_cycle,
    "load_indicator_table": load_indicator_table,
    "load_published_table": load_published_table,
}

KINDS = (
    "regular",
    "fifo",
    "/dev/zero",
    "/dev/urandom",
    "/dev/null",
    "folder",
    "socket",
    "dangling link",
    "link loop",
    "missing",
    "nul in name",
    "long name",
    "/proc/self/mem",
    "/proc/self/status",
)


def _make(kind: str, suffix: str, content: bytes) -> Path:
    """A fresh path of the given kind, named ``...{suffix}``."""
    folder = _FOLDER / str(next(_COUNTER))
    folder.mkdir()
    path = folder / f"input{suffix}"
    if kind == "regular":
        path.write_bytes(content)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind.startswith(("/dev/", "/proc/")):
        path.symlink_to(kind)
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(path))
        except OSError:  # a path too long for a socket: a missing file instead
            pass
        finally:
            server.close()
    elif kind == "dangling link":
        path.symlink_to(folder / "nowhere")
    elif kind == "link loop":
        path.symlink_to(path)
    elif kind == "nul in name":
        path = folder / f"in\x00put{suffix}"
    elif kind == "long name":
        path = folder / ("x" * 5000 + suffix)
    return path


@fuzz_settings(100_000)
@given(
    reader=st.sampled_from(sorted(READERS)),
    kind=st.sampled_from(KINDS),
    suffix=st.sampled_from([".json", ".toml", ".csv", "", ".JSON", ".txt"]),
    content=st.binary(max_size=200) | st.sampled_from([b'{"kind": "network"}', b"a,b\n1,2\n"]),
    limit=st.integers(min_value=0, max_value=300),
)
@example(reader="load_cycle", kind="/proc/self/mem", suffix=".toml", content=b"", limit=300)
@example(reader="load_document", kind="nul in name", suffix=".json", content=b"", limit=300)
def test_special_files(reader: str, kind: str, suffix: str, content: bytes, limit: int) -> None:
    if kind.startswith(("/dev/", "/proc/")) and not Path(kind).exists():
        return
    path = _make(kind, suffix, content)
    read = READERS[reader]
    limits = Limits(max_bytes=limit)
    if reader in ("read_file", "read_data_file", "load_document", "load_cycle"):
        only_library_errors(lambda: read(path, limits))  # type: ignore[call-arg]
    else:
        only_library_errors(lambda: read(path))
    if kind != "regular" and reader == "read_file":
        with pytest.raises(InputError):  # nothing but a regular file is read
            read_file(path, limits)


@fuzz_settings(100_000)
@given(content=st.binary(max_size=400), limit=st.integers(min_value=0, max_value=500))
def test_streams_stop_at_their_limit(content: bytes, limit: int) -> None:
    """stdin's reader: the bytes when within the limit, else a refusal after limit + 1 bytes."""
    stream = io.BytesIO(content)
    got = refused_or(lambda: read_stream(stream, "-", Limits(max_bytes=limit)))
    if len(content) <= limit:
        assert got == content
    else:
        assert got is None
        assert stream.tell() <= limit + 1


# ---- size and memory ----------------------------------------------------------------------------

_STRUCTURE = {
    "json": ["[", "]", "{", "}", ",", ":", '"a"', "1", '"€"', "[]", "{}", '{"a":', " ", "\n"],
    "toml": ["[", "]", "{", "}", ",", "=", ".", "a", "1", "'x'", "\n", "[a]\n", "[[a]]\n", " "],
}

SLACK = 2 * 1024 * 1024
"""What a parse may take beyond the estimate whatever the input: the parser's own start."""


@fuzz_settings(100_000)
@given(
    fmt=st.sampled_from(["json", "toml"]),
    unit=st.data(),
    repeat=st.integers(min_value=1, max_value=1500),
)
@example(fmt="toml", unit=None, repeat=1)
def test_memory_stays_under_the_estimate(fmt: str, unit: st.DataObject | None, repeat: int) -> None:
    """The estimate is an upper bound: the real peak never exceeds it (plus the text itself)."""
    tokens = (
        ["[a", "]\n"]
        if unit is None
        else unit.draw(st.lists(st.sampled_from(_STRUCTURE[fmt]), min_size=1, max_size=8))
    )
    text = "".join(tokens) * repeat
    text = text[:12_000]  # the per-character costs show at this size; bigger is only slower
    estimate = memory_estimate(text, fmt)
    parse = parse_json if fmt == "json" else parse_toml
    with watchdog():
        tracemalloc.start()
        try:
            refused_or(lambda: parse(text, "fuzz." + fmt))
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak <= estimate + 6 * len(text) + SLACK, (peak, estimate, len(text))
    if memory_problem(text, fmt) is not None:
        assert estimate > MEMORY_BASE


# ---- digits and exponents -----------------------------------------------------------------------


@st.composite
def number_text(draw: st.DrawFn) -> str:
    """Text that looks like a number: signs, long digit runs, underscores, points, exponents."""
    sign = draw(st.sampled_from(["", "-", "+", " "]))
    whole = draw(st.sampled_from(["", "0", "1", "12", "1_0", "_1", "1__0", "١٢"]))
    whole += "9" * draw(st.sampled_from([0, 0, 1, 28, 29, 30, 31, 4299, 4301, 5000]))
    point = draw(st.sampled_from(["", ".", ".0", ".5", ".05", ".340", ".1_0", "." + "3" * 40]))
    exponent = draw(
        st.sampled_from(["", "e3", "E+999999", "e-999999999", "e-999999999999999999", "e2_0"])
        | st.integers(-(10**18), 10**18).map(lambda e: f"e{e}")
    )
    suffix = draw(st.sampled_from(["", "", "%", " %", "€", " "]))
    return sign + whole + point + exponent + suffix


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().removesuffix("%"))
    except (InvalidOperation, ValueError):
        return None


@fuzz_settings(70_000)
@given(text=number_text() | st.text(alphabet="0123456789._eE+-% ", max_size=40))
@example(text="1" * 4400)
@example(text="1e-999999999")
@example(text="1E+999999")
@example(text="_8_0_%")
def test_numbers_of_any_length_and_exponent(text: str) -> None:
    for value in (text, _decimal(text)):
        if value is None:
            continue
        money = only_library_errors(lambda v=value: Money.parse(v, path="$.requested"))
        if money is not None:
            written = str(money)
            assert Money.parse(written) == money
            project = Project(
                id="p",
                title="t",
                lead=Body(id="b", name="B", kind=BodyKind.ATS),
                requested=money,
            )
            again = parse_document(parse_json(dump_document(project)))
            assert again == project
    with watchdog():  # the internal parsers refuse with their own ValueError, placed by callers
        try:
            fraction = parse_fraction(text)
        except Refused:
            fraction = None
        try:
            decimal = parse_decimal(text)
        except NumberError:
            decimal = None
    if fraction is not None:
        assert len(str(fraction)) < 200
    if decimal is not None:
        assert Fraction(decimal) == Fraction(str(decimal))


@cache
def _cycle_2020() -> Cycle:
    return default_host().cycle("lombardia-2020")


@fuzz_settings(30_000)
@given(
    text=number_text(),
    quoted=st.booleans(),
    path=st.sampled_from(
        ["allocation.total", "allocation.envelopes.ats.split.projects.share", "allocation.total"]
    ),
)
@example(text="1" * 4400, quoted=True, path="allocation.total")
@example(text="_8_0_%", quoted=True, path="allocation.envelopes.ats.split.projects.share")
def test_numbers_as_what_if_values(text: str, quoted: bool, path: str) -> None:
    value = json.dumps(text) if quoted else text
    cycle = _cycle_2020()
    assignment = f"{path}={value}"
    changed = only_library_errors(lambda: cycle.with_overrides([assignment]))
    if changed is not None:
        plan = changed.allocation()
        assert plan is not None
        assert Money.parse(str(plan.total)) == plan.total


# ---- API arguments ------------------------------------------------------------------------------


def _anything() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=8),
        st.binary(max_size=8),
        st.decimals(allow_nan=True),
        st.dates(),
        st.datetimes(),
        st.sampled_from(
            [
                "lombardia-2020",
                "ats",
                "ATS",
                BodyKind.ATS,
                Money.parse("5"),
                5.5,
                "2030-01-01",
                object(),
                print,
                Path("x.json"),
            ]
        ),
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=6,
    )


def _body() -> Body:
    return Body(id="b", name="B", kind=BodyKind.ATS)


CALLS: dict[str, Callable[[Any, Any], object]] = {
    "Body(id)": lambda a, _b: Body(id=a, name="B", kind=BodyKind.ATS),
    "Body(kind)": lambda a, _b: Body(id="b", name="B", kind=a),
    "Body(nature)": lambda a, _b: Body(id="b", name="B", kind=BodyKind.ATS, nature=a),
    "Project(lead)": lambda a, _b: check("lombardia-2020", Project(id="p", title="t", lead=a)),
    "Project(requested)": lambda a, _b: Project(id="p", title="t", lead=_body(), requested=a),
    "Project(ends_on)": lambda a, _b: Project(id="p", title="t", lead=_body(), ends_on=a),
    "Project(partners)": lambda a, _b: Project(id="p", title="t", lead=_body(), partners=a),
    "Network(members)": lambda a, _b: Network(
        id="n", name="N", agency="ATS", lead=_body(), members=a
    ),
    "check(cycle, document)": lambda a, b: check(a, b),
    "check(document)": lambda a, _b: check("lombardia-2020", a),
    "allocate(cycle)": lambda a, _b: allocate(a, explain=False),
    "allocate(table)": lambda a, _b: allocate("lombardia-2020", a, explain=False),
    "allocate(overrides)": lambda a, _b: allocate("lombardia-2020", overrides=a, explain=False),
    "Money.parse": lambda a, b: Money.parse(a),
    "load_document": lambda a, _b: load_document(a),
    "load_cycle": lambda a, _b: load_cycle(a),
    "from_json": lambda a, _b: from_json(a, Network),
    "from_toml": lambda a, _b: from_toml(a, Project),
    "dump_document": lambda a, b: dump_document(a, b),
    "parse_indicator_csv": lambda a, _b: parse_indicator_csv(a),
    "load_indicator_table": lambda a, _b: load_indicator_table(a),
}


@fuzz_settings(100_000)
@given(call=st.sampled_from(sorted(CALLS)), a=_anything(), b=_anything())
@example(call="Body(id)", a=5, b=None)
@example(call="Body(kind)", a="ats", b=None)
@example(call="Project(lead)", a="x", b=None)
@example(call="check(cycle, document)", a="lombardia-2020", b=None)
@example(call="Project(ends_on)", a="2030-01-01", b=None)
@example(call="parse_indicator_csv", a=b"id,name\n", b=None)
@example(call="Project(requested)", a=5.5, b=None)
def test_any_argument_gets_the_library_error(call: str, a: Any, b: Any) -> None:
    with contextlib.chdir(_FOLDER):  # a text argument taken as a path finds nothing there
        only_argument_errors(lambda: CALLS[call](a, b))


# ---- output encodings ---------------------------------------------------------------------------

ENCODINGS = ("latin-1", "ascii", "cp1252", "utf-8", "iso8859-15", "cp437", "utf-16")


def _project_seed() -> dict[str, Any]:
    for name, raw in document_seeds():
        if name.endswith(".json"):
            data = json.loads(raw)
            if data.get("kind") == "project":
                return dict(data)
    return {
        "kind": "project",
        "id": "p",
        "title": "t",
        "lead": {"id": "b", "name": "B", "kind": "ats"},
    }


@fuzz_settings(100_000)
@given(
    encoding=st.sampled_from(ENCODINGS),
    # Not blank: a blank title or name is a finding of its own (TITLE_BLANK), one more entry.
    title=st.text(max_size=30).filter(str.strip)
    | st.sampled_from(["€ 1.000\n  ERROR   X at $.lead\x1b[31m"]),
    name=st.text(max_size=12).filter(str.strip),
    fmt=st.sampled_from(["table", "json"]),
    lang=st.sampled_from(["en", "it"]),
)
def test_any_text_on_any_terminal(
    encoding: str, title: str, name: str, fmt: str, lang: str
) -> None:
    data = _project_seed()
    data["title"] = title
    data["lead"] = {**data.get("lead", {}), "name": name}
    path = _FOLDER / f"doc-{next(_COUNTER)}.json"
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    out_raw, err_raw = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_raw, encoding=encoding, errors="strict", write_through=True)
    err = io.TextIOWrapper(err_raw, encoding=encoding, errors="strict", write_through=True)
    code = 0
    with (
        watchdog(),
        _no_wrapping(),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main(["--lang", lang, "check", "lombardia-2020", str(path), "--format", fmt])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    # click takes an ASCII stream for a misconfigured one and writes UTF-8 to its buffer
    written = "utf-8" if encoding == "ascii" else encoding
    stdout = out_raw.getvalue().decode(written)
    stderr = err_raw.getvalue().decode(written)
    assert code in (0, 1, 2), stderr
    assert "Traceback" not in stderr
    if code == 2:  # one line, or one JSON document under --format json
        assert len(stderr.splitlines()) == 1 or "error" in json.loads(stderr), stderr
        return
    if fmt == "table":
        # input cannot add lines or escape sequences: every control character is escaped
        assert all(ch.isprintable() or ch == "\n" for ch in stdout), stdout
        with _no_wrapping():
            assert stdout.count("\n") == _table_lines(lang)
    else:
        json.loads(stdout)


@cache
def _no_wrapping() -> contextlib.AbstractContextManager[object]:
    """A terminal wide enough that no line wraps: then only input could add lines."""
    return mock.patch.dict(os.environ, {"COLUMNS": "10000"})


def _table_lines(lang: str) -> int:
    """Lines of the table output for the seed project with a plain title and name."""
    data = _project_seed()
    data["title"] = "t"
    data["lead"] = {**data.get("lead", {}), "name": "n"}
    path = _FOLDER / f"plain-{lang}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out_raw = io.BytesIO()
    out = io.TextIOWrapper(out_raw, encoding="utf-8", write_through=True)
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(io.StringIO()),
        contextlib.suppress(SystemExit),
    ):
        main(["--lang", lang, "check", "lombardia-2020", str(path)])
    return out_raw.getvalue().decode().count("\n")
