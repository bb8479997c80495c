"""The plain-sense checks: on in every cycle, warnings citing the core's plain sense, never an
error; "in the future" is judged against the check's own date, never the rules' clock.

Each code's bad document and corrected twin are in tests/test_rules.py (CASES); here: the
reference date, what-ifs on a default section, the citation, the model field they need, and the
invariants over generated documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conciliazione_core as cc
from conciliazione_core._bodies import Body, BodyKind, LegalNature
from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._documents import (
    Alliance,
    BudgetLine,
    Document,
    Project,
    SystemAction,
    TerritorialPlan,
)
from conciliazione_core._errors import InputError
from conciliazione_core._findings import Severity
from conciliazione_core._host import Host
from conciliazione_core._legal import PLAIN_SENSE, Evidence
from conciliazione_core._money import Money
from conciliazione_core._plain_sense import PLAIN_SENSE_RULES, DatesRules
from conciliazione_core._rule_registry import Rule, RuleRegistry
from conciliazione_core._rules import standard_checks
from conciliazione_core._schema import json_schema
from conciliazione_core.testing._models import documents

D = dt.date
PLAIN_SENSE_CODES = {code.code for rule in PLAIN_SENSE_RULES for code in rule.codes}
COMUNE = Body(id="comune-tirano", name="Comune di Tirano", kind=BodyKind.MUNICIPALITY)
SUBMITTED = Project(
    id="p",
    title="Baby Hub",
    lead=COMUNE,
    service_types=("A",),
    requested=Money.euros(1000),
    submitted_on=D(2020, 5, 1),
    submitted_through="ATS-MONTAGNA",
)


def codes(report: cc.Report) -> list[str]:
    return [f.code for f in report.findings]


# ---- the citation ---------------------------------------------------------------------------------


def test_every_plain_sense_code_is_a_warning() -> None:
    """Not law: a plain-sense finding never makes a document inadmissible."""
    for rule in PLAIN_SENSE_RULES:
        assert rule.default is not None
        assert rule.default.basis == "plain_sense"
        for code in rule.codes:
            assert code.severity is Severity.WARNING, code.code


def test_the_plain_sense_citation_says_it_is_no_act() -> None:
    assert PLAIN_SENSE.evidence is Evidence.INFERENCE
    assert "No act of the cycle says this" in str(PLAIN_SENSE.note or "")
    assert str(PLAIN_SENSE) == "conciliazione-core plain-sense checks [inference]"
    assert cc.PLAIN_SENSE is PLAIN_SENSE


def test_a_cycle_may_cite_its_own_act_for_a_plain_sense_rule(tmp_path: Path) -> None:
    path = tmp_path / "cycle.toml"
    path.write_text(
        '[cycle]\nid = "own"\ntitle = "Own"\nlevel = "ATS"\n'
        'period = { start = 2020-01-01, end = 2020-12-31 }\nlegal_basis = ["act"]\n'
        '[citations.act]\nact = "D.G.R. test"\n'
        '[rules.figures]\nbasis = "act"\nenvelope = false\n',
        encoding="utf-8",
    )
    cycle = load_cycle(path)
    project = attrs.evolve(SUBMITTED, budget_lines=(BudgetLine("x", Money.euros(10)),))
    [found] = standard_checks(cycle, project)
    assert found.code == "REQUEST_ABOVE_COST"
    assert found.legal_basis == cycle.cite("act")
    # The other plain-sense rules keep their default, citing the core's plain sense.
    assert cycle.rules.dates == DatesRules()


def test_a_cycle_that_defines_plain_sense_keeps_its_own(tmp_path: Path) -> None:
    path = tmp_path / "cycle.toml"
    path.write_text(
        '[cycle]\nid = "own"\ntitle = "Own"\nlevel = "ATS"\n'
        "period = { start = 2020-01-01, end = 2020-12-31 }\nlegal_basis = []\n"
        '[citations.plain_sense]\nact = "Our own common sense"\n',
        encoding="utf-8",
    )
    cycle = load_cycle(path)
    assert cycle.cite("plain_sense").act == "Our own common sense"
    [found] = standard_checks(cycle, attrs.evolve(SUBMITTED, beneficiaries=-1))
    assert found.legal_basis is not None
    assert found.legal_basis.act == "Our own common sense"


def test_a_rules_default_must_be_its_parameters() -> None:
    [dates, *_rest] = PLAIN_SENSE_RULES
    wrong = attrs.evolve(dates, default=object())
    with pytest.raises(ValueError, match="its default must be a DatesRules"):
        RuleRegistry().with_rule(wrong, "p")


def test_a_rule_without_a_default_stays_off(tmp_path: Path) -> None:
    [dates, *_rest] = PLAIN_SENSE_RULES
    registry = RuleRegistry().with_rule(attrs.evolve(dates, default=None), "p")
    structured = registry.structure({}, {}, None)
    assert dict(structured) == {}
    registry = RuleRegistry().with_rule(dates, "p")
    assert dict(registry.structure({}, {}, None)) == {"dates": DatesRules()}


def test_years_off_must_be_a_positive_whole_number(tmp_path: Path, cycle_2020: Cycle) -> None:
    with pytest.raises(InputError) as info:
        cycle_2020.with_overrides(["rules.dates.years_off=0"])
    assert info.value.problems[0].path == "$.rules.dates.years_off"


# ---- the day of the check ---------------------------------------------------------------------------


def future_project() -> Project:
    """Submitted tomorrow, whatever day the test runs."""
    return attrs.evolve(SUBMITTED, submitted_on=dt.date.today() + dt.timedelta(days=1))


def test_the_api_checks_against_todays_date_by_default(cycle_2020: Cycle) -> None:
    report = cc.check(cycle_2020, future_project())
    [found] = report.findings
    assert found.code == "DATE_IN_FUTURE"
    assert found.path == "$.submitted_on"
    assert found.legal_basis == PLAIN_SENSE
    assert dict(found.args)["today"] == dt.date.today().strftime("%d/%m/%Y")
    assert report.admissible


def test_the_day_of_the_check_is_an_argument_for_reproducible_reports(cycle_2020: Cycle) -> None:
    project = attrs.evolve(SUBMITTED, submitted_on=D(2020, 5, 1))
    assert codes(cc.check(cycle_2020, project, today=D(2020, 4, 30))) == ["DATE_IN_FUTURE"]
    assert codes(cc.check(cycle_2020, project, today=D(2020, 5, 1))) == []
    [found] = cc.check(cycle_2020, project, today=D(2020, 4, 30)).findings
    assert found.message == (
        "The submission date 01/05/2020 is after 30/04/2020, the day of the check."
    )
    # The cycle itself is unchanged: the date is the check's, not the cycle's.
    assert cycle_2020.rules.dates == DatesRules()


def test_the_host_never_reads_the_clock(host: Host, cycle_2020: Cycle) -> None:
    assert codes(host.check(cycle_2020, future_project())) == []
    assert codes(host.check(cycle_2020, future_project(), today=D(2020, 1, 1))) == [
        "DATE_IN_FUTURE"
    ]


def test_planned_dates_may_be_in_the_future(cycle_2020: Cycle) -> None:
    """A project's start and end are plans; only the dates of things done are judged."""
    project = attrs.evolve(SUBMITTED, starts_on=D(2020, 9, 1), ends_on=D(2022, 6, 30))
    assert codes(cc.check(cycle_2020, project, today=D(2020, 5, 2))) == []


