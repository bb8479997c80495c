"""``conciliazione diff``: two cycles' parameters side by side."""

from __future__ import annotations

import click

from conciliazione_core.cli._base import cli, echo_json
from conciliazione_core.i18n import N_


@cli.command(
    "diff",
    help=N_("Show two cycles' parameters side by side, marking what changed (* in the table)."),
)
@click.argument("cycle_a", metavar="CYCLE_A")
@click.argument("cycle_b", metavar="CYCLE_B")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--changed-only", is_flag=True, help=N_("Show only the parameters that differ."))
def diff_command(cycle_a: str, cycle_b: str, fmt: str, changed_only: bool) -> None:
    import shutil

    from conciliazione_core._diff import diff_cycles, diff_to_json, render_diff
    from conciliazione_core._host import default_host

    host = default_host()
    result = diff_cycles(host.cycle(cycle_a), host.cycle(cycle_b))
    if fmt == "json":
        echo_json(diff_to_json(result, changed_only=changed_only))
    else:
        width = max(80, shutil.get_terminal_size((120, 24)).columns)
        click.echo(render_diff(result, width=width, changed_only=changed_only))
