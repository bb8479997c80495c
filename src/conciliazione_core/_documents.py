"""The documents the programme produces: accords, networks, alliances, projects, plans.

They are the inputs that :func:`conciliazione_core.check` checks against a cycle's rules. Each is a
frozen attrs class; bodies are written inline (a lead is a :class:`~conciliazione_core.Body`, not a
reference) so that every document can be checked on its own. Optional fields stay ``None`` when the
fact is unknown; the checks report an unknown that matters as information, not as an error.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import TypeAlias

import attrs

from conciliazione_core import _validators as v
from conciliazione_core._bodies import Body
from conciliazione_core._money import Money

__all__ = [
    "DOCUMENT_KINDS",
    "Accord",
    "AccordKind",
    "Alliance",
    "BudgetLine",
    "Document",
    "Member",
    "Network",
    "NetworkRegister",
    "Project",
    "SystemAction",
    "TerritorialPlan",
    "alliances_in",
    "document_kind",
    "networks_in",
    "projects_in",
]


_text = v.text
_opt_text = v.optional(v.text)
_date = v.optional(v.date)
_count = v.optional(v.whole_number)
_money = v.optional(v.money)
_body = v.instance(Body)


class AccordKind(enum.Enum):
    """What an accord founds."""

    NETWORK = "network"
    """Accordo di collaborazione: founds or renews a territorial network."""
    PARTNERSHIP = "partnership"
    """Accordo di partenariato pubblico-privato: founds a local alliance."""


@attrs.frozen
class Accord:
    """A signed agreement (accordo) with its signatories."""

    id: str = attrs.field(validator=_text)
    kind: AccordKind = attrs.field(validator=v.instance(AccordKind))
    signatories: tuple[Body, ...] = attrs.field(default=(), validator=v.tuple_of(Body))
    signed_on: dt.date | None = attrs.field(default=None, validator=_date)
    title: str | None = attrs.field(default=None, validator=_opt_text)


_accord = v.optional(v.instance(Accord))


@attrs.frozen
class Member:
    """A body that joined a network, and when."""

    body: Body = attrs.field(validator=_body)
    joined_on: dt.date | None = attrs.field(default=None, validator=_date)


@attrs.frozen
class Network:
    """A territorial network (rete territoriale di conciliazione), one per health agency.

    ``agency`` is the id of the ASL/ATS whose territory the network covers (``ATS-MONTAGNA``);
    ``lead`` is the body leading it, normally that agency, written with the agency's id.
    When only the number of members is known, give ``member_count`` and leave ``members`` empty.
    """

    id: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    agency: str = attrs.field(validator=_text)
    lead: Body = attrs.field(validator=_body)
    accord: Accord | None = attrs.field(default=None, validator=_accord)
    members: tuple[Member, ...] = attrs.field(default=(), validator=v.tuple_of(Member))
    member_count: int | None = attrs.field(default=None, validator=_count)

    @property
    def size(self) -> int | None:
        """Members listed, or the stated count when the list is not given."""
        return len(self.members) if self.members else self.member_count


@attrs.frozen
class NetworkRegister:
    """All the networks of a cycle, as the Region's register lists them."""

    id: str = attrs.field(validator=_text)
    networks: tuple[Network, ...] = attrs.field(default=(), validator=v.tuple_of(Network))


@attrs.frozen
class Alliance:
    """A local alliance (alleanza locale): a public-private partnership inside a network."""

    id: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    lead: Body = attrs.field(validator=_body)
    network: str | None = attrs.field(default=None, validator=_opt_text)
    partners: tuple[Body, ...] = attrs.field(default=(), validator=v.tuple_of(Body))
    accord: Accord | None = attrs.field(default=None, validator=_accord)
    contract_on: dt.date | None = attrs.field(default=None, validator=_date)


@attrs.frozen
class BudgetLine:
    """One line of a project's budget."""

    label: str = attrs.field(validator=_text)
    amount: Money = attrs.field(validator=v.money)


