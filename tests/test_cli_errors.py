"""Every error at once, in the place it is: every problem with its path, JSON under --format
json, the file named, "did you mean" for typos, and swapped arguments spotted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import click.testing
import pytest

from conciliazione_core._errors import CycleNotFoundError, InputError, Problem
from conciliazione_core._suggest import close_matches, did_you_mean, with_hint
from conciliazione_core.cli import cli, main

ERROR_PREFIX = "conciliazione: error: "

BAD_NETWORK = {
    "kind": "network",
    "id": "N1",
    "lead": {"id": "ATS-X", "kind": "atss", "name": "x"},
    "members": [{"body": {"id": "c", "name": "C", "kind": "company"}, "joined": "2020-01-01"}],
    "colour": "red",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), out, err


@pytest.fixture
def bad_network(tmp_path: Path) -> Path:
    path = tmp_path / "network.json"
    path.write_text(json.dumps(BAD_NETWORK), encoding="utf-8")
    return path


# ---- every problem, each with its path -----------------------------------------------------------


def test_every_problem_of_a_bad_document_is_printed_with_its_path(
    capsys: pytest.CaptureFixture[str], bad_network: Path
) -> None:
    code, out, err = run(capsys, "check", "lombardia-2020", str(bad_network))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"{ERROR_PREFIX}{bad_network}: 5 problems:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  $.name",
        "  $.agency",
        "  $.lead.kind",
        "  $.members[0].joined",
        "  $.colour",
    ]
    assert "more problem" not in err
    assert "did you mean 'ats'?" in lines[3]
    assert "did you mean 'joined_on'?" in lines[4]


def test_one_problem_stays_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    code, _out, err = run(capsys, "check", "lombardia-2020", str(path))
    assert code == 2
    assert err.splitlines() == [f"{ERROR_PREFIX}{path}: $: the file is empty"]


def test_every_problem_on_one_line_for_a_plugin_reason() -> None:
    error = InputError([Problem("$.a", "bad"), Problem("$.b", "worse\nstill")], "cycle.toml")
    assert error.every_problem() == "cycle.toml: $.a: bad; $.b: worse still"
    assert str(error) == "cycle.toml: $.a: bad (and 1 more problem)"


# ---- --format json: errors as JSON on stderr, exit 2 ---------------------------------------------


def _json_error(out: str) -> dict[str, Any]:
    data = json.loads(out)
    assert list(data) == ["error"]
    error: dict[str, Any] = data["error"]
    return error


def test_json_reports_every_problem_of_a_bad_document(
    capsys: pytest.CaptureFixture[str], bad_network: Path
) -> None:
    code, out, err = run(capsys, "check", "lombardia-2020", str(bad_network), "--format", "json")
    assert (code, out) == (2, "")  # stdout carries results only
    error = _json_error(err)
    assert error["kind"] == "input"
    assert error["source"] == str(bad_network)
    assert error["message"] == f"{bad_network}: 5 problems"
    assert [p["path"] for p in error["problems"]] == [
        "$.name",
        "$.agency",
        "$.lead.kind",
        "$.members[0].joined",
        "$.colour",
    ]
    assert error["problems"][0]["message"] == "required field is missing"


# One failing invocation per command that has --format json; a new such command must add one.
FAILING_JSON = {
    "allocate": ["allocate", "lombardia-2002", "--format", "json"],
    "audit": ["audit", "lombardia-2020", "--format", "json"],
    "check": ["check", "lombardia-202", "x.json", "--format", "json"],
    "cycles": None,  # reads no input: it has no input error to report
    "diff": ["diff", "lombardia-2020", "lombardia-2O14", "--format", "json"],
    "territory": ["territory", "Milann", "--format", "json"],
    "plugins": ["plugins", "extra", "--format", "json"],  # reads no input: a usage error
}


def _json_commands() -> set[str]:
    assert isinstance(cli, click.Group)
    found = set()
    for name, command in cli.commands.items():
        for param in command.params:
            choices = param.type.choices if isinstance(param.type, click.Choice) else ()
            if param.name == "fmt" and "json" in choices:
                found.add(name)
    return found


def test_every_command_with_json_output_is_covered() -> None:
    assert _json_commands() <= set(FAILING_JSON)


@pytest.mark.parametrize("command", sorted(k for k, v in FAILING_JSON.items() if v))
def test_every_command_reports_its_errors_as_json(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    argv = FAILING_JSON[command]
    assert argv is not None
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    error = _json_error(err)
    assert error["kind"] in ("input", "unknown_cycle", "usage")
    assert error["message"]
    assert isinstance(error["problems"], list)
    # The text mode says the same on stderr.
    code, text_out, text_err = run(capsys, *argv[:-2])
    assert (code, text_out) == (2, "")
    assert text_err.splitlines()[0] == ERROR_PREFIX + error["message"]


def test_an_unknown_cycle_as_json_names_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    _code, _out, err = run(capsys, "allocate", "lombardia2020", "--format", "json")
    error = _json_error(err)
    assert error["kind"] == "unknown_cycle"
    assert error["cycle"] == "lombardia2020"
    assert error["did_you_mean"][0] == "lombardia-2020"
    assert "lombardia-2014" in error["installed"]


def test_text_formats_keep_errors_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "allocate", "lombardia-2002", "--format", "csv")
    assert (code, out) == (2, "")
    assert err.startswith(ERROR_PREFIX + "unknown cycle 'lombardia-2002'")


def test_jsonl_errors_are_one_line() -> None:
    from conciliazione_core.cli._base import echo_error_json

    runner = click.testing.CliRunner()

    @click.command()
    def one() -> None:
        echo_error_json(InputError.at("$.a", "bad", "f.json"), "f.json: $.a: bad", "jsonl")

    result = runner.invoke(one)
    [line] = result.stderr.splitlines()
    assert json.loads(line)["error"]["problems"] == [{"path": "$.a", "message": "bad"}]
    assert result.stdout == ""


def test_an_error_after_the_output_keeps_stdout_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The chart is drawn after the JSON is printed: its error goes to stderr, as JSON."""
    code, out, err = run(
        capsys, "allocate", "lombardia-2020", "--format", "json", "--chart", str(tmp_path / "c.x")
    )
    assert code == 2
    assert json.loads(out)["cycle"] == "lombardia-2020"
    assert _json_error(err)["message"].startswith("--chart: ")


