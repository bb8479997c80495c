"""Fuzzing the indicator table loaders: parse_indicator_csv, parse_indicator_json,
load_indicator_table.

Seeds are the reference data the plugins ship, mutated cell by cell (hostile values, deleted and
added columns, duplicated and dropped rows, ragged rows) and byte by byte, plus text from
scratch. A table that loads must hold exactly the values written in the file: an independent
reading of the same CSV (plain ``csv`` + ``Decimal``) is the oracle.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import assume, example, given
from hypothesis import strategies as st

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import (
    IndicatorTable,
    load_indicator_table,
    parse_indicator_csv,
    parse_indicator_json,
)

from ._support import (
    CELL_TOKENS,
    byte_mutated,
    csv_seeds,
    csv_text,
    fuzz_settings,
    mutated_tree,
    refused_or,
    to_json_bytes,
)

_RESERVED = (
    "id",
    "name",
    "source",
    "reference_date",
    "status",
    "method",
    "source_it",
    "method_it",
)


def _rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _table_rows(text: str) -> list[list[str]]:
    """The rows, split by the separator that gives the header its required columns."""
    for delimiter in (";", "\t", ","):
        lines = [r for r in _rows(text, delimiter) if any(c.strip() for c in r)]
        required = {"id", "name", "source", "reference_date", "status"}
        if lines and required <= {h.strip() for h in lines[0]}:
            return lines
    return []


def assert_same_as_csv(table: IndicatorTable, text: str) -> None:
    """The table holds exactly what the CSV says, read independently."""
    lines = _table_rows(text.removeprefix("\ufeff"))
    header = [h.strip() for h in lines[0]]
    indicators = [h for h in header if h not in _RESERVED]
    assert list(table.indicators) == indicators
    assert len(table.rows) == len(lines) - 1
    for row, cells in zip(table.rows, lines[1:], strict=True):
        assert row.id == cells[header.index("id")].strip()
        for indicator in indicators:
            written = cells[header.index(indicator)].strip()
            assert row.value(indicator) in _readings(written), (row.id, indicator)
        if "source_it" in header:  # the Italian beside the English, never lost
            assert row.provenance.source.it == (cells[header.index("source_it")].strip() or None)


def _readings(written: str) -> set[Fraction]:
    """What a cell may mean: plain, or with '.' or ',' separating thousands (the other mark
    then being the decimal mark), as the spreadsheet conventions allow."""
    found = set()
    for text in (written, written.replace(",", ""), written.replace(".", "").replace(",", ".")):
        with contextlib.suppress(ArithmeticError):
            found.add(Fraction(Decimal(text)))
    return found


def load_csv(text: str) -> IndicatorTable | None:
    table = refused_or(lambda: parse_indicator_csv(text, source="fuzz.csv"))
    if table is not None:
        assert_same_as_csv(table, text)
    return table


# ---- CSV from scratch ----------------------------------------------------------------------------


@fuzz_settings(40000)
@given(text=st.text(max_size=300))
@example(text="")
@example(text="\ufeff")
@example(text="id,name,p,source,reference_date,status\n")
@example(text='id,name,p,source,reference_date,status\na,"b,1,s,2020-01-01,official\n')
@example(text="id,id,name,source,reference_date,status\n")
@example(text="id,name,p,source,reference_date,status\r\na,b,1,s,2020-01-01,official\r\n")
def test_random_csv_text(text: str) -> None:
    load_csv(text)


_CELLS = st.sampled_from(CELL_TOKENS) | st.text(max_size=10)


@fuzz_settings(20000)
@given(
    indicators=st.lists(st.sampled_from(["p", "q", *_RESERVED, "", "p "]), max_size=4),
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=9), max_size=6),
)
def test_random_csv_tables(indicators: list[str], rows: list[list[str]]) -> None:
    header = ["id", "name", *indicators, "source", "reference_date", "status"]
    load_csv(csv_text([header, *rows]))


# ---- CSV: mutated reference data ------------------------------------------------------------------


@st.composite
def mutated_csv(draw: st.DrawFn) -> str:
    _name, text = draw(st.sampled_from(csv_seeds()), label="seed")
    rows = _rows(text)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(
            st.sampled_from(
                [
                    "cell",
                    "cell",
                    "cell",
                    "drop_col",
                    "add_col",
                    "dup_row",
                    "drop_row",
                    "swap_rows",
                    "ragged",
                    "blank",
                    "header",
                ]
            )
        )
        r = draw(st.integers(0, max(0, len(rows) - 1)))
        if not rows:
            rows = [[]]
        width = max(1, len(rows[r]))
        c = draw(st.integers(0, width - 1))
        if op == "cell" and rows[r]:
            rows[r][c] = draw(_CELLS)
        elif op == "drop_col":
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif op == "add_col":
            value = draw(_CELLS)
            rows = [[*row[:c], value, *row[c:]] for row in rows]
        elif op == "dup_row":
            rows.insert(draw(st.integers(0, len(rows))), copy.copy(rows[r]))
        elif op == "drop_row":
            del rows[r]
        elif op == "swap_rows":
            s = draw(st.integers(0, len(rows) - 1))
            rows[r], rows[s] = rows[s], rows[r]
        elif op == "ragged":
            rows[r] = rows[r][:-1] if draw(st.booleans()) else [*rows[r], draw(_CELLS)]
        elif op == "blank":
            rows.insert(r, [""] * width)
        elif op == "header" and rows and rows[0]:
            rows[0][min(c, len(rows[0]) - 1)] = draw(
                st.sampled_from([*_RESERVED, "", " id", "ID", "p", "\ufeffid"])
            )
    out = csv_text(rows)
    if draw(st.booleans()):
        out = draw(byte_mutated(out.encode("utf-8", "surrogatepass"))).decode("utf-8", "replace")
    return out


@fuzz_settings(40000)
@given(text=mutated_csv())
def test_mutated_reference_csv(text: str) -> None:
    load_csv(text)


def test_reference_csv_seeds_load_exactly() -> None:
    for _name, text in csv_seeds():
        assert_same_as_csv(parse_indicator_csv(text), text)


# ---- JSON tables ------------------------------------------------------------------------------------


def _json_seed(text: str) -> dict[str, Any]:
    rows = _rows(text)
    header = rows[0]
    indicators = [h for h in header if h not in _RESERVED]
    out = []
    for cells in rows[1:]:
        cell = dict(zip(header, cells, strict=True))
        values: dict[str, Any] = {}
        for i, k in enumerate(indicators):
            values[k] = int(cell[k]) if i % 2 == 0 else cell[k]  # both int and text numbers
        out.append(
            {
                "id": cell["id"],
                "name": cell["name"],
                "values": values,
                "provenance": {
                    k: cell[k]
                    for k in (
                        "source",
                        "reference_date",
                        "status",
                        "method",
                        "source_it",
                        "method_it",
                    )
                    if k in cell
                },
            }
        )
    return {"indicators": indicators, "rows": out}


def _json_seeds() -> list[dict[str, Any]]:
    return [_json_seed(text) for _name, text in csv_seeds()]


class _Duplicate(Exception):
    pass


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _v in pairs]
    if len(set(keys)) != len(keys):
        raise _Duplicate
    return dict(pairs)


def load_json_text(text: str) -> IndicatorTable | None:
    duplicates = False
    try:
        json.loads(text, object_pairs_hook=_strict_pairs)
    except _Duplicate:
        duplicates = True
    except (ValueError, RecursionError):
        pass
    table = refused_or(lambda: parse_indicator_json(text, source="fuzz.json"))
    assert not (duplicates and table is not None), "duplicate keys were silently resolved"
    if table is not None:
        data = json.loads(text)
        for row, raw in zip(table.rows, data["rows"], strict=True):
            assert row.id == raw["id"]
            for indicator in table.indicators:
                written = raw["values"][indicator]
                assert row.value(indicator) == Fraction(Decimal(str(written).strip()))
    return table


@fuzz_settings(40000)
@given(data=st.data())
def test_mutated_json_tables(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(_json_seeds()), label="seed")
    tree = data.draw(mutated_tree(seed), label="mutated")
    text = to_json_bytes(tree).decode("utf-8", "surrogatepass")
    assume("\ud800" not in text)
    load_json_text(text)


@fuzz_settings(40000)
@given(data=st.data())
def test_byte_mutated_json_tables(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(_json_seeds()), label="seed")
    raw = data.draw(byte_mutated(json.dumps(seed, indent=1).encode()), label="bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_indicator_table refuses these (test_indicator_files)
    load_json_text(text)


@fuzz_settings(20000)
@given(data=st.data())
def test_parsed_json_objects(data: st.DataObject) -> None:
    """Applications may hand an already parsed object: floats, NaN, None, anything."""
    seed = data.draw(st.sampled_from(_json_seeds()), label="seed")
    tree = data.draw(mutated_tree(seed), label="mutated")
    refused_or(lambda: parse_indicator_json(tree, source="object"))


# ---- files --------------------------------------------------------------------------------------------


@fuzz_settings(100000)
@given(data=st.data(), suffix=st.sampled_from([".csv", ".json", ".CSV", ".txt", ""]))
def test_indicator_files(data: st.DataObject, suffix: str, tmp_path: Path) -> None:
    _name, text = data.draw(st.sampled_from(csv_seeds()), label="seed")
    raw = text.encode() if suffix.lower() != ".json" else json.dumps(_json_seed(text)).encode()
    raw = data.draw(byte_mutated(raw), label="bytes")
    path = tmp_path / f"table{suffix}"
    path.write_bytes(raw)
    refused: list[InputError] = []
    refused_or(lambda: load_indicator_table(path), refused)
    assert all(exc.source == str(path) for exc in refused)
