"""The standard checks every cycle gets from its parameter file.

Each check reads one section of the cycle's ``[rules]`` and is skipped when that section is
absent; each finding cites the section's ``basis``. A cycle plugin adds unusual rules through the
``conciliazione_checks`` hook instead of editing these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from conciliazione_core.bodies import Body, LegalNature
from conciliazione_core.cycle import Cycle
from conciliazione_core.documents import (
    Alliance,
    Document,
    Network,
    NetworkRegister,
    Project,
    TerritorialPlan,
)
from conciliazione_core.findings import Finding, Severity
from conciliazione_core.i18n import N_, _
from conciliazione_core.legal import LegalBasis
from conciliazione_core.territory import lombardy

__all__ = ["FINDING_CODES", "finding", "standard_checks"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Every code the standard checks can emit, its severity and its message template (English source;
#: the Italian comes from the gettext catalogue).
FINDING_CODES: dict[str, tuple[Severity, str]] = {
    "NETWORK_AGENCY_UNKNOWN": (
        E,
        N_("Network {network} covers {agency}, which is not an {level} of this cycle."),
    ),
    "NETWORK_AGENCY_SUCCEEDED": (
        W,
        N_(
            "{agency} no longer exists in this cycle: under {act} its territory is part of {successors}."
        ),
    ),
    "NETWORK_LEAD_NOT_AGENCY": (
        E,
        N_("Network {network} is led by {lead}, not by its health agency {agency}."),
    ),
    "NETWORK_DUPLICATE_AGENCY": (
        E,
        N_("{agency} has more than one network ({networks}); the cycle allows one per agency."),
    ),
    "NETWORK_TOO_MANY": (
        E,
        N_("The register lists {count} networks; the cycle allows at most {limit}."),
    ),
    "ACCORD_MISSING": (E, N_("Network {network} has no founding accord.")),
    "ACCORD_UNDATED": (
        INFO,
        N_(
            "The accord of network {network} has no signature date; its deadline cannot be checked."
        ),
    ),
    "ACCORD_LATE": (
        E,
        N_(
            "The accord of network {network} was signed on {date}, after the deadline of {deadline}."
        ),
    ),
    "LEAD_NOT_PUBLIC": (
        E,
        N_(
            "{what} {name} is led by {lead} ({nature}); this cycle admits only public bodies as lead."
        ),
    ),
    "LEAD_NOT_ADMITTED": (
        E,
        N_("{what} {name} is led by {lead} ({nature}); this cycle admits as lead only: {allowed}."),
    ),
    "PROPOSAL_NOT_THROUGH_AGENCY": (
        E,
        N_(
            "Project {name} was submitted through {through}, not through the network's agency {agency}."
        ),
    ),
    "PROPOSAL_LATE": (
        E,
        N_("Project {name} was submitted on {date}, after the call closed on {deadline}."),
    ),
    "PLAN_LATE": (E, N_("The plan was presented on {date}, after the deadline of {deadline}.")),
    "SERVICE_TYPE_MISSING": (
        E,
        N_("Project {name} declares no service type; one of {known} is required."),
    ),
    "SERVICE_TYPE_UNKNOWN": (
        E,
        N_("Project {name} declares service type {code!r}, which is not one of {known}."),
    ),
    "PROJECT_ENDS_LATE": (W, N_("Project {name} ends on {date}, after {deadline}.")),
    "BUDGET_NOT_STATED": (
        INFO,
        N_("Project {name} states no budget; the amount it may receive cannot be checked."),
    ),
}

_NATURE_WORDS = {
    LegalNature.PUBLIC: N_("public body"),
    LegalNature.PRIVATE_FOR_PROFIT: N_("private for-profit body"),
    LegalNature.PRIVATE_NON_PROFIT: N_("private non-profit / third-sector body"),
}


def finding(code: str, path: str, basis: LegalBasis | None, /, **args: object) -> Finding:
    """A finding of a standard code, its message rendered in the current language."""
    severity, template = FINDING_CODES[code]
    text = {k: str(v) for k, v in args.items()}
    return Finding(
        code=code,
        severity=severity,
        message=_(template).format(**args),
        path=path,
        legal_basis=basis,
        args=tuple(sorted(text.items())),
    )


def _nature(body: Body) -> str:
    return _(_NATURE_WORDS[body.nature])


# ---- networks -----------------------------------------------------------------------------------


def _network(cycle: Cycle, network: Network, path: str) -> Iterator[Finding]:
    rules = cycle.rules
    agency_id = network.agency
    leads: tuple[str, ...] = (agency_id,)
    if rules.network is not None:
        basis = cycle.cite(rules.network.basis)
        territory = lombardy()
        agency = territory.agency(agency_id)
        if agency is None or agency.level is not cycle.level:
            successors = territory.successors(agency_id)
            if agency is not None and successors:
                names = ", ".join(s.successor for s in successors)
                yield finding(
                    "NETWORK_AGENCY_SUCCEEDED",
                    f"{path}.agency",
                    successors[0].basis,
                    agency=agency_id,
                    act=successors[0].basis.act,
                    successors=names,
                )
                # The lead must now be a successor (one of them, when the ASL was split).
                leads = _current_agencies(cycle, agency_id)
            else:
                yield finding(
                    "NETWORK_AGENCY_UNKNOWN",
                    f"{path}.agency",
                    basis,
                    network=network.name,
                    agency=agency_id,
                    level=cycle.level.value,
                )
        if rules.network.lead_is_agency and network.lead.id not in leads:
            yield finding(
                "NETWORK_LEAD_NOT_AGENCY",
                f"{path}.lead",
                basis,
                network=network.name,
                lead=network.lead.name,
                agency=(" " + _("or") + " ").join(leads),
            )
    if rules.accord is not None:
        basis = cycle.cite(rules.accord.basis)
        accord = network.accord
        if accord is None:
            if rules.accord.required:
                yield finding("ACCORD_MISSING", f"{path}.accord", basis, network=network.name)
        elif rules.accord.signed_by is not None:
            if accord.signed_on is None:
                yield finding(
                    "ACCORD_UNDATED", f"{path}.accord.signed_on", basis, network=network.name
                )
            elif accord.signed_on > rules.accord.signed_by:
                yield finding(
                    "ACCORD_LATE",
                    f"{path}.accord.signed_on",
                    basis,
                    network=network.name,
                    date=_date(accord.signed_on),
                    deadline=_date(rules.accord.signed_by),
                )


def _current_agencies(cycle: Cycle, agency_id: str) -> tuple[str, ...]:
    """The agencies of the cycle's level that now cover ``agency_id`` (itself if not succeeded)."""
    territory = lombardy()
    agency = territory.agency(agency_id)
    if agency is None or agency.level is cycle.level:
        return (agency_id,)
    successors = tuple(dict.fromkeys(s.successor for s in territory.successors(agency_id)))
    return successors or (agency_id,)


