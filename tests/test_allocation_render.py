"""Rendering allocations: JSON (no floats, deterministic), CSV, the text table, explanations."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core.allocation import (
    Allocation,
    RowKind,
    _formatting,
    _render,
    allocate,
    allocation_columns,
    allocation_rows,
    allocation_to_csv,
    allocation_to_json,
    explain_text,
    fraction_to_json,
    render_table,
)
from conciliazione_core.allocation._formatting import AmountTexts, amount, amounts, group
from conciliazione_core.allocation._render import allocation_csv_pieces
from conciliazione_core.i18n import current_language, language
from conciliazione_core.testing import allocation_cases
from test_allocation_engine import (  # the same worked examples
    ASL,
    DERIVED_2019,
    MADE_UP_2014,
    OFFICIAL,
    POPULATION_2019,
    people,
    plan_2014,
    plan_2020,
    plan_of,
    table_of,
)

AMOUNT = re.compile(r"^\d+\.\d{2}$")


@pytest.fixture(scope="module")
def a2020() -> Allocation:
    table = table_of(POPULATION_2019, "resident_2019_01_01", DERIVED_2019)
    return allocate(plan_2020(), [(r.id, r.name) for r in table.rows], table)


@pytest.fixture(scope="module")
def pending_2014() -> Allocation:
    plan = plan_2014({"id": "training", "kind": "equal", "amount": "300000"})
    table = table_of(
        {k: v for k, v in MADE_UP_2014.items() if "MILANO" not in k}, "population_2011"
    )
    return allocate(plan, people(*ASL), table, missing="pending")


@pytest.fixture(scope="module")
def floored() -> Allocation:
    plan = plan_of(
        {
            "id": "p",
            "kind": "proportional",
            "amount": "100",
            "weights": {"pop": "0.7", "area": "0.3"},
            "floor": "20",
            "tranches": [{"id": "2020", "share": "4/14"}, {"id": "2021", "share": "10/14"}],
        },
        {"id": "f", "kind": "fixed", "per_recipient": "5"},
        total="115",
        unit="1",
        strategy="floor",
    )
    table = IndicatorTable(
        ("pop", "area"),
        tuple(
            IndicatorRow(k, f"Name of {k}", (("pop", v), ("area", w)), OFFICIAL)
            for k, v, w in [("a", 0, 0), ("b", 10, 5), ("c", 90, 3)]
        ),
    )
    return allocate(plan, people("c", "a", "b"), table)


# ---- JSON ----------------------------------------------------------------------------------------


def walk(node: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [pair for k, v in node.items() for pair in walk(v, k)]
    if isinstance(node, list):
        return [pair for v in node for pair in walk(v, key)]
    return [(key, node)]


def test_json_amounts_are_strings_with_two_decimals(a2020: Allocation) -> None:
    data = allocation_to_json(a2020, "lombardia-2020")
    leaves = walk(data)
    assert not [v for _k, v in leaves if isinstance(v, float)]
    amounts = [v for k, v in leaves if k in ("amount", "total", "unallocated", "unit")]
    assert amounts
    assert all(isinstance(v, str) and AMOUNT.match(v) for v in amounts), amounts
    assert data["total"] == "3000000.00"
    assert data["unit"] == "1.00"
    assert data["currency"] == "EUR"
    assert data["cycle"] == "lombardia-2020"
    assert data["strategy"] == "largest_remainder"
    assert data["retained"][0]["amount"] == "200000.00"
    assert data["unallocated"] == "0.00"
    assert data["pending"] == []
    assert [s["id"] for s in data["shares"]] == sorted(POPULATION_2019)
    assert [n["id"] for n in data["non_official"]] == sorted(DERIVED_2019)


def test_json_components_keep_exact_fractions(a2020: Allocation) -> None:
    data = allocation_to_json(a2020)
    montagna = next(s for s in data["shares"] if s["id"] == "ATS-MONTAGNA")
    assert montagna["amount"] == "82947.00"
    assert montagna["status"] == "derived"
    assert montagna["envelopes"] == {"ats": "82947.00"}
    (c,) = montagna["components"]
    quota = Fraction(2_800_000 * 298_032, 10_060_574)
    assert c["quota"] == {"exact": str(quota), "decimal": "82946.519751"}
    assert Fraction(c["adjustment"]["exact"]) == 82_947 - quota
    assert c["inputs"][0]["value"]["exact"] == "298032"
    assert c["inputs"][0]["provenance"]["status"] == "derived"
    assert c["basis"]["citation"] == "dgr_2398"
    assert [p["amount"] for p in c["parts"]] == ["66358.00", "16589.00"]
    assert montagna["provenance"]["method"] == "split by tranches"


def test_json_is_byte_identical_for_shuffled_input(a2020: Allocation) -> None:
    table = table_of(dict(reversed(POPULATION_2019.items())), "resident_2019_01_01", DERIVED_2019)
    again = allocate(plan_2020(), [(r.id, r.name) for r in reversed(table.rows)], table)
    assert json.dumps(allocation_to_json(a2020), sort_keys=True) == json.dumps(
        allocation_to_json(again), sort_keys=True
    )


def test_json_without_explanations_has_no_components(a2020: Allocation) -> None:
    lazy = allocate(
        a2020.plan,
        list(zip(a2020.recipient_ids, a2020.recipient_names, strict=True)),
        a2020.table,
        explain=False,
    )
    data = allocation_to_json(lazy)
    assert all(s["components"] == [] for s in data["shares"])
    full = allocation_to_json(a2020)
    assert [s["amount"] for s in data["shares"]] == [s["amount"] for s in full["shares"]]


def test_json_of_pending_and_unallocated(pending_2014: Allocation, floored: Allocation) -> None:
    data = allocation_to_json(pending_2014)
    assert data["pending"] == [
        {
            "envelope": "action_plans",
            "label": "Territorial action plans",
            "amount": "3339500.00",
            "indicators": ["population_2011"],
            "missing": ["ASL-MILANO", "ASL-MILANO-1", "ASL-MILANO-2"],
            "basis": "D.G.R. X/1081 of 12/12/2013",
        }
    ]
    assert allocation_to_json(floored)["unallocated"] == "1.00"


@pytest.mark.parametrize(
    ("value", "decimal"),
    [
        (Fraction(1234, 567), "2.176367"),
        (Fraction(-1, 3), "-0.333333"),
        (Fraction(5), "5.000000"),
        (Fraction(1, 2_000_000), "0.000000"),
        (Fraction(3, 2_000_000), "0.000002"),
    ],
)
def test_fraction_to_json(value: Fraction, decimal: str) -> None:
    assert fraction_to_json(value) == {"exact": str(value), "decimal": decimal}


# ---- CSV -----------------------------------------------------------------------------------------


def test_csv_has_a_column_per_envelope_and_part(a2020: Allocation) -> None:
    rows = list(csv.reader(io.StringIO(allocation_to_csv(a2020))))
    assert rows[0] == [
        "row",
        "id",
        "name",
        "ats",
        "ats.projects",
        "ats.system_action",
        "amount",
        "status",
    ]
    assert rows[1] == [
        "recipient",
        "ATS-BERGAMO",
        "Name of ATS-BERGAMO",
        "310206.00",
        "248165.00",
        "62041.00",
        "310206.00",
        "official",
    ]
    montagna = next(r for r in rows if r[1] == "ATS-MONTAGNA")
    assert montagna[3:] == ["82947.00", "66358.00", "16589.00", "82947.00", "derived"]
    assert rows[-2:] == [
        ["retained", "region", "Kept by the Region", "", "", "", "200000.00", ""],
        ["total", "", "", "", "", "", "3000000.00", ""],
    ]
    assert len(rows) == 11


def test_csv_leaves_pending_envelopes_blank(pending_2014: Allocation, floored: Allocation) -> None:
    rows = list(csv.reader(io.StringIO(allocation_to_csv(pending_2014))))
    assert rows[0] == ["row", "id", "name", "training", "action_plans", "amount", "status"]
    assert rows[1] == [
        "recipient",
        "ASL-BERGAMO",
        "Name of ASL-BERGAMO",
        "20000.00",
        "",
        "20000.00",
        "official",
    ]
    assert rows[-2] == [
        "pending",
        "action_plans",
        "Territorial action plans",
        "",
        "",
        "3339500.00",
        "",
    ]
    rows = list(csv.reader(io.StringIO(allocation_to_csv(floored))))
    assert rows[0] == ["row", "id", "name", "p", "p.2020", "p.2021", "f", "amount", "status"]
    assert rows[1] == [
        "recipient",
        "a",
        "Name of a",
        "20.00",
        "6.00",
        "14.00",
        "5.00",
        "25.00",
        "official",
    ]
    assert rows[-2][:3] == ["unallocated", "", ""]
    assert rows[-2][-2:] == ["1.00", ""]


# ---- the text table ------------------------------------------------------------------------------


def test_table_totals_markers_and_legend(a2020: Allocation) -> None:
    text = render_table(a2020, "en", cycle_title="Lombardy 2020-2023")
    lines = text.splitlines()
    assert lines[0] == "Lombardy 2020-2023"
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.endswith(" 3,000,000")  # whole euros: the plan's unit is €1, so no ".00"
    assert re.search(
        r"^ATS-MONTAGNA\*\s+Name of ATS-MONTAGNA\s+82,947\s+66,358\s+16,589\s+82,947$",
        text,
        re.M,
    )
    # Headed by labels, not envelope ids; the ids stay in the legend (and the CSV).
    header = next(line for line in lines if line.startswith("ID"))
    assert re.fullmatch(
        r"ID\s+Name\s+Funds to the ATS networks\s+Alliance projects\s+System action\s+Amount",
        header,
    )
    assert "ats.projects" not in header
    assert re.search(r"^ATS-MILANO\s+Name", text, re.M)  # official: no marker
    assert "Kept by the Region (retained: region)" in text
    assert "* figures not official" in text
    assert "  ATS-MONTAGNA derived: split by tranches" in text
    assert "WHAT-IF" not in text
    # Aligned: the amount column ends at the same place on every row of the table.
    ends = {len(line) for line in lines if re.match(r"^(ATS-|TOTAL|-{5})", line)}
    assert len(ends) == 1


def test_table_what_if_banner_pending_and_unallocated(
    pending_2014: Allocation, floored: Allocation
) -> None:
    what_if = allocate(
        floored.plan, people("a", "b", "c"), floored.table, what_if=["allocation.total=115"]
    )
    text = render_table(what_if, "en")
    assert text.splitlines()[1].startswith(
        "WHAT-IF: not the official parameters; changed: allocation.total=115"
    )
    assert re.search(r"Unallocated \(rounding remainders\)\s+1$", text, re.M)
    pending = render_table(pending_2014, "en")
    # This plan's unit is the cent, so its amounts keep their cents.
    assert re.search(
        r"Territorial action plans \(pending: action_plans\)\s+3,339,500\.00$", pending, re.M
    )
    assert re.search(r"^TOTAL\s+3,639,500\.00$", pending, re.M)
    assert "which is missing for 3 recipient(s): ASL-MILANO, ASL-MILANO-1, ASL-MILANO-2" in pending


def test_table_in_italian_uses_italian_numbers_and_restores_the_language(
    a2020: Allocation,
) -> None:
    before = current_language()
    text = render_table(a2020, "it")
    assert re.search(r"^TOTALE\s+3\.000\.000$", text, re.M)
    assert re.search(r"\s82\.947\s+66\.358\s+16\.589\s+82\.947$", text, re.M)
    assert ",00" not in text
    assert current_language() == before


# ---- explanations in words -----------------------------------------------------------------------


def test_explain_text_gives_the_figures_to_check(a2020: Allocation) -> None:
    with language("en"):
        text = explain_text(a2020, "ATS-MONTAGNA")
    assert text.startswith("Name of ATS-MONTAGNA (ATS-MONTAGNA) receives €82,947 in all.\n")
    for piece in (
        "from 'Funds to the ATS networks' (D.G.R. XI/2398 of 11/11/2019)",
        "resident_2019_01_01 298,032 (derived: ISTAT, 2019-01-01; split by tranches)",
        "out of 10,060,574 in all, i.e. 2.962375…% of €2,800,000",
        "= exact quota €82,946.519751…",
        "rounded to whole euros by largest remainder: +€0.480248…",
        "Split: 80% Alliance projects €66,358, 20% System action €16,589",
        "depends on derived figures",
    ):
        assert piece in text, piece


def test_explain_text_for_equal_fixed_floor_and_pending(
    pending_2014: Allocation, floored: Allocation
) -> None:
    text = explain_text(pending_2014, "ASL-MILANO", "en")
    assert "an equal share of €300,000 among 15 recipients = exact quota €20,000" in text
    assert "no rounding needed" in text
    assert (
        "'Territorial action plans' (€3,339,500) is not allocated yet: population_2011 "
        "missing for ASL-MILANO, ASL-MILANO-1, ASL-MILANO-2 (including this recipient)."
    ) in text
    a = explain_text(floored, "a", "en")
    assert "raised to the floor of €20 = exact quota €20" in a
    assert "a fixed €5 per recipient" in a
    assert "Tranches: 2020 (2/7) €6, 2021 (5/7) €14" in a
    b = explain_text(floored, "b", "en")
    assert "0.7 × pop 10 out of 100 + 0.3 × area 5 out of 8" in b
    assert "i.e. 25.75% of €100; rescaled after the floors and caps of other recipients" in b
    assert "= exact quota €20.60" in b
    assert "rounded down to whole euros (floor and report): −€0.60" in b


def test_explain_text_in_italian(a2020: Allocation) -> None:
    text = explain_text(a2020, "ATS-MONTAGNA", "it")
    assert "€ 82.947" in text
    assert "10.060.574" in text
    assert "2,962375…%" in text


def test_explain_text_of_an_unknown_id_names_the_known_ones(a2020: Allocation) -> None:
    with pytest.raises(InputError) as error:
        explain_text(a2020, "ATS-ROMA", "en")
    message = str(error.value)
    assert "unknown recipient 'ATS-ROMA'" in message
    for rid in POPULATION_2019:
        assert rid in message


def test_large_allocations_list_only_some_known_ids() -> None:
    plan = plan_of({"id": "e", "kind": "equal", "amount": "50"})
    result = allocate(plan, people(*(f"R{i:02d}" for i in range(50))), None)
    with pytest.raises(InputError, match=r"R00, R01.*R19 and 30 more"):
        result.explain("nobody")
    assert result.amount("R07") == Money.euros(1)


def test_columns_are_headed_by_labels_and_printed_in_their_unit() -> None:
    """A split counted in cents shows cents in its columns only; whole-euro columns show none."""
    plan = plan_of(
        {
            "id": "e",
            "label": "Equal share",
            "kind": "equal",
            "amount": "100",
            "split": [
                {"id": "a", "label": "Part A", "share": "1/3"},
                {"id": "b", "label": "Part B", "share": "2/3"},
            ],
            "split_unit": "0.01",
        },
        total="100",
        unit="1",
    )
    result = allocate(plan, people("x", "y", "z"), None)
    text = render_table(result, "en")
    assert re.search(r"^ID\s+Name\s+Equal share\s+Part A\s+Part B\s+Amount$", text, re.M)
    assert re.search(r"^x\s+Name of x\s+34\s+11\.33\s+22\.67\s+34$", text, re.M)
    assert re.search(r"^TOTAL\s+100$", text, re.M)


# ---- the row model shared by the table, the CSV (and any other tabular format) -------------------


@settings(max_examples=40, deadline=None)
@given(
    amounts=st.lists(st.integers(0, 10**7), min_size=1, max_size=3),
    retained=st.integers(0, 10**6),
    n=st.integers(1, 6),
    floor=st.booleans(),
    unit=st.sampled_from(["0.01", "1", "5"]),
)
def test_csv_rows_sum_to_the_total_like_the_table(
    amounts: list[int], retained: int, n: int, floor: bool, unit: str
) -> None:
    envelopes: list[dict[str, Any]] = [
        {"id": f"e{k}", "kind": "equal", "amount": str(v * 5)} for k, v in enumerate(amounts)
    ]
    envelopes.append({"id": "kept", "kind": "retained", "amount": str(retained * 5)})
    total = sum(v * 5 for v in amounts) + retained * 5
    plan = plan_of(
        *envelopes, total=str(total), unit=unit, strategy="floor" if floor else "largest_remainder"
    )
    result = allocate(plan, people(*(f"r{i}" for i in range(n))), None)
    rows = list(csv.DictReader(io.StringIO(allocation_to_csv(result))))
    assert [r["row"] for r in rows].count("total") == 1
    assert rows[-1]["row"] == "total"
    assert Decimal(rows[-1]["amount"]) == Decimal(total)
    assert sum(Decimal(r["amount"]) for r in rows[:-1]) == Decimal(total)
    assert [r["id"] for r in rows if r["row"] == "recipient"] == sorted(f"r{i}" for i in range(n))
    # The row model the CSV is written from says the same.
    model = list(allocation_rows(result))
    assert [r.kind.value for r in model] == [r["row"] for r in rows]
    assert sum((r.amount for r in model[:-1]), Money(0)) == model[-1].amount == result.total
    assert [c.id for c in allocation_columns(result)] == [f"e{k}" for k in range(len(amounts))]


def test_rows_name_the_retained_pending_and_unallocated_lines(
    pending_2014: Allocation, floored: Allocation
) -> None:
    kinds = [(r.kind, r.id) for r in allocation_rows(pending_2014)][-2:]
    assert kinds == [(RowKind.PENDING, "action_plans"), (RowKind.TOTAL, "")]
    rows = list(allocation_rows(floored))
    assert [r.kind for r in rows[-2:]] == [RowKind.UNALLOCATED, RowKind.TOTAL]
    assert rows[-2].amount == floored.unallocated == Money.euros(1)
    recipient = rows[0]
    assert recipient.kind is RowKind.RECIPIENT
    assert recipient.status is DataStatus.OFFICIAL
    assert len(recipient.cells) == len(allocation_columns(floored)) == 4
    pending_row = next(r for r in allocation_rows(pending_2014) if r.kind is RowKind.RECIPIENT)
    assert pending_row.cells[1] is None  # the pending envelope: nothing computed


# ---- fitting a width -----------------------------------------------------------------------------


def _long_names() -> Allocation:
    plan = plan_of(
        {
            "id": "projects",
            "label": "Funds for the alliance projects of every territorial network",
            "kind": "equal",
            "amount": "1000000",
            "split": [
                {"id": "a", "label": "Alliance projects proper", "share": "4/5"},
                {"id": "b", "label": "System action of the agency", "share": "1/5"},
            ],
        },
        {
            "id": "kept",
            "label": "Kept by the Region for the harmonisation actions of the whole programme",
            "kind": "retained",
            "amount": "200000",
        },
        total="1200000",
        unit="1",
    )
    names = [
        ("ATS-MILANO", "ATS della Città Metropolitana di Milano e dei comuni della cintura"),
        ("ATS-PAVIA", "ATS di Pavia"),
    ]
    return allocate(plan, names, None, what_if=["allocation.total=1200000 " + "x" * 30] * 4)


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_no_table_line_exceeds_the_width_and_nothing_is_cut(width: int) -> None:
    result = _long_names()
    text = render_table(result, "en", cycle_title="A cycle " * 12, width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, text
    for whole in ("ATS-MILANO", "ATS-PAVIA", "500,000", "400,000", "100,000", "1,200,000"):
        assert re.search(rf"(^|\s){re.escape(whole)}(\s|$)", text, re.M), whole
    name = "ATS della Città Metropolitana di Milano e dei comuni della cintura"
    words = text.split()
    assert all(word in words for word in name.split())  # wrapped, never cut
    wide = render_table(result, "en", cycle_title="A cycle " * 12)
    assert max(len(line) for line in wide.splitlines()) > 100  # without a width: one line each


def test_explain_text_wraps_to_the_width_without_cutting_figures(a2020: Allocation) -> None:
    one = explain_text(a2020, "ATS-MONTAGNA", "en")
    for width in (50, 80):
        text = explain_text(a2020, "ATS-MONTAGNA", "en", width=width)
        assert max(len(line) for line in text.splitlines()) <= width
        assert " ".join(text.split()) == " ".join(one.split())  # the same words, rewrapped
        assert "€82,946.519751…" in text.split()
    italian = explain_text(a2020, "ATS-MONTAGNA", "it", width=30)
    assert "€ 82.947" in italian  # "€ " and its figure stay on one line


# ---- the CSV written piece by piece from the integer cents ---------------------------------------


def _csv_from_the_row_model(a: Allocation) -> str:
    """The CSV as it was written before it was streamed: a Money per cell, from the row model."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["row", "id", "name", *(c.id for c in allocation_columns(a)), "amount", "status"]
    )
    for row in allocation_rows(a):
        writer.writerow(
            [
                row.kind.value,
                row.id,
                row.name,
                *("" if cell is None else str(cell) for cell in row.cells),
                str(row.amount),
                "" if row.status is None else row.status.value,
            ]
        )
    return buffer.getvalue()


