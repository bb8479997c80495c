"""Spreadsheet conventions: how an office writes the numbers, dates and text of a table.

An Italian office's Excel writes ``298.032`` for 298032, ``0,5`` for one half, ``01/02/2019``
for 1 February, separates the columns with ``;`` and saves the file in Windows-1252; others
write ``298,032``, ``0.5`` and separate with ``,``. A table is read in one convention, and a
value is taken only when the convention it needs is settled; otherwise it is refused with what
would settle it. Never a guess (docs/indicator-tables.md states the rules):

* **Columns**: separated by ``;``, a tab or ``,``: the one that splits the header into the
  required columns.
* **Numbers**: one mark is the decimal mark, the other groups thousands in threes. With ``;``
  the decimal mark is ``,`` (that is why Excel chose ``;``). Otherwise the file settles it: a
  value that reads only one way (``0.25``, ``1,5``, ``1.234.567``) settles it for the whole
  file, two that settle it differently are refused, and a value that reads two ways
  (``298.032``: 298032 or 298.032) while nothing settles it is refused.
* **Dates**: ``YYYY-MM-DD`` always; ``dd/mm/yyyy`` when the day cannot be the month (``31/12``,
  ``01/01``) or the file is settled as Italian (``;``, a decimal comma, or another date whose
  first number is over 12). A month first (``12/31/2019``) is refused.
* **Text**: UTF-8 (a byte order mark is dropped); a file that is not UTF-8 is read as
  Windows-1252 if it decodes, unless it holds a character that ISO-8859-15 writes with the same
  byte as a different letter (``¤`` for ``€``).

The numbers themselves are read by the one grammar, :mod:`conciliazione_core._numbers`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from fractions import Fraction
from typing import BinaryIO

from conciliazione_core._errors import InputError
from conciliazione_core._numbers import (
    DECIMAL_MARKS,
    MAX_DIGITS,
    NumberError,
    parse_decimal,
    plain_text,
)
from conciliazione_core.i18n import _

__all__ = [
    "DELIMITERS",
    "MAX_NUMBER_CHARS",
    "Settled",
    "date_evidence",
    "decode",
    "delimiter_of",
    "not_a_value",
    "number",
    "number_evidence",
    "read_date",
    "windows_1252",
]

DELIMITERS = (";", "\t", ",")
"""Column separators, in the order they are tried on the header."""

MAX_NUMBER_CHARS = 40
"""The longest number accepted as text: far more digits than any real indicator has."""

_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# The characters Windows-1252 and ISO-8859-15 write with the same byte: ¤ is € in the latter.
_LATIN9_CLASHES = frozenset("¤¦¨´¸¼½¾")


def delimiter_of(header: str, required: tuple[str, ...]) -> str:
    """The separator that splits the header line into cells including ``required`` (``,`` if
    none does: the reader then says which columns are missing)."""
    best, most = ",", -1
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([header], delimiter=delimiter), [])
        except csv.Error:
            continue
        names = {c.strip() for c in cells}
        found = sum(1 for r in required if r in names)
        if found == len(required):
            return delimiter
        if found > most:
            best, most = delimiter, found
    return best if most > 0 else ","


class Settled:
    """The convention of one table, as far as it is settled: the decimal mark (None while no
    value has settled it) and whether dates are day first; each with why, for messages."""

    __slots__ = ("day_first", "day_why", "mark", "mark_why")

    def __init__(self, delimiter: str) -> None:
        self.mark: str | None = None
        self.mark_why = ""
        self.day_first = False
        self.day_why = ""
        if delimiter == ";":
            why = _("the columns are separated by ';'")
            self.mark, self.mark_why = ",", why
            self.day_first, self.day_why = True, why

    def settle_mark(self, mark: str, why: str) -> str | None:
        """Settle the decimal mark; the reason it was settled otherwise, if it was."""
        if self.mark is None:
            self.mark, self.mark_why = mark, why
            if mark == "," and not self.day_first:
                self.day_first, self.day_why = True, why
            return None
        return None if self.mark == mark else self.mark_why

    def settle_day_first(self, why: str) -> None:
        if not self.day_first:
            self.day_first, self.day_why = True, why


def number_evidence(text: str) -> str | None:
    """The decimal mark a cell settles: the one of its two readings that exists, if only one
    does (``0.25`` settles ``.``, ``1,5`` and ``1.234.567`` settle ``,``)."""
    cleaned = text.strip().removeprefix("-")
    if cleaned.isdigit() or len(cleaned) > MAX_NUMBER_CHARS:
        return None
    readings = [m for m in DECIMAL_MARKS if plain_text(cleaned, m) is not None]
    return readings[0] if len(readings) == 1 else None


def not_a_value(cleaned: str, text: str) -> str | None:
    """Why a cell (``cleaned``: stripped) is no indicator value whatever its convention: too
    long to be one, NaN, infinite; None when it may be a number."""
    if len(cleaned) > MAX_NUMBER_CHARS:
        return _("{text!r} is longer than {n} characters: not an indicator value").format(
            text=cleaned[:20] + "…", n=MAX_NUMBER_CHARS
        )
    word = cleaned.lstrip("+-").lower()
    if word in ("nan", "snan"):
        return _("{text!r} is not a number (NaN)").format(text=text)
    if word in ("inf", "infinity"):
        return _("{text!r} is infinite").format(text=text)
    return None


def number(text: str, settled: Settled) -> int | Fraction | str:
    """An exact non-negative number from a cell, or the reason it is not one."""
    cleaned = text.strip()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= MAX_DIGITS:
        return int(cleaned)  # what the grammar reads it as, in one step
    if not cleaned:
        return _("the cell is empty")
    refused = not_a_value(cleaned, text)
    if refused is not None:
        return refused
    readings = {m: plain_text(cleaned.removeprefix("-"), m) for m in DECIMAL_MARKS}
    if cleaned.startswith("-") and any(readings.values()):
        return _("{text!r} is negative; indicator values must be zero or more").format(text=text)
    mark = settled.mark
    if mark is not None:
        plain = readings[mark]
        other = readings["." if mark == "," else ","]
        if plain is None and other is not None:
            return _(
                "{text!r} is not a number where {mark!r} is the decimal mark and the other mark "
                "separates thousands in groups of three, as in this file ({why}); write {fixed}"
            ).format(text=text, mark=mark, why=settled.mark_why, fixed=other.replace(".", mark))
    else:
        comma, point = readings[","], readings["."]
        if comma is not None and point is not None and comma != point:
            group = "." if "." in cleaned else ","
            return _(
                "{text!r} is ambiguous: {grouped} if {group!r} separates thousands, {decimal} if "
                "it is the decimal mark, and no other value of the file says which; write "
                "{grouped} for the first, {padded} for the second, or save the file with ';' "
                "between columns (then ',' is the decimal mark and '.' separates thousands)"
            ).format(
                text=text,
                grouped=cleaned.replace(group, ""),
                group=group,
                decimal=cleaned.replace(",", "."),
                padded=cleaned + "0",
            )
        plain = comma if comma is not None else point
    if plain is None:
        return _("{text!r} is not a number").format(text=text)
    try:
        return Fraction(parse_decimal(plain))  # the one number grammar, bounded
    except NumberError as exc:
        return str(exc)


def _day_month_year(text: str) -> tuple[int, int, int] | None:
    found = _DAY_MONTH_YEAR.fullmatch(text.strip())
    if found is None:
        return None
    day, month, year = (int(g) for g in found.groups())
    return day, month, year


def date_evidence(text: str) -> bool:
    """Whether a date cell settles that dates are day first (``31/12/2019``)."""
    parts = _day_month_year(text)
    return parts is not None and 12 < parts[0] <= 31 and 1 <= parts[1] <= 12


def read_date(text: str, settled: Settled | None) -> dt.date | str:
    """A date from a cell, ``YYYY-MM-DD`` or ``dd/mm/yyyy``, or the reason it is not one;
    ``YYYY-MM-DD`` only where no spreadsheet convention applies (``settled`` None: JSON)."""
    cleaned = text.strip()
    if not cleaned:
        return _("the reference date is empty; write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        pass
    parts = None if settled is None else _day_month_year(cleaned)
    if settled is None or parts is None:
        return _("{text!r} is not a date; write it as YYYY-MM-DD").format(text=text)
    day, month, year = parts
    if month > 12 and day <= 12:
        return _(
            "{text!r} puts the month first; write it as YYYY-MM-DD ({iso}) or day/month/year"
        ).format(text=text, iso=f"{year:04d}-{day:02d}-{month:02d}")
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return _("{text!r} is not a date; write it as YYYY-MM-DD").format(text=text)
    if day != month and day <= 12 and not settled.day_first:
        return _(
            "{text!r} is ambiguous: {first} if the day comes first (as in Italy), {second} if "
            "the month does, and nothing in the file says which; write it as YYYY-MM-DD"
        ).format(text=text, first=date.isoformat(), second=f"{year:04d}-{day:02d}-{month:02d}")
    return date


# Bytes that make a file that is not UTF-8 something else than unambiguous Windows-1252: a
# byte order mark, the bytes Windows-1252 leaves undefined, those of the ISO-8859-15 clashes.
_NOT_WINDOWS_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe]")


def windows_1252(stream: BinaryIO) -> bool:
    """Whether a file that is not UTF-8 can be read as Windows-1252 without a doubt (see
    :func:`decode`), read by blocks from its start to its end."""
    start = stream.read(4)
    if start.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    block = start
    while block:
        if _NOT_WINDOWS_1252.search(block):
            return False
        block = stream.read(1 << 20)
    return True


def decode(raw: bytes, source: str | None) -> str:
    """A table file's text: UTF-8 (a byte order mark dropped), else Windows-1252 if the bytes
    decode as such and cannot be ISO-8859-15 read wrong; anything else is refused."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError.at(
            "$",
            _(
                "the file is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' or "
                "as CSV with ';' between columns"
            ),
            source,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        position = exc.start
        if raw.startswith(codecs.BOM_UTF8):
            raise InputError.at(
                "$",
                _(
                    "the file starts as UTF-8 text but is not UTF-8 (byte {position:,}); save "
                    "it again as 'CSV UTF-8'"
                ).format(position=position),
                source,
            ) from None
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            "$",
            _(
                "the file is neither UTF-8 nor Windows-1252 text (byte 0x{byte:02X} at "
                "{position:,}); save it as 'CSV UTF-8'"
            ).format(byte=raw[exc.start], position=exc.start),
            source,
        ) from None
    clash = next((c for c in _LATIN9_CLASHES if c in text), None)
    if clash is not None:
        raise InputError.at(
            "$",
            _(
                "the file is not UTF-8, and its byte 0x{byte:02X} is {char!r} in Windows-1252 but "
                "another letter in ISO-8859-15 (0xA4 is '€' there); save it as 'CSV UTF-8'"
            ).format(byte=clash.encode("cp1252")[0], char=clash),
            source,
        )
    return text
