"""The plugin host: discovery, the CONCILIAZIONE_PLUGINS filter, clashes and faulty plugins."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from conciliazione_core import hookspecs
from conciliazione_core._cycle import Cycle
from conciliazione_core._documents import Document
from conciliazione_core._errors import CycleNotFoundError, PluginError
from conciliazione_core._findings import Finding
from conciliazione_core._host import (
    ENTRY_POINT_GROUP,
    PLUGINS_ENV,
    Host,
    PluginProblem,
    default_host,
)
from conciliazione_core._serialisation import load_document
from conciliazione_core.hookspecs import hookimpl

SHIPPED = {
    "lombardia-2014": ("conciliazione-lombardia-2014", "lombardia_2014"),
    "lombardia-2020": ("conciliazione-lombardia-2020", "lombardia_2020"),
}

# A plugin module that claims the lombardia-2020 cycle too (written into a fake distribution).
CLAIMS_2020 = """
from importlib.resources import files
from conciliazione_core import hookimpl, load_cycle

@hookimpl
def conciliazione_cycles():
    return [load_cycle(files("lombardia_2020").joinpath("cycle.toml"))]
"""


def test_discovery_finds_both_cycles_with_distribution_and_version(host: Host) -> None:
    cycles = host.cycles()
    assert set(SHIPPED) <= set(cycles)
    for cycle_id, (dist, _) in SHIPPED.items():
        assert cycles[cycle_id].distribution == dist
        assert cycles[cycle_id].version == version(dist)
    assert host.problems == ()
    infos = {p.name: p for p in host.plugins()}
    for cycle_id, (dist, entry) in SHIPPED.items():
        assert infos[entry].distribution == dist
        assert infos[entry].version == version(dist)
        assert infos[entry].hooks == ("conciliazione_cycles",)
        assert infos[entry].cycles == (cycle_id,)
    assert ENTRY_POINT_GROUP == "conciliazione"


def test_cycles_are_sorted_by_id(host: Host) -> None:
    assert list(host.cycles()) == sorted(host.cycles())


def test_unknown_cycle_lists_the_installed_ones(host: Host) -> None:
    with pytest.raises(CycleNotFoundError) as info:
        host.cycle("lombardia-1999")
    assert set(SHIPPED) <= set(info.value.known)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lombardia_2020", {"lombardia-2020"}),  # entry-point name
        ("conciliazione-lombardia-2014", {"lombardia-2014"}),  # distribution name
        (" lombardia_2014 , lombardia_2020 ,", {"lombardia-2014", "lombardia-2020"}),
        ("nothing-like-it", set()),
        ("", set()),
    ],
)
def test_environment_variable_limits_what_loads(value: str, expected: set[str]) -> None:
    host = Host(environ={PLUGINS_ENV: value})
    assert set(host.cycles()) == expected
    assert host.problems == ()


def test_use_entry_points_false_loads_only_given_plugins() -> None:
    assert Host(use_entry_points=False).cycles() == {}


def test_default_host_is_shared_and_refreshable() -> None:
    first = default_host()
    assert default_host() is first
    assert set(SHIPPED) <= set(first.cycles())
    refreshed = default_host(refresh=True)
    assert refreshed is not first
    assert default_host() is refreshed


# ---- clashes -------------------------------------------------------------------------------------


def test_two_distributions_claiming_one_cycle(fake_distribution: Any) -> None:
    fake_distribution(
        "conciliazione-clash", "9.9", CLAIMS_2020, entry_name="clash", cycles=("lombardia-2020",)
    )
    host = Host(environ={})
    # Refused from the declarations alone: neither claimant is imported.
    assert "lombardia-2020" not in host.declared_cycles()
    assert "lombardia-2020" not in host.cycles()
    with pytest.raises(PluginError) as info:
        host.cycle("lombardia-2020")
    message = str(info.value)
    assert "conciliazione-lombardia-2020" in message
    assert "conciliazione-clash" in message
    assert "'lombardia-2020' is claimed by both" in message
    # Both are named as problems; the other cycle keeps working.
    named = {(p.plugin, p.distribution) for p in host.problems}
    assert named == {
        ("clash", "conciliazione-clash"),
        ("lombardia_2020", "conciliazione-lombardia-2020"),
    }
    assert host.cycle("lombardia-2014").distribution == "conciliazione-lombardia-2014"
    healthy = {p.name for p in host.plugins()}
    assert "lombardia_2014" in healthy
    assert not healthy & {"lombardia_2020", "clash"}


def test_clash_between_plugin_objects_names_them() -> None:
    class Claimer:
        def __init__(self, cycle: Cycle) -> None:
            self.cycle = cycle

        @hookimpl
        def conciliazione_cycles(self) -> list[Cycle]:
            return [self.cycle]

    base = Host(environ={PLUGINS_ENV: "lombardia_2014"}).cycle("lombardia-2014")
    host = Host(plugins=[("one", Claimer(base)), ("two", Claimer(base))], use_entry_points=False)
    with pytest.raises(PluginError, match="claimed by both"):
        host.cycle("lombardia-2014")


def test_a_filtered_out_clash_is_no_clash(fake_distribution: Any) -> None:
    fake_distribution(
        "conciliazione-clash", "9.9", CLAIMS_2020, entry_name="clash", cycles=("lombardia-2020",)
    )
    host = Host(environ={PLUGINS_ENV: "lombardia_2014,lombardia_2020"})
    assert host.cycle("lombardia-2020").distribution == "conciliazione-lombardia-2020"


# ---- faulty plugins ------------------------------------------------------------------------------


class Raises:
    @hookimpl
    def conciliazione_cycles(self) -> list[Cycle]:
        raise RuntimeError("boom")


class ReturnsInt:
    @hookimpl
    def conciliazione_cycles(self) -> object:
        return 42


class ReturnsNone:
    @hookimpl
    def conciliazione_cycles(self) -> object:
        return None


class ReturnsText:
    @hookimpl
    def conciliazione_cycles(self) -> object:
        return "lombardia-2099"


class ReturnsGarbageItems:
    @hookimpl
    def conciliazione_cycles(self) -> object:
        return ["a cycle", 3]


class UndeclaredHook:
    @hookimpl
    def conciliazione_frobnicate(self) -> None:
        """Not a hook of the contract."""


class WrongArguments:
    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: Document, extra: int) -> list[Finding]:
        return []


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (Raises(), "raised in conciliazione_cycles: RuntimeError: boom"),
        (ReturnsInt(), "conciliazione_cycles returned int, expected a list of Cycle"),
        (ReturnsNone(), "returned NoneType, expected a list of Cycle"),
        (ReturnsText(), "returned str, expected a list of Cycle"),
        (ReturnsGarbageItems(), "returned str, int where a Cycle was expected"),
        (
            UndeclaredHook(),
            "invalid hooks: PluginValidationError: unknown hook 'conciliazione_frobnicate'",
        ),
        (
            WrongArguments(),
            "Argument(s) {'extra'} are declared in the hookimpl but can not be found",
        ),
    ],
    ids=lambda x: type(x).__name__ if not isinstance(x, str) else "",
)
def test_faulty_plugin_is_named_and_isolated(plugin: object, reason: str) -> None:
    host = Host(plugins=[("faulty", plugin)], environ={})
    [problem] = host.problems
    assert problem.plugin == "faulty"
    assert reason in problem.reason
    assert str(problem).startswith("faulty: ")
    assert set(SHIPPED) <= set(host.cycles())
    assert "faulty" not in {p.name for p in host.plugins()}


def test_a_plugin_that_fails_to_import(fake_distribution: Any) -> None:
    name = fake_distribution("conciliazione-broken", "0.1", "raise ImportError('no numpy here')")
    host = Host(environ={})
    [problem] = host.problems
    assert problem == PluginProblem(
        name, "conciliazione-broken", "failed to import: ImportError: no numpy here"
    )
    assert (
        str(problem)
        == f"{name} (conciliazione-broken): failed to import: ImportError: no numpy here"
    )
    assert set(SHIPPED) <= set(host.cycles())


def test_a_plugin_whose_module_has_a_syntax_error(fake_distribution: Any) -> None:
    fake_distribution("conciliazione-typo", "0.1", "def oops(:\n", entry_name="typo")
    host = Host(environ={})
    [problem] = host.problems
    assert problem.plugin == "typo"
    assert problem.reason.startswith("failed to import: SyntaxError")


def test_requesting_the_cycle_of_a_broken_plugin_names_it(fake_distribution: Any) -> None:
    fake_distribution(
        "conciliazione-lombardia-2099", "0.1", "raise RuntimeError('bad')", "lombardia_2099"
    )
    host = Host(environ={})
    with pytest.raises(PluginError) as info:
        host.cycle("lombardia-2099")
    assert info.value.plugin == "lombardia_2099"
    assert "failed to import: RuntimeError: bad" in str(info.value)


def test_an_installed_plugin_with_a_bad_parameter_file(
    fake_distribution: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "cycle.toml"
    bad.write_text("[cycle]\nid = 5\n", encoding="utf-8")
    source = f"""
