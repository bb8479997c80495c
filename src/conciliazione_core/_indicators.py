"""Indicator tables: the per-recipient figures an allocation is computed from.

An indicator table gives, for each recipient (an ASL, an ATS...), one exact non-negative value per
indicator (resident population, area...) and the provenance of the row: where the figures come
from, the date they refer to and whether they are official, derived or estimated. Allocations
read these tables and report every non-official input they used.

Tables are read from CSV (what a policy officer edits in a spreadsheet), Excel ``.xlsx`` (with
the ``xlsx`` extra) or JSON. Values are exact: integers or decimals written as text, never
binary floats, so that two runs and two machines always produce the same euro amounts. A CSV may
be written as an Italian office's Excel writes it (``;`` between columns, ``298.032``, ``0,5``,
``31/12/2019``, Windows-1252): :mod:`conciliazione_core._spreadsheet` says how it is read, and
what is ambiguous is refused, never guessed.

CSV layout (the header is spreadsheet row 1; problems name the spreadsheet row)::

    id,name,<indicator>...,source,reference_date,status[,method][,source_it][,method_it]

Every column other than ``id``, ``name``, ``source``, ``reference_date``, ``status``,
``method`` and the Italian ``source_it`` and ``method_it`` is an indicator. The source and the
method are read as :class:`~conciliazione_core.i18n.Text`: English, and Italian when given.

A table is kept by column, because allocations read whole columns and a table may have millions
of rows: a CSV file is read in one pass, a few thousand rows at a time, and a row object is
built only when one is asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import chain, compress, islice
from math import lcm
from operator import attrgetter
from pathlib import Path
from typing import Any

import attrs

from conciliazione_core import _spreadsheet as sheet
from conciliazione_core._errors import InputError, Problem
from conciliazione_core._formats import file_path, open_file
from conciliazione_core._gc import paused_gc
from conciliazione_core._numbers import GROUPED_INTEGER, MAX_DIGITS, NumberError, parse_decimal
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._serialisation import DEFAULT_LIMITS, Limits, parse_json, read_file
from conciliazione_core._spreadsheet import MAX_NUMBER_CHARS, Settled
from conciliazione_core.i18n import Text, _

__all__ = [
    "TABLE_LIMITS",
    "IndicatorRow",
    "IndicatorTable",
    "indicator_template_csv",
    "indicator_template_xlsx",
    "load_indicator_table",
    "parse_indicator_csv",
    "parse_indicator_json",
]

PROVENANCE_COLUMNS = ("source", "reference_date", "status", "method")
ITALIAN_COLUMNS = ("source_it", "method_it")
"""The provenance's text in Italian, beside the English of ``source`` and ``method``: optional."""
REQUIRED_COLUMNS = ("id", "name", "source", "reference_date", "status")
_RESERVED = frozenset(("id", "name", *PROVENANCE_COLUMNS, *ITALIAN_COLUMNS))
_TEXTS = ("method", *ITALIAN_COLUMNS)
"""The optional provenance columns, in the order the readers key a row's provenance by."""


def _to_values(value: object) -> tuple[tuple[str, Fraction], ...]:
    """Accept a mapping or pairs; keep ints exact as Fractions; refuse floats and booleans."""
    pairs: Iterable[Any] = value.items() if isinstance(value, Mapping) else value  # type: ignore[assignment]
    out: list[tuple[str, Fraction]] = []
    for name, number in pairs:
        if isinstance(number, bool) or not isinstance(number, (int, Fraction)):
            raise TypeError(
                f"indicator {name!r}: value must be an int or a Fraction, "
                f"not {type(number).__name__}"
            )
        exact = number if type(number) is Fraction else Fraction(number)
        if exact < 0:
            raise ValueError(f"indicator {name!r}: value {exact} is negative")
        out.append((str(name), exact))
    return tuple(out)


@attrs.frozen
class IndicatorRow:
    """One recipient's indicator values and where they come from."""

    id: str
    name: str
    values: tuple[tuple[str, Fraction], ...] = attrs.field(converter=_to_values)
    provenance: Provenance

    def value(self, name: str) -> Fraction:
        """The value of indicator ``name`` (KeyError naming the known indicators if absent)."""
        for key, number in self.values:
            if key == name:
                return number
        known = ", ".join(k for k, _v in self.values)
        raise KeyError(f"row {self.id!r} has no indicator {name!r} (it has: {known})")

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(k for k, _v in self.values)


