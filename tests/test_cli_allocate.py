"""`conciliazione allocate`: the template of missing indicator values, and --explain checks."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from conciliazione_core._indicators import parse_indicator_csv
from conciliazione_core.cli import main

MISSING_2014 = {
    "ASL-BRESCIA",
    "ASL-MILANO",
    "ASL-MILANO-1",
    "ASL-MILANO-2",
    "ASL-VALLECAMONICA-SEBINO",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_template_is_filled_where_the_shipped_data_has_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "allocate", "lombardia-2014", "--template")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 15
    blank = {r["id"] for r in rows if r["population_2011"] == ""}
    assert blank == MISSING_2014
    bergamo = next(r for r in rows if r["id"] == "ASL-BERGAMO")
    assert bergamo["population_2011"] == "1086277"
    assert bergamo["status"] == "official"
    assert bergamo["reference_date"] == "2011-10-09"


def test_a_filled_template_allocates_everything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, out, _ = run(capsys, "allocate", "lombardia-2014", "--template")
    lines = out.splitlines()
    filled = [lines[0]]
    for line in lines[1:]:
        row_id = line.split(",", 1)[0]
        if row_id in MISSING_2014:  # made-up test values, never shipped
            line = f"{row_id},{line.split(',')[1]},100000,test data,2011-10-09,estimate,made up,,"
        filled.append(line)
    data = tmp_path / "data.csv"
    data.write_text("\n".join(filled) + "\n", encoding="utf-8")
    table = parse_indicator_csv(data.read_text(encoding="utf-8"))
    assert len(table.rows) == 15
    code, out, err = run(
        capsys, "allocate", "lombardia-2014", "--data", str(data), "--format", "csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["row"] for r in rows] == ["recipient"] * 15 + ["total"]  # nothing pending
    total = sum(Decimal(r["amount"]) for r in rows if r["row"] != "total")
    assert total == Decimal(rows[-1]["amount"]) == Decimal("3639500.00")
    assert {r["status"] for r in rows if r["id"] in MISSING_2014} == {"estimate"}


def test_explain_of_an_unknown_recipient_fails_before_printing_anything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "allocate", "lombardia-2020", "--explain", "ATS-NOWHERE")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "--explain" in err
    assert "ATS-NOWHERE" in err
    assert "ATS-MONTAGNA" in err


@pytest.mark.parametrize("cycle", ["lombardia-2014", "lombardia-2017", "lombardia-2020"])
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_the_command_writes_in_pieces_what_dump_allocation_returns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cycle: str, fmt: str
) -> None:
    from conciliazione_core import allocate, dump_allocation, get_cycle
    from conciliazione_core.allocation import _render

    monkeypatch.setenv("COLUMNS", "72")
    # pieces of 3 lines (table) and 2 recipients (CSV), so that every output comes in several
    monkeypatch.setattr(_render, "_TABLE_LINES_PER_PIECE", 3)
    monkeypatch.setattr(_render, "_CSV_ROWS_PER_PIECE", 2)
    code, out, _ = run(capsys, "allocate", cycle, "--format", fmt)
    whole = get_cycle(cycle)
    expected = dump_allocation(allocate(whole, explain=False), fmt, cycle=whole, width=72)
    if fmt == "table":
        assert out.startswith(expected + "\n")  # then, for a pending envelope, the hint
        assert code == 0 or "--template" in out[len(expected) :]
    else:
        assert out == expected