from conciliazione_core import hookimpl, load_cycle

@hookimpl
def conciliazione_cycles():
    return [load_cycle({str(bad)!r})]
"""
    fake_distribution("conciliazione-badparams", "0.1", source, entry_name="badparams")
    host = Host(environ={})
    [problem] = host.problems
    assert problem.plugin == "badparams"
    assert problem.reason.startswith(
        f"raised in conciliazione_cycles: {bad}: $.cycle.id: expected text"
    )


# ---- faulty checks -------------------------------------------------------------------------------


class ChecksRaise:
    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: Document) -> list[Finding]:
        raise KeyError("oops")


class ChecksReturnGarbage:
    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: Document) -> object:
        return ["not a finding"]


class ChecksReturnInt:
    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: Document) -> object:
        return 5


class ChecksReturnNone:
    @hookimpl
    def conciliazione_checks(self, cycle: Cycle, document: Document) -> object:
        return None


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (ChecksRaise(), "raised in conciliazione_checks: KeyError: 'oops'"),
        (ChecksReturnGarbage(), "conciliazione_checks returned str where a Finding was expected"),
        (ChecksReturnInt(), "returned int, expected a list of Finding"),
    ],
)
def test_raising_checks_are_a_plugin_error_naming_the_plugin(
    plugin: object, reason: str, montagna_path: Path
) -> None:
    host = Host(plugins=[("my_checks", plugin)], environ={})
    with pytest.raises(PluginError) as info:
        host.check("lombardia-2020", load_document(montagna_path))
    assert info.value.plugin == "my_checks"
    assert reason in info.value.reason
    assert str(info.value).startswith("plugin 'my_checks': ")


def test_checks_returning_none_add_nothing(montagna_path: Path) -> None:
    host = Host(plugins=[("quiet", ChecksReturnNone())], environ={})
    report = host.check("lombardia-2020", load_document(montagna_path))
    assert report.codes() == ["BUDGET_NOT_STATED"] * 5


# ---- the contract itself (as datasette does it) --------------------------------------------------


def _hookspecs() -> list[str]:
    return [
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, f"{hookspecs.PROJECT}_spec")
    ]


def test_the_contract_has_the_three_hooks() -> None:
    assert _hookspecs() == [
        "conciliazione_checks",
        "conciliazione_cycles",
        "conciliazione_envelope_kinds",
        "conciliazione_rules",
    ]


@pytest.mark.parametrize("name", _hookspecs())
def test_every_hook_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc) > 80, f"{name} needs a docstring saying when it is called and what it returns"
    assert "versionadded" in doc


@pytest.mark.parametrize("name", _hookspecs())
def test_every_hook_is_exercised_by_a_test(name: str) -> None:
    here = Path(__file__).parent
    uses = [
        path.name
        for path in here.glob("test_*.py")
        if re.search(rf"def {name}\(", path.read_text(encoding="utf-8"))
    ]
    assert uses, f"no test implements the hook {name}"


# ---- through pluggy: wrappers and tracing -----------------------------------------------------------


class Wrapper:
    """A legal new-style wrapper around both hooks: sees every call and passes results on."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(wrapper=True)
    def conciliazione_cycles(self) -> Any:
        result = yield
        self.seen.append(f"cycles:{len(result)}")
        return result

    @hookimpl(wrapper=True)
    def conciliazione_checks(self, cycle: Cycle, document: Document) -> Any:
        result = yield
        self.seen.append(f"checks:{cycle.id}")
        return result