@pytest.mark.parametrize("today", ["2020-01-01", dt.datetime(2020, 1, 1), 20200101])
def test_a_day_of_the_check_that_is_not_a_date_is_refused(cycle_2020: Cycle, today: object) -> None:
    with pytest.raises(InputError) as info:
        cc.check(cycle_2020, SUBMITTED, today=today)  # type: ignore[arg-type]
    assert info.value.problems[0].path == "today"
    assert "expected a date" in info.value.problems[0].message


def test_a_what_if_pins_the_day_of_the_check(cycle_2020: Cycle) -> None:
    """``--set rules.dates.today=...`` on a section the file leaves to its default: the pinned
    day wins over the check's own."""
    pinned = cycle_2020.with_overrides(["rules.dates.today=2020-04-30"])
    assert pinned.rules.dates == DatesRules(today=D(2020, 4, 30))
    assert codes(cc.check(pinned, SUBMITTED, today=D(2099, 1, 1))) == ["DATE_IN_FUTURE"]
    off = cycle_2020.with_overrides(["rules.figures.envelope=false"])
    huge = attrs.evolve(SUBMITTED, requested=Money.euros(10**7))
    assert codes(cc.check(cycle_2020, huge, today=D(2021, 1, 1))) == ["REQUEST_ABOVE_ENVELOPE"]
    assert codes(cc.check(off, huge, today=D(2021, 1, 1))) == []


