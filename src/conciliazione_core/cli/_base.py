"""The command group, its exit codes and the plain-text table every command prints.

Exit codes: 0 all good; 1 findings make a document inadmissible, or an allocation is incomplete;
2 a usage or input error, reported on stderr naming the file and every place (as JSON on
stdout under ``--format json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from conciliazione_core._printable import printable
from conciliazione_core._views import dumps
from conciliazione_core.i18n import set_language

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def echo_json(data: Any) -> None:
    click.echo(dumps(data))


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[int] = (),
    width: int | None = None,
) -> str:
    """Rows as aligned plain text fitting ``width`` (default: the terminal's, else 80).

    Columns whose index is in ``right`` are right-aligned numbers and never wrap, nor does the
    first (an id); the other cells wrap at spaces to fit.
    """
    from conciliazione_core._grid import GridColumn, grid, terminal_width

    columns = [
        GridColumn(h, right=k in right, wraps=k > 0 and k not in right)
        for k, h in enumerate(headers)
    ]
    cells = [[printable(c) for c in row] for row in rows]  # cells from input: one line each
    return "\n".join(grid(columns, [cells], terminal_width() if width is None else width))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang",
    type=click.Choice(["en", "it"]),
    default=None,
    help="Language of messages (default: from LANGUAGE/LC_ALL/LANG, else English).",
)
@click.version_option(package_name="conciliazione-core")
def cli(lang: str | None) -> None:
    """Lombardy's work-life balance programme: cycles, checks and allocations."""
    set_language(lang)
