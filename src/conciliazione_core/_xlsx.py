"""Excel workbooks (``.xlsx``): indicator tables read, templates and allocations written.

Needs the ``xlsx`` extra (openpyxl); without it, a message names the extra. A table is read
from the workbook's first sheet, laid out as a CSV table is (docs/indicator-tables.md), in
read-only mode and within bounds: an xlsx file is a zip, so its expanded size is checked before
it is opened and its cells are counted as they are read (a "zip bomb" is refused, not
expanded). Cells are read as the CSV reader reads text, with the table's convention unsettled
as in a comma-separated file; numeric cells are exact only as integers: an integral number
(``298032``, or ``298032.0`` as Excel stores it) is that integer, and a number with a fraction
is refused, because Excel keeps it as a binary float (``2968.6`` is 2968.59999…): write it as
text instead.

Amounts are written as exact decimals (``Decimal``), which the file keeps as written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._formats import read_file
from conciliazione_core._gc import paused_gc
from conciliazione_core._serialisation import Limits
from conciliazione_core._spreadsheet import Settled
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    from conciliazione_core._indicators import IndicatorTable
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


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise InputError.at(
            "$",
            _(
                "reading and writing .xlsx files needs openpyxl: "
                "pip install 'conciliazione-core[xlsx]'"
            ),
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
    if len(members) > 10_000 or expanded > budget:
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
    floats: list[Problem] = []

    def rows(record: bool) -> Iterator[tuple[int, list[str]]]:
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
            raise InputError.at(
                "$", _("not a readable .xlsx workbook: {reason}").format(reason=exc), source
            ) from None
        try:
            sheet = book.worksheets[0]
            cells = 0
            header: list[str] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
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
            raise InputError(_unique([*floats, *refused.problems]), source) from None
        raise
    if floats:
        raise InputError(_unique(floats), source)
    return table


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _fractions(texts: list[str], header: list[str], row: int, floats: list[Problem]) -> list[str]:
    """Record each number cell with a fraction as a problem; read it as ``0`` meanwhile, so that
    the row's other problems are found too."""
    at = header.index("id") if "id" in header else -1
    rid = texts[at].strip() if 0 <= at < len(texts) else ""
    label = f"row {row} ({rid})" if rid else f"row {row}"
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


def _workbook(title: str, write: Callable[[Any], None]) -> bytes:
    openpyxl = _openpyxl()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    write(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    """The template (the CSV template's rows) as a workbook: text cells, dates as dates."""

    def write(sheet: Any) -> None:
        header = list(rows[0])
        at_date = header.index("reference_date")
        for k, row in enumerate(rows):
            cells: list[Any] = list(row)
            if k and cells[at_date]:
                cells[at_date] = dt.date.fromisoformat(cells[at_date])
            sheet.append(cells)

    return _workbook("indicators", write)


def allocation_to_xlsx(allocation: Allocation) -> bytes:
    """The allocation as a workbook: the rows of ``--format csv`` (a row per recipient, a
    column per envelope, part and tranche, the amount and the status), then the retained,
    pending and unallocated lines and the total, so that the amount column sums like the table.
    Amounts are exact decimals."""
    from conciliazione_core._money import Money
    from conciliazione_core.allocation._render import _columns
    from conciliazione_core.allocation._rounding import Strategy

    a = allocation
    columns = _columns(a)

    def money(cell: str | Money) -> Decimal | str:
        return Decimal(str(cell)) if cell != "" else ""

    def write(sheet: Any) -> None:
        sheet.append(["id", "name", *(h for h, _c in columns), "amount", "status"])
        blanks = [""] * len(columns)
        for row, i in enumerate(a.order):
            rid = a.recipient_ids[i]
            sheet.append(
                [
                    rid,
                    a.recipient_names[i],
                    *(money(c[row]) for _h, c in columns),
                    money(Money(a.cents[i])),
                    a.status(rid).value,
                ]
            )
        for r in a.retained:
            label = _("{label} (retained: {id})").format(label=r.label, id=r.envelope_id)
            sheet.append(["", label, *blanks, money(r.amount), ""])
        for p in a.pending:
            label = _("{label} (pending: {id})").format(label=p.label, id=p.envelope_id)
            sheet.append(["", label, *blanks, money(p.amount), ""])
        if a.unallocated or a.strategy is Strategy.FLOOR:
            label = _("Unallocated (rounding remainders)")
            sheet.append(["", label, *blanks, money(a.unallocated), ""])
        sheet.append([_("TOTAL"), "", *blanks, money(a.total), ""])

    return _workbook("allocation", write)
