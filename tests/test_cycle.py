"""Cycles read from parameter files: validation with paths, citations, and ``--set`` overrides."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from conciliazione_core._bodies import LegalNature
from conciliazione_core._cycle import (
    Cycle,
    apply_overrides,
    load_cycle,
    parse_override,
    shown_name,
)
from conciliazione_core._errors import InputError
from conciliazione_core._legal import LegalBasis
from conciliazione_core._territory import Level, lombardy

MINIMAL = """
[cycle]
id = "mini"
title = "Minimal cycle"
level = "ATS"
period = { start = 2020-01-01, end = 2023-12-31 }
legal_basis = ["act"]

[citations.act]
act = "Test act"
evidence = "document"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cycle.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_problems(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as info:
        load_cycle(write(tmp_path, text))
    assert info.value.source == str(tmp_path / "cycle.toml")  # a file outside a package: its path
    return [(p.path, p.message) for p in info.value.problems]


# ---- the shipped cycles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "cycle_id", "level", "start"),
    [
        ("lombardia_2014", "lombardia-2014", Level.ASL, dt.date(2014, 1, 1)),
        ("lombardia_2020", "lombardia-2020", Level.ATS, dt.date(2020, 1, 1)),
    ],
)
def test_shipped_cycles_load(package: str, cycle_id: str, level: Level, start: dt.date) -> None:
    cycle = load_cycle(files(package).joinpath("cycle.toml"))
    assert cycle.id == cycle_id
    assert cycle.level is level
    assert cycle.period.start == start
    assert cycle.period.start <= cycle.period.end
    assert cycle.legal_basis
    assert all(isinstance(b, LegalBasis) for b in cycle.legal_basis)
    assert str(cycle.title).strip()
    assert cycle.source == "cycle.toml"
    assert cycle.overrides == ()
    assert cycle.distribution is None  # filled in by the host
    for name in ("network", "accord", "lead", "submission", "projects"):
        rule = getattr(cycle.rules, name)
        if rule is not None:
            assert isinstance(cycle.cite(rule.basis), LegalBasis)
    for assumption in cycle.assumptions:
        assert isinstance(cycle.cite(assumption.basis), LegalBasis)
    for ref in cycle.data_files.values():
        assert ref.is_file(), ref
    for example in cycle.examples:
        assert cycle.example_path(example).is_file(), example.file
    assert {r.id for r in cycle.recipients} == {a.id for a in lombardy().of_level(level)}


def test_shipped_cycles_lead_rules(cycle_2014: Cycle, cycle_2020: Cycle) -> None:
    assert cycle_2014.rules.lead is not None
    assert cycle_2014.rules.lead.natures == (LegalNature.PUBLIC,)
    assert cycle_2020.rules.lead is not None
    assert set(cycle_2020.rules.lead.natures) == {
        LegalNature.PUBLIC,
        LegalNature.PRIVATE_NON_PROFIT,
    }
    assert cycle_2020.rules.projects is not None
    assert [t.code for t in cycle_2020.rules.projects.service_types] == ["A", "B", "C", "D", "E"]


def test_load_cycle_from_a_string_path(tmp_path: Path) -> None:
    cycle = load_cycle(str(write(tmp_path, MINIMAL)))
    assert cycle.id == "mini"
    assert cycle.root == tmp_path
    assert cycle.allocation_data is None
    assert cycle.allocation is None
    assert cycle.reference_table() is None
    assert cycle.rules.lead is None
    # No recipients listed: the agencies of the cycle's level.
    assert [r.id for r in cycle.recipients] == [a.id for a in lombardy().of_level(Level.ATS)]


# ---- bad parameter files -------------------------------------------------------------------------


def test_unknown_citation_keys_are_reported_with_their_paths(tmp_path: Path) -> None:
    text = MINIMAL.replace('legal_basis = ["act"]', 'legal_basis = ["act", "dgr_9999"]')
    text += '\n[rules.lead]\nbasis = "nowhere"\nnatures = ["public"]\n'
    text += '\n[[assumptions]]\nid = "a"\ntext = "t"\nbasis = "elsewhere"\n'
    assert load_problems(tmp_path, text) == [
        ("$.cycle.legal_basis[1]", "unknown citation 'dgr_9999'; known: act"),
        ("$.rules.lead.basis", "unknown citation 'nowhere'; known: act, plain_sense"),
        ("$.assumptions[0].basis", "unknown citation 'elsewhere'; known: act"),
    ]


