"""The standard checks: every finding code is produced by a minimal document and not by its
corrected twin, with the rule's legal basis and the right path; plugins add checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from conciliazione_core._bodies import Body, BodyKind, LegalNature
from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._documents import (
    Accord,
    AccordKind,
    Alliance,
    BudgetLine,
    Document,
    Member,
    Network,
    NetworkRegister,
    Project,
    TerritorialPlan,
)
from conciliazione_core._errors import CycleNotFoundError
from conciliazione_core._findings import Finding, FindingCode, Report, Severity
from conciliazione_core._host import Host
from conciliazione_core._legal import PLAIN_SENSE, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._rules import FINDING_CODES, finding, standard_checks
from conciliazione_core._serialisation import load_document
from conciliazione_core._territory import lombardy
from conciliazione_core.hookspecs import hookimpl
from conciliazione_core.testing._models import documents

D = dt.date


def ats(agency: str) -> Body:
    """The health agency ``agency`` as a body: an ASL or an ATS, by its id."""
    kind = BodyKind.ASL if agency.startswith("ASL-") else BodyKind.ATS
    return Body(id=agency, name=f"ATS {agency}", kind=kind)


COMUNE = Body(id="comune-tirano", name="Comune di Tirano", kind=BodyKind.MUNICIPALITY)
COOP = Body(id="coop-forme", name="Coop. Forme", kind=BodyKind.SOCIAL_COOPERATIVE)
COMPANY = Body(id="acme", name="ACME S.p.A.", kind=BodyKind.COMPANY)

ACCORD = Accord(
    "accordo", AccordKind.NETWORK, (ats("ATS-MONTAGNA"), COMUNE), signed_on=D(2020, 3, 1)
)


ACCORD_2014 = Accord("accordo", AccordKind.NETWORK, (), signed_on=D(2014, 3, 1))


def member(name: str) -> Member:
    return Member(Body(id=name.lower().replace(" ", "-"), name=name, kind=BodyKind.MUNICIPALITY))


def network(agency: str = "ATS-MONTAGNA", **changes: Any) -> Network:
    fields: dict[str, Any] = {
        "id": f"rete-{agency.lower()}",
        "name": f"Rete {agency}",
        "agency": agency,
        "lead": ats(agency),
        "accord": ACCORD,
    }
    fields.update(changes)
    return Network(**fields)


PROJECT = Project(
    id="baby-hub",
    title="Baby Hub",
    lead=COMUNE,
    service_types=("A",),
    requested=Money.parse("50000"),
    submitted_on=D(2020, 5, 1),
    submitted_through="ATS-MONTAGNA",
    ends_on=D(2023, 5, 1),
)


def plan(project: Project = PROJECT, **changes: Any) -> TerritorialPlan:
    fields: dict[str, Any] = {
        "id": "piano",
        "network": network(),
        "alliances": (Alliance("alleanza", "Alleanza", COMUNE, partners=(COOP,)),),
        "projects": (project,),
        "presented_on": D(2020, 6, 1),
    }
    fields.update(changes)
    return TerritorialPlan(**fields)


def project(**changes: Any) -> Project:
    return attrs.evolve(PROJECT, **changes)


def register(*agencies: str) -> NetworkRegister:
    return NetworkRegister(
        "registro", tuple(network(a, id=f"n{i}") for i, a in enumerate(agencies))
    )


@pytest.fixture(scope="session")
def ats_cycle_on_1_april(ats_cycle: Cycle) -> Cycle:
    """The ATS test cycle checked on 1/4/2020: a later date of something done is in the future."""
    return attrs.evolve(ats_cycle, rules=ats_cycle.rules.on(D(2020, 4, 1)))


def plain_sense() -> LegalBasis:
    return PLAIN_SENSE


#: The plain-sense codes, on in every cycle; the others need their [rules] section.
PLAIN_SENSE_CODES = {
    "PROJECT_ENDS_BEFORE_START",
    "PROJECT_OUTSIDE_PERIOD",
    "DATE_IN_FUTURE",
    "DATE_CENTURY_OFF",
    "REQUEST_ABOVE_COST",
    "CO_FINANCING_ABOVE_COST",
    "REQUEST_ABOVE_ENVELOPE",
    "COUNT_NEGATIVE",
    "ID_BLANK",
    "TITLE_BLANK",
    "SERVICE_TYPE_DUPLICATE",
    "REFERENCE_UNKNOWN",
    "CYCLE_MISMATCH",
    "BODY_DUPLICATE",
    "NATURE_CONTRADICTS_KIND",
}


@dataclass(frozen=True)
class Case:
    """A minimal document producing ``code`` and its corrected twin producing nothing."""

    cycle: str  # fixture name
    bad: Document
    good: Document
    path: str
    basis: str | Callable[[], LegalBasis]  # citation key of the cycle, or the expected basis


CASES: dict[str, Case] = {
    "NETWORK_AGENCY_UNKNOWN": Case(
        "ats_cycle",
        plan(project(submitted_through="ATS-ATLANTIS"), network=network("ATS-ATLANTIS")),
        plan(),
        "$.network.agency",
        "network_act",
    ),
    "NETWORK_AGENCY_SUCCEEDED": Case(
        "ats_cycle",
        network("ASL-CREMONA", lead=ats("ATS-VALPADANA")),
        network("ATS-VALPADANA"),
        "$.agency",
        lambda: lombardy().successors("ASL-CREMONA")[0].basis,
    ),
    "NETWORK_LEAD_NOT_AGENCY": Case(
        "ats_cycle", network(lead=COMUNE), network(), "$.lead", "network_act"
    ),
    "NETWORK_DUPLICATE_AGENCY": Case(
        "ats_cycle",
        register("ATS-MONTAGNA", "ATS-MONTAGNA"),
        register("ATS-MONTAGNA", "ATS-BRIANZA"),
        "$.networks[1].agency",
        "network_act",
    ),
    "NETWORK_TOO_MANY": Case(
        "ats_cycle",
        register("ATS-MONTAGNA", "ATS-BRIANZA", "ATS-PAVIA"),
        register("ATS-MONTAGNA", "ATS-BRIANZA"),
        "$.networks",
        "network_act",
    ),
    "ACCORD_MISSING": Case(
        "ats_cycle", plan(network=network(accord=None)), plan(), "$.network.accord", "accord_act"
    ),
    "ACCORD_UNDATED": Case(
        "ats_cycle",
        network(accord=attrs.evolve(ACCORD, signed_on=None)),
        network(),
        "$.accord.signed_on",
        "accord_act",
    ),
    "ACCORD_LATE": Case(
        "ats_cycle",
        network(accord=attrs.evolve(ACCORD, signed_on=D(2020, 4, 1))),
        network(accord=attrs.evolve(ACCORD, signed_on=D(2020, 3, 31))),
        "$.accord.signed_on",
        "accord_act",
    ),
    "LEAD_NOT_PUBLIC": Case(
        "asl_cycle",
        Alliance("alleanza", "Alleanza", COOP),
        Alliance("alleanza", "Alleanza", COMUNE),
        "$.lead",
        "lead_act",
    ),
    "LEAD_NOT_ADMITTED": Case(
        "ats_cycle", project(lead=COMPANY), project(lead=COOP), "$.lead", "lead_act"
    ),
    "PROPOSAL_NOT_THROUGH_AGENCY": Case(
        "ats_cycle",
        plan(project(submitted_through="ATS-BRIANZA")),
        plan(),
        "$.projects[0].submitted_through",
        "submission_act",
    ),
    "PROPOSAL_LATE": Case(
        "ats_cycle",
        plan(project(submitted_on=D(2020, 6, 1))),
        plan(project(submitted_on=D(2020, 5, 31))),
        "$.projects[0].submitted_on",
        "submission_act",
    ),
    "PLAN_LATE": Case(
        "ats_cycle",
        plan(presented_on=D(2020, 7, 1)),
        plan(presented_on=D(2020, 6, 30)),
        "$.presented_on",
        "submission_act",
    ),
    "SERVICE_TYPE_MISSING": Case(
        "ats_cycle",
        plan(project(service_types=())),
        plan(),
        "$.projects[0].service_types",
        "project_act",
    ),
    "MEMBER_OUTSIDE_TERRITORY": Case(
        "ats_cycle",
        network(members=(member("Comune di Menaggio"),)),  # Medio Lario: Insubria since 2019
        network(members=(member("Comune di Sondrio"),)),
        "$.members[0].body",
        "territory_act",
    ),
    "MEMBER_MUNICIPALITY_UNKNOWN": Case(
        "ats_cycle",
        network(members=(member("Comune di Atlantide"),)),
        network(members=(member("Comune di Sondrio"),)),
        "$.members[0].body.name",
        "territory_act",
    ),
    "MEMBER_TERRITORY_UNKNOWN": Case(
        "asl_cycle",  # which of the three Milan ASL had Rho is not in the data
        network("ASL-MILANO-1", members=(member("Comune di Rho"),), accord=ACCORD_2014),
        network("ASL-BERGAMO", members=(member("Comune di Bergamo"),), accord=ACCORD_2014),
        "$.members[0].body",
        "territory_act",
    ),
    "SERVICE_TYPE_UNKNOWN": Case(
        "ats_cycle",
        plan(project(service_types=("A", "Z"))),
        plan(project(service_types=("A", "B"))),
        "$.projects[0].service_types[1]",
        "project_act",
    ),
    "PROJECT_ENDS_LATE": Case(
        "ats_cycle",
        plan(project(ends_on=D(2023, 6, 1))),
        plan(project(ends_on=D(2023, 5, 31))),
        "$.projects[0].ends_on",
        "ends_act",
    ),
    "BUDGET_NOT_STATED": Case(
        "ats_cycle",
        plan(project(requested=None)),
        plan(project(requested=None, budget_lines=(BudgetLine("staff", Money(100)),))),
        "$.projects[0].requested",
        "project_act",
    ),
    "NETWORK_LEAD_KIND": Case(
        "ats_cycle",
        network(lead=Body(id="ATS-MONTAGNA", name="Montagna S.r.l.", kind=BodyKind.COMPANY)),
        network(),
        "$.lead.kind",
        "network_act",
    ),
    "SUBMISSION_DATE_NOT_STATED": Case(
        "ats_cycle", project(submitted_on=None), project(), "$.submitted_on", "submission_act"
    ),
    "SUBMISSION_CHANNEL_NOT_STATED": Case(
        "ats_cycle",
        plan(project(submitted_through=None)),
        plan(),
        "$.projects[0].submitted_through",
        "submission_act",
    ),
    # ---- plain sense: on in every cycle, citing the core's plain-sense basis
    "PROJECT_ENDS_BEFORE_START": Case(
        "ats_cycle",
        project(starts_on=D(2021, 1, 1), ends_on=D(2020, 12, 31)),
        project(starts_on=D(2020, 12, 31), ends_on=D(2020, 12, 31)),
        "$.ends_on",
        plain_sense,
    ),
    "PROJECT_OUTSIDE_PERIOD": Case(
        "ats_cycle",
        project(starts_on=D(2019, 12, 31)),
        project(starts_on=D(2020, 1, 1)),
        "$.starts_on",
        plain_sense,
    ),
    "DATE_IN_FUTURE": Case(
        "ats_cycle_on_1_april",
        project(submitted_on=D(2020, 4, 2)),
        project(submitted_on=D(2020, 4, 1)),
        "$.submitted_on",
        plain_sense,
    ),
    "DATE_CENTURY_OFF": Case(
        "ats_cycle",
        plan(project(submitted_on=D(1920, 5, 1))),
        plan(project(submitted_on=D(2020, 5, 1))),
        "$.projects[0].submitted_on",
        plain_sense,
    ),
    "REQUEST_ABOVE_COST": Case(
        "ats_cycle",
        project(budget_lines=(BudgetLine("staff", Money.parse("49999.99")),)),
        project(budget_lines=(BudgetLine("staff", Money.parse("50000")),)),
        "$.requested",
        plain_sense,
    ),
    "CO_FINANCING_ABOVE_COST": Case(
        "ats_cycle",
        project(
            budget_lines=(BudgetLine("staff", Money.parse("60000")),),
            co_financing=Money.parse("60000.01"),
        ),
        project(
            budget_lines=(BudgetLine("staff", Money.parse("60000")),),
            co_financing=Money.parse("60000"),
        ),
        "$.co_financing",
        plain_sense,
    ),
    "REQUEST_ABOVE_ENVELOPE": Case(
        "cycle_2020",  # its [allocation] total is €3,000,000
        project(requested=Money.parse("3000000.01")),
        project(requested=Money.parse("3000000")),
        "$.requested",
        plain_sense,
    ),
    "COUNT_NEGATIVE": Case(
        "ats_cycle",
        project(beneficiaries=-1),
        project(beneficiaries=0),
        "$.beneficiaries",
        plain_sense,
    ),
    "ID_BLANK": Case("ats_cycle", project(id=" "), project(), "$.id", plain_sense),
    "TITLE_BLANK": Case("ats_cycle", project(title="\t"), project(), "$.title", plain_sense),
    "SERVICE_TYPE_DUPLICATE": Case(
        "ats_cycle",
        project(service_types=("A", "B", "A", "A")),
        project(service_types=("A", "B")),
        "$.service_types[2]",
        plain_sense,
    ),
    "REFERENCE_UNKNOWN": Case(
        "ats_cycle",
        plan(project(alliance="alleanza-x")),
        plan(project(alliance="alleanza")),
        "$.projects[0].alliance",
        plain_sense,
    ),
    "CYCLE_MISMATCH": Case(
        "ats_cycle",
        plan(cycle="test-asl"),
        plan(cycle="test-ats"),
        "$.cycle",
        plain_sense,
    ),
    "BODY_DUPLICATE": Case(
        "ats_cycle",
        project(partners=(Body("tirano", " comune di  TIRANO", BodyKind.MUNICIPALITY),)),
        project(partners=(Body("tirano", "Comune di Tirano", BodyKind.SCHOOL),)),
        "$.partners[0].id",
        plain_sense,
    ),
    "NATURE_CONTRADICTS_KIND": Case(
        "ats_cycle",
        project(partners=(Body("acme", "ACME", BodyKind.COMPANY, LegalNature.PUBLIC),)),
        project(
            partners=(
                Body(
                    "acme",
                    "ACME",
                    BodyKind.COMPANY,
                    LegalNature.PUBLIC,
                    nature_reason="wholly owned by the municipalities (in house)",
                ),
            )
        ),
        "$.partners[0].nature",
        plain_sense,
    ),
}


def test_every_code_has_a_case() -> None:
    assert set(CASES) == set(FINDING_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_produced_with_its_basis_and_path(
    code: str, request: pytest.FixtureRequest
) -> None:
    case = CASES[code]
    cycle: Cycle = request.getfixturevalue(case.cycle)
    findings = standard_checks(cycle, case.bad)
    assert [f.code for f in findings] == [code]
    [found] = findings
    severity, template = FINDING_CODES[code]
    assert found.severity is severity
    assert found.path == case.path
    expected = cycle.cite(case.basis) if isinstance(case.basis, str) else case.basis()
    assert found.legal_basis == expected
    assert found.definition is not None
    args = dict(found.args)
    for name in found.definition.amounts:  # sums of money are written the reader's way
        args[name] = Money.parse(args[name]).format("en")
    assert found.message == template.format(**args)
    assert "{" not in found.message


@pytest.mark.parametrize("code", sorted(CASES))
def test_corrected_twin_produces_nothing(code: str, request: pytest.FixtureRequest) -> None:
    case = CASES[code]
    cycle: Cycle = request.getfixturevalue(case.cycle)
    assert standard_checks(cycle, case.good) == []


def test_baseline_plan_is_clean(ats_cycle: Cycle) -> None:
    assert standard_checks(ats_cycle, plan()) == []


def test_each_bad_project_is_reported_at_its_index(ats_cycle: Cycle) -> None:
    bad = plan(
        projects=(PROJECT, project(id="b", lead=COMPANY), project(id="c", service_types=("Q",)))
    )
    assert [(f.code, f.path) for f in standard_checks(ats_cycle, bad)] == [
        ("LEAD_NOT_ADMITTED", "$.projects[1].lead"),
        ("SERVICE_TYPE_UNKNOWN", "$.projects[2].service_types[0]"),
    ]


def test_alliances_in_a_plan_are_checked(asl_cycle: Cycle) -> None:
    alliance = Alliance("al", "Alleanza", COOP)
    found = standard_checks(asl_cycle, plan(alliances=(alliance,), network=network("ASL-SONDRIO")))
    assert ("LEAD_NOT_PUBLIC", "$.alliances[0].lead") in [(f.code, f.path) for f in found]


def test_messages_name_the_things_involved(ats_cycle: Cycle) -> None:
    [late] = standard_checks(ats_cycle, CASES["PROJECT_ENDS_LATE"].bad)
    assert late.message == "Project Baby Hub ends on 01/06/2023, after 31/05/2023."
    [company] = standard_checks(ats_cycle, CASES["LEAD_NOT_ADMITTED"].bad)
    assert company.message == (
        "Project Baby Hub is led by ACME S.p.A. (private for-profit body); this cycle admits as "
        "lead only: public body, private non-profit / third-sector body."
    )


@settings(max_examples=40)
@given(document=documents())
def test_checks_never_raise_and_always_cite(
    document: Document, ats_cycle: Cycle, asl_cycle: Cycle
) -> None:
    for cycle in (ats_cycle, asl_cycle):
        for found in standard_checks(cycle, document):
            assert found.code in FINDING_CODES
            assert found.severity is FINDING_CODES[found.code][0]
            assert isinstance(found.legal_basis, LegalBasis)
            assert found.path.startswith("$")


def test_no_rules_no_findings(tmp_path: Path) -> None:
    path = tmp_path / "cycle.toml"
    path.write_text(
        '[cycle]\nid = "bare"\ntitle = "Bare"\nlevel = "ATS"\n'
        "period = { start = 2020-01-01, end = 2020-12-31 }\nlegal_basis = []\n"
        "[citations]\n",
        encoding="utf-8",
    )
    bare = load_cycle(path)
    # Only the plain-sense rules are on, citing the core's plain sense.
    assert list(bare.rules) == ["dates", "figures", "coherence", "bodies"]
    assert bare.cite("plain_sense") == PLAIN_SENSE
    for case in CASES.values():
        found = [f.code for f in standard_checks(bare, case.bad)]
        assert [c for c in found if c not in PLAIN_SENSE_CODES] == []


def test_finding_helper() -> None:
    basis = LegalBasis(act="A")
    made = finding("PLAN_LATE", "$.presented_on", basis, date="01/07/2020", deadline="30/06/2020")
    assert made.args == (("date", "01/07/2020"), ("deadline", "30/06/2020"))
    assert made.severity is Severity.ERROR
    assert made.message == "The plan was presented on 01/07/2020, after the deadline of 30/06/2020."
    with pytest.raises(LookupError, match="NO_SUCH_CODE"):
        finding("NO_SUCH_CODE", "$", basis)


# ---- reports -------------------------------------------------------------------------------------


def f(code: str, severity: Severity) -> Finding:
    return Finding(code=code, severity=severity, path="$")


def test_report_admissibility_and_codes() -> None:
    info, warning, error = f("I", Severity.INFO), f("W", Severity.WARNING), f("E", Severity.ERROR)
    assert Report("c", "d", (info, warning)).admissible
    assert Report("c", "d").admissible
    report = Report("c", "d", (info, error, warning))
    assert not report.admissible
    assert report.codes() == ["I", "E", "W"]
    assert report.codes(Severity.ERROR) == ["E"]
    assert report.codes(Severity.INFO) == ["I"]


def test_sorted_findings_keeps_order_within_a_severity() -> None:
    items = [f("I1", Severity.INFO), f("E1", Severity.ERROR), f("W1", Severity.WARNING)]
    items += [f("E2", Severity.ERROR), f("I2", Severity.INFO)]
    assert [x.code for x in Report.sorted_findings(items)] == ["E1", "E2", "W1", "I1", "I2"]


# ---- the shipped cycles on the Montagna plan -----------------------------------------------------


def test_montagna_plan_is_admissible_in_2020(host: Host, montagna_path: Path) -> None:
    report = host.check("lombardia-2020", load_document(montagna_path), "montagna")
    assert report.admissible
    assert report.cycle == "lombardia-2020"
    assert report.document == "montagna"
    assert report.codes(Severity.ERROR) == []
    assert report.codes(Severity.INFO) == ["BUDGET_NOT_STATED"] * 5


def test_montagna_plan_is_not_admissible_in_2014(host: Host, montagna_path: Path) -> None:
    report = host.check(host.cycle("lombardia-2014"), load_document(montagna_path))
    assert not report.admissible
    at = {(x.code, x.path) for x in report.findings}
    assert ("LEAD_NOT_PUBLIC", "$.projects[3].lead") in at  # Coop. Forme's "Terzo tempo"
    assert ("NETWORK_AGENCY_UNKNOWN", "$.network.agency") in at  # no ATS in 2014


def test_check_of_an_unknown_cycle(host: Host) -> None:
    with pytest.raises(CycleNotFoundError):
        host.check("lombardia-1999", plan())


# ---- a third plugin adds checks to an existing cycle ---------------------------------------------


class FewProjects:
    """A third party's rule on the lombardia-2020 cycle: a plan needs at least six projects."""

    def __init__(self, severity: Severity) -> None:
        self.severity = severity
        self.calls: list[str] = []

    @hookimpl
    def conciliazione_rules(self, register: Callable[[object], None]) -> None:
        register(FindingCode("EXTRA_FEW_PROJECTS", self.severity, "only {count} projects"))

    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: Document) -> list[Finding]:
        self.calls.append(cycle.id)
        if cycle.id != "lombardia-2020" or not isinstance(document, TerritorialPlan):
            return []
        if len(document.projects) >= 6:
            return []
        # Built without its definition: the host attaches the registered one.
        return [
            Finding(
                code="EXTRA_FEW_PROJECTS",
                severity=self.severity,
                path="$.projects",
                legal_basis=LegalBasis(act="Extra rule"),
                args=(("count", str(len(document.projects))),),
            )
        ]


@pytest.mark.parametrize("severity", [Severity.WARNING, Severity.ERROR])
def test_third_plugin_adds_checks(montagna_path: Path, severity: Severity) -> None:
    extra = FewProjects(severity)
    host = Host(plugins=[("extra", extra)], environ={})
    document = load_document(montagna_path)
    report = host.check("lombardia-2020", document)
    assert report.codes() == (
        ["EXTRA_FEW_PROJECTS", *["BUDGET_NOT_STATED"] * 5]
    )  # sorted by severity, the extra one first
    extra_finding = report.findings[0]
    assert extra_finding.message == "only 5 projects"
    assert extra_finding.legal_basis == LegalBasis(act="Extra rule")
    assert extra_finding.path == "$.projects"
    assert report.admissible is (severity is not Severity.ERROR)
    # Other cycles are untouched, and the hook saw every check.
    assert "EXTRA_FEW_PROJECTS" not in host.check("lombardia-2014", document).codes()
    assert extra.calls == ["lombardia-2020", "lombardia-2014"]
    [info] = [p for p in host.plugins() if p.name == "extra"]
    assert info.hooks == ("conciliazione_checks", "conciliazione_rules")
    assert info.cycles == ()
