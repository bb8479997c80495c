"""``[rules.territory]``: a network's member municipalities lie in its agency's territory, on the
network's date (the ATS boundaries moved: Medio Lario left ATS Montagna on 1/1/2019)."""

from __future__ import annotations

import datetime as dt

import pytest

import conciliazione_core as cc
from conciliazione_core import Accord, AccordKind, Body, BodyKind, Member, Network, Severity

TERRITORY_2020 = 'rules.territory={ basis = "dgr_2398" }'
ATS = Body(id="ATS-MONTAGNA", name="ATS della Montagna", kind=BodyKind.ATS)


def comune(name: str, municipality: str | None = None) -> Member:
    slug = name.lower().replace(" ", "-")
    return Member(Body(id=slug, name=name, kind=BodyKind.MUNICIPALITY, municipality=municipality))


def montagna(*members: Member, signed: dt.date | None = None) -> Network:
    accord = Accord(id="accordo", kind=AccordKind.NETWORK, signed_on=signed) if signed else None
    return Network(
        id="rete-montagna",
        name="Rete ATS Montagna",
        agency="ATS-MONTAGNA",
        lead=ATS,
        members=members,
        accord=accord,
    )


@pytest.fixture(scope="module")
def cycle() -> cc.Cycle:
    """lombardia-2020 with the rule cited to the decree itself (it ships it citing an inference)."""
    return cc.get_cycle("lombardia-2020").with_overrides([TERRITORY_2020])


def findings(cycle: cc.Cycle, network: Network) -> list[tuple[str, str, Severity]]:
    report = cc.check(cycle, network)
    return [(f.code, f.path, f.severity) for f in report.findings if f.code.startswith("MEMBER_")]


def test_members_inside_the_territory_give_no_finding(cycle: cc.Cycle) -> None:
    network = montagna(comune("Comune di Tirano"), comune("Comune di Sondrio"))
    assert findings(cycle, network) == []


def test_a_medio_lario_member_is_outside_ats_montagna_from_2019(cycle: cc.Cycle) -> None:
    network = montagna(comune("Comune di Tirano"), comune("Comune di Menaggio"))
    assert findings(cycle, network) == [
        ("MEMBER_OUTSIDE_TERRITORY", "$.members[1].body", Severity.ERROR)
    ]
    [finding] = [f for f in cc.check(cycle, network).findings if f.code.startswith("MEMBER_")]
    assert finding.message == (
        "Member Comune di Menaggio of network Rete ATS Montagna is the municipality of Menaggio, "
        "which on 01/01/2020 is in ATS-INSUBRIA, not in ATS-MONTAGNA."
    )
    assert finding.legal_basis == cycle.cite("dgr_2398")
    with cc.i18n.language("it"):
        italian = finding.message
    assert italian != finding.message
    assert "ATS-INSUBRIA" in italian


def test_the_network_date_is_its_accord_date(cycle: cc.Cycle) -> None:
    """Signed in 2018, when Medio Lario was still ATS Montagna's: no finding."""
    network = montagna(comune("Comune di Menaggio"), signed=dt.date(2018, 6, 1))
    assert findings(cycle, network) == []
    network = montagna(comune("Comune di Menaggio"), signed=dt.date(2019, 1, 1))
    assert [code for code, _path, _s in findings(cycle, network)] == ["MEMBER_OUTSIDE_TERRITORY"]


def test_the_date_can_be_a_parameter() -> None:
    moved = cc.get_cycle("lombardia-2020").with_overrides(
        ['rules.territory={ basis = "dgr_2398", on = 2018-12-31 }']
    )
    assert findings(moved, montagna(comune("Comune di Menaggio"))) == []


def test_an_explicit_municipality_wins_over_the_name(cycle: cc.Cycle) -> None:
    network = montagna(comune("Municipality office", municipality="Menaggio"))
    assert [code for code, _p, _s in findings(cycle, network)] == ["MEMBER_OUTSIDE_TERRITORY"]


def test_an_unknown_municipality_is_a_warning_not_a_guess(cycle: cc.Cycle) -> None:
    network = montagna(comune("Comune di Atlantide"))
    assert findings(cycle, network) == [
        ("MEMBER_MUNICIPALITY_UNKNOWN", "$.members[0].body.name", Severity.WARNING)
    ]


def test_other_members_are_not_municipalities_and_are_not_checked(cycle: cc.Cycle) -> None:
    coop = Member(Body(id="coop", name="Coop. Forme", kind=BodyKind.SOCIAL_COOPERATIVE))
    assert findings(cycle, montagna(coop)) == []


def test_an_unknown_asl_of_the_data_is_information() -> None:
    """Which of the three Milan ASL had Rho is not in the data: say so, do not guess."""
    cycle = cc.get_cycle("lombardia-2014").with_overrides(
        ['rules.territory={ basis = "dgr_1081" }']
    )
    asl = Body(id="ASL-MILANO-1", name="ASL Milano 1", kind=BodyKind.ASL)
    network = Network(
        id="rete-mi1",
        name="Rete ASL Milano 1",
        agency="ASL-MILANO-1",
        lead=asl,
        members=(comune("Comune di Rho"),),
    )
    assert findings(cycle, network) == [
        ("MEMBER_TERRITORY_UNKNOWN", "$.members[0].body", Severity.INFO)
    ]


def test_the_rule_is_off_unless_the_cycle_sets_it() -> None:
    """lombardia-2025 does not set [rules.territory] (who may be a member is not known)."""
    ats = Network(
        id="rete",
        name="Rete",
        agency="ATS-MONTAGNA",
        lead=ATS,
        members=(comune("Comune di Menaggio"),),
    )
    assert "territory" not in cc.get_cycle("lombardia-2025").rules
    assert findings(cc.get_cycle("lombardia-2025"), ats) == []
    assert [c for c, _p, _s in findings(cc.get_cycle("lombardia-2020"), ats)] == [
        "MEMBER_OUTSIDE_TERRITORY"
    ]
