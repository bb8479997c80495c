"""The generated page "The programme, cycle by cycle" and the audits shown in docs/audit.md."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import conciliazione_core as cc
from conciliazione_core import Money
from conciliazione_core._audit import audit_cycle, load_published_table

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "programme_docs", DOCS / "hooks" / "programme_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load()


def test_the_programme_lists_every_installed_cycle_in_order() -> None:
    page = hook.programme_md()
    cycles = sorted(cc.cycles().values(), key=lambda c: c.period.start)
    positions = [page.index(f"Cycle [`{c.id}`](cycles/{c.id}.md)") for c in cycles]
    assert positions == sorted(positions)
    for cycle in cycles:
        section = page.split(f"Cycle [`{cycle.id}`]", 1)[1].split("\n## ", 1)[0]
        for label in ("Period", "Acts", "Budget", "Who may lead", "Recipients", "Allocation rule"):
            assert f"- **{label}**: " in section, (cycle.id, label)
        for assumption in cycle.assumptions:
            assert f"- `{assumption.id}`: " in section


def test_the_programme_says_what_each_cycle_leaves_unknown() -> None:
    page = hook.programme_md()
    current = page.split("Cycle [`lombardia-2025`]", 1)[1]
    assert "who may lead a project or an alliance is **not set**" in current
    assert "No rule, so not checked: the founding accord; who may lead;" in current
    assert "**€3,000,000**" in current
    assert "reference data at 01/01/2023 (derived, official)" in current
    cycle_2020 = page.split("Cycle [`lombardia-2020`]", 1)[1].split("\n## ", 1)[0]
    assert "private non-profit (third-sector)" in cycle_2020
    assert "€200,000 Kept by the Region" in cycle_2020


def test_the_programme_names_the_years_no_plugin_covers() -> None:
    covered = {
        y for c in cc.cycles().values() for y in range(c.period.start.year, c.period.end.year + 1)
    }
    gaps = [str(y) for y in range(2014, 2026) if y not in covered]
    page = hook.programme_md()
    if gaps:
        assert "no installed plugin covers: " + ", ".join(gaps) + "." in page


def test_the_programme_page_and_the_audit_page_use_the_markers() -> None:
    assert "<!-- programme:cycles -->" in (DOCS / "programme.md").read_text("utf-8")
    audit_page = (DOCS / "audit.md").read_text("utf-8")
    for name in hook.AUDITS:
        assert f"<!-- programme:audit-{name} -->" in audit_page
    assert hook.expand("<!-- programme:nope -->") == "<!-- programme:nope -->"


def test_the_audit_block_shows_the_command_and_its_exit_status() -> None:
    block = hook.audit_md("press-2021")
    assert block.startswith(
        "```console\n$ conciliazione audit lombardia-2020 --published "
        "plugins/lombardia_2020/src/lombardia_2020/published/press_tranche_2021.csv --amount 1000000\n"
    )
    assert re.search(r"\nATS-BERGAMO +110,700\.00 +110,787\.91 +110,788\.00 +-87\.91 ", block)
    assert block.endswith("$ echo $?\n1\n```\n")


def test_the_2019_amounts_are_not_proportional_to_population() -> None:
    cycle = cc.get_cycle("lombardia-2020")
    table = load_published_table(DOCS / "data" / "ats_2019_varesenews.csv")
    report = audit_cycle(cycle, table, amount=Money.euros(1_000_000))
    assert report.sum_difference == 0  # they add up to exactly €1,000,000
    rows = {r.id: r for r in report.rows}
    assert rows["ATS-BRIANZA"].published == Money.euros(211_994)
    assert rows["ATS-BRIANZA"].rule_amount == Money.euros(120_402)
    assert rows["ATS-PAVIA"].rule_amount == Money.euros(54_260)
    assert rows["ATS-MONTAGNA"].rule_amount == Money.euros(29_624)
    assert rows["ATS-MILANO"].rule_amount == Money.euros(345_956)
    assert not any(r.meets_quota_rule(Money.euros(1000)) for r in report.rows)
    assert report.exact_matches == ()
    assert report.candidates[0].residual == Money.euros(322_366)
    assert report.candidates[0].mismatches == 8
