"""Cycles whose recipients are the rows of the indicator table (``recipients_from = "data"``).

A cycle that splits money among bodies, municipalities or alliances an office lists in a file
lists no recipients of its own: every door (the parameter file, the API, the command line, the
HTTP views, the diff, the audit, the conformance kit) reads them from the table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from conciliazione_core import InputError, allocate, get_cycle
from conciliazione_core._audit import PublishedAmount, PublishedTable, audit_cycle
from conciliazione_core._cycle import Cycle, Recipient, load_cycle
from conciliazione_core._diff import diff_cycles, render_diff
from conciliazione_core._indicators import IndicatorRow, IndicatorTable, parse_indicator_csv
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._views import cycle_to_json
from conciliazione_core.allocation import allocate as engine_allocate
from conciliazione_core.testing._conformance import check_allocation, check_parameters
from test_cli_allocate import run
from test_cycle import MINIMAL, load_problems, write

ROWS = """id,name,pop,source,reference_date,status,method
B-2,Comune di Bi,300,ISTAT,2019-01-01,official,
A-1,Comune di A,100,ISTAT,2019-01-01,estimate,projected
C-3,Comune di Ci,600,ISTAT,2019-01-01,official,
"""

DATA_CYCLE = (
    'recipients_from = "data"\n'
    + MINIMAL
    + """
[allocation]
total = "1000"
rounding = { strategy = "largest_remainder", unit = "1" }

