"""The conformance kit: its checks pass on the shipped cycles and fail on broken ones, and the
pytest plugin turns them into one test item per (cycle, check)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import attrs
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from conciliazione_core import allocation as allocation_package
from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._errors import InputError
from conciliazione_core._host import Host
from conciliazione_core._rules import FINDING_CODES
from conciliazione_core.i18n import LANGUAGES
from conciliazione_core.testing import _conformance as conformance
from conciliazione_core.testing._conformance import (
    CHECKS,
    check_allocation,
    check_dates,
    check_examples,
    check_legal_basis,
    check_messages,
    check_parameters,
    emittable_codes,
    run_check,
    run_checks,
)

pytest_plugins = ["pytester"]

# A small valid cycle; each test breaks one thing with a textual edit. Figures are test data.
BASE = """
[cycle]
id = "{id}"
title = "Conformance test cycle (not a real cycle)"
level = "ATS"
period = {{ start = 2030-01-01, end = 2031-12-31 }}
legal_basis = ["act"]

[citations.act]
act = "Test act (not a real act)"
evidence = "document"

[citations.guess]
act = "Test assumption"
note = "Made up for the test."
evidence = "inference"

[rules.network]
basis = "act"
lead_is_agency = true
one_per_agency = true

[rules.accord]
basis = "act"
signed_by = 2030-03-31

[rules.submission]
basis = "act"
proposals_by = 2030-05-31
plans_by = 2030-06-30

[rules.projects]
basis = "act"
ends_by = 2031-06-30
budget_expected = false

[allocation]
total = "1000"
rounding = {{ strategy = "largest_remainder", unit = "1" }}

[[allocation.envelopes]]
id = "agencies"
kind = "equal"
label = "Equal shares"
amount = "900"
basis = "act"

[[allocation.envelopes]]
id = "kept"
kind = "retained"
label = "Kept"
amount = "100"
basis = "guess"

[[assumptions]]
id = "guess"
text = "A test assumption."
basis = "guess"
"""

PLAN = """
kind = "territorial_plan"
id = "plan"
cycle = "{cycle}"

