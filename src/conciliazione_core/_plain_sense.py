"""The core's plain-sense checks: what any officer would ask about a document, in any cycle.

No act is needed to see that a project cannot end before it starts, ask for more than it costs or
name one body under two ids. Where a cycle's acts say nothing, these rules cite the core's
:data:`~conciliazione_core.PLAIN_SENSE` (the citation key ``plain_sense`` every cycle has), and
every code they emit is a warning, never an error: they are not law. They are on in every cycle
(:attr:`Rule.default`); a cycle whose act does say one of them sets the section with its own
``basis``, and a section's flags turn single checks off.

Four sections: ``dates`` (order, period, future, century), ``figures`` (amounts and counts),
``coherence`` (blank ids and titles, references, the document's own cycle, repeated service
types) and ``bodies`` (one body under two ids, a nature its kind contradicts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from conciliazione_core._bodies import Body, LegalNature
from conciliazione_core._documents import (
    Accord,
    Document,
    NetworkRegister,
    TerritorialPlan,
    alliances_in,
    networks_in,
    projects_in,
)
from conciliazione_core._errors import InputError
from conciliazione_core._findings import Finding, FindingCode, Severity, day_text
from conciliazione_core._legal import PLAIN_SENSE_KEY, LegalBasis
from conciliazione_core._rule_registry import Rows, Rule, cited, finding, yes_no
from conciliazione_core.i18n import N_, _

if TYPE_CHECKING:
    from conciliazione_core._cycle import Cycle

__all__ = [
    "BODIES_CODES",
    "COHERENCE_CODES",
    "DATES_CODES",
    "FIGURES_CODES",
    "NATURE_WORDS",
    "PLAIN_SENSE_RULES",
    "BodiesRules",
    "CoherenceRules",
    "DatesRules",
    "FiguresRules",
]

W = Severity.WARNING


def _years_off(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise InputError.at(
            attribute.name,
            _("expected a whole number of years, at least 1, got {value!r}").format(value=value),
        )


# ---- the sections' parameters ---------------------------------------------------------------


@attrs.frozen
class DatesRules:
    """``[rules.dates]``: dates in order, within the cycle, not in the future, in the right century.

    ``today`` is the reference date of "in the future": the check's own (``check(today=...)``,
    the command line's today), unless the file or a what-if pins one; with none, no date is
    judged to be in the future.
    """

    basis: str = PLAIN_SENSE_KEY
    today: dt.date | None = None
    within_period: bool = True
    years_off: int = attrs.field(default=50, validator=_years_off)
    """A date this many years or more from the cycle's period is taken for a wrong century."""


@attrs.frozen
class FiguresRules:
    """``[rules.figures]``: amounts within the project's cost and the cycle's money; counts."""

    basis: str = PLAIN_SENSE_KEY
    costs: bool = True
    envelope: bool = True
    counts: bool = True


@attrs.frozen
class CoherenceRules:
    """``[rules.coherence]``: ids and titles, references inside a plan, the document's cycle."""

    basis: str = PLAIN_SENSE_KEY


@attrs.frozen
class BodiesRules:
    """``[rules.bodies]``: one body under one id, with the nature of its kind."""

    basis: str = PLAIN_SENSE_KEY


# ---- the codes ----------------------------------------------------------------------------------


def _code(
    code: str, template: str, when: str, *localised: str, amounts: tuple[str, ...] = ()
) -> FindingCode:
    return FindingCode(code, W, template, localised=localised, amounts=amounts, when=when)


