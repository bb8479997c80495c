"""Indicator tables as Italian offices export them, and as Excel workbooks: accepted when
unambiguous, refused with the cell and what would settle it otherwise (issue 14.1)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core import InputError
from conciliazione_core._indicators import (
    IndicatorTable,
    indicator_template_xlsx,
    load_indicator_table,
    parse_indicator_csv,
)
from conciliazione_core._numbers import plain_text
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.cli import main

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["id", "name", "pop", "source", "reference_date", "status", "method"]


def table_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    return buffer.getvalue()


def row(rid: str, pop: str, date: str = "2019-01-01") -> list[str]:
    return [rid, f"Name {rid}", pop, "ISTAT", date, "official", ""]


def messages(info: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in info.value.problems]


# ---- the grammar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "comma", "point"),
    [
        ("298.032", "298032", "298.032"),
        ("1.234.567,5", "1234567.5", None),
        ("1,234,567.5", None, "1234567.5"),
        ("0,5", "0.5", None),
        ("0.125", None, "0.125"),  # a group never starts with 0
        ("12.5", None, "12.5"),
        ("1234.567", None, "1234.567"),  # the first group has at most three digits
        ("298032", "298032", "298032"),
        ("1.2.3", None, None),
        ("1..234", None, None),
    ],
)
def test_the_two_conventions_of_the_number_grammar(
    text: str, comma: str | None, point: str | None
) -> None:
    assert plain_text(text, ",") == comma
    assert plain_text(text, ".") == point


# ---- the Montagna reproducer ---------------------------------------------------------------------


def test_montagna_298_032_is_never_read_as_298_point_032(tmp_path: Path) -> None:
    """The issue's reproducer: Montagna's 298.032 residents gave it €86 with exit 0."""
    text = table_text([row("ATS-PAVIA", "545888"), row("ATS-MONTAGNA", "298.032")])
    with pytest.raises(InputError) as info:
        parse_indicator_csv(text, source="ats.csv")
    assert messages(info) == [
        "row 3 (ATS-MONTAGNA), column pop: '298.032' is ambiguous: 298032 if '.' separates "
        "thousands, 298.032 if it is the decimal mark, and no other value of the file says "
        "which; write 298032 for the first, 298.0320 for the second, or save the file with ';' "
        "between columns (then ',' is the decimal mark and '.' separates thousands)"
    ]
    italian = table_text([row("ATS-PAVIA", "545.888"), row("ATS-MONTAGNA", "298.032")], ";")
    assert parse_indicator_csv(italian).integer_column("pop") == ((545888, 298032), 1)


def test_the_cli_gives_montagna_its_82947_from_an_italian_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["allocate", "lombardia-2020", "--template"])
    template = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    italian = tmp_path / "ats.csv"
    with italian.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(template[0])
        for cells in template[1:]:
            cells[2] = f"{int(cells[2]):,}".replace(",", ".")
            year, month, day = cells[4].split("-")
            cells[4] = f"{day}/{month}/{year}"
            writer.writerow(cells)
    assert "Città" in italian.read_bytes().decode("cp1252")
    with pytest.raises(SystemExit) as done:
        main(["allocate", "lombardia-2020", "--data", str(italian), "--format", "csv"])
    assert done.value.code in (0, None)
    lines = {r[1]: r for r in csv.reader(io.StringIO(capsys.readouterr().out))}
    assert lines["ATS-MONTAGNA"][-2] == "82947.00"
    assert lines["ATS-MILANO"][2] == "ATS della Città Metropolitana di Milano"


# ---- numbers: the delimiter and the cells settle the convention -----------------------------------


def test_semicolon_files_have_decimal_commas() -> None:
    text = table_text([row("A", "1.234,5"), row("B", "0,25"), row("C", "7")], ";")
    table = parse_indicator_csv(text)
    assert table.column("pop") == (Fraction(2469, 2), Fraction(1, 4), Fraction(7))


def test_a_decimal_point_in_a_semicolon_file_is_refused_with_the_fix() -> None:
    text = table_text([row("A", "12.5")], ";")
    with pytest.raises(InputError) as info:
        parse_indicator_csv(text)
    assert messages(info) == [
        "row 2 (A), column pop: '12.5' is not a number where ',' is the decimal mark and the "
        "other mark separates thousands in groups of three, as in this file (the columns are "
        "separated by ';'); write 12,5"
    ]


def test_a_value_that_reads_one_way_settles_the_file() -> None:
    english = table_text([row("A", "0.25"), row("B", "298.032")])
    assert parse_indicator_csv(english).column("pop")[1] == Fraction("298.032")
    italian = table_text([row("A", "298.032"), row("B", "0,5")])
    assert parse_indicator_csv(italian).column("pop") == (298032, Fraction(1, 2))


def test_two_conventions_in_one_file_are_refused_naming_the_first() -> None:
    text = table_text([row("A", "0,5"), row("B", "2"), row("C", "12.5")])
    with pytest.raises(InputError) as info:
        parse_indicator_csv(text)
    assert messages(info) == [
        "row 4 (C), column pop: '12.5' is not a number where ',' is the decimal mark and the "
        "other mark separates thousands in groups of three, as in this file (row 2, column pop "
        "has '0,5'); write 12,5"
    ]


def test_a_comma_grouping_in_a_comma_file_is_ambiguous_too() -> None:
    with pytest.raises(InputError, match=r"'1,234' is ambiguous: 1234 if ',' separates"):
        parse_indicator_csv(table_text([row("A", "1,234")]))


def test_the_settling_cell_may_come_after_the_first_chunk() -> None:
    """The streaming reader settles by chunks; an ambiguous value before the settling one
    is read by the careful reader, which settles on the whole file first."""
    rows = [row(f"R{i:05d}", "1.500") for i in range(5000)] + [row("Z", "0.5")]
    table = parse_indicator_csv(table_text(rows))
    assert table.column("pop")[0] == Fraction(3, 2)


# ---- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "delimiter", "expected"),
    [
        (["31/12/2019"], ",", dt.date(2019, 12, 31)),
        (["01/01/2019"], ",", dt.date(2019, 1, 1)),
        (["1/2/2019"], ";", dt.date(2019, 2, 1)),
        (["01/02/2019", "13/02/2019"], ",", dt.date(2019, 2, 1)),
    ],
)
def test_day_first_dates_when_unambiguous(
    cells: list[str], delimiter: str, expected: dt.date
) -> None:
    rows = [row(f"R{i}", "1", date) for i, date in enumerate(cells)]
    table = parse_indicator_csv(table_text(rows, delimiter))
    assert table.row(0).provenance.reference_date == expected


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (
            "01/02/2019",
            "'01/02/2019' is ambiguous: 2019-02-01 if the day comes first (as in Italy), "
            "2019-01-02 if the month does, and nothing in the file says which; write it as "
            "YYYY-MM-DD",
        ),
        (
            "12/31/2019",
            "'12/31/2019' puts the month first; write it as YYYY-MM-DD (2019-12-31) or "
            "day/month/year",
        ),
        ("31/02/2019", "'31/02/2019' is not a date; write it as YYYY-MM-DD"),
        ("01/01/19", "'01/01/19' is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_dates_that_are_not_settled_are_refused(date: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_indicator_csv(table_text([row("A", "1", date)]))
    assert messages(info) == [f"row 2 (A), column reference_date: {message}"]


# ---- encodings and separators ---------------------------------------------------------------------


def test_windows_1252_and_bom_and_tabs(tmp_path: Path) -> None:
    text = table_text([row("A", "1")]).replace("Name A", "Città di Cantù €")
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(text.encode("cp1252"))
    assert load_indicator_table(legacy).names == ("Città di Cantù €",)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + table_text([row("A", "1")], ";").encode())
    assert load_indicator_table(bom).ids == ("A",)
    tabs = tmp_path / "tabs.csv"
    tabs.write_text(table_text([row("A", "2")], "\t"), encoding="utf-8")
    assert load_indicator_table(tabs).column("pop") == (2,)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfei\x00d\x00", "the file is UTF-16 text"),
        (b"\xef\xbb\xbfid,\x81", "the file starts as UTF-8 text but is not UTF-8 (byte 3)"),
        (b"id,name\x81", "neither UTF-8 nor Windows-1252 text (byte 0x81 at 7)"),
        (b"id,\xa4", "its byte 0xA4 is '\xa4' in Windows-1252 but another letter"),
    ],
    ids=["utf-16", "bad-utf-8-bom", "not-cp1252", "latin-9"],
)
def test_encodings_that_cannot_be_told_are_refused(
    tmp_path: Path, raw: bytes, message: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_indicator_table(path)


# ---- an Italian export reads back to the same table ------------------------------------------------


def italian(value: Fraction) -> str:
    """``value`` as an Italian office's Excel writes it: '.' between thousands, ',' decimal."""
    text = str(Decimal(value.numerator) / Decimal(value.denominator))
    whole, _dot, decimals = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{decimals}" if decimals else grouped


