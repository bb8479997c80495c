"""Plain-text grids fit a width: text wraps, ids and amounts are never cut, columns go in blocks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core import _grid
from conciliazione_core._grid import ColumnRows, GridColumn, grid, wrap
from conciliazione_core._printable import printable
from conciliazione_core.cli._base import format_table

WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=8)
NAMES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
IDS = st.text(alphabet="ABCDEF-0123", min_size=1, max_size=12)
AMOUNTS = st.integers(0, 10**9).map(lambda n: f"{n:,}")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(IDS, NAMES, st.lists(AMOUNTS, min_size=4, max_size=4)), min_size=1),
    headers=st.lists(NAMES, min_size=4, max_size=4),
    width=st.integers(40, 160),  # an id (12), a name squeezed to 10, an amount (13), gaps
)
def test_no_line_exceeds_the_width_and_ids_and_amounts_are_whole(
    rows: list[tuple[str, str, list[str]]], headers: list[str], width: int
) -> None:
    columns = [
        GridColumn("ID"),
        GridColumn("Name", wraps=True, breaks=True),
        *(GridColumn(h, right=True) for h in headers),
    ]
    cells = [[rid, name, *amounts] for rid, name, amounts in rows]
    lines = grid(columns, [cells], width, repeat=2)
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    tokens = {t for line in lines for t in line.split()}
    for rid, _name, amounts in rows:
        assert rid in tokens
        assert set(amounts) <= tokens


def test_columns_that_cannot_fit_go_in_blocks_repeating_the_id() -> None:
    columns = [GridColumn("id"), *(GridColumn(f"column {k}", right=True) for k in range(4))]
    lines = grid(columns, [[["R1", *("123,456,789" for _k in range(4))]]], width=40)
    assert max(len(line) for line in lines) <= 40
    assert sum(1 for line in lines if line.startswith("R1 ")) == 2  # two blocks
    assert "" in lines


def test_without_a_width_nothing_wraps() -> None:
    text = format_table(["id", "title"], [["x", "a " * 100]], width=None or 10**6)
    assert len(text.splitlines()) == 3


def test_format_table_wraps_text_but_never_the_first_column() -> None:
    text = format_table(
        ["id", "title", "n"], [["a-very-long-identifier", "word " * 20, "1,000"]], [2], width=45
    )
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 45
    assert lines[2].startswith("a-very-long-identifier  word")
    assert lines[2].endswith("1,000")
    assert sum(line.split().count("word") for line in lines) == 20


def test_wrap_keeps_figures_and_italian_euros_whole() -> None:
    text = "riceve € 82.947 dal fondo, pari a 2,962375…% di € 2.800.000 in tutto"
    for width in range(8, 40):
        lines = wrap(text, width, "  ", "    ")
        assert " ".join(" ".join(lines).split()) == text
        assert any("€ 82.947" in line for line in lines)
        assert any("€ 2.800.000" in line for line in lines)
    assert wrap("", 10, "  ") == [""]
    assert wrap("one line", None, "- ") == ["- one line"]


# ---- the shortcuts for text that needs no wrapping -----------------------------------------------

AWKWARD = st.text(alphabet="ab -€\t\n\r\x0b\x0c\x1f\xa0é", max_size=14)


def _textwrap_only(text: str, width: int, indent: str, breaks: bool) -> list[str]:
    """What :func:`wrap` returned before it had a shortcut: textwrap for every text."""
    with mock.patch.object(_grid, "_whole", return_value=False):
        return wrap(text, width, indent, breaks=breaks)


@settings(max_examples=400, deadline=None)
@given(
    text=AWKWARD,
    width=st.integers(1, 20),
    indent=st.sampled_from(["", "  ", "- "]),
    breaks=st.booleans(),
)
def test_wrap_shortcut_is_what_textwrap_gives(
    text: str, width: int, indent: str, breaks: bool
) -> None:
    if len(indent) >= width:
        width = len(indent) + 1
    assert wrap(text, width, indent, breaks=breaks) == _textwrap_only(text, width, indent, breaks)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(IDS, st.one_of(NAMES, AWKWARD), st.lists(AMOUNTS, min_size=2, max_size=2)),
        min_size=1,
        max_size=6,
    ),
    width=st.one_of(st.none(), st.integers(20, 90)),
)
def test_grid_rows_on_one_line_are_the_rows_textwrap_gives(
    rows: list[tuple[str, str, list[str]]], width: int | None
) -> None:
    columns = [
        GridColumn("ID"),
        GridColumn("Name of the recipient", wraps=True, breaks=True),
        GridColumn("Amount", right=True),
        GridColumn("Other amount", right=True),
    ]
    cells = [[rid, name, *amounts] for rid, name, amounts in rows]
    fast = grid(columns, [cells, cells[:1]], width, repeat=2)
    with mock.patch.object(_grid, "_whole", return_value=False):
        slow = grid(columns, [cells, cells[:1]], width, repeat=2)
    assert fast == slow
    # Held by columns, whose cells must be printable (the renderer escapes them first).
    shown = [[printable(cell) for cell in row] for row in cells]
    by_rows = grid(columns, [shown, shown[:1]], width, repeat=2)
    by_columns: list[Iterable[Sequence[str]]] = [
        ColumnRows(list(zip(*shown, strict=True))),
        shown[:1],
    ]
    assert grid(columns, by_columns, width, repeat=2) == by_rows
    for chunk in (1, 2, 5):  # rows that fit come as texts of up to `chunk` lines
        texts = list(_grid.grid_lines(columns, by_columns, width, repeat=2, chunk=chunk))
        assert "\n".join(texts).split("\n") == by_rows
        assert all(t.count("\n") < chunk for t in texts)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(IDS, NAMES, st.sampled_from(["", "x", "12"])), min_size=1),
    right=st.booleans(),
    width=st.one_of(st.none(), st.integers(20, 60)),
)
def test_a_last_column_that_may_be_blank_leaves_no_trailing_blanks(
    rows: list[tuple[str, str, str]], right: bool, width: int | None
) -> None:
    columns = [GridColumn("ID"), GridColumn("Name", wraps=True), GridColumn("Last", right=right)]
    cells = [list(row) for row in rows]
    by_columns = grid(columns, [ColumnRows(list(zip(*cells, strict=True)))], width)
    assert by_columns == grid(columns, [cells], width)
    assert not any(line.endswith(" ") for line in by_columns)
