"""The command group, its exit codes and the plain-text table every command prints.

Exit codes: 0 all good; 1 findings make a document inadmissible, or an allocation is incomplete;
2 a usage or input error, reported as one line on stderr naming the file and the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from conciliazione_core._printable import printable
from conciliazione_core._views import dumps
from conciliazione_core.cli._help import VERSION_MESSAGE, Group, route_click_messages
from conciliazione_core.i18n import N_, set_language

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def echo_json(data: Any) -> None:
    click.echo(dumps(data))


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()
) -> str:
    """Rows as aligned plain text; columns whose index is in ``right`` are right-aligned."""
    rows = [[printable(c) for c in row] for row in rows]  # cells from input: one line each
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


route_click_messages()


def _choose_language(_ctx: click.Context, _param: click.Parameter, lang: str | None) -> None:
    """Set the language as soon as ``--lang`` is read: an eager option, before ``--help``."""
    set_language(lang)


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Lombardy's work-life balance programme: cycles, checks and allocations."),
)
@click.option(
    "--lang",
    type=click.Choice(["en", "it"]),
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_choose_language,
    help=N_("Language of messages (default: from LANGUAGE/LC_ALL/LANG, else English)."),
)
@click.version_option(package_name="conciliazione-core", message=VERSION_MESSAGE)
def cli() -> None:
    pass
