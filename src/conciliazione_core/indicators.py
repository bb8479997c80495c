"""Indicator tables: the per-recipient figures an allocation is computed from.

An indicator table gives, for each recipient (an ASL, an ATS...), one exact non-negative value per
indicator (resident population, area...) and the provenance of the row: where the figures come
from, the date they refer to and whether they are official, derived or estimated. Allocations
read these tables and report every non-official input they used.

Tables are read from CSV (what a policy officer edits in a spreadsheet) or JSON. Values are exact:
integers or decimals written as text, never binary floats, so that two runs and two machines
always produce the same euro amounts.

CSV layout (the header is spreadsheet row 1; problems name the spreadsheet row)::

    id,name,<indicator>...,source,reference_date,status[,method]

Every column other than ``id``, ``name``, ``source``, ``reference_date``, ``status`` and
``method`` is an indicator.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from math import lcm
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import attrs

from conciliazione_core._numbers import NumberError, parse_decimal
from conciliazione_core.errors import InputError, Problem
from conciliazione_core.i18n import _
from conciliazione_core.provenance import DataStatus, Provenance
from conciliazione_core.serialisation import DEFAULT_LIMITS, Limits, parse_json, read_file

__all__ = [
    "IndicatorRow",
    "IndicatorTable",
    "indicator_template_csv",
    "load_indicator_table",
    "parse_indicator_csv",
    "parse_indicator_json",
]

PROVENANCE_COLUMNS = ("source", "reference_date", "status", "method")
REQUIRED_COLUMNS = ("id", "name", "source", "reference_date", "status")
_RESERVED = frozenset(("id", "name", *PROVENANCE_COLUMNS))


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


def _check_rows(instance: IndicatorTable, _attribute: Any, rows: tuple[IndicatorRow, ...]) -> None:
    if len(set(instance.indicators)) != len(instance.indicators):
        raise ValueError("indicator names must be unique")
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise ValueError(f"duplicate row id {row.id!r}")
        seen.add(row.id)
        if row.indicators != instance.indicators:
            raise ValueError(
                f"row {row.id!r} has indicators {row.indicators}, "
                f"the table has {instance.indicators}"
            )


@attrs.frozen
class IndicatorTable:
    """Indicator values for a set of recipients, one row each, ids unique.

    Every row lists the table's indicators in the table's order; the table checks it once so
    that the allocation engine can read whole columns without per-row look-ups.
    """

    indicators: tuple[str, ...]
    rows: tuple[IndicatorRow, ...] = attrs.field(validator=_check_rows)
    # Derived, read-only look-ups computed on first use (a cache, not state).
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False, eq=False, hash=False)

    def get(self, id: str) -> IndicatorRow | None:
        """The row of recipient ``id``, or None."""
        position = self.positions.get(id)
        return None if position is None else self.rows[position]

    @property
    def ids(self) -> tuple[str, ...]:
        """Row ids in table order."""
        ids = self._cache.get("ids")
        if ids is None:
            ids = self._cache["ids"] = tuple(map(attrgetter("id"), self.rows))
        return ids

    @property
    def positions(self) -> Mapping[str, int]:
        """Row id -> position in :attr:`rows`."""
        positions = self._cache.get("positions")
        if positions is None:
            positions = self._cache["positions"] = dict(
                zip(self.ids, range(len(self.rows)), strict=True)
            )
        return positions

    def non_official(self) -> tuple[str, ...]:
        """Ids of rows whose provenance is not official (derived or estimate), in table order."""
        return tuple(r.id for r in self.non_official_rows())

    def non_official_rows(self) -> tuple[IndicatorRow, ...]:
        """Rows whose provenance is not official, in table order."""
        found: tuple[IndicatorRow, ...] | None = self._cache.get("non_official")
        if found is None:
            official = DataStatus.OFFICIAL
            statuses = map(attrgetter("provenance.status"), self.rows)
            found = self._cache["non_official"] = tuple(
                row
                for row, status in zip(self.rows, statuses, strict=True)
                if status is not official
            )
        return found

    def column(self, indicator: str) -> tuple[Fraction, ...]:
        """The values of one indicator, in row order."""
        key = "column:" + indicator
        found = self._cache.get(key)
        if found is None:
            try:
                j = self.indicators.index(indicator)
            except ValueError:
                raise KeyError(
                    f"no indicator {indicator!r} (the table has: {', '.join(self.indicators)})"
                ) from None
            found = self._cache[key] = tuple(
                map(itemgetter(1), map(itemgetter(j), map(attrgetter("values"), self.rows)))
            )
        return found

    def integer_column(self, indicator: str) -> tuple[tuple[int, ...], int]:
        """One indicator as integers over a common denominator: ``(numerators, denominator)``.

        This is what the allocation engine computes with: exact, and fast on plain ints.
        """
        key = "integers:" + indicator
        found = self._cache.get(key)
        if found is None:
            column = self.column(indicator)
            common = lcm(*set(map(attrgetter("denominator"), column)))
            if common == 1:
                numerators = tuple(map(attrgetter("numerator"), column))
            else:
                numerators = tuple(v.numerator * (common // v.denominator) for v in column)
            found = self._cache[key] = (numerators, common)
        return found


# ---- reading values ---------------------------------------------------------------------------


# Plain decimals in ASCII digits. Decimal's own grammar would also take "1e999999999", whose
# exact value is an integer of a billion digits (building it hangs), and non-ASCII digits.
_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
MAX_NUMBER_CHARS = 40
"""The longest number accepted as text: far more digits than any real indicator has."""


def _number(text: str) -> Fraction | str:
    """An exact non-negative number from text, or the reason it is not one."""
    cleaned = text.strip()
    if not cleaned:
        return _("the cell is empty")
    if "," in cleaned:
        return _(
            "{text!r} is not a number: use '.' as the decimal point and no thousands separators"
        ).format(text=text)
    if len(cleaned) > MAX_NUMBER_CHARS:
        return _("{text!r} is longer than {n} characters: not an indicator value").format(
            text=cleaned[:20] + "…", n=MAX_NUMBER_CHARS
        )
    word = cleaned.lstrip("+-").lower()
    if word in ("nan", "snan"):
        return _("{text!r} is not a number (NaN)").format(text=text)
    if word in ("inf", "infinity"):
        return _("{text!r} is infinite").format(text=text)
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


def _date(text: str) -> dt.date | str:
    cleaned = text.strip()
    if not cleaned:
        return _("the reference date is empty; write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        return _("{text!r} is not a date; write it as YYYY-MM-DD").format(text=text)


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


def _csv_lines(text: str, source: str | None) -> list[tuple[int, list[str]]]:
    """The non-blank rows with their spreadsheet row numbers; malformed CSV is an InputError."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[tuple[int, list[str]]] = []
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                lines.append((row, cells))
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            message = _("a cell is longer than {n:,} characters").format(n=csv.field_size_limit())
        elif "new-line character" in reason:
            message = _("a line break inside a cell that is not in quotes")
        else:
            message = _("not valid CSV: {reason}").format(reason=reason)
        raise InputError.at(f"row {row + 1}", message, source) from None
    return lines


