"""``check`` on many documents: several files, a folder, ``-`` for standard input.

What must hold: every document is checked even when another cannot be read (nothing lost); the
summary and the JSON say for each what checking it alone says; exit 2 when any is unreadable,
else 1 when any is not admissible, else 0; one FILE prints what it always printed.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conciliazione_core._host
from conciliazione_core import Cycle, Host, check, hookimpl, load_document
from conciliazione_core._formats import Limits
from conciliazione_core._host import default_host
from conciliazione_core.cli import _check, main

EXAMPLES = (
    Path(__file__).resolve().parents[1] / "plugins/lombardia_2020/src/lombardia_2020/examples"
)
ADMISSIBLE = EXAMPLES / "project_ends_late.toml"  # a warning, no error
INADMISSIBLE = EXAMPLES / "network_lead_not_ats.toml"  # a network led by a municipality
JSON_DOCUMENT = EXAMPLES / "project_unknown_service_type.json"
ERROR_PREFIX = "conciliazione: error: "


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough for temporary paths, so the summary stays one line per document
    (at 80 columns the table would be printed in blocks)."""
    monkeypatch.setenv("COLUMNS", "400")


@pytest.fixture
def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.toml"
    path.write_text("this is = = not toml\n", encoding="utf-8")
    return path


def alone(path: Path) -> tuple[bool, Counter[str]]:
    """What checking ``path`` alone says: its verdict and its count of each severity."""
    report = check(default_host().cycle("lombardia-2020"), load_document(path), name=str(path))
    return report.admissible, Counter(f.severity.value for f in report.findings)


def summary_rows(out: str) -> dict[str, list[str]]:
    """The summary table's rows by file (the table follows the reports, after a blank line)."""
    table = out.rsplit("\n\n", 1)[1].splitlines()
    assert table[0].split() == ["file", "type", "verdict", "errors", "warnings", "info"]
    assert set(table[1]) <= {"-", " "}
    rows = {}
    for line in table[2:-1]:
        name, rest = line.split(None, 1)
        rows[name] = rest.replace("NOT admissible", "NOT-admissible").split()
    return rows


# ---- several files -----------------------------------------------------------------------------


def test_several_files_summary_says_what_each_check_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [ADMISSIBLE, INADMISSIBLE, JSON_DOCUMENT]
    code, out, err = run(capsys, "check", "lombardia-2020", *map(str, files))
    assert (code, err) == (1, "")
    rows = summary_rows(out)
    assert list(rows) == [str(f) for f in files]
    for path in files:
        admissible, counts = alone(path)
        kind = load_document(path).__class__.__name__.lower()
        verdict = "admissible" if admissible else "NOT-admissible"
        expected = [kind, verdict, *(str(counts[s]) for s in ("error", "warning", "info"))]
        assert rows[str(path)] == expected
    assert rows[str(INADMISSIBLE)][1] == "NOT-admissible"
    assert out.splitlines()[-1] == "3 documents: 1 admissible, 2 not admissible, 0 unreadable"
    # each document's report is printed, as for one file, before the summary
    assert f"{INADMISSIBLE}: NOT admissible (lombardia-2020)" in out
    assert "NETWORK_LEAD_NOT_AGENCY" in out


def test_all_admissible_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "check", "lombardia-2020", str(ADMISSIBLE), str(ADMISSIBLE))
    assert code == 0
    assert out.splitlines()[-1] == "2 documents: 2 admissible, 0 not admissible, 0 unreadable"