def _register(cycle: Cycle, register: NetworkRegister) -> Iterator[Finding]:
    for i, network in enumerate(register.networks):
        yield from _network(cycle, network, f"$.networks[{i}]")
    rules = cycle.rules.network
    if rules is None:
        return
    basis = cycle.cite(rules.basis)
    if rules.one_per_agency:
        by_agency: dict[str, list[int]] = {}
        for i, network in enumerate(register.networks):
            # Count an old ASL network under its successor: the Cremona and Mantova networks
            # are both ATS Val Padana's in a cycle of ATS.
            current = _current_agencies(cycle, network.agency)
            key = current[0] if len(current) == 1 else network.agency
            by_agency.setdefault(key, []).append(i)
        for agency, indices in by_agency.items():
            if len(indices) > 1:
                yield finding(
                    "NETWORK_DUPLICATE_AGENCY",
                    f"$.networks[{indices[1]}].agency",
                    basis,
                    agency=agency,
                    networks=", ".join(register.networks[i].id for i in indices),
                )
    if rules.max_networks is not None and len(register.networks) > rules.max_networks:
        yield finding(
            "NETWORK_TOO_MANY",
            "$.networks",
            basis,
            count=len(register.networks),
            limit=rules.max_networks,
        )


# ---- leads, projects, plans ---------------------------------------------------------------------