[network]
id = "net-bergamo"
name = "Test network"
agency = "ATS-BERGAMO"
lead = {{ id = "ATS-BERGAMO", name = "ATS di Bergamo", kind = "ats" }}
accord = {{ id = "accord", kind = "network", signed_on = {signed} }}
"""

EXAMPLE = """
[[examples]]
file = "examples/plan.toml"
admissible = {admissible}
codes = {codes}
"""


def make_cycle(
    folder: Path,
    edits: dict[str, str] | None = None,
    *,
    cycle_id: str = "test-2030",
    extra: str = "",
    files: dict[str, str] | None = None,
) -> Cycle:
    """Write BASE (with ``old -> new`` text edits and ``extra`` appended) and load it."""
    text = BASE.format(id=cycle_id)
    for old, new in (edits or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cycle.toml").write_text(text + extra, encoding="utf-8")
    for rel, content in (files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(content, encoding="utf-8")
    return load_cycle(folder / "cycle.toml")


def texts(problems: list[object]) -> str:
    return "\n".join(str(p) for p in problems)


@pytest.fixture
def bare_host() -> Host:
    """A host with no plugin: examples get the standard checks only."""
    return Host(use_entry_points=False)


# ---- the shipped cycles conform -----------------------------------------------------------------


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("cycle_id", ["lombardia-2014", "lombardia-2020"])
def test_shipped_cycles_pass_every_check(host: Host, cycle_id: str, check: str) -> None:
    problems = run_check(check, host.cycle(cycle_id), host, max_examples=10)
    assert problems == [], texts(list(problems))


def test_the_base_test_cycle_passes_every_check(tmp_path: Path, bare_host: Host) -> None:
    results = run_checks(make_cycle(tmp_path), bare_host, max_examples=5)
    assert list(results) == list(CHECKS)
    assert all(problems == [] for problems in results.values()), results


def test_run_check_names_the_known_checks(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="parameters, legal_basis"):
        run_check("spelling", make_cycle(tmp_path))


# ---- parameters ---------------------------------------------------------------------------------


def test_parameters_reports_a_plan_that_does_not_parse(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:  # refused when the cycle loads...
        make_cycle(tmp_path / "at-load", {'amount = "900"': 'amount = "800"'})
    assert [p.path for p in info.value.problems] == ["$.allocation.total"]
    cycle = make_cycle(tmp_path)  # ...and when the file changed since
    path = tmp_path / "cycle.toml"
    path.write_text(path.read_text().replace('amount = "900"', 'amount = "800"'))
    problems = check_parameters(cycle)
    assert [p.path for p in problems] == ["$.allocation.total"]
    assert "add up to" in problems[0].message


def test_parameters_reads_the_cycle_with_the_envelope_kinds_its_host_holds() -> None:
    """A cycle whose allocation uses a kind its plugin adds (the example plugin's ``given``)
    reloads with the host's kinds, not the core's alone."""
    from cofinancing import plugin as cofinancing_plugin
    from conciliazione_core import hookimpl

    given_cycle = Path(cofinancing_plugin.__file__).parents[2] / "tests" / "given_cycle"

    class GivenCycle:
        @hookimpl
        def conciliazione_cycles(self) -> list[Cycle]:
            return [load_cycle(given_cycle / "cycle.toml")]

    host = Host(
        [("cofinancing", cofinancing_plugin), ("given_cycle", GivenCycle())],
        use_entry_points=False,
    )
    cycle = host.cycle("given-test")
    assert check_parameters(cycle, host) == []
    # The core's kinds alone do not know the kind: that is what the host's registry is for.
    with pytest.raises(InputError, match="unknown kind 'given'"):
        load_cycle(given_cycle / "cycle.toml")


def test_parameters_reports_a_missing_data_file(tmp_path: Path) -> None:
    cycle = make_cycle(
        tmp_path, {"[rules.network]": '[data]\npop = "data/pop.csv"\n\n[rules.network]'}
    )
    problems = check_parameters(cycle)
    assert [p.path for p in problems] == ["$.data.pop"]
    assert "cannot read" in problems[0].message


def test_parameters_reports_data_rows_that_are_not_recipients(tmp_path: Path) -> None:
    csv = (
        "id,name,pop,source,reference_date,status\n"
        "ATS-BERGAMO,Bergamo,10,test,2030-01-01,official\n"
        "ATS-ATLANTIS,Atlantis,5,test,2030-01-01,official\n"
    )
    cycle = make_cycle(
        tmp_path,
        {"[rules.network]": '[data]\npop = "data/pop.csv"\n\n[rules.network]'},
        files={"data/pop.csv": csv},
    )
    problems = check_parameters(cycle)
    assert len(problems) == 1
    assert "ATS-ATLANTIS" in problems[0].message


def test_parameters_reports_default_data_lacking_the_plan_indicator(tmp_path: Path) -> None:
    csv = "id,name,other,source,reference_date,status\nATS-BERGAMO,B,1,test,2030-01-01,official\n"
    cycle = make_cycle(
        tmp_path,
        {
            "[cycle]": 'default_data = "pop"\n\n[cycle]',
            "[rules.network]": '[data]\npop = "data/pop.csv"\n\n[rules.network]',
            'kind = "equal"': 'kind = "proportional"\nindicator = "population"',
        },
        files={"data/pop.csv": csv},
    )
    problems = check_parameters(cycle)
    assert len(problems) == 1
    assert "population" in problems[0].message


# ---- legal basis --------------------------------------------------------------------------------


def _with_envelope_basis(cycle: Cycle, index: int, basis: str | None) -> Cycle:
    """The cycle with raw allocation data the loader would refuse (a hand-made Cycle)."""
    data = copy.deepcopy(dict(cycle.allocation_data or {}))
    if basis is None:
        del data["envelopes"][index]["basis"]
    else:
        data["envelopes"][index]["basis"] = basis
    return attrs.evolve(cycle, allocation_data=data)


def test_legal_basis_fails_on_an_envelope_without_basis(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"envelopes\[0\]\.basis: missing"):
        make_cycle(tmp_path / "refused", {'amount = "900"\nbasis = "act"': 'amount = "900"'})
    cycle = _with_envelope_basis(make_cycle(tmp_path), 0, None)
    problems = check_legal_basis(cycle)
    assert [(p.path, p.message) for p in problems] == [
        ("$.allocation.envelopes[0].basis", "envelope has no legal basis")
    ]


def test_legal_basis_fails_on_an_envelope_citing_nothing_known(tmp_path: Path) -> None:
    cycle = _with_envelope_basis(make_cycle(tmp_path), 1, "x")
    problems = check_legal_basis(cycle)
    assert [p.path for p in problems] == ["$.allocation.envelopes[1].basis"]
    assert "'x'" in problems[0].message


def test_legal_basis_fails_on_a_cycle_citing_no_act(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path, {'legal_basis = ["act"]': "legal_basis = []"})
    assert [p.path for p in check_legal_basis(cycle)] == ["$.cycle.legal_basis"]


def test_legal_basis_checks_rules_of_a_cycle_built_in_code(tmp_path: Path) -> None:
    import attrs

    cycle = make_cycle(tmp_path)
    assert cycle.rules.network is not None
    broken = attrs.evolve(
        cycle,
        rules=attrs.evolve(
            cycle.rules,
            sections={**cycle.rules, "network": attrs.evolve(cycle.rules.network, basis="")},
        ),
    )
    assert [p.path for p in check_legal_basis(broken)] == ["$.rules.network.basis"]


@pytest.mark.parametrize(
    ("citation", "fault"),
    [
        ('act = "A"\nevidence = "inference"', "inference without a note"),
        ('act = "A"\nevidence = "source"', "neither a url nor a note"),
        ('act = "A"\nurl = "ftp://x.example/a"', "not an http(s) address"),
    ],
)
def test_legal_basis_fails_on_a_malformed_citation(
    tmp_path: Path, citation: str, fault: str
) -> None:
    cycle = make_cycle(tmp_path, extra=f"\n[citations.bad]\n{citation}\n")
    problems = check_legal_basis(cycle)
    assert [p.path for p in problems] == ["$.citations.bad"]
    assert fault in problems[0].message
    assert "no rule uses it" in problems[0].message


def test_legal_basis_accepts_an_unused_well_formed_citation(tmp_path: Path) -> None:
    extra = '\n[citations.spare]\nact = "A"\nurl = "https://example.org/a"\nevidence = "source"\n'
    assert check_legal_basis(make_cycle(tmp_path, extra=extra)) == []


# ---- dates --------------------------------------------------------------------------------------


def test_dates_fail_when_the_accord_deadline_follows_the_proposals(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path, {"signed_by = 2030-03-31": "signed_by = 2030-06-15"})
    problems = check_dates(cycle)
    assert [p.path for p in problems] == ["$.rules.submission.proposals_by"]
    assert "accords signed by 2030-06-15" in problems[0].message


def test_dates_fail_when_plans_come_before_proposals(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path, {"plans_by = 2030-06-30": "plans_by = 2030-04-30"})
    assert [p.path for p in check_dates(cycle)] == ["$.rules.submission.plans_by"]


def test_dates_fail_on_a_deadline_after_the_period(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path, {"ends_by = 2031-06-30": "ends_by = 2032-06-30"})
    problems = check_dates(cycle)
    assert [p.path for p in problems] == ["$.rules.projects.ends_by"]
    assert "after the period ends" in problems[0].message


def test_dates_fail_on_a_deadline_long_before_the_period(tmp_path: Path) -> None:
    edits = {"signed_by = 2030-03-31": "signed_by = 2003-03-31"}
    problems = check_dates(make_cycle(tmp_path, edits))
    assert [p.path for p in problems] == ["$.rules.accord.signed_by"]
    assert "a typo?" in problems[0].message


def test_dates_accept_a_deadline_shortly_before_the_period(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path, {"signed_by = 2030-03-31": "signed_by = 2029-12-01"})
    assert check_dates(cycle) == []


def test_dates_fail_on_a_period_that_ends_before_it_starts(tmp_path: Path) -> None:
    import attrs

    from conciliazione_core._cycle import Period

    cycle = make_cycle(tmp_path)
    broken = attrs.evolve(cycle, period=Period(cycle.period.end, cycle.period.start))
    assert "$.cycle.period" in [p.path for p in check_dates(broken)]


# ---- allocation ---------------------------------------------------------------------------------


def test_allocation_fails_when_a_fixed_envelope_does_not_fit_the_recipients(
    tmp_path: Path,
) -> None:
    edits = {
        'kind = "equal"\nlabel = "Equal shares"': 'kind = "fixed"\nlabel = "Fixed"\nper_recipient = "100"'
    }
    problems = check_allocation(make_cycle(tmp_path, edits), max_examples=3)
    assert [p.path for p in problems] == ["$.allocation"]
    assert "on the shipped data" in problems[0].message


def test_allocation_catches_an_engine_that_ignores_its_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = "id,name,pop,source,reference_date,status\n" + "".join(
        f"{a},{a},{k + 1},test,2030-01-01,official\n"
        for k, a in enumerate(
            [
                "ATS-BERGAMO",
                "ATS-BRESCIA",
                "ATS-BRIANZA",
                "ATS-INSUBRIA",
                "ATS-MILANO",
                "ATS-MONTAGNA",
                "ATS-PAVIA",
                "ATS-VALPADANA",
            ]
        )
    )
    cycle = make_cycle(
        tmp_path,
        {
            "[cycle]": 'default_data = "pop"\n\n[cycle]',
            "[rules.network]": '[data]\npop = "data/pop.csv"\n\n[rules.network]',
            'kind = "equal"': 'kind = "proportional"\nindicator = "pop"',
        },
        files={"data/pop.csv": csv},
    )
    assert check_allocation(cycle, max_examples=5) == []
    real = allocation_package.allocate

    def reversed_weights(plan, recipients, table, **kwargs):  # type: ignore[no-untyped-def]
        if table is not None:
            rows = table.rows
            swapped = [
                type(r)(r.id, r.name, other.values, r.provenance)
                for r, other in zip(rows, reversed(rows), strict=True)
            ]
            table = type(table)(table.indicators, swapped)
        return real(plan, recipients, table, **kwargs)

    monkeypatch.setattr(allocation_package, "allocate", reversed_weights)
    problems = check_allocation(cycle, max_examples=5)
    assert [p.path for p in problems] == ["$.allocation", "$.allocation"]
    assert "on the shipped data" in problems[0].message
    assert "on a generated indicator table" in problems[1].message
    assert "quota" in problems[1].message


def test_allocation_is_empty_for_a_cycle_without_allocation(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path)
    import attrs

    assert check_allocation(attrs.evolve(cycle, allocation_data=None)) == []


# ---- messages -----------------------------------------------------------------------------------


def test_every_finding_code_is_emittable_by_some_rules(ats_cycle: Cycle, asl_cycle: Cycle) -> None:
    """The map from rules to codes covers FINDING_CODES: a new code must be added to it.

    ``DATE_IN_FUTURE`` needs the day of the check, which a parameter file does not set unless it
    pins ``[rules.dates] today``: the test cycles' pinned twin emits it."""
    emitted = set(emittable_codes(ats_cycle)) | set(emittable_codes(asl_cycle))
    assert emitted == set(FINDING_CODES) - {"DATE_IN_FUTURE"}
    pinned = attrs.evolve(ats_cycle, rules=ats_cycle.rules.on(dt.date(2020, 4, 1)))
    assert "DATE_IN_FUTURE" in emittable_codes(pinned)


def test_emittable_codes_follow_the_rules(tmp_path: Path, cycle_2020: Cycle) -> None:
    codes = emittable_codes(cycle_2020)
    assert "SERVICE_TYPE_UNKNOWN" in codes
    assert "LEAD_NOT_ADMITTED" in codes
    assert not [c for c in codes if c.startswith("ACCORD_") or c == "LEAD_NOT_PUBLIC"]
    base = emittable_codes(make_cycle(tmp_path))
    assert "BUDGET_NOT_STATED" not in base  # budget_expected = false
    assert "PROPOSAL_NOT_THROUGH_AGENCY" not in base  # through_agency defaults to false


def _catalogue(folder: Path, translations: dict[str, str]) -> Path:
    catalog = Catalog(locale="it", domain="conciliazione")
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    target = folder / "it" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "conciliazione.mo").open("wb") as out:
        write_mo(out, catalog)
    return folder