DATES_CODES = (
    _code(
        "PROJECT_ENDS_BEFORE_START",
        N_("Project {name} ends on {end}, before it starts on {start}."),
        "always: a project's `ends_on` is before its `starts_on`",
    ),
    _code(
        "PROJECT_OUTSIDE_PERIOD",
        N_("Project {name}: its {field} {date} is outside the cycle's period ({start} to {end})."),
        "`within_period = true`: a project's start, or its end when `[rules.projects]` sets no "
        "`ends_by`, is outside the cycle's period",
        "field",
    ),
    _code(
        "DATE_IN_FUTURE",
        N_("The {field} {date} is after {today}, the day of the check."),
        "`today` is set (the check's date): a signature, joining, contract, submission or "
        "presentation date after it",
        "field",
    ),
    _code(
        "DATE_CENTURY_OFF",
        N_(
            "The {field} {date} is {years} years from the cycle's period ({start} to {end}): "
            "is the century right?"
        ),
        "always: a date `years_off` years or more from the cycle's period (1919 for 2019)",
        "field",
    ),
)
FIGURES_CODES = (
    _code(
        "REQUEST_ABOVE_COST",
        N_("Project {name} requests {requested}, more than its total cost of {cost}."),
        "`costs = true`: `requested` is above the sum of the budget lines",
        amounts=("requested", "cost"),
    ),
    _code(
        "CO_FINANCING_ABOVE_COST",
        N_(
            "Project {name} states a co-financing of {co_financing}, more than its total cost of {cost}."
        ),
        "`costs = true`: `co_financing` is above the sum of the budget lines",
        amounts=("co_financing", "cost"),
    ),
    _code(
        "REQUEST_ABOVE_ENVELOPE",
        N_("Project {name} requests {requested}, more than the cycle's whole budget of {total}."),
        "`envelope = true`: `requested` is above the cycle's `[allocation]` total",
        amounts=("requested", "total"),
    ),
    _code(
        "COUNT_NEGATIVE",
        N_("The number of {counted} of {name} is {count}: a count cannot be negative."),
        "`counts = true`: a negative `member_count` or `beneficiaries`",
        "counted",
    ),
)
COHERENCE_CODES = (
    _code(
        "ID_BLANK",
        N_("A {what} has a blank id: it cannot be referred to."),
        "always: a document, network, accord, alliance, project or system action id is blank",
        "what",
    ),
    _code(
        "TITLE_BLANK",
        N_("The {what} {id!r} has a blank name or title."),
        "always: a network's or alliance's name, a project's or system action's title is blank",
        "what",
    ),
    _code(
        "SERVICE_TYPE_DUPLICATE",
        N_("Project {name} declares service type {code!r} more than once."),
        "always: a code repeated in a project's `service_types`",
    ),
    _code(
        "REFERENCE_UNKNOWN",
        N_(
            "{what} {name} refers to {target} {ref!r}, which this plan does not have (it has: {known})."
        ),
        "always, in plans: an alliance's `network` is not the plan's network, or a project's "
        "`alliance` is none of the plan's alliances (when it lists any)",
        "what",
        "target",
    ),
    _code(
        "CYCLE_MISMATCH",
        N_("The document says it belongs to cycle {said}, but it is checked against {cycle}."),
        "always: a plan's own `cycle` names another cycle",
    ),
)
BODIES_CODES = (
    _code(
        "BODY_DUPLICATE",
        N_("{name} ({id}) seems to be {other_name} ({other}) under another id: same {same}."),
        "always: two ids with the same `tax_code`, or the same name and kind",
        "same",
    ),
    _code(
        "NATURE_CONTRADICTS_KIND",
        N_(
            "{name} is of kind {kind} but declared a {nature}, which its kind is not; correct "
            "it, or give the reason in nature_reason."
        ),
        "always: a body's `nature` is not its kind's default and it gives no `nature_reason`",
        "nature",
    ),
)

#: Each legal nature in words, translated when a message is read (the lead rule's too).
NATURE_WORDS = {
    LegalNature.PUBLIC: N_("public body"),
    LegalNature.PRIVATE_FOR_PROFIT: N_("private for-profit body"),
    LegalNature.PRIVATE_NON_PROFIT: N_("private non-profit / third-sector body"),
}


# ---- where the document's dates are ------------------------------------------------------------


#: Dates that record something done (so they cannot be in the future), as words for messages.
_SIGNED, _JOINED, _CONTRACT = N_("signature date"), N_("joining date"), N_("contract date")
_SUBMITTED, _PRESENTED = N_("submission date"), N_("presentation date")
_STARTS, _ENDS = N_("start date"), N_("end date")


def _dates(document: Document) -> Iterator[tuple[str, dt.date, str, bool]]:
    """``(field words, date, path, done)``: every date, ``done`` for one of a past act."""

    def accord(item: Accord | None, path: str) -> Iterator[tuple[str, dt.date, str, bool]]:
        if item is not None and item.signed_on is not None:
            yield _SIGNED, item.signed_on, f"{path}.accord.signed_on", True

    for network, path in networks_in(document):
        yield from accord(network.accord, path)
        for i, member in enumerate(network.members):
            if member.joined_on is not None:
                yield _JOINED, member.joined_on, f"{path}.members[{i}].joined_on", True
    for alliance, path in alliances_in(document):
        yield from accord(alliance.accord, path)
        if alliance.contract_on is not None:
            yield _CONTRACT, alliance.contract_on, f"{path}.contract_on", True
    for project, path, _agency in projects_in(document):
        for words, day, key, done in (
            (_STARTS, project.starts_on, "starts_on", False),
            (_ENDS, project.ends_on, "ends_on", False),
            (_SUBMITTED, project.submitted_on, "submitted_on", True),
        ):
            if day is not None:
                yield words, day, f"{path}.{key}", done
    if isinstance(document, TerritorialPlan) and document.presented_on is not None:
        yield _PRESENTED, document.presented_on, "$.presented_on", True