def test_a_wrapper_plugin_is_healthy_and_wraps_every_call(montagna_path: Path) -> None:
    wrapper = Wrapper()
    host = Host(plugins=[("wrapper", wrapper)], environ={})
    assert set(SHIPPED) <= set(host.cycles())
    assert host.problems == ()
    # one call per installed cycle plugin (one implementation each; lombardia_2017 declares two
    # cycles but is called once)
    plugins = set(host.declared_cycles().values())
    assert sorted(wrapper.seen) == ["cycles:1"] * len(plugins)
    assert len(plugins) < len(host.declared_cycles())
    host.check("lombardia-2020", load_document(montagna_path))
    assert wrapper.seen[-1] == "checks:lombardia-2020"
    assert {p.name for p in host.plugins()} >= {"wrapper", "lombardia_2020"}


class RaisingWrapper:
    @hookimpl(wrapper=True)
    def conciliazione_cycles(self) -> Any:
        yield
        raise RuntimeError("the wrapper broke")


def test_a_raising_wrapper_is_named_not_the_plugin_it_wraps() -> None:
    host = Host(plugins=[("bad_wrapper", RaisingWrapper())], environ={})
    assert {p.plugin for p in host.problems} == {"bad_wrapper"}
    [problem] = host.problems
    assert "RuntimeError: the wrapper broke" in problem.reason


