"""``conciliazione plugins`` and ``--version``: which plugins are installed, and in what state.

Listing the hooks a plugin implements means importing it: this command imports every plugin,
as ``cycles`` does; ``--version`` reads the plugins' metadata only and imports none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from conciliazione_core.cli._base import cli, echo_json, format_table
from conciliazione_core.i18n import N_, _

if TYPE_CHECKING:
    from conciliazione_core._host import PluginInfo


def plugin_to_json(info: PluginInfo) -> dict[str, Any]:
    """A plugin as ``plugins --format json`` lists it."""
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "hooks": list(info.hooks),
        "cycles": list(info.cycles),
        "status": "ok" if info.ok else "faulty",
        "reason": info.problem,
    }


@cli.command(
    help=N_("List the installed plugins: distribution, version, hooks, cycles, and any fault.")
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def plugins(fmt: str) -> None:
    from conciliazione_core._host import default_host

    found = default_host().plugins(faulty=True)
    if fmt == "json":
        echo_json([plugin_to_json(p) for p in found])
        return
    if not found:
        click.echo(_("No plugin is installed."))
        return
    rows = [
        [
            p.name,
            p.distribution or "",
            p.version or "",
            ", ".join(p.hooks),
            ", ".join(p.cycles),
            _("ok") if p.ok else _("faulty: {reason}").format(reason=p.problem),
        ]
        for p in found
    ]
    headers = [_("name"), _("distribution"), _("version"), _("hooks"), _("cycles"), _("status")]
    click.echo(format_table(headers, rows))


def version_text() -> str:
    """The core's version and each installed plugin's distribution with its version."""
    from conciliazione_core import __version__
    from conciliazione_core._host import default_host

    lines = [f"conciliazione-core {__version__}"]
    installed = default_host().distributions()
    if installed:
        lines.append(_("plugins:"))
        lines += [f"  {name} {version or '?'}" for name, version in installed.items()]
    else:
        lines.append(_("no plugin is installed"))
    return "\n".join(lines)