def _bodies(document: Document) -> Iterator[tuple[Body, str]]:
    """Every body written in the document, with its path, in document order."""

    def accord(item: Accord | None, path: str) -> Iterator[tuple[Body, str]]:
        if item is not None:
            for i, body in enumerate(item.signatories):
                yield body, f"{path}.accord.signatories[{i}]"

    def partners(bodies: tuple[Body, ...], path: str) -> Iterator[tuple[Body, str]]:
        for i, body in enumerate(bodies):
            yield body, f"{path}.partners[{i}]"

    for network, path in networks_in(document):
        yield network.lead, f"{path}.lead"
        yield from accord(network.accord, path)
        for i, member in enumerate(network.members):
            yield member.body, f"{path}.members[{i}].body"
    for alliance, path in alliances_in(document):
        yield alliance.lead, f"{path}.lead"
        yield from partners(alliance.partners, path)
        yield from accord(alliance.accord, path)
    for project, path, _agency in projects_in(document):
        yield project.lead, f"{path}.lead"
        yield from partners(project.partners, path)


# ---- dates --------------------------------------------------------------------------------------


def _years_from(day: dt.date, start: dt.date, end: dt.date) -> int:
    if day < start:
        return start.year - day.year
    if day > end:
        return day.year - end.year
    return 0


