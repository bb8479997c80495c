"""The cycle's parameter file and example documents, checked as the conformance kit would; and
what is unknown stays out of the rules, each assumption cited as an inference with a note."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

import lombardia_2025.plugin
from conciliazione_core import Cycle, Evidence, Host, Severity, load_document
from conciliazione_core._cycle import Example
from conciliazione_core._rules import FINDING_CODES
from conciliazione_core.cli import main

CYCLE_ID = "lombardia-2025"
EXAMPLES = Path(str(files("lombardia_2025"))) / "examples"

#: Only the network rule is set (a default assumption); lead, projects, accord and submission
#: rules need facts that are unknown and are left out.
EMITTABLE = {
    "NETWORK_AGENCY_UNKNOWN",
    "NETWORK_AGENCY_SUCCEEDED",
    "NETWORK_LEAD_NOT_AGENCY",
    "NETWORK_DUPLICATE_AGENCY",
    "NETWORK_TOO_MANY",
}


@pytest.fixture(scope="module")
def host() -> Host:
    return Host([("lombardia_2025", lombardia_2025.plugin)], use_entry_points=False)


@pytest.fixture(scope="module")
def cycle(host: Host) -> Cycle:
    return host.cycle(CYCLE_ID)


def declared() -> list[Example]:
    host = Host([("p", lombardia_2025.plugin)], use_entry_points=False)
    return list(host.cycle(CYCLE_ID).examples)


@pytest.mark.parametrize("example", declared(), ids=lambda e: e.file)
def test_each_example_gives_exactly_its_declared_codes(
    host: Host, cycle: Cycle, example: Example
) -> None:
    path = Path(str(cycle.example_path(example)))
    report = host.check(cycle, load_document(path), name=example.file)
    assert [f.code for f in report.findings if f.severity is not Severity.INFO] == list(
        example.codes
    )
    assert report.admissible is example.admissible
    assert example.description


def test_every_example_file_is_declared(cycle: Cycle) -> None:
    on_disk = {f"examples/{p.name}" for p in EXAMPLES.iterdir() if p.suffix in (".toml", ".json")}
    assert on_disk == {e.file for e in cycle.examples}


def test_every_code_this_cycle_can_emit_has_an_example(host: Host, cycle: Cycle) -> None:
    seen: set[str] = set()
    for example in cycle.examples:
        path = Path(str(cycle.example_path(example)))
        seen.update(f.code for f in host.check(cycle, load_document(path)).findings)
    assert seen == EMITTABLE
    assert set(FINDING_CODES) >= EMITTABLE


def test_a_company_lead_is_not_checked_because_the_rule_is_unknown(
    host: Host, cycle: Cycle
) -> None:
    report = host.check(cycle, load_document(EXAMPLES / "project_company_lead.toml"))
    assert report.admissible
    assert report.findings == ()


def test_the_unknown_rules_are_left_out(cycle: Cycle) -> None:
    rules = cycle.rules
    assert rules.lead is None
    assert rules.projects is None
    assert rules.accord is None
    assert rules.submission is None
    assert rules.network is not None
    assert cycle.cite(rules.network.basis).evidence is Evidence.INFERENCE


def test_the_known_facts_are_sources_and_the_rest_inferences_with_notes(cycle: Cycle) -> None:
    assert cycle.cite("guidelines_2025").evidence is Evidence.SOURCE
    assert cycle.cite("funding").evidence is Evidence.SOURCE
    assert "number not known" in str(cycle.cite("funding").act)
    for key in ("ats_networks", "population_date", "rounding", "no_retained_part"):
        basis = cycle.cite(key)
        assert basis.evidence is Evidence.INFERENCE, key
        assert basis.note, key
    ids = {a.id for a in cycle.assumptions}
    assert ids >= {"population_date", "derived_population", "rounding", "no_retained_part"}
    for assumption in cycle.assumptions:
        assert assumption.basis in cycle.citations


def test_cli_check_exits_1_on_an_inadmissible_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", CYCLE_ID, str(EXAMPLES / "network_lead_not_ats.toml")])
    assert exit_info.value.code == 1
    assert "NETWORK_LEAD_NOT_AGENCY" in capsys.readouterr().out


def test_the_kit_agrees_on_which_codes_this_cycle_can_emit(cycle: Cycle) -> None:
    # And the core's: NETWORK_LEAD_KIND with the network rule, the plain-sense codes in every
    # cycle (shown by lombardia_2020's examples; DATE_IN_FUTURE needs the day of the check).
    from conciliazione_core._plain_sense import PLAIN_SENSE_RULES
    from conciliazione_core.testing._conformance import emittable_codes

    plain_sense = {c.code for rule in PLAIN_SENSE_RULES for c in rule.codes}
    assert set(emittable_codes(cycle)) == (
        EMITTABLE | {"NETWORK_LEAD_KIND"} | plain_sense - {"DATE_IN_FUTURE"}
    )


@pytest.mark.parametrize(
    "check", ["parameters", "legal_basis", "dates", "allocation", "messages", "examples"]
)
def test_the_cycle_passes_the_conformance_kit(host: Host, cycle: Cycle, check: str) -> None:
    from conciliazione_core.testing._conformance import run_check

    assert run_check(check, cycle, host, max_examples=10) == []
