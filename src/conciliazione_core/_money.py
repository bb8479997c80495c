"""Exact euro amounts.

Money is held as a whole number of cents. Floats are refused everywhere because binary floating
point cannot represent most cent amounts (``0.1 + 0.2 != 0.3``); write amounts as strings
(``"1234.56"``), integers (whole euros) or :class:`decimal.Decimal`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from typing import Any

import attrs

from conciliazione_core._errors import InputError
from conciliazione_core._numbers import (
    NumberError,
    check_decimal,
    check_int,
    decimals,
    parse_decimal,
)
from conciliazione_core.i18n import _, current_language

__all__ = ["Money", "cents_text", "cents_texts"]

_NOT_FINITE = {"nan", "snan", "inf", "infinity"}

_HUNDREDTHS = tuple(f".{c:02d}" for c in range(100))


def cents_text(cents: int) -> str:
    """``str(Money(cents))`` without building the Money (``"1234.56"``): for the millions
    of cells of a large allocation's CSV; ``cents`` must not be negative, as in a Money."""
    whole, rest = divmod(cents, 100)
    return f"{whole}{_HUNDREDTHS[rest]}"


def cents_texts(amounts: Iterable[int]) -> list[str]:
    """:func:`cents_text` of each amount in cents, in one pass (no call per amount)."""
    hundredths = _HUNDREDTHS
    return [f"{whole}{hundredths[rest]}" for whole, rest in map(divmod, amounts, repeat(100))]


def _check_cents(_instance: Any, _attribute: Any, value: int) -> None:
    if type(value) is not int:
        raise InputError.at(
            "cents",
            _('expected a whole number of cents, got {kind}; write Money.parse("1234.50")').format(
                kind=type(value).__name__
            ),
        )
    if value < 0:
        raise InputError.at(
            "cents", _("an amount cannot be negative ({value} cents)").format(value=value)
        )


@attrs.frozen(order=True)
class Money:
    """A non-negative amount of euros, exact to the cent.

    >>> Money.parse("2800000")
    Money(cents=280000000)
    >>> str(Money.parse("1234.5"))
    '1234.50'
    """

    cents: int = attrs.field(validator=_check_cents)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def euros(cls, whole: int) -> Money:
        """Whole euros."""
        return cls.parse(whole)

    @classmethod
    def parse(cls, value: object, path: str = "$") -> Money:
        """Read an amount from a string, an int (whole euros) or a Decimal.

        Raises :class:`InputError` (with ``path``) for floats, booleans, NaN, infinities, negative
        amounts, more than two decimals and anything that is not a number.
        """
        if isinstance(value, Money):
            return value
        if isinstance(value, bool):
            raise InputError.at(
                path, _("expected an amount in euros, got a boolean ({value})").format(value=value)
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError.at(
                path, _("amount {value!r} is not a finite number").format(value=value)
            )
        if isinstance(value, float):
            raise InputError.at(
                path,
                _(
                    "amount {value!r} is a floating-point number, which cannot hold cents exactly; "
                    'write it as a string, e.g. "{value:.2f}"'
                ).format(value=value),
            )
        try:
            if isinstance(value, int):
                number = Decimal(check_int(value))
            elif isinstance(value, Decimal):
                if value.is_finite() and value < 0:
                    raise InputError.at(path, _("amount {value!r} is negative").format(value=value))
                number = check_decimal(value)
            elif isinstance(value, str):
                text = value.strip()
                if text.lstrip("+-").lower() in _NOT_FINITE:
                    raise InputError.at(
                        path, _("amount {value!r} is not a finite number").format(value=value)
                    )
                number = parse_decimal(text.removeprefix("-"))
                if text.startswith("-") and number:
                    raise InputError.at(path, _("amount {value!r} is negative").format(value=value))
            else:
                number = None
        except NumberError as exc:
            if isinstance(value, str) and "digits" not in str(exc):
                raise InputError.at(
                    path,
                    _('{value!r} is not an amount; write euros as "1234.56"').format(value=value),
                ) from None
            raise InputError.at(path, str(exc)) from None
        if number is None:
            raise InputError.at(
                path,
                _("expected an amount in euros as a string, got {kind}").format(
                    kind=type(value).__name__
                ),
            )
        if not number.is_finite():
            raise InputError.at(
                path, _("amount {value!r} is not a finite number").format(value=value)
            )
        if number < 0:
            raise InputError.at(path, _("amount {value!r} is negative").format(value=value))
        cents = Fraction(number) * 100  # exact: Decimal arithmetic rounds past 28 digits
        if cents.denominator != 1 or decimals(number) > 2:
            raise InputError.at(
                path, _("amount {value!r} has more than two decimals").format(value=value)
            )
        return cls(int(cents))

    @classmethod
    def from_fraction_exact(cls, euros: Fraction, path: str = "$") -> Money:
        """An amount from an exact fraction of euros that must fall on a whole cent."""
        cents = euros * 100
        if cents.denominator != 1:
            raise InputError.at(
                path,
                _("{euros:.4f} euros is not a whole number of cents").format(euros=float(euros)),
            )
        return cls(int(cents))

    @property
    def fraction(self) -> Fraction:
        """The amount in euros as an exact fraction."""
        return Fraction(self.cents, 100)

    @property
    def decimal(self) -> Decimal:
        """The amount in euros as a two-decimal Decimal."""
        return Decimal(self.cents).scaleb(-2)

    def __str__(self) -> str:
        """Plain decimal form with two decimals, as used in JSON and CSV (``"2800000.00"``)."""
        return f"{self.cents // 100}.{self.cents % 100:02d}"

    def format(self, lang: str | None = None) -> str:
        """Human form with thousands separators: ``€2,800,000.00`` in English, ``€ 2.800.000,00``
        in Italian (the euro sign, a space, dots for thousands and a decimal comma).

        In ``lang`` when given, else in the current language of messages, so that an amount in
        a message reads the way the rest of the message does.
        """
        whole = f"{self.cents // 100:,}"
        cents = f"{self.cents % 100:02d}"
        if (lang or current_language()) == "it":
            return f"€ {whole.replace(',', '.')},{cents}"
        return f"€{whole}.{cents}"

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.cents > self.cents:
            raise ValueError(f"{self} - {other} would be negative")
        return Money(self.cents - other.cents)

    def __mul__(self, times: int) -> Money:
        if type(times) is not int:
            return NotImplemented
        return Money(self.cents * times)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.cents != 0

    @staticmethod
    def total(amounts: Any) -> Money:
        """Exact sum of an iterable of Money."""
        return Money(sum(m.cents for m in amounts))
