"""The ``given`` envelope kind a plugin adds: registered, read, checked, allocated, explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cofinancing import plugin
from cofinancing.envelopes import GivenEnvelope, GivenKind
from conciliazione_core import hookimpl, load_cycle
from conciliazione_core._cycle import Cycle
from conciliazione_core._diff import diff_cycles
from conciliazione_core._errors import InputError
from conciliazione_core._host import Host
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    allocate,
    allocation_to_json,
    default_kinds,
    explain_text,
    parse_allocation,
    render_table,
    using_kinds,
)
from conciliazione_core.testing import assert_allocation_invariants

CYCLE = Path(__file__).parent / "given_cycle" / "cycle.toml"
CITATIONS = {
    "act": LegalBasis(act="Act", evidence=Evidence.DOCUMENT),
    "annex": LegalBasis(act="Act", provision="Annex", evidence=Evidence.DOCUMENT),
}


class _CyclePlugin:
    """A plugin handing over the test cycle, as a cycle plugin would."""

    @hookimpl
    def conciliazione_cycles(self) -> list[Cycle]:
        return [load_cycle(CYCLE)]


@pytest.fixture(scope="module")
def host() -> Host:
    return Host([("cofinancing", plugin), ("given_cycle", _CyclePlugin())], use_entry_points=False)


def plan_data(amounts: dict[str, Any], amount: str = "300") -> dict[str, Any]:
    return {
        "total": amount,
        "rounding": {"unit": "1"},
        "envelopes": [
            {"id": "g", "kind": "given", "label": "Given", "basis": "act", "amount": amount}
            | ({"amounts": amounts} if amounts is not None else {})
        ],
    }


def problems_of(data: dict[str, Any]) -> list[str]:
    registry = Host([("cofinancing", plugin)], use_entry_points=False).envelope_kinds
    with pytest.raises(InputError) as info:
        parse_allocation(data, CITATIONS, kinds=registry)
    return [f"{p.path}: {p.message}" for p in info.value.problems]


# ---- registration --------------------------------------------------------------------------------


def test_the_plugin_registers_the_given_kind_under_its_name(host: Host) -> None:
    assert host.problems == ()
    assert host.envelope_kinds.names()[-1] == "given"
    assert host.envelope_kinds.plugin_of("given") == "cofinancing"
    assert isinstance(host.envelope_kinds.get("given"), GivenKind)
    assert host.envelope_kinds.plugin_of("equal") == "conciliazione_core.allocation"
    assert "conciliazione_envelope_kinds" in next(
        p.hooks for p in host.plugins() if p.name == "cofinancing"
    )


def test_without_the_plugin_the_kind_is_unknown() -> None:
    assert "given" not in default_kinds().names()
    with pytest.raises(InputError) as info:
        load_cycle(CYCLE).allocation  # noqa: B018
    assert info.value.problems[0].message == (
        "unknown kind 'given'; choose one of: retained, fixed, equal, proportional"
    )


# ---- allocating a cycle ------------------------------------------------------------------------


def test_the_kind_allocates_the_cycle_its_plugin_loads(host: Host) -> None:
    cycle = host.cycle("given-test")
    plan = cycle.allocation
    assert plan is not None
    envelope = plan.envelope("ats")
    assert isinstance(envelope, GivenEnvelope)
    recipients = [(r.id, r.name) for r in cycle.recipients]
    allocation = allocate(plan, recipients)
    assert {s.id: s.amount for s in allocation.shares} == {
        "ATS-A": Money.parse("450000"),
        "ATS-B": Money.parse("300000"),
        "ATS-C": Money.parse("150000"),
    }
    assert allocation.retained_total == Money.parse("100000")
    assert allocation.unallocated == Money(0)
    assert_allocation_invariants(allocation, plan, recipients, None)
    data = allocation_to_json(allocation, cycle.id)
    assert [e["kind"] for e in data["envelopes"]] == ["retained", "given"]
    assert "450,000" in render_table(allocation).split()  # whole euros: no ".00"


def test_a_cycle_loaded_under_the_hosts_kinds_keeps_them(host: Host) -> None:
    with using_kinds(host.envelope_kinds):
        cycle = load_cycle(CYCLE)
    plan = cycle.allocation  # read after the block, with the kinds active at load time
    assert plan is not None
    assert plan.envelope("ats").kind == "given"


def test_the_recipients_order_does_not_change_who_gets_what(host: Host) -> None:
    plan = host.cycle("given-test").allocation
    assert plan is not None
    allocation = allocate(plan, [("ATS-C", "C"), ("ATS-A", "A"), ("ATS-B", "B")])
    assert allocation.amount("ATS-C") == Money.parse("150000")
    assert allocation.amount("ATS-A") == Money.parse("450000")


def test_explain_names_the_citation_that_gave_the_amount(host: Host) -> None:
    cycle = host.cycle("given-test")
    plan = cycle.allocation
    assert plan is not None
    allocation = allocate(plan, [(r.id, r.name) for r in cycle.recipients])
    component = allocation.explain("ATS-C").components[0]
    assert (component.citation, component.basis.provision) == ("annex_b", "Annex B")
    assert component.quota == Money.parse("150000").fraction
    text = explain_text(allocation, "ATS-C", "en")
    assert "the amount the act gives this recipient (annex_b: Test extension act, Annex B)" in text
    assert "annex_a" in explain_text(allocation, "ATS-A", "en")


def test_diff_describes_the_given_amounts(host: Host) -> None:
    cycle = host.cycle("given-test")
    rows = {r.topic: r for r in diff_cycles(cycle, cycle).rows}
    row = rows["envelope ats: given amounts"]
    assert (
        row.a
        == "ATS-A €450,000.00 (annex_a), ATS-B €300,000.00 (annex_a), ATS-C €150,000.00 (annex_b)"
    )
    assert rows["envelope ats: kind and amount"].a == "given, €900,000.00"


def test_every_recipient_needs_a_line_and_every_line_a_recipient(host: Host) -> None:
    plan = host.cycle("given-test").allocation
    assert plan is not None
    with pytest.raises(InputError) as info:
        allocate(plan, [("ATS-A", "A"), ("ATS-B", "B"), ("ATS-D", "D")])
    messages = [f"{p.path}: {p.message}" for p in info.value.problems]
    assert (
        "$.allocation.envelopes[1].amounts: amounts given to id(s) that are not recipients: ATS-C"
        in messages
    )
    assert "$.allocation.envelopes[1].amounts: no amount given to recipient(s): ATS-D" in messages


# ---- checked when the cycle loads ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (
            {"A": {"amount": "100", "basis": "act"}, "B": {"amount": "190", "basis": "annex"}},
            "$.allocation.envelopes[0].amounts: the given amounts add up to €290.00, "
            "€10.00 less than the envelope's amount €300.00",
        ),
        (
            {"A": {"amount": "100", "basis": "act"}, "B": {"amount": "200.01", "basis": "annex"}},
            "$.allocation.envelopes[0].amounts: the given amounts add up to €300.01, "
            "€0.01 more than the envelope's amount €300.00",
        ),
    ],
)
def test_the_sum_check_refuses_a_wrong_table_naming_the_difference(
    amounts: dict[str, Any], expected: str
) -> None:
    data = plan_data(amounts)
    data["rounding"] = {"unit": "0.01"}
    assert expected in problems_of(data)


def test_a_table_that_adds_up_is_read_with_each_citation() -> None:
    registry = Host([("cofinancing", plugin)], use_entry_points=False).envelope_kinds
    data = plan_data(
        {"B": {"amount": "200", "basis": "annex"}, "A": {"amount": "100", "basis": "act"}}
    )
    plan = parse_allocation(data, CITATIONS, kinds=registry)
    envelope = plan.envelopes[0]
    assert isinstance(envelope, GivenEnvelope)
    assert [(g.recipient, g.amount, g.citation) for g in envelope.amounts] == [
        ("A", Money.parse("100"), "act"),
        ("B", Money.parse("200"), "annex"),
    ]


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (None, "$.allocation.envelopes[0].amounts: missing: one line per recipient"),
        ({}, "$.allocation.envelopes[0].amounts: expected at least one recipient"),
        (
            {"A": "300"},
            '$.allocation.envelopes[0].amounts.A: expected a table: { amount = "...", basis = "..." }',
        ),
        ({"A": {"amount": "300"}}, "$.allocation.envelopes[0].amounts.A.basis: missing"),
        (
            {"A": {"amount": "300", "basis": "nowhere"}},
            "$.allocation.envelopes[0].amounts.A.basis: unknown citation 'nowhere'; known: act, annex",
        ),
        (
            {"A": {"amount": 300.0, "basis": "act"}},
            "$.allocation.envelopes[0].amounts.A.amount: amount 300.0 is a floating-point number",
        ),
        (
            {"A": {"amount": "300", "basis": "act", "share": "1"}},
            "$.allocation.envelopes[0].amounts.A.share: unknown key 'share' for a given amount; "
            "allowed: amount, basis",
        ),
        (
            {"A": {"amount": "299.50", "basis": "act"}, "B": {"amount": "0.50", "basis": "act"}},
            "$.allocation.envelopes[0].amounts.A.amount: €299.50 is not a whole number of "
            "rounding units of €1.00",
        ),
    ],
)
def test_bad_lines_are_named_by_their_path(amounts: Any, expected: str) -> None:
    problems = problems_of(plan_data(amounts))
    assert any(p.startswith(expected) for p in problems), problems


def test_given_amounts_are_cut_into_split_parts_and_tranches_like_any_envelope() -> None:
    registry = Host([("cofinancing", plugin)], use_entry_points=False).envelope_kinds
    data = plan_data(
        {"A": {"amount": "101", "basis": "act"}, "B": {"amount": "199", "basis": "annex"}}
    )
    data["envelopes"][0]["split"] = [
        {"id": "projects", "label": "Projects", "share": "80%"},
        {"id": "system", "label": "System action", "share": "20%"},
    ]
    data["envelopes"][0]["tranches"] = [{"id": "y1", "share": "1/2"}, {"id": "y2", "share": "1/2"}]
    plan = parse_allocation(data, CITATIONS, kinds=registry)
    allocation = allocate(plan, [("A", "A"), ("B", "B")])
    parts = {p.id: p.amount for p in allocation.explain("A").components[0].parts}
    assert parts == {"projects": Money.parse("81"), "system": Money.parse("20")}
    tranches = [t.amount for t in allocation.explain("B").components[0].tranches]
    assert tranches == [Money.parse("100"), Money.parse("99")]
    assert_allocation_invariants(allocation, plan, [("A", "A"), ("B", "B")], None)


def test_a_what_if_run_of_the_cycle_keeps_the_plugins_kinds(host: Host) -> None:
    """A what-if re-reads the allocation with the plugin's kinds: the table's own check runs."""
    with pytest.raises(InputError) as info:
        host.cycle("given-test").with_overrides(
            ["allocation.envelopes.ats.amounts.ATS-C.amount=140000", "allocation.total=990000"]
        )
    assert [p.message for p in info.value.problems] == [
        "the given amounts add up to €890,000.00, €10,000.00 less than the envelope's amount "
        "€900,000.00"
    ]


# ---- properties ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    cents=st.lists(st.integers(0, 10**11), min_size=1, max_size=25),
    delta=st.integers(-(10**7), 10**7),
    seed=st.randoms(use_true_random=False),
)
def test_a_table_allocates_exactly_its_lines_or_is_refused_naming_the_gap(
    cents: list[int], delta: int, seed: Any
) -> None:
    registry = Host([("cofinancing", plugin)], use_entry_points=False).envelope_kinds
    ids = [f"R{i:02d}" for i in range(len(cents))]
    amount = max(0, sum(cents) + delta)
    lines = {
        r: {"amount": str(Money(c)), "basis": "annex"} for r, c in zip(ids, cents, strict=True)
    }
    data = plan_data(lines, str(Money(amount)))
    data["rounding"] = {"unit": "0.01"}
    if amount != sum(cents):
        with pytest.raises(InputError) as info:
            parse_allocation(data, CITATIONS, kinds=registry)
        gap = Money(abs(amount - sum(cents))).format()
        word = "less" if sum(cents) < amount else "more"
        [problem] = [p for p in info.value.problems if p.path.endswith(".amounts")]
        assert f", {gap} {word} than the envelope's amount" in problem.message
        return
    plan = parse_allocation(data, CITATIONS, kinds=registry)
    recipients = [(r, r) for r in ids]
    seed.shuffle(recipients)
    allocation = allocate(plan, recipients)
    assert [allocation.amount(r).cents for r in ids] == cents
    assert_allocation_invariants(allocation, plan, recipients, None)
