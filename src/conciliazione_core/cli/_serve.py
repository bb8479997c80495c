"""``conciliazione serve``: the HTTP API."""

from __future__ import annotations

import click

from conciliazione_core.cli._base import cli
from conciliazione_core.i18n import N_, _


@cli.command(help=N_("Serve the HTTP API (needs the server extra); see docs/http.md."))
@click.option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--max-body-bytes",
    default=8 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help=N_("Refuse larger request bodies (413)."),
)
@click.option(
    "--time-limit",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help=N_("Seconds a request may take (then 503)."),
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help=N_("Let browser pages from ORIGIN call the API (repeatable; default: none)."),
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    max_body_bytes: int,
    time_limit: float,
    cors_origins: tuple[str, ...],
    log_level: str,
) -> None:
    try:
        import conciliazione_core.server as server
    except ImportError as exc:
        raise click.UsageError(
            _(
                "the HTTP server needs the server extra ({name} is missing): "
                "pip install 'conciliazione-core[server]'"
            ).format(name=exc.name)
        ) from None
    settings = server.Settings(max_body_bytes, time_limit, cors_origins)
    server.serve(host, port, settings, log_level=log_level)
