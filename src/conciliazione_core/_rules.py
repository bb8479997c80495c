"""The core's own default plugin: the standard rules every cycle can turn on.

Each rule reads one section of the cycle's ``[rules]`` (``network``, ``accord``, ``territory``,
``lead``, ``submission``, ``projects``) and is skipped when that section is absent; each finding
cites the section's ``basis``. The plain-sense rules (``dates``, ``figures``, ``coherence``,
``bodies``: :mod:`conciliazione_core._plain_sense`) follow them and are on in every cycle, as
warnings citing ``plain_sense`` where the cycle's acts say nothing. They are registered through
the same ``conciliazione_rules`` hook as a plugin's rules (the host registers this module first,
like datasette's default plugins), so a plugin adds an unusual rule by registering its own
:class:`~conciliazione_core.Rule` instead of editing these. Adding a standard rule touches this
module (or the plain-sense one) only, and its Italian messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import attrs

from conciliazione_core._bodies import Body, BodyKind, LegalNature
from conciliazione_core._documents import (
    Document,
    Network,
    NetworkRegister,
    TerritorialPlan,
    alliances_in,
    networks_in,
    projects_in,
)
from conciliazione_core._findings import Finding, FindingCode, Severity, closest_names, day_text
from conciliazione_core._plain_sense import NATURE_WORDS, PLAIN_SENSE_RULES
from conciliazione_core._rule_registry import Rows, Rule, cited, finding, yes_no
from conciliazione_core.hookspecs import hookimpl
from conciliazione_core.i18n import N_, Text, _

if TYPE_CHECKING:
    from conciliazione_core._cycle import Cycle
    from conciliazione_core._legal import LegalBasis

__all__ = [
    "FINDING_CODES",
    "STANDARD_RULES",
    "AccordRules",
    "LeadRules",
    "NetworkRules",
    "ProjectRules",
    "ServiceType",
    "SubmissionRules",
    "conciliazione_rules",
    "finding",
    "standard_checks",
]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


# ---- the sections' parameters ---------------------------------------------------------------


@attrs.frozen
class NetworkRules:
    """``[rules.network]``: one network per health agency, led by it."""

    basis: str
    lead_is_agency: bool = True
    one_per_agency: bool = True
    max_networks: int | None = None


@attrs.frozen
class AccordRules:
    """``[rules.accord]``: the accord that founds a network."""

    basis: str
    required: bool = True
    signed_by: dt.date | None = None


@attrs.frozen
class TerritoryRules:
    """``[rules.territory]``: a network's member municipalities lie in its agency's territory.

    The territory is taken on the day the network's accord was signed, else on ``on``, else on
    the first day of the cycle: ATS boundaries change (Medio Lario moved on 1/1/2019).
    """

    basis: str
    on: dt.date | None = None


@attrs.frozen
class LeadRules:
    """``[rules.lead]``: who may lead an alliance or a project."""

    basis: str
    natures: tuple[LegalNature, ...]
    note: Text | None = None


@attrs.frozen
class SubmissionRules:
    """``[rules.submission]``: how and by when proposals and plans reach the Region."""

    basis: str
    through_agency: bool = False
    proposals_by: dt.date | None = None
    plans_by: dt.date | None = None


@attrs.frozen
class ServiceType:
    code: str
    label: Text


@attrs.frozen
class ProjectRules:
    """``[rules.projects]``: what a project must declare, and by when it must end."""

    basis: str
    service_types: tuple[ServiceType, ...] = ()
    ends_by: dt.date | None = None
    ends_by_basis: str | None = None
    budget_expected: bool = True


# ---- the codes ----------------------------------------------------------------------------------


def _code(code: str, severity: Severity, template: str, when: str, *localised: str) -> FindingCode:
    return FindingCode(code, severity, template, localised=localised, when=when)


NETWORK_CODES = (
    _code(
        "NETWORK_AGENCY_UNKNOWN",
        E,
        N_("Network {network} covers {agency}, which is not an {level} of this cycle."),
        "always: the network's agency is not of the cycle's level",
    ),
    _code(
        "NETWORK_AGENCY_SUCCEEDED",
        W,
        N_(
            "{agency} no longer exists in this cycle: under {act} its territory is part of {successors}."
        ),
        "always: the agency was replaced (e.g. ASL → ATS)",
    ),
    _code(
        "NETWORK_LEAD_NOT_AGENCY",
        E,
        N_("Network {network} is led by {lead}, not by its health agency {agency}."),
        "`lead_is_agency = true`",
    ),
    _code(
        "NETWORK_LEAD_KIND",
        E,
        N_(
            "Network {network} is led by {lead}, written with the id of the agency {agency} but "
            "of kind {kind}, not {expected}."
        ),
        "`lead_is_agency = true`: the lead has the agency's id but another kind (a company)",
    ),
    _code(
        "NETWORK_DUPLICATE_AGENCY",
        E,
        N_("{agency} has more than one network ({networks}); the cycle allows one per agency."),
        "`one_per_agency = true` (register documents)",
    ),
    _code(
        "NETWORK_TOO_MANY",
        E,
        N_("The register lists {count} networks; the cycle allows at most {limit}."),
        "`max_networks` is set (register documents)",
    ),
)
ACCORD_CODES = (
    _code(
        "ACCORD_MISSING", E, N_("Network {network} has no founding accord."), "`required = true`"
    ),
    _code(
        "ACCORD_UNDATED",
        INFO,
        N_(
            "The accord of network {network} has no signature date; its deadline cannot be checked."
        ),
        "`signed_by` is set and the accord has no date",
    ),
    _code(
        "ACCORD_LATE",
        E,
        N_(
            "The accord of network {network} was signed on {date}, after the deadline of {deadline}."
        ),
        "`signed_by` is set",
    ),
)
TERRITORY_CODES = (
    _code(
        "MEMBER_OUTSIDE_TERRITORY",
        E,
        N_(
            "Member {member} of network {network} is the municipality of {municipality}, which "
            "on {date} is in {actual}, not in {agency}."
        ),
        "always: a member municipality lies in another agency's territory on the network's date",
    ),
    _code(
        "MEMBER_MUNICIPALITY_UNKNOWN",
        W,
        N_(
            "Member {member} of network {network} is a municipality, but {name!r} does not name "
            "one Lombard municipality ({reason}); state its municipality."
        ),
        "always: a member municipality's name is not found, or names several",
    ),
    _code(
        "MEMBER_TERRITORY_UNKNOWN",
        INFO,
        N_(
            "Whether {municipality} (member {member}) was in the territory of {agency} on {date} "
            "is not known: {reason}"
        ),
        "always: the territory data leaves the answer open (e.g. the Sebino district)",
    ),
)
LEAD_CODES = (
    _code(
        "LEAD_NOT_PUBLIC",
        E,
        N_(
            "{what} {name} is led by {lead} ({nature}); this cycle admits only public bodies as lead."
        ),
        '`natures = ["public"]`',
        "what",
        "nature",
    ),
    _code(
        "LEAD_NOT_ADMITTED",
        E,
        N_("{what} {name} is led by {lead} ({nature}); this cycle admits as lead only: {allowed}."),
        "`natures` lists more than public bodies",
        "what",
        "nature",
        "allowed",
    ),
)
SUBMISSION_CODES = (
    _code(
        "PROPOSAL_NOT_THROUGH_AGENCY",
        E,
        N_(
            "Project {name} was submitted through {through}, not through the network's agency {agency}."
        ),
        "`through_agency = true` (plans)",
    ),
    _code(
        "PROPOSAL_LATE",
        E,
        N_("Project {name} was submitted on {date}, after the call closed on {deadline}."),
        "`proposals_by` is set",
    ),
    _code(
        "SUBMISSION_DATE_NOT_STATED",
        INFO,
        N_(
            "Project {name} does not say when it was submitted; the call closed on {deadline}: "
            "ask for the date."
        ),
        "`proposals_by` is set and a project has no `submitted_on`",
    ),
    _code(
        "SUBMISSION_CHANNEL_NOT_STATED",
        INFO,
        N_(
            "Project {name} does not say through which agency it was submitted; proposals go "
            "through the network's agency: ask."
        ),
        "`through_agency = true` and a project has no `submitted_through`",
    ),
    _code(
        "PLAN_LATE",
        E,
        N_("The plan was presented on {date}, after the deadline of {deadline}."),
        "`plans_by` is set (plans)",
    ),
)
PROJECT_CODES = (
    _code(
        "SERVICE_TYPE_MISSING",
        E,
        N_("Project {name} declares no service type; one of {known} is required."),
        "`service_types` is not empty",
    ),
    _code(
        "SERVICE_TYPE_UNKNOWN",
        E,
        N_("Project {name} declares service type {code!r}, which is not one of {known}."),
        "`service_types` is not empty",
    ),
    _code(
        "PROJECT_ENDS_LATE",
        W,
        N_("Project {name} ends on {date}, after {deadline}."),
        "`ends_by` is set",
    ),
    _code(
        "BUDGET_NOT_STATED",
        INFO,
        N_("Project {name} states no budget; the amount it may receive cannot be checked."),
        "`budget_expected = true`",
    ),
)

#: The core's own codes, their severity and English template (the Italian is in the catalogue).
FINDING_CODES: dict[str, tuple[Severity, str]] = {
    c.code: (c.severity, c.template)
    for c in (
        *NETWORK_CODES,
        *ACCORD_CODES,
        *TERRITORY_CODES,
        *LEAD_CODES,
        *SUBMISSION_CODES,
        *PROJECT_CODES,
        *(code for rule in PLAIN_SENSE_RULES for code in rule.codes),
    )
}


def _nature(body: Body) -> str:
    """The English words of a lead's nature: translated when the message is read."""
    return NATURE_WORDS[body.nature]


