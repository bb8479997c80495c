"""`conciliazione allocate lombardia-2020`: what `make demo` prints, and the JSON and CSV forms.

The rendering belongs to the allocation helper; these tests pin what this cycle needs from it:
the 8 ATS with their amounts, the retained line, the 80/20 split, the flags on derived
populations, the exact total, an explanation in words, and what-if runs marked as such."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conciliazione_core.cli import main

CYCLE_ID = "lombardia-2020"

EXPECTED = {
    "ATS-MILANO": 968_676,
    "ATS-INSUBRIA": 409_968,
    "ATS-MONTAGNA": 82_947,
    "ATS-BRIANZA": 337_126,
    "ATS-BERGAMO": 310_206,
    "ATS-BRESCIA": 324_500,
    "ATS-VALPADANA": 214_649,
    "ATS-PAVIA": 151_928,
}
#: 80% alliance projects / 20% system action of each ATS amount, to the cent (as the ATS calls
#: publish them; the ATS amounts themselves are whole euros).
SPLIT = {
    "ATS-MILANO": ("774940.80", "193735.20"),
    "ATS-INSUBRIA": ("327974.40", "81993.60"),
    "ATS-MONTAGNA": ("66357.60", "16589.40"),
    "ATS-BRIANZA": ("269700.80", "67425.20"),
    "ATS-BERGAMO": ("248164.80", "62041.20"),
    "ATS-BRESCIA": ("259600.00", "64900.00"),
    "ATS-VALPADANA": ("171719.20", "42929.80"),
    "ATS-PAVIA": ("121542.40", "30385.60"),
}
DERIVED = {"ATS-INSUBRIA", "ATS-MONTAGNA", "ATS-BRESCIA"}
WHAT_IF = ("allocation.envelopes.ats.amount=2900000", "allocation.envelopes.region.amount=100000")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["allocate", CYCLE_ID, *args])
    out, err = capsys.readouterr()
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, out, err


def grouped(euros: int) -> str:
    return f"{euros:,}"


def cents(text: str) -> int:
    whole, _dot, decimals = text.partition(".")
    return int(whole) * 100 + int(decimals)


def grouped_cents(text: str) -> str:
    """``"66357.60"`` as the table prints it: ``66,357.60``."""
    return f"{cents(text) // 100:,}.{cents(text) % 100:02d}"


def test_split_literals_add_up_and_are_exactly_80_20() -> None:
    for ats, (projects, system_action) in SPLIT.items():
        assert cents(projects) + cents(system_action) == 100 * EXPECTED[ats]
        assert cents(projects) == 80 * EXPECTED[ats]  # exact: 80% of whole euros, in cents


# ---- the table `make demo` prints ------------------------------------------------------------------


def test_demo_prints_the_eight_ats_table_and_explains_montagna(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one line per row and per note
    code, out, err = run(capsys, "--explain", "ATS-MONTAGNA")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    for ats, amount in EXPECTED.items():
        (line,) = [ln for ln in lines if re.match(rf"{ats}\*?\s", ln)]
        flagged = line.startswith(f"{ats}*")
        assert flagged is (ats in DERIVED), line
        assert grouped(amount) in line
        projects, system_action = SPLIT[ats]
        assert grouped_cents(projects) in line
        assert grouped_cents(system_action) in line
    retained = [ln for ln in lines if "Kept by the Region for harmonisation actions" in ln]
    assert any("200,000" in ln for ln in retained)
    (total,) = [ln for ln in lines if ln.startswith("TOTAL")]
    assert "3,000,000" in total
    assert "80%" in out
    assert "20%" in out
    # The derived populations are named with their method.
    for ats in DERIVED:
        assert any(ln.strip().startswith(f"{ats} derived") for ln in lines), ats
    # The explanation in words.
    assert "ATS della Montagna (ATS-MONTAGNA) receives €82,947" in out
    assert "298,032" in out
    assert "10,060,574" in out
    assert "€66,357.60" in out
    assert "€16,589.40" in out
    assert "derived" in out.split("ATS della Montagna (ATS-MONTAGNA) receives")[1]
    assert "WHAT-IF" not in out


# ---- JSON and CSV ---------------------------------------------------------------------------------------


def test_json_amounts_are_exact_strings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "json", "--explain", "ATS-MONTAGNA")
    assert code == 0
    data = json.loads(out)
    assert data["cycle"] == CYCLE_ID
    assert data["total"] == "3000000.00"
    assert data["what_if"] == []
    shares = {s["id"]: s for s in data["shares"]}
    assert {k: s["amount"] for k, s in shares.items()} == {
        k: f"{v}.00" for k, v in EXPECTED.items()
    }
    for ats, share in shares.items():
        (component,) = share["components"]
        parts = {p["id"]: p["amount"] for p in component["parts"]}
        assert parts == {"projects": SPLIT[ats][0], "system_action": SPLIT[ats][1]}
        assert share["status"] == ("derived" if ats in DERIVED else "official")
    assert [(r["id"], r["amount"]) for r in data["retained"]] == [("region", "200000.00")]
    assert {n["id"] for n in data["non_official"]} == DERIVED
    assert data["unallocated"] == "0.00"
    assert data["pending"] == []
    # The explanation goes to stderr so that stdout stays valid JSON.
    assert "ATS della Montagna (ATS-MONTAGNA) receives €82,947" in err


def test_csv_has_one_row_per_ats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--format", "csv")
    assert code == 0
    every = list(csv.DictReader(io.StringIO(out)))
    rows = [r for r in every if r["row"] == "recipient"]
    assert {r["id"]: r["amount"] for r in rows} == {k: f"{v}.00" for k, v in EXPECTED.items()}
    # The retained and total rows follow, so the amount column sums like the table.
    assert [(r["row"], r["id"], r["amount"]) for r in every[len(rows) :]] == [
        ("retained", "region", "200000.00"),
        ("total", "", "3000000.00"),
    ]
    for row in rows:
        assert row["ats.projects"] == SPLIT[row["id"]][0]
        assert row["ats.system_action"] == SPLIT[row["id"]][1]
        assert row["status"] == ("derived" if row["id"] in DERIVED else "official")


# ---- what-if and tranches ------------------------------------------------------------------------------


def test_a_what_if_is_marked_in_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, *(a for s in WHAT_IF for a in ("--set", s)))
    assert code == 0
    assert "WHAT-IF" in out
    for assignment in WHAT_IF:
        assert assignment in out
    assert "100,000" in out
    assert "3,000,000" in out


def test_a_what_if_is_marked_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--format", "json", *(a for s in WHAT_IF for a in ("--set", s)))
    assert code == 0
    data = json.loads(out)
    assert data["what_if"] == list(WHAT_IF)
    assert [r["amount"] for r in data["retained"]] == ["100000.00"]
    total = sum(int(s["amount"].removesuffix(".00")) for s in data["shares"])
    assert total == 2_900_000


def test_tranches_with_set(capsys: pytest.CaptureFixture[str]) -> None:
    tranches = '[{id="2020", share="8/28"}, {id="2021", share="10/28"}, {id="2022", share="10/28"}]'
    code, out, _err = run(
        capsys, "--format", "csv", "--set", f"allocation.envelopes.ats.tranches={tranches}"
    )
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    montagna = rows["ATS-MONTAGNA"]
    assert (montagna["ats.2020"], montagna["ats.2021"], montagna["ats.2022"]) == (
        "23699.00",
        "29624.00",
        "29624.00",
    )


def test_a_what_if_that_breaks_the_total_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--set", "allocation.envelopes.ats.amount=2900000")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "--set allocation.envelopes.ats.amount: " in err
    assert "allocation.total=3100000" in err


# ---- --data -------------------------------------------------------------------------------------------


def test_data_with_all_official_rows_flags_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib.resources import files

    text = files("lombardia_2020").joinpath("data/ats_population_2019.csv").read_text("utf-8")
    data = tmp_path / "population.csv"
    data.write_text(text.replace(",derived,", ",official,"), encoding="utf-8")
    code, out, _err = run(capsys, "--data", str(data), "--format", "json")
    assert code == 0
    parsed = json.loads(out)
    assert parsed["non_official"] == []
    assert {s["id"]: s["amount"] for s in parsed["shares"]} == {
        k: f"{v}.00" for k, v in EXPECTED.items()
    }


def test_data_missing_an_ats_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib.resources import files

    text = files("lombardia_2020").joinpath("data/ats_population_2019.csv").read_text("utf-8")
    data = tmp_path / "population.csv"
    data.write_text(
        "\n".join(ln for ln in text.splitlines() if not ln.startswith("ATS-PAVIA")) + "\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--data", str(data))
    assert code == 2
    assert out == ""
    assert "ATS-PAVIA" in err
    assert err.count("\n") == 1


def test_template_lists_the_eight_ats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--template")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "id",
        "name",
        "resident_2019_01_01",
        "source",
        "reference_date",
        "status",
        "method",
        "source_it",
        "method_it",
    ]
    assert sorted(r[0] for r in rows[1:]) == sorted(EXPECTED)


def test_explaining_an_unknown_ats_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--explain", "ATS-NOPE", "--format", "json")
    assert code == 2
    assert "ATS-NOPE" in err
    assert "ATS-MONTAGNA" in err  # the known ids are listed
