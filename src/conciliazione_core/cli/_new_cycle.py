"""``conciliazione new-cycle``: a plugin package for a new cycle."""

from __future__ import annotations

from pathlib import Path

import click

from conciliazione_core.cli._base import cli
from conciliazione_core.i18n import N_, _


@cli.command(
    "new-cycle",
    help=N_(
        "Generate a plugin package for a new cycle ID (lowercase region-year, e.g. "
        "lombardia-2025).\n\nThe package installs with 'pip install -e DIR' and passes its own "
        "tests ('pytest DIR')."
    ),
)
@click.argument("cycle_id", metavar="ID")
@click.option(
    "--from",
    "from_id",
    default=None,
    metavar="CYCLE",
    help=N_("Start from a copy of this installed cycle's parameter file, data and examples."),
)
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_("Folder to create (new or empty; default: ./conciliazione-ID)."),
)
def new_cycle_command(cycle_id: str, from_id: str | None, target: Path | None) -> None:
    from conciliazione_core._host import default_host
    from conciliazione_core._scaffold import check_cycle_id, distribution_name, new_cycle

    check_cycle_id(cycle_id)
    host = default_host()
    source = host.cycle(from_id) if from_id is not None else None
    folder = target if target is not None else Path(distribution_name(cycle_id))
    made = new_cycle(cycle_id, folder, source=source, host=host)
    click.echo(
        _("Created {dist} in {folder} ({count} files).").format(
            dist=made.distribution, folder=folder, count=len(made.files)
        )
    )
    click.echo(
        _(
            "Edit {file} (values marked 'replace me'), then: pip install -e {folder} && pytest {folder}"
        ).format(file=folder / "src" / made.package / "cycle.toml", folder=folder)
    )