def _lead(cycle: Cycle, what: str, name: str, lead: Body, path: str) -> Iterator[Finding]:
    rules = cycle.rules.lead
    if rules is None or lead.nature in rules.natures:
        return
    basis = cycle.cite(rules.basis)
    if rules.natures == (LegalNature.PUBLIC,):
        yield finding(
            "LEAD_NOT_PUBLIC",
            path,
            basis,
            what=what,
            name=name,
            lead=lead.name,
            nature=_nature(lead),
        )
    else:
        allowed = ", ".join(_(_NATURE_WORDS[n]) for n in rules.natures)
        yield finding(
            "LEAD_NOT_ADMITTED",
            path,
            basis,
            what=what,
            name=name,
            lead=lead.name,
            nature=_nature(lead),
            allowed=allowed,
        )


def _alliance(cycle: Cycle, alliance: Alliance, path: str) -> Iterator[Finding]:
    yield from _lead(cycle, _("Alliance"), alliance.name, alliance.lead, f"{path}.lead")


def _project(cycle: Cycle, project: Project, path: str, agency: str | None) -> Iterator[Finding]:
    yield from _lead(cycle, _("Project"), project.title, project.lead, f"{path}.lead")
    sub = cycle.rules.submission
    if sub is not None:
        basis = cycle.cite(sub.basis)
        through = project.submitted_through
        if sub.through_agency and agency is not None and through is not None and through != agency:
            yield finding(
                "PROPOSAL_NOT_THROUGH_AGENCY",
                f"{path}.submitted_through",
                basis,
                name=project.title,
                through=through,
                agency=agency,
            )
        if sub.proposals_by and project.submitted_on and project.submitted_on > sub.proposals_by:
            yield finding(
                "PROPOSAL_LATE",
                f"{path}.submitted_on",
                basis,
                name=project.title,
                date=_date(project.submitted_on),
                deadline=_date(sub.proposals_by),
            )
    rules = cycle.rules.projects
    if rules is None:
        return
    basis = cycle.cite(rules.basis)
    if rules.service_types:
        codes = [t.code for t in rules.service_types]
        known = ", ".join(codes)
        if not project.service_types:
            yield finding(
                "SERVICE_TYPE_MISSING",
                f"{path}.service_types",
                basis,
                name=project.title,
                known=known,
            )
        for i, code in enumerate(project.service_types):
            if code not in codes:
                yield finding(
                    "SERVICE_TYPE_UNKNOWN",
                    f"{path}.service_types[{i}]",
                    basis,
                    name=project.title,
                    code=code,
                    known=known,
                )
    if rules.ends_by and project.ends_on and project.ends_on > rules.ends_by:
        ends_basis = cycle.cite(rules.ends_by_basis) if rules.ends_by_basis else basis
        yield finding(
            "PROJECT_ENDS_LATE",
            f"{path}.ends_on",
            ends_basis,
            name=project.title,
            date=_date(project.ends_on),
            deadline=_date(rules.ends_by),
        )
    if rules.budget_expected and project.requested is None and not project.budget_lines:
        yield finding("BUDGET_NOT_STATED", f"{path}.requested", basis, name=project.title)


def _plan(cycle: Cycle, plan: TerritorialPlan) -> Iterator[Finding]:
    yield from _network(cycle, plan.network, "$.network")
    for i, alliance in enumerate(plan.alliances):
        yield from _alliance(cycle, alliance, f"$.alliances[{i}]")
    for i, project in enumerate(plan.projects):
        yield from _project(cycle, project, f"$.projects[{i}]", plan.network.agency)
    sub = cycle.rules.submission
    if sub is not None and sub.plans_by and plan.presented_on and plan.presented_on > sub.plans_by:
        yield finding(
            "PLAN_LATE",
            "$.presented_on",
            cycle.cite(sub.basis),
            date=_date(plan.presented_on),
            deadline=_date(sub.plans_by),
        )


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def standard_checks(cycle: Cycle, document: Document) -> list[Finding]:
    """The findings of the cycle's parameter-driven rules on one document."""
    if isinstance(document, TerritorialPlan):
        return list(_plan(cycle, document))
    if isinstance(document, NetworkRegister):
        return list(_register(cycle, document))
    if isinstance(document, Network):
        return list(_network(cycle, document, "$"))
    if isinstance(document, Alliance):
        return list(_alliance(cycle, document, "$"))
    return list(_project(cycle, document, "$", None))