def test_messages_need_a_catalogue_for_every_shipped_language(tmp_path: Path) -> None:
    assert "it" in LANGUAGES
    problems = check_messages(make_cycle(tmp_path / "c"), locale_dir=tmp_path / "empty")
    assert [p.path for p in problems] == ["locale/it"]
    assert "catalogue" in problems[0].message


def test_messages_pass_with_a_complete_catalogue(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path / "c")
    full = {FINDING_CODES[c][1]: "IT " + FINDING_CODES[c][1] for c in emittable_codes(cycle)}
    assert check_messages(cycle, locale_dir=_catalogue(tmp_path / "l", full)) == []


def test_messages_fail_on_a_missing_translation_and_a_wrong_placeholder(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path / "c")
    codes = emittable_codes(cycle)
    translations = {FINDING_CODES[c][1]: "IT " + FINDING_CODES[c][1] for c in codes}
    del translations[FINDING_CODES["ACCORD_LATE"][1]]
    translations[FINDING_CODES["PLAN_LATE"][1]] = "Piano presentato il {data}."
    problems = check_messages(cycle, locale_dir=_catalogue(tmp_path / "l", translations))
    assert [p.path for p in problems] == ["locale/it:ACCORD_LATE", "locale/it:PLAN_LATE"]
    assert "no it translation" in problems[0].message
    assert "placeholders" in problems[1].message


