"""The one exact-number grammar: money, fractions, percentages, indicator values and ``--set``.

A number as text is plain ASCII decimal digits with at most one ``.``: no sign, exponent,
underscore, thousands separator or non-ASCII digit (``Decimal`` would take ``"1_0"``,
``"1e999999999"`` and ``"١٢٣"``). Every number, whatever its type, has at most
:data:`MAX_DIGITS` digits before the point and :data:`MAX_DIGITS` after it, checked from its
digits and exponent before any arithmetic: so reading is bounded in time whatever the input,
and anything accepted can be printed and written back.
"""

from __future__ import annotations

import re
from decimal import Decimal

from conciliazione_core.i18n import _

__all__ = [
    "DECIMAL_MARKS",
    "GROUPED_INTEGER",
    "MAX_DIGITS",
    "NumberError",
    "check_decimal",
    "check_int",
    "decimals",
    "parse_decimal",
    "plain_text",
]

MAX_DIGITS = 30
"""Digits before the point, and after it: 10^30 and 30 decimals are far beyond any real value."""

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


class NumberError(ValueError):
    """A number outside the grammar; its message is for people (callers add the path)."""


def parse_decimal(text: str) -> Decimal:
    """A non-negative decimal from text in the grammar (callers strip and handle signs)."""
    if len(text) > 2 * MAX_DIGITS + 1:
        raise NumberError(
            _("{text!r} has more than {n} digits").format(text=text[:20] + "…", n=MAX_DIGITS)
        )
    if not _DECIMAL.fullmatch(text):
        raise NumberError(_("{text!r} is not a plain decimal number").format(text=text))
    return check_decimal(Decimal(text))


def check_decimal(value: Decimal) -> Decimal:
    """``value`` if finite and within the digit and exponent bounds (checked without arithmetic)."""
    if not value.is_finite():
        raise NumberError(_("{value} is not a finite number").format(value=value))
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # Bounds on the decimals and on the magnitude, from the exponent and the digit count alone.
    if exponent < -MAX_DIGITS or len(digits) + exponent > MAX_DIGITS:
        raise NumberError(
            _("the number is too large or has too many decimals (at most {n} digits)").format(
                n=MAX_DIGITS
            )
        )
    return value


def check_int(value: int) -> int:
    """``value`` if it has at most :data:`MAX_DIGITS` digits (checked from its bit length)."""
    if value.bit_length() > 100 or abs(value) >= 10**MAX_DIGITS:
        raise NumberError(_("the number has more than {n} digits").format(n=MAX_DIGITS))
    return value


def decimals(value: Decimal) -> int:
    """How many decimals ``value`` is written with (``12.340`` has three)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# Spreadsheet conventions: Italian offices write 298.032 for 298032 and 0,5 for one half; others
# write 298,032 and 0.5. One of the two marks is the decimal mark, the other groups thousands in
# threes. A number in either convention is turned into the grammar above and read by it.
_GROUPED = {
    mark: re.compile(
        rf"(?:[0-9]+|[1-9][0-9]{{0,2}}(?:{re.escape(group)}[0-9]{{3}})+)"
        rf"(?:{re.escape(mark)}[0-9]*)?|{re.escape(mark)}[0-9]+"
    )
    for mark, group in ((".", ","), (",", "."))
}
GROUPED_INTEGER = {
    group: re.compile(rf"[0-9]+|[1-9][0-9]{{0,2}}(?:{re.escape(group)}[0-9]{{3}})+")
    for group in (".", ",")
}
"""Whole numbers with ``group`` (the mark that is not the decimal one) between thousands: what
:func:`plain_text` reads as an integer, matched in one call for long columns."""
DECIMAL_MARKS = (".", ",")
"""The two decimal marks a spreadsheet may use; the other one groups thousands."""


def plain_text(text: str, decimal_mark: str) -> str | None:
    """``text`` rewritten in the grammar if it is a number with ``decimal_mark`` ("." or ",") as
    its decimal mark and the other mark, if any, grouping thousands in threes; else None.

    ``plain_text("298.032", ",")`` is ``"298032"``; ``plain_text("298.032", ".")`` is
    ``"298.032"``; ``plain_text("12.5", ",")`` is None (the groups are not of three digits).
    """
    if not _GROUPED[decimal_mark].fullmatch(text):
        return None
    group = "," if decimal_mark == "." else "."
    return text.replace(group, "").replace(decimal_mark, ".")