def parse_indicator_csv(
    text: str, source: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> IndicatorTable:
    """Read an indicator table from CSV text; every problem is collected into one InputError."""
    _check_size(text, source, limits)
    lines = _csv_lines(text.removeprefix("\ufeff"), source)
    if not lines:
        raise InputError.at(
            "$", _("the file is empty; it needs a header row and data rows"), source
        )
    header_line, raw_header = lines[0]
    header = [h.strip() for h in raw_header]
    problems: list[Problem] = []
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
    if len(lines) == 1:
        raise InputError.at(
            f"row {header_line}", _("the file has a header but no data rows"), source
        )

    where = {name: i for i, name in enumerate(header)}
    rows: list[IndicatorRow] = []
    seen: dict[str, int] = {}
    for line, cells in lines[1:]:
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
        row_problems = len(problems)

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
        values: list[tuple[str, Fraction]] = []
        for indicator in indicators:
            number = _number(cells[where[indicator]])
            if isinstance(number, str):
                cell_problem(indicator, number)
            else:
                values.append((indicator, number))
        src = cells[where["source"]]
        if not src:
            cell_problem("source", _("the source is empty; say where the figures come from"))
        date = _date(cells[where["reference_date"]])
        if isinstance(date, str):
            cell_problem("reference_date", date)
        status = _status(cells[where["status"]])
        if isinstance(status, str):
            cell_problem("status", status)
        method = cells[where["method"]] if "method" in where else ""
        if len(problems) == row_problems:
            assert isinstance(date, dt.date)
            assert isinstance(status, DataStatus)
            rows.append(
                IndicatorRow(
                    id=row_id,
                    name=name,
                    values=tuple(values),
                    provenance=Provenance(src, date, status, method or None),
                )
            )
    if problems:
        raise InputError(problems, source)
    return IndicatorTable(indicators, tuple(rows))


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
    problems: list[Problem] = []
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
        raise InputError(problems, source)
    if problems:
        raise InputError(problems, source)

    rows: list[IndicatorRow] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_rows):
        base = f"$.rows[{i}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(base, _("expected an object")))
            continue
        row_id = raw.get("id")
        label = f"{base} ({row_id})" if isinstance(row_id, str) and row_id else base
        before = len(problems)
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
        provenance = _json_provenance(raw.get("provenance"), f"{label}.provenance", problems)
        if len(problems) == before:
            assert isinstance(row_id, str)
            assert isinstance(name, str)
            assert provenance is not None
            rows.append(IndicatorRow(row_id, name, values, provenance))
    if problems:
        raise InputError(problems, source)
    return IndicatorTable(indicators, tuple(rows))