def _integers(values: Sequence[int | Fraction]) -> tuple[tuple[int, ...], int]:
    """Exact values as ``(numerators, denominator)`` over their least common denominator."""
    common = lcm(*set(map(attrgetter("denominator"), values)))
    if common == 1:
        return tuple(map(attrgetter("numerator"), values)), 1
    return tuple(v.numerator * (common // v.denominator) for v in values), common


def _check_texts(ids: Sequence[object], names: Sequence[object]) -> None:
    """Row ids and names are text: allocating among a table's rows takes them as they are."""
    for what, texts in (("id", ids), ("name", names)):
        wrong = [t for t in set(map(type, texts)) if not issubclass(t, str)]
        if wrong:
            raise TypeError(f"a row {what} must be text, not {wrong[0].__name__}")


@attrs.frozen(init=False, eq=False)
class IndicatorTable:
    """Indicator values for a set of recipients, one row each, ids unique.

    Stored by column, because a million recipients are read and allocated by column: the ids,
    the names, each indicator as integers over one denominator per column, and the provenance
    as a column of codes into the table's few distinct :class:`Provenance` values. An
    :class:`IndicatorRow` is built only when asked for (:meth:`row`, :meth:`get`,
    :attr:`rows`). ``IndicatorTable(indicators, rows)`` builds one from rows;
    :meth:`from_columns` from columns (what the readers do).
    """

    indicators: tuple[str, ...]
    ids: tuple[str, ...]
    """Row ids in table order."""
    names: tuple[str, ...]
    _numerators: tuple[tuple[int, ...], ...] = attrs.field(repr=False)
    _denominators: tuple[int, ...] = attrs.field(repr=False)
    _provenances: tuple[Provenance, ...] = attrs.field(repr=False)
    _codes: tuple[int, ...] = attrs.field(repr=False)
    # Derived, read-only look-ups computed on first use (a cache, not state).
    _cache: dict[str, Any] = attrs.field(repr=False)

    def __init__(self, indicators: tuple[str, ...], rows: Sequence[IndicatorRow]) -> None:
        indicators = tuple(indicators)
        if len(set(indicators)) != len(indicators):
            raise ValueError("indicator names must be unique")
        seen: set[str] = set()
        for row in rows:
            if row.id in seen:
                raise ValueError(f"duplicate row id {row.id!r}")
            seen.add(row.id)
            if row.indicators != indicators:
                raise ValueError(
                    f"row {row.id!r} has indicators {row.indicators}, the table has {indicators}"
                )
        _check_texts([r.id for r in rows], [r.name for r in rows])
        distinct: dict[Provenance, int] = {}
        codes = tuple(distinct.setdefault(r.provenance, len(distinct)) for r in rows)
        columns = [_integers([r.values[j][1] for r in rows]) for j in range(len(indicators))]
        self.__attrs_init__(
            indicators,
            tuple(r.id for r in rows),
            tuple(r.name for r in rows),
            tuple(c[0] for c in columns),
            tuple(c[1] for c in columns),
            tuple(distinct),
            codes,
            {"rows": tuple(rows)},
        )

    @classmethod
    def from_columns(
        cls,
        indicators: Sequence[str],
        ids: Sequence[str],
        names: Sequence[str],
        columns: Sequence[Sequence[int | Fraction]],
        provenances: Sequence[Provenance],
        codes: Sequence[int],
    ) -> IndicatorTable:
        """A table from its columns: one exact value per row in each of ``columns`` (in the
        order of ``indicators``), and ``provenances[codes[i]]`` the provenance of row ``i``.

        Checked as the row constructor checks: unique names and ids, non-negative exact values,
        every column as long as the ids.
        """
        n = len(ids)
        if len(set(indicators)) != len(indicators):
            raise ValueError("indicator names must be unique")
        if len(columns) != len(indicators):
            raise ValueError(f"{len(columns)} columns for {len(indicators)} indicators")
        if len(names) != n or len(codes) != n or any(len(c) != n for c in columns):
            raise ValueError(f"every column must have one value for each of the {n} rows")
        _check_texts(ids, names)
        if len(set(ids)) != n:
            duplicate = next(i for i, count in Counter(ids).items() if count > 1)
            raise ValueError(f"duplicate row id {duplicate!r}")
        for name, column in zip(indicators, columns, strict=True):
            kinds = set(map(type, column))
            if not kinds <= {int, Fraction}:
                wrong = next(k for k in kinds if k not in (int, Fraction))
                raise TypeError(
                    f"indicator {name!r}: value must be an int or a Fraction, not {wrong.__name__}"
                )
            if column and min(column) < 0:
                raise ValueError(f"indicator {name!r}: value {min(column)} is negative")
        if codes and (min(codes) < 0 or max(codes) >= len(provenances)):
            raise ValueError("a provenance code is not an index of the provenances")
        return cls._assemble(
            indicators, ids, names, [_integers(c) for c in columns], provenances, codes
        )

    @classmethod
    def _assemble(
        cls,
        indicators: Sequence[str],
        ids: Sequence[str],
        names: Sequence[str],
        integral: Sequence[tuple[Sequence[int], int]],
        provenances: Sequence[Provenance],
        codes: Sequence[int],
    ) -> IndicatorTable:
        """A table from checked columns, each as ``(numerators, least common denominator)``."""
        table: IndicatorTable = cls.__new__(cls)
        table.__attrs_init__(
            tuple(indicators),
            tuple(ids),
            tuple(names),
            tuple(tuple(c[0]) for c in integral),
            tuple(c[1] for c in integral),
            tuple(provenances),
            tuple(codes),
            {},
        )
        return table

    def sharing(self, ids: tuple[str, ...], names: tuple[str, ...]) -> IndicatorTable:
        """The same table holding ``ids`` (and ``names`` if equal to its own) instead of its
        own strings, when its ids are ``ids`` in the same order; else itself. So a million
        recipients read for a cycle that lists them keep one copy of their ids and names."""
        if self.ids != ids:
            return self
        return self._assemble(
            self.indicators,
            ids,
            names if names == self.names else self.names,
            list(zip(self._numerators, self._denominators, strict=True)),
            self._provenances,
            self._codes,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndicatorTable):
            return NotImplemented
        return (
            self.indicators == other.indicators
            and self.ids == other.ids
            and self.names == other.names
            and self._numerators == other._numerators
            and self._denominators == other._denominators
            and self.provenances() == other.provenances()
        )

    def __hash__(self) -> int:
        return hash((self.indicators, self.ids))

    def __len__(self) -> int:
        return len(self.ids)

    def provenances(self) -> tuple[Provenance, ...]:
        """Each row's provenance, in table order (shared objects, not one per row)."""
        found = self._cache.get("provenances")
        if found is None:
            found = self._cache["provenances"] = tuple(
                map(self._provenances.__getitem__, self._codes)
            )
        return found

    def row(self, position: int) -> IndicatorRow:
        """The row at ``position``, built on demand."""
        rows = self._cache.get("rows")
        if rows is not None:
            return rows[position]  # type: ignore[no-any-return]
        return IndicatorRow(
            self.ids[position],
            self.names[position],
            tuple(
                (name, Fraction(column[position], denominator))
                for name, column, denominator in zip(
                    self.indicators, self._numerators, self._denominators, strict=True
                )
            ),
            self._provenances[self._codes[position]],
        )

    @property
    def rows(self) -> tuple[IndicatorRow, ...]:
        """Every row as an :class:`IndicatorRow` (built on first use: prefer the columns)."""
        rows = self._cache.get("rows")
        if rows is None:
            rows = self._cache["rows"] = tuple(map(self.row, range(len(self.ids))))
        return rows

    def get(self, id: str) -> IndicatorRow | None:
        """The row of recipient ``id``, or None."""
        position = self.positions.get(id)
        return None if position is None else self.row(position)

    @property
    def positions(self) -> Mapping[str, int]:
        """Row id -> position in :attr:`ids`."""
        positions = self._cache.get("positions")
        if positions is None:
            positions = self._cache["positions"] = dict(
                zip(self.ids, range(len(self.ids)), strict=True)
            )
        return positions

    def non_official(self) -> tuple[str, ...]:
        """Ids of rows whose provenance is not official (derived or estimate), in table order."""
        return tuple(r.id for r in self.non_official_rows())

    def non_official_rows(self) -> tuple[IndicatorRow, ...]:
        """Rows whose provenance is not official, in table order."""
        found: tuple[IndicatorRow, ...] | None = self._cache.get("non_official")
        if found is None:
            codes = {i for i, p in enumerate(self._provenances) if not p.official}
            if not codes:
                found = ()
            elif len(codes) == len(self._provenances):
                found = self.rows
            else:
                found = tuple(self.row(i) for i, code in enumerate(self._codes) if code in codes)
            self._cache["non_official"] = found
        return found

    def non_official_provenances(self) -> list[tuple[str, Provenance]]:
        """``(id, provenance)`` of the rows whose provenance is not official, in table order:
        what an allocation reports, without building the rows."""
        codes = {i for i, p in enumerate(self._provenances) if not p.official}
        if not codes:
            return []
        flags = list(map(codes.__contains__, self._codes))
        chosen = map(self._provenances.__getitem__, compress(self._codes, flags))
        return list(zip(compress(self.ids, flags), chosen, strict=True))

    def status_values(self) -> list[str]:
        """Each row's provenance status as text (``"official"``, ...), in table order: one
        look-up per row in the table's few provenances, no row built."""
        by_code = [p.status.value for p in self._provenances]
        return list(map(by_code.__getitem__, self._codes))

    def _index(self, indicator: str) -> int:
        try:
            return self.indicators.index(indicator)
        except ValueError:
            raise KeyError(
                f"no indicator {indicator!r} (the table has: {', '.join(self.indicators)})"
            ) from None

    def column(self, indicator: str) -> tuple[Fraction, ...]:
        """The values of one indicator, in row order (Fractions, built on demand)."""
        j = self._index(indicator)
        denominator = self._denominators[j]
        return tuple(Fraction(v, denominator) for v in self._numerators[j])

    def integer_column(self, indicator: str) -> tuple[tuple[int, ...], int]:
        """One indicator as integers over a common denominator: ``(numerators, denominator)``.

        This is what the table stores and what the allocation engine computes with: exact, and
        fast on plain ints.
        """
        j = self._index(indicator)
        return self._numerators[j], self._denominators[j]


# ---- reading values ---------------------------------------------------------------------------


MAX_PROBLEMS = 1_000
"""Problems listed for one table; past them, only counted: a file of a million bad rows must
not take more memory to refuse than to read (issue 15: 20 times its size)."""


def _count(problems: list[Problem]) -> int:
    """How many problems were found, listed or not."""
    return problems.total if isinstance(problems, _Problems) else len(problems)


class _Problems(list[Problem]):
    """The problems of one table, at most :data:`MAX_PROBLEMS` of them kept; ``total`` counts
    them all (what a reader compares to know whether a row had one)."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, problem: Problem) -> None:
        self.total += 1
        if len(self) < MAX_PROBLEMS:
            super().append(problem)

    def listed(self) -> list[Problem]:
        """The kept problems, and how many more there are."""
        more = self.total - len(self)
        if not more:
            return list(self)
        return [
            *self,
            Problem(
                "$",
                _(
                    "{n:,} more problems are not listed; correct these and read the file again"
                ).format(n=more),
            ),
        ]


# Plain decimals in ASCII digits. Decimal's own grammar would also take "1e999999999", whose
# exact value is an integer of a billion digits (building it hangs), and non-ASCII digits.
_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def _number(text: str) -> Fraction | str:
    """An exact non-negative number from JSON text (the plain grammar), or why it is not one."""
    cleaned = text.strip()
    if not cleaned:
        return _("the cell is empty")
    if "," in cleaned:
        return _(
            "{text!r} is not a number: use '.' as the decimal point and no thousands separators"
        ).format(text=text)
    refused = sheet.not_a_value(cleaned, text)
    if refused is not None:
        return refused
    if cleaned.startswith("-") and _DECIMAL_TEXT.fullmatch(cleaned[1:]):
        return _("{text!r} is negative; indicator values must be zero or more").format(text=text)
    if not _DECIMAL_TEXT.fullmatch(cleaned):
        return _("{text!r} is not a number").format(text=text)
    try:
        return Fraction(parse_decimal(cleaned))  # the one number grammar, bounded
    except NumberError as exc:
        return str(exc)


def _status(text: str) -> DataStatus | str:
    cleaned = text.strip().lower()
    for status in DataStatus:
        if status.value == cleaned:
            return status
    known = ", ".join(s.value for s in DataStatus)
    if not cleaned:
        return _("the status is empty; write one of: {known}").format(known=known)
    return _("unknown status {text!r}; write one of: {known}").format(text=text, known=known)


# ---- CSV --------------------------------------------------------------------------------------


def _check_size(text: str, source: str | None, limits: Limits) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise InputError.at(
            "$",
            _("the input is {size:,} bytes, over the limit of {limit:,}").format(
                size=size, limit=limits.max_bytes
            ),
            source,
        )


_FIRST_LINE = re.compile(r"[^\r\n]*\S[^\r\n]*")


def _delimiter(text: str) -> str:
    """The column separator of a CSV text, from its first line that is not blank."""
    found = _FIRST_LINE.search(text)
    return sheet.delimiter_of(found.group() if found else "", REQUIRED_COLUMNS)


def _csv_lines(text: str, source: str | None, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows with their spreadsheet row numbers; malformed CSV is an InputError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                yield row, cells
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            message = _("a cell is longer than {n:,} characters").format(n=csv.field_size_limit())
        elif "new-line character" in reason:
            message = _("a line break inside a cell that is not in quotes")
        else:
            message = _("not valid CSV: {reason}").format(reason=reason)
        raise InputError.at(f"row {row + 1}", message, source) from None


_CHUNK = 4_096
"""Rows read and checked at a time by the fast path (columns of a chunk, not cells of a row)."""


def _settle_by(settled: Settled, texts: Iterable[str], where: str) -> bool:
    """Settle the decimal mark by the first cell of ``texts`` that reads one way only; False if
    a cell settles it otherwise than it was (the careful reader then says where)."""
    for text in texts:
        mark = sheet.number_evidence(text)
        if mark is not None and settled.settle_mark(mark, where) is not None:
            return False
    return True


def _grouped_integers(
    texts: list[str], joined: str, settled: Settled, values: list[int | Fraction]
) -> bool:
    """Append a column of whole numbers written with thousands separators (``298.032`` where
    ``,`` is the decimal mark), if every cell is one; False (nothing appended) otherwise."""
    mark = settled.mark
    if mark is None or mark in joined or not joined.isascii() or not all(texts):
        return False
    group = "." if mark == "," else ","
    if max(map(len, texts)) > MAX_DIGITS or not all(map(GROUPED_INTEGER[group].fullmatch, texts)):
        return False
    values.extend(int(t.replace(group, "")) for t in texts)
    return True


def _fast_csv(records: Iterator[list[str]], settled: Settled) -> IndicatorTable | None:
    """A well-formed table read in one pass, by chunks of columns; None if anything is unusual.

    Unusual is anything the careful reader would report or treat specially (a problem, a blank
    row, a header that is not clean, a value whose reading is not settled yet): then it reads
    the input again, row by row, and reports every problem with its row. Values go through the
    same parser, :func:`~conciliazione_core._spreadsheet.number`, except cells that are plain
    ASCII digits, whose value ``int`` gives exactly.
    """
    header = next(records, None)
    if header is None or any(h != h.strip() or not h for h in header):
        return None
    if len(set(header)) != len(header) or not all(c in header for c in REQUIRED_COLUMNS):
        return None
    indicators = tuple(h for h in header if h not in _RESERVED)
    if not indicators:
        return None
    width = len(header)
    where = {name: i for i, name in enumerate(header)}
    ids: list[str] = []
    names: list[str] = []
    columns: list[list[int | Fraction]] = [[] for _i in indicators]
    whole = [True] * len(indicators)  # the column holds ints only
    codes: list[int] = []
    known: dict[tuple[str, ...], int] = {}
    provenances: list[Provenance] = []
    provenance_at = [where["source"], where["reference_date"], where["status"]]
    optional = [name for name in _TEXTS if name in where]  # the key's layout: see _csv_provenance
    provenance_at += [where[name] for name in optional]
    while chunk := list(islice(records, _CHUNK)):
        if set(map(len, chunk)) != {width}:
            return None
        cells = list(zip(*chunk, strict=True))
        for target, column in ((ids, cells[where["id"]]), (names, cells[where["name"]])):
            stripped = list(map(str.strip, column))
            if not all(stripped):
                return None
            target.extend(stripped)
        pending: list[tuple[int, list[str]]] = []  # columns that are not plain digits
        for j, (values, indicator) in enumerate(zip(columns, indicators, strict=True)):
            texts = list(map(str.strip, cells[where[indicator]]))
            joined = "".join(texts)
            if (
                joined.isascii()
                and joined.isdigit()
                and all(texts)
                and max(map(len, texts)) <= MAX_DIGITS  # what the number grammar accepts
            ):
                values.extend(map(int, texts))
            elif not _grouped_integers(texts, joined, settled, values):
                pending.append((j, texts))
        if settled.mark is None and not all(_settle_by(settled, t, "") for _j, t in pending):
            return None
        for j, texts in pending:
            numbers = [sheet.number(t, settled) for t in texts]
            if any(isinstance(x, str) for x in numbers):
                return None
            columns[j].extend(numbers)  # type: ignore[arg-type]
            whole[j] = False
        sources = [cells[i] for i in provenance_at]
        found = list(map(known.get, zip(*sources, strict=True)))
        if None in found:
            if not settled.day_first and any(map(sheet.date_evidence, cells[provenance_at[1]])):
                settled.settle_day_first("")
            for i, key in enumerate(zip(*sources, strict=True)):
                if found[i] is None:
                    code = known.get(key)
                    if code is None:
                        provenance = _csv_provenance(key, optional, settled)
                        if provenance is None:
                            return None
                        code = known[key] = len(provenances)
                        provenances.append(provenance)
                    found[i] = code
        codes.extend(found)  # type: ignore[arg-type]
    if not ids or len(set(ids)) != len(ids):
        return None
    integral = [
        (column, 1) if ints else _integers(column)
        for column, ints in zip(columns, whole, strict=True)
    ]
    return IndicatorTable._assemble(indicators, ids, names, integral, provenances, codes)  # type: ignore[arg-type]


def _csv_provenance(
    key: tuple[str, ...], optional: Sequence[str], settled: Settled
) -> Provenance | None:
    """The provenance cells (source, reference date, status, then the ``optional`` columns
    present, of method, source_it, method_it) if they are valid."""
    source, date, status = key[0].strip(), sheet.read_date(key[1], settled), _status(key[2])
    texts = dict(zip(optional, map(str.strip, key[3:]), strict=True))
    if not source or isinstance(date, str) or isinstance(status, str):
        return None
    provenance = _provenance(source, date, status, texts)
    return provenance if isinstance(provenance, Provenance) else None


def _provenance(
    source: str, date: dt.date, status: DataStatus, texts: Mapping[str, str]
) -> Provenance | tuple[str, str]:
    """A row's provenance from its checked cells and its optional texts (``method``,
    ``source_it``, ``method_it``: stripped, empty when absent); or ``(column, why)`` when an
    Italian text has no English beside it."""
    method, method_it = texts.get("method", ""), texts.get("method_it", "")
    if method_it and not method:
        return "method_it", _("the Italian method has no English beside it; fill in method")
    return Provenance(
        Text(source, it=texts.get("source_it") or None),
        date,
        status,
        Text(method, it=method_it or None) if method else None,
    )


def parse_indicator_csv(
    text: str, source: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> IndicatorTable:
    """Read an indicator table from CSV text; every problem is collected into one InputError.

    The columns may be separated by ``,``, ``;`` or a tab, and the numbers and dates written as
    an Italian office writes them (docs/indicator-tables.md): what reads two ways is refused.
    ``text`` is ``str``: bytes are refused (decode them, or read the file with
    :func:`load_indicator_table`, which checks the encoding).
    """
    if not isinstance(text, str):
        raise InputError.at(
            "text", _("expected text, got {kind}").format(kind=type(text).__name__), source
        )
    _check_size(text, source, limits)
    text = text.removeprefix("\ufeff")
    delimiter = _delimiter(text)
    try:
        with paused_gc():
            table = _fast_csv(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), Settled(delimiter)
            )
    except csv.Error:
        table = None
    return table if table is not None else _careful_csv(text, source)


Lines = Callable[[], Iterator[tuple[int, list[str]]]]
"""A table's non-blank rows with their spreadsheet row numbers, header first, read afresh at
each call (the careful reader reads them twice)."""


def _settled_by_cells(lines: Iterator[tuple[int, list[str]]], settled: Settled) -> Settled:
    """The convention of a table as its cells settle it: the first value that reads one way
    only settles the decimal mark, the first date whose day is over 12 the order of dates."""
    _line, raw_header = next(lines)
    header = [h.strip() for h in raw_header]
    columns = [(i, h) for i, h in enumerate(header) if h and h not in _RESERVED]
    at_date = header.index("reference_date") if "reference_date" in header else None
    for line, cells in lines:
        if settled.mark is None:
            for i, name in columns:
                if i < len(cells) and sheet.number_evidence(cells[i]) is not None:
                    where = _("row {row}, column {column} has {text!r}").format(
                        row=line, column=name, text=cells[i].strip()
                    )
                    settled.settle_mark(sheet.number_evidence(cells[i]) or "", where)
                    break
        if (
            not settled.day_first
            and at_date is not None
            and at_date < len(cells)
            and sheet.date_evidence(cells[at_date])
        ):
            settled.settle_day_first(
                _("row {row}, column {column} has {text!r}").format(
                    row=line, column="reference_date", text=cells[at_date].strip()
                )
            )
        if settled.mark is not None and settled.day_first:
            break
    return settled


def _careful_csv(text: str, source: str | None) -> IndicatorTable:
    """The row-by-row reader, which names every problem with its spreadsheet row."""
    delimiter = _delimiter(text)
    return _careful_rows(lambda: _csv_lines(text, source, delimiter), source, Settled(delimiter))


def _careful_rows(read: Lines, source: str | None, settled: Settled) -> IndicatorTable:
    """The row-by-row reader of any table's rows (CSV or xlsx), which names every problem with
    its spreadsheet row."""
    lines = read()
    first = next(lines, None)
    if first is None:
        raise InputError.at(
            "$", _("the file is empty; it needs a header row and data rows"), source
        )
    header_line, raw_header = first
    header = [h.strip() for h in raw_header]
    problems = _Problems()
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(
            Problem(
                f"row {header_line}",
                _(
                    "missing required column(s): {missing}; the header must be "
                    "id,name,<indicators>,source,reference_date,status[,method]"
                ).format(missing=", ".join(missing)),
            )
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(
            Problem(
                f"row {header_line}",
                _("duplicate column(s): {names}").format(names=", ".join(duplicated)),
            )
        )
    if "" in header:
        problems.append(Problem(f"row {header_line}", _("a column has no name")))
    indicators = tuple(h for h in header if h not in _RESERVED and h)
    if not indicators:
        problems.append(Problem(f"row {header_line}", _("there is no indicator column")))
    if problems:
        raise InputError(problems, source)
    settled = _settled_by_cells(read(), settled)

    where = {name: i for i, name in enumerate(header)}
    ids: list[str] = []
    names: list[str] = []
    columns: list[list[int | Fraction]] = [[] for _i in indicators]
    distinct: dict[Provenance, int] = {}
    known: dict[tuple[object, ...], int] = {}  # cells -> provenance code
    dates: dict[str, dt.date | str] = {}
    codes: list[int] = []
    seen: dict[str, int] = {}
    rows = 0
    for line, cells in lines:
        rows += 1
        cells = [c.strip() for c in cells]
        row_id = cells[where["id"]] if where["id"] < len(cells) else ""
        label = f"row {line} ({row_id})" if row_id else f"row {line}"
        if len(cells) != len(header):
            problems.append(
                Problem(
                    label,
                    _("{got} cells, but the header has {want} columns").format(
                        got=len(cells), want=len(header)
                    ),
                )
            )
            continue
        row_problems = problems.total

        def cell_problem(column: str, message: str, label: str = label) -> None:
            problems.append(Problem(f"{label}, column {column}", message))

        if not row_id:
            cell_problem("id", _("the id is empty"))
        elif row_id in seen:
            cell_problem(
                "id",
                _("duplicate id {id!r} (first at row {first})").format(
                    id=row_id, first=seen[row_id]
                ),
            )
        else:
            seen[row_id] = line
        name = cells[where["name"]]
        if not name:
            cell_problem("name", _("the name is empty"))
        values: list[int | Fraction] = []
        for indicator in indicators:
            value = sheet.number(cells[where[indicator]], settled)
            if isinstance(value, str):
                cell_problem(indicator, value)
            else:
                values.append(value)
        src = cells[where["source"]]
        if not src:
            cell_problem("source", _("the source is empty; say where the figures come from"))
        date_text = cells[where["reference_date"]]
        date = dates.get(date_text)
        if date is None:
            date = dates[date_text] = sheet.read_date(date_text, settled)
        if isinstance(date, str):
            cell_problem("reference_date", date)
        status = _status(cells[where["status"]])
        if isinstance(status, str):
            cell_problem("status", status)
        texts = {name: cells[where[name]] for name in _TEXTS if name in where}
        if texts.get("method_it") and not texts.get("method"):
            cell_problem(
                "method_it", _("the Italian method has no English beside it; fill in method")
            )
        if problems.total == row_problems and not problems:
            assert isinstance(date, dt.date)
            assert isinstance(status, DataStatus)
            ids.append(row_id)
            names.append(name)
            for column, value in zip(columns, values, strict=True):
                column.append(value)
            key = (src, date, status, *texts.values())
            code = known.get(key)
            if code is None:
                provenance = _provenance(src, date, status, texts)
                assert isinstance(provenance, Provenance)
                code = known[key] = distinct.setdefault(provenance, len(distinct))
            codes.append(code)
    if not rows:
        raise InputError.at(
            f"row {header_line}", _("the file has a header but no data rows"), source
        )
    if problems:
        raise InputError(problems.listed(), source)
    return IndicatorTable.from_columns(indicators, ids, names, columns, tuple(distinct), codes)


# ---- JSON -------------------------------------------------------------------------------------


class _FloatLiteral:
    """A JSON number with a fraction or exponent, kept as written so that it can be refused.

    Not a ``str`` subclass: ``1.5`` where an id or a name is expected must fail the type check
    rather than pass as the text ``"1.5"``.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def parse_indicator_json(
    text_or_obj: str | Mapping[str, Any],
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> IndicatorTable:
    """Read an indicator table from JSON text or an already parsed object.

    Layout: ``{"indicators": [...], "rows": [{"id", "name", "values": {...},
    "provenance": {"source", "reference_date", "status", "method"}}]}``. Values are integers or
    decimals written as strings; JSON numbers with a decimal point are refused, because a JSON
    reader turns them into binary floats.
    """
    data: Any = (
        parse_json(text_or_obj, source, limits, parse_float=_FloatLiteral)
        if isinstance(text_or_obj, str)
        else text_or_obj
    )
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise InputError.at("$", _("expected an object with 'indicators' and 'rows'"), source)
    for key in data:
        if key not in ("indicators", "rows"):
            problems.append(Problem(f"$.{key}", _("unknown key")))
    raw_indicators = data.get("indicators")
    indicators: tuple[str, ...] = ()
    if not isinstance(raw_indicators, list) or not raw_indicators:
        problems.append(Problem("$.indicators", _("expected a non-empty list of indicator names")))
    elif not all(isinstance(i, str) and i.strip() for i in raw_indicators):
        problems.append(Problem("$.indicators", _("indicator names must be non-empty strings")))
    elif len(set(raw_indicators)) != len(raw_indicators):
        problems.append(Problem("$.indicators", _("indicator names must be unique")))
    else:
        indicators = tuple(raw_indicators)
    raw_rows = data.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        problems.append(Problem("$.rows", _("expected a non-empty list of rows")))
        raise InputError(problems.listed(), source)
    if problems:
        raise InputError(problems.listed(), source)

    ids: list[str] = []
    names: list[str] = []
    columns: list[list[int | Fraction]] = [[] for _i in indicators]
    distinct: dict[Provenance, int] = {}
    checked: dict[tuple[tuple[str, str], ...], Provenance] = {}  # valid provenances read
    codes: list[int] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_rows):
        base = f"$.rows[{i}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(base, _("expected an object")))
            continue
        row_id = raw.get("id")
        label = f"{base} ({row_id})" if isinstance(row_id, str) and row_id else base
        before = problems.total
        for key in raw:
            if key not in ("id", "name", "values", "provenance"):
                problems.append(Problem(f"{label}.{key}", _("unknown key")))
        if not isinstance(row_id, str) or not row_id.strip():
            problems.append(Problem(f"{label}.id", _("expected a non-empty string")))
        elif row_id in seen:
            problems.append(
                Problem(
                    f"{label}.id",
                    _("duplicate id {id!r} (first at rows[{first}])").format(
                        id=row_id, first=seen[row_id]
                    ),
                )
            )
        else:
            seen[row_id] = i
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"{label}.name", _("expected a non-empty string")))
        values = _json_values(raw.get("values"), indicators, f"{label}.values", problems)
        raw_provenance = raw.get("provenance")
        key = _provenance_key(raw_provenance)
        provenance = checked.get(key) if key is not None else None
        if provenance is None:  # not seen yet, or not valid: read it (and report its problems)
            provenance = _json_provenance(raw_provenance, f"{label}.provenance", problems)
            if provenance is not None and key is not None:
                checked[key] = provenance
        if problems.total == before:
            assert isinstance(row_id, str)
            assert isinstance(name, str)
            assert provenance is not None
            ids.append(row_id)
            names.append(name)
            for column, (_indicator, value) in zip(columns, values, strict=True):
                column.append(value)
            codes.append(distinct.setdefault(provenance, len(distinct)))
    if problems:
        raise InputError(problems.listed(), source)
    return IndicatorTable.from_columns(indicators, ids, names, columns, tuple(distinct), codes)


