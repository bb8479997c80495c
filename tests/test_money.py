"""Money: exact cents, strict parsing with clear messages, arithmetic and formatting."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._money import Money, cents_text, cents_texts
from conciliazione_core.testing._models import amounts


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ("1234.56", 123456),
        ("1234.5", 123450),
        ("1234", 123400),
        ("0", 0),
        ("0.01", 1),
        ("  12.30 ", 1230),
        (".5", 50),
        ("5.", 500),
        ("-0", 0),
        (7, 700),
        (0, 0),
        (2800000, 280000000),
        (Decimal("1.10"), 110),
        (Decimal("3E+2"), 30000),
        (Money(42), 42),
        # 30 significant digits: exact, where Decimal's default 28-digit context would round
        ("1234567890123456789012345678.99", 123456789012345678901234567899),
    ],
)
def test_parse_accepts(value: object, cents: int) -> None:
    assert Money.parse(value) == Money(cents)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (1.5, "floating-point number, which cannot hold cents exactly"),
        (0.1, 'write it as a string, e.g. "0.10"'),
        (float("nan"), "is not a finite number"),
        (float("inf"), "is not a finite number"),
        (float("-inf"), "is not a finite number"),
        ("NaN", "is not a finite number"),
        ("nan", "is not a finite number"),
        ("sNaN", "is not a finite number"),
        ("Infinity", "is not a finite number"),
        ("-inf", "is not a finite number"),
        (Decimal("NaN"), "is not a finite number"),
        (Decimal("Infinity"), "is not a finite number"),
        ("-1", "is negative"),
        ("-0.01", "is negative"),
        (-1, "is negative"),
        (Decimal("-5"), "is negative"),
        ("1.234", "has more than two decimals"),
        ("0.001", "has more than two decimals"),
        (Decimal("0.005"), "has more than two decimals"),
        (True, "got a boolean"),
        (False, "got a boolean"),
        ("", "is not an amount"),
        ("abc", "is not an amount"),
        ("12 euro", "is not an amount"),
        ("1,50", "is not an amount"),
        ("1.2.3", "is not an amount"),
        ("1e3", "is not an amount"),
        ("+5", "is not an amount"),
        ("١٢٣", "is not an amount"),  # Arabic-Indic digits that Decimal would take
        (None, "got NoneType"),
        ([1], "got list"),
        (b"1", "got bytes"),
        (Fraction(1, 2), "got Fraction"),
        # The one number grammar (issue 15): no underscores, no extra decimals, bounded size.
        ("2_800_000", "is not an amount"),
        ("1__0", "is not an amount"),
        ("_1", "is not an amount"),
        ("12.340", "has more than two decimals"),
        (Decimal("12.340"), "has more than two decimals"),
        (Decimal("1e-999999999"), "too large or has too many decimals"),
        (Decimal("1E+999999"), "too large or has too many decimals"),
        ("1" * 4400, "more than 30 digits"),
        (10**4400, "more than 30 digits"),
    ],
    ids=lambda v: repr(v)[:40] if not isinstance(v, int) or v.bit_length() < 100 else "huge-int",
)
def test_parse_refuses_with_a_clear_message(value: object, words: str) -> None:
    with pytest.raises(InputError) as info:
        Money.parse(value, path="$.projects[0].requested")
    (problem,) = info.value.problems
    assert problem.path == "$.projects[0].requested"
    assert words in problem.message


def test_constructor_guards_cents() -> None:
    with pytest.raises(ValueError, match="negative"):
        Money(-1)
    with pytest.raises(InputError, match=r"^cents: expected a whole number of cents, got float"):
        Money(1.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^cents: expected a whole number of cents, got bool"):
        Money(True)


def test_constructors_and_views() -> None:
    assert Money.zero() == Money(0)
    assert Money.euros(20000) == Money(2000000)
    assert Money(123456).fraction == Fraction(123456, 100)
    assert Money(123456).decimal == Decimal("1234.56")
    assert str(Money(123456).decimal) == "1234.56"
    assert Money.from_fraction_exact(Fraction(2800000 * 3, 8)) == Money.parse("1050000")
    with pytest.raises(InputError, match="not a whole number of cents"):
        Money.from_fraction_exact(Fraction(1, 3), path="$.x")


def test_arithmetic() -> None:
    a, b = Money.parse("2800000"), Money.parse("200000")
    assert a + b == Money.parse("3000000")
    assert a - b == Money.parse("2600000")
    assert b * 15 == Money.parse("3000000")
    assert 15 * b == Money.parse("3000000")
    assert Money.total([a, b, Money(1)]) == Money(300000001)
    assert Money.total([]) == Money(0)
    assert not Money(0)
    assert Money(1)
    assert Money(1) < Money(2) <= Money(2)
    assert max(Money(5), Money(50)) == Money(50)
    with pytest.raises(ValueError, match="negative"):
        _ = b - a


@pytest.mark.parametrize(
    "operation",
    [
        lambda m: m + 1,
        lambda m: m - 1,
        lambda m: m * 1.5,
        lambda m: m * Money(2),
        lambda m: m * True,
        lambda m: 1.5 * m,
    ],
)
def test_arithmetic_refuses_other_types(operation: object) -> None:
    with pytest.raises(TypeError):
        operation(Money(100))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("cents", "plain", "english", "italian"),
    [
        (0, "0.00", "€0.00", "€ 0,00"),
        (5, "0.05", "€0.05", "€ 0,05"),
        (123456, "1234.56", "€1,234.56", "€ 1.234,56"),
        (280000000, "2800000.00", "€2,800,000.00", "€ 2.800.000,00"),
        (333950000, "3339500.00", "€3,339,500.00", "€ 3.339.500,00"),
    ],
)
def test_str_and_format(cents: int, plain: str, english: str, italian: str) -> None:
    money = Money(cents)
    assert str(money) == plain
    assert money.format() == english
    assert money.format("en") == english
    assert money.format("it") == italian


@given(amounts())
def test_parse_of_str_round_trips(money: Money) -> None:
    assert Money.parse(str(money)) == money
    assert Money.parse(money.decimal) == money
    assert Money.from_fraction_exact(money.fraction) == money


@given(amounts())
def test_formats_hold_the_same_amount(money: Money) -> None:
    english = money.format("en").removeprefix("€").replace(",", "")
    italian = money.format("it").removeprefix("€ ").replace(".", "").replace(",", ".")
    assert Money.parse(english) == money
    assert Money.parse(italian) == money


@given(amounts(), amounts())
def test_addition_and_subtraction_are_exact(a: Money, b: Money) -> None:
    assert (a + b).cents == a.cents + b.cents
    assert (a + b) - b == a
    assert Money.total([a, b]) == a + b


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=99))
def test_two_decimal_strings_are_exact(euros: int, cents: int) -> None:
    assert Money.parse(f"{euros}.{cents:02d}").cents == euros * 100 + cents


# ---- amounts written without a Money each --------------------------------------------------------


@given(st.one_of(st.integers(0, 1_000), st.integers(0, 10**40)))
def test_cents_text_is_str_of_money(cents: int) -> None:
    expected = str(Money(cents))
    digits = str(cents).rjust(3, "0")
    assert cents_text(cents) == expected == f"{digits[:-2]}.{digits[-2:]}"


@given(st.lists(st.one_of(st.integers(0, 250), st.integers(0, 2**70)), max_size=30))
def test_cents_texts_is_cents_text_of_each(amounts: list[int]) -> None:
    assert cents_texts(amounts) == [str(Money(c)) for c in amounts]
    assert cents_texts(iter(amounts)) == [cents_text(c) for c in amounts]