values = st.one_of(
    st.integers(0, 10**15).map(Fraction),
    st.builds(Fraction, st.integers(0, 10**12), st.sampled_from([2, 4, 5, 8, 10, 100, 1000])),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(values, min_size=1, max_size=20),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
)
def test_an_italian_export_reads_back_to_the_same_table(
    numbers: list[Fraction], date: dt.date
) -> None:
    ids = [f"R{i}" for i in range(len(numbers))]
    provenance = Provenance("ISTAT", date, DataStatus.OFFICIAL)
    table = IndicatorTable.from_columns(["pop"], ids, ids, [numbers], [provenance], [0] * len(ids))
    rows = [
        [rid, rid, italian(v), "ISTAT", date.strftime("%d/%m/%Y"), "official", ""]
        for rid, v in zip(ids, numbers, strict=True)
    ]
    exported = table_text(rows, ";").encode("cp1252")
    assert parse_indicator_csv(exported.decode("cp1252")) == table


# ---- xlsx ----------------------------------------------------------------------------------------


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for cells in rows:
        sheet.append(cells)
    book.save(path)
    return path


def test_xlsx_numbers_and_dates_are_read_exactly(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["A", "Alpha", 298032, "ISTAT", dt.datetime(2019, 1, 1), "official", None],
            ["B", "Beta", 12.0, "ISTAT", "31/12/2019", "estimate", "guess"],
            ["C", "Gamma", "0,5", "ISTAT", dt.date(2019, 1, 1), "official"],
        ],
    )
    table = load_indicator_table(path)
    assert table.column("pop") == (298032, 12, Fraction(1, 2))
    assert table.row(1).provenance.reference_date == dt.date(2019, 12, 31)
    assert table.non_official() == ("B",)