def _leads(document: Document) -> Iterator[tuple[str, str, Body, str]]:
    """``(what, name, lead, path)``; ``what`` is English, translated when the message is read."""
    for alliance, path in alliances_in(document):
        yield N_("Alliance"), alliance.name, alliance.lead, f"{path}.lead"
    for project, path, _agency in projects_in(document):
        yield N_("Project"), project.title, project.lead, f"{path}.lead"


# ---- networks -----------------------------------------------------------------------------------


def _check_network(cycle: Cycle, rules: NetworkRules, document: Document) -> Iterator[Finding]:
    from conciliazione_core._territory import lombardy

    basis = cycle.cite(rules.basis)
    territory = lombardy()
    for network, path in networks_in(document):
        agency_id = network.agency
        leads: tuple[str, ...] = (agency_id,)
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
        if rules.lead_is_agency and network.lead.id not in leads:
            yield finding(
                "NETWORK_LEAD_NOT_AGENCY",
                f"{path}.lead",
                basis,
                network=network.name,
                lead=network.lead.name,
                agency=(" " + _("or") + " ").join(leads),
            )
        elif rules.lead_is_agency:
            yield from _check_lead_kind(network, path, basis)
    if isinstance(document, NetworkRegister):
        yield from _check_register(cycle, rules, document)


