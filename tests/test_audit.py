"""The audit of published tables: exact parsing (floats and ambiguous numbers refused), the
comparison with the rule, the search for reconciling parameters, and the command's exit codes."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core import Cycle, InputError, Money
from conciliazione_core._audit import (
    AuditReport,
    Method,
    PublishedAmount,
    PublishedTable,
    audit,
    audit_cycle,
    audit_to_json,
    load_published_table,
    parse_published_amount,
    parse_published_csv,
    parse_published_json,
    render_audit,
)
from conciliazione_core._provenance import DataStatus
from conciliazione_core.cli import main

OFFICIAL = DataStatus.OFFICIAL


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, out, err


def rule_output(cycle: Cycle) -> dict[str, Money]:
    """What lombardia-2020's rule gives for its 'ats' envelope (€2,800,000)."""
    report = audit_cycle(cycle, PublishedTable((PublishedAmount("ATS-PAVIA", Money(0)),)))
    return {r.id: r.rule_amount for r in report.rows}


def write_csv(path: Path, amounts: dict[str, str]) -> Path:
    lines = ["id,amount,note"] + [f"{k},{v}," for k, v in amounts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---- parsing amounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"), [("110700", 11_070_000), ("110700.5", 11_070_050), (" 0.01 ", 1), (7, 700)]
)
def test_exact_amounts_are_read(text: object, cents: int) -> None:
    assert parse_published_amount(text) == Money(cents)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (110700.0, "(float) is not an exact amount"),
        ("110,700", "is ambiguous"),
        ("110.700", "is ambiguous"),
        ("1.000.000", "is ambiguous"),
        ("1e5", "is not an exact amount in euros"),
        ("-5", "is not an exact amount in euros"),
        ("12.345", "is ambiguous"),
        ("12.3456", "is not an exact amount in euros"),
        (True, "(bool) is not an exact amount"),
    ],
)
def test_inexact_or_ambiguous_amounts_are_refused(value: object, words: str) -> None:
    with pytest.raises(InputError, match="row 3") as error:
        parse_published_amount(value, "row 3")
    assert words in str(error.value)


def test_a_json_float_is_refused_with_its_place() -> None:
    with pytest.raises(InputError) as error:
        parse_published_json('[{"id": "A", "amount": "1"}, {"id": "B", "amount": 2.5}]', "t.json")
    assert "t.json: $[1]" in str(error.value)
    assert "not an exact amount" in str(error.value)


def test_json_rows_with_strings_and_integers() -> None:
    table = parse_published_json(
        '{"rows": [{"id": "A", "amount": "1.50"}, {"id": "B", "amount": 3}]}'
    )
    assert table.given == {"A": Money(150), "B": Money(300)}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id,value\nA,1\n", "needs the columns id and amount (missing: amount)"),
        ("id,amount\nA,1\nA,2\n", "id 'A' appears twice"),
        ("id,amount\nA,\n", "the amount of A is empty: give a note saying why"),
        ("id,amount\n,5\n", "row 2: the row has no id"),
        ("id,amount\n", "the table has no rows"),
    ],
)
def test_bad_csv_tables_are_refused(text: str, words: str) -> None:
    with pytest.raises(InputError) as error:
        parse_published_csv(text, "t.csv")
    assert words in str(error.value)


def test_an_empty_amount_with_a_note_is_not_given() -> None:
    table = parse_published_csv('id,amount,note\nA,5\nB,,"printed as ""117.00"", a typo"\n')
    assert table.rows[1] == PublishedAmount("B", None, 'printed as "117.00", a typo')
    assert table.given == {"A": Money(500)}


def test_a_file_that_is_neither_csv_nor_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("id,amount\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a \.csv or a \.json file"):
        load_published_table(path)


# ---- the comparison -----------------------------------------------------------------------------

#: Three recipients, €10 split 5:3:1 (quotas 5.56, 3.33, 1.11; largest remainder gives 6, 3, 1).
RULE = {
    "a": ("A", Fraction(50, 9), Money.euros(6), OFFICIAL),
    "b": ("B", Fraction(30, 9), Money.euros(3), OFFICIAL),
    "c": ("C", Fraction(10, 9), Money.euros(1), DataStatus.DERIVED),
}


