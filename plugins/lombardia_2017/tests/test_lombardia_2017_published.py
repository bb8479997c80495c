"""The ``published_table`` envelope kind and the 2019 table it reads: registered by this plugin,
read from a data file, checked to add up exactly and to name the cycle's recipients, explained
with each row's citation and provenance."""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Iterator
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lombardia_2017.plugin
from conciliazione_core import allocate as allocate_cycle
from conciliazione_core import i18n
from conciliazione_core._errors import InputError, Problem
from conciliazione_core._host import Host
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core.allocation import (
    allocate,
    allocation_to_json,
    default_kinds,
    explain_text,
    parse_allocation,
)
from lombardia_2017 import COLUMNS, PublishedEnvelope, PublishedTableKind

TABLE = files("lombardia_2017").joinpath("cycle_2019/data/ats_amounts_2019.csv")

#: The per-ATS amounts of D.G.R. XI/1017/2018 as varesenews.it published them (12/2018), copied
#: by hand from ../shared/DOMAIN.md: the shipped CSV must hold exactly these.
PUBLISHED = {
    "ATS-MILANO": 276_153,
    "ATS-INSUBRIA": 114_390,
    "ATS-MONTAGNA": 58_979,
    "ATS-BRIANZA": 211_994,
    "ATS-BERGAMO": 88_732,
    "ATS-BRESCIA": 92_643,
    "ATS-VALPADANA": 61_399,
    "ATS-PAVIA": 95_710,
}
CITATIONS = {
    "act": LegalBasis(act="Act", evidence=Evidence.SOURCE),
    "annex": LegalBasis(act="Act", provision="Annex", evidence=Evidence.SOURCE),
}
PACKAGE = "lombardia_2017_test_tables"
HEADER = ",".join(COLUMNS)


