"""The fast paths of issue 16 give exactly what the plain, exact references give.

* the columnar CSV reader against the careful row-by-row reader (and the same errors);
* ``bounded_scale`` (one sort, bisections on ints) against the breakpoint search on Fractions it
  replaced, kept here as the reference, on ties, near-overflow and huge weights;
* splits and tranches computed per part in one pass against one largest-remainder call per
  recipient.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import (
    TABLE_LIMITS,
    IndicatorRow,
    IndicatorTable,
    _careful_csv,
    load_indicator_table,
    parse_indicator_csv,
)
from conciliazione_core._legal import LegalBasis
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._serialisation import Limits
from conciliazione_core.allocation import _vectorised as vectorised
from conciliazione_core.allocation import allocate, bounded_scale, parse_allocation
from conciliazione_core.allocation._engine import (
    _check_each_recipient,
    _round_quotas,
    _split_columns,
    _split_units,
)
from conciliazione_core.allocation._rounding import (
    _SELECT_THRESHOLD,
    Rounding,
    Strategy,
    _kth_largest,
    apportion,
)

NEAR = 2**63

# ---- the columnar reader ---------------------------------------------------------------------------

cells = st.one_of(
    st.integers(0, 10**12).map(str),
    st.sampled_from(["0", "007", " 12 ", "12.5", "0.001", ".5", "3.", "9" * 40]),
)
provenances = st.tuples(
    st.sampled_from(["ISTAT", " ISTAT ", "Region"]),
    st.sampled_from(["2019-01-01", "2020-06-30"]),
    st.sampled_from(["official", "derived", "estimate", " Official "]),
    st.sampled_from(["", "projected", "split, by tranches"]),
)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 30))
    ids = draw(
        st.lists(
            st.from_regex(r"[A-Z]{1,3}-?[0-9]{0,3}", fullmatch=True),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(["id", "name", "pop", "area", "source", "reference_date", "status", "method"])
    for rid in ids:
        writer.writerow([rid, f"Name {rid}", draw(cells), draw(cells), *draw(provenances)])
    return buffer.getvalue()


@given(csv_texts())
def test_the_columnar_reader_reads_what_the_careful_reader_reads(text: str) -> None:
    """Same table, or the same refusal (a 40-digit value is beyond the number grammar)."""
    reference: IndicatorTable | str
    try:
        reference = _careful_csv(text, None)
    except InputError as refused:
        reference = str(refused)
    if isinstance(reference, str):
        with pytest.raises(InputError) as info:
            parse_indicator_csv(text)
        assert str(info.value) == reference
        return
    table = parse_indicator_csv(text)
    assert table == reference
    assert table.rows == reference.rows
    for name in table.indicators:
        assert table.column(name) == reference.column(name)
        assert table.integer_column(name) == reference.integer_column(name)
    assert table.non_official() == tuple(r.id for r in reference.rows if not r.provenance.official)


def test_a_table_file_is_read_as_a_stream_with_the_same_result(tmp_path: Path) -> None:
    text = "id,name,pop,source,reference_date,status\nA,Alpha,12,ISTAT,2019-01-01,official\n"
    path = tmp_path / "t.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert load_indicator_table(path) == parse_indicator_csv(text)
    assert load_indicator_table(path).rows[0].value("pop") == 12


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "A,Alpha,12,ISTAT,2019-01-01,official\nA,Beta,1,ISTAT,2019-01-01,official\n",
            "row 3 (A), column id: duplicate id 'A' (first at row 2)",
        ),
        ("A,Alpha,1.5e3,ISTAT,2019-01-01,official\n", "row 2 (A), column pop: '1.5e3' is not a"),
        (
            "A,Alpha,12,ISTAT,2019-13-01,official\n",
            "row 2 (A), column reference_date: '2019-13-01'",
        ),
        ("A,Alpha,12,,2019-01-01,official\n", "row 2 (A), column source: the source is empty"),
        ("A,Alpha,12,ISTAT,2019-01-01\n", "row 2 (A): 5 cells, but the header has 6 columns"),
        ("A,Alpha,١٢,ISTAT,2019-01-01,official\n", "row 2 (A), column pop: '١٢' is not a number"),
    ],
)
def test_a_file_with_a_problem_is_reported_row_by_row(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,pop,source,reference_date,status\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_indicator_table(path)
    assert any(str(p).startswith(message) for p in error.value.problems), error.value.problems


def test_blank_rows_and_padded_cells_are_read_as_before() -> None:
    text = "id , name,pop,source,reference_date,status\n\n A ,Alpha, 12 ,ISTAT,2019-01-01,official\n,,,,,\n"
    table = parse_indicator_csv(text)
    assert table.ids == ("A",)
    assert table.integer_column("pop") == ((12,), 1)


def test_table_files_have_their_own_bounded_size_limit(tmp_path: Path) -> None:
    assert TABLE_LIMITS.max_bytes == 512 * 2**20  # a million rows is about 60 MB of CSV
    path = tmp_path / "t.csv"
    path.write_text("id,name,pop,source,reference_date,status\n" + "x" * 100, encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 50"):
        load_indicator_table(path, Limits(max_bytes=50))


# ---- the table by columns ---------------------------------------------------------------------------

OFFICIAL = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
ESTIMATE = Provenance("ATS", dt.date(2019, 1, 1), DataStatus.ESTIMATE, "projected")


def test_a_table_from_columns_equals_the_table_from_rows() -> None:
    rows = (
        IndicatorRow("B", "Beta", (("pop", 3), ("area", Fraction(1, 4))), ESTIMATE),
        IndicatorRow("A", "Alpha", (("pop", 0), ("area", Fraction(5, 2))), OFFICIAL),
    )
    by_rows = IndicatorTable(("pop", "area"), rows)
    by_columns = IndicatorTable.from_columns(
        ("pop", "area"),
        ["B", "A"],
        ["Beta", "Alpha"],
        [[3, 0], [Fraction(1, 4), Fraction(5, 2)]],
        [ESTIMATE, OFFICIAL],
        [0, 1],
    )
    assert by_rows == by_columns
    assert hash(by_rows) == hash(by_columns)
    assert by_columns.rows == rows
    assert by_columns.row(1) == rows[1]
    assert by_columns.get("A") == rows[1]
    assert by_columns.get("C") is None
    assert by_columns.integer_column("area") == ((1, 10), 4)
    assert by_columns.column("area") == (Fraction(1, 4), Fraction(5, 2))
    assert by_columns.non_official() == ("B",)
    assert by_columns.non_official_provenances() == [("B", ESTIMATE)]
    assert by_columns.provenances() == (ESTIMATE, OFFICIAL)
    assert len(by_columns) == 2
    other = IndicatorTable.from_columns(
        ("pop", "area"),
        ["B", "A"],
        ["Beta", "Alpha"],
        [[3, 0], [Fraction(1, 4), Fraction(5, 2)]],
        [OFFICIAL],
        [0, 0],
    )
    assert other != by_columns
    assert other.non_official_provenances() == []
    with pytest.raises(KeyError, match="no indicator 'x'"):
        by_columns.integer_column("x")


@pytest.mark.parametrize(
    ("columns", "ids", "codes", "error", "message"),
    [
        ([[1, 2]], ["A", "A"], [0, 0], ValueError, "duplicate row id 'A'"),
        ([[1, -2]], ["A", "B"], [0, 0], ValueError, "indicator 'pop': value -2 is negative"),
        ([[1, 2.0]], ["A", "B"], [0, 0], TypeError, "must be an int or a Fraction, not float"),
        ([[1]], ["A", "B"], [0, 0], ValueError, "one value for each of the 2 rows"),
        ([[1, 2], [3, 4]], ["A", "B"], [0, 0], ValueError, "2 columns for 1 indicators"),
        ([[1, 2]], ["A", "B"], [0, 1], ValueError, "provenance code is not an index"),
    ],
)
def test_columns_are_checked(
    columns: list[list[object]], ids: list[str], codes: list[int], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        IndicatorTable.from_columns(("pop",), ids, ids, columns, [OFFICIAL], codes)  # type: ignore[arg-type]


def test_indicator_names_must_be_unique_by_columns_too() -> None:
    with pytest.raises(ValueError, match="indicator names must be unique"):
        IndicatorTable.from_columns(("a", "a"), [], [], [[], []], [], [])


# ---- bounded_scale -------------------------------------------------------------------------------


def reference_bounded_scale(
    units: int, weights: Sequence[int], floor: int, cap: int | None
) -> Fraction:
    """The breakpoint search on Fractions that ``bounded_scale`` replaced (exact, slow)."""
    total = sum(weights)
    plain = Fraction(units, total)
    positive = [w for w in weights if w > 0]
    floor_binds = floor > 0 and (
        len(positive) < len(weights) or min(positive) * units < floor * total
    )
    cap_binds = cap is not None and max(positive) * units > cap * total
    if not floor_binds and not cap_binds:
        return plain

    def at(point: Fraction) -> Fraction:
        return sum(
            (
                min(max(point * w, Fraction(floor)), Fraction(cap))
                if cap is not None
                else max(point * w, Fraction(floor))
            )
            for w in weights
        )

    points = {Fraction(0)}
    for w in positive:
        if floor:
            points.add(Fraction(floor, w))
        if cap is not None:
            points.add(Fraction(cap, w))
    ordered = sorted(points)
    lo = max(i for i, p in enumerate(ordered) if at(p) <= units)
    start = ordered[lo]
    probe = (start + ordered[lo + 1]) / 2 if lo + 1 < len(ordered) else start + 1
    fixed, free = Fraction(0), 0
    for w in weights:
        x = probe * w
        if x <= floor:
            fixed += floor
        elif cap is not None and x >= cap:
            fixed += cap
        else:
            free += w
    return start if free == 0 else (units - fixed) / free


weights_lists = st.lists(
    st.one_of(
        st.integers(0, 6),  # many ties and zeros
        st.integers(0, 10**6),
        st.integers(NEAR - 3, NEAR + 3),  # near overflow of int64
        st.integers(2**100, 2**100 + 5),  # huge
    ),
    min_size=1,
    max_size=12,
)


@given(weights_lists, st.integers(0, 50), st.one_of(st.none(), st.integers(0, 80)), st.data())
def test_bounded_scale_is_the_reference_scale(
    weights: list[int], floor: int, cap: int | None, data: st.DataObject
) -> None:
    n = len(weights)
    if sum(weights) == 0 or (cap is not None and cap < floor):
        return
    positive = n - weights.count(0)  # the engine refuses what the positive ones cannot reach
    high = positive * cap + (n - positive) * floor if cap is not None else n * floor + 10**6
    units = data.draw(st.integers(n * floor, high))
    scale = bounded_scale(units, weights, floor, cap)
    assert scale == reference_bounded_scale(units, weights, floor, cap)
    clamped = (max(scale * w, Fraction(floor)) for w in weights)
    assert sum(min(x, Fraction(cap)) if cap is not None else x for x in clamped) == units


_E70 = 2**70  # a float step is 2^18 here


@pytest.mark.parametrize(
    ("units", "weights", "floor", "cap", "expected"),
    [
        # the floor binds: λ × w <= floor is decided on ints (in floats all six weights are 2^70)
        (
            12,
            [_E70 + d for d in (19, 23, 23, 25, 29, 38)],
            2,
            None,
            Fraction(1, 590295810358705651731),
        ),
        # the cap binds: likewise λ × w >= cap
        (
            50,
            [3, *(_E70 + d for d in (3, 7, 8, 10, 34))],
            0,
            10,
            Fraction(1, 118059162071741130343),
        ),
        # the segment after the last point starts where λ × w >= cap, on ints
        (29, [4, *(2**60 + d for d in (226, 273, 371, 649))], 0, 7, Fraction(1, 4)),
    ],
)
def test_bounded_scale_bounds_are_found_in_integers_at_huge_weights(
    units: int, weights: list[int], floor: int, cap: int | None, expected: Fraction
) -> None:
    """Weights around 2^70 that differ by less than a float's step: a bound computed with ``/``
    instead of ``//`` rounds them together (three mutants of issue 16's mutation run)."""
    assert bounded_scale(units, weights, floor, cap) == expected
    assert reference_bounded_scale(units, weights, floor, cap) == expected


