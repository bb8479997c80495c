"""Tests that kill the mutants of ``rules.py`` the other tests let survive (docs/robustness.md).

Mutation testing showed that a finding's *message arguments* could be replaced by None, its
path dropped inside a register, or a label lower-cased without any test noticing. These tests
pin the whole finding: code, path, every argument and the rendered English message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from conciliazione_core._bodies import Body, BodyKind, LegalNature
from conciliazione_core._cycle import Cycle
from conciliazione_core._documents import (
    Accord,
    AccordKind,
    Alliance,
    Document,
    Network,
    NetworkRegister,
    Project,
    TerritorialPlan,
)
from conciliazione_core._findings import Finding
from conciliazione_core._rules import standard_checks

D = dt.date
COMUNE = Body(id="comune-tirano", name="Comune di Tirano", kind=BodyKind.MUNICIPALITY)
COOP = Body(id="coop-forme", name="Coop. Forme", kind=BodyKind.SOCIAL_COOPERATIVE)
COMPANY = Body(id="acme", name="ACME S.p.A.", kind=BodyKind.COMPANY)


def ats(agency: str) -> Body:
    """The health agency ``agency`` as a body: an ASL or an ATS, by its id."""
    kind = BodyKind.ASL if agency.startswith("ASL-") else BodyKind.ATS
    return Body(id=agency, name=f"ATS {agency}", kind=kind)


ACCORD = Accord("accordo", AccordKind.NETWORK, (ats("ATS-MONTAGNA"), COMUNE), D(2020, 3, 1))


def network(agency: str = "ATS-MONTAGNA", **changes: Any) -> Network:
    fields: dict[str, Any] = {
        "id": f"rete-{agency.lower()}",
        "name": f"Rete {agency}",
        "agency": agency,
        "lead": ats(agency),
        "accord": ACCORD,
    }
    return Network(**{**fields, **changes})


PROJECT = Project(
    id="baby-hub",
    title="Baby Hub",
    lead=COMUNE,
    service_types=("A",),
    requested=None,
    submitted_on=D(2020, 6, 1),
    submitted_through="ATS-BRIANZA",
    ends_on=D(2023, 6, 1),
)


def register(*agencies: str) -> NetworkRegister:
    return NetworkRegister("r", tuple(network(a, id=f"n{i}") for i, a in enumerate(agencies)))


def findings(cycle: Cycle, document: Document) -> dict[tuple[str, str], Finding]:
    out: dict[tuple[str, str], Finding] = {}
    for f in standard_checks(cycle, document):
        assert (f.code, f.path) not in out, (f.code, f.path)
        out[f.code, f.path] = f
    return out


def assert_finding(
    found: dict[tuple[str, str], Finding], key: tuple[str, str], message: str, **args: str
) -> None:
    f = found[key]
    assert f.message == message
    assert dict(f.args) == args
    assert f.legal_basis is not None


# ---- networks, in a plan and in a register -------------------------------------------------------


def test_network_findings_in_a_register_carry_every_argument(ats_cycle: Cycle) -> None:
    doc = NetworkRegister(
        "r",
        (
            network("ATS-BRIANZA", id="n0"),
            network("ATS-ATLANTIS", id="n1", lead=COMUNE, accord=None),
            network("ATS-PAVIA", id="n2", accord=attrs.evolve(ACCORD, signed_on=None)),
            network("ATS-BERGAMO", id="n3", accord=attrs.evolve(ACCORD, signed_on=D(2020, 4, 1))),
        ),
    )
    found = findings(ats_cycle, doc)
    assert_finding(
        found,
        ("NETWORK_AGENCY_UNKNOWN", "$.networks[1].agency"),
        "Network Rete ATS-ATLANTIS covers ATS-ATLANTIS, which is not an ATS of this cycle.",
        agency="ATS-ATLANTIS",
        level="ATS",
        network="Rete ATS-ATLANTIS",
    )
    assert_finding(
        found,
        ("NETWORK_LEAD_NOT_AGENCY", "$.networks[1].lead"),
        "Network Rete ATS-ATLANTIS is led by Comune di Tirano, not by its health agency "
        "ATS-ATLANTIS.",
        agency="ATS-ATLANTIS",
        lead="Comune di Tirano",
        network="Rete ATS-ATLANTIS",
    )
    assert_finding(
        found,
        ("ACCORD_MISSING", "$.networks[1].accord"),
        "Network Rete ATS-ATLANTIS has no founding accord.",
        network="Rete ATS-ATLANTIS",
    )
    assert_finding(
        found,
        ("ACCORD_UNDATED", "$.networks[2].accord.signed_on"),
        "The accord of network Rete ATS-PAVIA has no signature date; its deadline cannot be "
        "checked.",
        network="Rete ATS-PAVIA",
    )
    assert_finding(
        found,
        ("ACCORD_LATE", "$.networks[3].accord.signed_on"),
        "The accord of network Rete ATS-BERGAMO was signed on 01/04/2020, after the deadline of "
        "31/03/2020.",
        date="01/04/2020",
        deadline="31/03/2020",
        network="Rete ATS-BERGAMO",
    )
    assert_finding(
        found,
        ("NETWORK_TOO_MANY", "$.networks"),
        "The register lists 4 networks; the cycle allows at most 2.",
        count="4",
        limit="2",
    )
    assert len(found) == 6


def test_a_split_asl_names_every_successor(ats_cycle: Cycle) -> None:
    found = findings(ats_cycle, network("ASL-COMO", lead=ats("ATS-INSUBRIA")))
    f = found["NETWORK_AGENCY_SUCCEEDED", "$.agency"]
    assert dict(f.args) == {
        "act": "ATS composition as published by each ATS",
        "agency": "ASL-COMO",
        "successors": "ATS-INSUBRIA, ATS-MONTAGNA",
    }
    assert f.message == (
        "ASL-COMO no longer exists in this cycle: under ATS composition as published by each "
        "ATS its territory is part of ATS-INSUBRIA, ATS-MONTAGNA."
    )


def test_a_split_asl_is_not_counted_as_a_duplicate_of_one_successor(ats_cycle: Cycle) -> None:
    """ASL Como went to two ATS: its old network duplicates neither of them."""
    codes = [f.code for f in standard_checks(ats_cycle, register("ASL-COMO", "ATS-INSUBRIA"))]
    assert "NETWORK_DUPLICATE_AGENCY" not in codes
    assert codes.count("NETWORK_AGENCY_SUCCEEDED") == 1


def test_an_asl_with_one_successor_counts_as_that_successor(ats_cycle: Cycle) -> None:
    found = findings(ats_cycle, register("ASL-CREMONA", "ATS-VALPADANA"))
    assert_finding(
        found,
        ("NETWORK_DUPLICATE_AGENCY", "$.networks[1].agency"),
        "ATS-VALPADANA has more than one network (n0, n1); the cycle allows one per agency.",
        agency="ATS-VALPADANA",
        networks="n0, n1",
    )


# ---- leads, projects, plans ---------------------------------------------------------------------


def test_alliance_lead_findings_say_alliance(asl_cycle: Cycle) -> None:
    found = findings(asl_cycle, Alliance("a", "Alleanza", COOP))
    assert_finding(
        found,
        ("LEAD_NOT_PUBLIC", "$.lead"),
        "Alliance Alleanza is led by Coop. Forme (private non-profit / third-sector body); this "
        "cycle admits only public bodies as lead.",
        lead="Coop. Forme",
        name="Alleanza",
        nature="private non-profit / third-sector body",
        what="Alliance",
    )


def test_project_findings_in_a_plan_carry_every_argument(ats_cycle: Cycle) -> None:
    doc = TerritorialPlan(
        "piano",
        network(),
        alliances=(Alliance("a", "Alleanza", COMPANY),),
        projects=(
            PROJECT,
            attrs.evolve(PROJECT, id="p2", title="Doposcuola", service_types=("Z",)),
            attrs.evolve(PROJECT, id="p3", title="Terzo tempo", service_types=()),
        ),
        presented_on=D(2020, 7, 1),
    )
    found = findings(ats_cycle, doc)
    assert_finding(
        found,
        ("LEAD_NOT_ADMITTED", "$.alliances[0].lead"),
        "Alliance Alleanza is led by ACME S.p.A. (private for-profit body); this cycle admits as "
        "lead only: public body, private non-profit / third-sector body.",
        allowed="public body, private non-profit / third-sector body",
        lead="ACME S.p.A.",
        name="Alleanza",
        nature="private for-profit body",
        what="Alliance",
    )
    assert_finding(
        found,
        ("PROPOSAL_NOT_THROUGH_AGENCY", "$.projects[0].submitted_through"),
        "Project Baby Hub was submitted through ATS-BRIANZA, not through the network's agency "
        "ATS-MONTAGNA.",
        agency="ATS-MONTAGNA",
        name="Baby Hub",
        through="ATS-BRIANZA",
    )
    assert_finding(
        found,
        ("PROPOSAL_LATE", "$.projects[0].submitted_on"),
        "Project Baby Hub was submitted on 01/06/2020, after the call closed on 31/05/2020.",
        date="01/06/2020",
        deadline="31/05/2020",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("PROJECT_ENDS_LATE", "$.projects[0].ends_on"),
        "Project Baby Hub ends on 01/06/2023, after 31/05/2023.",
        date="01/06/2023",
        deadline="31/05/2023",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("BUDGET_NOT_STATED", "$.projects[0].requested"),
        "Project Baby Hub states no budget; the amount it may receive cannot be checked.",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("SERVICE_TYPE_UNKNOWN", "$.projects[1].service_types[0]"),
        "Project Doposcuola declares service type 'Z', which is not one of A, B.",
        code="Z",
        known="A, B",
        name="Doposcuola",
    )
    assert_finding(
        found,
        ("SERVICE_TYPE_MISSING", "$.projects[2].service_types"),
        "Project Terzo tempo declares no service type; one of A, B is required.",
        known="A, B",
        name="Terzo tempo",
    )
    assert_finding(
        found,
        ("PLAN_LATE", "$.presented_on"),
        "The plan was presented on 01/07/2020, after the deadline of 30/06/2020.",
        date="01/07/2020",
        deadline="30/06/2020",
    )


def test_ends_late_without_its_own_basis_cites_the_project_rules(ats_cycle: Cycle) -> None:
    projects = ats_cycle.rules.projects
    assert projects is not None
    sections = {**ats_cycle.rules, "projects": attrs.evolve(projects, ends_by_basis=None)}
    rules = attrs.evolve(ats_cycle.rules, sections=sections)
    cycle = attrs.evolve(ats_cycle, rules=rules)
    [late] = [f for f in standard_checks(cycle, PROJECT) if f.code == "PROJECT_ENDS_LATE"]
    assert late.legal_basis == cycle.cite(projects.basis)
    [own] = [f for f in standard_checks(ats_cycle, PROJECT) if f.code == "PROJECT_ENDS_LATE"]
    assert own.legal_basis == ats_cycle.cite(projects.ends_by_basis or "")
    assert own.legal_basis != late.legal_basis


@pytest.mark.parametrize("lang", ["it"])
def test_the_alliance_label_is_translated(asl_cycle: Cycle, lang: str) -> None:
    """The label goes through gettext: in Italian the message does not say 'Alliance'."""
    from conciliazione_core.i18n import set_language

    set_language(lang)
    [f] = standard_checks(asl_cycle, Alliance("a", "Alleanza", COOP))
    assert "Alliance" not in f.message
    assert f.message.startswith("Alleanza locale")
    # The argument stays English: the message is rendered in the reader's language.
    assert dict(f.args)["what"] == "Alliance"


# ---- the officer's questions: the lead's kind, submission, plain sense ---------------------------


def test_lead_kind_and_submission_findings_carry_every_argument(ats_cycle: Cycle) -> None:
    company = Body(id="ATS-MONTAGNA", name="Montagna S.r.l.", kind=BodyKind.COMPANY)
    doc = TerritorialPlan(
        "piano",
        network(lead=company),
        projects=(attrs.evolve(PROJECT, submitted_on=None, submitted_through=None),),
    )
    found = findings(ats_cycle, doc)
    assert_finding(
        found,
        ("NETWORK_LEAD_KIND", "$.network.lead.kind"),
        "Network Rete ATS-MONTAGNA is led by Montagna S.r.l., written with the id of the agency "
        "ATS-MONTAGNA but of kind company, not ats.",
        agency="ATS-MONTAGNA",
        expected="ats",
        kind="company",
        lead="Montagna S.r.l.",
        network="Rete ATS-MONTAGNA",
    )
    assert_finding(
        found,
        ("SUBMISSION_DATE_NOT_STATED", "$.projects[0].submitted_on"),
        "Project Baby Hub does not say when it was submitted; the call closed on 31/05/2020: "
        "ask for the date.",
        deadline="31/05/2020",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("SUBMISSION_CHANNEL_NOT_STATED", "$.projects[0].submitted_through"),
        "Project Baby Hub does not say through which agency it was submitted; proposals go "
        "through the network's agency: ask.",
        name="Baby Hub",
    )


def test_an_asl_network_expects_an_asl_lead(asl_cycle: Cycle) -> None:
    """Written with the ASL's id as an ATS: the kind expected is the agency's own, ``asl``."""
    lead = Body(id="ASL-SONDRIO", name="ASL di Sondrio", kind=BodyKind.ATS)
    asl = network("ASL-SONDRIO", lead=lead, accord=None)
    [kind] = [f for f in standard_checks(asl_cycle, asl) if f.code == "NETWORK_LEAD_KIND"]
    assert dict(kind.args)["expected"] == "asl"
    assert dict(kind.args)["kind"] == "ats"
    right = attrs.evolve(asl, lead=attrs.evolve(lead, kind=BodyKind.ASL))
    assert "NETWORK_LEAD_KIND" not in [f.code for f in standard_checks(asl_cycle, right)]


def test_plain_sense_findings_carry_every_argument(ats_cycle: Cycle) -> None:
    from conciliazione_core._documents import BudgetLine, SystemAction
    from conciliazione_core._money import Money

    twin = Body(id="tirano", name="COMUNE DI  TIRANO", kind=BodyKind.MUNICIPALITY)
    public_company = attrs.evolve(COMPANY, nature=LegalNature.PUBLIC)
    on = attrs.evolve(ats_cycle, rules=ats_cycle.rules.on(D(2020, 5, 15)))
    doc = TerritorialPlan(
        " ",
        network(member_count=-2),
        cycle="test-asl",
        alliances=(Alliance("al", "Alleanza", COMUNE, network="rete-x"),),
        projects=(
            attrs.evolve(
                PROJECT,
                alliance="al-x",
                partners=(twin, public_company),
                service_types=("A", "A"),
                budget_lines=(BudgetLine("staff", Money.euros(100)),),
                requested=Money.euros(101),
                co_financing=Money.euros(102),
                starts_on=D(2019, 12, 1),
                ends_on=D(2019, 11, 30),
                submitted_on=D(2020, 5, 20),
                beneficiaries=-7,
            ),
            attrs.evolve(PROJECT, id="p2", title="", submitted_on=D(1920, 5, 1)),
        ),
        system_actions=(SystemAction("", "Formazione"),),
    )
    found = findings(on, doc)
    period = {"start": "01/01/2020", "end": "31/12/2023"}
    assert_finding(
        found,
        ("DATE_IN_FUTURE", "$.projects[0].submitted_on"),
        "The submission date 20/05/2020 is after 15/05/2020, the day of the check.",
        date="20/05/2020",
        field="submission date",
        today="15/05/2020",
    )
    assert_finding(
        found,
        ("DATE_CENTURY_OFF", "$.projects[1].submitted_on"),
        "The submission date 01/05/1920 is 100 years from the cycle's period (01/01/2020 to "
        "31/12/2023): is the century right?",
        date="01/05/1920",
        field="submission date",
        years="100",
        **period,
    )
    assert_finding(
        found,
        ("PROJECT_ENDS_BEFORE_START", "$.projects[0].ends_on"),
        "Project Baby Hub ends on 30/11/2019, before it starts on 01/12/2019.",
        end="30/11/2019",
        name="Baby Hub",
        start="01/12/2019",
    )
    assert_finding(
        found,
        ("PROJECT_OUTSIDE_PERIOD", "$.projects[0].starts_on"),
        "Project Baby Hub: its start date 01/12/2019 is outside the cycle's period (01/01/2020 "
        "to 31/12/2023).",
        date="01/12/2019",
        field="start date",
        name="Baby Hub",
        **period,
    )
    # An end before the period starts is outside it, whatever the cycle's end date.
    assert (
        dict(found["PROJECT_OUTSIDE_PERIOD", "$.projects[0].ends_on"].args)["field"] == "end date"
    )
    # An end after the period is the cycle's own word ([rules.projects] ends_by), not the period's.
    late = attrs.evolve(PROJECT, ends_on=D(2024, 2, 1))
    codes = [(f.code, f.path) for f in standard_checks(ats_cycle, late)]
    assert ("PROJECT_ENDS_LATE", "$.ends_on") in codes
    assert ("PROJECT_OUTSIDE_PERIOD", "$.ends_on") not in codes
    assert_finding(
        found,
        ("COUNT_NEGATIVE", "$.network.member_count"),
        "The number of members of Rete ATS-MONTAGNA is -2: a count cannot be negative.",
        count="-2",
        counted="members",
        name="Rete ATS-MONTAGNA",
    )
    assert_finding(
        found,
        ("COUNT_NEGATIVE", "$.projects[0].beneficiaries"),
        "The number of beneficiaries of Baby Hub is -7: a count cannot be negative.",
        count="-7",
        counted="beneficiaries",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("REQUEST_ABOVE_COST", "$.projects[0].requested"),
        "Project Baby Hub requests €101.00, more than its total cost of €100.00.",
        cost="100.00",
        name="Baby Hub",
        requested="101.00",
    )
    assert_finding(
        found,
        ("CO_FINANCING_ABOVE_COST", "$.projects[0].co_financing"),
        "Project Baby Hub states a co-financing of €102.00, more than its total cost of €100.00.",
        co_financing="102.00",
        cost="100.00",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("ID_BLANK", "$.id"),
        "A document has a blank id: it cannot be referred to.",
        what="document",
    )
    assert_finding(
        found,
        ("ID_BLANK", "$.system_actions[0].id"),
        "A system action has a blank id: it cannot be referred to.",
        what="system action",
    )
    assert_finding(
        found,
        ("TITLE_BLANK", "$.projects[1].title"),
        "The project 'p2' has a blank name or title.",
        id="p2",
        what="project",
    )
    assert_finding(
        found,
        ("SERVICE_TYPE_DUPLICATE", "$.projects[0].service_types[1]"),
        "Project Baby Hub declares service type 'A' more than once.",
        code="A",
        name="Baby Hub",
    )
    assert_finding(
        found,
        ("REFERENCE_UNKNOWN", "$.alliances[0].network"),
        "Alliance Alleanza refers to network 'rete-x', which this plan does not have (it has: "
        "rete-ats-montagna).",
        known="rete-ats-montagna",
        name="Alleanza",
        ref="rete-x",
        target="network",
        what="Alliance",
    )
    assert_finding(
        found,
        ("REFERENCE_UNKNOWN", "$.projects[0].alliance"),
        "Project Baby Hub refers to alliance 'al-x', which this plan does not have (it has: al).",
        known="al",
        name="Baby Hub",
        ref="al-x",
        target="alliance",
        what="Project",
    )
    assert_finding(
        found,
        ("CYCLE_MISMATCH", "$.cycle"),
        "The document says it belongs to cycle test-asl, but it is checked against test-ats.",
        cycle="test-ats",
        said="test-asl",
    )
    assert_finding(
        found,
        ("BODY_DUPLICATE", "$.projects[0].partners[0].id"),
        "COMUNE DI  TIRANO (tirano) seems to be Comune di Tirano (comune-tirano) under another "
        "id: same name and kind.",
        id="tirano",
        name="COMUNE DI  TIRANO",
        other="comune-tirano",
        other_name="Comune di Tirano",
        same="name and kind",
    )
    assert_finding(
        found,
        ("NATURE_CONTRADICTS_KIND", "$.projects[0].partners[1].nature"),
        "ACME S.p.A. is of kind company but declared a public body, which its kind is not; "
        "correct it, or give the reason in nature_reason.",
        kind="company",
        name="ACME S.p.A.",
        nature="public body",
    )
    from conciliazione_core._plain_sense import PLAIN_SENSE_RULES

    every = {code.code for rule in PLAIN_SENSE_RULES for code in rule.codes}
    assert {code for code, _path in found} >= every - {"REQUEST_ABOVE_ENVELOPE"}  # no allocation


def test_each_body_is_judged_once_and_each_repeat_once(ats_cycle: Cycle) -> None:
    """A body written in several places is one body: one nature question, one duplicate."""
    public_company = attrs.evolve(COMPANY, nature=LegalNature.PUBLIC)
    twin = attrs.evolve(COMUNE, id="tirano")
    doc = attrs.evolve(PROJECT, lead=public_company, partners=(twin, public_company, twin))

    def plain(document: Document) -> list[tuple[str, str]]:
        about_bodies = ("NATURE_CONTRADICTS_KIND", "BODY_DUPLICATE")
        return [
            (f.code, f.path) for f in standard_checks(ats_cycle, document) if f.code in about_bodies
        ]

    # The lead is no longer the Comune, so its twin under "tirano" is nobody's repeat.
    assert plain(doc) == [("NATURE_CONTRADICTS_KIND", "$.lead.nature")]
    doc = attrs.evolve(PROJECT, partners=(twin, twin))
    assert plain(doc) == [("BODY_DUPLICATE", "$.partners[0].id")]