# ---- examples -----------------------------------------------------------------------------------


def _with_example(folder: Path, signed: str, admissible: str, codes: str) -> Cycle:
    return make_cycle(
        folder,
        extra=EXAMPLE.format(admissible=admissible, codes=codes),
        files={"examples/plan.toml": PLAN.format(cycle="test-2030", signed=signed)},
    )


def test_examples_pass_when_declared_right(tmp_path: Path, bare_host: Host) -> None:
    cycle = _with_example(tmp_path, "2030-04-15", "false", '["ACCORD_LATE"]')
    assert check_examples(cycle, bare_host) == []


def test_examples_fail_when_misdeclared(tmp_path: Path, bare_host: Host) -> None:
    cycle = _with_example(tmp_path, "2030-04-15", "true", "[]")
    problems = check_examples(cycle, bare_host)
    assert [p.path for p in problems] == ["$.examples[0].admissible", "$.examples[0].codes"]
    assert "is not admissible, declared admissible" in problems[0].message
    assert "undeclared: ACCORD_LATE" in problems[1].message


def test_examples_compare_codes_exactly(tmp_path: Path, bare_host: Host) -> None:
    cycle = _with_example(tmp_path, "2030-03-01", "true", '["ACCORD_LATE"]')
    problems = check_examples(cycle, bare_host)
    assert [p.path for p in problems] == ["$.examples[0].codes"]
    assert "not found: ACCORD_LATE" in problems[0].message