def small_audit(amounts: dict[str, int]) -> AuditReport:
    table = PublishedTable(tuple(PublishedAmount(k, Money.euros(v)) for k, v in amounts.items()))
    return audit(
        RULE,
        table,
        cycle_id="toy",
        envelope_id="e",
        amount=Money.euros(10),
        unit=Money.euros(1),
        strategy="largest_remainder",
        data_label="toy data",
    )


def test_the_rule_s_own_output_reconciles() -> None:
    report = small_audit({"a": 6, "b": 3, "c": 1})
    assert report.reconciled
    exact = report.exact_matches
    assert (Money.euros(1), Method.LARGEST_REMAINDER) in {(c.unit, c.method) for c in exact}
    assert (Money.euros(1), Method.NEAREST) in {(c.unit, c.method) for c in exact}
    assert (Money.euros(1), Method.FLOOR) not in {(c.unit, c.method) for c in exact}


def test_differences_in_euros_and_units_and_the_quota_rule() -> None:
    report = small_audit({"a": 5, "b": 4, "c": 1})
    a, b, c = report.rows
    assert a.difference == Fraction(5) - Fraction(50, 9)
    assert a.difference_units(Money.euros(1)) == Fraction(-5, 9)
    assert a.meets_quota_rule(Money.euros(1)) is True  # 5 is the floor of 5.56
    assert a.matches_rule is False
    assert b.meets_quota_rule(Money.euros(1)) is True  # 4 is the ceiling of 3.33
    assert c.matches_rule is True
    assert not report.reconciled
    assert report.sum_difference == 0
    closest = report.candidates[0]
    assert not closest.exact
    # The floors at €1 (5, 3, 1) differ from 5, 4, 1 by one euro in one place.
    assert (closest.unit, closest.method, closest.residual, closest.mismatches) == (
        Money.euros(1),
        Method.FLOOR,
        Money.euros(1),
        1,
    )


def test_the_closest_candidate_has_the_smallest_residual() -> None:
    report = small_audit({"a": 5, "b": 4, "c": 1})
    residuals = [c.residual for c in report.candidates]
    assert residuals == sorted(residuals)
    assert len(report.candidates) == 16


def test_a_recipient_the_cycle_does_not_have_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not recipients of toy: z"):
        small_audit({"a": 6, "z": 4})


def test_json_output_is_exact(cycle_2020: Cycle) -> None:
    amounts = rule_output(cycle_2020)
    table = PublishedTable(tuple(PublishedAmount(k, v) for k, v in amounts.items()))
    data = audit_to_json(audit_cycle(cycle_2020, table))
    assert data["reconciled"] is True
    assert data["sum"] == {
        "published": "2800000.00",
        "envelope": "2800000.00",
        "difference_cents": 0,
        "not_given": [],
    }
    milano = data["recipients"][0]
    assert milano["id"] == "ATS-MILANO"
    assert milano["rule_amount"] == "968676.00"
    assert Fraction(milano["exact_quota"]["exact"]) == Fraction(2_800_000 * 3_480_513, 10_060_574)
    json.dumps(data)


@settings(max_examples=30, deadline=None)
@given(
    weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=12), euros=st.integers(0, 10**7)
)
def test_largest_remainder_at_the_unit_always_reconciles_its_own_output(
    weights: list[int], euros: int
) -> None:
    total = sum(weights)
    if total == 0:
        return
    from conciliazione_core.allocation import largest_remainder

    ids = [f"r{i:02d}" for i in range(len(weights))]
    shares = largest_remainder(euros, weights, ids)
    rule = {
        rid: (rid, Fraction(euros * w, total), Money.euros(s), OFFICIAL)
        for rid, w, s in zip(ids, weights, shares, strict=True)
    }
    table = PublishedTable(tuple(PublishedAmount(k, v[2]) for k, v in rule.items()))
    report = audit(
        rule,
        table,
        cycle_id="p",
        envelope_id="e",
        amount=Money.euros(euros),
        unit=Money.euros(1),
        strategy="largest_remainder",
        data_label="d",
    )
    assert report.reconciled
    assert any(
        c.unit == Money.euros(1) and c.method is Method.LARGEST_REMAINDER
        for c in report.exact_matches
    )
    assert all(r.meets_quota_rule(Money.euros(1)) for r in report.rows)