def test_bounded_scale_at_a_flat_sum_is_the_last_point() -> None:
    # Everyone at the cap: any scale from 1/2 on gives 20; the last point is 10/20 = 1/2.
    assert bounded_scale(20, [20, 40], 0, 10) == Fraction(1, 2)
    # Zero weights stay at the floor, the others share the rest.
    assert bounded_scale(30, [0, 1, 1], 10, None) == 10


# ---- splits and tranches ---------------------------------------------------------------------------


@given(
    st.lists(st.one_of(st.integers(0, 10), st.integers(NEAR // 1000, NEAR + 2)), max_size=20),
    st.sampled_from([1, 2, 10, 100]),
    st.lists(st.integers(0, 7), min_size=1, max_size=4).filter(any),
    st.permutations(["a", "b", "c", "d"]),
    st.booleans(),
)
def test_a_split_in_one_pass_is_largest_remainder_per_recipient(
    units: list[int], factor: int, raw: list[int], part_ids: list[str], numpy: bool
) -> None:
    # With numpy, the int64 path runs from one recipient on, and must step aside for products
    # beyond int64 (units near 2**63 times a factor and a multiplier).
    shares = [Fraction(r, sum(raw)) for r in raw]
    ids = part_ids[: len(shares)]
    rows = [_split_units(u * factor, shares, ids) for u in units]
    expected = [list(c) for c in zip(*rows, strict=True)] if units else [[] for _ in ids]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectorised, "MIN_LENGTH", 1 if numpy else 10**9)
        assert _split_columns(units, factor, shares, ids) == expected


def test_a_long_split_takes_the_numpy_path_when_it_fits() -> None:
    if vectorised.numpy_or_none() is None:
        pytest.skip("NumPy is not installed")
    n = vectorised.MIN_LENGTH
    units = [u * 7 for u in range(n)]
    fast = vectorised.split_columns_int64(units, 100, [4, 1], 5, ["projects", "system_action"])
    assert fast == [[u * 80 for u in units], [u * 20 for u in units]]
    # A tie between remainders 1 and 1 of 3 parts goes to the smaller part ids first.
    assert vectorised.split_columns_int64([1] * n, 1, [1, 1, 1], 3, ["b", "a", "c"]) == [
        [0] * n,
        [1] * n,
        [0] * n,
    ]
    assert (
        vectorised.split_columns_int64([NEAR // 100, *units[1:]], 100, [4, 1], 5, ["a", "b"])
        is None
    )


# ---- rounding quotas over one denominator (capped and floored envelopes) ---------------------------


@given(
    st.lists(
        st.one_of(st.integers(0, 5), st.integers(NEAR - 4, NEAR + 4)), min_size=1, max_size=30
    ),
    st.integers(1, 6),
    st.sampled_from([Strategy.LARGEST_REMAINDER, Strategy.FLOOR]),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_rounding_quotas_is_apportioning_them(
    raw: list[int], q: int, strategy: Strategy, numpy: bool, rng: random.Random
) -> None:
    # Quotas over q adding up to a whole number of units: pad the last one.
    quotas = [*raw, -sum(raw) % q]
    units = sum(quotas) // q
    ids = [f"r{i}" for i in range(len(quotas))]
    rng.shuffle(ids)
    rounding = Rounding(strategy)
    expected = apportion(rounding, units, quotas, ids) if units else [0] * len(quotas)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectorised, "MIN_LENGTH", 1 if numpy else 10**9)
        assert _round_quotas(rounding, units, quotas, q, ids) == expected


def test_capped_quotas_take_the_numpy_path_when_they_fit() -> None:
    if vectorised.numpy_or_none() is None:
        pytest.skip("NumPy is not installed")
    n = vectorised.MIN_LENGTH
    quotas = [2] * (n - 1) + [n + 2]  # over q = 3: n units in all
    ids = [f"r{i:05d}" for i in range(n)]
    fast = vectorised.round_quotas_int64(n, quotas, 3, ids, floor_only=False)
    assert fast == apportion(Rounding(), n, quotas, ids)
    assert vectorised.round_quotas_int64(n, [NEAR, *quotas[1:]], 3, ids, floor_only=False) is None


def test_allocate_pauses_the_garbage_collector_and_restores_it() -> None:
    import gc

    from conciliazione_core.allocation import _engine as engine

    seen: list[bool] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_allocate", lambda *args: seen.append(gc.isenabled()))
        assert gc.isenabled()
        engine.allocate(None, [])  # type: ignore[arg-type]
        assert gc.isenabled()
        gc.disable()
        try:
            engine.allocate(None, [])  # type: ignore[arg-type]
            assert not gc.isenabled()
        finally:
            gc.enable()
    assert seen == [False, False]


def test_json_rows_sharing_a_provenance_read_it_once_and_still_report_a_bad_one() -> None:
    from conciliazione_core._indicators import parse_indicator_json

    good = {"source": "ISTAT", "reference_date": "2019-01-01", "status": "estimate"}
    rows = [
        {"id": "A", "name": "Alpha", "values": {"pop": 1}, "provenance": dict(good)},
        {"id": "B", "name": "Beta", "values": {"pop": "2.5"}, "provenance": dict(good)},
    ]
    table = parse_indicator_json({"indicators": ["pop"], "rows": rows})
    estimate = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.ESTIMATE)
    assert table.provenances() == (estimate, estimate)
    assert table.integer_column("pop") == ((2, 5), 2)
    assert table.non_official() == ("A", "B")
    bad = {**good, "status": "sure"}
    rows.append({"id": "C", "name": "Gamma", "values": {"pop": 1}, "provenance": bad})
    rows.append({"id": "D", "name": "Delta", "values": {"pop": 1}, "provenance": dict(bad)})
    with pytest.raises(InputError) as error:
        parse_indicator_json({"indicators": ["pop"], "rows": rows})
    assert [p.path for p in error.value.problems] == [
        "$.rows[2] (C).provenance.status",
        "$.rows[3] (D).provenance.status",
    ]


def test_a_file_that_is_not_utf8_halfway_is_refused_as_before(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    good = "A,Alpha,12,ISTAT,2019-01-01,official\n" * 5000  # past the stream's first buffer
    path.write_bytes(
        b"id,name,pop,source,reference_date,status\n"
        + good.encode()
        + b"B,\x81,1,I,2019-01-01,official\n"
    )
    with pytest.raises(InputError, match="neither UTF-8 nor Windows-1252 text"):
        load_indicator_table(path)


def test_malformed_csv_in_a_file_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    huge = "x" * 200_000  # over the csv module's field limit: the reader raises csv.Error
    path.write_text(
        f"id,name,pop,source,reference_date,status\nA,{huge},12,ISTAT,2019-01-01,official\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        load_indicator_table(path)
    assert [str(p) for p in error.value.problems] == [
        "row 2: a cell is longer than 131,072 characters"
    ]


# ---- selection of the threshold remainder, and the recipients' checks at C speed -----------------


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**32),
    st.integers(_SELECT_THRESHOLD + 1, _SELECT_THRESHOLD + 3_000),
    st.sampled_from([(0, 3), (0, 1_000), (NEAR - 64, NEAR + 64), (2**100 - 9, 2**100 + 9)]),
    st.floats(0, 1),
)
def test_kth_largest_by_selection_is_the_sorted_answer(
    seed: int, n: int, bounds: tuple[int, int], where: float
) -> None:
    """Above its threshold ``_kth_largest`` selects inside a sampled bracket: the same value as
    a full sort, with many ties, near 2^63 and around 2^100, at any rank."""
    rng = random.Random(seed)
    values = [rng.randint(*bounds) for _ in range(n)]
    ordered = sorted(values, reverse=True)
    for k in {1, n, max(1, min(n, round(where * n)))}:
        assert _kth_largest(values, k) == ordered[k - 1]


_BAD_RECIPIENTS = st.sampled_from(
    [
        "ab",
        ("a",),
        ("a", "b", "c"),
        (1, "one"),
        ("one", None),
        ["x", b"y"],
        {"a": 1, "b": 2},
        7,
    ]
)


@given(st.integers(1, 40), st.lists(st.tuples(st.integers(0, 39), _BAD_RECIPIENTS), max_size=3))
def test_the_recipients_checks_at_c_speed_name_the_first_bad_one(
    n: int, bad: list[tuple[int, object]]
) -> None:
    """``allocate`` checks the recipients' shapes and texts in whole-list passes and names a
    culprit only when one is wrong: it accepts what the item-by-item check accepts, and names the
    same first bad recipient."""
    recipients: list[object] = [(f"R{i:02d}", f"Name {i}") for i in range(n)]
    recipients += [[f"L{i:02d}", f"List {i}"] for i in range(2)]  # lists are pairs too
    for position, item in bad:
        recipients[position % len(recipients)] = item
    envelope = {"id": "e", "label": "E", "kind": "equal", "amount": "100", "basis": "act"}
    plan = parse_allocation(
        {
            "total": "100",
            "rounding": {"strategy": "largest_remainder", "unit": "0.01"},
            "envelopes": [envelope],
        },
        {"act": LegalBasis("Test act")},
    )
    try:
        _check_each_recipient(recipients)
    except InputError as exc:
        expected: list[str] | None = [p.path for p in exc.problems]
    else:
        expected = None
    if expected is None:
        result = allocate(plan, recipients, None, explain=False)  # type: ignore[arg-type]
        assert list(result.recipient_ids) == [r[0] for r in recipients]  # type: ignore[index]
    else:
        with pytest.raises(InputError) as error:
            allocate(plan, recipients, None, explain=False)  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == expected


@pytest.mark.parametrize(("recipients", "kind"), [("abcd", "str"), (b"ab", "bytes"), (7, "int")])
def test_recipients_that_are_no_list_are_named_with_their_kind(
    recipients: object, kind: str
) -> None:
    envelope = {"id": "e", "label": "E", "kind": "equal", "amount": "1", "basis": "act"}
    plan = parse_allocation(
        {
            "total": "1",
            "rounding": {"strategy": "largest_remainder", "unit": "0.01"},
            "envelopes": [envelope],
        },
        {"act": LegalBasis("Test act")},
    )
    with pytest.raises(InputError) as error:
        allocate(plan, recipients, None)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in error.value.problems] == [
        ("recipients", f"expected a list of (id, name) pairs, got {kind}")
    ]
