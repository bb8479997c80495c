"""Fuzzing the command line: whatever file or --set value a user passes, ``conciliazione`` exits
0, 1 or 2, and on 2 prints exactly one line on stderr (``conciliazione: error: ...``).

The CLI runs in-process (``main(argv)``) with stdout as a strict UTF-8 stream, so a
value that cannot be printed (a lone surrogate from a JSON ``\\ud800`` escape) fails here as it
would in a terminal.
"""

from __future__ import annotations

import contextlib
import io
import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conciliazione_core.cli import main

from ._support import (
    byte_mutated,
    csv_seeds,
    cycle_seeds,
    document_seeds,
    fuzz_settings,
    mutated_tree,
    plain_data,
    to_json_bytes,
)
from .test_fuzz_cycles import _dotted_paths


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one in-process run, with a strict UTF-8 stdout."""
    out_raw, err_raw = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_raw, encoding="utf-8", errors="strict", write_through=True)
    # Python's own stderr escapes what it cannot encode; its stdout does not.
    err = io.TextIOWrapper(err_raw, encoding="utf-8", errors="backslashreplace", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        else:
            code = 0
    return code, out_raw.getvalue().decode(), err_raw.getvalue().decode()


def assert_clean_exit(argv: list[str]) -> int:
    code, out, err = run_cli(argv)
    assert code in (0, 1, 2), (code, err)
    if code == 2 and "--format" in argv and err.startswith("{"):
        error = json.loads(err)["error"]  # under --format json: the error as JSON
        assert error["message"], out
        assert all(p["path"] is not None for p in error["problems"]), out
    elif code == 2:
        lines = err.splitlines()
        assert lines[0].startswith("conciliazione: error: "), err
        # One line, or a line naming the count then one indented line per problem.
        assert len(lines) == 1 or lines[0].endswith(" problems:"), err
        assert all(line.startswith("  ") for line in lines[1:]), err
    return code


@fuzz_settings(40000)
@given(data=st.data(), cycle=st.sampled_from(["lombardia-2014", "lombardia-2020", "nope"]))
@example(data=None, cycle="lombardia-2020")
def test_check_any_document(
    data: st.DataObject | None, cycle: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("cli", numbered=True)
    if data is None:  # a lone surrogate, legal in JSON text as an escape
        path = folder / "doc.json"
        path.write_bytes(
            b'{"kind": "project", "id": "p", "title": "\\ud800", "lead": '
            b'{"id": "c", "name": "x\\udfff", "kind": "company"}}'
        )
    else:
        name, raw = data.draw(st.sampled_from(document_seeds()), label="seed")
        suffix = ".json" if name.endswith(".json") else ".toml"
        if data.draw(st.booleans(), label="tree"):
            raw = to_json_bytes(data.draw(mutated_tree(plain_data(name, raw)), label="tree"))
            suffix = ".json"
        else:
            raw = data.draw(byte_mutated(raw), label="bytes")
        path = folder / f"doc{suffix}"
        path.write_bytes(raw)
    fmt = "json" if data is None else data.draw(st.sampled_from(["table", "json"]), label="fmt")
    assert_clean_exit(["check", cycle, str(path), "--format", fmt])


@fuzz_settings(30000)
@given(data=st.data(), fmt=st.sampled_from(["table", "json", "csv"]))
def test_allocate_with_any_data_file(
    data: st.DataObject, fmt: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    name, text = data.draw(st.sampled_from(csv_seeds()), label="seed")
    cycle = "lombardia-2014" if "2011" in name else "lombardia-2020"
    raw = data.draw(byte_mutated(text.encode()), label="bytes")
    path = tmp_path_factory.mktemp("cli", numbered=True) / "data.csv"
    path.write_bytes(raw)
    assert_clean_exit(["allocate", cycle, "--data", str(path), "--format", fmt])


def _paths() -> list[str]:
    out: set[str] = set()
    for _package, raw in cycle_seeds():
        out.update(_dotted_paths(tomllib.loads(raw.decode())))
    return sorted(out)


@fuzz_settings(30000)
@given(
    path=st.sampled_from(_paths()) | st.text(max_size=10),
    value=st.sampled_from(["-1", "0", "1.5", "nan", '"80%"', "[1]", "x", "", "9" * 5000])
    | st.text(max_size=10),
    cycle=st.sampled_from(["lombardia-2014", "lombardia-2020"]),
    fmt=st.sampled_from(["table", "json"]),
)
def test_allocate_with_any_override(path: str, value: str, cycle: str, fmt: str) -> None:
    assert_clean_exit(["allocate", cycle, "--set", f"{path}={value}", "--format", fmt])


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "lombardia-2020", "/no/such/file.toml"],
        ["check", "lombardia-2020", "/"],
        ["check", "no-such-cycle", "x.toml"],
        ["allocate", "lombardia-2020", "--data", "/no/such.csv"],
        ["allocate", "lombardia-2020", "--set", "nope"],
        ["allocate", "lombardia-2020", "--explain", "NOBODY"],
        ["schema", "nothing"],
        ["nonsense"],
    ],
)
def test_usage_errors_are_one_line(argv: list[str]) -> None:
    assert assert_clean_exit(argv) == 2


def test_the_strict_streams_catch_unprintable_text() -> None:
    """The harness itself: a surrogate written to its stdout raises, as a terminal would."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    with pytest.raises(UnicodeEncodeError):
        out.write("\ud800")


def test_a_path_argument_is_read_as_given(tmp_path: Path) -> None:
    """A document named like an option or a shell expansion is only ever a file name."""
    evil = tmp_path / "$(touch pwned);.toml"
    evil.write_text('kind = "network"\n', encoding="utf-8")
    assert assert_clean_exit(["check", "lombardia-2020", str(evil)]) == 2
    assert not (tmp_path / "pwned").exists()