def test_the_command_line_checks_against_today(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    path = tmp_path / "p.toml"
    path.write_text(
        'kind = "project"\nid = "p"\ntitle = "P"\nservice_types = ["A"]\nrequested = "1"\n'
        f"submitted_on = {tomorrow.isoformat()}\n"
        'lead = { id = "c", name = "Comune di Tirano", kind = "municipality" }\n',
        encoding="utf-8",
    )
    from conciliazione_core.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", "lombardia-2020", str(path)])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "DATE_IN_FUTURE at $.submitted_on" in out
    assert "plain-sense" in out


# ---- the model field the bodies rule reads ------------------------------------------------------------


def test_a_nature_reason_must_not_be_blank() -> None:
    with pytest.raises(InputError) as info:
        Body("b", "B", BodyKind.COMPANY, LegalNature.PUBLIC, nature_reason="  ")
    assert info.value.problems[0].path == "nature_reason"
    with pytest.raises(InputError):
        Body("b", "B", BodyKind.COMPANY, nature_reason=5)  # type: ignore[arg-type]


def test_a_nature_reason_travels_through_files() -> None:
    body = Body(
        "b", "B", BodyKind.SCHOOL, LegalNature.PRIVATE_NON_PROFIT, nature_reason="paritaria"
    )
    project = attrs.evolve(SUBMITTED, lead=body)
    assert cc.from_json(cc.to_json(project), Project) == project
    schema = json_schema("project")
    assert schema["$defs"]["Body"]["properties"]["nature_reason"] == {"type": "string"}


@pytest.mark.parametrize(
    ("kind", "nature", "unusual"),
    [
        (BodyKind.COMPANY, LegalNature.PUBLIC, True),
        (BodyKind.MUNICIPALITY, LegalNature.PRIVATE_NON_PROFIT, True),
        (BodyKind.MUNICIPALITY, LegalNature.PUBLIC, False),
        (BodyKind.COOPERATIVE, None, False),
    ],
)
def test_a_nature_is_unusual_when_it_is_not_the_kinds(
    kind: BodyKind, nature: LegalNature | None, unusual: bool
) -> None:
    fields: dict[str, Any] = {} if nature is None else {"nature": nature}
    assert Body("b", "B", kind, **fields).nature_is_unusual is unusual


def test_the_same_body_twice_under_one_id_is_not_a_duplicate(ats_cycle: Cycle) -> None:
    """A member who also leads a project is written twice with one id: that is no question."""
    plan = TerritorialPlan(
        "piano",
        network=cc.Network(
            "n", "Rete", "ATS-MONTAGNA", Body("ATS-MONTAGNA", "ATS Montagna", BodyKind.ATS)
        ),
        alliances=(Alliance("a", "Alleanza", COMUNE),),
        projects=(attrs.evolve(SUBMITTED, alliance="a", partners=(COMUNE,)),),
    )
    assert "BODY_DUPLICATE" not in codes(
        cc.Report("c", "d", tuple(standard_checks(ats_cycle, plan)))
    )


def test_the_same_tax_code_under_two_ids_is_one_body(ats_cycle: Cycle) -> None:
    one = Body("coop-a", "Cooperativa Alfa", BodyKind.SOCIAL_COOPERATIVE, tax_code="01234567890")
    two = Body("coop-b", "Alfa soc. coop.", BodyKind.COOPERATIVE, tax_code=" 01234 567890 ")
    project = attrs.evolve(SUBMITTED, partners=(one, two))
    [found] = standard_checks(ats_cycle, project)
    assert found.code == "BODY_DUPLICATE"
    assert found.path == "$.partners[1].id"
    assert dict(found.args)["same"] == "tax code"
    assert dict(found.args)["other"] == "coop-a"


# ---- invariants ---------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(document=documents())
def test_plain_sense_never_decides_admissibility(
    document: Document, ats_cycle: Cycle, asl_cycle: Cycle
) -> None:
    for cycle in (ats_cycle, asl_cycle):
        found = standard_checks(attrs.evolve(cycle, rules=cycle.rules.on(D(2021, 1, 1))), document)
        for f in found:
            if f.code in PLAIN_SENSE_CODES:
                assert f.severity is Severity.WARNING
                assert f.legal_basis == PLAIN_SENSE


@settings(max_examples=40)
@given(document=documents(), first=st.dates(), second=st.dates())
def test_a_later_day_of_the_check_finds_no_more_dates_in_the_future(
    document: Document, first: dt.date, second: dt.date, ats_cycle: Cycle
) -> None:
    early, late = sorted((first, second))

    def future(day: dt.date) -> set[str]:
        on = attrs.evolve(ats_cycle, rules=ats_cycle.rules.on(day))
        return {f.path for f in standard_checks(on, document) if f.code == "DATE_IN_FUTURE"}

    assert future(late) <= future(early)
    assert future(dt.date.max) == set()


PERIOD = (D(2020, 1, 1), D(2023, 5, 31))  # the test cycles' period, up to their projects' end


@st.composite
def sensible_projects(draw: st.DrawFn, index: int) -> Project:
    """A project as a careful applicant writes it: dates in order within the cycle, figures
    within the costs, counts not negative, each body once, each with its kind's nature."""
    starts = draw(st.dates(*PERIOD))
    ends = draw(st.dates(starts, PERIOD[1]))
    lines = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=3))
    cost = sum(lines)
    partners = tuple(
        Body(f"p{index}-{k}", f"Partner {index}.{k}", kind)
        for k, kind in enumerate(draw(st.lists(st.sampled_from(BodyKind), max_size=3)))
    )
    return Project(
        id=f"project-{index}",
        title=f"Project {index}",
        lead=Body(f"lead-{index}", f"Comune {index}", BodyKind.MUNICIPALITY),
        alliance=draw(st.sampled_from([None, "alleanza"])),
        partners=partners,
        service_types=tuple(draw(st.lists(st.sampled_from("AB"), unique=True, max_size=2))),
        budget_lines=tuple(BudgetLine(f"line {k}", Money(c)) for k, c in enumerate(lines)),
        requested=Money(draw(st.integers(0, cost))),
        co_financing=draw(st.none() | st.integers(0, cost).map(Money)),
        starts_on=starts,
        ends_on=ends,
        submitted_on=draw(st.none() | st.dates(PERIOD[0], D(2020, 5, 31))),
        beneficiaries=draw(st.none() | st.integers(0, 10**6)),
    )


