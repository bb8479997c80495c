"""``conciliazione plugins`` and ``--version``: what is installed, from the host.

What must hold: every plugin is listed with its distribution, version, hooks and cycles; a
faulty one too, marked faulty with its reason (never dropped); ``--version`` names the core and
every installed plugin's distribution and version without importing any plugin.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

import conciliazione_core
from conciliazione_core import Host, PluginInfo, hookimpl
from conciliazione_core.cli import main

# The faulty distributions and their reasons (the ``faulty_site`` fixture installs them).
from test_faulty_plugins import FAULTY, cli

SHIPPED = {
    # name: (distribution, hooks, cycles)
    "cofinancing": (
        "conciliazione-cofinancing",
        ["conciliazione_envelope_kinds", "conciliazione_rules"],
        [],
    ),
    "lombardia_2014": (
        "conciliazione-lombardia-2014",
        ["conciliazione_cycles"],
        ["lombardia-2014"],
    ),
    "lombardia_2017": (
        "conciliazione-lombardia-2017",
        ["conciliazione_cycles", "conciliazione_envelope_kinds"],
        ["lombardia-2017", "lombardia-2019"],
    ),
    "lombardia_2020": (
        "conciliazione-lombardia-2020",
        ["conciliazione_cycles"],
        ["lombardia-2020"],
    ),
    "lombardia_2025": (
        "conciliazione-lombardia-2025",
        ["conciliazione_cycles"],
        ["lombardia-2025"],
    ),
}


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough for the listing to stay one line per plugin."""
    monkeypatch.setenv("COLUMNS", "400")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_plugins_json_lists_each_installed_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plugins", "--format", "json")
    assert (code, err) == (0, "")
    listed = {p["name"]: p for p in json.loads(out)}
    assert list(listed) == sorted(SHIPPED)
    for name, (dist, hooks, cycles) in SHIPPED.items():
        entry = listed[name]
        assert entry == {
            "name": name,
            "distribution": dist,
            "version": importlib.metadata.version(dist),
            "hooks": hooks,
            "cycles": cycles,
            "status": "ok",
            "reason": None,
        }


def test_plugins_table_has_a_row_per_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "plugins")
    assert code == 0
    header, rule, *rows = out.splitlines()
    assert header.split() == ["name", "distribution", "version", "hooks", "cycles", "status"]
    assert set(rule) == {"-", " "}
    by_name = {row.split()[0]: row for row in rows}
    assert list(by_name) == sorted(SHIPPED)
    row = by_name["lombardia_2017"]
    assert "conciliazione_cycles, conciliazione_envelope_kinds" in row
    assert "lombardia-2017, lombardia-2019" in row
    assert all(r.endswith("  ok") for r in rows)


def test_no_plugin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        conciliazione_core._host, "_default", [Host(environ={"CONCILIAZIONE_PLUGINS": ""})]
    )
    assert run(capsys, "plugins") == (0, "No plugin is installed.\n", "")
    assert run(capsys, "plugins", "--format", "json") == (0, "[]\n", "")
    code, out, _err = run(capsys, "--version")
    assert (code, out.splitlines()[1:]) == (0, ["no plugin is installed"])


# ---- faulty plugins ---------------------------------------------------------------------------------


class _Broken:
    @hookimpl
    def conciliazione_cycles(self) -> list[object]:
        raise RuntimeError("broken on purpose")


def test_host_lists_a_faulty_plugin_only_when_asked() -> None:
    host = Host(plugins=[("broken", _Broken())], use_entry_points=False)
    assert host.plugins() == []
    [info] = host.plugins(faulty=True)
    assert info == PluginInfo(
        "broken",
        None,
        None,
        ("conciliazione_cycles",),
        (),
        "raised in conciliazione_cycles: RuntimeError: broken on purpose",
    )
    assert not info.ok


def test_a_healthy_plugin_is_ok() -> None:
    class Fine:
        @hookimpl
        def conciliazione_cycles(self) -> list[object]:
            return []

    [info] = Host(plugins=[("fine", Fine())], use_entry_points=False).plugins(faulty=True)
    assert (info.ok, info.problem, info.hooks) == (True, None, ("conciliazione_cycles",))


def test_plugins_names_each_faulty_plugin_with_its_reason(faulty_site: Path) -> None:
    done = cli(["plugins", "--format", "json"], faulty_site)
    assert done.returncode == 0
    listed = {p["name"]: p for p in json.loads(done.stdout)}
    for name, (dist, reason, cycle) in FAULTY.items():
        entry = listed[name]
        assert entry["status"] == "faulty"
        assert entry["distribution"] == dist
        assert entry["version"] == "0.0.1"
        assert reason in entry["reason"]
        assert entry["cycles"] == [cycle]
    assert listed["faulty_import"]["hooks"] == []  # never imported: no hook known
    assert listed["faulty_raises"]["hooks"] == ["conciliazione_cycles"]
    # the clash makes the shipped 2020 plugin faulty too, and it is said, not hidden
    assert listed["lombardia_2020"]["status"] == "faulty"
    assert "conciliazione-test-faulty-clash" in listed["lombardia_2020"]["reason"]
    assert listed["lombardia_2014"]["status"] == "ok"


def test_plugins_table_shows_faulty_with_the_reason(faulty_site: Path) -> None:
    done = cli(["plugins"], faulty_site)
    assert done.returncode == 0
    [row] = [r for r in done.stdout.decode().splitlines() if r.startswith("faulty_raises ")]
    assert row.endswith(
        "faulty: raised in conciliazione_cycles: RuntimeError: the faulty_raises hook broke on "
        "purpose"
    )


def test_version_lists_the_faulty_distributions_too(faulty_site: Path) -> None:
    done = cli(["--version"], faulty_site)
    assert done.returncode == 0
    lines = done.stdout.decode().splitlines()
    for dist, _reason, _cycle in FAULTY.values():
        assert f"  {dist} 0.0.1" in lines


# ---- --version ------------------------------------------------------------------------------------


def test_version_names_the_core_and_each_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--version")
    assert (code, err) == (0, "")
    dists = sorted(dist for dist, _hooks, _cycles in SHIPPED.values())
    assert out.splitlines() == [
        f"conciliazione-core {conciliazione_core.__version__}",
        "plugins:",
        *(f"  {d} {importlib.metadata.version(d)}" for d in dists),
    ]


def test_version_imports_no_plugin() -> None:
    script = (
        "import sys\n"
        "from conciliazione_core.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('lombardia_', 'cofinancing'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, timeout=120
    )
    out = done.stdout.decode().splitlines()
    assert "  conciliazione-lombardia-2020 " in "\n".join(out) + " "
    assert out[-1] == "[]"


@pytest.mark.parametrize(
    "args",
    [["--version", "--lang", "it"], ["--lang", "it", "--version"], ["--version", "--lang=it"]],
)
def test_version_speaks_the_language_given_after_it(args: list[str]) -> None:
    """``--version`` is eager: click runs it when it reads it, so the group reads ``--lang`` first,
    wherever it stands, whoever calls the group (here click's runner, not ``main``)."""
    from click.testing import CliRunner

    from conciliazione_core.cli import cli as group

    result = CliRunner().invoke(group, args)
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == "plugin:"
