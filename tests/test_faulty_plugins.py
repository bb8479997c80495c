"""Fault isolation with real installed faulty plugins.

``tests/faulty_plugins/`` holds five test distributions, each a ``conciliazione`` plugin with a
fault: one fails to import, one raises in its hook, one returns garbage, one claims the existing
cycle id ``lombardia-2020``, one ships an invalid parameter file. A session fixture pip-installs
them (``--target``, no network, no build isolation) into a temporary folder with real
``.dist-info`` metadata; the CLI then runs in a subprocess with that folder on ``PYTHONPATH``, so
``importlib.metadata`` finds them exactly as it finds any installed plugin.

What must hold: the healthy cycles keep working with byte-identical output, every faulty plugin
is named with its reason, and using a faulty cycle exits 2 with the plugin's name on one line.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core import (
    Cycle,
    Finding,
    FindingCode,
    Host,
    PluginError,
    Severity,
    hookimpl,
    load_document,
)
from conciliazione_core._cycle import PARAMETER_LIMITS
from conciliazione_core.hookspecs import PROJECT
from conciliazione_core.i18n import Text

BIN = Path(sys.executable).parent
EXAMPLES_2014 = Path(__file__).parents[1] / "plugins/lombardia_2014/src/lombardia_2014/examples"
MONTAGNA = (
    Path(__file__).parents[1]
    / "plugins/lombardia_2020/src/lombardia_2020/examples/montagna_2020_2023.toml"
)

# entry-point name -> (distribution, what its reason must say, the cycle id it would provide)
FAULTY = {
    "faulty_import": (
        "conciliazione-test-faulty-import",
        "failed to import: ModuleNotFoundError",
        "faulty-import",
    ),
    "faulty_raises": (
        "conciliazione-test-faulty-raises",
        "raised in conciliazione_cycles: RuntimeError: the faulty_raises hook broke on purpose",
        "faulty-raises",
    ),
    "faulty_garbage": (
        "conciliazione-test-faulty-garbage",
        "returned str, int where a Cycle was expected",
        "faulty-garbage",
    ),
    "faulty_params": (
        "conciliazione-test-faulty-params",
        # every problem of its cycle.toml, not the first and a count
        "faulty_params/cycle.toml: $.cycle.level: 'PROVINCE' is not a valid Level; "
        "expected one of: ASL, "
        "ATS; $.rules.lead.basis: unknown citation 'no_such_act'",
        "faulty-params",
    ),
    "faulty_clash": (
        "conciliazione-test-faulty-clash",
        "cycle 'lombardia-2020' is claimed by both conciliazione-lombardia-2020 (plugin "
        "lombardia_2020) and conciliazione-test-faulty-clash (plugin faulty_clash)",
        "lombardia-2020",
    ),
}


def _env(site: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CONCILIAZIONE_PLUGINS", "PYTHONPATH")}
    env.update(LANGUAGE="en", LC_ALL="C.UTF-8", PYTHONHASHSEED="0")
    if site is not None:
        env["PYTHONPATH"] = str(site)
    env.update(extra)
    return env


def cli(
    args: list[str], site: Path | None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``conciliazione`` in a subprocess, with the faulty plugins installed when ``site``."""
    return subprocess.run(
        [str(BIN / "conciliazione"), *args],
        env=dict(env) if env is not None else _env(site),
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_the_faulty_distributions_are_really_installed(faulty_site: Path) -> None:
    """importlib.metadata sees each one with its entry point in the ``conciliazione`` group."""
    found = {
        dist.metadata["Name"]: [ep.name for ep in dist.entry_points if ep.group == PROJECT]
        for dist in importlib.metadata.distributions(path=[str(faulty_site)])
    }
    assert found == {dist: [name] for name, (dist, _r, _c) in FAULTY.items()}
    assert sorted(p.name for p in faulty_site.glob("*.dist-info")) == sorted(
        f"{dist.replace('-', '_')}-0.0.1.dist-info" for dist, _r, _c in FAULTY.values()
    )


# ---- listing --------------------------------------------------------------------------------------


def test_cycles_table_lists_the_healthy_and_names_each_faulty_plugin(faulty_site: Path) -> None:
    done = cli(["cycles"], faulty_site)
    assert done.returncode == 0
    out, err = done.stdout.decode(), done.stderr.decode()
    assert "lombardia-2014" in out
    assert "lombardia-2020" not in out  # claimed twice: unusable, never silently picked
    lines = err.splitlines()
    for name, (dist, reason, _cycle) in FAULTY.items():
        [line] = [ln for ln in lines if ln.startswith(f"faulty plugin {name} ({dist}): ")]
        assert reason in line
    [line] = [ln for ln in lines if ln.startswith("faulty plugin lombardia_2020 ")]
    assert "conciliazione-test-faulty-clash" in line
    assert len(lines) == len(FAULTY) + 1


def test_cycles_json_lists_faulty_plugins(faulty_site: Path) -> None:
    done = cli(["cycles", "--format", "json"], faulty_site)
    assert done.returncode == 0
    assert done.stderr == b""
    data = json.loads(done.stdout)
    assert [c["id"] for c in data["cycles"]] == [
        "lombardia-2014",
        "lombardia-2017",
        "lombardia-2019",
        "lombardia-2025",
    ]
    faulty = {p["plugin"]: p for p in data["faulty_plugins"]}
    assert set(faulty) == {*FAULTY, "lombardia_2020"}
    for name, (dist, reason, _cycle) in FAULTY.items():
        assert faulty[name]["distribution"] == dist
        assert reason in faulty[name]["reason"]
    assert faulty["lombardia_2020"]["distribution"] == "conciliazione-lombardia-2020"


def test_without_the_faulty_plugins_both_cycles_are_listed() -> None:
    data = json.loads(cli(["cycles", "--format", "json"], None).stdout)
    assert [c["id"] for c in data["cycles"]] == [
        "lombardia-2014",
        "lombardia-2017",
        "lombardia-2019",
        "lombardia-2020",
        "lombardia-2025",
    ]
    assert data["faulty_plugins"] == []


# ---- the healthy cycle is unaffected ---------------------------------------------------------------

HEALTHY_RUNS = [
    ["check", "lombardia-2014", str(EXAMPLES_2014 / "brescia_network_2011.toml")],
    [
        "check",
        "lombardia-2014",
        str(EXAMPLES_2014 / "brescia_network_2011.toml"),
        "--format",
        "json",
    ],
    ["check", "lombardia-2014", str(EXAMPLES_2014 / "invalid_plan_private_leads.toml")],
    ["check", "lombardia-2014", str(MONTAGNA), "--format", "json"],
    ["allocate", "lombardia-2014", "--format", "json"],
    ["allocate", "lombardia-2014", "--format", "csv"],
    ["allocate", "lombardia-2014", "--explain", "ASL-CREMONA"],
]


@pytest.mark.parametrize("args", HEALTHY_RUNS, ids=lambda a: " ".join(a[:2] + a[3:]))
def test_healthy_cycle_output_is_byte_identical(faulty_site: Path, args: list[str]) -> None:
    clean = cli(args, None)
    faulty = cli(args, faulty_site)
    assert clean.returncode in (0, 1), clean.stderr
    assert (faulty.returncode, faulty.stdout, faulty.stderr) == (
        clean.returncode,
        clean.stdout,
        clean.stderr,
    )


# ---- the faulty cycles fail loudly --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FAULTY))
def test_using_a_faulty_cycle_exits_2_naming_the_plugin(faulty_site: Path, name: str) -> None:
    _dist, _reason, cycle = FAULTY[name]
    for args in (["allocate", cycle], ["check", cycle, str(MONTAGNA)]):
        done = cli(args, faulty_site)
        assert done.returncode == 2, args
        assert done.stdout == b""
        [line] = done.stderr.decode().splitlines()
        assert line.startswith("conciliazione: error: plugin '"), line
        assert f"plugin {name})" in line or line.startswith(
            f"conciliazione: error: plugin '{name}': "
        ), line


def test_an_unknown_cycle_lists_the_declared_cycles(faulty_site: Path) -> None:
    """Installed plugins declare their cycles: an unknown id is unknown, whatever failed."""
    done = cli(["allocate", "trentino-2031"], faulty_site)
    assert done.returncode == 2
    assert done.stdout == b""
    [line] = done.stderr.decode().splitlines()
    assert line == (
        "conciliazione: error: unknown cycle 'trentino-2031' (installed cycles: "
        "faulty-garbage, faulty-import, faulty-params, faulty-raises, lombardia-2014, "
        "lombardia-2017, lombardia-2019, lombardia-2025)"
    ), line


def test_a_clash_names_both_distributions_and_picks_neither(faulty_site: Path) -> None:
    done = cli(["allocate", "lombardia-2020"], faulty_site)
    assert done.returncode == 2
    assert done.stdout == b""
    [line] = done.stderr.decode().splitlines()
    assert "conciliazione-lombardia-2020" in line
    assert "conciliazione-test-faulty-clash" in line
    # Under --format json, the same error is JSON (on stderr), stdout stays empty.
    done = cli(["allocate", "lombardia-2020", "--format", "json"], faulty_site)
    assert done.returncode == 2
    assert done.stdout == b""
    error = json.loads(done.stderr)["error"]
    assert error["kind"] == "plugin"
    assert error["message"] == line.removeprefix("conciliazione: error: ")
    assert "remove one" in line


def test_the_plugin_allow_list_excludes_faulty_plugins(faulty_site: Path) -> None:
    """CONCILIAZIONE_PLUGINS is the way out: name the plugins to load, the clash disappears."""
    env = _env(faulty_site, CONCILIAZIONE_PLUGINS="lombardia_2014,conciliazione-lombardia-2020")
    done = cli(["cycles", "--format", "json"], faulty_site, env)
    data = json.loads(done.stdout)
    assert [c["id"] for c in data["cycles"]] == ["lombardia-2014", "lombardia-2020"]
    assert data["faulty_plugins"] == []
    with_list = cli(["allocate", "lombardia-2020", "--format", "json"], faulty_site, env)
    assert with_list.returncode == 0
    assert with_list.stdout == cli(["allocate", "lombardia-2020", "--format", "json"], None).stdout


# ---- faults in the checks hook (in-process) -------------------------------------------------------------


def _module(name: str, checks: object, *codes: FindingCode) -> types.ModuleType:
    module = types.ModuleType(name)
    module.conciliazione_checks = hookimpl(checks)  # type: ignore[attr-defined]
    if codes:

        def rules(register: Callable[[object], None]) -> None:
            for code in codes:
                register(code)

        module.conciliazione_rules = hookimpl(rules)  # type: ignore[attr-defined]
    return module


def test_a_raising_checks_hook_fails_the_check_naming_the_plugin() -> None:
    """A report without a plugin's findings could be silently incomplete: exit 2 instead."""

    def checks(cycle: object, document: object) -> list[Finding]:
        raise ZeroDivisionError("division by zero")

    host = Host([("broken_checks", _module("broken_checks", checks))], environ={})
    document = load_document(MONTAGNA)
    with pytest.raises(PluginError, match=r"broken_checks.*ZeroDivisionError") as info:
        host.check("lombardia-2020", document)
    assert info.value.plugin == "broken_checks"


@pytest.mark.parametrize("garbage", [42, "text", [None], [{"code": "X"}]])
def test_a_checks_hook_returning_garbage_fails_the_check(garbage: object) -> None:
    def checks(cycle: object, document: object) -> object:
        return garbage

    host = Host([("garbage_checks", _module("garbage_checks", checks))], environ={})
    with pytest.raises(PluginError) as info:
        host.check("lombardia-2020", load_document(MONTAGNA))
    assert info.value.plugin == "garbage_checks"


def test_a_healthy_checks_hook_adds_its_findings() -> None:
    """The control: the same path with a well-behaved hook works and adds its finding."""

    def checks(cycle: object, document: object) -> list[Finding]:
        return [Finding("EXTRA", Severity.INFO, "$")]

    extra = FindingCode("EXTRA", Severity.INFO, "extra")
    host = Host([("extra_checks", _module("extra_checks", checks, extra))], environ={})
    report = host.check("lombardia-2020", load_document(MONTAGNA))
    [found] = [f for f in report.findings if f.code == "EXTRA"]
    assert found.message == "extra"


def test_a_checks_hook_emitting_an_unregistered_code_is_named() -> None:
    """A code with no registered message, severity or translation is the plugin's error."""

    def checks(cycle: object, document: object) -> list[Finding]:
        return [Finding("UNREGISTERED", Severity.INFO, "$")]

    host = Host([("sloppy_checks", _module("sloppy_checks", checks))], environ={})
    with pytest.raises(PluginError, match="UNREGISTERED") as info:
        host.check("lombardia-2020", load_document(MONTAGNA))
    assert info.value.plugin == "sloppy_checks"


def test_a_checks_hook_changing_a_codes_severity_is_named() -> None:
    def checks(cycle: object, document: object) -> list[Finding]:
        return [Finding("EXTRA", Severity.ERROR, "$")]

    extra = FindingCode("EXTRA", Severity.INFO, "extra")
    host = Host([("liar_checks", _module("liar_checks", checks, extra))], environ={})
    with pytest.raises(PluginError, match="registered as info") as info:
        host.check("lombardia-2020", load_document(MONTAGNA))
    assert info.value.plugin == "liar_checks"


# ---- what a plugin hands over is validated (in-process) ---------------------------------------------


def _cycles_module(name: str, cycles: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.conciliazione_cycles = hookimpl(cycles)  # type: ignore[attr-defined]
    return module


def _healthy_2014() -> Cycle:
    return Host(environ={"CONCILIAZIONE_PLUGINS": "lombardia_2014"}).cycle("lombardia-2014")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": 42}, "returned an invalid Cycle: cycle.id is int, expected str"),
        ({"title": None}, "returned an invalid Cycle: cycle.title is NoneType, expected str"),
        ({"rules": None}, "returned an invalid Cycle: cycle.rules is NoneType"),
        ({"title": "bad \ud800"}, "returned an invalid Cycle: cycle.title is not valid Unicode"),
        ({"id": ""}, "returned an invalid Cycle: cycle.id is empty"),
    ],
    ids=["id=42", "title=None", "rules=None", "surrogate", "empty-id"],
)
def test_an_invalid_cycle_is_a_named_problem_on_every_command(
    change: dict[str, object], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = attrs.evolve(_healthy_2014(), **change)  # type: ignore[misc]
    host = Host([("bad_cycle", _cycles_module("bad_cycle", lambda: [bad]))], environ={})
    [problem] = host.problems
    assert problem.plugin == "bad_cycle"
    assert reason in problem.reason
    # Every other cycle keeps working, on every command.
    assert set(host.cycles()) == {
        "lombardia-2014",
        "lombardia-2017",
        "lombardia-2019",
        "lombardia-2020",
        "lombardia-2025",
    }
    report = host.check("lombardia-2020", load_document(MONTAGNA))
    assert report.cycle == "lombardia-2020"


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message for you")


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        (_Unprintable(), "_Unprintable (whose message cannot be shown)"),
        (RuntimeError("bad \ud800 text\x1b[31m"), "RuntimeError: bad \\ud800 text\\u001b[31m"),
    ],
    ids=["str-raises", "surrogate"],
)
def test_an_exception_that_cannot_be_printed_is_named_in_printable_text(
    exc: BaseException, shown: str
) -> None:
    def cycles() -> list[Cycle]:
        raise exc

    def checks(cycle: object, document: object) -> list[Finding]:
        raise exc

    host = Host([("odd", _cycles_module("odd", cycles))], environ={})
    [problem] = host.problems
    assert problem.reason == f"raised in conciliazione_cycles: {shown}"
    str(problem).encode("utf-8")  # printable: no lone surrogate left
    host = Host([("odd_checks", _module("odd_checks", checks))], environ={})
    with pytest.raises(PluginError) as info:
        host.check("lombardia-2020", load_document(MONTAGNA))
    assert info.value.plugin == "odd_checks"
    assert shown in str(info.value)
    str(info.value).encode("utf-8")