def test_examples_fail_on_a_missing_file_and_an_undeclared_one(
    tmp_path: Path, bare_host: Host
) -> None:
    extra = EXAMPLE.format(admissible="true", codes="[]").replace("plan.toml", "gone.toml")
    cycle = make_cycle(
        tmp_path,
        extra=extra,
        files={"examples/plan.toml": PLAN.format(cycle="test-2030", signed="2030-03-01")},
    )
    problems = check_examples(cycle, bare_host)
    assert [p.path for p in problems] == ["$.examples[0].file", "$.examples"]
    assert "examples/plan.toml is shipped but not declared" in problems[1].message


def test_examples_fail_on_a_document_of_another_cycle(tmp_path: Path, bare_host: Host) -> None:
    cycle = make_cycle(
        tmp_path,
        extra=EXAMPLE.format(admissible="true", codes="[]"),
        files={"examples/plan.toml": PLAN.format(cycle="other-2030", signed="2030-03-01")},
    )
    problems = check_examples(cycle, bare_host)
    # The kit says so, and so does the check itself (the plain-sense warning CYCLE_MISMATCH).
    assert [p.path for p in problems] == ["$.examples[0].file", "$.examples[0].codes"]
    assert "other-2030" in problems[0].message
    assert "undeclared: CYCLE_MISMATCH" in problems[1].message


def test_examples_report_a_document_that_does_not_parse(tmp_path: Path, bare_host: Host) -> None:
    cycle = make_cycle(
        tmp_path,
        extra=EXAMPLE.format(admissible="true", codes="[]"),
        files={"examples/plan.toml": 'kind = "territorial_plan"\nid = 3\n'},
    )
    problems = check_examples(cycle, bare_host)
    assert problems
    assert all("examples/plan.toml" in p.message for p in problems)


def test_the_kit_is_a_public_module() -> None:
    assert set(conformance.__all__) >= {"CHECKS", "run_check", "check_examples"}


# ---- the pytest plugin --------------------------------------------------------------------------

PLUGIN = """
import copy
from pathlib import Path

from conciliazione_core import hookimpl, load_cycle


@hookimpl
def conciliazione_cycles():
    return [load_cycle(Path(__file__).parent / "{folder}" / "cycle.toml")]
"""


def _plugin(pytester: pytest.Pytester, name: str, cycle: str) -> None:
    """A plugin module ``name`` whose cycle lives in ``name_cycle/cycle.toml``."""
    folder = pytester.path / f"{name}_cycle"
    folder.mkdir()
    (folder / "cycle.toml").write_text(cycle, encoding="utf-8")
    pytester.makepyfile(**{name: PLUGIN.format(folder=f"{name}_cycle")})
    pytester.syspathinsert()