def _json_value(value: object, path: str, problems: list[Problem]) -> int | Fraction | None:
    if isinstance(value, (float, _FloatLiteral)):
        problems.append(
            Problem(
                path,
                _(
                    "{value} is a floating-point number, which is not exact; write it as a string, "
                    'e.g. "{value}"'
                ).format(value=str(value)),
            )
        )
        return None
    if isinstance(value, bool):
        problems.append(Problem(path, _("expected a number, got a boolean")))
        return None
    if isinstance(value, int):
        if value >= 10**MAX_NUMBER_CHARS:
            problems.append(Problem(path, _("the number is too large for an indicator value")))
            return None
        if value < 0:
            problems.append(
                Problem(
                    path,
                    _("{value} is negative; indicator values must be zero or more").format(
                        value=value
                    ),
                )
            )
            return None
        return value
    if isinstance(value, str):
        number = _number(value)
        if isinstance(number, str):
            problems.append(Problem(path, number))
            return None
        return number
    problems.append(
        Problem(path, _("expected a number, got {type}").format(type=type(value).__name__))
    )
    return None


def _json_values(
    raw: object, indicators: tuple[str, ...], path: str, problems: list[Problem]
) -> tuple[tuple[str, int | Fraction], ...]:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, _("expected an object: indicator name -> value")))
        return ()
    for key in raw:
        if key not in indicators:
            problems.append(
                Problem(
                    f"{path}.{key}",
                    _("not one of the table's indicators ({known})").format(
                        known=", ".join(indicators)
                    ),
                )
            )
    out: list[tuple[str, int | Fraction]] = []
    for indicator in indicators:
        if indicator not in raw:
            problems.append(Problem(f"{path}.{indicator}", _("missing value")))
            continue
        number = _json_value(raw[indicator], f"{path}.{indicator}", problems)
        if number is not None:
            out.append((indicator, number))
    return tuple(out)


