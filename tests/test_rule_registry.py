"""The rule registry: plugins register rules and codes through ``conciliazione_rules``; the host
attributes each to its plugin, names a plugin that registers garbage or a taken name, and names
a plugin whose rule misbehaves when a document is checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import conciliazione_core as cc
from conciliazione_core import (
    Cycle,
    Document,
    Finding,
    FindingCode,
    Host,
    PluginError,
    Rule,
    Severity,
    hookimpl,
)
from conciliazione_core._rules import STANDARD_RULES, LeadRules

BASIS = 'basis = "dgr_2398"'


@attrs.frozen
class DeadlineRules:
    basis: str
    by: dt.date | None = None
    strict: bool = True


LATE = FindingCode(
    "TEST_LATE", Severity.WARNING, "Late: {what}.", translations={"it": "Tardi: {what}."}
)


def _check(cycle: Cycle, rules: DeadlineRules, document: Document) -> Iterator[Finding]:
    yield LATE.at("$", cycle.cite(rules.basis), what=document.id)


def _describe(cycle: Cycle, rules: DeadlineRules) -> Iterator[tuple[str, str | None]]:
    yield "deadline: by", None if rules.by is None else rules.by.isoformat()


def rule(section: str = "deadline", **changes: Any) -> Rule:
    made = Rule(section, DeadlineRules, (LATE,), _check, _describe, "Deadline")
    return attrs.evolve(made, **changes)


class Registers:
    def __init__(self, *items: object) -> None:
        self.items = items

    @hookimpl
    def conciliazione_rules(self, register: Callable[[object], None]) -> None:
        for item in self.items:
            register(item)


def lombardia_2020(host: Host, *sets: str) -> Cycle:
    """The installed lombardia-2020 re-read with ``host``'s rules and some what-if sections."""
    installed = cc.get_cycle("lombardia-2020")
    return cc.load_cycle(
        installed.root.joinpath(installed.source), rules=host.rules
    ).with_overrides(list(sets))


def project() -> cc.Project:
    lead = cc.Body(id="comune", name="Comune", kind=cc.BodyKind.MUNICIPALITY)
    return cc.Project(
        id="p1", title="P", lead=lead, service_types=("A",), requested=cc.Money.parse("1")
    )


# ---- registration -----------------------------------------------------------------------------


def test_the_core_registers_its_standard_rules_through_the_hook() -> None:
    host = Host(use_entry_points=False)
    assert list(host.rules.rules) == [
        "network",
        "accord",
        "territory",
        "lead",
        "submission",
        "projects",
        "dates",
        "figures",
        "coherence",
        "bodies",
    ]
    assert set(host.rules.owners.values()) == {"conciliazione_core"}
    assert tuple(host.rules.rules.values()) == STANDARD_RULES
    assert "conciliazione_core" not in {p.name for p in host.plugins()}


def test_a_plugins_rule_is_attributed_to_it_and_read_from_a_cycle() -> None:
    host = Host([("deadlines", Registers(rule()))], use_entry_points=False)
    assert host.rules.owners["deadline"] == "deadlines"
    assert host.rules.code_owners["TEST_LATE"] == "deadlines"
    cycle = lombardia_2020(host, f"rules.deadline={{ {BASIS}, by = 2021-01-01 }}")
    assert cycle.rules["deadline"] == DeadlineRules("dgr_2398", dt.date(2021, 1, 1))
    report = host.check(cycle, project())
    [late] = [f for f in report.findings if f.code == "TEST_LATE"]
    assert late.legal_basis == cycle.cite("dgr_2398")
    with cc.i18n.language("it"):
        assert late.message == "Tardi: p1."


