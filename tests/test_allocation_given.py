"""The helpers every kind of given amounts shares (the example plugin's and lombardia-2019's)."""

from __future__ import annotations

from conciliazione_core import Money
from conciliazione_core._errors import Problem
from conciliazione_core.allocation import recipients_mismatch, sum_mismatch


def test_a_table_that_adds_up_has_no_mismatch() -> None:
    assert sum_mismatch(Money.parse("300"), Money.parse("300")) is None


def test_the_gap_is_named_with_its_side() -> None:
    assert sum_mismatch(Money.parse("301"), Money.parse("300")) == (
        "the given amounts add up to €301.00, €1.00 more than the envelope's amount €300.00"
    )
    assert sum_mismatch(Money.parse("299.99"), Money.parse("300")) == (
        "the given amounts add up to €299.99, €0.01 less than the envelope's amount €300.00"
    )


def test_recipients_must_be_exactly_the_cycles() -> None:
    assert recipients_mismatch(["A", "B"], ["B", "A"], "$.t") == []
    assert recipients_mismatch(["A", "Z", "Y"], ["A", "B"], "$.t") == [
        Problem("$.t", "amounts given to id(s) that are not recipients: Y, Z"),
        Problem("$.t", "no amount given to recipient(s): B"),
    ]