def test_hook_calls_can_be_traced_with_pluggy(montagna_path: Path) -> None:
    host = Host(environ={PLUGINS_ENV: "lombardia_2020"})
    lines: list[str] = []
    host.plugin_manager.trace.root.setwriter(lines.append)
    undo = host.plugin_manager.enable_tracing()
    try:
        host.check("lombardia-2020", load_document(montagna_path))
    finally:
        undo()
    traced = "".join(lines)
    assert "conciliazione_cycles" in traced
    assert "conciliazione_checks" in traced


# ---- static declarations: lazy, per-cycle loading -----------------------------------------------------

# A plugin whose import is expensive (it would sleep); the tests check it is never imported.
SLOW = """
import time
time.sleep(30)
"""


def test_a_cycle_command_imports_only_the_plugin_of_its_cycle(
    fake_distribution: Any, montagna_path: Path
) -> None:
    import sys

    name = fake_distribution("conciliazione-slow", "0.1", SLOW, cycles=("slow-2099",))
    module = next(m for m in [name] if m.startswith("fake_plugin_"))
    host = Host(environ={})
    assert host.declared_cycles()["slow-2099"] == name
    host.cycle("lombardia-2020")
    host.check("lombardia-2020", load_document(montagna_path))
    assert module not in sys.modules
    assert "lombardia_2014.plugin" not in sys.modules or "lombardia_2014" in sys.modules


def test_asking_one_cycle_does_not_import_the_others(fake_distribution: Any) -> None:
    import sys

    marker = fake_distribution(
        "conciliazione-marker",
        "0.1",
        "import sys\nsys.modules[__name__].imported = True\n",
        cycles=("marker-2099",),
    )
    host = Host(environ={})
    host.cycle("lombardia-2014")
    assert marker not in sys.modules
    with pytest.raises(PluginError, match="declares the cycles \\[marker-2099\\]"):
        host.cycle("marker-2099")
    assert marker in sys.modules


