"""Duplicate ids inside a document: every one reported, with its path and the first occurrence."""

from __future__ import annotations

import pytest
from hypothesis import given

from conciliazione_core._bodies import Body, BodyKind
from conciliazione_core._documents import (
    Accord,
    AccordKind,
    Alliance,
    Member,
    Network,
    NetworkRegister,
    Project,
    SystemAction,
    TerritorialPlan,
)
from conciliazione_core._errors import InputError
from conciliazione_core._identity import check_unique_ids
from conciliazione_core.testing._models import documents


def b(ident: str) -> Body:
    return Body(id=ident, name=f"Body {ident}", kind=BodyKind.COMPANY)


ATS = Body(id="ATS-MONTAGNA", name="ATS della Montagna", kind=BodyKind.ATS)


def network(
    ident: str = "n", members: tuple[str, ...] = (), signatories: tuple[str, ...] = ()
) -> Network:
    accord = (
        Accord("acc", AccordKind.NETWORK, tuple(b(s) for s in signatories)) if signatories else None
    )
    return Network(
        ident,
        "Rete",
        "ATS-MONTAGNA",
        ATS,
        accord=accord,
        members=tuple(Member(b(m)) for m in members),
    )


def problems(document: object, source: str | None = None) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as info:
        check_unique_ids(document, source)  # type: ignore[arg-type]
    assert info.value.source == source
    return [(p.path, p.message) for p in info.value.problems]


@given(documents())
def test_generated_documents_have_unique_ids(document: object) -> None:
    check_unique_ids(document)  # type: ignore[arg-type]


def test_members_each_repeat_reported_against_the_first() -> None:
    assert problems(network(members=("a", "b", "a", "a")), "n.toml") == [
        ("$.members[2]", "duplicate member id 'a' (first at index 0)"),
        ("$.members[3]", "duplicate member id 'a' (first at index 0)"),
    ]


def test_accord_signatories() -> None:
    assert problems(network(signatories=("x", "y", "y"))) == [
        ("$.accord.signatories[2]", "duplicate signatory id 'y' (first at index 1)")
    ]


def test_register_networks_and_their_members() -> None:
    register = NetworkRegister(
        "r", (network("n1"), network("n2", members=("m", "m")), network("n1"))
    )
    assert problems(register) == [
        ("$.networks[2]", "duplicate network id 'n1' (first at index 0)"),
        ("$.networks[1].members[1]", "duplicate member id 'm' (first at index 0)"),
    ]


def test_alliance_and_project_partners() -> None:
    assert problems(Alliance("al", "A", ATS, partners=(b("p"), b("p")))) == [
        ("$.partners[1]", "duplicate partner id 'p' (first at index 0)")
    ]
    assert problems(Project("pr", "P", ATS, partners=(b("q"), b("r"), b("q")))) == [
        ("$.partners[2]", "duplicate partner id 'q' (first at index 0)")
    ]


def test_plan_collects_every_list() -> None:
    plan = TerritorialPlan(
        "plan",
        network(members=("m", "m")),
        alliances=(
            Alliance("al", "A", ATS),
            Alliance("al", "B", ATS, partners=(b("x"), b("x"))),
        ),
        projects=(
            Project("p", "P", ATS, partners=(b("y"), b("y"))),
            Project("p", "Q", ATS),
        ),
        system_actions=(SystemAction("s", "S"), SystemAction("s", "T")),
    )
    assert [path for path, _ in problems(plan)] == [
        "$.network.members[1]",
        "$.alliances[1]",
        "$.projects[1]",
        "$.system_actions[1]",
        "$.alliances[1].partners[1]",
        "$.projects[0].partners[1]",
    ]


def test_unique_documents_pass() -> None:
    check_unique_ids(network(members=("a", "b"), signatories=("a", "b")))
    check_unique_ids(
        TerritorialPlan(
            "plan",
            network(members=("a",)),
            alliances=(Alliance("al", "A", ATS, partners=(b("a"),)),),
            projects=(Project("al", "P", ATS, partners=(b("a"),)),),
            system_actions=(SystemAction("al", "S"),),
        )
    )
