"""Regression tests for the bugs the fuzzers found in the indicator table loaders.

They were reported to the module's owner as ``xfail(strict=True)`` tests and fixed the same day
(docs/robustness.md). A new bug found here in a module this package does not own goes the same
way: an ``xfail(strict=True)`` test that turns red (XPASS) when it is fixed. Each input runs in
a child process with a time limit, because one of them used to hang the loader.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# The child prints OK when the loader returns or raises InputError with a located problem;
# anything else (another exception, a hang) is the bug.
_CHILD = textwrap.dedent(
    """
    import sys
    from conciliazione_core._errors import InputError
    from conciliazione_core._indicators import parse_indicator_csv, parse_indicator_json
    fmt, text = sys.argv[1], sys.stdin.read()
    try:
        table = (parse_indicator_csv if fmt == "csv" else parse_indicator_json)(text)
    except InputError as exc:
        assert exc.problems[0].path, exc
        print("OK refused", exc.problems[0].path)
    else:
        print("OK loaded", table.rows[0].values if fmt == "csv" else "")
    """
)

_HEADER = "id,name,p,source,reference_date,status\n"


def _json(values: str) -> str:
    return (
        '{"indicators": ["p"], "rows": [{"id": "A", "name": "a", "values": ' + values + ", "
        '"provenance": {"source": "s", "reference_date": "2020-01-01", "status": "official"}}]}'
    )


def run_loader(fmt: str, text: str) -> str:
    """The child's verdict, or why it failed."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, fmt],
            input=text,
            capture_output=True,
            text=True,
            timeout=4,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "HANG"
    if done.returncode != 0:
        return "CRASH " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return done.stdout.strip()


BUGS = [
    pytest.param(
        "csv",
        _HEADER + "A,a,1e999999999,s,2020-01-01,official\n",
        id="csv-huge-exponent-hangs",
    ),
    pytest.param("csv", _HEADER + "A,a,1e99999,s,2020-01-01,official\n", id="csv-exponent-crash"),
    pytest.param("csv", _HEADER + "A,a\r1,s,2020-01-01,official\n", id="csv-bare-carriage-return"),
    pytest.param(
        "csv", _HEADER + "A," + "a" * 140_000 + ",1,s,2020-01-01,official\n", id="csv-long-cell"
    ),
    pytest.param("json", "[" * 100_000 + "]" * 100_000, id="json-deep-nesting"),
    pytest.param("json", _json('{"p": ' + "9" * 5000 + "}"), id="json-long-integer"),
    pytest.param("json", _json('{"p": "1e999999999"}'), id="json-huge-exponent-hangs"),
]


@pytest.mark.parametrize(("fmt", "text"), BUGS)
def test_indicator_loader_refuses_cleanly(fmt: str, text: str) -> None:
    assert run_loader(fmt, text).startswith("OK")


def test_indicator_json_refuses_duplicate_keys() -> None:
    """{"p": "1", "p": "2"} used to become 2 silently: a changed result, not an error."""
    verdict = run_loader("json", _json('{"p": "1", "p": "2"}'))
    assert verdict.startswith("OK refused"), verdict


@pytest.mark.parametrize(
    "text",
    [
        '{"indicators": ["p"], "rows": [{"id": 1.5, "name": "a", "values": {"p": 1}, '
        '"provenance": {"source": "s", "reference_date": "2020-01-01", "status": "official"}}]}',
        '{"indicators": [2.5], "rows": []}',
        _json('{"p": 1}').replace('"name": "a"', '"name": 1e3'),
    ],
    ids=["id", "indicator-name", "row-name"],
)
def test_a_json_number_is_not_text(text: str) -> None:
    """A decimal number where text is expected (an id) used to pass as the text "1.5"."""
    verdict = run_loader("json", text)
    assert verdict.startswith("OK refused"), verdict


def test_indicator_files_take_limits() -> None:
    """load_indicator_table used to read any size of file: it takes serialisation.Limits."""
    import inspect

    from conciliazione_core._indicators import load_indicator_table

    assert "limits" in inspect.signature(load_indicator_table).parameters


def test_the_harness_tells_ok_from_a_crash() -> None:
    """The child really reports: a good table loads, a bad one is refused."""
    assert run_loader("csv", _HEADER + "A,a,1,s,2020-01-01,official\n").startswith("OK loaded")
    assert run_loader("csv", _HEADER + "A,a,-1,s,2020-01-01,official\n").startswith("OK refused")
    assert run_loader("json", "{").startswith("OK refused")