# ---- the command ---------------------------------------------------------------------------------


def test_audit_exits_0_when_the_table_is_what_the_rule_gives(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cycle_2020: Cycle
) -> None:
    amounts = {k: str(v) for k, v in rule_output(cycle_2020).items()}
    path = write_csv(tmp_path / "same.csv", amounts)
    code, out, err = run(capsys, "audit", "lombardia-2020", "--published", str(path))
    assert (code, err) == (0, "")
    assert "Reconciled: yes" in out
    assert "unit €1, largest remainder" in out


def test_audit_exits_1_when_a_figure_differs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cycle_2020: Cycle
) -> None:
    amounts = {k: str(v) for k, v in rule_output(cycle_2020).items()}
    amounts["ATS-PAVIA"] = "151930"
    path = write_csv(tmp_path / "off.csv", amounts)
    code, out, _err = run(
        capsys, "audit", "lombardia-2020", "--published", str(path), "--format", "json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["reconciled"] is False
    pavia = next(r for r in data["recipients"] if r["id"] == "ATS-PAVIA")
    assert pavia["matches_rule"] is False
    assert pavia["meets_quota_rule"] is False  # 151,930: neither floor nor ceiling of 151,928.35
    assert data["sum"]["difference_cents"] == 200


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--published", "{dir}/float.json"], "is not an exact amount"),
        (["--published", "{dir}/comma.csv"], "is ambiguous"),
        (["--published", "{dir}/missing.csv"], "no such file"),
        (["--published", "{dir}/good.csv", "--amount", "1.5e6"], "is not an amount"),
        (["--published", "{dir}/stranger.csv"], "not recipients of lombardia-2020: ATS-X"),
        (["--published", "{dir}/good.csv", "--envelope", "region"], "not an envelope"),
    ],
)
def test_audit_exits_2_on_bad_input_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], words: str
) -> None:
    (tmp_path / "float.json").write_text('[{"id": "ATS-PAVIA", "amount": 151928.0}]', "utf-8")
    write_csv(tmp_path / "comma.csv", {"ATS-PAVIA": '"151,928"'})
    write_csv(tmp_path / "stranger.csv", {"ATS-X": "1"})
    write_csv(tmp_path / "good.csv", {"ATS-PAVIA": "151928"})
    argv = ["audit", "lombardia-2020", *(a.format(dir=tmp_path) for a in args)]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert words in err


def test_the_table_output_names_what_is_not_given(cycle_2020: Cycle) -> None:
    table = parse_published_csv('id,amount,note\nATS-PAVIA,151928\nATS-MILANO,,"a typo"\n')
    text = render_audit(audit_cycle(cycle_2020, table))
    assert "Not given: ATS-MILANO (a typo)" in text
    assert "ATS-INSUBRIA*" in text  # derived reference figure, marked
    assert "Reconciled: no" in text


def test_data_runs_the_rule_on_another_table_and_the_shipped_one_is_tried_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cycle_2020: Cycle
) -> None:
    # Equal populations: €2,800,000 / 8 = €350,000 each. The table reconciles on that data only.
    ones = tmp_path / "ones.csv"
    lines = ["id,name,resident_2019_01_01,source,reference_date,status"]
    lines += [f"{r.id},{r.name},1,test,2019-01-01,official" for r in cycle_2020.recipients]
    ones.write_text("\n".join(lines) + "\n", encoding="utf-8")
    equal = write_csv(tmp_path / "equal.csv", {r.id: "350000" for r in cycle_2020.recipients})
    code, out, _err = run(
        capsys,
        "audit",
        "lombardia-2020",
        "--published",
        str(equal),
        "--data",
        str(ones),
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["data"] == str(ones)
    assert {c["data"] for c in data["exact_matches"]} == {str(ones)}
    tried = {c["data"] for c in data["candidates"]}
    assert tried == {str(ones), "shipped ats_population_2019.csv"}
    assert len(data["candidates"]) == 2 * 16
    code, _out, _err = run(capsys, "audit", "lombardia-2020", "--published", str(equal))
    assert code == 1
