"""Rendering allocations: JSON (no floats, deterministic), CSV, the text table, explanations."""

from __future__ import annotations

import csv
import io
import json
import re
from fractions import Fraction
from typing import Any

import pytest

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import IndicatorRow, IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    Allocation,
    allocate,
    allocation_to_csv,
    allocation_to_json,
    explain_text,
    fraction_to_json,
    render_table,
)
from conciliazione_core.i18n import current_language, language
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
    assert rows[0] == ["id", "name", "ats", "ats.projects", "ats.system_action", "amount", "status"]
    assert rows[1] == [
        "ATS-BERGAMO",
        "Name of ATS-BERGAMO",
        "310206.00",
        "248165.00",
        "62041.00",
        "310206.00",
        "official",
    ]
    montagna = next(r for r in rows if r[0] == "ATS-MONTAGNA")
    assert montagna[2:] == ["82947.00", "66358.00", "16589.00", "82947.00", "derived"]
    assert len(rows) == 9


def test_csv_leaves_pending_envelopes_blank(pending_2014: Allocation, floored: Allocation) -> None:
    rows = list(csv.reader(io.StringIO(allocation_to_csv(pending_2014))))
    assert rows[0] == ["id", "name", "training", "action_plans", "amount", "status"]
    assert rows[1] == ["ASL-BERGAMO", "Name of ASL-BERGAMO", "20000.00", "", "20000.00", "official"]
    rows = list(csv.reader(io.StringIO(allocation_to_csv(floored))))
    assert rows[0] == ["id", "name", "p", "p.2020", "p.2021", "f", "amount", "status"]
    assert rows[1] == ["a", "Name of a", "20.00", "6.00", "14.00", "5.00", "25.00", "official"]


# ---- the text table ------------------------------------------------------------------------------


def test_table_totals_markers_and_legend(a2020: Allocation) -> None:
    text = render_table(a2020, "en", cycle_title="Lombardy 2020-2023")
    lines = text.splitlines()
    assert lines[0] == "Lombardy 2020-2023"
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.endswith("3,000,000.00")
    assert re.search(
        r"^ATS-MONTAGNA\*\s+Name of ATS-MONTAGNA\s+82,947\.00\s+66,358\.00\s+"
        r"16,589\.00\s+82,947\.00$",
        text,
        re.M,
    )
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
    assert re.search(r"Unallocated \(rounding remainders\)\s+1\.00$", text, re.M)
    pending = render_table(pending_2014, "en")
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
    assert "3.000.000,00" in text
    assert "82.947,00" in text
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
