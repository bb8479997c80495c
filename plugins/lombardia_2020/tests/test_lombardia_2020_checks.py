"""The 2020-2023 cycle's checks: networks per ATS, the L.R. 23/2015 succession, leads, service
types, end dates and budgets, each finding code admissible and inadmissible."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import lombardia_2020.plugin
from conciliazione_core import (
    Body,
    BodyKind,
    Cycle,
    Evidence,
    Host,
    LegalNature,
    Network,
    NetworkRegister,
    Project,
    Report,
    Severity,
    TerritorialPlan,
    lombardy,
    parse_document,
)
from conciliazione_core._documents import Alliance, Document
from conciliazione_core._money import Money
from conciliazione_core._serialisation import parse_toml
from conciliazione_core._territory import Succession

CYCLE_ID = "lombardia-2020"
SOME_BUDGET = Money.euros(10_000)


@pytest.fixture(scope="module")
def host() -> Host:
    """Only this plugin, so that no other installed plugin adds findings."""
    return Host([("lombardia_2020", lombardia_2020.plugin)], use_entry_points=False)


@pytest.fixture(scope="module")
def cycle(host: Host) -> Cycle:
    return host.cycle(CYCLE_ID)


def check(host: Host, document: Document) -> Report:
    return host.check(CYCLE_ID, document)


def serious(report: Report) -> list[str]:
    """Error and warning codes, in report order (what the examples declare)."""
    return [f.code for f in report.findings if f.severity is not Severity.INFO]


def ats_body(ats_id: str) -> Body:
    agency = lombardy().agency(ats_id)
    assert agency is not None
    return Body(id=ats_id, name=agency.name, kind=BodyKind.ATS)


def network(agency: str, lead: Body | None = None, net_id: str | None = None) -> Network:
    return Network(
        id=net_id or f"rete-{agency.lower()}",
        name=f"Rete {agency}",
        agency=agency,
        lead=lead or ats_body(agency),
    )


def project(
    lead: Body | None = None,
    service_types: tuple[str, ...] = ("B",),
    ends_on: dt.date | None = None,
    requested: Money | None = SOME_BUDGET,
) -> Project:
    return Project(
        id="p1",
        title="Progetto",
        lead=lead or Body(id="comune-x", name="Comune di X", kind=BodyKind.MUNICIPALITY),
        service_types=service_types,
        ends_on=ends_on,
        requested=requested,
    )


def test_the_eight_ats_are_the_territory_of_this_cycle(cycle: Cycle) -> None:
    assert [r.id for r in cycle.recipients] == [
        "ATS-MILANO",
        "ATS-INSUBRIA",
        "ATS-MONTAGNA",
        "ATS-BRIANZA",
        "ATS-BERGAMO",
        "ATS-BRESCIA",
        "ATS-VALPADANA",
        "ATS-PAVIA",
    ]
    assert cycle.level.value == "ATS"


# ---- networks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ats_id",
    [
        "ATS-MILANO",
        "ATS-INSUBRIA",
        "ATS-MONTAGNA",
        "ATS-BRIANZA",
        "ATS-BERGAMO",
        "ATS-BRESCIA",
        "ATS-VALPADANA",
        "ATS-PAVIA",
    ],
)
def test_a_network_led_by_its_ats_is_admissible(host: Host, ats_id: str) -> None:
    report = check(host, network(ats_id))
    assert report.findings == ()
    assert report.admissible


def test_a_network_led_by_another_body_is_not(host: Host) -> None:
    comune = Body(id="comune-bergamo", name="Comune di Bergamo", kind=BodyKind.MUNICIPALITY)
    report = check(host, network("ATS-BERGAMO", comune))
    assert serious(report) == ["NETWORK_LEAD_NOT_AGENCY"]
    (f,) = report.findings
    assert f.path == "$.lead"
    assert dict(f.args)["agency"] == "ATS-BERGAMO"
    assert f.legal_basis is not None
    assert f.legal_basis.evidence is Evidence.INFERENCE
    assert not report.admissible


def test_a_network_led_by_another_ats_is_not(host: Host) -> None:
    report = check(host, network("ATS-BERGAMO", ats_body("ATS-BRESCIA")))
    assert serious(report) == ["NETWORK_LEAD_NOT_AGENCY"]


def test_an_unknown_agency_is_an_error(host: Host) -> None:
    lead = Body(id="ATS-VALCAMONICA", name="ATS della Valcamonica", kind=BodyKind.ATS)
    report = check(host, network("ATS-VALCAMONICA", lead))
    assert serious(report) == ["NETWORK_AGENCY_UNKNOWN"]
    assert report.findings[0].path == "$.agency"
    assert not report.admissible


# A small 2014-style network document of the Cremona network, as the 2014-2015 cycle knew it: its
# agency and lead are ASL Cremona, which L.R. 23/2015 made part of ATS Val Padana.
CREMONA_2014 = """
kind = "network"
id = "rete-cremona"
name = "Rete territoriale di conciliazione di Cremona"
agency = "ASL-CREMONA"
lead = { id = "ASL-CREMONA", name = "ASL della Provincia di Cremona", kind = "asl" }

