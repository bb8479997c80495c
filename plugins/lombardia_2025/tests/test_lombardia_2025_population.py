"""The shipped reference population (ISTAT residents at 1/1/2023 by ATS) is exactly what the
core computes from its municipal data, with its provenance per row."""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files

import pytest
from lombardia_2025_data import INDICATOR, REFERENCE_DATE, population_csv

import lombardia_2025.plugin
from conciliazione_core import Cycle, DataStatus, Host, municipalities

#: ISTAT residents at 1/1/2023 per ATS (docs/territory.md, "Exact agency populations").
POPULATION_2023 = {
    "ATS-MILANO": 3_446_886,
    "ATS-INSUBRIA": 1_456_483,
    "ATS-MONTAGNA": 293_043,
    "ATS-BRIANZA": 1_203_589,
    "ATS-BERGAMO": 1_103_768,
    "ATS-BRESCIA": 1_156_140,
    "ATS-VALPADANA": 755_865,
    "ATS-PAVIA": 534_968,
}
#: The ATS whose district lists (Alto Lario, Valle Camonica) are estimates.
DERIVED = {"ATS-INSUBRIA", "ATS-MONTAGNA", "ATS-BRESCIA"}


@pytest.fixture(scope="module")
def cycle() -> Cycle:
    host = Host([("lombardia_2025", lombardia_2025.plugin)], use_entry_points=False)
    return host.cycle("lombardia-2025")


def shipped_text() -> str:
    return files("lombardia_2025").joinpath("data/ats_population_2023.csv").read_text("utf-8")


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(shipped_text().splitlines()))


def test_the_shipped_csv_is_what_the_core_computes() -> None:
    # Regenerate with `python plugins/lombardia_2025/tests/lombardia_2025_data.py` if this fails
    # after a data update of the core.
    assert shipped_text() == population_csv()


def test_the_shipped_figures_are_the_core_s_exact_ats_sums() -> None:
    assert {r["id"]: int(r[INDICATOR]) for r in rows()} == POPULATION_2023
    assert sum(POPULATION_2023.values()) == 9_950_742
    assert municipalities().regional_residents(REFERENCE_DATE) == 9_950_742


def test_it_is_the_most_recent_date_the_core_has() -> None:
    assert max(municipalities().reference_dates) == REFERENCE_DATE == dt.date(2023, 1, 1)


def test_every_row_carries_its_provenance() -> None:
    for row in rows():
        assert row["source"].startswith("ISTAT, resident population by municipality")
        assert row["reference_date"] == "2023-01-01"
        assert row["status"] == ("derived" if row["id"] in DERIVED else "official"), row["id"]
        assert row["method"].startswith("sum of the ISTAT figures of its")
        assert "Medio Lario in ATS Insubria since 1/1/2019" in row["method"]
        if row["id"] in DERIVED:
            assert "estimate" in row["method"]


def test_the_reference_table_is_the_shipped_file(cycle: Cycle) -> None:
    table = cycle.reference_table()
    assert table is not None
    assert table.indicators == (INDICATOR,)
    assert {r.id: r.value(INDICATOR) for r in table.rows} == POPULATION_2023
    assert set(table.non_official()) == DERIVED
    for row in table.rows:
        assert row.provenance.reference_date == REFERENCE_DATE
        assert (row.provenance.status is DataStatus.OFFICIAL) is (row.id not in DERIVED)


def test_the_rows_are_the_eight_ats_with_their_names(cycle: Cycle) -> None:
    assert {r["id"]: r["name"] for r in rows()} == {r.id: r.name for r in cycle.recipients}
    assert len(cycle.recipients) == 8
