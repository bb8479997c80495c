"""Duplicate ids inside a document are input errors: two projects with one id cannot be told apart."""

from __future__ import annotations

from collections.abc import Iterable

from conciliazione_core._documents import (
    Alliance,
    Document,
    Network,
    NetworkRegister,
    Project,
    TerritorialPlan,
)
from conciliazione_core._errors import InputError, Problem
from conciliazione_core.i18n import N_, _

__all__ = ["check_unique_ids"]

# Whole sentences, one for each kind of list, so that each language can word its own.
_MEMBER = N_("duplicate member id {ident!r} (first at index {first})")
_SIGNATORY = N_("duplicate signatory id {ident!r} (first at index {first})")
_PARTNER = N_("duplicate partner id {ident!r} (first at index {first})")
_NETWORK = N_("duplicate network id {ident!r} (first at index {first})")
_ALLIANCE = N_("duplicate alliance id {ident!r} (first at index {first})")
_PROJECT = N_("duplicate project id {ident!r} (first at index {first})")
_SYSTEM_ACTION = N_("duplicate system action id {ident!r} (first at index {first})")


def _duplicates(ids: Iterable[str], path: str, what: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for i, ident in enumerate(ids):
        if ident in seen:
            problems.append(Problem(f"{path}[{i}]", _(what).format(ident=ident, first=seen[ident])))
        else:
            seen[ident] = i
    return problems


def _network(network: Network, path: str) -> list[Problem]:
    problems = _duplicates((m.body.id for m in network.members), f"{path}.members", _MEMBER)
    if network.accord is not None:
        problems += _duplicates(
            (b.id for b in network.accord.signatories), f"{path}.accord.signatories", _SIGNATORY
        )
    return problems


def _alliance(alliance: Alliance, path: str) -> list[Problem]:
    return _duplicates((b.id for b in alliance.partners), f"{path}.partners", _PARTNER)


def _project(project: Project, path: str) -> list[Problem]:
    return _duplicates((b.id for b in project.partners), f"{path}.partners", _PARTNER)


def _problems(document: Document) -> list[Problem]:
    if isinstance(document, Network):
        return _network(document, "$")
    if isinstance(document, NetworkRegister):
        problems = _duplicates((n.id for n in document.networks), "$.networks", _NETWORK)
        for i, network in enumerate(document.networks):
            problems += _network(network, f"$.networks[{i}]")
        return problems
    if isinstance(document, Alliance):
        return _alliance(document, "$")
    if isinstance(document, Project):
        return _project(document, "$")
    plan: TerritorialPlan = document
    problems = _network(plan.network, "$.network")
    problems += _duplicates((a.id for a in plan.alliances), "$.alliances", _ALLIANCE)
    problems += _duplicates((p.id for p in plan.projects), "$.projects", _PROJECT)
    problems += _duplicates((s.id for s in plan.system_actions), "$.system_actions", _SYSTEM_ACTION)
    for i, alliance in enumerate(plan.alliances):
        problems += _alliance(alliance, f"$.alliances[{i}]")
    for i, project in enumerate(plan.projects):
        problems += _project(project, f"$.projects[{i}]")
    return problems


def check_unique_ids(document: Document, source: str | None = None) -> None:
    """Raise :class:`InputError` listing every duplicate id in ``document``."""
    problems = _problems(document)
    if problems:
        raise InputError(problems, source)
