"""Lombardy's territory: provinces, the 15 ASL, the 8 ATS and the L.R. 23/2015 succession."""

from __future__ import annotations

import pytest

from conciliazione_core._legal import LegalBasis
from conciliazione_core._territory import Level, lombardy

# shared/data/istat_population_lombardia.csv, columns province_code, province_istat,
# province_name, census_2011, resident_2019_01_01 (copied so that the test needs no shared/).
ISTAT_PROVINCES = """\
VA,012,Varese,871886,890768
CO,013,Como,586735,599204
SO,014,Sondrio,180814,181095
MI,015,Milano,3038420,3250315
BG,016,Bergamo,1086277,1114590
BS,017,Brescia,1238044,1265954
PV,018,Pavia,535822,545888
CR,019,Cremona,357623,358955
MN,020,Mantova,408336,412292
LC,097,Lecco,336310,337380
LO,098,Lodi,223755,230198
MB,108,Monza e della Brianza,840129,873935
"""
ROWS = [line.split(",") for line in ISTAT_PROVINCES.splitlines()]

ASL = {
    "ASL-BERGAMO",
    "ASL-BRESCIA",
    "ASL-COMO",
    "ASL-CREMONA",
    "ASL-LECCO",
    "ASL-LODI",
    "ASL-MANTOVA",
    "ASL-MILANO",
    "ASL-MILANO-1",
    "ASL-MILANO-2",
    "ASL-MONZA-BRIANZA",
    "ASL-PAVIA",
    "ASL-SONDRIO",
    "ASL-VALLECAMONICA-SEBINO",
    "ASL-VARESE",
}

# ATS -> {ASL: whole?}, from the project's DOMAIN notes ("ATS composition").
PREDECESSORS = {
    "ATS-MILANO": {
        "ASL-MILANO": True,
        "ASL-MILANO-1": True,
        "ASL-MILANO-2": True,
        "ASL-LODI": True,
    },
    "ATS-INSUBRIA": {"ASL-VARESE": True, "ASL-COMO": False},
    "ATS-MONTAGNA": {"ASL-SONDRIO": True, "ASL-VALLECAMONICA-SEBINO": False, "ASL-COMO": False},
    "ATS-BRIANZA": {"ASL-LECCO": True, "ASL-MONZA-BRIANZA": True},
    "ATS-BERGAMO": {"ASL-BERGAMO": True},
    "ATS-BRESCIA": {"ASL-BRESCIA": True},
    "ATS-VALPADANA": {"ASL-CREMONA": True, "ASL-MANTOVA": True},
    "ATS-PAVIA": {"ASL-PAVIA": True},
}

# ATS -> (provinces, covers exactly those provinces?)
ATS_PROVINCES = {
    "ATS-MILANO": ({"MI", "LO"}, True),
    "ATS-INSUBRIA": ({"VA", "CO"}, False),
    "ATS-MONTAGNA": ({"SO", "BS", "CO"}, False),
    "ATS-BRIANZA": ({"LC", "MB"}, True),
    "ATS-BERGAMO": ({"BG"}, True),
    "ATS-BRESCIA": ({"BS"}, False),
    "ATS-VALPADANA": ({"CR", "MN"}, True),
    "ATS-PAVIA": ({"PV"}, True),
}


def test_region() -> None:
    territory = lombardy()
    assert territory.region_id == "LOMBARDIA"
    assert territory.region_name == "Regione Lombardia"
    assert lombardy() is territory  # read once


def test_provinces_match_the_istat_file() -> None:
    provinces = lombardy().provinces
    assert [(p.code, p.istat, p.name) for p in provinces] == [(r[0], r[1], r[2]) for r in ROWS]


def test_istat_totals_are_the_regional_totals() -> None:
    # The check DOMAIN.md asks to keep: both columns add up to the published regional totals.
    assert sum(int(r[3]) for r in ROWS) == 9_704_151
    assert sum(int(r[4]) for r in ROWS) == 10_060_574


def test_fifteen_asl_and_eight_ats() -> None:
    territory = lombardy()
    assert {a.id for a in territory.of_level(Level.ASL)} == ASL
    assert len(territory.of_level(Level.ASL)) == 15
    assert {a.id for a in territory.of_level(Level.ATS)} == set(PREDECESSORS)
    assert len(territory.of_level(Level.ATS)) == 8
    assert len({a.id for a in territory.agencies}) == len(territory.agencies) == 23


@pytest.mark.parametrize("ats", sorted(PREDECESSORS))
def test_predecessors_of_each_ats(ats: str) -> None:
    links = lombardy().predecessors(ats)
    assert {s.predecessor: s.whole for s in links} == PREDECESSORS[ats]
    assert all(isinstance(s.basis, LegalBasis) for s in links)


@pytest.mark.parametrize("ats", sorted(ATS_PROVINCES))
def test_ats_provinces(ats: str) -> None:
    agency = lombardy().agency(ats)
    assert agency is not None
    provinces, whole = ATS_PROVINCES[ats]
    assert set(agency.provinces) == provinces
    assert agency.whole_provinces is whole
    assert agency.level is Level.ATS


def test_cremona_and_mantova_became_val_padana() -> None:
    territory = lombardy()
    for asl in ("ASL-CREMONA", "ASL-MANTOVA"):
        (link,) = territory.successors(asl)
        assert link.successor == "ATS-VALPADANA"
        assert link.whole
        assert link.basis.act == "L.R. Lombardia 11 agosto 2015, n. 23"
    val_padana = territory.agency("ATS-VALPADANA")
    assert val_padana is not None
    assert val_padana.provinces == ("CR", "MN")


def test_como_was_split_between_insubria_and_montagna() -> None:
    links = lombardy().successors("ASL-COMO")
    assert {s.successor for s in links} == {"ATS-INSUBRIA", "ATS-MONTAGNA"}
    assert not any(s.whole for s in links)
    assert all(s.note for s in links)


def test_every_asl_has_a_successor_and_every_link_is_consistent() -> None:
    territory = lombardy()
    for asl in territory.of_level(Level.ASL):
        assert territory.successors(asl.id), asl.id
    for link in territory.succession:
        before, after = territory.agency(link.predecessor), territory.agency(link.successor)
        assert before is not None
        assert before.level is Level.ASL
        assert after is not None
        assert after.level is Level.ATS
        # An ASL's provinces are among its successor's provinces.
        assert set(before.provinces) <= set(after.provinces), link


def test_agencies_cite_their_basis_and_name_known_provinces() -> None:
    territory = lombardy()
    codes = {p.code for p in territory.provinces}
    for agency in territory.agencies:
        assert isinstance(agency.basis, LegalBasis), agency.id
        assert agency.name.strip()
        assert agency.provinces, agency.id
        assert set(agency.provinces) <= codes, agency.id


def test_whole_province_asl_match_the_province() -> None:
    territory = lombardy()
    whole = {a.id: a.provinces for a in territory.of_level(Level.ASL) if a.whole_provinces}
    assert whole["ASL-CREMONA"] == ("CR",)
    assert whole["ASL-BERGAMO"] == ("BG",)
    assert "ASL-MILANO" not in whole
    assert "ASL-VALLECAMONICA-SEBINO" not in whole


def test_lookups_of_unknown_ids() -> None:
    territory = lombardy()
    assert territory.agency("ASL-ATLANTIS") is None
    assert territory.successors("ASL-ATLANTIS") == ()
    assert territory.predecessors("ATS-ATLANTIS") == ()
    assert territory.successors("ATS-MONTAGNA") == ()