def test_xlsx_fractional_floats_are_refused_with_every_other_problem(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["A", "Alpha", 2968.6, "ISTAT", "2019-01-01", "official"],
            ["B", "", 1, "ISTAT", "2019-01-01", "official"],
        ],
    )
    with pytest.raises(InputError) as info:
        load_indicator_table(path)
    assert info.value.source == str(path)
    assert messages(info) == [
        "row 2 (A), column pop: 2968.6 is a number with a fraction, which Excel keeps as a "
        "binary float, not exactly; write it as text (format the cell as Text, or type "
        "'2968.6) or as an integer",
        "row 3 (B), column name: the name is empty",
    ]


def test_a_float_id_is_refused_too(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx", [HEADER, [1.5, "Alpha", 1, "ISTAT", "2019-01-01", "official"]]
    )
    with pytest.raises(InputError, match=r"row 2, column id: 1.5 is a number with a fraction"):
        load_indicator_table(path)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 200_000_000 + b">")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match=r"the workbook expands to 200,000,002 bytes, over"):
        load_indicator_table(path)


def test_an_xlsx_with_too_many_cells_for_its_size_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        [HEADER, *([f"R{i}", "n", i, "s", "2019-01-01", "official"] for i in range(3000))],
    )
    small = path.stat().st_size
    assert load_indicator_table(path).ids[-1] == "R2999"  # within the budget as it is
    from conciliazione_core import _xlsx

    monkeypatch.setattr(_xlsx, "_CELL_COST", 10**6)  # a budget of about 40 cells
    with pytest.raises(InputError, match=r"row \d+: the sheet has more than \d+ cells"):
        load_indicator_table(path)
    assert small < 100_000


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a zip", "not an .xlsx workbook"), (None, "not a readable .xlsx workbook")],
)
def test_an_xlsx_that_is_not_a_workbook(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "t.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_indicator_table(path)


def test_without_openpyxl_reading_names_the_extra_and_writing_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    path = workbook(tmp_path / "t.xlsx", [HEADER, ["A", "a", 1, "s", "2019-01-01", "official"]])
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError, match=r"pip install 'conciliazione-core\[xlsx\]'"):
        load_indicator_table(path)
    written = indicator_template_xlsx([("A", "Al\x01pha & <co>")], ["pop"])
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "Al_x0001_pha &amp; &lt;co&gt;" in sheet


