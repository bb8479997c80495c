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

from conciliazione_core._bodies import Body, BodyKind
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