def _provenance_key(raw: object) -> tuple[tuple[str, str], ...] | None:
    """A provenance object of strings as a hashable key (None for anything else): rows share a
    few provenances, each read and checked once."""
    if type(raw) is not dict or not all(type(v) is str for v in raw.values()):
        return None
    return tuple(raw.items())


def _json_provenance(raw: object, path: str, problems: list[Problem]) -> Provenance | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, _("expected an object with source, reference_date, status")))
        return None
    before = _count(problems)
    for key in raw:
        if key not in PROVENANCE_COLUMNS and key not in ITALIAN_COLUMNS:
            problems.append(Problem(f"{path}.{key}", _("unknown key")))
    texts: dict[str, str] = {}
    for key in (*PROVENANCE_COLUMNS, *ITALIAN_COLUMNS):
        value = raw.get(key)
        if value is None:
            if key not in _TEXTS:
                problems.append(Problem(f"{path}.{key}", _("missing")))
            continue
        if not isinstance(value, str):
            problems.append(Problem(f"{path}.{key}", _("expected a string")))
            continue
        texts[key] = value
    source = texts.get("source")
    if source is not None and not source.strip():
        problems.append(Problem(f"{path}.source", _("the source is empty")))
    date = sheet.read_date(texts["reference_date"], None) if "reference_date" in texts else None
    if isinstance(date, str):
        problems.append(Problem(f"{path}.reference_date", date))
    status = _status(texts["status"]) if "status" in texts else None
    if isinstance(status, str):
        problems.append(Problem(f"{path}.status", status))
    if _count(problems) != before:
        return None
    assert source is not None
    assert isinstance(date, dt.date)
    assert isinstance(status, DataStatus)
    provenance = _provenance(
        source.strip(), date, status, {k: texts.get(k, "").strip() for k in _TEXTS}
    )
    if not isinstance(provenance, Provenance):
        problems.append(Problem(f"{path}.{provenance[0]}", provenance[1]))
        return None
    return provenance


