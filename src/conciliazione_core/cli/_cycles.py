"""The installed cycles and the input schemas."""

from __future__ import annotations

import click

from conciliazione_core._views import cycles_to_json
from conciliazione_core.cli._base import cli, echo_json, format_table
from conciliazione_core.i18n import N_, _


@cli.command(help=N_("List the installed cycles, and any faulty plugin with the reason."))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def cycles(fmt: str) -> None:
    from conciliazione_core._host import default_host

    host = default_host()
    found = host.cycles()
    if fmt == "json":
        echo_json(cycles_to_json(found.values(), host.problems))
        return
    rows = [
        [
            c.id,
            str(c.title),
            "; ".join(str(b) for b in c.legal_basis),
            c.distribution or "",
            c.version or "",
        ]
        for c in found.values()
    ]
    headers = [_("id"), _("title"), _("legal basis"), _("distribution"), _("version")]
    click.echo(format_table(headers, rows) if rows else _("No cycle is installed."))
    for problem in host.problems:
        click.echo(_("faulty plugin {problem}").format(problem=problem), err=True)


@cli.command(
    help=N_("Print the JSON Schema of an input document TYPE (territorial_plan, network, ...).")
)
@click.argument("kind", metavar="TYPE")
def schema(kind: str) -> None:
    from conciliazione_core._schema import json_schema

    echo_json(json_schema(kind))
