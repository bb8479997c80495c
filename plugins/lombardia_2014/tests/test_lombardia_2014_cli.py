"""The ``conciliazione`` command on the 2014-2015 cycle, as a new user runs it.

Exit codes: 0 all good; 1 an inadmissible document or an incomplete allocation; 2 a usage or
input error, one line on stderr.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest

from conciliazione_core.cli import main

CYCLE_ID = "lombardia-2014"
EXAMPLES = files("lombardia_2014").joinpath("examples")
DATA = files("lombardia_2014").joinpath("data/asl_population_2011.csv")
PYTHON_CLI = [sys.executable, "-c", "from conciliazione_core.cli import main; main()"]
MISSING = ["ASL-BRESCIA", "ASL-MILANO", "ASL-MILANO-1", "ASL-MILANO-2", "ASL-VALLECAMONICA-SEBINO"]

#: MADE-UP TEST DATA for the 5 ASL whose population is not shipped (not ISTAT figures).
MADE_UP_ROWS = [
    f"{rid},{name},{value},MADE-UP TEST DATA (not ISTAT),2011-10-09,estimate,invented for a test,,"
    for rid, name, value in [
        ("ASL-BRESCIA", "ASL di Brescia", 1_000_000),
        ("ASL-MILANO", "ASL di Milano", 1_000_000),
        ("ASL-MILANO-1", "ASL Milano 1", 1_000_000),
        ("ASL-MILANO-2", "ASL Milano 2", 1_000_000),
        ("ASL-VALLECAMONICA-SEBINO", "ASL di Vallecamonica-Sebino", 100_000),
    ]
]


def run(capsys: pytest.CaptureFixture[str], args: Sequence[str]) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


@pytest.fixture
def complete_data(tmp_path: Path) -> Path:
    """The shipped 10 rows plus MADE-UP rows for the 5 missing ASL: test data, never shipped."""
    path = tmp_path / "complete.csv"
    shipped = DATA.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(shipped + "\n" + "\n".join(MADE_UP_ROWS) + "\n", encoding="utf-8")
    return path


# ---- cycles and check ---------------------------------------------------------------------------


def test_cycles_lists_the_cycle(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, ["cycles", "--format", "json"])
    assert code == 0
    listed = {c["id"]: c for c in json.loads(out)["cycles"]}
    assert listed[CYCLE_ID]["level"] == "ASL"
    assert listed[CYCLE_ID]["legal_basis"] == ["D.G.R. X/1081 of 12/12/2013"]
    assert listed[CYCLE_ID]["distribution"] == "conciliazione-lombardia-2014"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("cremona_network_2011.toml", 0),
        ("brescia_network_2011.toml", 0),
        ("brescia_alliance_montichiari.toml", 0),
        ("illustrative_plan_on_time.toml", 0),
        ("invalid_network_accord_late.toml", 1),
        ("invalid_alliance_cooperative_lead.toml", 1),
        ("invalid_register_sixteen_networks.toml", 1),
    ],
)
def test_check_exit_codes(capsys: pytest.CaptureFixture[str], name: str, code: int) -> None:
    path = str(EXAMPLES.joinpath(name))
    got, out, err = run(capsys, ["check", CYCLE_ID, path])
    assert got == code
    assert err == ""
    verdict = "admissible" if code == 0 else "NOT admissible"
    assert out.splitlines()[0] == f"{path}: {verdict} ({CYCLE_ID})"


def test_check_json_names_code_path_and_basis(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES.joinpath("invalid_alliance_cooperative_lead.toml"))
    code, out, _err = run(capsys, ["check", CYCLE_ID, path, "--format", "json"])
    assert code == 1
    report = json.loads(out)
    assert report["admissible"] is False
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("LEAD_NOT_PUBLIC", "$.lead")]
    assert report["findings"][0]["legal_basis"] == (
        "D.G.R. X/1081 of 12/12/2013, guidelines on local alliances"
    )


def test_check_montagna_2020_plan_what_if(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(files("lombardia_2020").joinpath("examples/montagna_2020_2023.toml"))
    code, out, _err = run(capsys, ["check", CYCLE_ID, path, "--format", "json"])
    assert code == 1
    findings = json.loads(out)["findings"]
    serious = [f["code"] for f in findings if f["severity"] != "info"]
    # Errors first, then the plain-sense warning: the plan says it is of lombardia-2020.
    assert serious == [
        "NETWORK_AGENCY_UNKNOWN",
        "ACCORD_MISSING",
        "LEAD_NOT_PUBLIC",
        "CYCLE_MISMATCH",
    ]
    (lead,) = [f for f in findings if f["code"] == "LEAD_NOT_PUBLIC"]
    assert lead["path"] == "$.projects[3].lead"
    assert "Terzo tempo" in lead["message"]
    assert "Coop. Forme" in lead["message"]


@pytest.mark.parametrize(
    ("content", "suffix", "fragment"),
    [
        (None, ".toml", "no such file"),
        ('kind = "letter"\nid = "x"\n', ".toml", "$.kind"),
        (
            'kind = "alliance"\nid = "a"\nname = "A"\nlead = { id = "x", name = "X", kind = "bank" }\n',
            ".toml",
            "$.lead.kind",
        ),
    ],
)
def test_check_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: str | None,
    suffix: str,
    fragment: str,
) -> None:
    path = tmp_path / f"doc{suffix}"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, ["check", CYCLE_ID, str(path)])
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("conciliazione: error: ")
    assert fragment in err


# ---- allocate -----------------------------------------------------------------------------------


def test_allocate_without_data_prints_training_and_names_the_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one line per row and per note
    code, out, _err = run(capsys, ["allocate", CYCLE_ID])
    assert code == 1  # incomplete: the action-plan money is pending
    rows = [line for line in out.splitlines() if line.startswith("ASL-")]
    assert len(rows) == 15
    for row in rows:
        assert row.split()[-1] == "20,000.00"
        assert " 20,000.00 " in row
    (pending,) = [line for line in out.splitlines() if line.startswith("Not allocated:")]
    listed = re.search(r"missing for 5 recipient\(s\): (.*?)\. ", pending)
    assert listed is not None
    assert listed.group(1).split(", ") == MISSING
    assert "3,339,500" in pending
    assert f"conciliazione allocate {CYCLE_ID} --template > data.csv" in out
    assert "TOTAL" in out
    assert "3,639,500.00" in out


def test_allocate_without_data_json_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, ["allocate", CYCLE_ID, "--format", "json"])
    assert code == 1
    result = json.loads(out)
    assert result["total"] == "3639500.00"
    assert [s["envelopes"]["training"] for s in result["shares"]] == ["20000.00"] * 15
    (pending,) = result["pending"]
    assert pending["envelope"] == "action_plans"
    assert pending["amount"] == "3339500.00"
    assert pending["missing"] == MISSING


def test_allocate_template_lists_the_15_asl(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, ["allocate", CYCLE_ID, "--template"])
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "id",
        "name",
        "population_2011",
        "source",
        "reference_date",
        "status",
        "method",
        "source_it",  # the shipped rows' provenance in Italian, carried over
        "method_it",
    ]
    assert len(rows) == 16
    # Only the ASL whose population is not shipped are left blank; the others come filled in.
    assert {r[0] for r in rows[1:] if r[2] == ""} == set(MISSING)
    assert all(r[2].isdigit() and r[5] in {"official", "derived"} for r in rows[1:] if r[2])


def test_allocate_with_complete_made_up_data(
    capsys: pytest.CaptureFixture[str], complete_data: Path
) -> None:
    code, out, err = run(capsys, ["allocate", CYCLE_ID, "--data", str(complete_data)])
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith("ASL-")]
    assert len(rows) == 15
    assert "Not allocated" not in out
    total = [line for line in out.splitlines() if line.startswith("TOTAL")]
    assert total
    assert total[0].split()[-1] == "3,639,500.00"
    assert "not official" in out  # derived and made-up rows are flagged


def test_allocate_csv_sums_exactly(capsys: pytest.CaptureFixture[str], complete_data: Path) -> None:
    code, out, _err = run(
        capsys, ["allocate", CYCLE_ID, "--data", str(complete_data), "--format", "csv"]
    )
    assert code == 0
    every = list(csv.DictReader(io.StringIO(out)))
    rows = [r for r in every if r["row"] == "recipient"]
    assert len(rows) == 15
    assert [r["row"] for r in every[15:]] == ["total"]
    assert every[-1]["amount"] == "3639500.00"
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("3639500.00")
    assert sum(Decimal(r["training"]) for r in rows) == Decimal("300000.00")
    assert sum(Decimal(r["action_plans"]) for r in rows) == Decimal("3339500.00")
    assert {r["training"] for r in rows} == {"20000.00"}


def test_allocate_with_incomplete_data_file_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    partial = tmp_path / "partial.csv"
    partial.write_text(DATA.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run(capsys, ["allocate", CYCLE_ID, "--data", str(partial)])
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert all(rid in err for rid in MISSING)


def test_allocate_indicator_set_what_if(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Two MADE-UP indicators weighted 3/4 and 1/4 via --set."""
    lines = ["id,name,population_2011,other_2011,source,reference_date,status,method"]
    template = run(capsys, ["allocate", CYCLE_ID, "--template"])[1]
    for i, row in enumerate(list(csv.reader(io.StringIO(template)))[1:]):
        lines.append(
            f'{row[0]},"{row[1]}",{100 + i},{15 - i},MADE-UP TEST DATA,2011-10-09,estimate,'
        )
    data = tmp_path / "two.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    weights = (
        'allocation.envelopes.action_plans.weights={population_2011 = "3/4", other_2011 = "1/4"}'
    )
    code, out, _err = run(
        capsys,
        ["allocate", CYCLE_ID, "--data", str(data), "--set", weights, "--format", "json"],
    )
    assert code == 0
    result = json.loads(out)
    assert result["what_if"] == [weights]
    assert sum(Decimal(s["amount"]) for s in result["shares"]) == Decimal("3639500.00")


def test_allocate_bad_override_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        capsys, ["allocate", CYCLE_ID, "--set", "allocation.envelopes.training.amount=0.5"]
    )
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith("conciliazione: error: ")


def test_allocate_in_a_fresh_process() -> None:
    """The installed command line, plugins found through their entry points, exit code 1."""
    completed = subprocess.run(
        [*PYTHON_CLI, "allocate", CYCLE_ID, "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 1
    assert completed.stderr == ""
    every = list(csv.DictReader(io.StringIO(completed.stdout)))
    rows = [r for r in every if r["row"] == "recipient"]
    assert [r["training"] for r in rows] == ["20000.00"] * 15
    assert {r["action_plans"] for r in rows} == {""}
