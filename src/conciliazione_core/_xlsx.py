"""Excel workbooks (``.xlsx``): indicator tables read, templates and allocations written.

Reading needs the ``xlsx`` extra (openpyxl); without it, a message names the extra. A table is read
from the workbook's first sheet, laid out as a CSV table is (docs/indicator-tables.md), in
read-only mode and within bounds: an xlsx file is a zip, so its expanded size is checked before
it is opened and its cells are counted as they are read (a "zip bomb" is refused, not
expanded). Cells are read as the CSV reader reads text, with the table's convention unsettled
as in a comma-separated file; numeric cells are exact only as integers: an integral number
(``298032``, or ``298032.0`` as Excel stores it) is that integer, and a number with a fraction
is refused, because Excel keeps it as a binary float (``2968.6`` is 2968.59999…): write it as
text instead.

Workbooks are written without openpyxl, numbers as their exact decimal text (an allocation's
``66357.60`` is in the file as written, not as the binary float nearest to it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._formats import read_file
from conciliazione_core._gc import paused_gc
from conciliazione_core._serialisation import Limits
from conciliazione_core._spreadsheet import Settled
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    from conciliazione_core._indicators import IndicatorTable
    from conciliazione_core._money import Money
    from conciliazione_core.allocation import Allocation

__all__ = [
    "EXPANSION",
    "allocation_to_xlsx",
    "read_xlsx_table",
    "template_xlsx",
]

EXPANSION = 20
"""How much larger than the file its expanded parts and its read cells may be (with
:data:`SLACK` more): the memory budget of an input door is 20 times its size plus 64 MiB."""
SLACK = 32 * 2**20
_CELL_COST = 64
"""Bytes a read cell costs at most in the table's columns (a short string or an int)."""
_BINARY = "\x00"
"""What a number cell with a fraction becomes: a cell no number grammar takes."""
_EXACT_FLOAT = 2**53
_MAX_PARTS = 10_000
"""Files in the archive: a workbook of one sheet has about ten."""


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise InputError.at(
            "$",
            _("reading .xlsx files needs openpyxl: pip install 'conciliazione-core[xlsx]'"),
        ) from None
    return openpyxl


def _check_zip(raw: bytes, source: str, limits: Limits) -> None:
    """Refuse a workbook whose parts expand beyond the budget, before any is expanded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise InputError.at(
            "$", _("not an .xlsx workbook (the file is not a zip archive)"), source
        ) from None
    with archive:
        members = archive.infolist()
        expanded = sum(m.file_size for m in members)
    budget = min(limits.max_bytes, EXPANSION * len(raw) + SLACK)
    if len(members) > _MAX_PARTS:
        raise InputError.at(
            "$",
            _("the workbook has {n:,} parts, more than {limit:,}").format(
                n=len(members), limit=_MAX_PARTS
            ),
            source,
        )
    if expanded > budget:
        raise InputError.at(
            "$",
            _(
                "the workbook expands to {size:,} bytes, over the limit of {limit:,} for a file "
                "of this size"
            ).format(size=expanded, limit=budget),
            source,
        )


class _Careful(Exception):
    """A cell the fast reader leaves to the careful one."""


def _text(value: object) -> str:
    """A cell as the CSV reader reads text; a number with a fraction as an unreadable cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_FLOAT:
            return str(int(value))
        return _BINARY + repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx_table(file: Path, limits: Limits) -> IndicatorTable:
    """The indicator table on the first sheet of an ``.xlsx`` workbook."""
    from conciliazione_core import _indicators as tables

    source = str(file)
    openpyxl = _openpyxl()
    raw = read_file(file, limits)
    _check_zip(raw, source, limits)
    max_cells = (EXPANSION * len(raw) + SLACK) // _CELL_COST
    floats = tables._Problems()  # listed up to a bound, as the readers' problems are

    def rows(record: bool) -> Iterator[tuple[int, list[str]]]:
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
            raise _unreadable(exc, source) from None
        try:
            sheet = book.worksheets[0]
            cells = 0
            header: list[str] = []
            for number, values in enumerate(_guarded(sheet.iter_rows(values_only=True), source), 1):
                cells += len(values)
                if cells > max_cells:
                    raise InputError.at(
                        f"row {number}",
                        _(
                            "the sheet has more than {n:,} cells, over the limit for a file of "
                            "this size"
                        ).format(n=max_cells),
                        source,
                    )
                texts = [_text(v) for v in values]
                while texts and not texts[-1].strip():
                    texts.pop()  # Excel's empty trailing cells
                if not any(t.strip() for t in texts):
                    continue
                if not header:
                    header = [t.strip() for t in texts]
                elif any(t.startswith(_BINARY) for t in texts):
                    if not record:
                        raise _Careful
                    texts = _fractions(texts, header, number, floats)
                texts += [""] * (len(header) - len(texts))
                yield number, texts
        finally:
            book.close()

    try:
        with paused_gc():
            table = tables._fast_csv((cells for _n, cells in rows(False)), Settled(","))
    except _Careful:
        table = None
    if table is not None:
        return table
    try:
        table = tables._careful_rows(lambda: rows(True), source, Settled(","))
    except InputError as refused:
        if floats:
            raise InputError(_unique([*floats.listed(), *refused.problems]), source) from None
        raise
    if floats:
        raise InputError(_unique(floats.listed()), source)
    return table