def _check_dates(cycle: Cycle, rules: DatesRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    start, end = cycle.period.start, cycle.period.end
    period = {"start": day_text(start), "end": day_text(end)}
    for words, day, path, done in _dates(document):
        years = _years_from(day, start, end)
        if years >= rules.years_off:
            yield finding(
                "DATE_CENTURY_OFF",
                path,
                basis,
                field=words,
                date=day_text(day),
                years=years,
                **period,
            )
        if done and rules.today is not None and day > rules.today:
            yield finding(
                "DATE_IN_FUTURE",
                path,
                basis,
                field=words,
                date=day_text(day),
                today=day_text(rules.today),
            )
    # Where [rules.projects] sets the last day a project may end, that deadline is the cycle's
    # own word on the end (PROJECT_ENDS_LATE): the period is not checked against it.
    ends_by = getattr(cycle.rules.sections.get("projects"), "ends_by", None)
    for project, path, _agency in projects_in(document):
        starts, ends = project.starts_on, project.ends_on
        if starts is not None and ends is not None and ends < starts:
            yield finding(
                "PROJECT_ENDS_BEFORE_START",
                f"{path}.ends_on",
                basis,
                name=project.title,
                end=day_text(ends),
                start=day_text(starts),
            )
        if not rules.within_period:
            continue
        outside: list[tuple[str, dt.date | None, str]] = [(_STARTS, starts, "starts_on")]
        if ends is not None and (ends < start or ends_by is None):
            outside.append((_ENDS, ends, "ends_on"))
        for words, when, key in outside:
            if when is not None and not start <= when <= end:
                yield finding(
                    "PROJECT_OUTSIDE_PERIOD",
                    f"{path}.{key}",
                    basis,
                    name=project.title,
                    field=words,
                    date=day_text(when),
                    **period,
                )


# ---- figures ------------------------------------------------------------------------------------

_MEMBERS, _BENEFICIARIES = N_("members"), N_("beneficiaries")


def _check_figures(cycle: Cycle, rules: FiguresRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    plan = cycle.allocation
    total = plan.total if plan is not None else None
    if rules.counts:
        for network, path in networks_in(document):
            if network.member_count is not None and network.member_count < 0:
                yield finding(
                    "COUNT_NEGATIVE",
                    f"{path}.member_count",
                    basis,
                    counted=_MEMBERS,
                    name=network.name,
                    count=network.member_count,
                )
    for project, path, _agency in projects_in(document):
        cost = project.total_cost
        if rules.costs and cost is not None:
            if project.requested is not None and project.requested > cost:
                yield finding(
                    "REQUEST_ABOVE_COST",
                    f"{path}.requested",
                    basis,
                    name=project.title,
                    requested=project.requested,
                    cost=cost,
                )
            if project.co_financing is not None and project.co_financing > cost:
                yield finding(
                    "CO_FINANCING_ABOVE_COST",
                    f"{path}.co_financing",
                    basis,
                    name=project.title,
                    co_financing=project.co_financing,
                    cost=cost,
                )
        if (
            rules.envelope
            and total is not None
            and project.requested is not None
            and project.requested > total
        ):
            yield finding(
                "REQUEST_ABOVE_ENVELOPE",
                f"{path}.requested",
                basis,
                name=project.title,
                requested=project.requested,
                total=total,
            )
        if rules.counts and project.beneficiaries is not None and project.beneficiaries < 0:
            yield finding(
                "COUNT_NEGATIVE",
                f"{path}.beneficiaries",
                basis,
                counted=_BENEFICIARIES,
                name=project.title,
                count=project.beneficiaries,
            )


# ---- coherence ----------------------------------------------------------------------------------

_WHAT = {
    "document": N_("document"),
    "network": N_("network"),
    "accord": N_("accord"),
    "alliance": N_("alliance"),
    "project": N_("project"),
    "system action": N_("system action"),
}


def _named(document: Document) -> Iterator[tuple[str, str, str | None, str]]:
    """``(what, id, name or title or None, path)`` of everything with an id of its own."""
    if isinstance(document, NetworkRegister | TerritorialPlan):
        yield "document", document.id, None, "$"
    for network, path in networks_in(document):
        yield "network", network.id, network.name, path
        if network.accord is not None:
            yield "accord", network.accord.id, None, f"{path}.accord"
    for alliance, path in alliances_in(document):
        yield "alliance", alliance.id, alliance.name, path
        if alliance.accord is not None:
            yield "accord", alliance.accord.id, None, f"{path}.accord"
    for project, path, _agency in projects_in(document):
        yield "project", project.id, project.title, path
    if isinstance(document, TerritorialPlan):
        for i, action in enumerate(document.system_actions):
            yield "system action", action.id, action.title, f"$.system_actions[{i}]"


def _check_coherence(cycle: Cycle, rules: CoherenceRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    for what, ident, title, path in _named(document):
        if not ident.strip():
            yield finding("ID_BLANK", f"{path}.id", basis, what=_WHAT[what])
        if title is not None and not title.strip():
            field = "title" if what in ("project", "system action") else "name"
            yield finding("TITLE_BLANK", f"{path}.{field}", basis, what=_WHAT[what], id=ident)
    for project, path, _agency in projects_in(document):
        repeated: set[str] = set()
        for i, code in enumerate(project.service_types):
            if code in project.service_types[:i] and code not in repeated:
                repeated.add(code)
                yield finding(
                    "SERVICE_TYPE_DUPLICATE",
                    f"{path}.service_types[{i}]",
                    basis,
                    name=project.title,
                    code=code,
                )
    if isinstance(document, TerritorialPlan):
        yield from _references(document, basis)
        if document.cycle is not None and document.cycle != cycle.id:
            yield finding("CYCLE_MISMATCH", "$.cycle", basis, said=document.cycle, cycle=cycle.id)


def _references(plan: TerritorialPlan, basis: LegalBasis) -> Iterator[Finding]:
    network = plan.network.id
    for i, alliance in enumerate(plan.alliances):
        if alliance.network is not None and alliance.network != network:
            yield finding(
                "REFERENCE_UNKNOWN",
                f"$.alliances[{i}].network",
                basis,
                what=N_("Alliance"),
                name=alliance.name,
                target=N_("network"),
                ref=alliance.network,
                known=network,
            )
    ids = [a.id for a in plan.alliances]
    if not ids:
        return  # a plan that lists no alliances: its projects' references cannot be followed
    for i, project in enumerate(plan.projects):
        if project.alliance is not None and project.alliance not in ids:
            yield finding(
                "REFERENCE_UNKNOWN",
                f"$.projects[{i}].alliance",
                basis,
                what=N_("Project"),
                name=project.title,
                target=N_("alliance"),
                ref=project.alliance,
                known=", ".join(ids),
            )


# ---- bodies -------------------------------------------------------------------------------------

_TAX_CODE, _NAME_AND_KIND = N_("tax code"), N_("name and kind")


def _name_key(body: Body) -> tuple[str, str]:
    return " ".join(body.name.casefold().split()), body.kind.value


def _check_bodies(cycle: Cycle, rules: BodiesRules, document: Document) -> Iterator[Finding]:
    basis = cycle.cite(rules.basis)
    first: dict[str, Body] = {}  # id -> the body as first written
    by_tax: dict[str, str] = {}
    by_name: dict[tuple[str, str], str] = {}
    for body, path in _bodies(document):
        if body.id in first:
            continue  # the same body again (a member who also leads a project)
        first[body.id] = body
        if body.nature_is_unusual and body.nature_reason is None:
            yield finding(
                "NATURE_CONTRADICTS_KIND",
                f"{path}.nature",
                basis,
                name=body.name,
                kind=body.kind.value,
                nature=NATURE_WORDS[body.nature],
            )
        tax = "".join(body.tax_code.split()).upper() if body.tax_code else ""
        other = by_tax.get(tax) if tax else None
        same = _TAX_CODE
        if other is None:
            other, same = by_name.get(_name_key(body)), _NAME_AND_KIND
        if other is not None:
            yield finding(
                "BODY_DUPLICATE",
                f"{path}.id",
                basis,
                name=body.name,
                id=body.id,
                other_name=first[other].name,
                other=other,
                same=same,
            )
        if tax:
            by_tax.setdefault(tax, body.id)
        by_name.setdefault(_name_key(body), body.id)


# ---- how each rule describes itself, and what it can emit ---------------------------------------


def _describe_dates(cycle: Cycle, rules: DatesRules) -> Rows:
    yield "dates: projects within the cycle's period", yes_no(rules.within_period)
    yield "dates: a wrong century is a date this many years from the period", str(rules.years_off)
    yield (
        "dates: in the future after",
        rules.today.isoformat() if rules.today else "the check's day",
    )
    yield "dates: basis", cited(cycle, rules.basis)


def _describe_figures(cycle: Cycle, rules: FiguresRules) -> Rows:
    yield "figures: requests and co-financing within the project's cost", yes_no(rules.costs)
    yield "figures: requests within the cycle's budget", yes_no(rules.envelope)
    yield "figures: counts not negative", yes_no(rules.counts)
    yield "figures: basis", cited(cycle, rules.basis)


def _describe_coherence(cycle: Cycle, rules: CoherenceRules) -> Rows:
    yield "coherence: basis", cited(cycle, rules.basis)


def _describe_bodies(cycle: Cycle, rules: BodiesRules) -> Rows:
    yield "bodies: basis", cited(cycle, rules.basis)


def _emits_dates(rules: DatesRules) -> Iterator[str]:
    yield "PROJECT_ENDS_BEFORE_START"
    if rules.within_period:
        yield "PROJECT_OUTSIDE_PERIOD"
    if rules.today is not None:
        yield "DATE_IN_FUTURE"
    yield "DATE_CENTURY_OFF"


def _emits_figures(rules: FiguresRules) -> Iterator[str]:
    if rules.costs:
        yield from ("REQUEST_ABOVE_COST", "CO_FINANCING_ABOVE_COST")
    if rules.envelope:
        yield "REQUEST_ABOVE_ENVELOPE"
    if rules.counts:
        yield "COUNT_NEGATIVE"


PLAIN_SENSE_RULES: tuple[Rule, ...] = (
    Rule(
        "dates",
        DatesRules,
        DATES_CODES,
        _check_dates,
        _describe_dates,
        "Dates (plain sense)",
        emits=_emits_dates,
        template=(
            "# [rules.dates]                  # plain sense, on by default: dates in order, in the\n"
            '# basis = "plain_sense"          # period, not in the future, in the right century\n'
            "# within_period = true\n# years_off = 50\n"
        ),
        default=DatesRules(),
    ),
    Rule(
        "figures",
        FiguresRules,
        FIGURES_CODES,
        _check_figures,
        _describe_figures,
        "Amounts and counts (plain sense)",
        emits=_emits_figures,
        template=(
            "# [rules.figures]                # plain sense, on by default: amounts within the\n"
            '# basis = "plain_sense"          # cost and the budget, counts not negative\n'
            "# costs = true\n# envelope = true\n# counts = true\n"
        ),
        default=FiguresRules(),
    ),
    Rule(
        "coherence",
        CoherenceRules,
        COHERENCE_CODES,
        _check_coherence,
        _describe_coherence,
        "Coherence (plain sense)",
        template=(
            "# [rules.coherence]              # plain sense, on by default: ids, titles, references\n"
            '# basis = "plain_sense"\n'
        ),
        default=CoherenceRules(),
    ),
    Rule(
        "bodies",
        BodiesRules,
        BODIES_CODES,
        _check_bodies,
        _describe_bodies,
        "Bodies (plain sense)",
        template=(
            "# [rules.bodies]                 # plain sense, on by default: one body, one id\n"
            '# basis = "plain_sense"\n'
        ),
        default=BodiesRules(),
    ),
)
"""The plain-sense rules, on in every cycle unless its file sets their sections otherwise."""
