"""The ``conciliazione`` command: cycles, check and schema, and one-line errors with exit 2.

(``allocate`` is tested with the allocation engine.)
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from conciliazione_core import BodyKind
from conciliazione_core.cli import main

ERROR_PREFIX = "conciliazione: error: "


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; return (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), out, err


def one_error_line(err: str) -> str:
    """The single line of an error, checked to be one line with no traceback."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(ERROR_PREFIX)
    return lines[0].removeprefix(ERROR_PREFIX)


# ---- cycles --------------------------------------------------------------------------------------


def test_cycles_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # wide enough for one line per cycle
    code, out, err = run(capsys, "cycles")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["id", "title", "legal", "basis", "distribution", "version"]
    assert set(lines[1]) == {"-", " "}
    rows = {line.split()[0]: line for line in lines[2:]}
    for cycle_id in ("lombardia-2014", "lombardia-2020"):
        dist = f"conciliazione-{cycle_id}"
        assert dist in rows[cycle_id]
        assert rows[cycle_id].rstrip().endswith(version(dist))
    assert "D.G.R. X/1081 of 12/12/2013" in rows["lombardia-2014"]
    assert "D.G.R. XI/2398 of 11/11/2019" in rows["lombardia-2020"]


def test_cycles_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cycles", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["faulty_plugins"] == []
    cycles = {c["id"]: c for c in data["cycles"]}
    assert {"lombardia-2014", "lombardia-2020"} <= set(cycles)
    for cycle_id, cycle in cycles.items():
        assert {"id", "title", "legal_basis", "distribution", "version"} <= set(cycle)
        # One distribution per plugin: lombardia-2019 comes with lombardia-2017.
        distribution = "conciliazione-lombardia-2017" if cycle_id == "lombardia-2019" else None
        assert cycle["distribution"] == (distribution or f"conciliazione-{cycle_id}")
        assert cycle["version"] == version(cycle["distribution"])
        assert cycle["legal_basis"]
        assert all(isinstance(b, str) for b in cycle["legal_basis"])
    assert cycles["lombardia-2020"]["title"].startswith("Conciliazione vita-lavoro 2020-2023")
    assert cycles["lombardia-2020"]["level"] == "ATS"
    assert cycles["lombardia-2014"]["period"] == ["2014-01-01", "2015-12-31"]


# ---- check ---------------------------------------------------------------------------------------


def test_check_montagna_2020_is_admissible(
    capsys: pytest.CaptureFixture[str], montagna_path: Path
) -> None:
    code, out, err = run(capsys, "check", "lombardia-2020", str(montagna_path))
    assert code == 0
    assert err == ""
    first, *rest = out.splitlines()
    assert first == f"{montagna_path}: admissible (lombardia-2020)"
    assert sum("BUDGET_NOT_STATED at $.projects[" in line for line in rest) == 5
    assert "ERROR" not in out


def test_check_montagna_2014_is_not_admissible(
    capsys: pytest.CaptureFixture[str], montagna_path: Path
) -> None:
    code, out, err = run(capsys, "check", "lombardia-2014", str(montagna_path))
    assert code == 1
    assert err == ""
    assert out.splitlines()[0] == f"{montagna_path}: NOT admissible (lombardia-2014)"
    assert "LEAD_NOT_PUBLIC at $.projects[3].lead" in out
    assert "basis: D.G.R. X/1081 of 12/12/2013" in out


@pytest.mark.parametrize(("cycle", "status"), [("lombardia-2020", 0), ("lombardia-2014", 1)])
def test_check_json(
    capsys: pytest.CaptureFixture[str], montagna_path: Path, cycle: str, status: int
) -> None:
    code, out, _ = run(capsys, "check", cycle, str(montagna_path), "--format", "json")
    assert code == status
    data = json.loads(out)
    assert {"cycle", "admissible", "findings"} <= set(data)
    assert data["cycle"] == cycle
    assert data["admissible"] is (status == 0)
    assert data["findings"]
    for item in data["findings"]:
        assert {"code", "severity", "message", "path", "legal_basis"} <= set(item)
        assert item["severity"] in {"error", "warning", "info"}
        assert item["path"].startswith("$")
        assert isinstance(item["legal_basis"], str)
        assert item["legal_basis"]
    codes = [(f["code"], f["path"]) for f in data["findings"]]
    if status:
        assert ("LEAD_NOT_PUBLIC", "$.projects[3].lead") in codes
    else:
        assert {c for c, _ in codes} == {"BUDGET_NOT_STATED"}


def test_check_reads_json_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "project.json"
    project = {
        "kind": "project",
        "id": "p",
        "title": "Sportello",
        "lead": {"id": "acme", "name": "ACME", "kind": "company"},
        "service_types": ["C"],
        "requested": "1000",
    }
    path.write_text(json.dumps(project), encoding="utf-8")
    code, out, _ = run(capsys, "check", "lombardia-2020", str(path), "--format", "json")
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["LEAD_NOT_ADMITTED"]