def _check_lead_kind(network: Network, path: str, basis: LegalBasis) -> Iterator[Finding]:
    """A lead written with its agency's id must be that agency: a company with an ATS's id is not."""
    from conciliazione_core._territory import Level, lombardy

    agency = lombardy().agency(network.lead.id)
    if agency is None:
        return
    expected = BodyKind.ASL if agency.level is Level.ASL else BodyKind.ATS
    if network.lead.kind is not expected:
        yield finding(
            "NETWORK_LEAD_KIND",
            f"{path}.lead.kind",
            basis,
            network=network.name,
            lead=network.lead.name,
            agency=agency.id,
            kind=network.lead.kind.value,
            expected=expected.value,
        )


def _current_agencies(cycle: Cycle, agency_id: str) -> tuple[str, ...]:
    """The agencies of the cycle's level that now cover ``agency_id`` (itself if not succeeded)."""
    from conciliazione_core._territory import lombardy

    territory = lombardy()
    agency = territory.agency(agency_id)
    if agency is None or agency.level is cycle.level:
        return (agency_id,)
    successors = tuple(dict.fromkeys(s.successor for s in territory.successors(agency_id)))
    return successors or (agency_id,)


def _check_register(
    cycle: Cycle, rules: NetworkRules, register: NetworkRegister
) -> Iterator[Finding]:
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


