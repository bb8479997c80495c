"""The one exact-number grammar shared by money, fractions, indicator values and ``--set``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliazione_core import InputError, Money
from conciliazione_core._indicators import parse_indicator_csv
from conciliazione_core._numbers import MAX_DIGITS, NumberError, check_decimal, parse_decimal
from conciliazione_core.allocation import parse_fraction
from conciliazione_core.cli import main

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=MAX_DIGITS)


@given(whole=DIGITS, cents=st.text(alphabet="0123456789", max_size=2))
def test_every_accepted_amount_prints_and_reads_back_the_same(whole: str, cents: str) -> None:
    text = f"{whole}.{cents}" if cents else whole
    money = Money.parse(text)
    assert Money.parse(str(money)) == money
    assert Fraction(Decimal(str(money))) == Fraction(Decimal(text))


@given(st.decimals(allow_nan=True, allow_infinity=True, places=None))
def test_any_decimal_is_accepted_or_refused_and_what_is_accepted_prints(value: Decimal) -> None:
    try:
        checked = check_decimal(value)
    except NumberError:
        return
    assert Decimal(str(checked)) == value
    assert len(str(abs(checked).normalize()).replace(".", "")) <= 2 * MAX_DIGITS + 1


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1e-999999999"),
        Decimal("1E+999999"),
        Decimal("9" * 50),
        Decimal("-1e-999999999999999999"),
    ],
)
def test_huge_exponents_are_refused_at_once(value: Decimal) -> None:
    """Fraction(Decimal("1e-999999999")) would build a billion-digit integer and never return."""
    with pytest.raises(NumberError, match="too large or has too many decimals"):
        check_decimal(value)
    with pytest.raises(InputError, match=r"too large or has too many decimals|is negative"):
        Money.parse(value)
    with pytest.raises(InputError, match="too large or has too many decimals"):
        parse_fraction(abs(value))


@pytest.mark.parametrize("text", ["1__0", "_1", "1_0", "1e3", "+1", "١٢٣", "1.2.3", ".", ""])
def test_text_outside_the_grammar_is_refused(text: str) -> None:
    with pytest.raises(NumberError):
        parse_decimal(text)


@pytest.mark.parametrize("cell", ["1_000", "_1", "1" * 4400, "1e999999999"])
def test_indicator_values_share_the_grammar(cell: str) -> None:
    csv = f"id,name,pop,source,reference_date,status\nA,A,{cell},s,2020-01-01,official\n"
    with pytest.raises(InputError) as info:
        parse_indicator_csv(csv)
    [problem] = info.value.problems
    assert "pop" in problem.path
    assert any(w in problem.message for w in ("not a number", "digits", "longer than"))


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ('allocation.total="' + "1" * 4400 + '"', "more than 30 digits"),
        ("allocation.total=1" + "1" * 4400, "too long"),
        ('allocation.total="1__0"', "is not an amount"),
        ('allocation.total="12.340"', "more than two decimals"),
        ('allocation.envelopes.ats.split.projects.share="_8_0_%"', "is not an exact number"),
    ],
    ids=["4400-digit-text", "4400-digit-int", "underscores", "extra-decimal", "share-underscores"],
)
def test_set_shares_the_grammar(
    assignment: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["allocate", "lombardia-2020", "--set", assignment])
    out, err = capsys.readouterr()
    assert info.value.code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("conciliazione: error: ")
    assert words in err
