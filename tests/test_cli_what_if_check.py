"""What-if on checks: ``check --set`` (the tutorial's promise) and a cycle id that cannot move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core import Cycle, InputError
from conciliazione_core._host import default_host
from conciliazione_core.cli import main
from conciliazione_core.i18n import language

EXAMPLES = (
    Path(__file__).resolve().parents[1] / "plugins/lombardia_2020/src/lombardia_2020/examples"
)
LATE = EXAMPLES / "project_ends_late.toml"
ENVELOPES = ["allocation.envelopes.ats.amount", "allocation.envelopes.region.amount"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def codes(out: str) -> list[str]:
    """The error and warning codes (information aside, as the examples declare them)."""
    return [f["code"] for f in json.loads(out)["findings"] if f["severity"] != "info"]


def test_check_set_moves_a_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "check", "lombardia-2020", str(LATE), "--format", "json")
    assert (code, codes(out)) == (0, ["PROJECT_ENDS_LATE"])
    code, out, _err = run(
        capsys,
        "check",
        "lombardia-2020",
        str(LATE),
        "--format",
        "json",
        "--set",
        "rules.projects.ends_by=2024-01-01",
    )
    assert (code, codes(out)) == (0, [])


def test_check_set_with_a_bad_path_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "lombardia-2020", str(LATE), "--set", "rules.nope=1")
    assert (code, out) == (2, "")
    assert err.startswith("conciliazione: error: ")
    assert "nope" in err


@pytest.mark.parametrize("command", ["allocate", "check"])
def test_a_what_if_cannot_relabel_the_cycle(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """The issue's reproducer: --set cycle.id relabelled the 2020 money as lombardia-2014."""
    args = [command, "lombardia-2020", *([str(LATE)] if command == "check" else [])]
    code, out, err = run(capsys, *args, "--set", "cycle.id=lombardia-2014")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "conciliazione: error: --set cycle.id: a what-if cannot change the cycle's id: it would "
        "label one cycle's money as another's"
    )


# ---- a what-if on an amount names what must change with it -----------------------------------------


def mismatch(cycle: Cycle, *assignments: str) -> str:
    """The one problem a what-if whose amounts disagree raises."""
    with pytest.raises(InputError) as info:
        cycle.with_overrides(list(assignments))
    [problem] = info.value.problems
    return str(problem)


def fixes(message: str) -> list[str]:
    """The single changes a mismatch message offers (``PATH=VALUE``, after its last colon)."""
    return message.rsplit(": ", 1)[1].split(", ")


def test_setting_an_envelope_names_the_total_and_the_other_envelopes(cycle_2020: Cycle) -> None:
    assert mismatch(cycle_2020, "allocation.envelopes.ats.amount=3000000") == (
        "--set allocation.envelopes.ats.amount: the envelopes add up to €3,200,000.00 "
        "(ats €3,000,000.00 + region €200,000.00) but allocation.total is €3,000,000.00; to make "
        "them agree, set one of: allocation.total=3200000, "
        "allocation.envelopes.region.amount=0"
    )


def test_setting_the_total_names_the_envelopes(cycle_2020: Cycle) -> None:
    assert mismatch(cycle_2020, "allocation.total=4000000") == (
        "--set allocation.total: the envelopes add up to €3,000,000.00 (ats €2,800,000.00 + "
        "region €200,000.00) but allocation.total is €4,000,000.00; to make them agree, set "
        "one of: allocation.envelopes.ats.amount=3800000, "
        "allocation.envelopes.region.amount=1200000"
    )


def test_what_was_set_is_not_offered_and_impossible_fixes_are_left_out(cycle_2020: Cycle) -> None:
    # Both set: only the untouched region can follow; a total below the others offers no
    # negative amount, only the total.
    message = mismatch(
        cycle_2020, "allocation.total=4000000", "allocation.envelopes.ats.amount=3000000"
    )
    assert fixes(message) == ["allocation.envelopes.region.amount=1000000"]
    message = mismatch(cycle_2020, "allocation.envelopes.region.amount=5000000")
    assert fixes(message) == ["allocation.total=7800000"]


def test_the_cycle_files_own_mismatch_keeps_its_plain_message() -> None:
    from conciliazione_core.allocation import parse_allocation
    from conciliazione_core.testing import TEST_CITATIONS

    data = {
        "total": "100",
        "envelopes": [
            {"id": "a", "kind": "retained", "label": "A", "basis": "test_act", "amount": "60"},
        ],
    }
    with pytest.raises(InputError) as info:
        parse_allocation(data, TEST_CITATIONS)
    assert [str(p) for p in info.value.problems] == [
        "$.allocation.total: the envelopes add up to €60.00 but the total is €100.00"
    ]
    with pytest.raises(InputError) as info:
        parse_allocation(data, TEST_CITATIONS, changed={"envelopes.a.amount"})
    assert fixes(str(info.value.problems[0])) == ["allocation.total=60"]


def test_when_nothing_left_alone_can_follow_what_was_set_is_offered(cycle_2020: Cycle) -> None:
    """A total of zero: no envelope can go negative, so the total itself is what must change."""
    assert fixes(mismatch(cycle_2020, "allocation.total=0")) == ["allocation.total=3000000"]


ORIGINAL = {
    "allocation.total": 300_000_000,
    "allocation.envelopes.ats.amount": 280_000_000,
    "allocation.envelopes.region.amount": 20_000_000,
}


@given(
    changed=st.sampled_from(sorted(ORIGINAL)),
    cents=st.integers(min_value=0, max_value=10**10),
)
@settings(max_examples=40, deadline=None)
def test_each_offered_fix_makes_the_what_if_agree(changed: str, cents: int) -> None:
    cycle = default_host().cycle("lombardia-2020")
    assignment = f"{changed}={cents // 100}.{cents % 100:02d}"
    try:
        cycle.with_overrides([assignment])
    except InputError as exc:
        [problem] = exc.problems
        if "add up to" not in problem.message:
            return  # the value itself is refused (e.g. cents in a whole-euro envelope)
        offered = fixes(str(problem))
        assert offered  # always a way out
        for fix in offered:
            fixed = cycle.with_overrides([assignment, fix]).allocation
            assert fixed is not None
            assert sum(e.amount.cents for e in fixed.envelopes if e.amount) == fixed.total.cents
        untouched = [f for f in offered if not f.startswith(changed + "=")]
        assert untouched == offered or untouched == []  # what was set only when nothing else can
    else:
        assert cents == ORIGINAL[changed]


def test_check_set_on_an_amount_names_the_others_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "check", "lombardia-2020", str(LATE), "--set", "allocation.total=4000000"
    )
    assert (code, out) == (2, "")
    assert err.startswith(
        "conciliazione: error: lombardia_2020/cycle.toml with --set allocation.total=4000000: "
        "--set allocation.total: "
    )
    assert err.rstrip().endswith(
        "set one of: allocation.envelopes.ats.amount=3800000, "
        "allocation.envelopes.region.amount=1200000"
    )


def test_the_amounts_are_in_the_readers_language_the_fixes_stay_plain(cycle_2020: Cycle) -> None:
    with language("it"):
        message = mismatch(cycle_2020, "allocation.envelopes.ats.amount=3000000")
    assert "(ats € 3.000.000,00 + region € 200.000,00)" in message
    assert fixes(message) == ["allocation.total=3200000", "allocation.envelopes.region.amount=0"]