def test_an_unreadable_file_stops_nothing_and_exit_2_wins(
    capsys: pytest.CaptureFixture[str], garbage: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.json"
    code, out, err = run(
        capsys, "check", "lombardia-2020", str(garbage), str(INADMISSIBLE), str(missing)
    )
    assert code == 2
    rows = summary_rows(out)
    assert rows[str(garbage)] == ["unreadable"]
    assert rows[str(INADMISSIBLE)][1] == "NOT-admissible"  # checked after the garbage
    assert rows[str(missing)] == ["unreadable"]
    assert err.splitlines() == [
        f"{ERROR_PREFIX}{garbage}: $: not valid TOML: Expected '=' after a key in a key/value "
        "pair (at line 1, column 6)",
        f"{ERROR_PREFIX}{missing}: $: no such file",
    ]


def test_json_for_several_is_an_array_in_order(
    capsys: pytest.CaptureFixture[str], garbage: Path
) -> None:
    code, out, err = run(
        capsys,
        "check",
        "lombardia-2020",
        str(ADMISSIBLE),
        str(garbage),
        "--format",
        "json",
    )
    assert (code, err) == (2, "")
    first, second = json.loads(out)
    assert (first["document"], first["type"], first["admissible"]) == (
        str(ADMISSIBLE),
        "project",
        True,
    )
    assert first["cycle"] == "lombardia-2020"
    assert second["document"] == str(garbage)
    assert second["admissible"] is None
    assert second["type"] is None
    assert second["error"].startswith(f"{garbage}: $: not valid TOML")
    assert [p["path"] for p in second["problems"]] == ["$"]


def test_jsonl_is_one_report_per_line(capsys: pytest.CaptureFixture[str], garbage: Path) -> None:
    code, out, err = run(
        capsys,
        "check",
        "lombardia-2020",
        str(INADMISSIBLE),
        str(garbage),
        str(ADMISSIBLE),
        "--format",
        "jsonl",
    )
    assert (code, err) == (2, "")
    lines = out.splitlines()
    assert len(lines) == 3
    reports = [json.loads(line) for line in lines]
    assert [r["document"] for r in reports] == [str(INADMISSIBLE), str(garbage), str(ADMISSIBLE)]
    assert [r["admissible"] for r in reports] == [False, None, True]
    assert "NETWORK_LEAD_NOT_AGENCY" in [f["code"] for f in reports[0]["findings"]]
    assert "not valid TOML" in reports[1]["error"]


def test_jsonl_of_one_unreadable_file_is_its_error_object(
    capsys: pytest.CaptureFixture[str], garbage: Path
) -> None:
    code, out, err = run(capsys, "check", "lombardia-2020", str(garbage), "--format", "jsonl")
    assert (code, err) == (2, "")
    [line] = out.splitlines()
    assert json.loads(line)["document"] == str(garbage)


def test_one_file_prints_what_it_always_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "check", "lombardia-2020", str(INADMISSIBLE), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, dict)
    assert "type" not in data
    code, out, _err = run(capsys, "check", "lombardia-2020", str(INADMISSIBLE))
    assert code == 1
    assert out.startswith(f"{INADMISSIBLE}: NOT admissible (lombardia-2020)\n")
    assert "documents:" not in out


def test_a_bad_cycle_stops_before_any_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "lombardia-2099", str(ADMISSIBLE), str(ADMISSIBLE))
    assert (code, out) == (2, "")
    assert err.startswith(ERROR_PREFIX)
    assert "lombardia-2099" in err


# ---- a folder ------------------------------------------------------------------------------------


def test_a_folder_is_its_documents_sorted_not_its_subfolders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "submitted"
    (folder / "older").mkdir(parents=True)
    shutil.copy(INADMISSIBLE, folder / "b_network.toml")
    shutil.copy(ADMISSIBLE, folder / "a_project.TOML")
    shutil.copy(JSON_DOCUMENT, folder / "c_project.json")
    shutil.copy(ADMISSIBLE, folder / "older" / "ignored.toml")
    (folder / "notes.md").write_text("not a document\n", encoding="utf-8")
    (folder / "d_folder.toml").mkdir()  # a folder with a document's name is not a document
    code, out, err = run(capsys, "check", "lombardia-2020", str(folder), "--format", "jsonl")
    assert (code, err) == (1, "")
    names = [json.loads(line)["document"] for line in out.splitlines()]
    assert names == [
        str(folder / n) for n in ("a_project.TOML", "b_network.toml", "c_project.json")
    ]


def test_an_empty_folder_is_reported_among_the_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, "check", "lombardia-2020", str(empty), str(ADMISSIBLE))
    assert code == 2
    assert summary_rows(out)[str(empty)] == ["unreadable"]
    assert err == f"{ERROR_PREFIX}{empty}: $: the folder holds no .toml or .json document\n"


# ---- standard input ------------------------------------------------------------------------------