def test_a_wrapper_on_the_hook_is_called_through_pluggy() -> None:
    """Hooks go through pluggy: a legal ``wrapper=True`` implementation is not a fault."""
    seen: list[str] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def conciliazione_rules(self, register: Callable[[object], None]) -> Iterator[None]:
            seen.append("before")
            result = yield
            seen.append("after")
            return result

    # The host collects each plugin's rules when it registers it, with every wrapper already
    # registered around the call: the wrapper wraps the plugin registered after it.
    host = Host([("wrapper", Wrapper()), ("deadlines", Registers(rule()))], use_entry_points=False)
    assert host.problems == ()
    assert seen == ["before", "after"]
    assert host.rules.owners["deadline"] == "deadlines"


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("not a rule", "registered str, expected a Rule"),
        (rule(section="has space"), "is not a name"),
        (rule(parameters=dict), "must be an attrs class"),
        (rule(parameters=Severity), "must be an attrs class"),
        (rule(citations=("basis", "nowhere")), "no parameter named 'nowhere'"),
        (rule(codes=[LATE]), "codes must be a tuple of FindingCode"),
        (rule(codes=(attrs.evolve(LATE, code="lower_case"),)), "UPPER_SNAKE_CASE"),
        (rule(check=None), "check and describe must be functions"),
        (rule(section="lead"), "already registered by plugin 'conciliazione_core'"),
        (attrs.evolve(LATE, code="PLAN_LATE"), "already registered by plugin 'conciliazione_core'"),
        (rule(codes=(attrs.evolve(LATE, code="LEAD_NOT_PUBLIC"),)), "'LEAD_NOT_PUBLIC' is already"),
    ],
)
def test_a_plugin_registering_garbage_or_a_taken_name_is_named(item: object, words: str) -> None:
    host = Host(
        [("sloppy", Registers(item)), ("fine", Registers(rule("fine")))], use_entry_points=False
    )
    [problem] = host.problems
    assert problem.plugin == "sloppy"
    assert "conciliazione_rules" in problem.reason
    assert words in problem.reason
    assert "sloppy" not in {p.name for p in host.plugins()}
    # Nothing of the faulty plugin is registered; the healthy one is untouched.
    assert "deadline" not in host.rules.rules
    assert host.rules.owners["fine"] == "fine"


def test_parameters_without_a_basis_are_refused() -> None:
    @attrs.frozen
    class NoBasis:
        least: int = 0

    host = Host([("nobasis", Registers(rule(parameters=NoBasis)))], use_entry_points=False)
    assert "no 'basis' field" in host.problems[0].reason


class Opaque:
    """A type no parameter file can hold."""


@attrs.frozen
class Unreadable:
    basis: str
    thing: Opaque


def test_parameters_of_a_type_a_file_cannot_hold_are_refused_at_registration() -> None:
    host = Host([("odd", Registers(rule(parameters=Unreadable)))], use_entry_points=False)
    [problem] = host.problems
    assert problem.plugin == "odd"
    assert "cannot be read from a file" in problem.reason


def test_two_plugins_claiming_one_section_the_second_is_named() -> None:
    host = Host(
        [("first", Registers(rule())), ("second", Registers(rule()))], use_entry_points=False
    )
    [problem] = host.problems
    assert problem.plugin == "second"
    assert "already registered by plugin 'first'" in problem.reason
    assert host.rules.owners["deadline"] == "first"


def test_a_raising_registration_is_named() -> None:
    class Raises:
        @hookimpl
        def conciliazione_rules(self, register: Callable[[object], None]) -> None:
            raise RuntimeError("boom")

    [problem] = Host([("raises", Raises())], use_entry_points=False).problems
    assert (problem.plugin, problem.reason) == (
        "raises",
        "raised in conciliazione_rules: RuntimeError: boom",
    )


# ---- checking -----------------------------------------------------------------------------------


def test_a_raising_rule_fails_the_check_naming_its_plugin() -> None:
    def boom(cycle: Cycle, rules: DeadlineRules, document: Document) -> list[Finding]:
        raise ZeroDivisionError("division by zero")

    host = Host([("boomer", Registers(rule(check=boom)))], use_entry_points=False)
    cycle = lombardia_2020(host, f"rules.deadline={{ {BASIS} }}")
    with pytest.raises(
        PluginError, match=r"rule \[rules.deadline\] raised: ZeroDivisionError"
    ) as info:
        host.check(cycle, project())
    assert info.value.plugin == "boomer"


@pytest.mark.parametrize(
    ("emitted", "words"),
    [
        (
            Finding("NEVER_REGISTERED", Severity.ERROR, "$"),
            "'NEVER_REGISTERED', which it did not register",
        ),
        (Finding("PLAN_LATE", Severity.ERROR, "$"), "'PLAN_LATE', which it did not register"),
        (Finding("TEST_LATE", Severity.ERROR, "$"), "registered as warning"),
        ("a string", "returned str where a Finding was expected"),
    ],
)
def test_a_rule_emitting_what_it_did_not_register_is_named(emitted: object, words: str) -> None:
    def check(cycle: Cycle, rules: DeadlineRules, document: Document) -> list[object]:
        return [emitted]

    host = Host([("liar", Registers(rule(check=check)))], use_entry_points=False)
    cycle = lombardia_2020(host, f"rules.deadline={{ {BASIS} }}")
    with pytest.raises(PluginError, match=words) as info:
        host.check(cycle, project())
    assert info.value.plugin == "liar"