# ---- every error names its file ------------------------------------------------------------------


def test_a_data_file_that_does_not_fit_the_cycle_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _code, template, _err = run(capsys, "allocate", "lombardia-2020", "--template")
    data = tmp_path / "data.csv"
    data.write_text("\n".join(template.splitlines()[:3]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "allocate", "lombardia-2020", "--data", str(data))
    assert (code, out) == (2, "")
    assert err.startswith(f"{ERROR_PREFIX}{data}: $.allocation.envelopes[0]: envelope 'ats'")
    assert "ATS-BERGAMO" in err
    # An error of another option is not blamed on the file.
    code, _out, err = run(
        capsys, "allocate", "lombardia-2020", "--data", str(data), "--explain", "ATS-NOWHERE"
    )
    assert code == 2
    assert err.startswith(f"{ERROR_PREFIX}--explain: 'ATS-NOWHERE' is not a recipient")


def test_a_what_if_that_breaks_the_parameters_names_the_file_and_the_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _out, err = run(
        capsys, "allocate", "lombardia-2020", "--set", "allocation.envelopes.ats.amout=3"
    )
    assert code == 2
    assert err.startswith(
        f"{ERROR_PREFIX}lombardia_2020/cycle.toml with --set allocation.envelopes.ats.amout=3: "
        "$.allocation.envelopes[0].amout: unknown key 'amout'"
    )
    assert err.rstrip().endswith("did you mean 'amount'?")


# ---- did you mean --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["allocate", "lombardia-220"], "did you mean 'lombardia-2020'"),
        (["allocate", "lombardia-2020", "--explain", "ATS-MILAN"], "did you mean 'ATS-MILANO'?"),
        (
            ["allocate", "lombardia-2020", "--set", "allocation.envelopes.atz.amount=1"],
            "did you mean 'ats'?",
        ),
        (["allocate", "lombardia-2020", "--set", "allocation.totl.x=1"], "did you mean 'total'?"),
        (
            ["allocate", "lombardia-2020", "--set", "allocation.rounding.strategy=flor"],
            "did you mean 'floor'?",
        ),
        (
            ["allocate", "lombardia-2020", "--set", "allocation.envelopes.ats.kind=proportionl"],
            "did you mean 'proportional'?",
        ),
        (
            ["check", "lombardia-2020", "x.json", "--set", "rules.projeccts.x=1"],
            "did you mean 'projects'?",
        ),
    ],
)
def test_did_you_mean(capsys: pytest.CaptureFixture[str], argv: list[str], hint: str) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert hint in err, err