# ---- files and templates ----------------------------------------------------------------------


TABLE_LIMITS = Limits(max_bytes=512 * 1024 * 1024)
"""The default size limit of an indicator table file: 512 MiB, several million rows.

Tables are read by column in one pass (a million rows of seven columns, 70 MB of CSV, took
about 250 MiB at most), so the limit follows what the engine can allocate rather than the
64 MiB of a document; it stays bounded, so that a runaway file is refused before it is read."""


def load_indicator_table(path: str | Path, limits: Limits = TABLE_LIMITS) -> IndicatorTable:
    """Read a ``.csv``, ``.xlsx`` or ``.json`` indicator table; problems are attributed to the
    file.

    Files over ``limits.max_bytes`` are refused before they are read. A CSV file is read as a
    stream, by chunks of rows, and never held whole in memory unless it has a problem to report
    or is not UTF-8. An ``.xlsx`` file needs the ``xlsx`` extra (openpyxl).
    """
    file = file_path(path)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".json", ".xlsx"):
        raise InputError.at(
            "$",
            _("indicator tables are .csv, .xlsx or .json files, not {suffix!r}").format(
                suffix=suffix or file.name
            ),
            str(file),
        )
    if suffix == ".xlsx":
        from conciliazione_core._xlsx import read_xlsx_table

        return read_xlsx_table(file, limits)
    if suffix == ".csv":
        table = _fast_csv_file(file, limits)
        if table is not None:
            return table
    raw = read_file(file, limits)  # also what reports a missing, unreadable or oversized file
    if suffix == ".json":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError.at("$", _("the file is not UTF-8 text"), str(file)) from None
        del raw
        return parse_indicator_json(text, source=str(file), limits=limits)
    text = sheet.decode(raw, str(file))
    del raw
    return parse_indicator_csv(text, source=str(file), limits=limits)