def test_stdin_toml(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, INADMISSIBLE.read_bytes())
    code, out, _err = run(capsys, "check", "lombardia-2020", "-")
    assert code == 1
    assert out.startswith("<stdin>: NOT admissible (lombardia-2020)\n")


def test_stdin_json_is_recognised_by_its_brace(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, b"\xef\xbb\xbf \n" + JSON_DOCUMENT.read_bytes())
    code, out, _err = run(capsys, "check", "lombardia-2020", "-", "--format", "json")
    data = json.loads(out)
    assert data["document"] == "<stdin>"
    assert (code, data["admissible"]) == (1, alone(JSON_DOCUMENT)[0])


def test_stdin_among_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, ADMISSIBLE.read_bytes())
    code, out, _err = run(
        capsys, "check", "lombardia-2020", str(INADMISSIBLE), "-", "--format", "jsonl"
    )
    assert code == 1
    assert [json.loads(line)["document"] for line in out.splitlines()] == [
        str(INADMISSIBLE),
        "<stdin>",
    ]


def test_stdin_over_the_limit_is_refused_after_reading_one_byte_past_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = io.BytesIO(b"#" * 5000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(data))
    monkeypatch.setattr(_check, "STDIN_LIMITS", Limits(max_bytes=100))
    code, out, err = run(capsys, "check", "lombardia-2020", "-")
    assert (code, out) == (2, "")
    assert err == f"{ERROR_PREFIX}<stdin>: $: the input is over the limit of 100 bytes\n"
    assert data.tell() <= 100 + 1 + 8192  # read in one buffered gulp at most, not to the end


@pytest.mark.parametrize(
    ("stream", "message"),
    [(None, "standard input is closed"), (io.TextIOWrapper(io.BytesIO(b"")), "the file is empty")],
)
def test_stdin_closed_or_empty(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stream: object,
    message: str,
) -> None:
    monkeypatch.setattr(sys, "stdin", stream)
    code, out, err = run(capsys, "check", "lombardia-2020", "-")
    assert (code, out) == (2, "")
    assert err == f"{ERROR_PREFIX}<stdin>: $: {message}\n"


def test_stdin_twice_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "lombardia-2020", "-", "-")
    assert (code, out) == (2, "")
    assert err.startswith(f"{ERROR_PREFIX}standard input (-) can be read only once")


# ---- the exit status, whatever the mix --------------------------------------------------------------


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["ok", "bad", "unreadable"]), min_size=2, max_size=5))
def test_exit_status_and_counts_for_any_mix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mix: list[str]
) -> None:
    sources = {"ok": ADMISSIBLE, "bad": INADMISSIBLE}
    files = []
    for i, what in enumerate(mix):
        path = tmp_path / f"{i}.toml"
        if what == "unreadable":
            path.write_text("[[[", encoding="utf-8")
        else:
            shutil.copy(sources[what], path)
        files.append(str(path))
    code, out, _err = run(capsys, "check", "lombardia-2020", *files, "--format", "jsonl")
    expected = 2 if "unreadable" in mix else 1 if "bad" in mix else 0
    assert code == expected
    verdicts = [json.loads(line)["admissible"] for line in out.splitlines()]
    assert verdicts == [{"ok": True, "bad": False, "unreadable": None}[m] for m in mix]


# ---- a plugin that fails on one document ------------------------------------------------------------


class _FailsOnNetworks:
    """An extension plugin whose extra check raises for networks only."""

    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: object) -> list[object]:
        if type(document).__name__ == "Network":
            raise RuntimeError("cannot check networks")
        return []


def test_a_plugin_failing_on_one_document_stops_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = Host(plugins=[("fails_on_networks", _FailsOnNetworks())])
    monkeypatch.setattr(conciliazione_core._host, "_default", [host])
    code, out, err = run(capsys, "check", "lombardia-2020", str(INADMISSIBLE), str(ADMISSIBLE))
    assert code == 2
    rows = summary_rows(out)
    assert rows[str(INADMISSIBLE)] == ["check", "failed"]
    assert rows[str(ADMISSIBLE)][:2] == ["project", "admissible"]  # checked after the failure
    assert err.startswith(ERROR_PREFIX)
    assert "fails_on_networks" in err
    assert "cannot check networks" in err