@settings(max_examples=40)
@given(data=st.data())
def test_a_sensible_plan_raises_no_plain_sense_question(
    data: st.DataObject, ats_cycle: Cycle
) -> None:
    projects = tuple(data.draw(sensible_projects(i)) for i in range(data.draw(st.integers(0, 3))))
    plan = TerritorialPlan(
        "piano",
        network=cc.Network(
            "rete", "Rete", "ATS-MONTAGNA", Body("ATS-MONTAGNA", "ATS Montagna", BodyKind.ATS)
        ),
        cycle=data.draw(st.sampled_from([None, "test-ats"])),
        alliances=(Alliance("alleanza", "Alleanza", COMUNE, network="rete"),),
        projects=projects,
        system_actions=(SystemAction("azione", "Formazione"),),
        presented_on=data.draw(st.none() | st.dates(PERIOD[0], D(2020, 6, 30))),
    )
    on = attrs.evolve(ats_cycle, rules=ats_cycle.rules.on(D(2020, 7, 1)))
    assert [f.code for f in standard_checks(on, plan) if f.code in PLAIN_SENSE_CODES] == []


def test_the_registry_holds_every_plain_sense_rule() -> None:
    registry = cc.Host(use_entry_points=False).rules
    for rule in PLAIN_SENSE_RULES:
        assert isinstance(registry.rules[rule.section], Rule)
        assert registry.owners[rule.section] == "conciliazione_core"