def _unreadable(exc: Exception, source: str) -> InputError:
    return InputError.at(
        "$", _("not a readable .xlsx workbook: {reason}").format(reason=exc), source
    )


def _guarded(rows: Iterator[tuple[object, ...]], source: str) -> Iterator[tuple[object, ...]]:
    """The sheet's rows; a damaged part found while reading them is an InputError too."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # the XML of a damaged sheet, as openpyxl meets it
            raise _unreadable(exc, source) from None
        yield values


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _fractions(texts: list[str], header: list[str], row: int, floats: list[Problem]) -> list[str]:
    """Record each number cell with a fraction as a problem; read it as ``0`` meanwhile, so that
    the row's other problems are found too."""
    at = header.index("id") if "id" in header else -1
    rid = texts[at].strip() if 0 <= at < len(texts) else ""
    label = f"row {row} ({rid})" if rid and not rid.startswith(_BINARY) else f"row {row}"
    out = []
    for k, text in enumerate(texts):
        if text.startswith(_BINARY):
            column = header[k] if k < len(header) else str(k + 1)
            floats.append(
                Problem(
                    f"{label}, column {column}",
                    _(
                        "{value} is a number with a fraction, which Excel keeps as a binary "
                        "float, not exactly; write it as text (format the cell as Text, or type "
                        "'{value}) or as an integer"
                    ).format(value=text[1:]),
                )
            )
            text = "0"
        out.append(text)
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _column(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, rest = divmod(k - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(text: str) -> str:
    """Text as XML character data; control characters as OOXML's ``_xHHHH_`` escapes."""
    return escape(_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text))


def _workbook(title: str, rows: Iterable[Sequence[str | int | Decimal]]) -> bytes:
    """A one-sheet workbook. Written by hand rather than by openpyxl, which writes a Decimal
    through a binary float (66357.60 becomes 66357.60000000001): numbers here are written
    exactly as their decimal text, text as inline strings."""
    lines = [
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    for r, row in enumerate(rows, start=1):
        cells = []
        for k, value in enumerate(row):
            at = f"{_column(k)}{r}"
            if isinstance(value, (int, Decimal)):
                cells.append(f'<c r="{at}"><v>{value}</v></c>')
            elif value:
                cells.append(
                    f'<c r="{at}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{_xml_text(value)}</t></is></c>"
                )
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    lines.append("</sheetData></worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(title=title))
        archive.writestr("xl/worksheets/sheet1.xml", "".join(lines))
    return buffer.getvalue()


def template_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    """The template (the CSV template's rows) as a workbook, every cell as text: exact values
    and ISO dates, which the reader takes back as they are (needs no openpyxl)."""
    return _workbook("indicators", rows)


def allocation_to_xlsx(allocation: Allocation) -> bytes:
    """The allocation as a workbook: the rows and columns of ``--format csv``
    (:func:`~conciliazione_core.allocation.allocation_rows`: the recipients, then the retained,
    pending and unallocated lines and the total, so that the amount column sums like the table).
    Amounts are exact decimals."""
    from conciliazione_core.allocation._rows import allocation_columns, allocation_rows

    def money(cell: Money | None) -> Decimal | str:
        return "" if cell is None else Decimal(str(cell))

    def rows() -> Iterator[list[str | Decimal]]:
        columns = allocation_columns(allocation)
        yield ["row", "id", "name", *(c.id for c in columns), "amount", "status"]
        for row in allocation_rows(allocation):
            yield [
                row.kind.value,
                row.id,
                row.name,
                *(money(cell) for cell in row.cells),
                money(row.amount),
                "" if row.status is None else row.status.value,
            ]

    return _workbook("allocation", rows())
