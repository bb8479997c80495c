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
import shutil
import subprocess
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import pytest

from conciliazione_core import Finding, Host, PluginError, Severity, hookimpl, load_document
from conciliazione_core.hookspecs import PROJECT

SOURCES = Path(__file__).parent / "faulty_plugins"
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
        "$.cycle.level: 'PROVINCE' is not a valid Level",
        "faulty-params",
    ),
    "faulty_clash": (
        "conciliazione-test-faulty-clash",
        "cycle 'lombardia-2020' is claimed by both conciliazione-lombardia-2020 (plugin "
        "lombardia_2020) and conciliazione-test-faulty-clash (plugin faulty_clash)",
        "lombardia-2020",
    ),
}


@pytest.fixture(scope="session")
def faulty_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the five faulty distributions installed by pip (about 3 s, once)."""
    root = tmp_path_factory.mktemp("faulty")
    copies = []
    for name in sorted(FAULTY):
        # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
        copy = shutil.copytree(SOURCES / name, root / "src" / name)
        copies.append(str(copy))
    site = root / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(site),
            *copies,
        ],
        check=True,
        capture_output=True,
    )
    return site


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
    assert [c["id"] for c in data["cycles"]] == ["lombardia-2014", "lombardia-2025"]
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
        assert line.startswith(f"conciliazione: error: plugin '{name}': "), line


def test_an_unknown_cycle_names_every_plugin_that_failed_to_load(faulty_site: Path) -> None:
    """A faulty plugin may provide a cycle under any id: "unknown cycle" must name them all."""
    done = cli(["allocate", "trentino-2031"], faulty_site)
    assert done.returncode == 2
    assert done.stdout == b""
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("conciliazione: error: unknown cycle 'trentino-2031' (installed"), line
    failed = [name for name in sorted(FAULTY) if name != "faulty_clash"]
    assert line.endswith(
        f"these plugins failed to load and may provide it: {', '.join(failed)} "
        "(see 'conciliazione cycles')"
    ), line
    clean = cli(["allocate", "trentino-2031"], None)
    assert "failed to load" not in clean.stderr.decode()


def test_a_clash_names_both_distributions_and_picks_neither(faulty_site: Path) -> None:
    done = cli(["allocate", "lombardia-2020", "--format", "json"], faulty_site)
    assert done.returncode == 2
    assert done.stdout == b""
    [line] = done.stderr.decode().splitlines()
    assert "conciliazione-lombardia-2020" in line
    assert "conciliazione-test-faulty-clash" in line
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


def _module(name: str, checks: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.conciliazione_checks = hookimpl(checks)  # type: ignore[attr-defined]
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
        return [Finding("EXTRA", Severity.INFO, "extra", "$")]

    host = Host([("extra_checks", _module("extra_checks", checks))], environ={})
    report = host.check("lombardia-2020", load_document(MONTAGNA))
    assert "EXTRA" in [f.code for f in report.findings]