def _fast_csv_file(file: Path, limits: Limits) -> IndicatorTable | None:
    """:func:`_fast_csv` on a UTF-8 file read as a stream; None where the careful reader must
    look (a problem, or text that is not UTF-8).

    The file is opened by :func:`open_file`: a missing, special or oversized file is refused
    here, and the stream stops at the limit even if the file grows.
    """
    for encoding in ("utf-8-sig", "cp1252"):
        if encoding == "cp1252":
            with open_file(file, limits) as whole:
                if not sheet.windows_1252(whole):
                    return None
        binary = open_file(file, limits)
        try:
            with (
                io.TextIOWrapper(binary, encoding=encoding, newline="") as stream,
                paused_gc(),
            ):
                header = stream.readline()
                delimiter = sheet.delimiter_of(header, REQUIRED_COLUMNS)
                records = chain(
                    csv.reader([header], delimiter=delimiter),
                    csv.reader(stream, delimiter=delimiter),
                )
                return _fast_csv(records, Settled(delimiter))
        except UnicodeDecodeError:
            continue  # not UTF-8: Windows-1252, if the bytes say it can only be that
        except (OSError, csv.Error):
            return None
    return None


def _cell(value: Fraction) -> str:
    """An exact value as text an indicator table reads back: ``12``, ``0.25`` or ``1/3``."""
    if value.denominator == 1:
        return str(value.numerator)
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return str(decimal) if Fraction(decimal) == value else f"{value.numerator}/{value.denominator}"