def test_unknown_ends_by_basis(tmp_path: Path) -> None:
    text = MINIMAL + '\n[rules.projects]\nbasis = "act"\nends_by_basis = "ghost"\n'
    assert load_problems(tmp_path, text) == [
        ("$.rules.projects.ends_by_basis", "unknown citation 'ghost'; known: act, plain_sense")
    ]


def test_period_ending_before_it_starts(tmp_path: Path) -> None:
    text = MINIMAL.replace("end = 2023-12-31", "end = 2019-12-31")
    assert load_problems(tmp_path, text) == [("$.cycle.period", "the period ends before it starts")]


def test_unknown_fields_in_a_parameter_file(tmp_path: Path) -> None:
    text = MINIMAL + '\n[rules.lead]\nbasis = "act"\nnatures = ["public"]\ncolour = "red"\n'
    text += "\n[bogus]\nx = 1\n"
    found = load_problems(tmp_path, text)
    assert [path for path, _ in found] == ["$.rules.lead.colour", "$.bogus"]
    assert found[0][1] == "unknown field 'colour'; known fields: basis, natures, note"


def test_wrong_types_in_a_parameter_file(tmp_path: Path) -> None:
    text = MINIMAL.replace('level = "ATS"', 'level = "region"')
    text += '\n[rules.lead]\nbasis = "act"\nnatures = ["public", "alien"]\n'
    text += '\n[rules.accord]\nbasis = "act"\nsigned_by = "31/03/2014"\n'
    found = dict(load_problems(tmp_path, text))
    assert set(found) == {"$.cycle.level", "$.rules.lead.natures[1]", "$.rules.accord.signed_by"}
    assert found["$.cycle.level"].startswith("'region' is not a valid Level; expected one of: ASL")


def test_missing_citations_table(tmp_path: Path) -> None:
    text = MINIMAL.split("[citations.act]")[0]
    assert ("$.citations", "required field is missing") in load_problems(tmp_path, text)


def test_default_data_must_name_a_data_file(tmp_path: Path) -> None:
    text = 'default_data = "population"\n' + MINIMAL
    assert load_problems(tmp_path, text) == [("$.default_data", "no data file named 'population'")]


def test_reference_table_unknown_name(tmp_path: Path) -> None:
    cycle = load_cycle(write(tmp_path, MINIMAL))
    with pytest.raises(InputError) as info:
        cycle.reference_table("population")
    assert info.value.problems[0].path == "$.data"


def test_unreadable_parameter_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such parameter file"):
        load_cycle(tmp_path / "missing.toml")
    with pytest.raises(InputError, match="is a directory, not a parameter file"):
        load_cycle(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'[cycle]\nid = "\xff"\n')
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_cycle(bad)
    bad.write_text("[cycle\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_cycle(bad)


# ---- overrides -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "path", "value"),
    [
        (
            "allocation.envelopes.ats.amount=3000000",
            ("allocation", "envelopes", "ats", "amount"),
            3000000,
        ),
        ("a.b=0.8", ("a", "b"), "0.8"),  # floats travel as exact text
        ("a=1e3", ("a",), "1e3"),
        ("a=80%", ("a",), "80%"),
        ("a=4/5", ("a",), "4/5"),
        ('a="quoted text"', ("a",), "quoted text"),
        ("a=plain text", ("a",), "plain text"),
        ("a=true", ("a",), True),
        ("a=2024-01-01", ("a",), dt.date(2024, 1, 1)),
        ('a=["public", "private_non_profit"]', ("a",), ["public", "private_non_profit"]),
        ('a={ id = "x", share = "1/2" }', ("a",), {"id": "x", "share": "1/2"}),
        (" a . b = 5 ", ("a", "b"), 5),
        ("a=x=y", ("a",), "x=y"),
        ("a=", ("a",), ""),
    ],
)
def test_parse_override(assignment: str, path: tuple[str, ...], value: object) -> None:
    assert parse_override(assignment) == (path, value)


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("no-equals-sign", "is not PATH=VALUE"),
        ("=5", "has an empty path"),
        (" . =5", "has an empty path"),
    ],
)
def test_parse_override_refuses(assignment: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_override(assignment)
    [problem] = info.value.problems
    assert problem.path == "--set"
    assert message in problem.message


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "0x" + "f" * 4000, "0o" + "7" * 5000, "[0b" + "1" * 15000 + "]", "[" * 5000],
    ids=["decimal", "hex", "octal", "binary-in-list", "nested"],
)
def test_parse_override_refuses_numbers_too_long_to_print(value: str) -> None:
    """0x… literals have no digit limit: 4,000 hex digits (found by the deep fuzz) crashed the
    first message that printed the value."""
    with pytest.raises(InputError) as info:
        parse_override(f"allocation.envelopes.ats.kind={value}")
    [problem] = info.value.problems
    assert (problem.path, problem.message) == (
        "--set allocation.envelopes.ats.kind",
        "the value is too long or too deeply nested",
    )