# ---- schema --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["territorial_plan", "network", "network_register", "alliance", "project"]
)
def test_schema_prints_json(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    code, out, err = run(capsys, "schema", kind)
    assert code == 0
    assert err == ""
    schema = json.loads(out)
    assert schema["properties"]["kind"] == {"const": kind}
    assert schema["additionalProperties"] is False


def test_schema_of_an_unknown_type(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema", "spaceship")
    assert code == 2
    assert out == ""
    line = one_error_line(err)
    assert line.startswith("TYPE: 'spaceship' is not a document kind; choose one of: network")


# ---- errors: one line on stderr, exit 2 ----------------------------------------------------------


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    code, out, err = run(capsys, "check", "lombardia-2020", str(missing))
    assert (code, out) == (2, "")
    assert one_error_line(err) == f"{missing}: $: no such file"


def test_a_folder_without_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A folder is checked as its documents (tests/test_cli_batch.py); one with none is an error."""
    folder = tmp_path / "plans.toml"
    folder.mkdir()
    code, _, err = run(capsys, "check", "lombardia-2020", str(folder))
    assert code == 2
    assert one_error_line(err) == f"{folder}: $: the folder holds no .toml or .json document"


def test_malformed_document_names_file_and_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, montagna_path: Path
) -> None:
    text = montagna_path.read_text(encoding="utf-8")
    broken = text.replace('kind = "social_cooperative"', 'kind = "spaceship"')
    broken = broken.replace('service_types = ["B"]', 'service_types = "B"', 1)
    assert broken != text
    path = tmp_path / "plan.toml"
    path.write_text(broken, encoding="utf-8")
    code, out, err = run(capsys, "check", "lombardia-2020", str(path))
    assert (code, out) == (2, "")
    # Every problem, each on its line with its path, under a line naming the file.
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"{ERROR_PREFIX}{path}: 2 problems:",
        "  $.projects[1].service_types: expected a list, got text",
        "  $.projects[3].lead.kind: 'spaceship' is not a valid BodyKind; expected one of: "
        + ", ".join(k.value for k in BodyKind),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "$: the file is empty"),
        ("kind = = 1\n", "$: not valid TOML: Invalid value (at line 1, column 8)"),
        ('kind = "plan"\n', "$.kind: 'plan' is not a document kind"),
        ('id = "x"\n', "$.kind: required field is missing"),
        (
            'kind = "project"\nid = "p"\ntitle = "t"\nrequested = 1.5\nlead = { id = "a", name = "A", kind = "ats" }\n',
            "$.requested: amount 1.5 is a floating-point number",
        ),
    ],
)
def test_bad_documents(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "doc.toml"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "check", "lombardia-2020", str(path))
    assert code == 2
    assert one_error_line(err).startswith(f"{path}: {message}")


def test_invalid_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(b'{"kind": "\xff"}')
    code, _, err = run(capsys, "check", "lombardia-2020", str(path))
    assert code == 2
    assert one_error_line(err) == f"{path}: $: not valid UTF-8 text (byte 10: b'\\xff')"


def test_unknown_cycle(capsys: pytest.CaptureFixture[str], montagna_path: Path) -> None:
    code, _, err = run(capsys, "check", "lombardia-1999", str(montagna_path))
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("unknown cycle 'lombardia-1999' (installed cycles: ")
    assert "lombardia-2014" in line
    assert "lombardia-2020" in line


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check", "--bogus"], "--bogus"),
        (["cycles", "--format", "yaml"], "'yaml' is not one of"),
        (["check", "lombardia-2020"], "Missing argument 'FILE...'"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["--lang", "fr", "cycles"], "'fr' is not one of"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert words in one_error_line(err)


def test_subcommand_usage_errors_point_to_help(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "check", "--bogus")
    assert one_error_line(err).endswith("(see 'conciliazione check --help')")


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert version("conciliazione-core") in out
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("cycles", "check", "schema", "allocate"):
        assert command in out


@pytest.mark.parametrize("width", ["60", "80"])
def test_tables_fit_the_terminal_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    """COLUMNS (or the terminal) sets the width; names and notes wrap, ids and amounts stay."""
    monkeypatch.setenv("COLUMNS", width)
    for argv in (
        ["cycles"],
        ["allocate", "lombardia-2020"],
        ["allocate", "lombardia-2014"],
        ["allocate", "lombardia-2020", "--explain", "ATS-MONTAGNA"],
    ):
        code, out, err = run(capsys, *argv)
        assert code in (0, 1), err
        assert max(len(line) for line in out.splitlines()) <= int(width), out
        assert "lombardia-2020" in out.split() or "ATS-MONTAGNA" in out.split() or code == 1
    _, out, _ = run(capsys, "allocate", "lombardia-2020")
    assert "ats.projects" not in out.split("Envelopes:")[0]  # headed by labels
    assert re.search(r"^TOTAL\s+3,000,000$", out, re.M)  # whole euros: no .00
    assert "82,947" in out.split()