def test_the_plugin_does_nothing_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_one():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "conciliazione[" not in result.stdout.str()


def test_the_plugin_passes_a_good_cycle(pytester: pytest.Pytester) -> None:
    _plugin(pytester, "good_plugin", BASE.format(id="good-2030"))
    result = pytester.runpytest(
        "--conciliazione-cycle",
        "good-2030",
        "--conciliazione-plugin",
        "good_plugin",
        "--conciliazione-max-examples",
        "3",
        "-v",
    )
    result.assert_outcomes(passed=len(CHECKS))
    result.stdout.fnmatch_lines(["*conciliazione?good-2030::examples? PASSED*"])


def test_the_plugin_fails_a_broken_cycle_check_by_check(pytester: pytest.Pytester) -> None:
    broken = BASE.format(id="broken-2030")
    broken = broken.replace('note = "Made up for the test."\n', "")  # an inference, unexplained
    broken = broken.replace("plans_by = 2030-06-30", "plans_by = 2030-04-30")  # unordered
    broken += EXAMPLE.format(admissible="true", codes="[]")  # misdeclared
    _plugin(pytester, "broken_plugin", broken)
    plan = PLAN.format(cycle="broken-2030", signed="2030-04-15")
    (pytester.path / "broken_plugin_cycle" / "examples").mkdir()
    (pytester.path / "broken_plugin_cycle" / "examples" / "plan.toml").write_text(plan)
    result = pytester.runpytest(
        "--conciliazione-cycle",
        "broken-2030",
        "--conciliazione-plugin",
        "broken_plugin",
        "--conciliazione-max-examples",
        "3",
        "-rf",
    )
    failed = {"legal_basis", "dates", "examples"}
    result.assert_outcomes(failed=len(failed), passed=len(CHECKS) - len(failed))
    out = result.stdout.str()
    for check in failed:
        assert f"FAILED ::conciliazione[broken-2030::{check}]" in out
    assert "$.citations.guess: citation 'guess' is an inference without a note" in out
    assert "plans by 2030-04-30 comes before proposals by 2030-05-31" in out
    assert "plan.toml gives codes ['ACCORD_LATE'], declared []" in out
    result.stdout.fnmatch_lines(
        [
            "cycle 'broken-2030' fails the 'dates' check:",
            "  $.rules.submission.plans_by: plans by 2030-04-30 comes before proposals by *",
        ]
    )


def test_the_plugin_fails_an_unknown_cycle(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--conciliazione-cycle", "nowhere-2030", "-k", "dates")
    result.assert_outcomes(failed=1, deselected=len(CHECKS) - 1)
    result.stdout.fnmatch_lines(["*unknown cycle 'nowhere-2030'*"])


def test_the_plugin_checks_all_cycles_and_reports_faulty_plugins(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        faulty_plugin=(
            "from conciliazione_core import hookimpl\n\n"
            "@hookimpl\ndef conciliazione_cycles():\n    raise RuntimeError('boom')\n"
        )
    )
    pytester.syspathinsert()
    result = pytester.runpytest(
        "--conciliazione-cycle",
        "all",
        "--conciliazione-plugin",
        "faulty_plugin",
        "--collect-only",
        "-q",
    )
    out = result.stdout.str()
    for cycle_id in (
        "lombardia-2014",
        "lombardia-2017",
        "lombardia-2019",
        "lombardia-2020",
        "lombardia-2025",
    ):
        for check in CHECKS:
            assert f"::conciliazione[{cycle_id}::{check}]" in out
    assert "::conciliazione[faulty_plugin::loads]" in out
    result = pytester.runpytest(
        "--conciliazione-cycle", "all", "--conciliazione-plugin", "faulty_plugin", "-k", "loads"
    )
    result.assert_outcomes(failed=1, deselected=5 * len(CHECKS))
    result.stdout.fnmatch_lines(
        ["*faulty_plugin: raised in conciliazione_cycles: RuntimeError: boom*"]
    )


def test_the_pytest11_entry_point_names_this_plugin() -> None:
    from importlib.metadata import entry_points

    found = [ep.value for ep in entry_points(group="pytest11") if ep.name == "conciliazione"]
    assert found == ["conciliazione_core.testing._pytest_plugin"]


def test_a_broken_plugin_module_in_the_kit_is_named(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "--conciliazione-cycle", "x-2030", "--conciliazione-plugin", "no_such_module_here"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--conciliazione-plugin no_such_module_here: cannot import it*"])