DATA: dict[str, Any] = {
    "cycle": {"id": "c", "title": "T"},
    "allocation": {
        "total": "3000000",
        "envelopes": [
            {"id": "ats", "amount": "2800000", "split": [{"id": "projects", "share": "80%"}]},
            {"id": "region", "amount": "200000"},
        ],
    },
}


def test_apply_overrides_addresses_list_items_by_id() -> None:
    result = apply_overrides(
        DATA,
        [
            (("allocation", "envelopes", "region", "amount"), "300000"),
            (("allocation", "envelopes", "ats", "split", "projects", "share"), "70%"),
            (("allocation", "total"), "3100000"),
            (("cycle", "summary"), "new key"),
        ],
    )
    assert result["allocation"]["envelopes"][1] == {"id": "region", "amount": "300000"}
    assert result["allocation"]["envelopes"][0]["split"][0]["share"] == "70%"
    assert result["allocation"]["total"] == "3100000"
    assert result["cycle"]["summary"] == "new key"
    # The input is left untouched.
    assert DATA["allocation"]["envelopes"][1]["amount"] == "200000"
    assert DATA["allocation"]["envelopes"][0]["split"][0]["share"] == "80%"
    assert "summary" not in DATA["cycle"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            ("allocation", "envelopes", "nope", "amount"),
            "no item with id 'nope' at $.allocation.envelopes; ids there: ats, region",
        ),
        (("allocation", "envelopes", "ats"), "cannot replace a whole list item"),
        (("rules", "lead", "natures"), "no parameter 'rules' at $; there: cycle, allocation"),
        (
            ("allocation", "totale", "x"),
            "no parameter 'totale' at $.allocation; there: total, envelopes; did you mean 'total'?",
        ),
        (("allocation", "total", "x"), "$.allocation.total is a value, not a table"),
    ],
)
def test_apply_overrides_unknown_paths(path: tuple[str, ...], message: str) -> None:
    with pytest.raises(InputError) as info:
        apply_overrides(DATA, [(path, "1")])
    [problem] = info.value.problems
    assert problem.path == "--set " + ".".join(path)
    assert problem.message == message


def test_with_overrides_gives_a_new_cycle_and_records_them(cycle_2020: Cycle) -> None:
    assignments = ["rules.projects.ends_by=2024-01-01", 'rules.lead.natures=["public"]']
    changed = cycle_2020.with_overrides(assignments)
    assert changed is not cycle_2020
    assert changed.overrides == tuple(assignments)
    assert changed.rules.projects is not None
    assert cycle_2020.rules.projects is not None
    assert changed.rules.projects.ends_by == dt.date(2024, 1, 1)
    assert cycle_2020.rules.projects.ends_by == dt.date(2023, 5, 31)
    assert changed.rules.lead is not None
    assert changed.rules.lead.natures == (LegalNature.PUBLIC,)
    assert changed.parameters["rules"]["lead"]["natures"] == ["public"]
    assert cycle_2020.parameters["rules"]["lead"]["natures"] != ["public"]
    assert cycle_2020.overrides == ()
    assert (changed.distribution, changed.version) == (cycle_2020.distribution, cycle_2020.version)
    assert changed.distribution == "conciliazione-lombardia-2020"
    # Overrides accumulate.
    again = changed.with_overrides(["rules.projects.budget_expected=false"])
    assert again.overrides == (*assignments, "rules.projects.budget_expected=false")
    assert again.rules.projects is not None
    assert not again.rules.projects.budget_expected