def _invoke(args: list[str]) -> tuple[int, bytes, str]:
    from click.testing import CliRunner

    from conciliazione_core.cli import cli

    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout_bytes, result.stderr


def test_xlsx_round_trip_template_fill_allocate(tmp_path: Path) -> None:
    """The officer's path: --template --format xlsx, fill it in Excel, allocate from it."""
    code, data, _err = _invoke(["allocate", "lombardia-2020", "--template", "--format", "xlsx"])
    assert code == 0
    template = tmp_path / "template.xlsx"
    template.write_bytes(data)
    book = openpyxl.load_workbook(template)
    sheet = book.active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]][:3] == ["id", "name", "resident_2019_01_01"]
    assert len(rows) == 9  # a header and the 8 ATS
    for cells in rows[1:]:
        cells[2].value = int(cells[2].value)  # as typed in Excel: numbers, not text
    book.save(template)

    code, data, _err = _invoke(
        ["allocate", "lombardia-2020", "--data", str(template), "--format", "xlsx"]
    )
    assert code == 0
    result = openpyxl.load_workbook(io.BytesIO(data)).active
    table = [[c.value for c in r] for r in result.iter_rows()]
    assert table[0][:3] == ["row", "id", "name"]  # the columns of --format csv
    amounts = {r[1]: r[-2] for r in table[1:] if r[0] == "recipient"}
    assert amounts["ATS-MONTAGNA"] == 82947
    recipients = [r[-2] for r in table[1:] if r[0] == "recipient"]
    others = [r[-2] for r in table[1:] if r[0] not in ("recipient", "total")]
    assert table[-1][0] == "total"
    assert sum(recipients) + sum(others) == table[-1][-2] == 3_000_000
    assert isinstance(table[-1][-2], (int, float))


def test_xlsx_amounts_are_exact_decimals_in_the_file() -> None:
    code, data, _err = _invoke(["allocate", "lombardia-2020", "--format", "xlsx"])
    assert code == 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>66357.60</v>" in sheet  # Montagna's 80%, as written, not a binary float