def test_without_an_end_date_rule_the_period_bounds_the_end(tmp_path: Path) -> None:
    path = tmp_path / "cycle.toml"
    path.write_text(
        '[cycle]\nid = "bare"\ntitle = "Bare"\nlevel = "ATS"\n'
        "period = { start = 2014-01-01, end = 2015-12-31 }\nlegal_basis = []\n[citations]\n",
        encoding="utf-8",
    )
    bare = load_cycle(path)
    inside = attrs.evolve(SUBMITTED, starts_on=D(2014, 6, 1), ends_on=D(2015, 12, 31))
    assert standard_checks(bare, inside) == []
    late = attrs.evolve(inside, ends_on=D(2017, 1, 15))  # as the 2014 projects actually ran
    [found] = standard_checks(bare, late)
    assert (found.code, found.path) == ("PROJECT_OUTSIDE_PERIOD", "$.ends_on")
    assert found.severity is Severity.WARNING
    off = bare.with_overrides(["rules.dates.within_period=false"])
    assert standard_checks(off, late) == []


def test_the_command_line_takes_the_day_of_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check --today``: the same report whatever day it is run (and today's date without it)."""
    from conciliazione_core.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    file = tmp_path / "project.json"
    file.write_text(cc.dump_document(SUBMITTED), encoding="utf-8")

    def run(*extra: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            main(["check", "lombardia-2020", str(file), *extra])
        out, err = capsys.readouterr()
        return int(done.value.code or 0), out, err

    code, out, _err = run("--today", "2020-04-30")
    assert code == 0
    assert "WARNING DATE_IN_FUTURE at $.submitted_on" in out
    assert "01/05/2020 is after 30/04/2020, the day of the check" in out
    assert "DATE_IN_FUTURE" not in run("--today", "2020-05-01")[1]
    assert "DATE_IN_FUTURE" not in run()[1]  # the clock's today: 2020 is long past
    code, out, err = run("--today", "2020-04-30", "--format", "jsonl")
    assert '"DATE_IN_FUTURE"' in out
    code, _out, err = run("--today", "30/04/2020")
    assert code == 2
    assert "Invalid value for '--today': '30/04/2020'" in err


@pytest.mark.parametrize("width", [40, 60, 80])
def test_the_report_wraps_to_the_terminal_never_cutting_a_path_or_a_code(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    width: int,
) -> None:
    from conciliazione_core.cli import main

    monkeypatch.setenv("COLUMNS", str(width))
    file = tmp_path / "project.json"
    file.write_text(cc.dump_document(SUBMITTED), encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["check", "lombardia-2020", str(file), "--today", "2020-04-30"])
    lines = capsys.readouterr().out.splitlines()
    heading = "  WARNING DATE_IN_FUTURE at $.submitted_on"
    assert heading in lines  # the code and the path: whole, on their line
    body = lines[lines.index(heading) + 1 :]
    assert all(len(line) <= width for line in body)
    assert all(line.startswith(" " * 10) for line in body)  # the hanging indent
    words = " ".join(line.strip() for line in body)
    assert words == (
        "The submission date 01/05/2020 is after 30/04/2020, the day of the check. "
        "basis: conciliazione-core plain-sense checks [inference]"
    )