def _template_rows(
    recipients: Sequence[tuple[str, str]],
    indicators: Sequence[str],
    known: IndicatorTable | None,
) -> list[list[str]]:
    clash = [i for i in indicators if i in _RESERVED]
    if clash:
        raise InputError.at(
            "indicators", _("reserved column name(s): {names}").format(names=", ".join(clash))
        )
    filled = [(rid, name, _known_row(known, rid, indicators)) for rid, name in recipients]
    italian = any(  # the Italian columns, when the known rows have some Italian to carry
        row is not None and (row.provenance.source.it or _italian(row.provenance.method))
        for _rid, _name, row in filled
    )
    columns = (*PROVENANCE_COLUMNS, *ITALIAN_COLUMNS) if italian else PROVENANCE_COLUMNS
    rows = [["id", "name", *indicators, *columns]]
    for rid, name, row in filled:
        if row is None:
            rows.append([rid, name, *([""] * len(indicators)), *([""] * len(columns))])
            continue
        origin = row.provenance
        cells = [
            rid,
            name,
            *(_cell(row.value(i)) for i in indicators),
            origin.source.en,
            origin.reference_date.isoformat(),
            origin.status.value,
            origin.method.en if origin.method else "",
        ]
        if italian:
            cells += [origin.source.it or "", _italian(origin.method)]
        rows.append(cells)
    return rows