def test_no_suggestion_when_nothing_is_close(capsys: pytest.CaptureFixture[str]) -> None:
    _code, _out, err = run(capsys, "allocate", "trentino-2031")
    assert "did you mean" not in err
    _code, _out, err = run(capsys, "allocate", "lombardia-2020", "--explain", "XYZ")
    assert "did you mean" not in err


def test_suggestions_ignore_case_and_skip_the_word_itself() -> None:
    assert close_matches("ATSS", ["ats", "asl", "region"]) == ["ats"]
    assert close_matches("ats", ["ats"]) == []
    assert did_you_mean("networkk", ["network", "alliance"]) == "did you mean 'network'?"
    assert did_you_mean("zzz", ["network"]) == ""
    assert with_hint("bad", 12, ["12"]) == "bad"  # only text has a spelling
    assert close_matches("r1", (f"r{i}" for i in range(20_000))) == []  # too many to compare


def test_an_unknown_cycle_error_carries_its_suggestions() -> None:
    error = CycleNotFoundError("lombardia-2021", ["lombardia-2020", "lombardia-2014"])
    assert error.suggestions[0] == "lombardia-2020"
    assert str(error).endswith("did you mean 'lombardia-2020', 'lombardia-2014'?")


# ---- swapped arguments ---------------------------------------------------------------------------


def test_swapped_arguments_are_spotted(
    capsys: pytest.CaptureFixture[str], bad_network: Path
) -> None:
    code, out, err = run(capsys, "check", str(bad_network), "lombardia-2020")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{ERROR_PREFIX}{str(bad_network)!r} is a file and 'lombardia-2020' a cycle: the "
        f"arguments are swapped; try: conciliazione check lombardia-2020 {bad_network}"
    ]


def test_a_file_given_as_the_cycle_is_spotted(
    capsys: pytest.CaptureFixture[str], bad_network: Path
) -> None:
    code, _out, err = run(capsys, "allocate", str(bad_network))
    assert code == 2
    assert err.splitlines() == [
        f"{ERROR_PREFIX}{str(bad_network)!r} is a file, not a cycle; the cycle comes first: "
        "COMMAND CYCLE FILE"
    ]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_an_unknown_explain_id_is_refused_before_any_output(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """Under --format json the allocation was printed, then the error came: now nothing is."""
    code, out, err = run(
        capsys, "allocate", "lombardia-2020", "--format", fmt, "--explain", "ATS-MILAN"
    )
    assert (code, out) == (2, "")
    message = _json_error(err)["message"] if fmt == "json" else err
    assert "--explain: 'ATS-MILAN' is not a recipient of lombardia-2020" in message
    assert "did you mean 'ATS-MILANO'?" in message
