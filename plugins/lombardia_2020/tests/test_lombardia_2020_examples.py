"""The cycle's parameter file and its shipped example documents, checked as a conformance kit
would: each declared example gives exactly its declared codes, every file is declared, every code
this cycle can emit has an example, and the command line agrees."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

import lombardia_2020.plugin
from conciliazione_core import (
    BodyKind,
    Cycle,
    Evidence,
    Host,
    LegalNature,
    Severity,
    TerritorialPlan,
    load_document,
)
from conciliazione_core._cycle import Example
from conciliazione_core._rules import FINDING_CODES
from conciliazione_core.cli import main

CYCLE_ID = "lombardia-2020"
PACKAGE = Path(str(files("lombardia_2020")))
EXAMPLES = PACKAGE / "examples"

#: Every code the standard checks can emit under this cycle's rules (network, territory, lead with two
#: natures, projects with service types, an end date and budgets; no accord or submission rules).
EMITTABLE = {
    "NETWORK_AGENCY_UNKNOWN",
    "NETWORK_AGENCY_SUCCEEDED",
    "NETWORK_LEAD_NOT_AGENCY",
    "NETWORK_DUPLICATE_AGENCY",
    "NETWORK_TOO_MANY",
    "MEMBER_OUTSIDE_TERRITORY",
    "MEMBER_MUNICIPALITY_UNKNOWN",
    "MEMBER_TERRITORY_UNKNOWN",
    "LEAD_NOT_ADMITTED",
    "SERVICE_TYPE_MISSING",
    "SERVICE_TYPE_UNKNOWN",
    "PROJECT_ENDS_LATE",
    "BUDGET_NOT_STATED",
    "NETWORK_LEAD_KIND",
    # the core's plain-sense checks, on in every cycle (plan_officer_questions.toml)
    "PROJECT_ENDS_BEFORE_START",
    "PROJECT_OUTSIDE_PERIOD",
    "DATE_CENTURY_OFF",
    "REQUEST_ABOVE_COST",
    "CO_FINANCING_ABOVE_COST",
    "REQUEST_ABOVE_ENVELOPE",
    "COUNT_NEGATIVE",
    "ID_BLANK",
    "TITLE_BLANK",
    "SERVICE_TYPE_DUPLICATE",
    "REFERENCE_UNKNOWN",
    "BODY_DUPLICATE",
    "NATURE_CONTRADICTS_KIND",
}

#: A code the cycle can emit that no shipped example can show: the kit refuses an example that
#: says it is of another cycle (tests/test_rules.py covers it). DATE_IN_FUTURE is not emittable
#: at all: the cycle pins no `today`, and the examples are checked without a day of the check.
NOT_IN_EXAMPLES = {"CYCLE_MISMATCH"}


@pytest.fixture(scope="module")
def host() -> Host:
    return Host([("lombardia_2020", lombardia_2020.plugin)], use_entry_points=False)


@pytest.fixture(scope="module")
def cycle(host: Host) -> Cycle:
    return host.cycle(CYCLE_ID)


def declared() -> list[Example]:
    return list(
        Host([("p", lombardia_2020.plugin)], use_entry_points=False).cycle(CYCLE_ID).examples
    )


@pytest.mark.parametrize("example", declared(), ids=lambda e: e.file)
def test_each_example_gives_exactly_its_declared_codes(
    host: Host, cycle: Cycle, example: Example
) -> None:
    path = Path(str(cycle.example_path(example)))
    report = host.check(cycle, load_document(path), name=example.file)
    got = [f.code for f in report.findings if f.severity is not Severity.INFO]
    assert got == list(example.codes)
    assert report.admissible is example.admissible
    assert example.description
    for finding in report.findings:
        assert finding.legal_basis is not None, finding.code


def test_every_example_file_is_declared(cycle: Cycle) -> None:
    on_disk = {f"examples/{p.name}" for p in EXAMPLES.iterdir() if p.suffix in (".toml", ".json")}
    assert on_disk == {e.file for e in cycle.examples}


def test_every_code_this_cycle_can_emit_has_an_example(host: Host, cycle: Cycle) -> None:
    assert cycle.rules.accord is None
    assert cycle.rules.submission is None
    seen: set[str] = set()
    for example in cycle.examples:
        path = Path(str(cycle.example_path(example)))
        seen.update(f.code for f in host.check(cycle, load_document(path)).findings)
    assert seen == EMITTABLE
    assert set(FINDING_CODES) >= EMITTABLE
    inadmissible_codes = {
        c
        for e in cycle.examples
        if not e.admissible
        for c in e.codes
        if FINDING_CODES[c][0] is Severity.ERROR
    }
    errors = {c for c in EMITTABLE if FINDING_CODES[c][0] is Severity.ERROR}
    assert inadmissible_codes == errors


def test_an_example_is_admissible_exactly_when_it_declares_no_error(cycle: Cycle) -> None:
    for example in cycle.examples:
        has_error = any(FINDING_CODES[c][0] is Severity.ERROR for c in example.codes)
        assert example.admissible is not has_error, example.file


# ---- the ATS Montagna plan ------------------------------------------------------------------------


def montagna() -> TerritorialPlan:
    plan = load_document(EXAMPLES / "montagna_2020_2023.toml")
    assert isinstance(plan, TerritorialPlan)
    return plan


def test_the_montagna_plan_is_as_published() -> None:
    plan = montagna()
    assert plan.cycle == CYCLE_ID
    assert plan.network.agency == "ATS-MONTAGNA"
    assert plan.network.lead.id == "ATS-MONTAGNA"
    assert plan.network.member_count == 119
    assert plan.network.size == 119
    rows = [(p.title, p.lead.name, p.lead.nature, p.service_types) for p in plan.projects]
    public, non_profit = LegalNature.PUBLIC, LegalNature.PRIVATE_NON_PROFIT
    assert rows == [
        ("Mobilità sociale empowerment", "Comunità Montana Valtellina di Tirano", public, ("A",)),
        ("Progetto Doposcuola", "Comune di Niardo", public, ("B",)),
        ("Baby Hub", "Comune di Tirano", public, ("A",)),
        ("Terzo tempo (Valtellina)", "Coop. Forme", non_profit, ("B",)),
        ("Doposcuola compiti insieme", "Istituto Comprensivo di Darfo", public, ("B",)),
    ]
    assert plan.projects[3].lead.kind is BodyKind.SOCIAL_COOPERATIVE
    # Budgets are unknown: the optional fields stay empty.
    assert all(p.requested is None and not p.budget_lines for p in plan.projects)


def test_the_montagna_plan_is_admissible_with_budgets_as_information(
    host: Host, cycle: Cycle
) -> None:
    report = host.check(cycle, montagna())
    assert report.admissible
    assert [(f.code, f.severity, f.path) for f in report.findings] == [
        ("BUDGET_NOT_STATED", Severity.INFO, f"$.projects[{i}].requested") for i in range(5)
    ]


# ---- the parameter file's citations ------------------------------------------------------------------


def test_every_rule_cites_a_basis_and_inferences_say_so(cycle: Cycle) -> None:
    rules = cycle.rules
    assert rules.network is not None
    assert rules.lead is not None
    assert rules.projects is not None
    assert cycle.cite(rules.network.basis).evidence is Evidence.INFERENCE
    assert cycle.cite(rules.lead.basis).evidence is Evidence.INFERENCE
    assert rules.lead.natures == (LegalNature.PUBLIC, LegalNature.PRIVATE_NON_PROFIT)
    assert cycle.cite(rules.projects.basis).evidence is Evidence.DOCUMENT
    assert rules.projects.ends_by_basis is not None
    assert cycle.cite(rules.projects.ends_by_basis).evidence is Evidence.INFERENCE
    assert cycle.cite("funding").evidence is Evidence.SOURCE
    for key in ("split_default", "population_rounding", "ats_population_split"):
        assert cycle.cite(key).evidence is Evidence.INFERENCE, key
    assert [str(b) for b in cycle.legal_basis] == [
        "D.G.R. XI/2398 of 11/11/2019",
        "Decreto n. 486 of 17/01/2020",
    ]
    for assumption in cycle.assumptions:
        assert assumption.basis in cycle.citations


# ---- the command line -------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, out, err


def test_cli_check_of_the_montagna_plan_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "check", CYCLE_ID, str(EXAMPLES / "montagna_2020_2023.toml"))
    assert code == 0
    assert "admissible (lombardia-2020)" in out
    assert "NOT admissible" not in out
    assert out.count("INFO    BUDGET_NOT_STATED") == 5


def test_cli_check_of_an_inadmissible_example_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(
        capsys, "check", CYCLE_ID, str(EXAMPLES / "cremona_network_2014.toml"), "--format", "json"
    )
    assert code == 1
    assert '"admissible": false' in out
    assert "NETWORK_AGENCY_SUCCEEDED" in out


def test_cli_check_of_a_broken_document_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'kind = "project"\nid = "p"\ntitle = "P"\n'
        'lead = { id = "x", name = "X", kind = "spaceship" }\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", CYCLE_ID, str(bad))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "$.lead.kind" in err
    assert "bad.toml" in err


# ---- the core's conformance kit ----------------------------------------------------------------------


def test_the_kit_agrees_on_which_codes_this_cycle_can_emit(cycle: Cycle) -> None:
    from conciliazione_core.testing._conformance import emittable_codes

    assert set(emittable_codes(cycle)) == EMITTABLE | NOT_IN_EXAMPLES


@pytest.mark.parametrize(
    "check", ["parameters", "legal_basis", "dates", "allocation", "messages", "examples"]
)
def test_the_cycle_passes_the_conformance_kit(host: Host, cycle: Cycle, check: str) -> None:
    from conciliazione_core.testing._conformance import run_check

    assert run_check(check, cycle, host, max_examples=10) == []