@pytest.fixture(scope="module")
def host() -> Host:
    return Host([("lombardia_2017", lombardia_2017.plugin)], use_entry_points=False)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An importable package to hold test tables (``lombardia_2017_test_tables:NAME.csv``)."""
    root = tmp_path_factory.mktemp("tables")
    (root / PACKAGE).mkdir()
    (root / PACKAGE / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(root))
    yield root / PACKAGE
    sys.path.remove(str(root))
    sys.modules.pop(PACKAGE, None)


_names = itertools.count()


def write_table(folder: Path, rows: list[str], header: str = HEADER) -> str:
    """A new CSV file in the test package; returns its ``package:resource`` reference."""
    name = f"table_{next(_names)}.csv"
    (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return f"{PACKAGE}:{name}"


def row(rid: str, amount: str, *, status: str = "official", citation: str = "annex") -> str:
    return f"{rid},{amount},Test source,2018-12-17,{status},{citation}"


def plan_data(table: str, amount: str = "300") -> dict[str, Any]:
    return {
        "total": amount,
        "rounding": {"unit": "1"},
        "envelopes": [
            {
                "id": "p",
                "kind": "published_table",
                "label": "Published",
                "basis": "act",
                "amount": amount,
                "table": table,
            }
        ],
    }


def problems_of(host: Host, data: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_allocation(data, CITATIONS, kinds=host.envelope_kinds)
    return [f"{p.path}: {p.message}" for p in info.value.problems]


# ---- registration ------------------------------------------------------------------------------


def test_the_plugin_registers_the_kind_and_the_core_does_not_know_it(host: Host) -> None:
    assert host.problems == ()
    assert host.envelope_kinds.plugin_of("published_table") == "lombardia_2017"
    assert isinstance(host.envelope_kinds.get("published_table"), PublishedTableKind)
    assert "published_table" not in default_kinds().names()


# ---- the shipped 2019 table --------------------------------------------------------------------


def test_the_shipped_2019_table_adds_up_to_one_million_exactly() -> None:
    with TABLE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == (*COLUMNS, "source_it")
    assert sum(Money.parse(r["amount"]).cents for r in rows) == Money.parse("1000000").cents
    assert {r["id"]: int(r["amount"]) for r in rows} == PUBLISHED
    assert {(r["status"], r["citation"], r["reference_date"]) for r in rows} == {
        ("official", "dgr_1017_amounts", "2018-12-17")
    }
    assert all("varesenews.it" in r["source"] for r in rows)


def test_the_2019_cycle_reads_the_table_with_each_rows_provenance(host: Host) -> None:
    cycle = host.cycle("lombardia-2019")
    assert cycle.allocation is not None
    [envelope] = cycle.allocation.envelopes
    assert isinstance(envelope, PublishedEnvelope)
    assert envelope.amount == Money.parse("1000000")
    assert {r.recipient: r.amount for r in envelope.rows} == {
        k: Money.parse(str(v)) for k, v in PUBLISHED.items()
    }
    for r in envelope.rows:
        assert r.citation == "dgr_1017_amounts"
        assert r.basis.act == "D.G.R. XI/1017 of 17/12/2018"
        assert r.provenance.status is DataStatus.OFFICIAL


@pytest.mark.parametrize(("ats", "euros"), sorted(PUBLISHED.items()))
def test_every_published_amount_is_allocated_and_explained_with_its_citation(
    host: Host, ats: str, euros: int
) -> None:
    cycle = host.cycle("lombardia-2019")
    result = allocate_cycle(cycle, explain=[ats], host=host)
    assert result.amount(ats) == Money.parse(str(euros))
    [component] = result.explain(ats).components
    assert component.citation == "dgr_1017_amounts"
    assert component.quota == Fraction(euros)
    assert component.adjustment == 0
    text = explain_text(result, ats)
    assert f"€{euros:,}" in text
    assert "dgr_1017_amounts: D.G.R. XI/1017 of 17/12/2018, per-ATS amounts for 2019" in text
    assert (
        "varesenews.it (12/2018), reporting the per-ATS amounts of D.G.R. XI/1017 of 17/12/2018, 2018-12-17, official"
        in text
    )


def test_the_json_output_shows_each_rows_provenance(host: Host) -> None:
    result = allocate_cycle(host.cycle("lombardia-2019"), host=host)
    data = allocation_to_json(result, "lombardia-2019")
    montagna = next(s for s in data["shares"] if s["id"] == "ATS-MONTAGNA")
    [component] = montagna["components"]
    assert component["basis"]["citation"] == "dgr_1017_amounts"
    [shown] = component["inputs"]
    assert shown["indicator"] == "published_amount"
    assert shown["value"]["exact"] == "58979"
    assert shown["provenance"]["reference_date"] == "2018-12-17"
    assert shown["provenance"]["status"] == "official"
    assert "varesenews.it" in shown["provenance"]["source"]


# ---- a wrong table is refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        (["200", "101"], "add up to €301.00, €1.00 more than the envelope's amount €300.00"),
        (["200", "99.50"], "add up to €299.50, €0.50 less than the envelope's amount €300.00"),
    ],
)
def test_a_table_that_does_not_add_up_is_refused_naming_the_difference(
    host: Host, tables: Path, amounts: list[str], message: str
) -> None:
    reference = write_table(tables, [row("A", amounts[0]), row("B", amounts[1])])
    problems = problems_of(host, plan_data(reference))
    assert any(message in p for p in problems), problems


def test_the_difference_is_named_in_italian(host: Host, tables: Path) -> None:
    reference = write_table(tables, [row("A", "200"), row("B", "101")])
    with i18n.language("it"):
        problems = problems_of(host, plan_data(reference))
    expected = "gli importi assegnati sommano € 301,00, € 1,00 in più dell'importo della dotazione € 300,00"
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        ([row("A", "300.5")], ".amount", ""),
        ([row("A", "1.5e2"), row("B", "150")], ".amount", ""),
        ([row("A", "299.50"), row("B", "0.50")], ".amount", ""),
        ([row("A", "300", status="guess")], ".status", "expected official, derived or estimate"),
        ([row("A", "300", citation="nowhere")], "", "nowhere"),
        (["A,300,Src,17/12/2018,official,annex"], ".reference_date", "expected a date"),
        ([",300,Src,2018-12-17,official,annex"], "", "the id is empty"),
        (["A,300,,2018-12-17,official,annex"], ".source", "the source is empty"),
        ([row("A", "150"), row("A", "150")], "", "A has a second row"),
        (["A,300,Src"], "", "expected 6 cells"),
        ([], "", "expected at least one row"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(
    host: Host, tables: Path, rows: list[str], where: str, message: str
) -> None:
    reference = write_table(tables, rows)
    problems = problems_of(host, plan_data(reference))
    assert any(
        p.startswith("$.allocation.envelopes[0].table") and where in p and message in p
        for p in problems
    ), problems


def test_a_table_with_other_columns_is_refused(host: Host, tables: Path) -> None:
    reference = write_table(tables, ["A,300"], header="id,amount")
    [problem] = problems_of(host, plan_data(reference))
    assert (
        "expected the columns id,amount,source,reference_date,status,citation[,source_it]"
        in problem
    )


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("no_such_package_2017:x.csv", "no installed package 'no_such_package_2017'"),
        (f"{PACKAGE}:missing.csv", "cannot read missing.csv"),
        (f"{PACKAGE}:../escape.csv", "expected package:path"),
        ("cycle_2019/data/ats_amounts_2019.csv", "expected package:path"),
    ],
)
def test_an_unreadable_table_reference_is_refused(
    host: Host, tables: Path, reference: str, message: str
) -> None:
    problems = problems_of(host, plan_data(reference))
    assert any(p.startswith("$.allocation.envelopes[0].table") and message in p for p in problems)


def test_a_missing_table_key_is_refused(host: Host) -> None:
    data = plan_data("x:y.csv")
    del data["envelopes"][0]["table"]
    problems = problems_of(host, data)
    assert any("table" in p for p in problems), problems


# ---- the rows must name exactly the recipients --------------------------------------------------


def test_rows_must_name_exactly_the_recipients(host: Host, tables: Path) -> None:
    reference = write_table(tables, [row("A", "200"), row("Z", "100")])
    plan = parse_allocation(plan_data(reference), CITATIONS, kinds=host.envelope_kinds)
    [envelope] = plan.envelopes
    problems = PublishedTableKind().check(envelope, ["A", "B"], "$.e")
    assert problems == [
        Problem("$.e.table", "amounts given to id(s) that are not recipients: Z"),
        Problem("$.e.table", "no amount given to recipient(s): B"),
    ]
    assert PublishedTableKind().check(envelope, ["A", "Z"], "$.e") == []
    with pytest.raises(InputError) as info:
        allocate(plan, [("A", "Agency A"), ("B", "Agency B")])
    assert [p.message for p in info.value.problems] == [
        "amounts given to id(s) that are not recipients: Z",
        "no amount given to recipient(s): B",
    ]


# ---- property: a table that adds up allocates exactly its rows ----------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=8))
def test_any_table_that_adds_up_allocates_exactly_its_amounts(
    host: Host, tables: Path, amounts: list[int]
) -> None:
    ids = [f"R{i}" for i in range(len(amounts))]
    total = sum(amounts)
    reference = write_table(tables, [row(i, str(a)) for i, a in zip(ids, amounts, strict=True)])
    plan = parse_allocation(plan_data(reference, str(total)), CITATIONS, kinds=host.envelope_kinds)
    result = allocate(plan, [(i, i) for i in ids])
    assert [result.amount(i) for i in ids] == [Money(a * 100) for a in amounts]
    assert Money.total(result.amount(i) for i in ids) == Money(total * 100)


def test_a_cycle_whose_recipients_are_not_the_tables_cannot_allocate(
    host: Host, tmp_path: Path
) -> None:
    """The recipients are known once the cycle is read; the kind's check then refuses the
    allocation, naming the rows without a recipient and the recipients without a row, and the
    conformance kit reports it."""
    from conciliazione_core import load_cycle
    from conciliazione_core.allocation import using_kinds
    from conciliazione_core.testing._conformance import check_allocation

    shipped = files("lombardia_2017").joinpath("cycle_2019", "cycle.toml").read_text("utf-8")
    path = tmp_path / "cycle.toml"
    path.write_text(
        shipped
        + '\n[[recipients]]\nid = "ATS-MILANO"\nname = "Milano"\n'
        + '\n[[recipients]]\nid = "ATS-ATLANTIS"\nname = "Atlantis"\n',
        encoding="utf-8",
    )
    with using_kinds(host.envelope_kinds):
        cycle = load_cycle(path)
    with pytest.raises(InputError) as info:
        allocate_cycle(cycle, host=host)
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "amounts given to id(s) that are not recipients: ATS-BERGAMO, ATS-BRESCIA, "
        "ATS-BRIANZA, ATS-INSUBRIA, ATS-MONTAGNA, ATS-PAVIA, ATS-VALPADANA",
        "no amount given to recipient(s): ATS-ATLANTIS",
    ]
    [problem] = check_allocation(cycle, host, max_examples=3)
    assert "amounts given to id(s) that are not recipients: ATS-BERGAMO" in problem.message


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(sorted(PUBLISHED)),
    st.integers(min_value=-58_979, max_value=100_000).filter(bool),
)
def test_any_change_to_one_published_amount_is_refused_naming_it(
    host: Host, tables: Path, ats: str, delta: int
) -> None:
    """The shipped table with one amount changed by ``delta`` euros is refused, and the
    message names the sum and exactly that difference."""
    shipped = TABLE.read_text("utf-8").splitlines()
    changed = [shipped[0]]
    for line in shipped[1:]:
        rid, amount, rest = line.split(",", 2)
        if rid == ats:
            amount = str(int(amount) + delta)
        changed.append(f"{rid},{amount},{rest}")
    reference = write_table(tables, changed[1:], header=changed[0])
    citations = {"act": CITATIONS["act"], "dgr_1017_amounts": CITATIONS["annex"]}
    data = plan_data(reference, "1000000")
    with pytest.raises(InputError) as info:
        parse_allocation(data, citations, kinds=host.envelope_kinds)
    [problem] = info.value.problems
    summed = Money.parse(str(1_000_000 + delta)).format()
    gap = Money.parse(str(abs(delta))).format()
    side = "more" if delta > 0 else "less"
    assert problem.message == (
        f"the given amounts add up to {summed}, {gap} {side} than the envelope's amount "
        "€1,000,000.00"
    )
