"""The press figures per ATS per year (valnews.it, 11/11/2019), shipped as published tables, and
what the audit finds in them: not a consistent rounding of the population shares."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

import lombardia_2020.plugin
from conciliazione_core import Cycle, Host, Money
from conciliazione_core._audit import AuditReport, Method, audit_cycle, load_published_table

DATA = Path(str(files("lombardia_2020"))) / "published"

#: The figures as printed (DOMAIN.md); Insubria 2020 is printed "117.00", a typo: not a number.
PRESS = {
    "2020": {
        "ATS-MILANO": 276_000,
        "ATS-MONTAGNA": 23_700,
        "ATS-BRIANZA": 96_300,
        "ATS-BERGAMO": 88_600,
        "ATS-BRESCIA": 92_700,
        "ATS-VALPADANA": 61_300,
        "ATS-PAVIA": 43_400,
    },
    "2021": {
        "ATS-MILANO": 346_000,
        "ATS-INSUBRIA": 146_300,
        "ATS-MONTAGNA": 29_600,
        "ATS-BRIANZA": 120_400,
        "ATS-BERGAMO": 110_700,
        "ATS-BRESCIA": 115_800,
        "ATS-VALPADANA": 76_600,
        "ATS-PAVIA": 54_200,
    },
}
PRESS["2022"] = PRESS["2021"]
#: The yearly amounts are not known: 8/28 and 10/28 of €2,800,000 (an inference).
AMOUNT = {"2020": 800_000, "2021": 1_000_000, "2022": 1_000_000}


@pytest.fixture(scope="module")
def cycle() -> Cycle:
    host = Host([("lombardia_2020", lombardia_2020.plugin)], use_entry_points=False)
    return host.cycle("lombardia-2020")


def audited(cycle: Cycle, year: str) -> AuditReport:
    table = load_published_table(DATA / f"press_tranche_{year}.csv")
    return audit_cycle(cycle, table, amount=Money.euros(AMOUNT[year]))


@pytest.mark.parametrize("year", sorted(PRESS))
def test_the_shipped_tables_are_the_printed_figures(year: str) -> None:
    table = load_published_table(DATA / f"press_tranche_{year}.csv")
    assert table.given == {k: Money.euros(v) for k, v in PRESS[year].items()}
    assert len(table.rows) == 8


def test_the_2020_typo_is_left_out_with_a_note() -> None:
    table = load_published_table(DATA / "press_tranche_2020.csv")
    (insubria,) = [r for r in table.rows if r.id == "ATS-INSUBRIA"]
    assert insubria.amount is None
    assert insubria.note is not None
    assert '"117.00"' in insubria.note
    assert "typo" in insubria.note


def test_2021_is_not_a_rounding_of_the_population_shares(cycle: Cycle) -> None:
    report = audited(cycle, "2021")
    assert not report.reconciled
    assert report.published_total == Money.euros(999_600)
    assert report.sum_difference == -40_000  # cents: €400 short of €1,000,000
    rows = {r.id: r for r in report.rows}
    # Bergamo 110,700 against an exact 110,788 (110,787.91): not the nearest €100 ...
    assert rows["ATS-BERGAMO"].rule_amount == Money.euros(110_788)
    assert round(rows["ATS-BERGAMO"].quota, 2) == pytest.approx(110_787.91)
    # ... and Milano 346,000 against 345,956 (345,955.71): not a truncation either.
    assert rows["ATS-MILANO"].rule_amount == Money.euros(345_956)
    assert rows["ATS-MILANO"].difference is not None
    assert rows["ATS-MILANO"].difference > 0
    assert not any(r.meets_quota_rule(Money.euros(1)) for r in report.rows)
    assert report.exact_matches == ()
    closest = report.candidates[0]
    assert (closest.unit, closest.method, closest.residual, closest.mismatches) == (
        Money.euros(100),
        Method.FLOOR,
        Money.euros(200),
        2,
    )
    nearest = next(
        c for c in report.candidates if c.unit == Money.euros(100) and c.method is Method.NEAREST
    )
    assert nearest.mismatches > 2


def test_2022_repeats_2021(cycle: Cycle) -> None:
    a, b = audited(cycle, "2021"), audited(cycle, "2022")
    assert a.rows == b.rows
    assert a.candidates == b.candidates


def test_2020_is_the_nearest_100_except_milano(cycle: Cycle) -> None:
    report = audited(cycle, "2020")
    assert report.not_given == ("ATS-INSUBRIA",)
    assert not report.reconciled
    rows = {r.id: r for r in report.rows}
    assert rows["ATS-MILANO"].difference is not None
    assert round(rows["ATS-MILANO"].difference, 2) == pytest.approx(-764.57)
    closest = report.candidates[0]
    assert (closest.unit, closest.method, closest.residual, closest.mismatches) == (
        Money.euros(100),
        Method.NEAREST,
        Money.euros(800),
        1,
    )
