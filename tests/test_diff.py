"""``conciliazione diff``: two cycles side by side, every changed parameter marked."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from conciliazione_core._cycle import Cycle
from conciliazione_core._diff import CycleDiff, DiffRow, diff_cycles, diff_to_json, render_diff
from conciliazione_core.cli import main


def run_cli(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.fixture(scope="module")
def diff_14_20(cycle_2014: Cycle, cycle_2020: Cycle) -> CycleDiff:
    return diff_cycles(cycle_2014, cycle_2020)


def test_a_cycle_against_itself_changes_nothing(cycle_2020: Cycle) -> None:
    diff = diff_cycles(cycle_2020, cycle_2020)
    assert diff.rows
    assert diff.changed == ()
    assert all(r.a == r.b for r in diff.rows)


def test_the_topics_a_policy_team_reads_are_all_there(diff_14_20: CycleDiff) -> None:
    topics = [r.topic for r in diff_14_20.rows]
    for topic in [
        "title",
        "level",
        "period",
        "legal basis",
        "budget total",
        "rounding",
        "envelopes",
        "who may lead",
        "service types",
        "deadline: accords signed by",
        "deadline: proposals by",
        "deadline: plans by",
        "deadline: projects end by",
        "networks: led by their agency",
        "networks: one per agency",
        "networks: at most",
    ]:
        assert topic in topics


@pytest.mark.parametrize(
    ("topic", "a", "b"),
    [
        ("level", "ASL", "ATS"),
        ("period", "2014-01-01 – 2015-12-31", "2020-01-01 – 2023-12-31"),
        ("budget total", "€3,639,500.00", "€3,000,000.00"),
        ("rounding", "largest remainder to €0.01", "largest remainder to €1.00"),
        ("envelopes", "training, action_plans", "ats, region"),
        ("envelope training: kind and amount", "equal, €300,000.00", None),
        ("envelope ats: kind and amount", None, "proportional, €2,800,000.00"),
        ("envelope ats: split", None, "projects 80%, system_action 20%"),
        ("envelope region: kind and amount", None, "retained, €200,000.00"),
        ("who may lead", "public body", "public body, private non-profit / third-sector body"),
        ("service types", None, "A, B, C, D, E"),
        ("service type A", None, "Assistance and support to the family caregiver"),
        ("deadline: accords signed by", "2014-03-31", None),
        ("deadline: proposals by", "2014-05-31", None),
        ("deadline: plans by", "2014-06-30", None),
        ("deadline: projects end by", None, "2023-05-31"),
        ("networks: at most", "15", "8"),
        ("recipients", "15", "8"),
    ],
)
def test_changed_parameters_between_2014_and_2020(
    diff_14_20: CycleDiff, topic: str, a: str | None, b: str | None
) -> None:
    assert diff_14_20.row(topic) == DiffRow(topic, a, b, True)


@pytest.mark.parametrize(
    "topic", ["networks: led by their agency", "networks: one per agency", "reference data"]
)
def test_unchanged_parameters_between_2014_and_2020(diff_14_20: CycleDiff, topic: str) -> None:
    row = diff_14_20.row(topic)
    assert row.a == row.b
    assert row.a is not None
    assert not row.changed


def test_legal_basis_lists_every_act(diff_14_20: CycleDiff) -> None:
    row = diff_14_20.row("legal basis")
    assert row.a == "D.G.R. X/1081 of 12/12/2013"
    assert row.b is not None
    assert "D.G.R. XI/2398 of 11/11/2019" in row.b
    assert "Decreto n. 486 of 17/01/2020" in row.b


def test_a_what_if_changes_exactly_the_overridden_rows(cycle_2020: Cycle) -> None:
    what_if = cycle_2020.with_overrides(
        ["allocation.total=3100000", "allocation.envelopes.ats.amount=2900000"]
    )
    changed = diff_cycles(cycle_2020, what_if).changed
    assert [(r.topic, r.a, r.b) for r in changed] == [
        ("budget total", "€3,000,000.00", "€3,100,000.00"),
        (
            "envelope ats: kind and amount",
            "proportional, €2,800,000.00",
            "proportional, €2,900,000.00",
        ),
    ]


def test_a_changed_split_and_lead_rule_are_marked(cycle_2020: Cycle) -> None:
    what_if = cycle_2020.with_overrides(
        [
            'allocation.envelopes.ats.split=[{id = "projects", label = "P", share = "70%", '
            'basis = "brianza_plan"}, {id = "system_action", label = "S", share = "30%", '
            'basis = "brianza_plan"}]',
            'rules.lead.natures=["public"]',
        ]
    )
    diff = diff_cycles(cycle_2020, what_if)
    assert [r.topic for r in diff.changed] == ["envelope ats: split", "who may lead"]
    assert diff.row("envelope ats: split").b == "projects 70%, system_action 30%"


def test_the_diff_is_symmetric(cycle_2014: Cycle, cycle_2020: Cycle) -> None:
    forward = diff_cycles(cycle_2014, cycle_2020)
    backward = diff_cycles(cycle_2020, cycle_2014)
    assert {(r.topic, r.a, r.b) for r in forward.rows} == {
        (r.topic, r.b, r.a) for r in backward.rows
    }


def test_the_table_marks_changed_rows(diff_14_20: CycleDiff) -> None:
    text = render_diff(diff_14_20, width=120)
    lines = text.splitlines()
    assert "lombardia-2014" in lines[0]
    assert "lombardia-2020" in lines[0]
    assert any(line.startswith("* budget total") for line in lines)
    assert any(line.startswith("  networks: one per agency") for line in lines)
    assert lines[-1] == (
        f"{len(diff_14_20.changed)} of {len(diff_14_20.rows)} parameters differ (marked *)."
    )
    assert all(len(line) <= 120 for line in lines)


def test_the_table_can_show_only_changes(diff_14_20: CycleDiff) -> None:
    text = render_diff(diff_14_20, changed_only=True)
    assert "networks: one per agency" not in text
    assert "budget total" in text


def test_json_has_every_row(diff_14_20: CycleDiff) -> None:
    data = diff_to_json(diff_14_20)
    assert (data["a"], data["b"], data["changed"]) == (
        "lombardia-2014",
        "lombardia-2020",
        len(diff_14_20.changed),
    )
    assert len(data["rows"]) == len(diff_14_20.rows)
    assert data["rows"][0] == {
        "topic": "title",
        "label": "title",
        "a": diff_14_20.rows[0].a,
        "b": diff_14_20.rows[0].b,
        "changed": True,
    }


def test_cli_diff_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        ["diff", "lombardia-2014", "lombardia-2020", "--format", "json", "--changed-only"], capsys
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert all(row["changed"] for row in data["rows"])
    assert {
        "topic": "budget total",
        "label": "budget total",
        "a": "€3,639,500.00",
        "b": "€3,000,000.00",
        "changed": True,
    } in data["rows"]


def test_cli_diff_table(cycle_2020: Cycle, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(["diff", "lombardia-2020", "lombardia-2020"], capsys)
    assert code == 0
    total = len(diff_cycles(cycle_2020, cycle_2020).rows)
    assert out.splitlines()[-1] == f"0 of {total} parameters differ (marked *)."
    assert not [line for line in out.splitlines()[2:-1] if line.startswith("*")]


def test_cli_diff_unknown_cycle_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["diff", "lombardia-2014", "nowhere-2000"], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "unknown cycle 'nowhere-2000'" in err
