"""``conciliazione audit``: a published table against the cycle's rule."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conciliazione_core.cli._base import EXIT_FINDINGS, cli, echo_json
from conciliazione_core.i18n import N_


@cli.command(
    "audit", help=N_("Compare a published per-recipient table with what the cycle's rule gives.")
)
@click.argument("cycle_id", metavar="CYCLE")
@click.option(
    "--published",
    "published",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=N_(
        "The published table: CSV or JSON with an id and an exact amount in euros per recipient."
    ),
)
@click.option("--envelope", "envelope_id", default=None, metavar="ID", help=N_("Envelope audited."))
@click.option(
    "--amount",
    default=None,
    metavar="EUROS",
    help=N_("Amount the table splits (default: the envelope's), e.g. a yearly tranche."),
)
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help=N_("Reference data (CSV or JSON) to run the rule on; repeat to try several."),
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def audit_command(
    cycle_id: str,
    published: Path,
    envelope_id: str | None,
    amount: str | None,
    data: tuple[Path, ...],
    fmt: str,
) -> None:
    from conciliazione_core._audit import (
        audit_cycle,
        audit_to_json,
        load_published_table,
        render_audit,
    )
    from conciliazione_core._host import default_host
    from conciliazione_core._indicators import load_indicator_table
    from conciliazione_core._money import Money

    cycle = default_host().cycle(cycle_id)
    table = load_published_table(published)
    total = Money.parse(amount, "--amount") if amount is not None else None
    tables = [(str(p), load_indicator_table(p)) for p in data]
    report = audit_cycle(cycle, table, envelope_id=envelope_id, amount=total, data=tables)
    if fmt == "json":
        echo_json(audit_to_json(report))
    else:
        click.echo(render_audit(report))
    if not report.reconciled:
        sys.exit(EXIT_FINDINGS)
