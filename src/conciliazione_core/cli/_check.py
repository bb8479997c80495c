"""``conciliazione check``: a document against a cycle's rules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conciliazione_core._printable import printable
from conciliazione_core._views import report_to_json
from conciliazione_core.cli._base import EXIT_FINDINGS, cli, echo_json
from conciliazione_core.i18n import N_, _

SEVERITY_WORDS = {"error": N_("ERROR"), "warning": N_("WARNING"), "info": N_("INFO")}


@cli.command(
    help=N_("Check a network, alliance, project or plan document against a cycle's rules.")
)
@click.argument("cycle_id", metavar="CYCLE")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help=N_(
        "Override a rule for a what-if check (repeatable), e.g. rules.projects.ends_by=2019-01-15."
    ),
)
def check(cycle_id: str, file: Path, fmt: str, overrides: tuple[str, ...]) -> None:
    from conciliazione_core import check as check_document
    from conciliazione_core._host import default_host
    from conciliazione_core._serialisation import load_document

    cycle = default_host().cycle(cycle_id).with_overrides(overrides)
    document = load_document(file)
    report = check_document(cycle, document, name=str(file))
    if fmt == "json":
        echo_json(report_to_json(report))
    else:
        verdict = _("admissible") if report.admissible else _("NOT admissible")
        click.echo(f"{printable(str(file))}: {verdict} ({cycle.id})")
        for f in report.findings:
            severity = _(SEVERITY_WORDS[f.severity.value]).ljust(7)
            click.echo(
                "  "
                + _("{severity} {code} at {path}").format(
                    severity=severity, code=f.code, path=f.path
                )
            )
            click.echo(f"          {printable(f.message)}")
            if f.legal_basis is not None:
                click.echo("          " + _("basis: {basis}").format(basis=f.legal_basis))
    if not report.admissible:
        sys.exit(EXIT_FINDINGS)