[accord]
id = "accordo-cremona"
kind = "network"
signatories = [
    { id = "regione-lombardia", name = "Regione Lombardia", kind = "region" },
    { id = "ASL-CREMONA", name = "ASL della Provincia di Cremona", kind = "asl" },
    { id = "provincia-cremona", name = "Provincia di Cremona", kind = "province" },
]
"""


def cremona_2014() -> Network:
    document = parse_document(parse_toml(CREMONA_2014, "cremona.toml"), "cremona.toml")
    assert isinstance(document, Network)
    return document


def test_a_2014_cremona_network_is_read_as_ats_val_padana(host: Host) -> None:
    report = check(host, cremona_2014())
    # The warning says where the territory went; then the lead is checked against the successor.
    assert serious(report) == ["NETWORK_LEAD_NOT_AGENCY", "NETWORK_AGENCY_SUCCEEDED"]
    lead, succeeded = report.findings
    assert succeeded.path == "$.agency"
    assert succeeded.severity is Severity.WARNING
    assert dict(succeeded.args)["successors"] == "ATS-VALPADANA"
    assert succeeded.legal_basis is not None
    assert succeeded.legal_basis.act == "L.R. Lombardia 11 agosto 2015, n. 23"
    assert "ATS-VALPADANA" in succeeded.message
    assert lead.path == "$.lead"
    assert dict(lead.args)["agency"] == "ATS-VALPADANA"
    assert not report.admissible


def test_the_cremona_network_led_by_ats_val_padana_only_warns(host: Host) -> None:
    report = check(host, attrs.evolve(cremona_2014(), lead=ats_body("ATS-VALPADANA")))
    assert serious(report) == ["NETWORK_AGENCY_SUCCEEDED"]
    assert report.admissible


def test_a_split_asl_must_be_led_by_one_of_its_successors(host: Host) -> None:
    """ASL Como went partly to ATS Insubria and partly to ATS Montagna."""
    como = Body(id="ASL-COMO", name="ASL della Provincia di Como", kind=BodyKind.ASL)
    report = check(host, network("ASL-COMO", como))
    assert serious(report) == ["NETWORK_LEAD_NOT_AGENCY", "NETWORK_AGENCY_SUCCEEDED"]
    assert dict(report.findings[0].args)["agency"] == "ATS-INSUBRIA or ATS-MONTAGNA"
    for successor in ("ATS-INSUBRIA", "ATS-MONTAGNA"):
        ok = check(host, network("ASL-COMO", ats_body(successor)))
        assert serious(ok) == ["NETWORK_AGENCY_SUCCEEDED"], successor


@pytest.mark.parametrize(
    "succession", lombardy().succession, ids=lambda s: f"{s.predecessor}->{s.successor}"
)
def test_every_asl_network_is_carried_to_its_successor(host: Host, succession: Succession) -> None:
    report = check(host, network(succession.predecessor, ats_body(succession.successor)))
    assert serious(report) == ["NETWORK_AGENCY_SUCCEEDED"]
    assert succession.successor in dict(report.findings[0].args)["successors"]


def register(*networks: Network) -> NetworkRegister:
    return NetworkRegister(id="registro", networks=networks)


def test_a_register_of_the_eight_ats_networks_is_admissible(host: Host, cycle: Cycle) -> None:
    report = check(host, register(*(network(r.id) for r in cycle.recipients)))
    assert report.findings == ()


def test_two_networks_on_one_ats_are_a_duplicate(host: Host) -> None:
    report = check(
        host, register(network("ATS-BRESCIA"), network("ATS-BRESCIA", net_id="rete-bis"))
    )
    assert serious(report) == ["NETWORK_DUPLICATE_AGENCY"]
    assert report.findings[0].path == "$.networks[1].agency"
    assert dict(report.findings[0].args)["networks"] == "rete-ats-brescia, rete-bis"


def test_the_cremona_and_mantova_networks_are_one_ats_in_this_cycle(host: Host) -> None:
    val_padana = ats_body("ATS-VALPADANA")
    report = check(
        host,
        register(
            network("ASL-CREMONA", val_padana, "rete-cremona"),
            network("ASL-MANTOVA", val_padana, "rete-mantova"),
        ),
    )
    assert serious(report) == [
        "NETWORK_DUPLICATE_AGENCY",
        "NETWORK_AGENCY_SUCCEEDED",
        "NETWORK_AGENCY_SUCCEEDED",
    ]
    assert dict(report.findings[0].args)["agency"] == "ATS-VALPADANA"


def test_nine_networks_are_too_many(host: Host, cycle: Cycle) -> None:
    nine = [network(r.id) for r in cycle.recipients] + [network("ATS-MILANO", net_id="rete-mi2")]
    report = check(host, register(*nine))
    assert serious(report) == ["NETWORK_DUPLICATE_AGENCY", "NETWORK_TOO_MANY"]
    too_many = report.findings[1]
    assert dict(too_many.args) == {"count": "9", "limit": "8"}


# ---- leads ------------------------------------------------------------------------------------

PUBLIC = [k for k in BodyKind if k.default_nature is LegalNature.PUBLIC]
NON_PROFIT = [k for k in BodyKind if k.default_nature is LegalNature.PRIVATE_NON_PROFIT]


@pytest.mark.parametrize("kind", PUBLIC + NON_PROFIT, ids=lambda k: k.value)
def test_public_and_third_sector_bodies_may_lead_a_project(host: Host, kind: BodyKind) -> None:
    lead = Body(id="lead", name="Lead", kind=kind)
    assert check(host, project(lead)).findings == ()


def test_the_terzo_tempo_lead_is_admitted(host: Host) -> None:
    """The Region funded 'Terzo tempo', led by the social cooperative Coop. Forme."""
    forme = Body(id="coop-forme", name="Coop. Forme", kind=BodyKind.SOCIAL_COOPERATIVE)
    assert check(host, project(forme)).admissible


@pytest.mark.parametrize(
    "lead",
    [
        Body(id="srl", name="Alfa Servizi S.r.l.", kind=BodyKind.COMPANY),
        # A cooperative stated to be for-profit is judged by its stated nature.
        Body(
            id="coop",
            name="Cooperativa di consumo",
            kind=BodyKind.COOPERATIVE,
            nature=LegalNature.PRIVATE_FOR_PROFIT,
            nature_reason="a consumers' cooperative without the mutual-benefit clauses",
        ),
    ],
    ids=["company", "for-profit-cooperative"],
)
def test_a_for_profit_lead_is_not_admitted(host: Host, lead: Body) -> None:
    report = check(host, project(lead))
    assert serious(report) == ["LEAD_NOT_ADMITTED"]
    (f,) = report.findings
    assert f.path == "$.lead"
    assert f.legal_basis is not None
    assert f.legal_basis.evidence is Evidence.INFERENCE
    assert "inference" in str(f.legal_basis)
    assert dict(f.args)["allowed"] == "public body, private non-profit / third-sector body"


def test_an_alliance_led_by_a_company_is_not_admitted(host: Host) -> None:
    company = Body(id="srl", name="Alfa Servizi S.r.l.", kind=BodyKind.COMPANY)
    alliance = Alliance(id="a", name="Alleanza", lead=company)
    assert serious(check(host, alliance)) == ["LEAD_NOT_ADMITTED"]
    association = Body(id="ass", name="Associazione", kind=BodyKind.ASSOCIATION)
    assert check(host, Alliance(id="a", name="Alleanza", lead=association)).findings == ()


# ---- service types ------------------------------------------------------------------------------


def test_the_cycle_knows_service_types_a_to_e(cycle: Cycle) -> None:
    rules = cycle.rules.projects
    assert rules is not None
    assert [t.code for t in rules.service_types] == ["A", "B", "C", "D", "E"]
    assert cycle.cite(rules.basis).evidence is Evidence.DOCUMENT


@pytest.mark.parametrize("types", [("A",), ("B",), ("C",), ("D",), ("E",), ("A", "B", "E")])
def test_known_service_types_are_admissible(host: Host, types: tuple[str, ...]) -> None:
    assert check(host, project(service_types=types)).findings == ()


@pytest.mark.parametrize("code", ["F", "a", "", "AB", "Z"])
def test_an_unknown_service_type_is_an_error(host: Host, code: str) -> None:
    report = check(host, project(service_types=("B", code)))
    assert serious(report) == ["SERVICE_TYPE_UNKNOWN"]
    (f,) = report.findings
    assert f.path == "$.service_types[1]"
    assert dict(f.args)["code"] == code
    assert dict(f.args)["known"] == "A, B, C, D, E"
    assert not report.admissible


def test_each_unknown_type_is_its_own_finding(host: Host) -> None:
    report = check(host, project(service_types=("F", "B", "G")))
    assert [f.path for f in report.findings] == ["$.service_types[0]", "$.service_types[2]"]


def test_no_service_type_is_an_error(host: Host) -> None:
    report = check(host, project(service_types=()))
    assert serious(report) == ["SERVICE_TYPE_MISSING"]
    assert report.findings[0].path == "$.service_types"


# ---- end date and budget ---------------------------------------------------------------------------


def test_a_project_may_end_on_31_may_2023(host: Host) -> None:
    assert check(host, project(ends_on=dt.date(2023, 5, 31))).findings == ()


def test_a_project_ending_later_is_a_warning(host: Host, cycle: Cycle) -> None:
    report = check(host, project(ends_on=dt.date(2023, 6, 1)))
    assert serious(report) == ["PROJECT_ENDS_LATE"]
    (f,) = report.findings
    assert f.severity is Severity.WARNING
    assert dict(f.args)["deadline"] == "31/05/2023"
    assert f.legal_basis == cycle.cite("end_date_default")
    assert f.legal_basis.evidence is Evidence.INFERENCE
    assert report.admissible


def test_an_unknown_budget_is_information_not_an_error(host: Host) -> None:
    report = check(host, project(requested=None))
    assert [(f.code, f.severity) for f in report.findings] == [("BUDGET_NOT_STATED", Severity.INFO)]
    assert report.admissible


# ---- a whole plan ---------------------------------------------------------------------------------


def test_plan_findings_carry_their_paths(host: Host) -> None:
    company = Body(id="srl", name="Alfa Servizi S.r.l.", kind=BodyKind.COMPANY)
    plan = TerritorialPlan(
        id="piano",
        network=network("ATS-PAVIA"),
        projects=(
            project(),
            Project(id="p2", title="Due", lead=company, service_types=("X",)),
        ),
    )
    report = check(host, plan)
    assert [(f.code, f.path) for f in report.findings] == [
        ("LEAD_NOT_ADMITTED", "$.projects[1].lead"),
        ("SERVICE_TYPE_UNKNOWN", "$.projects[1].service_types[0]"),
        ("BUDGET_NOT_STATED", "$.projects[1].requested"),
    ]


# ---- the territory the network rules read -----------------------------------------------------------


def test_each_ats_has_its_asl_predecessors_as_data(cycle: Cycle) -> None:
    territory = lombardy()
    predecessors = {
        r.id: sorted({s.predecessor for s in territory.predecessors(r.id)})
        for r in cycle.recipients
    }
    assert predecessors == {
        "ATS-MILANO": ["ASL-LODI", "ASL-MILANO", "ASL-MILANO-1", "ASL-MILANO-2"],
        "ATS-INSUBRIA": ["ASL-COMO", "ASL-VARESE"],
        "ATS-MONTAGNA": ["ASL-COMO", "ASL-SONDRIO", "ASL-VALLECAMONICA-SEBINO"],
        "ATS-BRIANZA": ["ASL-LECCO", "ASL-MONZA-BRIANZA"],
        "ATS-BERGAMO": ["ASL-BERGAMO"],
        "ATS-BRESCIA": ["ASL-BRESCIA"],
        "ATS-VALPADANA": ["ASL-CREMONA", "ASL-MANTOVA"],
        "ATS-PAVIA": ["ASL-PAVIA"],
    }
    for succession in territory.predecessors("ATS-VALPADANA"):
        assert succession.whole
        assert succession.basis.act == "L.R. Lombardia 11 agosto 2015, n. 23"


@pytest.mark.parametrize(
    ("code", "hint"), [("a", " Did you mean 'A'?"), ("e", " Did you mean 'E'?"), ("Z", "")]
)
def test_an_unknown_service_type_suggests_the_close_one(host: Host, code: str, hint: str) -> None:
    (f,) = check(host, project(service_types=(code,))).findings
    assert f.message == (
        f"Project Progetto declares service type {code!r}, which is not one of A, B, C, D, E.{hint}"
    )


def test_the_suggestion_speaks_the_readers_language(host: Host) -> None:
    from conciliazione_core.i18n import language

    (f,) = check(host, project(service_types=("a",))).findings
    with language("it"):
        assert f.message.endswith(" Intendevi 'A'?")
