"""``conciliazione allocate``: a cycle's budget split among its territories."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from conciliazione_core._errors import InputError
from conciliazione_core.cli._base import EXIT_FINDINGS, cli
from conciliazione_core.i18n import N_, _


@cli.command(help=N_("Split a cycle's budget among its territories, exactly."))
@click.argument("cycle_id", metavar="CYCLE")
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Indicator table (CSV, XLSX or JSON) to use instead of the shipped reference data."),
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table"
)
@click.option(
    "--explain",
    "explain_id",
    default=None,
    metavar="ID",
    help=N_("Explain in words how one recipient's amount was reached."),
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help=N_(
        "Override a parameter for a what-if run (repeatable), "
        "e.g. allocation.envelopes.ats.amount=3000000."
    ),
)
@click.option(
    "--template",
    is_flag=True,
    help=N_(
        "Print a CSV (with --format xlsx: a workbook) of the indicator values the allocation "
        "needs, filled in where the shipped data has them, and stop."
    ),
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Also draw a bar chart of the shares to FILE.svg or FILE.png (needs matplotlib)."),
)
def allocate(
    cycle_id: str,
    data: Path | None,
    fmt: str,
    explain_id: str | None,
    overrides: tuple[str, ...],
    template: bool,
    chart: Path | None,
) -> None:
    from conciliazione_core import allocate as allocate_cycle
    from conciliazione_core import dump_allocation, explain
    from conciliazione_core._api import with_option_names
    from conciliazione_core._gc import paused_gc
    from conciliazione_core._grid import terminal_width, wrap
    from conciliazione_core._host import default_host

    if fmt == "xlsx":
        _check_binary_stdout()
    cycle = default_host().cycle(cycle_id)
    if template:
        from conciliazione_core._indicators import indicator_template_csv, indicator_template_xlsx
        from conciliazione_core.allocation import indicators_of

        changed = cycle.with_overrides(overrides)
        if changed.allocation is None:
            raise click.UsageError(
                _("cycle {cycle} defines no allocation").format(cycle=changed.id)
            )
        shipped = changed.reference_table()
        arguments = (
            changed.recipients_for(shipped),  # the shipped rows, for a cycle taking them from data
            indicators_of(changed.allocation),
            shipped,
        )
        if fmt == "xlsx":
            _write_binary(indicator_template_xlsx(*arguments))
        else:
            click.echo(indicator_template_csv(*arguments), nl=False)
        return
    table = None
    if data is not None:
        from conciliazione_core._indicators import load_indicator_table

        table = load_indicator_table(data)
        if cycle.recipients:  # the cycle's ids and names in place of the table's equal ones
            table = table.sharing(
                tuple(r.id for r in cycle.recipients), tuple(r.name for r in cycle.recipients)
            )
    try:
        result = allocate_cycle(
            cycle,
            table,
            overrides=overrides,
            # Every recipient's trace only where the output shows it (JSON components, or
            # --explain, whose recipient the API checks before anything is printed).
            explain=[explain_id] if explain_id is not None else fmt == "json",
        )
    except InputError as exc:  # the API names its argument; the command line, its option
        named = with_option_names(exc)
        if (  # the table does not fit the cycle: name the file
            data is not None
            and named.source is None
            and not any(p.path.startswith("--") for p in named.problems)
        ):
            named = named.with_source(str(data))
        raise named from None
    if fmt == "xlsx":
        from conciliazione_core._xlsx import allocation_to_xlsx

        _write_binary(allocation_to_xlsx(result))
    elif fmt == "csv":  # piece by piece: a million recipients are never one string
        from conciliazione_core.allocation._render import allocation_csv_pieces

        with paused_gc():  # a million lines make no reference cycles, only work for the collector
            for piece in allocation_csv_pieces(result):
                click.echo(piece, nl=False)
    elif fmt == "json":
        click.echo(dump_allocation(result, "json", cycle=cycle))
    else:  # as dump_allocation(result, "table", ...) with a newline after, piece by piece
        from conciliazione_core.allocation._render import render_table_pieces

        title = None if cycle.title is None else str(cycle.title)
        with paused_gc():
            for piece in render_table_pieces(result, cycle_title=title, width=terminal_width()):
                click.echo(piece, nl=False)
        click.echo()
        if fmt == "table" and result.pending:
            hint = _(
                "To supply the missing values: conciliazione allocate {cycle} --template > data.csv, "
                "fill it in, then conciliazione allocate {cycle} --data data.csv"
            ).format(cycle=cycle.id)
            click.echo("\n".join(wrap(hint, terminal_width())))
    if explain_id is not None:
        click.echo(explain(result, explain_id, width=terminal_width()), err=fmt != "table")
    if chart is not None:
        from conciliazione_core._chart import draw_chart

        draw_chart(result, chart, title=str(cycle.title))
    if result.pending:
        sys.exit(EXIT_FINDINGS)


def _binary_stdout() -> BinaryIO:
    return sys.stdout.buffer


def _check_binary_stdout() -> None:
    """An xlsx workbook goes to a file or a pipe, never to a terminal, where it is noise."""
    if _binary_stdout().isatty():
        raise click.UsageError(
            _("--format xlsx writes a workbook: redirect it to a file, e.g. > allocation.xlsx")
        )


def _write_binary(data: bytes) -> None:
    stream = _binary_stdout()
    stream.write(data)
    stream.flush()