def _json_value(value: object, path: str, problems: list[Problem]) -> Fraction | None:
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
        return Fraction(value)
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
) -> tuple[tuple[str, Fraction], ...]:
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
    out: list[tuple[str, Fraction]] = []
    for indicator in indicators:
        if indicator not in raw:
            problems.append(Problem(f"{path}.{indicator}", _("missing value")))
            continue
        number = _json_value(raw[indicator], f"{path}.{indicator}", problems)
        if number is not None:
            out.append((indicator, number))
    return tuple(out)


def _json_provenance(raw: object, path: str, problems: list[Problem]) -> Provenance | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, _("expected an object with source, reference_date, status")))
        return None
    before = len(problems)
    for key in raw:
        if key not in PROVENANCE_COLUMNS:
            problems.append(Problem(f"{path}.{key}", _("unknown key")))
    texts: dict[str, str] = {}
    for key in PROVENANCE_COLUMNS:
        value = raw.get(key)
        if value is None:
            if key != "method":
                problems.append(Problem(f"{path}.{key}", _("missing")))
            continue
        if not isinstance(value, str):
            problems.append(Problem(f"{path}.{key}", _("expected a string")))
            continue
        texts[key] = value
    source = texts.get("source")
    if source is not None and not source.strip():
        problems.append(Problem(f"{path}.source", _("the source is empty")))
    date = _date(texts["reference_date"]) if "reference_date" in texts else None
    if isinstance(date, str):
        problems.append(Problem(f"{path}.reference_date", date))
    status = _status(texts["status"]) if "status" in texts else None
    if isinstance(status, str):
        problems.append(Problem(f"{path}.status", status))
    if len(problems) != before:
        return None
    assert source is not None
    assert isinstance(date, dt.date)
    assert isinstance(status, DataStatus)
    return Provenance(source.strip(), date, status, texts.get("method") or None)


# ---- files and templates ----------------------------------------------------------------------


def load_indicator_table(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> IndicatorTable:
    """Read a ``.csv`` or ``.json`` indicator table; problems are attributed to the file.

    Files over ``limits.max_bytes`` are refused before they are read.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise InputError.at(
            "$",
            _("indicator tables are .csv or .json files, not {suffix!r}").format(
                suffix=suffix or file.name
            ),
            str(file),
        )
    raw = read_file(file, limits)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.at("$", _("the file is not UTF-8 text"), str(file)) from None
    if suffix == ".json":
        return parse_indicator_json(text, source=str(file), limits=limits)
    return parse_indicator_csv(text, source=str(file), limits=limits)


def _cell(value: Fraction) -> str:
    """An exact value as text an indicator table reads back: ``12``, ``0.25`` or ``1/3``."""
    if value.denominator == 1:
        return str(value.numerator)
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return str(decimal) if Fraction(decimal) == value else f"{value.numerator}/{value.denominator}"


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
    clash = [i for i in indicators if i in _RESERVED]
    if clash:
        raise InputError.at(
            "indicators", _("reserved column name(s): {names}").format(names=", ".join(clash))
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", *indicators, *PROVENANCE_COLUMNS])
    for rid, name in recipients:
        row = known.get(rid) if known is not None else None
        if row is not None and all(i in row.indicators for i in indicators):
            origin = row.provenance
            writer.writerow(
                [
                    rid,
                    name,
                    *(_cell(row.value(i)) for i in indicators),
                    origin.source,
                    origin.reference_date.isoformat(),
                    origin.status.value,
                    origin.method or "",
                ]
            )
        else:
            writer.writerow(
                [rid, name, *([""] * len(indicators)), *([""] * len(PROVENANCE_COLUMNS))]
            )
    return buffer.getvalue()
