"""Numbers for people: euros, exact decimals, percentages and shares, in English or Italian.

Formatting never goes through floats: every figure is an exact :class:`~fractions.Fraction`
or :class:`~conciliazione_core._money.Money`, printed digit by digit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from itertools import chain, repeat
from typing import overload

from conciliazione_core._grid import MeasuredCells
from conciliazione_core._money import Money
from conciliazione_core.i18n import current_language, language

__all__ = [
    "AmountTexts",
    "amount",
    "amounts",
    "decimal",
    "euros",
    "format_share",
    "group",
    "in_language",
    "percent",
]


@contextmanager
def in_language(lang: str | None) -> Iterator[str]:
    """Messages in ``lang`` inside the block; None keeps the current language."""
    if lang is None:
        yield current_language()
    else:
        with language(lang) as chosen:
            yield chosen


def group(whole: int, lang: str) -> str:
    """``1,234,567`` (``1.234.567`` in Italian)."""
    text = f"{whole:,}"
    return text.replace(",", ".") if lang == "it" else text


def decimal(value: Fraction, lang: str, places: int = 6) -> str:
    """``1,234.5`` exactly, or ``1,234.567891…`` when it needs more than ``places`` decimals."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = value.numerator // value.denominator
    rest = value - whole
    point = "," if lang == "it" else "."
    digits = ""
    for _i in range(places):
        if not rest:
            break
        rest *= 10
        digit = rest.numerator // rest.denominator
        digits += str(digit)
        rest -= digit
    text = sign + group(whole, lang)
    if digits:
        text += point + digits
    return text + ("…" if rest else "")


def euros(value: Fraction | Money, lang: str, *, signed: bool = False) -> str:
    """``€2,800,000`` / ``€82,947.35`` / ``€82,947.354321…`` (``€ 2.800.000`` in Italian)."""
    exact = value.fraction if isinstance(value, Money) else value
    sign = "+" if signed else ""
    if exact < 0:
        sign, exact = "−", -exact
    cents = exact * 100
    if exact.denominator == 1:
        body = group(exact.numerator, lang)
    elif cents.denominator == 1:
        point = "," if lang == "it" else "."
        body = f"{group(cents.numerator // 100, lang)}{point}{cents.numerator % 100:02d}"
    else:
        body = decimal(exact, lang)
    return f"{sign}€ {body}" if lang == "it" else f"{sign}€{body}"


def percent(value: Fraction, lang: str) -> str:
    """A fraction as a percentage: ``2.962364…%``."""
    return decimal(value * 100, lang) + "%"


def amount(value: Money, lang: str) -> str:
    """``1,234.50`` (``1.234,50`` in Italian): two decimals, no currency sign, for tables."""
    return f"{group(value.cents // 100, lang)}{',' if lang == 'it' else '.'}{value.cents % 100:02d}"


_HUNDREDTHS = tuple(f".{c:02d}" for c in range(100))
_DECIMALS_IT = tuple(f",{c:02d}" for c in range(100))


def amounts(values: Iterable[int], lang: str, cents: bool) -> list[str]:
    """Amounts in cents for a table column, in one pass: each ``amount(Money(v), lang)`` when
    ``cents``, else ``group(v // 100, lang)`` (whole euros)."""
    if cents:
        hundredths = _HUNDREDTHS  # ".05": a look-up, not a format per cell
        texts = [f"{w:,}{hundredths[r]}" for w, r in map(divmod, values, repeat(100))]
    else:
        texts = [f"{v // 100:,}" for v in values]
    if lang == "it":  # the thousands first, then the decimal comma back
        if cents:
            return [f"{t[:-3].replace(',', '.')},{t[-2:]}" for t in texts]
        return [t.replace(",", ".") for t in texts]
    return texts


def format_share(value: Fraction) -> str:
    """A share for people: ``80%`` when it is a whole or decimal percentage, else ``4/14``."""
    pct = value * 100
    if pct.denominator == 1:
        return f"{pct.numerator}%"
    for places in (1, 2, 3, 4):
        scaled = pct * 10**places
        if scaled.denominator == 1:
            whole, frac = divmod(scaled.numerator, 10**places)
            return f"{whole}.{frac:0{places}d}%"
    return f"{value.numerator}/{value.denominator}"


_CHUNK = 10_000


class AmountTexts(MeasuredCells):
    """A table column's amounts, ``values`` in units of ``unit`` cents, as :func:`amounts`
    writes them, formatted 10,000 at a time while the column is read: a million amounts are
    never all held as text. Its width is the largest amount's text, since a larger amount is
    never written shorter."""

    def __init__(self, values: Sequence[int], lang: str, cents: bool, unit: int = 1) -> None:
        self._values, self._lang, self._cents, self._unit = values, lang, cents, unit
        self._grouped: list[str] | None = None
        self._largest = max(values, default=0)  # in units: its text is the longest
        top = self._largest * unit // 100
        if top <= len(values):  # many amounts, few distinct euros: "12,345" looked up, not made
            self._grouped = [group(euros, lang) for euros in range(top + 1)]

    def __len__(self) -> int:
        return len(self._values)

    def _texts(self, values: Sequence[int]) -> list[str]:
        unit, grouped = self._unit, self._grouped
        cents = values if unit == 1 else list(map(unit.__mul__, values))
        if grouped is None:
            return amounts(cents, self._lang, self._cents)
        if not self._cents:
            return list(map(grouped.__getitem__, map(int.__floordiv__, cents, repeat(100))))
        decimals = _DECIMALS_IT if self._lang == "it" else _HUNDREDTHS
        return [grouped[w] + decimals[r] for w, r in map(divmod, cents, repeat(100))]

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return self._texts(self._values[index])
        return self._texts([self._values[index]])[0]

    def __iter__(self) -> Iterator[str]:
        values = self._values
        return chain.from_iterable(  # each chunk's texts, handed on in C
            map(self._texts, (values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)))
        )

    @property
    def longest(self) -> int:
        return len(self._texts([self._largest])[0]) if self._values else 0
