"""The example plugin ``cofinancing``: a rule the core does not have, end to end.

The proof: a new cycle made with ``conciliazione new-cycle --from lombardia-2020`` that adds
``[rules.co_financing]`` reports ``COFINANCING_TOO_LOW`` on a project whose partners pay 10%, with
exit 1, in English and in Italian, while nothing in the core knows the rule.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conciliazione_core as cc
from cofinancing import (
    CATALOGUE,
    COFINANCING_NOT_STATED,
    COFINANCING_TOO_LOW,
    RULE,
    CoFinancingRules,
    partners_share,
)
from cofinancing import plugin as cofinancing_plugin
from conciliazione_core import i18n
from conciliazione_core.testing._conformance import check_messages, emittable_codes

ROOT = Path(__file__).resolve().parents[4]
NEW_ID = "cofinland-2031"
PACKAGE = "cofinland_2031"
SECTION = '\n[rules.co_financing]\nbasis = "dgr_2398"\nmin_share = "30%"\n'
LEAD = cc.Body(id="comune-tirano", name="Comune di Tirano", kind=cc.BodyKind.MUNICIPALITY)
PROJECT_TOML = """kind = "project"
id = "nido-aziendale"
title = "Nido aziendale"
lead = { id = "comune-tirano", name = "Comune di Tirano", kind = "municipality" }
service_types = ["B"]
requested = "9000"
co_financing = "1000"
"""


def project(requested: str | None, co_financing: str | None, *lines: str) -> cc.Project:
    return cc.Project(
        id="p",
        title="Nido aziendale",
        lead=LEAD,
        service_types=("B",),
        requested=cc.Money.parse(requested) if requested else None,
        co_financing=cc.Money.parse(co_financing) if co_financing else None,
        budget_lines=tuple(
            cc.BudgetLine(f"line {i}", cc.Money.parse(a)) for i, a in enumerate(lines)
        ),
    )


@functools.cache
def _setup() -> tuple[cc.Host, cc.Cycle]:
    """A host with only this plugin, and lombardia-2020 read with its rule plus a what-if
    ``[rules.co_financing]`` of 30%."""
    host = cc.Host(plugins=[("cofinancing", cofinancing_plugin)], use_entry_points=False)
    installed = cc.get_cycle("lombardia-2020")
    path = installed.root.joinpath(installed.source)
    assert isinstance(path, Path)
    cycle = cc.load_cycle(path, rules=host.rules).with_overrides(
        ['rules.co_financing={ basis = "dgr_2398", min_share = "30%" }']
    )
    return host, cycle


@pytest.fixture
def host() -> cc.Host:
    return _setup()[0]


@pytest.fixture
def cycle() -> cc.Cycle:
    return _setup()[1]


# ---- the share, exactly ---------------------------------------------------------------------------


def test_the_share_is_co_financing_over_the_total_cost() -> None:
    assert partners_share(project("9000", "1000")) == Fraction(1, 10)
    # Budget lines, when given, are the total cost.
    assert partners_share(project("5000", "3000", "6000", "4000")) == Fraction(3, 10)
    assert partners_share(project("9000", None)) is None
    assert partners_share(project(None, "1000")) is None
    assert partners_share(project(None, "0.00", "0")) is None  # a zero cost has no share


def test_the_threshold_is_exact_and_inclusive(host: cc.Host, cycle: cc.Cycle) -> None:
    assert cycle.rules["co_financing"] == CoFinancingRules("dgr_2398", Fraction(3, 10))
    at_least = host.check(cycle, project("7000", "3000"))
    assert "COFINANCING_TOO_LOW" not in at_least.codes()
    one_cent_short = host.check(cycle, project("7000.01", "2999.99"))
    assert one_cent_short.codes(cc.Severity.ERROR) == ["COFINANCING_TOO_LOW"]


def test_the_finding_cites_the_section_basis_and_names_the_numbers(
    host: cc.Host, cycle: cc.Cycle
) -> None:
    report = host.check(cycle, project("9000", "1000"))
    [found] = [f for f in report.findings if f.code == "COFINANCING_TOO_LOW"]
    assert found.legal_basis == cycle.cite("dgr_2398")
    assert found.path == "$.co_financing"
    assert found.message == (
        "Project Nido aziendale: the partners pay 10% of its total cost of €10,000.00; "
        "this cycle asks for at least 30%."
    )
    with i18n.language("it"):
        assert found.message == (
            "Progetto Nido aziendale: i partner coprono 10% del costo totale di € 10.000,00; "
            "questo ciclo chiede almeno 30%."
        )
    assert dict(found.args)["total"] == "10000.00"  # exact, formatted when read
    assert not report.admissible


def test_an_unstated_co_financing_is_information(host: cc.Host, cycle: cc.Cycle) -> None:
    report = host.check(cycle, project("9000", None))
    assert [f.code for f in report.findings if f.code.startswith("COFINANCING")] == [
        "COFINANCING_NOT_STATED"
    ]
    assert report.admissible


def test_each_project_of_a_plan_is_checked(host: cc.Host, cycle: cc.Cycle) -> None:
    network = cc.Network(
        "n", "Rete", "ATS-MONTAGNA", cc.Body("ATS-MONTAGNA", "ATS", cc.BodyKind.ATS)
    )
    plan = cc.TerritorialPlan(
        "plan", network, projects=(project("7000", "3000"), project("9500", "500"))
    )
    found = [f for f in host.check(cycle, plan).findings if f.code == "COFINANCING_TOO_LOW"]
    assert [f.path for f in found] == ["$.projects[1].co_financing"]


@settings(max_examples=200, deadline=None)
@given(
    requested=st.integers(min_value=0, max_value=10**9),
    co_financing=st.integers(min_value=0, max_value=10**9),
    percent=st.integers(min_value=0, max_value=100),
)
def test_too_low_exactly_when_the_share_is_below_the_minimum(
    requested: int, co_financing: int, percent: int
) -> None:
    """Exact arithmetic on cents: no float rounding moves the threshold."""
    from cofinancing.rule import check
    from conciliazione_core._rule_registry import using_registry

    host, cycle = _setup()
    rules = CoFinancingRules("dgr_2398", Fraction(percent, 100))
    document = project(str(cc.Money(requested)), str(cc.Money(co_financing)))
    with using_registry(host.rules):
        codes = [f.code for f in check(cycle, rules, document)]
    total = requested + co_financing
    if total == 0:
        assert codes == ["COFINANCING_NOT_STATED"]
    elif co_financing * 100 < percent * total:
        assert codes == ["COFINANCING_TOO_LOW"]
    else:
        assert codes == []


# ---- the parameters are validated when the cycle loads ------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('"130%"', "between 0% and 100%"),
        ("0.3", "exact numbers as text"),  # a float in the file
        ('"thirty"', "not an exact number"),
    ],
)
def test_a_bad_min_share_is_refused_at_load(cycle: cc.Cycle, value: str, words: str) -> None:
    section = f'rules.co_financing={{ basis = "dgr_2398", min_share = {value} }}'
    with pytest.raises(cc.InputError, match=words) as info:
        cycle.with_overrides([section])
    assert info.value.problems[0].path.startswith("$.rules.co_financing")


def test_an_unknown_basis_is_refused_at_load(cycle: cc.Cycle) -> None:
    with pytest.raises(cc.InputError) as info:
        cycle.with_overrides(['rules.co_financing.basis="nowhere"'])
    assert [p.path for p in info.value.problems] == ["$.rules.co_financing.basis"]


def test_without_the_plugin_the_section_is_an_error_naming_the_known_ones() -> None:
    bare = cc.Host(use_entry_points=False)
    installed = cc.get_cycle("lombardia-2020")
    path = installed.root.joinpath(installed.source)
    assert isinstance(path, Path)
    without = cc.load_cycle(path, rules=bare.rules)
    with pytest.raises(cc.InputError) as info:
        without.with_overrides(['rules.co_financing={ basis = "dgr_2398", min_share = "30%" }'])
    [problem] = info.value.problems
    assert problem.path == "$.rules.co_financing"
    assert problem.message == (
        "no installed rule reads [rules.co_financing]; "
        "known: network, accord, territory, lead, submission, projects, dates, figures, coherence, "
        "bodies"
    )


# ---- the plugin's own messages --------------------------------------------------------------------


def test_the_plugin_registers_one_rule_and_owns_its_codes(host: cc.Host) -> None:
    assert host.rules.rules["co_financing"] is RULE
    assert host.rules.code_owners["COFINANCING_TOO_LOW"] == "cofinancing"
    assert COFINANCING_TOO_LOW.catalogue == CATALOGUE != i18n.CORE_CATALOGUE


@pytest.mark.parametrize("code", [COFINANCING_TOO_LOW, COFINANCING_NOT_STATED])
def test_every_code_has_an_italian_message_in_the_plugins_catalogue(code: cc.FindingCode) -> None:
    italian = code.translated("it")
    assert italian != code.template
    # Not from the core's catalogue: the core knows nothing of this rule.
    assert i18n.translate(code.template, i18n.CORE_CATALOGUE, "it") == code.template


def test_the_conformance_kit_checks_the_plugins_messages(cycle: cc.Cycle) -> None:
    assert {"COFINANCING_TOO_LOW", "COFINANCING_NOT_STATED"} <= set(emittable_codes(cycle))
    assert check_messages(cycle) == []
    broken = attrs.evolve(COFINANCING_TOO_LOW, catalogue=i18n.Catalogue("cofinancing", ROOT))
    registry = attrs.evolve(
        cycle.rules.registry, codes={**cycle.rules.registry.codes, broken.code: broken}
    )
    cycle_with_broken = attrs.evolve(cycle, rules=attrs.evolve(cycle.rules, registry=registry))
    [problem] = check_messages(cycle_with_broken)
    assert "cofinancing.mo is missing" in problem.message


def test_the_diff_shows_the_rule(cycle: cc.Cycle) -> None:
    from conciliazione_core._diff import diff_cycles

    diff = diff_cycles(cc.get_cycle("lombardia-2020"), cycle)
    row = diff.row("co-financing: partners pay at least")
    assert (row.a, row.b, row.changed) == (None, "30%", True)


def test_nothing_under_the_core_knows_this_rule() -> None:
    """The core package (its code, data, templates and catalogues) never names the rule.

    Build metadata beside it (``src/*.egg-info``, which lists the repository's files) is not
    the core and is left out.
    """
    core = ROOT / "src" / "conciliazione_core"
    found = subprocess.run(
        ["grep", "-ril", "cofinanc", str(core)], capture_output=True, text=True, check=False
    )
    assert found.returncode == 1, found.stdout  # grep: 1 = no match, 2 = an error
    assert found.stdout == ""


# ---- the proof: a new cycle from lombardia-2020, installed, from the command line -----------------


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CONCILIAZIONE_PLUGINS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    env["LANGUAGE"] = "en"
    env["COLUMNS"] = "200"  # one line per message: the assertions read whole sentences
    return subprocess.run(
        [sys.executable, "-c", "from conciliazione_core.cli import main; main()", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )


def _install(package: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """A real ``pip install --target`` of the generated package, as tests/test_scaffold.py does."""
    from importlib.metadata import version
    from importlib.util import find_spec

    major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    isolation = (
        [] if (major, minor) < (70, 1) and find_spec("wheel") is None else ["--no-build-isolation"]
    )
    command = [
        sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", *isolation,
        "--disable-pip-version-check", "--target", str(site), str(package),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def test_a_new_cycle_with_the_rule_reports_too_low_co_financing(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    made = _run(tmp_path, "new-cycle", NEW_ID, "--from", "lombardia-2020", "--dir", str(package))
    assert made.returncode == 0, made.stdout + made.stderr
    parameters = package / "src" / PACKAGE / "cycle.toml"
    parameters.write_text(parameters.read_text(encoding="utf-8") + SECTION, encoding="utf-8")
    site = tmp_path / "site"
    installed = _install(package, site)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    document = tmp_path / "project.toml"
    document.write_text(PROJECT_TOML, encoding="utf-8")

    english = _run(site, "check", NEW_ID, str(document))
    assert english.returncode == 1, english.stdout + english.stderr
    assert "COFINANCING_TOO_LOW at $.co_financing" in english.stdout
    assert "the partners pay 10% of its total cost of €10,000.00" in english.stdout
    assert "at least 30%" in english.stdout
    assert "D.G.R. XI/2398" in english.stdout  # the citation given in the section

    italian = _run(site, "--lang", "it", "check", NEW_ID, str(document))
    assert italian.returncode == 1, italian.stdout + italian.stderr
    assert "i partner coprono 10% del costo totale di € 10.000,00" in italian.stdout
    assert "questo ciclo chiede almeno 30%" in italian.stdout

    # The same cycle without the section says nothing about co-financing.
    parameters = site / PACKAGE / "cycle.toml"
    parameters.write_text(
        parameters.read_text(encoding="utf-8").replace(SECTION, ""), encoding="utf-8"
    )
    without = _run(site, "check", NEW_ID, str(document))
    assert "COFINANCING" not in without.stdout
    assert without.returncode == 0, without.stdout + without.stderr