def _in_pieces_of(rows: int, a: Allocation) -> list[str]:
    with mock.patch.object(_render, "_CSV_ROWS_PER_PIECE", rows):
        return list(allocation_csv_pieces(a))


@settings(max_examples=150, deadline=None)
@given(allocation_cases(max_recipients=12), st.integers(1, 5))
def test_csv_pieces_equal_the_csv_of_the_row_model(case: Any, rows: int) -> None:
    plan, recipients_, table = case
    result = allocate(plan, recipients_, table)
    pieces = _in_pieces_of(rows, result)
    assert "".join(pieces) == allocation_to_csv(result) == _csv_from_the_row_model(result)
    # a piece per `rows` recipients (the first with the header), then the lines after them
    assert len(pieces) == -(-len(recipients_) // rows) + 1
    assert pieces[0].count("\n") == 1 + min(rows, len(recipients_))
    assert all(p.count("\n") == rows for p in pieces[1:-2])


def test_csv_pieces_of_the_worked_examples_and_awkward_names(
    a2020: Allocation, pending_2014: Allocation, floored: Allocation
) -> None:
    awkward = allocate(
        plan_of({"id": "e", "kind": "equal", "amount": "100.03"}, total="100.03", unit="0.01"),
        [("q,1", 'A "quoted", name'), ("n\n2", "Two\nlines"), ("s 3", " spaced ")],
        None,
    )
    for a in (a2020, pending_2014, floored, awkward):
        assert "".join(_in_pieces_of(2, a)) == _csv_from_the_row_model(a)
        assert allocation_to_csv(a) == _csv_from_the_row_model(a)
    assert '"q,1","A ""quoted"", name"' in allocation_to_csv(awkward)


@given(
    st.lists(st.one_of(st.integers(0, 10_000), st.integers(0, 10**30)), max_size=20),
    st.sampled_from(["en", "it"]),
)
def test_amounts_of_a_column_are_amount_and_group_of_each(values: list[int], lang: str) -> None:
    assert amounts(values, lang, True) == [amount(Money(v), lang) for v in values]
    assert amounts(iter(values), lang, False) == [group(v // 100, lang) for v in values]


# ---- the table and the CSV of many recipients: columns formatted on the fly ------------------------


@given(
    st.lists(st.one_of(st.integers(0, 10_000), st.integers(0, 10**30)), max_size=30),
    st.sampled_from(["en", "it"]),
    st.booleans(),
    st.sampled_from([1, 5, 100, 500]),
)
def test_amount_texts_are_the_amounts_of_the_values_in_their_unit(
    values: list[int], lang: str, cents: bool, unit: int
) -> None:
    if unit % 100:
        cents = True  # a column in cents always shows them
    column = AmountTexts(values, lang, cents, unit)
    expected = amounts([v * unit for v in values], lang, cents)
    with mock.patch.object(_formatting, "_CHUNK", 7):  # several chunks
        assert list(column) == expected
    assert len(column) == len(values)
    assert [column[i] for i in range(len(values))] == expected == column[:]
    assert column.longest == max(map(len, expected), default=0)


@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize(("unit", "cents"), [(1, True), (1, False), (100, False), (5, True)])
def test_many_amounts_of_few_euros_are_looked_up_the_same(
    lang: str, unit: int, cents: bool
) -> None:
    # up to 2,500 euros among 3,000 amounts: a table of the 2,501 texts of whole euros
    values = [(v * 7919) % (250_000 // unit) for v in range(3_000)]
    column = AmountTexts(values, lang, cents, unit)
    assert column._grouped is not None
    assert list(column) == amounts([v * unit for v in values], lang, cents)
    assert column.longest == max(map(len, column))


def _sorted_and_shuffled(case: Any) -> tuple[Allocation, Allocation]:
    """The same allocation from recipients in id order (rendered by slices) and reversed."""
    plan, recipients_, table = case
    in_order = allocate(plan, sorted(recipients_), table)
    reversed_ = allocate(plan, sorted(recipients_, reverse=True), table)
    return in_order, reversed_


@settings(max_examples=100, deadline=None)
@given(allocation_cases(max_recipients=12), st.sampled_from([None, 40, 120]))
def test_the_table_and_csv_do_not_depend_on_the_input_order(case: Any, width: int | None) -> None:
    in_order, reversed_ = _sorted_and_shuffled(case)
    assert in_order.in_input_order()
    assert not reversed_.in_input_order() or len(in_order.recipient_ids) < 2
    assert in_order.status_values() == [in_order.status(r).value for r in in_order.recipient_ids]
    with mock.patch.object(_render, "_TABLE_LINES_PER_PIECE", 3):
        pieces = list(_render.render_table_pieces(in_order, width=width))
    assert "".join(pieces) == render_table(reversed_, width=width)
    # each piece: 3 lines or more, the last text added being a line or up to 3 rows of the grid
    assert all(3 <= p.count("\n") < 6 for p in pieces[:-1])
    assert _in_pieces_of(2, in_order) == _in_pieces_of(2, reversed_)
    assert "".join(_in_pieces_of(2, in_order)) == _csv_from_the_row_model(reversed_)