def test_with_no_overrides_is_the_same_cycle(cycle_2020: Cycle) -> None:
    assert cycle_2020.with_overrides([]) is cycle_2020


def test_float_overrides_stay_text(cycle_2020: Cycle) -> None:
    # Read exactly (not as a float), then checked at once against the envelopes.
    with pytest.raises(InputError) as info:
        cycle_2020.with_overrides(["allocation.total=3000000.50"])
    assert [str(p) for p in info.value.problems] == [
        "--set allocation.total: the envelopes add up to €3,000,000.00 (ats €2,800,000.00 + "
        "region €200,000.00) but allocation.total is €3,000,000.50; to make them agree, set "
        "one of: allocation.envelopes.region.amount=200000.50"
    ]  # not ats=2800000.50: the ATS envelope is in whole euros


def test_invalid_override_is_an_input_error_with_the_path(cycle_2020: Cycle) -> None:
    with pytest.raises(InputError) as info:
        cycle_2020.with_overrides(['rules.lead.natures=["alien"]'])
    [problem] = info.value.problems
    assert problem.path == "$.rules.lead.natures[0]"
    # The file is fine: the error names it with the what-if that broke it.
    assert info.value.source == 'lombardia_2020/cycle.toml with --set rules.lead.natures=["alien"]'
    with pytest.raises(InputError) as info:
        cycle_2020.with_overrides(["rules.lead.basis=nowhere"])
    assert info.value.problems[0].path == "$.rules.lead.basis"
    with pytest.raises(InputError) as info:
        cycle_2020.with_overrides(["rules.network.colour=red"])
    assert info.value.problems[0].path == "$.rules.network.colour"


def test_the_allocation_is_validated_when_the_cycle_loads(tmp_path: Path) -> None:
    """A float amount used to load as a healthy cycle and fail later, on first use."""
    source = Path(str(files("lombardia_2020").joinpath("cycle.toml"))).read_text(encoding="utf-8")
    assert 'total = "3000000"' in source
    bad = tmp_path / "cycle.toml"
    bad.write_text(source.replace('total = "3000000"', "total = 3000000.0"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_cycle(bad)
    assert info.value.source == str(bad)
    assert info.value.problems[0].path == "$.allocation.total"
    assert "floating-point" in info.value.problems[0].message


def test_an_error_in_a_plugins_parameter_file_names_which_one(tmp_path: Path) -> None:
    """Every plugin's file is ``cycle.toml``: an error names it from its top package
    (``lombardia_2017/cycle_2019/cycle.toml``), the same on every machine; a file outside a
    package by its path."""
    package = tmp_path / "plugin_x"
    (package / "cycle_2030").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "cycle_2030" / "__init__.py").write_text("", encoding="utf-8")
    bad = package / "cycle_2030" / "cycle.toml"
    bad.write_text("[cycle]\nid = 5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_cycle(bad)
    assert info.value.source == "plugin_x/cycle_2030/cycle.toml"
    assert str(info.value).startswith("plugin_x/cycle_2030/cycle.toml: $.cycle.id: expected text")
    (package / "cycle_2030" / "__init__.py").unlink()  # a data folder in a package: the same
    with pytest.raises(InputError) as info:
        load_cycle(bad)
    assert info.value.source == "plugin_x/cycle_2030/cycle.toml"
    (package / "__init__.py").unlink()  # in no package: the path as given
    with pytest.raises(InputError) as info:
        load_cycle(bad)
    assert info.value.source == str(bad)
    shipped = files("lombardia_2017").joinpath("cycle_2019", "cycle.toml")
    assert shown_name(Path(str(shipped))) == "lombardia_2017/cycle_2019/cycle.toml"
