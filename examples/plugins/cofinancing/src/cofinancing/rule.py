"""``[rules.co_financing]``: the partners must pay at least a share of a project's total cost.

A cycle turns the rule on in its parameter file::

    [rules.co_financing]
    basis = "dgr_2398"      # a key of the cycle's [citations]: the act that sets the share
    min_share = "30%"       # exact: a percentage or a fraction written as text

The partners' share is the project's ``co_financing`` (what the partners pay) over its total
cost: the sum of its budget lines when it lists them, else the amount requested from the
programme plus the co-financing. A project that does not state its co-financing (or whose cost
is unknown or zero) gets an information finding: the share cannot be checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import attrs

from conciliazione_core import (
    Catalogue,
    Cycle,
    Document,
    Finding,
    FindingCode,
    Money,
    Project,
    Rule,
    Severity,
    TerritorialPlan,
)
from conciliazione_core.allocation import format_share

__all__ = [
    "CATALOGUE",
    "COFINANCING_NOT_STATED",
    "COFINANCING_TOO_LOW",
    "RULE",
    "TOPIC_WORDS",
    "CoFinancingRules",
    "partners_share",
]


def N_(message: str) -> str:
    """Mark a message for extraction into this plugin's own catalogue (``make`` nothing: see
    the README for the pybabel commands)."""
    return message


CATALOGUE = Catalogue("cofinancing", Path(__file__).parent / "locale")
"""This plugin's own gettext domain and folder: its Italian messages live here, not in the core."""


def _share(_instance: object, attribute: attrs.Attribute[Fraction], value: Fraction) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0% and 100%, got {format_share(value)}")


@attrs.frozen
class CoFinancingRules:
    """The parameters of ``[rules.co_financing]``."""

    basis: str
    """The citation (a key of the cycle's ``[citations]``) that sets the minimum share."""
    min_share: Fraction = attrs.field(validator=_share)
    """The least share of a project's total cost the partners must pay (``"30%"``)."""


COFINANCING_TOO_LOW = FindingCode(
    "COFINANCING_TOO_LOW",
    Severity.ERROR,
    N_(
        "Project {name}: the partners pay {share} of its total cost of {total}; "
        "this cycle asks for at least {min_share}."
    ),
    catalogue=CATALOGUE,
    amounts=("total",),
    when="`min_share` is set and the partners' share of the project's total cost is lower",
)
COFINANCING_NOT_STATED = FindingCode(
    "COFINANCING_NOT_STATED",
    Severity.INFO,
    N_(
        "Project {name} does not state its co-financing and total cost; the share cannot be checked."
    ),
    catalogue=CATALOGUE,
    when="the project has no `co_financing`, or no cost to compare it with",
)


def _total_cost(project: Project) -> Money | None:
    if project.total_cost is not None:
        return project.total_cost
    if project.requested is not None and project.co_financing is not None:
        return project.requested + project.co_financing
    return None


def partners_share(project: Project) -> Fraction | None:
    """The partners' share of the project's total cost, exactly; None when it is unknown."""
    total = _total_cost(project)
    if project.co_financing is None or total is None or not total:
        return None
    return Fraction(project.co_financing.cents, total.cents)


def _projects(document: Document) -> Iterator[tuple[Project, str]]:
    if isinstance(document, TerritorialPlan):
        for i, project in enumerate(document.projects):
            yield project, f"$.projects[{i}]"
    elif isinstance(document, Project):
        yield document, "$"


def check(cycle: Cycle, rules: CoFinancingRules, document: Document) -> Iterator[Finding]:
    """``COFINANCING_TOO_LOW`` for each project whose partners pay less than ``min_share``."""
    basis = cycle.cite(rules.basis)
    for project, path in _projects(document):
        share = partners_share(project)
        if share is None:
            yield COFINANCING_NOT_STATED.at(f"{path}.co_financing", basis, name=project.title)
        elif share < rules.min_share:
            total = _total_cost(project)
            assert total is not None
            yield COFINANCING_TOO_LOW.at(
                f"{path}.co_financing",
                basis,
                name=project.title,
                share=format_share(share),
                total=total,
                min_share=format_share(rules.min_share),
            )


TOPIC_WORDS = (N_("co-financing"), N_("partners pay at least"))
"""The words of the rows' topics: ``conciliazione diff`` translates each through CATALOGUE."""


def describe(cycle: Cycle, rules: CoFinancingRules) -> Iterator[tuple[str, str | None]]:
    """The rule's rows on the cycle's docs page and in ``conciliazione diff``."""
    yield "co-financing: partners pay at least", format_share(rules.min_share)
    basis = cycle.citations.get(rules.basis)
    yield "co-financing: basis", None if basis is None else str(basis)


RULE = Rule(
    section="co_financing",
    parameters=CoFinancingRules,
    codes=(COFINANCING_TOO_LOW, COFINANCING_NOT_STATED),
    check=check,
    describe=describe,
    title="Co-financing",
)
"""The rule, as the plugin registers it."""