def _check_accord(cycle: Cycle, rules: AccordRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    for network, path in networks_in(document):
        accord = network.accord
        if accord is None:
            if rules.required:
                yield finding("ACCORD_MISSING", f"{path}.accord", basis, network=network.name)
        elif rules.signed_by is not None:
            if accord.signed_on is None:
                yield finding(
                    "ACCORD_UNDATED", f"{path}.accord.signed_on", basis, network=network.name
                )
            elif accord.signed_on > rules.signed_by:
                yield finding(
                    "ACCORD_LATE",
                    f"{path}.accord.signed_on",
                    basis,
                    network=network.name,
                    date=day_text(accord.signed_on),
                    deadline=day_text(rules.signed_by),
                )


def _municipality_name(body: Body) -> str:
    """The municipality a member body is: its ``municipality`` if stated, else its name less a
    leading "Comune di" (``Comune di Tirano`` is Tirano)."""
    if body.municipality:
        return body.municipality
    name = body.name.strip()
    prefix = "comune di "
    return name[len(prefix) :].strip() if name.lower().startswith(prefix) else name


def _check_territory(cycle: Cycle, rules: TerritoryRules, document: Document) -> Iterator[Finding]:
    from conciliazione_core._errors import ConciliazioneError
    from conciliazione_core._municipality import municipalities
    from conciliazione_core._territory import lombardy

    basis = cycle.cite(rules.basis)
    registry, region = municipalities(), lombardy()
    for network, path in networks_in(document):
        agency = region.agency(network.agency)
        if agency is None:
            continue  # the network rule says so
        signed = network.accord.signed_on if network.accord is not None else None
        day = signed or rules.on or cycle.period.start
        for i, member in enumerate(network.members):
            body = member.body
            if body.kind is not BodyKind.MUNICIPALITY:
                continue
            where = f"{path}.members[{i}].body"
            name = _municipality_name(body)
            try:
                place = registry.find(name)
            except ConciliazioneError as exc:
                yield finding(
                    "MEMBER_MUNICIPALITY_UNKNOWN",
                    f"{where}.municipality" if body.municipality else f"{where}.name",
                    basis,
                    member=body.name,
                    network=network.name,
                    name=name,
                    reason=exc.one_line(),
                )
                continue
            args = {"member": body.name, "municipality": place.name, "date": day_text(day)}
            try:
                held = registry.membership(place, day, agency.level)
            except ConciliazioneError as exc:
                yield finding(
                    "MEMBER_TERRITORY_UNKNOWN",
                    where,
                    basis,
                    agency=agency.id,
                    reason=exc.one_line(),
                    **args,
                )
                continue
            if held.agency is None and agency.id in held.candidates:
                reason = _("the data gives it one of {candidates}").format(
                    candidates=", ".join(held.candidates)
                )
                yield finding(
                    "MEMBER_TERRITORY_UNKNOWN",
                    where,
                    basis,
                    agency=agency.id,
                    reason=reason,
                    **args,
                )
                continue
            if held.agency != agency.id:
                actual = held.agency or ", ".join(held.candidates)
                yield finding(
                    "MEMBER_OUTSIDE_TERRITORY",
                    where,
                    basis,
                    network=network.name,
                    agency=agency.id,
                    actual=actual,
                    **args,
                )


# ---- leads, projects, plans ---------------------------------------------------------------------


def _check_lead(cycle: Cycle, rules: LeadRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    for what, name, lead, path in _leads(document):
        if lead.nature in rules.natures:
            continue
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
            yield finding(
                "LEAD_NOT_ADMITTED",
                path,
                basis,
                what=what,
                name=name,
                lead=lead.name,
                nature=_nature(lead),
                allowed=", ".join(NATURE_WORDS[n] for n in rules.natures),
            )


def _check_submission(
    cycle: Cycle, rules: SubmissionRules, document: Document
) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    for project, path, agency in projects_in(document):
        through = project.submitted_through
        if rules.proposals_by and project.submitted_on is None:
            yield finding(
                "SUBMISSION_DATE_NOT_STATED",
                f"{path}.submitted_on",
                basis,
                name=project.title,
                deadline=day_text(rules.proposals_by),
            )
        if rules.through_agency and through is None:
            yield finding(
                "SUBMISSION_CHANNEL_NOT_STATED",
                f"{path}.submitted_through",
                basis,
                name=project.title,
            )
        if (
            rules.through_agency
            and agency is not None
            and through is not None
            and through != agency
        ):
            yield finding(
                "PROPOSAL_NOT_THROUGH_AGENCY",
                f"{path}.submitted_through",
                basis,
                name=project.title,
                through=through,
                agency=agency,
            )
        if (
            rules.proposals_by
            and project.submitted_on
            and project.submitted_on > rules.proposals_by
        ):
            yield finding(
                "PROPOSAL_LATE",
                f"{path}.submitted_on",
                basis,
                name=project.title,
                date=day_text(project.submitted_on),
                deadline=day_text(rules.proposals_by),
            )
    if (
        isinstance(document, TerritorialPlan)
        and rules.plans_by
        and document.presented_on
        and document.presented_on > rules.plans_by
    ):
        yield finding(
            "PLAN_LATE",
            "$.presented_on",
            basis,
            date=day_text(document.presented_on),
            deadline=day_text(rules.plans_by),
        )


def _closest(word: str, known: list[str]) -> dict[str, str]:
    """The ``closest`` argument of a finding (its "Did you mean …?") when a known name is close."""
    hint = closest_names(word, known)
    return {"closest": hint} if hint else {}


def _check_projects(cycle: Cycle, rules: ProjectRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    codes = [t.code for t in rules.service_types]
    known = ", ".join(codes)
    for project, path, _agency in projects_in(document):
        if rules.service_types:
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
                        **_closest(code, codes),
                    )
        if rules.ends_by and project.ends_on and project.ends_on > rules.ends_by:
            ends_basis = cycle.cite(rules.ends_by_basis) if rules.ends_by_basis else basis
            yield finding(
                "PROJECT_ENDS_LATE",
                f"{path}.ends_on",
                ends_basis,
                name=project.title,
                date=day_text(project.ends_on),
                deadline=day_text(rules.ends_by),
            )
        if rules.budget_expected and project.requested is None and not project.budget_lines:
            yield finding("BUDGET_NOT_STATED", f"{path}.requested", basis, name=project.title)


# ---- how each rule describes itself (docs, diff) -------------------------------------------------


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _describe_network(cycle: Cycle, rules: NetworkRules) -> Rows:
    yield "networks: led by their agency", yes_no(rules.lead_is_agency)
    yield "networks: one per agency", yes_no(rules.one_per_agency)
    yield "networks: at most", None if rules.max_networks is None else str(rules.max_networks)
    yield "networks: basis", cited(cycle, rules.basis)


def _describe_accord(cycle: Cycle, rules: AccordRules) -> Rows:
    yield "accord: required", yes_no(rules.required)
    yield "deadline: accords signed by", _day(rules.signed_by)
    yield "accord: basis", cited(cycle, rules.basis)


def _describe_territory(cycle: Cycle, rules: TerritoryRules) -> Rows:
    yield (
        "territory: member municipalities in the network's agency on",
        (_day(rules.on) if rules.on else "the accord's date, else the cycle's start"),
    )
    yield "territory: basis", cited(cycle, rules.basis)


def _describe_lead(cycle: Cycle, rules: LeadRules) -> Rows:
    yield "who may lead", ", ".join(n.value for n in rules.natures)
    if rules.note:
        yield "who may lead: note", str(rules.note)
    yield "who may lead: basis", cited(cycle, rules.basis)


def _describe_submission(cycle: Cycle, rules: SubmissionRules) -> Rows:
    yield "proposals: through the agency", yes_no(rules.through_agency)
    yield "deadline: proposals by", _day(rules.proposals_by)
    yield "deadline: plans by", _day(rules.plans_by)
    yield "submission: basis", cited(cycle, rules.basis)


def _describe_projects(cycle: Cycle, rules: ProjectRules) -> Rows:
    yield "service types", ", ".join(t.code for t in rules.service_types) or None
    for t in rules.service_types:
        yield f"service type {t.code}", str(t.label)
    yield "deadline: projects end by", _day(rules.ends_by)
    if rules.ends_by_basis:
        yield "deadline: projects end by: basis", cited(cycle, rules.ends_by_basis)
    yield "projects: budget expected", yes_no(rules.budget_expected)
    yield "projects: basis", cited(cycle, rules.basis)


# ---- which codes each section, as set, can emit ------------------------------------------------


def _emits_network(rules: NetworkRules) -> Iterator[str]:
    yield from ("NETWORK_AGENCY_UNKNOWN", "NETWORK_AGENCY_SUCCEEDED")
    if rules.lead_is_agency:
        yield from ("NETWORK_LEAD_NOT_AGENCY", "NETWORK_LEAD_KIND")
    if rules.one_per_agency:
        yield "NETWORK_DUPLICATE_AGENCY"
    if rules.max_networks is not None:
        yield "NETWORK_TOO_MANY"


def _emits_accord(rules: AccordRules) -> Iterator[str]:
    if rules.required:
        yield "ACCORD_MISSING"
    if rules.signed_by is not None:
        yield from ("ACCORD_UNDATED", "ACCORD_LATE")


def _emits_territory(rules: TerritoryRules) -> Iterator[str]:
    yield from (
        "MEMBER_OUTSIDE_TERRITORY",
        "MEMBER_MUNICIPALITY_UNKNOWN",
        "MEMBER_TERRITORY_UNKNOWN",
    )


def _emits_lead(rules: LeadRules) -> Iterator[str]:
    yield "LEAD_NOT_PUBLIC" if rules.natures == (LegalNature.PUBLIC,) else "LEAD_NOT_ADMITTED"


def _emits_submission(rules: SubmissionRules) -> Iterator[str]:
    if rules.through_agency:
        yield from ("PROPOSAL_NOT_THROUGH_AGENCY", "SUBMISSION_CHANNEL_NOT_STATED")
    if rules.proposals_by is not None:
        yield from ("PROPOSAL_LATE", "SUBMISSION_DATE_NOT_STATED")
    if rules.plans_by is not None:
        yield "PLAN_LATE"


def _emits_projects(rules: ProjectRules) -> Iterator[str]:
    if rules.service_types:
        yield from ("SERVICE_TYPE_MISSING", "SERVICE_TYPE_UNKNOWN")
    if rules.ends_by is not None:
        yield "PROJECT_ENDS_LATE"
    if rules.budget_expected:
        yield "BUDGET_NOT_STATED"


# ---- the registration -----------------------------------------------------------------------------

STANDARD_RULES: tuple[Rule, ...] = (
    Rule(
        "network",
        NetworkRules,
        NETWORK_CODES,
        _check_network,
        _describe_network,
        "Networks",
        emits=_emits_network,
        template=(
            "# One network per health agency, led by it: so in every cycle so far; replace me if "
            'the decree\n# says otherwise, and cite it.\n\n[rules.network]\nbasis = "decree"\n'
            "lead_is_agency = true\none_per_agency = true\n"
        ),
    ),
    Rule(
        "accord",
        AccordRules,
        ACCORD_CODES,
        _check_accord,
        _describe_accord,
        "Accords",
        emits=_emits_accord,
        template=(
            "# [rules.accord]                 # the accord founding each network\n"
            '# basis = "decree"\n# required = true\n# signed_by = YYYY-MM-DD\n'
        ),
    ),
    Rule(
        "territory",
        TerritoryRules,
        TERRITORY_CODES,
        _check_territory,
        _describe_territory,
        "Territory",
        emits=_emits_territory,
        template=(
            "# [rules.territory]              # member municipalities in the network's territory\n"
            '# basis = "decree"\n'
            "# on = YYYY-MM-DD                # default: the accord's date, else the cycle's start\n"
        ),
    ),
    Rule(
        "lead",
        LeadRules,
        LEAD_CODES,
        _check_lead,
        _describe_lead,
        "Who may lead",
        emits=_emits_lead,
        template=(
            "# [rules.lead]                   # who may lead an alliance or a project\n"
            '# basis = "decree"\n'
            '# natures = ["public"]           # public, private_non_profit, private_for_profit\n'
        ),
    ),
    Rule(
        "submission",
        SubmissionRules,
        SUBMISSION_CODES,
        _check_submission,
        _describe_submission,
        "Submission and deadlines",
        emits=_emits_submission,
        template=(
            '# [rules.submission]\n# basis = "decree"\n# through_agency = true\n'
            "# proposals_by = YYYY-MM-DD\n# plans_by = YYYY-MM-DD\n"
        ),
    ),
    Rule(
        "projects",
        ProjectRules,
        PROJECT_CODES,
        _check_projects,
        _describe_projects,
        "Projects",
        citations=("basis", "ends_by_basis"),
        emits=_emits_projects,
        template=(
            '# [rules.projects]\n# basis = "decree"\n'
            '# service_types = [{ code = "A", label = "..." }]\n'
            "# ends_by = YYYY-MM-DD\n# budget_expected = true\n"
        ),
    ),
    *PLAIN_SENSE_RULES,
)
"""The standard rules, in the order their checks run: those a cycle's acts set, then the
plain-sense ones every cycle has (:mod:`conciliazione_core._plain_sense`)."""


@hookimpl
def conciliazione_rules(register: Callable[[Rule], None]) -> None:
    """Register the standard rules (the core is its own first plugin)."""
    for rule in STANDARD_RULES:
        register(rule)


def standard_checks(cycle: Cycle, document: Document) -> list[Finding]:
    """The findings of every rule the cycle's ``[rules]`` sets, in registry order.

    The rules come from the registry the cycle was read with; a plugin's rules included. The
    host runs the same loop and names the plugin whose rule misbehaves.
    """
    findings: list[Finding] = []
    for name, section in cycle.rules.items():
        findings.extend(cycle.rules.registry.rules[name].check(cycle, section, document))
    return findings
