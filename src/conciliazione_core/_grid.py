"""Plain-text tables and notes that fit a terminal's width.

Text cells (names, titles, labels, headers) wrap at spaces; ids and amounts never wrap and are
never cut. When even the narrowest layout is too wide, the columns are printed in blocks, each
repeating the leading columns (the id), as pandas does; a word longer than the width is the
only thing that may overflow it.
"""

from __future__ import annotations

import abc
import itertools
import operator
import shutil
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter

import attrs

__all__ = [
    "DEFAULT_WIDTH",
    "ColumnRows",
    "GridColumn",
    "MeasuredCells",
    "grid",
    "grid_lines",
    "terminal_width",
    "wrap",
]

DEFAULT_WIDTH = 80
"""The width when the output is not a terminal (a pipe, a file) and COLUMNS is not set."""

_EURO_BOUND = "€\x1f"
"""Stands for ``"€ "`` while wrapping, so ``€ 82.947`` (Italian) is never split."""
_GAP = 2
_NARROWEST_TEXT = 10
"""A wrapping column is not squeezed below this (or its longest word) unless it is narrower."""


def terminal_width() -> int:
    """The terminal's width: COLUMNS if set, else the terminal's, else :data:`DEFAULT_WIDTH`."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def wrap(
    text: str,
    width: int | None,
    indent: str = "",
    hang: str | None = None,
    *,
    breaks: bool = False,
) -> list[str]:
    """``text`` as lines of at most ``width`` characters (unless one word is longer), broken
    at spaces only, so that an id, an amount or a path is never split, unless ``breaks`` lets
    a longer word break (a name); ``hang`` indents the lines after the first (default:
    ``indent``). ``width=None`` keeps one line."""
    if width is None or (len(indent) + len(text) <= width and _whole(text)):
        return [indent + text]
    lines = textwrap.wrap(
        text.replace("€ ", _EURO_BOUND),
        width,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=breaks,
        break_on_hyphens=breaks,
    )
    return [line.replace(_EURO_BOUND, "€ ") for line in lines] or [indent.rstrip()]


def _whole(text: str) -> bool:
    """Whether :func:`textwrap.wrap` leaves ``text`` as it is when it fits on the line: it
    has no whitespace to turn into spaces (tabs, newlines: not printable) and no trailing
    space to drop. Checked first, so a million short names are not each run through textwrap."""
    return text.isprintable() and text[-1:] not in ("", " ")


def _all_whole(cells: Sequence[str], longest: int, width: int) -> bool:
    """Whether every cell of a :class:`ColumnRows` column (printable, as that class requires;
    ``longest`` its longest cell's length) is empty or fits ``width`` and is :func:`_whole`:
    one pass in C over a million cells rather than a check per cell."""
    return longest <= width and not any(map(_ends_blank, cells))


_ends_blank = operator.methodcaller("endswith", " ")


@attrs.frozen
class GridColumn:
    """One column: its header (which may wrap), its alignment, whether its cells may wrap."""

    header: str
    right: bool = False
    wraps: bool = False
    """Cells are text that may wrap at spaces (names, titles); else kept whole (ids, amounts)."""
    breaks: bool = False
    """Cells may also break inside a word too long for the column (a name, never an id)."""


@attrs.frozen
class ColumnRows:
    """A section's rows held as columns of cells, each row made as it is read: a million rows
    cost their columns, not a tuple each as well; the grid measures the columns directly.
    Every cell must be printable (:func:`~conciliazione_core._printable.printable`): the
    grid does not read a million cells again to check it."""

    columns: Sequence[Sequence[str]]

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return zip(*self.columns, strict=True)


class MeasuredCells(Sequence[str]):
    """A column of cells that knows its longest cell without being read (amounts formatted on
    the fly, whose longest text is the largest amount's): the grid measures it by
    :attr:`longest` and never holds its million texts. Its cells never wrap and are never
    empty."""

    @property
    @abc.abstractmethod
    def longest(self) -> int:
        """The length of the longest cell."""


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _span(widths: Sequence[int]) -> int:
    return sum(widths) + _GAP * (len(widths) - 1)


def _fit(natural: list[int], narrowest: list[int], width: int, first: set[int]) -> list[int]:
    """Widths: the natural ones, less what the widest squeezable columns give up to fit;
    the columns in ``first`` (whose headers only wrap) give before the others."""
    widths = list(natural)
    excess = _span(widths) - width
    for pool in (first, set(range(len(widths)))):
        while excess > 0:
            squeezable = [k for k in pool if widths[k] > narrowest[k]]
            if not squeezable:
                break
            squeezable.sort(key=lambda k: -widths[k])
            widest = squeezable[0]
            second = widths[squeezable[1]] if len(squeezable) > 1 else 0
            give = min(excess, widths[widest] - narrowest[widest], max(1, widths[widest] - second))
            widths[widest] -= give
            excess -= give
    return widths


def _lines(cell: str, width: int, column: GridColumn) -> list[str]:
    return wrap(cell, width, breaks=column.breaks) if column.wraps else [cell]


def _block(
    columns: Sequence[GridColumn],
    sections: Sequence[Iterable[Sequence[str]]],
    keep: Sequence[int],
    widths: Sequence[int],
    chunk: int = 0,
    longest: Sequence[dict[int, int]] = (),
) -> Iterator[str]:
    def row_lines(cells: Sequence[str], header: bool) -> list[str]:
        pieces = [
            wrap(cells[k], w) if header else _lines(cells[k], w, columns[k])
            for k, w in zip(keep, widths, strict=True)
        ]
        height = max(len(p) for p in pieces)
        pad = [[""] * (height - len(p)) for p in pieces]
        pieces = [q + p if header else p + q for p, q in zip(pieces, pad, strict=True)]
        return [
            (" " * _GAP)
            .join(
                piece[i].rjust(w) if columns[k].right else piece[i].ljust(w)
                for k, w, piece in zip(keep, widths, pieces, strict=True)
            )
            .rstrip()
            for i in range(height)
        ]

    # A row whose wrapping cells all fit is one line, formatted at once (most rows are).
    one_line = (" " * _GAP).join(
        f"{{{k}:{'>' if columns[k].right else '<'}{w}}}" for k, w in zip(keep, widths, strict=True)
    )
    wrapping = [(k, w) for k, w in zip(keep, widths, strict=True) if columns[k].wraps]
    rule = (" " * _GAP).join("-" * w for w in widths)
    yield from row_lines([c.header for c in columns], header=True)
    for number, section in enumerate(sections):
        yield rule
        if isinstance(section, ColumnRows) and all(
            _all_whole(section.columns[k], longest[number][k], w) for k, w in wrapping
        ):  # every row on one line: no check per row
            last = section.columns[keep[-1]]
            lines: Iterator[str] = itertools.starmap(one_line.format, section)
            if not (columns[keep[-1]].right and (isinstance(last, MeasuredCells) or all(last))):
                lines = map(str.rstrip, lines)  # a blank at the end of a line
            if not chunk:
                yield from lines
            while block := list(itertools.islice(lines, chunk)):
                yield "\n".join(block)
            continue
        for cells in section:
            if all(not cells[k] or (len(cells[k]) <= w and _whole(cells[k])) for k, w in wrapping):
                yield one_line.format(*cells).rstrip()
            else:
                yield from row_lines(cells, header=False)


def grid(
    columns: Sequence[GridColumn],
    sections: Sequence[Iterable[Sequence[str]]],
    width: int | None = None,
    repeat: int = 1,
) -> list[str]:
    """The rows of each section under the headers, a rule between sections, fitting ``width``.

    Cells must already be printable (one line each). A section is read more than once: a list,
    or :class:`ColumnRows`, never a generator. ``repeat`` leading columns are repeated in every
    block when the columns must be split into blocks to fit; ``width=None`` never wraps.
    """
    return list(grid_lines(columns, sections, width, repeat))


def grid_lines(
    columns: Sequence[GridColumn],
    sections: Sequence[Iterable[Sequence[str]]],
    width: int | None = None,
    repeat: int = 1,
    chunk: int = 0,
) -> Iterator[str]:
    """:func:`grid`'s lines one at a time, so a million rows are written without holding
    them all as lines; ``sections`` are read once for the widths, then once per block.
    ``chunk``: the rows of a :class:`ColumnRows` section that all fit on one line each come
    as texts of up to ``chunk`` lines joined by newlines (for a writer, not one item a line)."""
    n = len(columns)
    natural = [len(c.header) for c in columns]
    hard = [_longest_word(c.header) for c in columns]
    measured = {k for k, c in enumerate(columns) if not c.breaks}
    lengths: list[dict[int, int]] = []  # per section, each column's longest cell
    for section in sections:
        lengths.append({})
        for k in range(n):
            cells = section.columns[k] if isinstance(section, ColumnRows) else None
            longest = lengths[-1][k] = (
                cells.longest
                if isinstance(cells, MeasuredCells)
                else max(map(len, cells or map(itemgetter(k), section)), default=0)
            )
            natural[k] = max(natural[k], longest)
            if k in measured:
                hard[k] = max(
                    hard[k],
                    max(map(_longest_word, cells or map(itemgetter(k), section)), default=0)
                    if columns[k].wraps
                    else longest,  # a cell that never wraps is one word
                )
    narrowest = [max(hard[k], min(natural[k], _NARROWEST_TEXT)) for k in range(n)]
    if width is None or _span(natural) <= width:
        yield from _block(columns, sections, range(n), natural, chunk, lengths)
        return
    first = {k for k, c in enumerate(columns) if not c.wraps}
    widths = _fit(natural, narrowest, width, first)
    if _span(widths) <= width or n <= repeat + 1:
        yield from _block(columns, sections, range(n), widths, chunk, lengths)
        return
    lead = list(range(min(repeat, n)))
    blocks: list[list[int]] = []
    current = list(lead)
    for k in range(len(lead), n):
        if len(current) > len(lead) and _span([narrowest[j] for j in [*current, k]]) > width:
            blocks.append(current)
            current = list(lead)
        current.append(k)
    blocks.append(current)
    for number, block in enumerate(blocks):
        fitted = _fit(
            [natural[k] for k in block],
            [narrowest[k] for k in block],
            width,
            {j for j, k in enumerate(block) if k in first},
        )
        if number:
            yield ""
        yield from _block(columns, sections, block, fitted, chunk, lengths)