def _known_row(
    known: IndicatorTable | None, rid: str, indicators: Sequence[str]
) -> IndicatorRow | None:
    """The row ``known`` has for ``rid`` with every indicator, to fill in; else None."""
    row = known.get(rid) if known is not None else None
    return row if row is not None and set(indicators) <= set(row.indicators) else None


def _italian(text: Text | None) -> str:
    return (text.it or "") if text is not None else ""


def indicator_template_csv(
    recipients: Sequence[tuple[str, str]],
    indicators: Sequence[str],
    known: IndicatorTable | None = None,
) -> str:
    """A CSV to fill in: one row per recipient, indicator and provenance cells left empty.

    Rows that ``known`` (e.g. the cycle's shipped reference data) has for every indicator come
    filled in with its values and provenance, so only the missing ones are left to supply.
    A policy officer fills it (values, source, reference date, status, method) and passes it
    back as an indicator table.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(_template_rows(recipients, indicators, known))
    return buffer.getvalue()


def indicator_template_xlsx(
    recipients: Sequence[tuple[str, str]],
    indicators: Sequence[str],
    known: IndicatorTable | None = None,
) -> bytes:
    """The template of :func:`indicator_template_csv` as an ``.xlsx`` workbook (needs the
    ``xlsx`` extra): the same rows, values as text (exact), reference dates as dates."""
    from conciliazione_core._xlsx import template_xlsx

    return template_xlsx(_template_rows(recipients, indicators, known))