@pytest.mark.parametrize(
    ("finding", "reason"),
    [
        (
            Finding("X", "fatal", "$"),  # type: ignore[arg-type]
            "returned an invalid Finding: finding.severity is str, expected Severity",
        ),
        (
            Finding(None, Severity.INFO, "$"),  # type: ignore[arg-type]
            "returned an invalid Finding: finding.code is NoneType, expected str",
        ),
        (
            Finding("X", Severity.INFO, "$", args=(("title", "\udfff"),)),
            "returned an invalid Finding: finding.args",
        ),
    ],
    ids=["severity", "code", "surrogate"],
)
def test_an_invalid_finding_fails_the_check_naming_the_plugin(
    finding: Finding, reason: str
) -> None:
    host = Host([("bad_finding", _module("bad_finding", lambda cycle, document: [finding]))])
    with pytest.raises(PluginError) as info:
        host.check("lombardia-2020", load_document(MONTAGNA))
    assert info.value.plugin == "bad_finding"
    assert reason in info.value.reason


# ---- stdout, interrupts, size: through the command line (in-process, fake distributions) ------------

NOISY = """
print("hello from the noisy plugin's import")
from conciliazione_core import hookimpl

@hookimpl
def conciliazione_checks(cycle, document):
    print("hello from the noisy plugin's checks")
    return []
"""


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from conciliazione_core import _host as host_module
    from conciliazione_core._host import default_host
    from conciliazione_core.cli import main

    default_host(refresh=True)  # sees the fake distributions of this test
    try:
        with pytest.raises(SystemExit) as info:
            main(list(argv))
    finally:
        host_module._default.clear()  # rebuilt on next use, once they are gone
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_a_plugin_printing_cannot_corrupt_json_output(
    fake_distribution: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONCILIAZIONE_PLUGINS", raising=False)
    fake_distribution("conciliazione-noisy", "0.1", NOISY, entry_name="noisy")
    code, out, err = _main(capsys, "check", "lombardia-2020", str(MONTAGNA), "--format", "json")
    assert code == 0
    assert json.loads(out)["cycle"] == "lombardia-2020"
    assert "hello from the noisy plugin's import" in err
    assert "hello from the noisy plugin's checks" in err
    code, out, _err = _main(capsys, "cycles", "--format", "json")
    assert [c["id"] for c in json.loads(out)["cycles"]] == [
        "lombardia-2014",
        "lombardia-2017",
        "lombardia-2019",
        "lombardia-2020",
        "lombardia-2025",
    ]


def test_an_interrupted_plugin_import_names_the_plugin(
    fake_distribution: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONCILIAZIONE_PLUGINS", raising=False)
    fake_distribution(
        "conciliazione-stop",
        "0.1",
        "raise KeyboardInterrupt",
        entry_name="stop",
        cycles=("stop-2099",),
    )
    code, out, err = _main(capsys, "allocate", "stop-2099")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "conciliazione: error: interrupted while importing the plugin "
        "conciliazione-stop (plugin stop)"
    )
    # Another cycle's command never imports it.
    code, out, _err = _main(capsys, "allocate", "lombardia-2014", "--format", "csv")
    assert code in (0, 1)  # 1: the 2014 cycle has pending indicator values
    assert out.startswith("row,id,")


def test_a_huge_parameter_file_is_refused_naming_plugin_and_file(
    fake_distribution: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONCILIAZIONE_PLUGINS", raising=False)
    huge = tmp_path / "huge" / "cycle.toml"
    huge.parent.mkdir()
    huge.write_bytes(b"# padding\n" * (PARAMETER_LIMITS.max_bytes // 10 + 1))
    source = f"""
from conciliazione_core import hookimpl, load_cycle

@hookimpl
def conciliazione_cycles():
    return [load_cycle({str(huge)!r})]
"""
    fake_distribution("conciliazione-huge", "0.1", source, entry_name="huge", cycles=("huge-2099",))
    code, out, err = _main(capsys, "allocate", "huge-2099")
    assert (code, out) == (2, "")
    assert err.startswith("conciliazione: error: plugin 'huge': raised in conciliazione_cycles: ")
    assert f"{huge}: $: the file is 2,097,160 bytes, over the limit of 2,097,152" in err


def test_prints_from_plugins_in_many_threads_leave_stdout_as_it_was(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Threads entering and leaving the redirection in any order restore the real stdout."""
    import sys
    import threading

    def checks(cycle: object, document: object) -> list[Finding]:
        print("noise from a hook")
        return []

    host = Host([("noisy_checks", _module("noisy_checks", checks))], environ={})
    document = load_document(MONTAGNA)
    before = sys.stdout
    threads = [
        threading.Thread(target=host.check, args=("lombardia-2020", document)) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sys.stdout is before
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("noise from a hook") == 8


def test_bad_shipped_reference_data_names_the_plugin(tmp_path: Path) -> None:
    import conciliazione_core as cc

    cycle = cc.get_cycle("lombardia-2020")
    bad = tmp_path / "population.csv"
    bad.write_text("id,name\nATS-X,X\n", encoding="utf-8")
    broken = attrs.evolve(cycle, root=tmp_path, data_files={cycle.default_data: bad})
    with pytest.raises(PluginError) as info:
        cc.allocate(broken)
    assert info.value.plugin == "conciliazione-lombardia-2020"
    assert info.value.reason.startswith(f"its reference data for lombardia-2020: {bad}: ")


INTRUDER = """
from importlib.resources import files
import attrs
from conciliazione_core import hookimpl, load_cycle

@hookimpl
def conciliazione_cycles():
    real = load_cycle(files("lombardia_2020").joinpath("cycle.toml"))
    return [real.with_overrides(["allocation.total=11", "allocation.envelopes.ats.amount=11"])]
"""


@pytest.mark.parametrize("allow", [None, "lombardia_2020"])
def test_an_intruder_with_the_same_entry_point_name_takes_nothing_over(
    fake_distribution: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    allow: str | None,
) -> None:
    """The issue's reproducer: it used to give ATS Bergamo €11 with exit 0."""
    if allow is None:
        monkeypatch.delenv("CONCILIAZIONE_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("CONCILIAZIONE_PLUGINS", allow)
    fake_distribution(
        "conciliazione-intruder",
        "6.6",
        INTRUDER,
        entry_name="lombardia_2020",
        cycles=("lombardia-2020",),
    )
    code, out, err = _main(capsys, "allocate", "lombardia-2020", "--format", "csv")
    assert (code, out) == (2, "")
    assert err.startswith("conciliazione: error: plugin 'lombardia_2020': the plugin name ")
    assert "conciliazione-intruder (plugin lombardia_2020)" in err
    assert "conciliazione-lombardia-2020 (plugin lombardia_2020)" in err


@pytest.mark.parametrize(
    ("args", "imported", "not_imported"),
    [
        (["allocate", "lombardia-2020", "--format", "csv"], "lombardia_2020", "lombardia_2014"),
        (["check", "lombardia-2014", str(MONTAGNA)], "lombardia_2014", "lombardia_2020"),
    ],
)
def test_a_command_on_one_cycle_imports_only_its_plugin(
    args: list[str], imported: str, not_imported: str
) -> None:
    code = (
        "import sys\n"
        "from conciliazione_core.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print({imported!r} in sys.modules, {not_imported!r} in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(None), capture_output=True, timeout=120, check=False
    )
    assert done.stderr.decode().splitlines()[-1] == "True False"


def test_a_huge_exception_message_is_cut() -> None:
    def cycles() -> list[Cycle]:
        raise RuntimeError("x" * 1_000_000)

    host = Host([("chatty", _cycles_module("chatty", cycles))], environ={})
    [problem] = host.problems
    assert problem.reason.startswith("raised in conciliazione_cycles: RuntimeError: xxx")
    assert problem.reason.endswith("x…")
    assert len(problem.reason) < 1100


def test_objects_whose_attributes_raise_are_named_not_tracebacks() -> None:
    class EvilCycle(Cycle):
        @property  # type: ignore[misc]
        def title(self) -> str:  # type: ignore[override]
            raise RuntimeError("no title today")

    class EvilFinding(Finding):
        @property  # type: ignore[misc]
        def code(self) -> str:  # type: ignore[override]
            raise RuntimeError("no code today")

    def build(cls: type[Any], like: object, skip: str) -> Any:
        made = object.__new__(cls)
        for field in attrs.fields(type(like)):
            if field.name != skip:
                object.__setattr__(made, field.name, getattr(like, field.name))
        return made

    evil = build(EvilCycle, _healthy_2014(), "title")
    host = Host([("evil_cycle", _cycles_module("evil_cycle", lambda: [evil]))], environ={})
    [problem] = host.problems
    assert problem.reason == (
        "conciliazione_cycles returned something that cannot be read: RuntimeError: no title today"
    )
    finding = build(EvilFinding, Finding("X", Severity.INFO, "$"), "code")
    host = Host([("evil_finding", _module("evil_finding", lambda cycle, document: [finding]))])
    with pytest.raises(PluginError) as info:
        host.check("lombardia-2020", load_document(MONTAGNA))
    assert info.value.plugin == "evil_finding"
    assert "cannot be read: RuntimeError: no code today" in info.value.reason


_HEALTHY: list[Cycle] = []


@settings(max_examples=40)
@given(
    field=st.sampled_from([f.name for f in attrs.fields(Cycle)]),
    value=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=5),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
        st.tuples(st.text(max_size=2)),
    ),
)
def test_any_corrupted_cycle_field_is_a_named_problem_or_accepted(
    field: str, value: object
) -> None:
    """Property: whatever a plugin puts in a Cycle's field, the host answers without raising."""
    if not _HEALTHY:
        _HEALTHY.append(attrs.evolve(_healthy_2014(), id="corrupt-2099"))
    corrupted = attrs.evolve(_HEALTHY[0], **{field: value})  # type: ignore[misc]
    host = Host([("corrupt", _cycles_module("corrupt", lambda: [corrupted]))], environ={})
    problems = [p for p in host.problems if p.plugin == "corrupt"]
    cycles = host.cycles()
    if problems:
        assert "returned an invalid Cycle" in problems[0].reason
        assert cycles["lombardia-2014"].distribution == "conciliazione-lombardia-2014"
    else:  # a value of the right type: accepted, and still a Cycle the host can describe
        assert all(
            isinstance(c.id, str) and isinstance(c.title, str | Text) for c in cycles.values()
        )
        assert getattr(cycles[corrupted.id], field) == value or field in ("distribution", "version")
