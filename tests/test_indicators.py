"""Indicator tables: exact values with provenance, read from CSV and JSON, every bad cell named."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import (
    IndicatorRow,
    IndicatorTable,
    indicator_template_csv,
    load_indicator_table,
    parse_indicator_csv,
    parse_indicator_json,
)
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._serialisation import Limits

HEADER = "id,name,pop,area,source,reference_date,status,method"
GOOD_CSV = (
    f"{HEADER}\n"
    "ATS-PAVIA,ATS di Pavia,545888,2968.6,ISTAT,2019-01-01,official,\n"
    'ATS-MONTAGNA,"ATS della Montagna",298032,6000,ISTAT,2019-01-01,derived,"split, by tranches"\n'
)


def problems(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in error.value.problems]


# ---- reading good tables -------------------------------------------------------------------------


def test_csv_values_are_exact_and_keep_provenance() -> None:
    table = parse_indicator_csv(GOOD_CSV, source="pop.csv")
    assert table.indicators == ("pop", "area")
    assert table.ids == ("ATS-PAVIA", "ATS-MONTAGNA")
    pavia = table.get("ATS-PAVIA")
    assert pavia is not None
    assert pavia.value("area") == Fraction(29686, 10)  # exact, not 2968.6000000000004
    assert pavia.value("pop") == 545888
    assert pavia.provenance == Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.OFFICIAL, None)
    montagna = table.get("ATS-MONTAGNA")
    assert montagna is not None
    assert montagna.provenance.method == "split, by tranches"
    assert table.non_official() == ("ATS-MONTAGNA",)
    assert table.get("ATS-NOWHERE") is None


def test_csv_method_column_is_optional_and_a_bom_is_ignored() -> None:
    text = "\ufeffid,name,pop,source,reference_date,status\nA,Alpha,1,src,2011-10-09,estimate\n"
    table = parse_indicator_csv(text)
    row = table.get("A")
    assert row is not None
    assert row.provenance.method is None
    assert row.provenance.status is DataStatus.ESTIMATE


def test_columns_as_integers_over_a_common_denominator() -> None:
    table = parse_indicator_csv(GOOD_CSV)
    assert table.column("area") == (Fraction(29686, 10), Fraction(6000))
    assert table.integer_column("area") == ((14843, 30000), 5)
    assert table.integer_column("pop") == ((545888, 298032), 1)
    with pytest.raises(KeyError, match="no indicator 'other'"):
        table.column("other")


def test_json_table_reads_strings_and_integers() -> None:
    data = {
        "indicators": ["pop", "area"],
        "rows": [
            {
                "id": "A",
                "name": "Alpha",
                "values": {"pop": 10, "area": "1.25"},
                "provenance": {
                    "source": "s",
                    "reference_date": "2019-01-01",
                    "status": "derived",
                    "method": "m",
                },
            }
        ],
    }
    for given in (data, json.dumps(data)):
        table = parse_indicator_json(given)
        row = table.get("A")
        assert row is not None
        assert row.values == (("pop", Fraction(10)), ("area", Fraction(5, 4)))
        assert row.provenance.status is DataStatus.DERIVED


def test_load_by_suffix(tmp_path: Path) -> None:
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(GOOD_CSV, encoding="utf-8")
    json_file = tmp_path / "t.json"
    json_file.write_text(
        json.dumps(
            {
                "indicators": ["pop"],
                "rows": [
                    {
                        "id": "A",
                        "name": "A",
                        "values": {"pop": "3"},
                        "provenance": {
                            "source": "s",
                            "reference_date": "2019-01-01",
                            "status": "official",
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert load_indicator_table(csv_file).ids == ("ATS-PAVIA", "ATS-MONTAGNA")
    assert load_indicator_table(json_file).indicators == ("pop",)
    with pytest.raises(InputError, match="no such file") as missing:
        load_indicator_table(tmp_path / "absent.csv")
    assert missing.value.source == str(tmp_path / "absent.csv")
    with pytest.raises(InputError, match=r"\.csv, \.xlsx or \.json"):
        load_indicator_table(tmp_path / "t.ods")


def test_errors_in_a_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA,Alpha,x,1,s,2019-01-01,official,\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_indicator_table(bad)
    assert error.value.source == str(bad)
    assert str(error.value).startswith(f"{bad}: row 2 (A), column pop")


# ---- every CSV error path ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("-5", "'-5' is negative"),
        ("NaN", "'NaN' is not a number (NaN)"),
        ("inf", "'inf' is infinite"),
        ("-Infinity", "'-Infinity' is infinite"),
        ("", "the cell is empty"),
        ("1,5.5", "'1,5.5' is not a number"),
    ],
)
def test_a_bad_value_names_row_id_and_column(cell: str, message: str) -> None:
    text = f"{HEADER}\nA,Alpha,1,1,s,2019-01-01,official,\nATS-PAVIA,Pavia,1,1,s,2019-01-01,official,\n"
    text += f'B,Beta,1,1,s,2019-01-01,official,\nATS-X,X,"{cell}",1,s,2019-01-01,official,\n'
    with pytest.raises(InputError) as error:
        parse_indicator_csv(text)
    (only,) = problems(error)
    assert only.startswith("row 5 (ATS-X), column pop: ")
    assert message in only


def test_the_example_message_of_the_issue() -> None:
    text = (
        "id,name,resident_2019_01_01,source,reference_date,status\n"
        "A,a,1,s,2019-01-01,official\nB,b,1,s,2019-01-01,official\n"
        "ATS-PAVIA,ATS di Pavia,abc,s,2019-01-01,official\n"
    )
    with pytest.raises(InputError) as error:
        parse_indicator_csv(text)
    assert problems(error) == [
        "row 4 (ATS-PAVIA), column resident_2019_01_01: 'abc' is not a number"
    ]


def test_every_problem_of_every_row_is_collected() -> None:
    text = (
        f"{HEADER}\n"
        "A,Alpha,1,1,s,2019-01-01,official,\n"
        "A,,x,-1,,01/13/2019,guessed,\n"
        ",Nameless,1,1,s,2019-01-01,official,\n"
        "C,Short,1\n"
    )
    with pytest.raises(InputError) as error:
        parse_indicator_csv(text, source="in.csv")
    assert problems(error) == [
        "row 3 (A), column id: duplicate id 'A' (first at row 2)",
        "row 3 (A), column name: the name is empty",
        "row 3 (A), column pop: 'x' is not a number",
        "row 3 (A), column area: '-1' is negative; indicator values must be zero or more",
        "row 3 (A), column source: the source is empty; say where the figures come from",
        "row 3 (A), column reference_date: '01/13/2019' puts the month first; write it as "
        "YYYY-MM-DD (2019-01-13) or day/month/year",
        "row 3 (A), column status: unknown status 'guessed'; write one of: official, derived, "
        "estimate",
        "row 4, column id: the id is empty",
        "row 5 (C): 3 cells, but the header has 8 columns",
    ]
    assert str(error.value).startswith("in.csv: row 3 (A), column id")
    assert "(and 8 more problems)" in str(error.value)


def test_empty_status_and_date_cells() -> None:
    text = f"{HEADER}\nA,Alpha,1,1,s,,,\n"
    with pytest.raises(InputError) as error:
        parse_indicator_csv(text)
    assert problems(error) == [
        "row 2 (A), column reference_date: the reference date is empty; write it as YYYY-MM-DD",
        "row 2 (A), column status: the status is empty; write one of: official, derived, estimate",
    ]


@pytest.mark.parametrize("text", ["", "\n\n", " , ,\n"])
def test_an_empty_file(text: str) -> None:
    with pytest.raises(InputError, match="the file is empty"):
        parse_indicator_csv(text)


def test_header_problems() -> None:
    with pytest.raises(InputError) as error:
        parse_indicator_csv("id,pop,pop,status\nA,1,1,official\n")
    assert problems(error) == [
        "row 1: missing required column(s): name, source, reference_date; the header must be "
        "id,name,<indicators>,source,reference_date,status[,method]",
        "row 1: duplicate column(s): pop",
    ]
    with pytest.raises(InputError, match="there is no indicator column"):
        parse_indicator_csv("id,name,source,reference_date,status\nA,a,s,2019-01-01,official\n")
    with pytest.raises(InputError, match="a column has no name"):
        parse_indicator_csv("id,name,,pop,source,reference_date,status\n")
    with pytest.raises(InputError, match="header but no data rows"):
        parse_indicator_csv(f"{HEADER}\n")


# ---- every JSON error path -----------------------------------------------------------------------


def row(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "A",
        "name": "Alpha",
        "values": {"pop": "1"},
        "provenance": {"source": "s", "reference_date": "2019-01-01", "status": "official"},
    }
    base.update(changes)
    return base


def test_json_floats_are_refused_with_advice() -> None:
    text = '{"indicators": ["pop"], "rows": [' + json.dumps(row()).replace('"1"', "1.5") + "]}"
    with pytest.raises(InputError) as error:
        parse_indicator_json(text)
    assert problems(error) == [
        "$.rows[0] (A).values.pop: 1.5 is a floating-point number, which is not exact; write it "
        'as a string, e.g. "1.5"'
    ]
    with pytest.raises(InputError, match="floating-point"):
        parse_indicator_json({"indicators": ["pop"], "rows": [row(values={"pop": 0.1})]})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"values": {"pop": "abc"}}, "$.rows[0] (A).values.pop: 'abc' is not a number"),
        ({"values": {"pop": -1}}, "$.rows[0] (A).values.pop: -1 is negative"),
        ({"values": {"pop": "NaN"}}, "$.rows[0] (A).values.pop: 'NaN' is not a number (NaN)"),
        ({"values": {"pop": "Infinity"}}, "$.rows[0] (A).values.pop: 'Infinity' is infinite"),
        ({"values": {"pop": True}}, "$.rows[0] (A).values.pop: expected a number, got a boolean"),
        ({"values": {"pop": None}}, "$.rows[0] (A).values.pop: expected a number, got NoneType"),
        ({"values": {}}, "$.rows[0] (A).values.pop: missing value"),
        ({"values": {"pop": "1", "zz": "2"}}, "$.rows[0] (A).values.zz: not one of the table's"),
        ({"values": [1]}, "$.rows[0] (A).values: expected an object"),
        ({"id": ""}, "$.rows[0].id: expected a non-empty string"),
        ({"name": 3}, "$.rows[0] (A).name: expected a non-empty string"),
        ({"extra": 1}, "$.rows[0] (A).extra: unknown key"),
        (
            {"provenance": {"source": "s", "reference_date": "2019-13-01", "status": "official"}},
            "$.rows[0] (A).provenance.reference_date: '2019-13-01' is not a date",
        ),
        (
            {"provenance": {"source": "s", "reference_date": "2019-01-01", "status": "sure"}},
            "$.rows[0] (A).provenance.status: unknown status 'sure'",
        ),
        (
            {"provenance": {"source": "s", "reference_date": "2019-01-01"}},
            "$.rows[0] (A).provenance.status: missing",
        ),
        (
            {"provenance": {"source": " ", "reference_date": "2019-01-01", "status": "official"}},
            "$.rows[0] (A).provenance.source: the source is empty",
        ),
        (
            {"provenance": {"source": "s", "reference_date": 2019, "status": "official"}},
            "$.rows[0] (A).provenance.reference_date: expected a string",
        ),
        (
            {
                "provenance": {
                    "source": "s",
                    "reference_date": "2019-01-01",
                    "status": "official",
                    "x": 1,
                }
            },
            "$.rows[0] (A).provenance.x: unknown key",
        ),
        ({"provenance": "ISTAT"}, "$.rows[0] (A).provenance: expected an object"),
    ],
)
def test_json_row_errors(changes: dict[str, object], expected: str) -> None:
    with pytest.raises(InputError) as error:
        parse_indicator_json({"indicators": ["pop"], "rows": [row(**changes)]})
    assert any(p.startswith(expected) for p in problems(error)), problems(error)


def test_json_document_errors() -> None:
    with pytest.raises(InputError, match="the file is empty"):
        parse_indicator_json("  ")
    with pytest.raises(InputError, match="not valid JSON"):
        parse_indicator_json("{")
    with pytest.raises(InputError, match="expected an object"):
        parse_indicator_json("[]")
    with pytest.raises(InputError) as error:
        parse_indicator_json({"indicators": [], "rows": [], "other": 1})
    assert problems(error) == [
        "$.other: unknown key",
        "$.indicators: expected a non-empty list of indicator names",
        "$.rows: expected a non-empty list of rows",
    ]
    with pytest.raises(InputError, match="must be unique"):
        parse_indicator_json({"indicators": ["a", "a"], "rows": [row()]})
    with pytest.raises(InputError, match="duplicate id 'A'"):
        parse_indicator_json({"indicators": ["pop"], "rows": [row(), row()]})
    with pytest.raises(InputError, match=r"\$\.rows\[0\]: expected an object"):
        parse_indicator_json({"indicators": ["pop"], "rows": ["A"]})


# ---- the classes themselves ----------------------------------------------------------------------

PROV = Provenance("s", dt.date(2019, 1, 1), DataStatus.OFFICIAL)


def test_rows_refuse_floats_and_negatives() -> None:
    with pytest.raises(TypeError, match="int or a Fraction"):
        IndicatorRow("A", "A", (("pop", 0.5),), PROV)
    with pytest.raises(TypeError, match="int or a Fraction"):
        IndicatorRow("A", "A", {"pop": True}, PROV)
    with pytest.raises(ValueError, match="negative"):
        IndicatorRow("A", "A", {"pop": -1}, PROV)
    assert IndicatorRow("A", "A", {"pop": 2}, PROV).values == (("pop", Fraction(2)),)
    with pytest.raises(KeyError, match="has no indicator 'area'"):
        IndicatorRow("A", "A", {"pop": 2}, PROV).value("area")


def test_tables_refuse_duplicate_ids_and_mismatched_rows() -> None:
    a = IndicatorRow("A", "A", {"pop": 1}, PROV)
    with pytest.raises(ValueError, match="duplicate row id"):
        IndicatorTable(("pop",), (a, a))
    with pytest.raises(ValueError, match="has indicators"):
        IndicatorTable(("pop", "area"), (a,))


# ---- the template a policy officer fills in ------------------------------------------------------


def test_template_lists_every_recipient_with_empty_cells_to_fill() -> None:
    text = indicator_template_csv(
        [("ATS-PAVIA", "ATS di Pavia"), ("B", "Name, with comma")], ["pop", "area"]
    )
    assert text == (
        "id,name,pop,area,source,reference_date,status,method\n"
        "ATS-PAVIA,ATS di Pavia,,,,,,\n"
        'B,"Name, with comma",,,,,,\n'
    )
    # Passed back unfilled, every empty cell is named.
    with pytest.raises(InputError) as error:
        parse_indicator_csv(text)
    assert "row 2 (ATS-PAVIA), column pop: the cell is empty" in problems(error)
    assert len(problems(error)) == 2 * 5
    # Filled in, it is a table.
    filled = text.replace("ATS di Pavia,,,,,,", "ATS di Pavia,1,2,ISTAT,2019-01-01,official,")
    filled = filled.replace('comma",,,,,,', 'comma",3,4,ISTAT,2019-01-01,estimate,guess')
    assert parse_indicator_csv(filled).non_official() == ("B",)


def test_template_refuses_reserved_names() -> None:
    with pytest.raises(InputError, match="reserved column name"):
        indicator_template_csv([("A", "a")], ["status"])


# ---- hostile input is refused quickly and cleanly --------------------------------------------

SHORT_HEADER = "id,name,p,source,reference_date,status\n"


def json_table(values: str) -> str:
    return (
        '{"indicators": ["p"], "rows": [{"id": "A", "name": "a", "values": ' + values + ", "
        '"provenance": {"source": "s", "reference_date": "2020-01-01", "status": "official"}}]}'
    )


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        # Decimal("1e999999999") is exact: building its integer would take forever.
        (
            parse_indicator_csv,
            SHORT_HEADER + "A,a,1e999999999,s,2020-01-01,official\n",
            "row 2 (A), column p: '1e999999999' is not a number",
        ),
        (
            parse_indicator_csv,
            SHORT_HEADER + "A,a,1e3,s,2020-01-01,official\n",
            "row 2 (A), column p: '1e3' is not a number",
        ),
        (
            parse_indicator_csv,
            SHORT_HEADER + "A,a,١٢٣,s,2020-01-01,official\n",
            "row 2 (A), column p: '١٢٣' is not a number",
        ),
        (
            parse_indicator_csv,
            SHORT_HEADER + "A,a," + "9" * 41 + ",s,2020-01-01,official\n",
            "row 2 (A), column p: '99999999999999999999…' is longer than 40 characters",
        ),
        (
            parse_indicator_csv,
            SHORT_HEADER + "A," + "a" * 140_000 + ",1,s,2020-01-01,official\n",
            "row 2: a cell is longer than 131,072 characters",
        ),
        (
            parse_indicator_json,
            json_table('{"p": "1e999999999"}'),
            "$.rows[0] (A).values.p: '1e999999999' is not a number",
        ),
        (
            parse_indicator_json,
            json_table('{"p": ' + "9" * 5000 + "}"),
            "$: a number is longer than 4,300 digits",
        ),
        (
            parse_indicator_json,
            json_table('{"p": ' + "9" * 45 + "}"),
            "$.rows[0] (A).values.p: the number is too large for an indicator value",
        ),
        (
            parse_indicator_json,
            "[" * 100_000 + "]" * 100_000,
            "$: nested deeper than the limit of 64 levels",
        ),
        (
            parse_indicator_json,
            json_table('{"p": "1", "p": "2"}'),
            "$: duplicate key 'p' in the same object",
        ),
    ],
    ids=[
        "huge-exponent",
        "exponent",
        "arabic-digits",
        "long-number",
        "long-cell",
        "json-huge-exponent",
        "json-long-integer",
        "json-large-integer",
        "json-deep",
        "json-duplicate-key",
    ],
)
def test_hostile_values_are_refused(parse: Any, text: str, expected: str) -> None:
    with pytest.raises(InputError) as error:
        parse(text)
    assert problems(error)[0].startswith(expected), problems(error)


def test_a_bare_carriage_return_is_a_line_break() -> None:
    """Old Mac line ends: the row is cut short and said so, not a crash of the CSV reader."""
    with pytest.raises(InputError) as error:
        parse_indicator_csv(SHORT_HEADER + "A,a\r1,s,2020-01-01,official\n")
    assert problems(error)[0] == "row 2 (A): 2 cells, but the header has 6 columns"


def test_quoted_line_breaks_keep_spreadsheet_row_numbers() -> None:
    text = SHORT_HEADER + 'A,"two\nlines",1,s,2020-01-01,official\nB,b,x,s,2020-01-01,official\n'
    with pytest.raises(InputError) as error:
        parse_indicator_csv(text)
    assert problems(error) == ["row 3 (B), column p: 'x' is not a number"]


def test_size_limits(tmp_path: Path) -> None:
    small = Limits(max_bytes=100)
    text = GOOD_CSV
    assert len(text) > 100
    with pytest.raises(InputError, match="over the limit of 100"):
        parse_indicator_csv(text, limits=small)
    with pytest.raises(InputError, match="over the limit of 100"):
        parse_indicator_json(json_table('{"p": "1"}') + " " * 100, limits=small)
    file = tmp_path / "t.csv"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"the file is \d+ bytes, over the limit of 100") as error:
        load_indicator_table(file, limits=small)
    assert error.value.source == str(file)
    assert load_indicator_table(file).ids == ("ATS-PAVIA", "ATS-MONTAGNA")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        load_indicator_table(folder)


def test_indicator_json_honours_the_configured_nesting_limit() -> None:
    from conciliazione_core._serialisation import Limits

    text = json.dumps({"indicators": ["p"], "rows": [{"id": "A", "values": {"p": [[["1"]]]}}]})
    with pytest.raises(InputError) as info:
        parse_indicator_json(text, limits=Limits(max_depth=4))
    assert info.value.problems[0].message == "nested deeper than the limit of 4 levels"
    assert info.value.problems[0].path.startswith("$.rows[0]")


def test_a_table_shares_the_strings_of_the_recipients_it_was_read_for() -> None:
    table = parse_indicator_csv(
        "id,name,pop,source,reference_date,status\n"
        "A,Alpha,10,ISTAT,2019-01-01,official\n"
        "B,Beta,1.5,ISTAT,2019-01-01,estimate\n"
    )
    ids = tuple("".join(c) for c in (["A"], ["B"]))  # equal strings, other objects
    names = tuple("".join(c) for c in (["Alp", "ha"], ["Be", "ta"]))
    shared = table.sharing(ids, names)
    assert shared == table
    assert shared.rows == table.rows
    assert all(a is b for a, b in zip(shared.ids, ids, strict=True))
    assert all(a is b for a, b in zip(shared.names, names, strict=True))
    # names that differ are the table's own; ids in another order leave the table as it is
    renamed = table.sharing(ids, ("Other", "Names"))
    assert renamed.names == ("Alpha", "Beta")
    assert renamed.ids is ids
    assert table.sharing(ids[::-1], names[::-1]) is table
    assert table.sharing(ids[:1], names[:1]) is table
