"""The two cycles, lombardia-2017 and lombardia-2019: their example documents give exactly their
declared findings, the conformance kit passes, what is unknown stays out of the rules, and the
command line allocates 2019 out of the box and 2017 only with the user's criterion."""

from __future__ import annotations

import ast
import gettext
import io
import json
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import lombardia_2017.plugin
from conciliazione_core import Evidence, Host, Severity, load_document
from conciliazione_core._cycle import Example
from conciliazione_core._rules import LeadRules, ProjectRules
from conciliazione_core.cli import main
from conciliazione_core.testing._conformance import run_checks

PACKAGE = Path(str(files("lombardia_2017")))
CYCLE_IDS = ("lombardia-2017", "lombardia-2019")
ATS = (
    "ATS-BERGAMO",
    "ATS-BRESCIA",
    "ATS-BRIANZA",
    "ATS-INSUBRIA",
    "ATS-MILANO",
    "ATS-MONTAGNA",
    "ATS-PAVIA",
    "ATS-VALPADANA",
)


@pytest.fixture(scope="module")
def host() -> Host:
    return Host([("lombardia_2017", lombardia_2017.plugin)], use_entry_points=False)


def run(capsys: pytest.CaptureFixture[str], args: Sequence[str]) -> tuple[int, str, str]:
    """The command line in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


def declared() -> list[tuple[str, Example]]:
    host = Host([("p", lombardia_2017.plugin)], use_entry_points=False)
    return [(c, e) for c in CYCLE_IDS for e in host.cycle(c).examples]


# ---- the cycles ---------------------------------------------------------------------------------


def test_the_plugin_provides_exactly_its_two_declared_cycles(host: Host) -> None:
    assert host.problems == ()
    assert set(host.cycles()) == set(CYCLE_IDS)
    for cycle_id in CYCLE_IDS:
        assert host.cycle(cycle_id).level.value == "ATS"
        assert [r.id for r in sorted(host.cycle(cycle_id).recipients, key=lambda r: r.id)] == list(
            ATS
        )


@pytest.mark.parametrize("cycle_id", CYCLE_IDS)
def test_the_conformance_kit_passes(host: Host, cycle_id: str) -> None:
    problems = run_checks(host.cycle(cycle_id), host, max_examples=20)
    assert problems == {name: [] for name in problems}
    assert "examples" in problems
    assert "allocation" in problems


def test_the_2019_extension_admits_only_public_leads_and_ends_later(host: Host) -> None:
    rules_2019 = host.cycle("lombardia-2019").rules
    lead = rules_2019["lead"]
    assert isinstance(lead, LeadRules)
    assert [n.value for n in lead.natures] == ["public"]
    basis = host.cycle("lombardia-2019").cite(lead.basis)
    assert basis.act == "D.G.R. XI/1017 of 17/12/2018"
    assert "soggetto pubblico" in str(basis.provision or "")
    projects_2019 = rules_2019["projects"]
    assert isinstance(projects_2019, ProjectRules)
    assert projects_2019.ends_by is not None
    assert projects_2019.ends_by.isoformat() == "2020-01-15"


def test_the_2017_cycle_leaves_unknown_rules_out(host: Host) -> None:
    cycle = host.cycle("lombardia-2017")
    assert "lead" not in cycle.rules  # who may lead in 2017-2018 is not known
    projects = cycle.rules["projects"]
    assert isinstance(projects, ProjectRules)
    assert projects.service_types == ()  # not known
    assert projects.ends_by is not None
    assert projects.ends_by.isoformat() == "2019-01-15"
    assert cycle.cite("criterion_unknown").evidence is Evidence.INFERENCE
    assert cycle.cite("funding").evidence is Evidence.SOURCE
    assert cycle.reference_table() is None  # the criterion is not shipped
    for assumption in cycle.assumptions:
        assert cycle.cite(assumption.basis).note


@pytest.mark.parametrize(("cycle_id", "example"), declared(), ids=lambda e: getattr(e, "file", e))
def test_each_example_gives_exactly_its_declared_codes(
    host: Host, cycle_id: str, example: Example
) -> None:
    cycle = host.cycle(cycle_id)
    path = Path(str(cycle.example_path(example)))
    report = host.check(cycle, load_document(path), name=example.file)
    assert [f.code for f in report.findings if f.severity is not Severity.INFO] == list(
        example.codes
    )
    assert report.admissible is example.admissible
    assert example.file.startswith(f"examples/{cycle_id[-4:]}_")


@pytest.mark.parametrize("cycle_id", CYCLE_IDS)
def test_every_example_file_is_declared(cycle_id: str) -> None:
    folder = PACKAGE / f"cycle_{cycle_id[-4:]}" / "examples"
    on_disk = {f"examples/{p.name}" for p in folder.iterdir()}
    assert sorted(e.file for c, e in declared() if c == cycle_id) == sorted(on_disk)


def test_a_private_lead_is_refused_in_2019_citing_the_extension(host: Host) -> None:
    path = PACKAGE / "cycle_2019" / "examples" / "2019_project_private_lead.toml"
    [finding] = host.check("lombardia-2019", load_document(path)).findings
    assert finding.code == "LEAD_NOT_PUBLIC"
    assert finding.legal_basis is not None
    assert "D.G.R. XI/1017 of 17/12/2018" in str(finding.legal_basis)
    # The same document in 2017-2018: who may lead is not known, so no lead finding (it only
    # ends after 15/01/2019).
    assert host.check("lombardia-2017", load_document(path)).codes() == ["PROJECT_ENDS_LATE"]


def test_a_project_ending_in_2019_is_late_in_2017_and_on_time_in_2019(host: Host) -> None:
    path = PACKAGE / "cycle_2017" / "examples" / "2017_project_ends_late.toml"
    assert host.check("lombardia-2017", load_document(path)).codes() == ["PROJECT_ENDS_LATE"]
    assert host.check("lombardia-2019", load_document(path)).codes() == []


# ---- the command line ---------------------------------------------------------------------------


def test_cli_allocates_2019_and_explains_montagna(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one line per note
    code, out, _err = run(capsys, ["allocate", "lombardia-2019", "--explain", "ATS-MONTAGNA"])
    assert code == 0
    assert "ATS della Montagna (ATS-MONTAGNA) receives €58,979 in all." in out
    assert "dgr_1017_amounts: D.G.R. XI/1017 of 17/12/2018, per-ATS amounts for 2019" in out
    assert (
        "varesenews.it (12/2018), reporting the per-ATS amounts of D.G.R. XI/1017 of 17/12/2018, 2018-12-17, official"
        in out
    )
    assert re.search(r"^TOTAL\s+1,000,000$", out, re.M)  # whole euros: no ".00"


def test_cli_2017_is_pending_until_the_criterion_is_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one line per note
    code, out, _err = run(capsys, ["allocate", "lombardia-2017"])
    assert code == 1
    assert "missing for 8 recipient(s)" in out
    assert "conciliazione allocate lombardia-2017 --template > data.csv" in out
    code, template, _err = run(capsys, ["allocate", "lombardia-2017", "--template"])
    assert code == 0
    lines = template.splitlines()
    assert lines[0] == "id,name,criterion,source,reference_date,status,method"
    assert sorted(line.split(",")[0] for line in lines[1:]) == list(ATS)
    # MADE-UP TEST DATA: equal criterion values, only to exercise the mechanism.
    data = tmp_path / "criterion.csv"
    data.write_text(
        lines[0]
        + "\n"
        + "\n".join(
            f"{rid},{rid},1,MADE-UP TEST DATA,2016-12-12,estimate,invented for a test"
            for rid in ATS
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _err = run(
        capsys, ["allocate", "lombardia-2017", "--data", str(data), "--format", "json"]
    )
    assert code == 0
    result = json.loads(out)
    assert result["pending"] == []
    amounts = sorted(s["amount"] for s in result["shares"])
    assert amounts == ["312500.00"] * 8  # €2,500,000 / 8, exactly
    assert {n["status"] for n in result["non_official"]} == {"estimate"}


def test_cli_check_refuses_a_private_lead_in_2019(capsys: pytest.CaptureFixture[str]) -> None:
    path = PACKAGE / "cycle_2019" / "examples" / "2019_project_private_lead.toml"
    code, out, _err = run(capsys, ["check", "lombardia-2019", str(path)])
    assert code == 1
    assert "LEAD_NOT_PUBLIC" in out
    assert "D.G.R. XI/1017 of 17/12/2018" in out


# ---- the plugin's own catalogue -----------------------------------------------------------------


def _marked_messages() -> set[str]:
    """The literals this plugin marks with ``_t()`` (its own gettext keyword)."""
    tree = ast.parse((PACKAGE / "published.py").read_text(encoding="utf-8"))
    return {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "_t"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    }


def test_every_message_has_an_italian_translation_in_the_plugins_catalogue() -> None:
    folder = PACKAGE / "locale" / "it" / "LC_MESSAGES"
    with (folder / "lombardia_2017.po").open("rb") as f:
        po = read_po(f)
    entries = {m.id: m.string for m in po if m.id}
    assert set(entries) == _marked_messages()
    assert all(isinstance(s, str) and s.strip() for s in entries.values())
    assert not any(m.fuzzy for m in po if m.id)
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    with (folder / "lombardia_2017.mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    rebuilt = gettext.GNUTranslations(buffer)
    for msgid in entries:
        assert shipped.gettext(msgid) == rebuilt.gettext(msgid) != msgid