def test_finding_knows_a_plugins_code_while_its_host_checks() -> None:
    """``finding(code, ...)`` looks the code up in the registry in force: no KeyError for a
    plugin's code."""

    def check(cycle: Cycle, rules: DeadlineRules, document: Document) -> list[Finding]:
        return [cc.finding("TEST_LATE", "$.id", None, what="x")]

    host = Host([("by_name", Registers(rule(check=check)))], use_entry_points=False)
    cycle = lombardia_2020(host, f"rules.deadline={{ {BASIS} }}")
    [found] = [f for f in host.check(cycle, project()).findings if f.code == "TEST_LATE"]
    assert found.message == "Late: x."


# ---- a cycle's rules ----------------------------------------------------------------------------


def test_an_unknown_section_is_an_error_naming_the_known_ones() -> None:
    host = Host([("deadlines", Registers(rule()))], use_entry_points=False)
    with pytest.raises(cc.InputError) as info:
        lombardia_2020(host, f"rules.dedline={{ {BASIS} }}")
    [problem] = info.value.problems
    assert problem.path == "$.rules.dedline"
    assert problem.message == (
        "no installed rule reads [rules.dedline]; "
        "known: network, accord, territory, lead, submission, projects, dates, figures, coherence, "
        "bodies, deadline; did you mean 'deadline'?"
    )


def test_every_citation_field_of_a_rule_is_checked_at_load() -> None:
    host = Host(use_entry_points=False)
    with pytest.raises(cc.InputError) as info:
        lombardia_2020(host, 'rules.projects.ends_by_basis="ghost"')
    assert [p.path for p in info.value.problems] == ["$.rules.projects.ends_by_basis"]


def test_rules_is_a_mapping_in_registry_order_with_typed_access() -> None:
    cycle = cc.get_cycle("lombardia-2020")
    assert list(cycle.rules) == [n for n in cycle.rules.registry.rules if n in cycle.rules]
    lead = cycle.rules.section("lead", LeadRules)
    assert lead is cycle.rules["lead"] is cycle.rules.lead
    assert cycle.rules.section("accord", LeadRules) is None  # not set in 2020
    assert cycle.rules.accord is None
    with pytest.raises(TypeError, match=r"\[rules.lead\] is a LeadRules, not a DeadlineRules"):
        cycle.rules.section("lead", DeadlineRules)
    with pytest.raises(AttributeError):
        cycle.rules.no_such_rule  # noqa: B018
    assert ("$.rules.lead.basis", lead.basis) in set(cycle.rules.citation_keys())


# ---- everything that lists rules iterates the registry --------------------------------------------


def test_the_new_cycle_template_writes_every_registered_rule() -> None:
    from conciliazione_core._rule_registry import using_registry
    from conciliazione_core._scaffold import render_scaffold

    host = Host([("deadlines", Registers(rule()))], use_entry_points=False)
    with using_registry(host.rules):
        text = render_scaffold("testland-2031")["src/testland_2031/cycle.toml"].decode()
    for section in host.rules.rules:
        assert f"[rules.{section}]" in text
    # A rule without a template gets one made from its parameters, commented out.
    assert (
        '# [rules.deadline]        # Deadline\n# basis = "decree"\n# by = ...\n# strict = true\n'
        in text
    )


def test_the_docs_code_table_lists_a_plugins_codes_with_the_plugin() -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "conciliazione_docs_hook",
        Path(__file__).parents[1] / "docs" / "hooks" / "conciliazione_docs.py",
    )
    assert spec is not None
    assert spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    host = Host(
        [("deadlines", Registers(rule(codes=(attrs.evolve(LATE, when="`by` is set"),))))],
        use_entry_points=False,
    )
    table = hook.finding_codes_md(host)
    assert (
        "| `TEST_LATE` | warning | `[rules.deadline]` (plugin `deadlines`) | `by` is set | Late: &#123;what&#125;. |"
        in table
    )


def test_diff_rows_come_from_each_rules_description() -> None:
    from conciliazione_core._diff import diff_cycles

    host = Host([("deadlines", Registers(rule()))], use_entry_points=False)
    a = lombardia_2020(host)
    b = lombardia_2020(host, f"rules.deadline={{ {BASIS}, by = 2021-01-01 }}")
    row = diff_cycles(a, b).row("deadline: by")
    assert (row.a, row.b, row.changed) == (None, "2021-01-01", True)


def test_finding_of_an_unregistered_code_fails_the_check_naming_the_plugin() -> None:
    def check(cycle: Cycle, rules: DeadlineRules, document: Document) -> list[Finding]:
        return [cc.finding("NOT_REGISTERED", "$", None)]

    host = Host([("typo", Registers(rule(check=check)))], use_entry_points=False)
    cycle = lombardia_2020(host, f"rules.deadline={{ {BASIS} }}")
    with pytest.raises(PluginError, match="'NOT_REGISTERED' is not registered") as info:
        host.check(cycle, project())
    assert info.value.plugin == "typo"
