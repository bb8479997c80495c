"""Hypothesis strategies for the library's models: bodies, documents, money, dates, citations.

Everything generated is valid input that the loader accepts and that survives a round trip
through JSON and TOML unchanged: ids are never blank and are unique where a document requires it,
amounts are non-negative whole cents, integers fit TOML's 64-bit range. Tests for invalid input
build it by hand, next to the error they expect. Other projects (a cycle plugin, an application
embedding the core) can use these to test their own code on documents::

    from hypothesis import given
    from conciliazione_core.testing._models import territorial_plans

    @given(territorial_plans())
    def test_my_check_never_raises(plan): ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from conciliazione_core._bodies import Body, BodyKind, LegalNature
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
    SystemAction,
    TerritorialPlan,
)
from conciliazione_core._findings import Finding, Report, Severity
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance

__all__ = [
    "MAX_CENTS",
    "accords",
    "alliances",
    "amounts",
    "bodies",
    "budget_lines",
    "dates",
    "documents",
    "findings",
    "identifiers",
    "legal_bases",
    "members",
    "names",
    "network_registers",
    "networks",
    "projects",
    "provenances",
    "reports",
    "system_actions",
    "territorial_plans",
    "texts",
]

T = TypeVar("T")

MAX_CENTS = 10**13
"""Default upper bound of generated amounts: €100 billion, far above any programme's budget."""

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
_MAX_INT = 10**9


def identifiers(max_size: int = 12) -> st.SearchStrategy[str]:
    """Ids as people write them (``ATS-MONTAGNA``, ``coop-forme``): never blank."""
    return st.text(_ID_ALPHABET, min_size=1, max_size=max_size)


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text, including accents, quotes, control characters and emoji (never surrogates)."""
    return st.text(st.characters(codec="utf-8"), max_size=max_size)


def names(max_size: int = 30) -> st.SearchStrategy[str]:
    """Names: any text with at least one non-blank character (a blank name is refused)."""
    return texts(max_size).filter(lambda s: bool(s.strip()))


def dates(
    min_value: dt.date = dt.date(1900, 1, 1), max_value: dt.date = dt.date(2100, 12, 31)
) -> st.SearchStrategy[dt.date]:
    """Calendar dates (no time); the default range covers every plausible cycle."""
    return st.dates(min_value=min_value, max_value=max_value)


def amounts(max_cents: int = MAX_CENTS, min_cents: int = 0) -> st.SearchStrategy[Money]:
    """Money between ``min_cents`` and ``max_cents`` cents, biased towards round figures."""
    cents = st.integers(min_value=min_cents, max_value=max_cents)
    lowest, highest = -(-min_cents // 100), max_cents // 100  # whole euros within the bounds
    if lowest > highest:
        return cents.map(Money)
    whole = st.integers(min_value=lowest, max_value=highest).map(lambda e: e * 100)
    return st.one_of(whole, cents).map(Money)


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _unique_by_id(
    strategy: st.SearchStrategy[T], key: Callable[[T], str], max_size: int
) -> st.SearchStrategy[tuple[T, ...]]:
    return st.lists(strategy, max_size=max_size, unique_by=key).map(tuple)


def legal_bases() -> st.SearchStrategy[LegalBasis]:
    """Citations with any evidence; the act is never blank."""
    return st.builds(
        LegalBasis,
        act=names(),
        provision=_optional(texts()),
        url=_optional(texts()),
        evidence=st.sampled_from(Evidence),
        note=_optional(texts()),
    )


def provenances() -> st.SearchStrategy[Provenance]:
    """Provenance of a datum, of any status."""
    return st.builds(
        Provenance,
        source=texts(),
        reference_date=dates(),
        status=st.sampled_from(DataStatus),
        method=_optional(texts()),
    )


@st.composite
def bodies(
    draw: st.DrawFn,
    kind: BodyKind | None = None,
    nature: LegalNature | None = None,
    body_id: str | None = None,
) -> Body:
    """A body; its nature is the kind's default half of the time, an explicit one otherwise.

    ``kind``, ``nature`` and ``body_id`` fix those fields (``nature`` wins over the default).
    """
    chosen_kind = kind if kind is not None else draw(st.sampled_from(BodyKind))
    explicit = nature if nature is not None else draw(_optional(st.sampled_from(LegalNature)))
    fields: dict[str, Any] = {
        "id": body_id if body_id is not None else draw(identifiers()),
        "name": draw(names()),
        "kind": chosen_kind,
        "tax_code": draw(_optional(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=16))),
        "municipality": draw(_optional(names())),
    }
    if explicit is not None:
        fields["nature"] = explicit
        if draw(st.booleans()):
            fields["nature_reason"] = draw(names())
    return Body(**fields)


def _bodies_unique(max_size: int) -> st.SearchStrategy[tuple[Body, ...]]:
    return _unique_by_id(bodies(), lambda b: b.id, max_size)


def accords(kind: AccordKind | None = None, max_signatories: int = 3) -> st.SearchStrategy[Accord]:
    """An accord whose signatories have distinct ids."""
    return st.builds(
        Accord,
        id=identifiers(),
        kind=st.just(kind) if kind is not None else st.sampled_from(AccordKind),
        signatories=_bodies_unique(max_signatories),
        signed_on=_optional(dates()),
        title=_optional(texts()),
    )


def members() -> st.SearchStrategy[Member]:
    """A member body with an optional joining date."""
    return st.builds(Member, body=bodies(), joined_on=_optional(dates()))


def networks(max_members: int = 4, agency: str | None = None) -> st.SearchStrategy[Network]:
    """A network whose members have distinct ids; ``agency`` fixes the health agency's id."""
    return st.builds(
        Network,
        id=identifiers(),
        name=names(),
        agency=st.just(agency) if agency is not None else identifiers(),
        lead=bodies(),
        accord=_optional(accords(AccordKind.NETWORK)),
        members=_unique_by_id(members(), lambda m: m.body.id, max_members),
        member_count=_optional(st.integers(min_value=0, max_value=_MAX_INT)),
    )


