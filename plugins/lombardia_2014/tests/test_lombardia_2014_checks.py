"""The 2014-2015 cycle's checks: networks per ASL, accords, public leads, submission and deadlines.

Every finding code the cycle can emit has a shipped example that emits it and an admissible one
that does not; the shipped examples check exactly as ``cycle.toml`` declares; the deadlines hold
at their edges and are parameters; the 2020-2023 ATS Montagna plan is checked as a what-if.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import attrs
import pytest

import lombardia_2014.plugin
from conciliazione_core import (
    Body,
    BodyKind,
    Cycle,
    Evidence,
    Host,
    LegalNature,
    NetworkRegister,
    Project,
    Report,
    Severity,
    TerritorialPlan,
    load_document,
    lombardy,
)
from conciliazione_core._documents import Alliance, Document, Network
from conciliazione_core._money import Money
from conciliazione_core._plain_sense import PLAIN_SENSE_RULES
from conciliazione_core._rules import FINDING_CODES
from conciliazione_core._territory import Level
from conciliazione_core.testing._conformance import emittable_codes, run_check

CYCLE_ID = "lombardia-2014"
DECREE = "D.G.R. X/1081 of 12/12/2013"
EXAMPLES = files("lombardia_2014").joinpath("examples")

#: The information findings each shipped example gives, in report order (cycle.toml's ``codes``
#: lists only errors and warnings).
EXPECTED_INFO: dict[str, list[str]] = {
    "cremona_network_2011.toml": ["ACCORD_UNDATED"],
    "brescia_network_2011.toml": [],
    "brescia_alliance_palazzolo.toml": [],
    "brescia_alliance_brescia.toml": [],
    "brescia_alliance_montichiari.toml": [],
    "register_cremona_brescia.toml": ["ACCORD_UNDATED"],
    "illustrative_plan_on_time.toml": ["BUDGET_NOT_STATED"] * 3,
    "invalid_network_unknown_asl.toml": ["ACCORD_UNDATED"],
    "invalid_network_lead_province.toml": ["ACCORD_UNDATED"],
    "invalid_network_no_accord.toml": [],
    "invalid_network_accord_late.toml": [],
    "invalid_register_two_networks_one_asl.toml": ["ACCORD_UNDATED"] * 2,
    "invalid_register_sixteen_networks.toml": ["ACCORD_UNDATED"] * 16,
    "invalid_alliance_cooperative_lead.toml": [],
    "invalid_plan_private_leads.toml": ["BUDGET_NOT_STATED"] * 3,
    "invalid_plan_not_through_asl.toml": ["BUDGET_NOT_STATED"] * 3,
    "invalid_plan_proposal_late.toml": ["BUDGET_NOT_STATED"] * 3,
    "invalid_plan_late.toml": ["BUDGET_NOT_STATED"] * 3,
    "invalid_network_lead_company.toml": ["ACCORD_UNDATED"],
    "illustrative_plan_submission_unknown.toml": [
        "SUBMISSION_DATE_NOT_STATED",
        "SUBMISSION_CHANNEL_NOT_STATED",
        *["BUDGET_NOT_STATED"] * 3,
    ],
}


@pytest.fixture(scope="module")
def host() -> Host:
    """Only this plugin, so that no other installed plugin adds findings."""
    return Host([("lombardia_2014", lombardia_2014.plugin)], use_entry_points=False)


@pytest.fixture(scope="module")
def cycle(host: Host) -> Cycle:
    return host.cycle(CYCLE_ID)


def example(name: str) -> Document:
    return load_document(str(EXAMPLES.joinpath(name)))


def serious(report: Report) -> list[str]:
    """Error and warning codes, in report order (what the examples declare)."""
    return [f.code for f in report.findings if f.severity is not Severity.INFO]


def info(report: Report) -> list[str]:
    return report.codes(Severity.INFO)


def body(kind: BodyKind, nature: LegalNature | None = None) -> Body:
    if nature is None:
        return Body(id=f"b-{kind.value}", name=f"A {kind.value}", kind=kind)
    # A nature that is not the kind's own says why (else the plain-sense check asks).
    reason = f"a {kind.value} of another nature (test)"
    return Body(
        id=f"b-{kind.value}", name=f"A {kind.value}", kind=kind, nature=nature, nature_reason=reason
    )


#: Submitted on time through an ASL: a standalone project that says how it reached the Region.
SUBMITTED: dict[str, Any] = {
    "submitted_on": dt.date(2014, 5, 2),
    "submitted_through": "ASL-BERGAMO",
}


# ---- the cycle and its parameters ---------------------------------------------------------------


def test_cycle_is_registered_by_the_plugin_entry_point() -> None:
    host = Host(environ={"CONCILIAZIONE_PLUGINS": "lombardia_2014"})
    assert list(host.cycles()) == [CYCLE_ID]
    assert host.problems == ()
    assert host.cycle(CYCLE_ID).distribution == "conciliazione-lombardia-2014"


def test_recipients_are_the_15_asl_shipped_with_the_core(cycle: Cycle) -> None:
    asl = lombardy().of_level(Level.ASL)
    assert len(asl) == 15
    assert [(r.id, r.name) for r in cycle.recipients] == [(a.id, a.name) for a in asl]
    assert cycle.level is Level.ASL


def test_rules_read_from_the_parameter_file(cycle: Cycle) -> None:
    rules = cycle.rules
    assert rules.network is not None
    assert rules.accord is not None
    assert rules.lead is not None
    assert rules.submission is not None
    assert rules.network.lead_is_agency
    assert rules.network.one_per_agency
    assert rules.network.max_networks == 15
    assert rules.accord.required
    assert rules.accord.signed_by == dt.date(2014, 3, 31)
    assert rules.lead.natures == (LegalNature.PUBLIC,)
    assert rules.submission.through_agency
    assert rules.submission.proposals_by == dt.date(2014, 5, 31)
    assert rules.submission.plans_by == dt.date(2014, 6, 30)


def test_every_rule_cites_the_decree(cycle: Cycle) -> None:
    rules = cycle.rules
    for rule in (rules.network, rules.accord, rules.lead, rules.submission, rules.projects):
        assert rule is not None
        basis = cycle.cite(rule.basis)
        assert basis.act == DECREE
        assert basis.evidence is Evidence.DOCUMENT
    lead = cycle.cite(cycle.rules.lead.basis if cycle.rules.lead else "")
    assert "esclusivamente da un soggetto pubblico" in str(lead.note or "")


def test_assumptions_are_inferences(cycle: Cycle) -> None:
    ids = [a.id for a in cycle.assumptions]
    assert ids == ["indicator_set", "rounding", "asl_population", "call_closing"]
    for assumption in cycle.assumptions:
        assert cycle.cite(assumption.basis).evidence is Evidence.INFERENCE


@pytest.mark.parametrize(
    "check", ["parameters", "legal_basis", "dates", "allocation", "messages", "examples"]
)
def test_conformance_kit(cycle: Cycle, host: Host, check: str) -> None:
    assert run_check(check, cycle, host, max_examples=10) == []


# ---- the shipped examples -----------------------------------------------------------------------


def test_every_shipped_example_is_declared_and_has_expectations(cycle: Cycle) -> None:
    shipped = sorted(e.name for e in EXAMPLES.iterdir() if e.name.endswith((".toml", ".json")))
    declared = sorted(e.file.removeprefix("examples/") for e in cycle.examples)
    assert shipped == declared == sorted(EXPECTED_INFO)


@pytest.mark.parametrize("name", sorted(EXPECTED_INFO))
def test_example_checks_exactly_as_declared(host: Host, cycle: Cycle, name: str) -> None:
    declared = next(e for e in cycle.examples if e.file == f"examples/{name}")
    report = host.check(cycle, example(name), name)
    assert report.admissible is declared.admissible
    assert serious(report) == list(declared.codes)
    assert info(report) == EXPECTED_INFO[name]
    if not declared.admissible:
        assert name.startswith("invalid_")
        assert report.codes(Severity.ERROR)


def test_every_emittable_code_has_an_inadmissible_and_an_admissible_example(
    host: Host, cycle: Cycle
) -> None:
    emitted: dict[str, set[str]] = {}
    clean: dict[str, set[str]] = {}
    for declared in cycle.examples:
        document = example(declared.file.removeprefix("examples/"))
        report = host.check(cycle, document)
        kind = type(document).__name__
        for code in report.codes():
            emitted.setdefault(code, set()).add(kind)
        if report.admissible:
            for code in set(FINDING_CODES) - set(report.codes()):
                clean.setdefault(code, set()).add(kind)
    # NETWORK_AGENCY_SUCCEEDED needs an agency of another level with successors: only an ASL
    # has successors, and ASL are this cycle's own level (see the test below).
    # The core's plain-sense codes, on in every cycle, are the core's to test (tests/test_rules.py).
    plain_sense = {c.code for rule in PLAIN_SENSE_RULES for c in rule.codes}
    codes = [
        c
        for c in emittable_codes(cycle)
        if c != "NETWORK_AGENCY_SUCCEEDED" and c not in plain_sense
    ]
    assert codes == [
        "NETWORK_AGENCY_UNKNOWN",
        "NETWORK_LEAD_NOT_AGENCY",
        "NETWORK_LEAD_KIND",
        "NETWORK_DUPLICATE_AGENCY",
        "NETWORK_TOO_MANY",
        "ACCORD_MISSING",
        "ACCORD_UNDATED",
        "ACCORD_LATE",
        "LEAD_NOT_PUBLIC",
        "PROPOSAL_NOT_THROUGH_AGENCY",
        "PROPOSAL_LATE",
        "SUBMISSION_DATE_NOT_STATED",
        "SUBMISSION_CHANNEL_NOT_STATED",
        "PLAN_LATE",
        "BUDGET_NOT_STATED",
    ]
    for code in codes:
        assert code in emitted, f"no example emits {code}"
        if code == "BUDGET_NOT_STATED":
            # No shipped example states a budget: budgets are not known and the project does
            # not ship made-up amounts. The counterpart is built in
            # test_budget_stated_silences_the_information.
            continue
        # an admissible document of the same kind that does not emit it
        assert emitted[code] & clean.get(code, set()), f"no admissible counterpart for {code}"
        if FINDING_CODES[code][0] is Severity.ERROR:
            inadmissible = [e.file for e in cycle.examples if not e.admissible and code in e.codes]
            assert inadmissible, f"no inadmissible example declares {code}"


def test_network_agency_succeeded_cannot_arise_in_an_asl_cycle(host: Host) -> None:
    territory = lombardy()
    for agency in territory.of_level(Level.ATS):
        assert territory.successors(agency.id) == ()
        network = Network(
            id="n", name="n", agency=agency.id, lead=Body(id=agency.id, name="x", kind=BodyKind.ATS)
        )
        codes = host.check(CYCLE_ID, network).codes()
        assert "NETWORK_AGENCY_SUCCEEDED" not in codes
        assert codes == ["NETWORK_AGENCY_UNKNOWN", "ACCORD_MISSING"]


def test_cremona_network_signatories() -> None:
    network = example("cremona_network_2011.toml")
    assert isinstance(network, Network)
    assert network.accord is not None
    assert network.agency == network.lead.id == "ASL-CREMONA"
    assert network.accord.signed_on is None
    kinds = [b.kind for b in network.accord.signatories]
    assert kinds == [
        BodyKind.REGION,
        BodyKind.ASL,
        BodyKind.CHAMBER_OF_COMMERCE,
        BodyKind.PROVINCE,
        BodyKind.SOCIAL_SERVICES_DISTRICT,
        BodyKind.SOCIAL_SERVICES_DISTRICT,
        BodyKind.SOCIAL_SERVICES_DISTRICT,
        BodyKind.EQUALITY_ADVISER,
    ]
    ambiti = [
        b.name for b in network.accord.signatories if b.kind is BodyKind.SOCIAL_SERVICES_DISTRICT
    ]
    assert ambiti == [
        "Ambito territoriale di Cremona",
        "Ambito territoriale di Crema",
        "Ambito territoriale di Casalmaggiore",
    ]


def test_brescia_network_signatories_and_date() -> None:
    network = example("brescia_network_2011.toml")
    assert isinstance(network, Network)
    assert network.accord is not None
    assert network.agency == network.lead.id == "ASL-BRESCIA"
    assert network.accord.signed_on == dt.date(2011, 1, 27)
    signatories = network.accord.signatories
    assert len(signatories) == 19  # Regione, ASL, Provincia, Comune, 12 Ambiti, ACB, CCIAA, CdP
    ambiti = [b for b in signatories if b.kind is BodyKind.SOCIAL_SERVICES_DISTRICT]
    assert [b.name for b in ambiti] == [
        f"Ambito territoriale n. {n} (ASL di Brescia)" for n in range(1, 13)
    ]
    names = {b.name for b in signatories}
    assert {
        "Regione Lombardia",
        "ASL di Brescia",
        "Provincia di Brescia",
        "Comune di Brescia",
        "Associazione Comuni Bresciani",
        "Camera di Commercio di Brescia",
        "Consigliera di Parità",
    } <= names


@pytest.mark.parametrize(
    ("name", "town"),
    [
        ("brescia_alliance_palazzolo.toml", "Palazzolo sull'Oglio"),
        ("brescia_alliance_brescia.toml", "Brescia"),
        ("brescia_alliance_montichiari.toml", "Montichiari"),
    ],
)
def test_brescia_alliances_are_led_by_comuni(name: str, town: str) -> None:
    alliance = example(name)
    assert isinstance(alliance, Alliance)
    assert alliance.network == "rete-asl-brescia"
    assert alliance.lead.name == f"Comune di {town}"
    assert alliance.lead.kind is BodyKind.MUNICIPALITY
    assert alliance.lead.is_public


def _late_accord(good: Document) -> Document:
    assert isinstance(good, Network)
    assert good.accord is not None
    return attrs.evolve(good, accord=attrs.evolve(good.accord, signed_on=dt.date(2014, 4, 1)))


def _no_accord(good: Document) -> Document:
    assert isinstance(good, Network)
    return attrs.evolve(good, accord=None)


def _province_lead(good: Document) -> Document:
    assert isinstance(good, Network)
    assert good.accord is not None
    (province,) = [b for b in good.accord.signatories if b.kind is BodyKind.PROVINCE]
    return attrs.evolve(good, lead=province)


def _late_plan(good: Document) -> Document:
    assert isinstance(good, TerritorialPlan)
    return attrs.evolve(good, presented_on=dt.date(2014, 7, 1))


@pytest.mark.parametrize(
    ("variant", "original", "fault"),
    [
        ("invalid_network_accord_late.toml", "brescia_network_2011.toml", _late_accord),
        ("invalid_network_no_accord.toml", "brescia_network_2011.toml", _no_accord),
        ("invalid_network_lead_province.toml", "cremona_network_2011.toml", _province_lead),
        ("invalid_plan_late.toml", "illustrative_plan_on_time.toml", _late_plan),
    ],
)
def test_inadmissible_variants_differ_from_their_original_only_in_the_fault(
    variant: str, original: str, fault: Callable[[Document], Document]
) -> None:
    good = example(original)
    assert example(variant) == fault(good) != good


# ---- networks -----------------------------------------------------------------------------------


def test_register_of_exactly_15_networks_is_admissible(host: Host) -> None:
    sixteen = example("invalid_register_sixteen_networks.toml")
    assert isinstance(sixteen, NetworkRegister)
    assert len(sixteen.networks) == 16
    fifteen = attrs.evolve(sixteen, networks=sixteen.networks[:15])
    report = host.check(CYCLE_ID, fifteen)
    assert report.admissible
    assert serious(report) == []
    assert sorted(n.agency for n in fifteen.networks) == sorted(
        a.id for a in lombardy().of_level(Level.ASL)
    )


def test_duplicate_network_finding_names_the_asl_and_both_networks(host: Host) -> None:
    report = host.check(CYCLE_ID, example("invalid_register_two_networks_one_asl.toml"))
    (finding,) = [f for f in report.findings if f.code == "NETWORK_DUPLICATE_AGENCY"]
    assert finding.path == "$.networks[2].agency"
    assert dict(finding.args) == {
        "agency": "ASL-CREMONA",
        "networks": "rete-asl-cremona, rete-cremona-bis",
    }
    assert finding.legal_basis is not None
    assert finding.legal_basis.act == DECREE


def test_lead_not_agency_finding(host: Host) -> None:
    report = host.check(CYCLE_ID, example("invalid_network_lead_province.toml"))
    (finding,) = report.findings[:1]
    assert finding.code == "NETWORK_LEAD_NOT_AGENCY"
    assert finding.path == "$.lead"
    assert "Provincia di Cremona" in finding.message
    assert "ASL-CREMONA" in finding.message


# ---- accords: deadline at its edge, and a parameter -------------------------------------------


@pytest.mark.parametrize(
    ("signed_on", "late"),
    [(dt.date(2011, 1, 27), False), (dt.date(2014, 3, 31), False), (dt.date(2014, 4, 1), True)],
)
def test_accord_deadline_edge(host: Host, signed_on: dt.date, late: bool) -> None:
    network = example("brescia_network_2011.toml")
    assert isinstance(network, Network)
    assert network.accord is not None
    dated = attrs.evolve(network, accord=attrs.evolve(network.accord, signed_on=signed_on))
    report = host.check(CYCLE_ID, dated)
    assert report.codes() == (["ACCORD_LATE"] if late else [])
    if late:
        assert "01/04/2014" in report.findings[0].message
        assert "31/03/2014" in report.findings[0].message


def test_accord_deadline_is_a_parameter(host: Host, cycle: Cycle) -> None:
    late = example("invalid_network_accord_late.toml")
    assert host.check(cycle, late).codes() == ["ACCORD_LATE"]
    later = cycle.with_overrides(["rules.accord.signed_by=2014-04-30"])
    assert later.rules.accord is not None
    assert later.rules.accord.signed_by == dt.date(2014, 4, 30)
    assert host.check(later, late).codes() == []
    assert cycle.rules.accord is not None
    assert cycle.rules.accord.signed_by == dt.date(2014, 3, 31)  # the baseline is untouched


# ---- leads --------------------------------------------------------------------------------------

DECREE_EXAMPLES = [
    BodyKind.PROVINCE,
    BodyKind.MUNICIPALITY,
    BodyKind.CHAMBER_OF_COMMERCE,
    BodyKind.SPECIAL_CONSORTIUM_COMPANY,
    BodyKind.PUBLIC_CONSORTIUM,
    BodyKind.MOUNTAIN_COMMUNITY,
]
PUBLIC_KINDS = [k for k in BodyKind if k.default_nature is LegalNature.PUBLIC]
PRIVATE_KINDS = [k for k in BodyKind if k.default_nature is not LegalNature.PUBLIC]


def test_decree_examples_are_public_kinds() -> None:
    assert set(DECREE_EXAMPLES) <= set(PUBLIC_KINDS)
    assert {
        BodyKind.COMPANY,
        BodyKind.COOPERATIVE,
        BodyKind.SOCIAL_COOPERATIVE,
        BodyKind.ASSOCIATION,
        BodyKind.FOUNDATION,
    } <= set(PRIVATE_KINDS)


@pytest.mark.parametrize("kind", PUBLIC_KINDS, ids=lambda k: k.value)
def test_any_public_body_may_lead(host: Host, kind: BodyKind) -> None:
    alliance = Alliance(id="a", name="Alleanza", lead=body(kind))
    project = Project(
        id="p", title="Progetto", lead=body(kind), requested=Money.euros(1), **SUBMITTED
    )
    assert host.check(CYCLE_ID, alliance).codes() == []
    assert host.check(CYCLE_ID, project).codes() == []


@pytest.mark.parametrize("kind", PRIVATE_KINDS, ids=lambda k: k.value)
def test_private_lead_is_not_admitted(host: Host, kind: BodyKind) -> None:
    alliance = Alliance(id="a", name="Alleanza", lead=body(kind))
    report = host.check(CYCLE_ID, alliance)
    assert not report.admissible
    (finding,) = report.findings
    assert finding.code == "LEAD_NOT_PUBLIC"
    assert finding.severity is Severity.ERROR
    assert finding.path == "$.lead"
    assert finding.legal_basis is not None
    assert finding.legal_basis.act == DECREE
    assert finding.legal_basis.provision == "guidelines on local alliances"


def test_stated_nature_decides_over_the_kind(host: Host) -> None:
    private_school = body(BodyKind.SCHOOL, LegalNature.PRIVATE_NON_PROFIT)
    public_foundation = body(BodyKind.FOUNDATION, LegalNature.PUBLIC)
    assert host.check(CYCLE_ID, Alliance(id="a", name="A", lead=private_school)).codes() == [
        "LEAD_NOT_PUBLIC"
    ]
    assert host.check(CYCLE_ID, Alliance(id="a", name="A", lead=public_foundation)).codes() == []


def test_private_leads_plan_names_each_lead(host: Host) -> None:
    report = host.check(CYCLE_ID, example("invalid_plan_private_leads.toml"))
    leads = [f for f in report.findings if f.code == "LEAD_NOT_PUBLIC"]
    assert [f.path for f in leads] == [
        "$.alliances[2].lead",
        "$.projects[0].lead",
        "$.projects[1].lead",
        "$.projects[2].lead",
    ]
    assert [dict(f.args)["nature"] for f in leads] == [
        "private non-profit / third-sector body",
        "private for-profit body",
        "private non-profit / third-sector body",
        "private non-profit / third-sector body",
    ]


# ---- submission and plans -----------------------------------------------------------------------


def plan_with_project(**changes: Any) -> TerritorialPlan:
    """The illustrative plan with its first project changed."""
    plan = example("illustrative_plan_on_time.toml")
    assert isinstance(plan, TerritorialPlan)
    first = attrs.evolve(plan.projects[0], **changes)
    return attrs.evolve(plan, projects=(first, *plan.projects[1:]))


@pytest.mark.parametrize(
    ("through", "codes"),
    [
        ("ASL-BRESCIA", []),
        (None, []),  # not stated: nothing to check
        ("ASL-BERGAMO", ["PROPOSAL_NOT_THROUGH_AGENCY"]),
        ("ASL-VALLECAMONICA-SEBINO", ["PROPOSAL_NOT_THROUGH_AGENCY"]),
    ],
)
def test_proposal_goes_through_the_networks_asl(
    host: Host, through: str | None, codes: list[str]
) -> None:
    report = host.check(CYCLE_ID, plan_with_project(submitted_through=through))
    assert serious(report) == codes
    if codes:
        finding = report.findings[0]
        assert finding.path == "$.projects[0].submitted_through"
        assert dict(finding.args)["agency"] == "ASL-BRESCIA"
        assert finding.legal_basis is not None
        assert finding.legal_basis.provision == "duties of the lead; timetable"


def test_a_standalone_project_has_no_network_to_compare(host: Host) -> None:
    project = Project(
        id="p",
        title="P",
        lead=body(BodyKind.MUNICIPALITY),
        submitted_on=dt.date(2014, 5, 2),
        submitted_through="ASL-BERGAMO",
        requested=Money.euros(1),
    )
    assert host.check(CYCLE_ID, project).codes() == []


@pytest.mark.parametrize(
    ("day", "late"),
    [(dt.date(2014, 5, 30), False), (dt.date(2014, 5, 31), False), (dt.date(2014, 6, 1), True)],
)
def test_proposal_deadline_edge(host: Host, day: dt.date, late: bool) -> None:
    report = host.check(CYCLE_ID, plan_with_project(submitted_on=day))
    assert serious(report) == (["PROPOSAL_LATE"] if late else [])


@pytest.mark.parametrize(
    ("day", "late"),
    [(dt.date(2014, 6, 30), False), (dt.date(2014, 7, 1), True), (None, False)],
)
def test_plan_deadline_edge(host: Host, day: dt.date | None, late: bool) -> None:
    plan = example("illustrative_plan_on_time.toml")
    assert isinstance(plan, TerritorialPlan)
    report = host.check(CYCLE_ID, attrs.evolve(plan, presented_on=day))
    assert serious(report) == (["PLAN_LATE"] if late else [])


def test_submission_deadlines_are_parameters(host: Host, cycle: Cycle) -> None:
    late = example("invalid_plan_proposal_late.toml")
    assert serious(host.check(cycle, late)) == ["PROPOSAL_LATE"]
    moved = cycle.with_overrides(["rules.submission.proposals_by=2014-06-15"])
    assert serious(host.check(moved, late)) == []
    stricter = cycle.with_overrides(["rules.submission.plans_by=2014-06-29"])
    assert serious(host.check(stricter, example("illustrative_plan_on_time.toml"))) == ["PLAN_LATE"]


def test_budget_stated_silences_the_information(host: Host) -> None:
    # MADE-UP amount, only to show the information goes away once a budget is stated.
    stated = plan_with_project(requested=Money.euros(1_000))
    assert info(host.check(CYCLE_ID, stated)) == ["BUDGET_NOT_STATED"] * 2
    project = Project(id="p", title="P", lead=body(BodyKind.MUNICIPALITY), **SUBMITTED)
    report = host.check(CYCLE_ID, project)
    assert report.admissible
    assert info(report) == ["BUDGET_NOT_STATED"]


def test_a_project_that_does_not_say_how_it_was_submitted_is_asked(host: Host) -> None:
    """Information, not an error: the officer asks for the date and the channel (the decree
    has proposals go through the ASL by the end of May 2014)."""
    project = Project(id="p", title="P", lead=body(BodyKind.MUNICIPALITY), requested=Money(1))
    report = host.check(CYCLE_ID, project)
    assert report.admissible
    assert [(f.code, f.path) for f in report.findings] == [
        ("SUBMISSION_DATE_NOT_STATED", "$.submitted_on"),
        ("SUBMISSION_CHANNEL_NOT_STATED", "$.submitted_through"),
    ]
    for found in report.findings:
        assert found.legal_basis is not None
        assert found.legal_basis.act == DECREE
    assert "31/05/2014" in report.findings[0].message
    answered = attrs.evolve(project, **SUBMITTED)
    assert host.check(CYCLE_ID, answered).findings == ()


# ---- what-if: the 2020-2023 ATS Montagna plan under the 2014 rules ----------------------------


def montagna() -> Document:
    path = files("lombardia_2020").joinpath("examples/montagna_2020_2023.toml")
    return load_document(str(path))


def test_montagna_2020_plan_under_the_2014_rules(host: Host) -> None:
    report = host.check(CYCLE_ID, montagna())
    assert not report.admissible
    assert [(f.code, f.severity, f.path) for f in report.findings] == [
        ("NETWORK_AGENCY_UNKNOWN", Severity.ERROR, "$.network.agency"),
        ("ACCORD_MISSING", Severity.ERROR, "$.network.accord"),
        ("LEAD_NOT_PUBLIC", Severity.ERROR, "$.projects[3].lead"),
        # The plan says it is of lombardia-2020 (plain sense), and does not say when and how
        # its proposals were submitted, which the 2014 decree asks.
        ("CYCLE_MISMATCH", Severity.WARNING, "$.cycle"),
        *[
            (code, Severity.INFO, f"$.projects[{i}].{field}")
            for i in range(5)
            for code, field in (
                ("SUBMISSION_DATE_NOT_STATED", "submitted_on"),
                ("SUBMISSION_CHANNEL_NOT_STATED", "submitted_through"),
            )
        ],
        *[("BUDGET_NOT_STATED", Severity.INFO, f"$.projects[{i}].requested") for i in range(5)],
    ]
    (lead,) = [f for f in report.findings if f.code.startswith("LEAD_")]
    assert dict(lead.args)["name"] == "Terzo tempo (Valtellina)"
    assert dict(lead.args)["lead"] == "Coop. Forme"
    assert "an ASL of this cycle" in report.findings[0].message


def test_montagna_leads_alone_only_terzo_tempo_fails(host: Host) -> None:
    """The same projects in an ASL network of 2014: only the cooperative's lead is a finding."""
    plan = montagna()
    assert isinstance(plan, TerritorialPlan)
    register = example("register_cremona_brescia.toml")
    assert isinstance(register, NetworkRegister)
    as_2014 = attrs.evolve(plan, network=register.networks[1], cycle=CYCLE_ID)  # Brescia's
    report = host.check(CYCLE_ID, as_2014)
    assert serious(report) == ["LEAD_NOT_PUBLIC"]
    assert report.findings[0].path == "$.projects[3].lead"