@attrs.frozen
class Project:
    """An alliance's project (progetto / proposta progettuale).

    ``service_types`` are codes of the cycle (``"A"``..``"E"`` in 2020-2023), kept as text so that
    an unknown code is a finding rather than a parse error.
    """

    id: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    lead: Body = attrs.field(validator=_body)
    alliance: str | None = attrs.field(default=None, validator=_opt_text)
    partners: tuple[Body, ...] = attrs.field(default=(), validator=v.tuple_of(Body))
    service_types: tuple[str, ...] = attrs.field(default=(), validator=v.tuple_of(str))
    budget_lines: tuple[BudgetLine, ...] = attrs.field(default=(), validator=v.tuple_of(BudgetLine))
    requested: Money | None = attrs.field(default=None, validator=_money)
    """Contribution requested from the programme."""
    co_financing: Money | None = attrs.field(default=None, validator=_money)
    """The share paid by the partners."""
    starts_on: dt.date | None = attrs.field(default=None, validator=_date)
    ends_on: dt.date | None = attrs.field(default=None, validator=_date)
    submitted_on: dt.date | None = attrs.field(default=None, validator=_date)
    submitted_through: str | None = attrs.field(default=None, validator=_opt_text)
    """Id of the agency (ASL/ATS) through which the proposal was submitted."""
    beneficiaries: int | None = attrs.field(default=None, validator=_count)
    target: str | None = attrs.field(default=None, validator=_opt_text)
    """Who the project is for, in words (children, elderly people, employees...)."""

    @property
    def total_cost(self) -> Money | None:
        """Sum of the budget lines, if any are given."""
        return Money.total(line.amount for line in self.budget_lines) if self.budget_lines else None


@attrs.frozen
class SystemAction:
    """An action run by the network lead itself (training, information, monitoring)."""

    id: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    budget: Money | None = attrs.field(default=None, validator=_money)


@attrs.frozen
class TerritorialPlan:
    """A network's plan for one cycle (Piano territoriale / Piano di azione territoriale)."""

    id: str = attrs.field(validator=_text)
    network: Network = attrs.field(validator=v.instance(Network))
    cycle: str | None = attrs.field(default=None, validator=_opt_text)
    alliances: tuple[Alliance, ...] = attrs.field(default=(), validator=v.tuple_of(Alliance))
    projects: tuple[Project, ...] = attrs.field(default=(), validator=v.tuple_of(Project))
    system_actions: tuple[SystemAction, ...] = attrs.field(
        default=(), validator=v.tuple_of(SystemAction)
    )
    presented_on: dt.date | None = attrs.field(default=None, validator=_date)


Document: TypeAlias = Network | NetworkRegister | Alliance | Project | TerritorialPlan

#: The ``kind`` tag of each document type in JSON and TOML files.
DOCUMENT_KINDS: dict[str, type[Document]] = {
    "network": Network,
    "network_register": NetworkRegister,
    "alliance": Alliance,
    "project": Project,
    "territorial_plan": TerritorialPlan,
}


def document_kind(document: Document) -> str:
    """The ``kind`` tag of a document."""
    for kind, cls in DOCUMENT_KINDS.items():
        if type(document) is cls:
            return kind
    raise TypeError(f"not a document: {type(document).__name__}")


# ---- where a document's networks, alliances and projects are (for the rules' findings) ----------


def networks_in(document: Document) -> Iterator[tuple[Network, str]]:
    """Each network of ``document`` with its path: a plan's, a register's, or the network."""
    if isinstance(document, TerritorialPlan):
        yield document.network, "$.network"
    elif isinstance(document, NetworkRegister):
        for i, network in enumerate(document.networks):
            yield network, f"$.networks[{i}]"
    elif isinstance(document, Network):
        yield document, "$"


def alliances_in(document: Document) -> Iterator[tuple[Alliance, str]]:
    """Each alliance of ``document`` with its path: a plan's, or the alliance itself."""
    if isinstance(document, TerritorialPlan):
        for i, alliance in enumerate(document.alliances):
            yield alliance, f"$.alliances[{i}]"
    elif isinstance(document, Alliance):
        yield document, "$"


def projects_in(document: Document) -> Iterator[tuple[Project, str, str | None]]:
    """Each project of ``document`` with its path and the plan's agency (None for a project
    on its own)."""
    if isinstance(document, TerritorialPlan):
        for i, project in enumerate(document.projects):
            yield project, f"$.projects[{i}]", document.network.agency
    elif isinstance(document, Project):
        yield document, "$", None