def test_an_undeclared_cycle_is_refused_and_cannot_take_one_over(fake_distribution: Any) -> None:
    """Today's intruder: a plugin that returns lombardia-2020 without declaring it."""
    fake_distribution("conciliazione-intruder", "6.6", CLAIMS_2020, entry_name="intruder")
    host = Host(environ={})
    assert host.cycle("lombardia-2020").distribution == "conciliazione-lombardia-2020"
    [problem] = host.problems
    assert problem.plugin == "intruder"
    assert (
        "declares the cycles [] in the entry-point group 'conciliazione.cycles'" in problem.reason
    )
    assert "provides [lombardia-2020]" in problem.reason


@pytest.mark.parametrize("allow", [None, "lombardia_2020"])
def test_two_distributions_with_one_entry_point_name_are_both_refused(
    fake_distribution: Any, allow: str | None
) -> None:
    """A second distribution declaring entry point ``lombardia_2020`` selects nothing."""
    fake_distribution(
        "conciliazione-evil",
        "6.6",
        CLAIMS_2020,
        entry_name="lombardia_2020",
        cycles=("lombardia-2020",),
    )
    host = Host(environ={} if allow is None else {PLUGINS_ENV: allow})
    with pytest.raises(PluginError, match="is declared by both conciliazione-evil"):
        host.cycle("lombardia-2020")
    reasons = {(p.distribution, p.reason) for p in host.problems}
    expected = (
        "the plugin name 'lombardia_2020' is declared by both conciliazione-evil "
        "(plugin lombardia_2020) and conciliazione-lombardia-2020 (plugin lombardia_2020); "
        "remove one"
    )
    assert reasons == {
        ("conciliazione-evil", expected),
        ("conciliazione-lombardia-2020", expected),
    }


class SpecnamePlugin:
    """A hook implemented under another name, as pluggy's ``specname`` allows."""

    from conciliazione_core._findings import FindingCode, Severity

    CODE = FindingCode("HOUSE_RULE", Severity.INFO, "a house rule")

    @hookimpl
    def conciliazione_rules(self, register: Any) -> None:
        register(self.CODE)

    @hookimpl(specname="conciliazione_checks")
    def house_rule(self, cycle: Cycle, document: Document) -> list[Finding]:
        return [self.CODE.at("$", None)]


def test_a_hook_implemented_under_another_name_is_called(montagna_path: Path) -> None:
    host = Host(plugins=[("specname", SpecnamePlugin())], environ={})
    report = host.check("lombardia-2020", load_document(montagna_path))
    assert "HOUSE_RULE" in report.codes()
    assert host.problems == ()


def test_an_installed_plugin_cannot_claim_another_distribution(fake_distribution: Any) -> None:
    source = """
import attrs
from importlib.resources import files
from conciliazione_core import hookimpl, load_cycle

@hookimpl
def conciliazione_cycles():
    cycle = load_cycle(files("lombardia_2020").joinpath("cycle.toml"))
    return [attrs.evolve(cycle, id="mask-2099", distribution="conciliazione-lombardia-2020")]
"""
    fake_distribution("conciliazione-mask", "1.0", source, entry_name="mask", cycles=("mask-2099",))
    cycle = Host(environ={}).cycle("mask-2099")
    assert (cycle.distribution, cycle.version) == ("conciliazione-mask", "1.0")


def test_a_declaration_for_a_module_that_is_no_plugin_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "conciliazione_typo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: conciliazione-typo\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[conciliazione]\ntypo = typo_plugin.plugin\n\n"
        "[conciliazione.cycles]\ntypo-2099 = typo_plugin.plugins\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    host = Host(environ={PLUGINS_ENV: "conciliazione-typo"})
    with pytest.raises(PluginError) as error:
        host.cycle("typo-2099")
    assert error.value.plugin == "typo_plugin.plugins"
    assert "which is not one of its 'conciliazione' entry points" in error.value.reason
    assert {p.distribution for p in host.problems} == {"conciliazione-typo"}