[[allocation.envelopes]]
id = "towns"
kind = "proportional"
label = "By population"
amount = "1000"
indicator = "pop"
basis = "act"
"""
)


@pytest.fixture
def data_cycle(tmp_path: Path) -> Cycle:
    return load_cycle(write(tmp_path, DATA_CYCLE))


@pytest.fixture
def rows() -> IndicatorTable:
    return parse_indicator_csv(ROWS)


# ---- the parameter file ------------------------------------------------------------------------


def test_where_recipients_come_from(tmp_path: Path, data_cycle: Cycle) -> None:
    assert data_cycle.recipients_from == "data"
    assert data_cycle.recipients == ()
    level = load_cycle(write(tmp_path, MINIMAL))
    assert level.recipients_from == "level"
    assert len(level.recipients) == 8  # the ATS
    listed = load_cycle(write(tmp_path, 'recipients = [{ id = "X", name = "Ics" }]\n' + MINIMAL))
    assert listed.recipients_from == "list"
    assert [(r.id, r.name) for r in listed.recipients] == [("X", "Ics")]
    explicit = load_cycle(write(tmp_path, 'recipients_from = "level"\n' + MINIMAL))
    assert explicit.recipients == level.recipients


def test_a_list_and_recipients_from_together_are_refused(tmp_path: Path) -> None:
    text = 'recipients_from = "data"\nrecipients = [{ id = "X", name = "Ics" }]\n' + MINIMAL
    problems = load_problems(tmp_path, text)
    assert problems == [
        ("$.recipients_from", "give either a recipients list or recipients_from, not both")
    ]


def test_an_unknown_source_of_recipients_is_refused_with_its_path(tmp_path: Path) -> None:
    problems = load_problems(tmp_path, 'recipients_from = "table"\n' + MINIMAL)
    assert [path for path, _ in problems] == ["$.recipients_from"]
    assert "data" in problems[0][1]
    assert "level" in problems[0][1]


# ---- allocating among the table's rows ---------------------------------------------------------


def test_the_rows_of_the_table_are_the_recipients(data_cycle: Cycle, rows: IndicatorTable) -> None:
    result = allocate(data_cycle, rows)
    assert result.recipient_ids is rows.ids  # taken as they are, not copied
    assert result.recipient_names is rows.names
    assert dict(zip(result.recipient_ids, result.cents, strict=True)) == {
        "B-2": 30000,
        "A-1": 10000,
        "C-3": 60000,
    }
    assert sum(result.cents) == result.total.cents == 100000
    assert [n.recipient_id for n in result.non_official] == ["A-1"]
    assert [s.id for s in result.shares] == ["A-1", "B-2", "C-3"]  # listed by id
    assert result.status_values() == ["official", "estimate", "official"]
    # the same amounts as the cycle's rows given as a list of recipients
    listed = attrs.evolve(
        data_cycle,
        recipients_from="list",
        recipients=tuple(Recipient(*pair) for pair in data_cycle.recipients_for(rows)),
    )
    assert data_cycle.recipients_for(rows) == [
        ("B-2", "Comune di Bi"),
        ("A-1", "Comune di A"),
        ("C-3", "Comune di Ci"),
    ]
    assert data_cycle.recipients_for(None) == []
    assert allocate(listed, rows).cents == result.cents


def test_a_data_cycle_without_a_table_says_what_to_give(data_cycle: Cycle) -> None:
    with pytest.raises(InputError) as info:
        allocate(data_cycle)
    assert info.value.problems[0].path == "table"
    assert "takes its recipients from an indicator table" in info.value.problems[0].message


def test_explain_names_the_rows_of_the_table(data_cycle: Cycle, rows: IndicatorTable) -> None:
    assert allocate(data_cycle, rows, explain=["A-1"]).explain("A-1").amount == Money(10000)
    with pytest.raises(InputError) as info:
        allocate(data_cycle, rows, explain=["A-2"])
    problem = info.value.problems[0]
    assert problem.path == "explain"
    assert "'A-2' is not a recipient" in problem.message
    assert "A-1, B-2, C-3" not in problem.message  # in the table's order
    assert "B-2, A-1, C-3" in problem.message


def test_a_long_table_lists_only_some_recipients_in_an_error(data_cycle: Cycle) -> None:
    official = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
    many = IndicatorTable(
        ("pop",),
        [IndicatorRow(f"R{i:03d}", f"Row {i}", (("pop", 1),), official) for i in range(40)],
    )
    with pytest.raises(InputError) as info:
        allocate(data_cycle, many, explain=["nobody"])
    assert "R029 and 10 more" in info.value.problems[0].message
    assert "R030" not in info.value.problems[0].message


def test_the_engine_allocates_among_a_tables_rows() -> None:
    cycle = get_cycle("lombardia-2020")
    table = cycle.reference_table()
    assert cycle.allocation is not None
    assert table is not None
    pairs = [(r.id, r.name) for r in cycle.recipients]
    by_rows = engine_allocate(cycle.allocation, None, table)
    assert by_rows.recipient_ids is table.ids
    by_pairs = engine_allocate(cycle.allocation, pairs, table)
    assert {s.id: s.amount for s in by_rows.shares} == {s.id: s.amount for s in by_pairs.shares}
    with pytest.raises(InputError) as info:
        engine_allocate(cycle.allocation, None)
    assert [(p.path, p.message) for p in info.value.problems] == [
        (
            "recipients",
            "no recipients: give (id, name) pairs, or a table whose rows are the recipients",
        )
    ]


@pytest.mark.parametrize("wrong", [5, None, b"A"])
def test_a_table_holds_text_ids_and_names(wrong: object) -> None:
    official = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
    with pytest.raises(TypeError, match="a row id must be text"):
        IndicatorTable.from_columns(["pop"], ["A", wrong], ["a", "b"], [[1, 2]], [official], [0, 0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="a row name must be text"):
        IndicatorTable.from_columns(["pop"], ["A", "B"], ["a", wrong], [[1, 2]], [official], [0, 0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="a row id must be text"):
        IndicatorTable(("pop",), [IndicatorRow(wrong, "a", (("pop", 1),), official)])  # type: ignore[arg-type]


# ---- the other doors ---------------------------------------------------------------------------


def test_the_command_allocates_among_the_rows_of_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """lombardia-2020's allocation among the rows of a file, as a what-if."""
    data = tmp_path / "bodies.csv"
    data.write_text(
        "id,name,resident_2019_01_01,source,reference_date,status\n"
        "Z,Ente Zeta,1,test,2019-01-01,official\n"
        "Y,Ente Ypsilon,3,test,2019-01-01,official\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys,
        *("allocate", "lombardia-2020", "--set", "recipients_from=data"),
        *("--data", str(data), "--format", "csv"),
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    amounts = {r["id"]: Decimal(r["amount"]) for r in rows if r["row"] == "recipient"}
    assert amounts == {"Y": Decimal(2100000), "Z": Decimal(700000)}
    code, out, err = run(
        capsys, "allocate", "lombardia-2020", "--set", "recipients_from=data", "--format", "csv"
    )
    assert code == 0, err  # the shipped table's rows: the eight ATS
    shipped = [r["id"] for r in csv.DictReader(io.StringIO(out)) if r["row"] == "recipient"]
    assert len(shipped) == 8
    assert all(i.startswith("ATS-") for i in shipped)


def test_the_command_without_data_for_a_data_cycle_names_the_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run(
        capsys,
        *("allocate", "lombardia-2020", "--set", "recipients_from=data"),
        *("--set", "default_data=missing"),
    )
    assert code == 2
    assert out == ""
    assert "default_data" in err  # the what-if names a data file that does not exist


def test_views_diff_audit_and_conformance_know_data_cycles(
    data_cycle: Cycle, rows: IndicatorTable
) -> None:
    assert cycle_to_json(data_cycle)["recipients_from"] == "data"
    assert cycle_to_json(data_cycle)["recipients"] == []
    level = attrs.evolve(data_cycle, recipients_from="level")
    diff = render_diff(diff_cycles(level, data_cycle), width=200)
    assert "the indicator table's rows" in diff
    report = audit_cycle(
        data_cycle,
        PublishedTable((PublishedAmount("C-3", Money(60000)),)),
        data=[("rows", rows)],
    )
    assert {r.id: r.rule_amount for r in report.rows} == {
        "A-1": Money(10000),
        "B-2": Money(30000),
        "C-3": Money(60000),
    }
    assert check_parameters(data_cycle) == []
    assert check_allocation(data_cycle, max_examples=10) == []


def test_a_template_of_a_data_cycle_has_the_shipped_rows_or_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "allocate", "lombardia-2020", "--set", "recipients_from=data", "--template"
    )
    assert code == 0
    assert len(out.splitlines()) == 1 + 8  # the header, then the shipped table's rows
