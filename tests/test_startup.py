"""Start-up does only what the command needs (issue 16 point 5): checked by what gets imported,
never by timing (the figures are in docs/performance.md, from bench/bench_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import conciliazione_core
from conciliazione_core import _host
from conciliazione_core._rule_registry import CORE_PLUGIN
from conciliazione_core.allocation import _kinds


def _modules_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_package_imports_none_of_its_modules() -> None:
    loaded = _modules_after("import conciliazione_core")
    assert sorted(m for m in loaded if m.startswith("conciliazione_core.")) == []
    assert not {"attrs", "cattrs", "click", "pluggy"} & loaded


def test_a_public_name_imports_only_its_own_module() -> None:
    loaded = _modules_after("from conciliazione_core import Money")
    assert "conciliazione_core._money" in loaded
    assert not {"conciliazione_core._cycle", "conciliazione_core._audit", "cattrs"} & loaded


def test_discovery_imports_no_plugin_no_engine_and_no_cattrs() -> None:
    code = (
        "import conciliazione_core\n"
        "declared = conciliazione_core.default_host().declared_cycles()\n"
        "assert declared['lombardia-2020'] == 'lombardia_2020', declared"
    )
    loaded = _modules_after(code)
    heavy = {
        "cattrs",
        "conciliazione_core._cycle",
        "conciliazione_core._rules",
        "conciliazione_core.allocation",
        "conciliazione_core.allocation._engine",
        "lombardia_2014",
        "lombardia_2020",
    }
    assert heavy & loaded == set()


def test_one_cycle_imports_only_its_plugin_and_the_extensions() -> None:
    loaded = _modules_after(
        "import conciliazione_core; conciliazione_core.get_cycle('lombardia-2020')"
    )
    assert "lombardia_2020" in loaded
    assert not {"lombardia_2014", "lombardia_2017", "lombardia_2025"} & loaded


def test_lazy_names_resolve_to_their_modules_and_are_kept() -> None:
    from conciliazione_core import Cycle, load_cycle
    from conciliazione_core._cycle import Cycle as DefinedCycle
    from conciliazione_core._cycle import load_cycle as defined_load_cycle

    assert Cycle is DefinedCycle
    assert load_cycle is defined_load_cycle
    assert vars(conciliazione_core)["Cycle"] is DefinedCycle  # read once, then a plain attribute


def test_every_public_name_is_listed_by_dir() -> None:
    assert set(conciliazione_core.__all__) <= set(dir(conciliazione_core))


def test_an_unknown_name_is_an_attribute_error() -> None:
    typo = "Cycles"
    with pytest.raises(AttributeError, match="no attribute 'Cycles'"):
        getattr(conciliazione_core, typo)
    with pytest.raises(ImportError):
        from conciliazione_core import not_a_name  # type: ignore[attr-defined]  # noqa: F401


def test_the_host_names_the_core_kinds_as_the_engine_does() -> None:
    assert _host._CORE_KINDS == _kinds.CORE_PLUGIN


def test_plugins_given_directly_are_registered_after_the_core_on_first_use() -> None:
    host = _host.Host([("broken", object())], use_entry_points=False)
    assert host.declared_cycles() == {}
    registered = [name for name, _plugin in host.plugin_manager.list_name_plugin()]
    assert registered[:2] == [CORE_PLUGIN, _host._CORE_KINDS]
    assert "broken" in registered
