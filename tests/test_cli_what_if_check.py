"""What-if on checks: ``check --set`` (the tutorial's promise) and a cycle id that cannot move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conciliazione_core.cli import main

EXAMPLES = (
    Path(__file__).resolve().parents[1] / "plugins/lombardia_2020/src/lombardia_2020/examples"
)
LATE = EXAMPLES / "project_ends_late.toml"


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