def test_xlsx_is_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from conciliazione_core.cli import _allocate

    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(_allocate, "_binary_stdout", Terminal)
    code, _data, err = _invoke(["allocate", "lombardia-2020", "--format", "xlsx"])
    assert code == 2
    assert "writes a workbook: redirect it to a file" in err


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_the_command_skips_explanations_where_its_output_has_none(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Explanations are built only for --format json; the other outputs are unchanged."""
    import conciliazione_core as cc

    monkeypatch.setenv("COLUMNS", "80")

    code, data, _err = _invoke(["allocate", "lombardia-2020", "--format", fmt])
    assert code == 0
    explained = cc.allocate("lombardia-2020", explain=True)
    expected = cc.dump_allocation(
        explained,
        fmt,
        cycle=cc.get_cycle("lombardia-2020") if fmt == "table" else None,
        width=80 if fmt == "table" else None,
    )
    assert data.decode().startswith(expected)


def test_a_damaged_sheet_is_an_input_error(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", [HEADER, ["A", "a", 1, "s", "2019-01-01", "official"]])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the rows
            target.writestr(item, data)
    with pytest.raises(InputError, match=r"not a readable \.xlsx workbook") as info:
        load_indicator_table(damaged)
    assert info.value.source == str(damaged)


# ---- the streaming reader and the careful one agree on every convention ---------------------------

italian_cells = st.sampled_from(
    ["298.032", "1.234.567", "0,5", "1.234,5", "12.5", "0.25", "1,234", "1,234,567.5", "7", "12"]
)
date_cells = st.sampled_from(["2019-01-01", "01/01/2019", "31/12/2019", "01/02/2019", "12/31/2019"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(italian_cells, date_cells), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t"]),
)
def test_the_streaming_reader_reads_what_the_careful_reader_reads(
    cells: list[tuple[str, str]], delimiter: str
) -> None:
    """Same table or the same refusal, whatever the conventions the cells settle or mix."""
    from conciliazione_core._indicators import _careful_csv

    text = table_text([row(f"R{i}", v, d) for i, (v, d) in enumerate(cells)], delimiter)
    try:
        reference: IndicatorTable | str = _careful_csv(text, None)
    except InputError as refused:
        reference = str(refused)
    if isinstance(reference, str):
        with pytest.raises(InputError) as info:
            parse_indicator_csv(text)
        assert str(info.value) == reference
    else:
        assert parse_indicator_csv(text) == reference


@settings(max_examples=20, deadline=None)
@given(st.lists(values, min_size=1, max_size=8))
def test_an_italian_export_file_streams_to_the_same_table(numbers: list[Fraction]) -> None:
    import tempfile

    ids = [f"Comunità {i}" for i in range(len(numbers))]
    provenance = Provenance("ISTAT", dt.date(2019, 1, 31), DataStatus.OFFICIAL)
    table = IndicatorTable.from_columns(["pop"], ids, ids, [numbers], [provenance], [0] * len(ids))
    rows = [
        [rid, rid, italian(v), "ISTAT", "31/01/2019", "official", ""]
        for rid, v in zip(ids, numbers, strict=True)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(table_text(rows, ";").encode("cp1252"))
        assert load_indicator_table(path) == table


def test_a_semicolon_header_missing_a_column_is_named_as_such() -> None:
    with pytest.raises(InputError) as info:
        parse_indicator_csv("id;name;pop;source;status\nA;a;1;s;official\n")
    assert messages(info)[0].startswith(
        "row 1: missing required column(s): reference_date; the header must be"
    )


def test_an_xlsx_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"p{i}", b"")
    with pytest.raises(InputError, match="the workbook has 10,001 parts, more than 10,000"):
        load_indicator_table(path)


def test_xlsx_allocation_has_the_pending_lines_and_adds_up() -> None:
    """lombardia-2014 ships data for part of its envelopes only: pending rows, exit 1."""
    code, data, _err = _invoke(["allocate", "lombardia-2014", "--format", "xlsx"])
    assert code == 1
    rows = [
        [c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()
    ]
    pending = [r for r in rows if r[0] == "pending"]
    assert pending
    total = rows[-1]
    assert total[0] == "total"
    others = [r[-2] for r in rows[1:-1] if r[-2] is not None]
    assert sum(Decimal(str(v)) for v in others) == Decimal(str(total[-2]))


# ---- the xlsx door under a memory limit (issue 15.1) ----------------------------------------------

_CHILD_LIMIT = 512 * 2**20


def _limited() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (_CHILD_LIMIT, _CHILD_LIMIT))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="POSIX devices")
@pytest.mark.parametrize("kind", ["bomb", "/dev/zero"])
def test_the_xlsx_door_refuses_in_bounded_memory_and_time(tmp_path: Path, kind: str) -> None:
    """A zip bomb of 256 MiB of sheet XML, and /dev/zero named .xlsx, in a child limited to
    512 MiB of address space: each refused with one line, no traceback, no memory error."""
    import os
    import subprocess
    import sys

    if kind == "bomb":
        path = tmp_path / "bomb.xlsx"
        with (
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part,
        ):
            block = b"<c/>" * 2**18
            for _ in range(256):
                part.write(block)
        expected = "the workbook expands to"
    else:
        path = tmp_path / "zero.xlsx"
        path.symlink_to("/dev/zero")
        expected = "is a character device, not a file"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conciliazione_core",
            "allocate",
            "lombardia-2020",
            "--data",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited,
        env={**os.environ, "LANGUAGE": "en", "OPENBLAS_NUM_THREADS": "1"},
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert expected in done.stderr


# ---- a million problems are counted, not kept --------------------------------------------------------


def test_problems_past_the_bound_are_counted_not_listed() -> None:
    """A file of bad rows must not take more memory to refuse than to read (issue 15.1)."""
    from conciliazione_core._indicators import MAX_PROBLEMS, parse_indicator_json

    text = "id,name,pop,source,reference_date,status\n" + "a,,x,,,\n" * 400
    with pytest.raises(InputError) as info:
        parse_indicator_csv(text)
    listed = messages(info)
    assert len(listed) == MAX_PROBLEMS + 1
    assert listed[0] == "row 2 (a), column name: the name is empty"
    assert listed[-1] == (
        f"$: {400 * 6 - 1 - MAX_PROBLEMS:,} more problems are not listed; correct these and "
        "read the file again"
    )
    rows = ",".join(['{"id": 1}'] * 300)
    with pytest.raises(InputError) as info:
        parse_indicator_json('{"indicators": ["p"], "rows": [' + rows + "]}")
    assert len(info.value.problems) == MAX_PROBLEMS + 1
    assert "more problems are not listed" in str(info.value.problems[-1])