def network_registers(max_networks: int = 3) -> st.SearchStrategy[NetworkRegister]:
    """A register of networks with distinct ids."""
    return st.builds(
        NetworkRegister,
        id=identifiers(),
        networks=_unique_by_id(networks(max_members=2), lambda n: n.id, max_networks),
    )


def alliances(max_partners: int = 3) -> st.SearchStrategy[Alliance]:
    """An alliance whose partners have distinct ids."""
    return st.builds(
        Alliance,
        id=identifiers(),
        name=names(),
        lead=bodies(),
        network=_optional(identifiers()),
        partners=_bodies_unique(max_partners),
        accord=_optional(accords(AccordKind.PARTNERSHIP)),
        contract_on=_optional(dates()),
    )


def budget_lines(max_cents: int = MAX_CENTS) -> st.SearchStrategy[BudgetLine]:
    """One budget line."""
    return st.builds(BudgetLine, label=texts(), amount=amounts(max_cents))


def projects(
    max_partners: int = 3, service_types: Sequence[str] | None = None
) -> st.SearchStrategy[Project]:
    """A project whose partners have distinct ids.

    ``service_types`` draws the declared codes from that list (for example a cycle's ``A``..``E``);
    by default any short text, so that unknown codes are generated too.
    """
    code = st.sampled_from(list(service_types)) if service_types else texts(3)
    return st.builds(
        Project,
        id=identifiers(),
        title=texts(),
        lead=bodies(),
        alliance=_optional(identifiers()),
        partners=_bodies_unique(max_partners),
        service_types=st.lists(code, max_size=3).map(tuple),
        budget_lines=st.lists(budget_lines(), max_size=3).map(tuple),
        requested=_optional(amounts()),
        co_financing=_optional(amounts()),
        starts_on=_optional(dates()),
        ends_on=_optional(dates()),
        submitted_on=_optional(dates()),
        submitted_through=_optional(identifiers()),
        beneficiaries=_optional(st.integers(min_value=0, max_value=_MAX_INT)),
        target=_optional(texts()),
    )


def system_actions() -> st.SearchStrategy[SystemAction]:
    """A system action run by the network lead."""
    return st.builds(SystemAction, id=identifiers(), title=texts(), budget=_optional(amounts()))


def territorial_plans(max_items: int = 3) -> st.SearchStrategy[TerritorialPlan]:
    """A plan whose alliances, projects and system actions have distinct ids."""
    return st.builds(
        TerritorialPlan,
        id=identifiers(),
        network=networks(max_members=2),
        cycle=_optional(identifiers()),
        alliances=_unique_by_id(alliances(max_partners=2), lambda a: a.id, max_items),
        projects=_unique_by_id(projects(max_partners=2), lambda p: p.id, max_items),
        system_actions=_unique_by_id(system_actions(), lambda s: s.id, max_items),
        presented_on=_optional(dates()),
    )


def documents() -> st.SearchStrategy[Document]:
    """Any document kind the loader reads (network, register, alliance, project, plan)."""
    return st.one_of(networks(), network_registers(), alliances(), projects(), territorial_plans())


def findings() -> st.SearchStrategy[Finding]:
    """A finding with any severity, citation and message arguments."""
    return st.builds(
        Finding,
        code=identifiers(),
        severity=st.sampled_from(Severity),
        path=texts(),
        legal_basis=_optional(legal_bases()),
        args=st.lists(st.tuples(identifiers(), texts()), max_size=3).map(tuple),
    )


def reports(max_findings: int = 4) -> st.SearchStrategy[Report]:
    """A report of findings on one document."""
    return st.builds(
        Report,
        cycle=identifiers(),
        document=texts(),
        findings=st.lists(findings(), max_size=max_findings).map(tuple),
    )
