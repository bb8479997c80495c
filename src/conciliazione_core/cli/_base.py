"""The command group, its exit codes and the plain-text table every command prints.

Exit codes: 0 all good; 1 findings make a document inadmissible, or an allocation is incomplete;
2 a usage or input error, reported on stderr naming the file and every place (as JSON under
``--format json``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

import click

from conciliazione_core._errors import CycleNotFoundError, InputError, PluginError
from conciliazione_core._printable import printable
from conciliazione_core._views import dumps
from conciliazione_core.cli._help import Command, Group, route_click_messages
from conciliazione_core.i18n import LANGUAGES, N_, set_language

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

JSON_FORMATS = ("json", "jsonl")
"""The ``--format`` values under which an error is reported as JSON (on stderr)."""

chosen_format: ContextVar[str | None] = ContextVar("conciliazione_format", default=None)
"""The ``--format`` of the command being run, read by the entry point when it reports an error."""


def echo_json(data: Any) -> None:
    click.echo(dumps(data))


def error_to_json(exc: BaseException, message: str) -> dict[str, Any]:
    """An error as ``--format json`` reports it: ``{"error": {...}}`` with its ``kind``
    (``input``, ``unknown_cycle``, ``plugin``, ``usage``, ``error``), the ``message`` the text
    mode prints, the ``source`` file (or null) and every problem with its ``path``."""
    # Text from input (a title with a lone surrogate) must not break a strict stream.
    error: dict[str, Any] = {
        "kind": "error",
        "message": printable(message),
        "source": None,
        "problems": [],
    }
    if isinstance(exc, InputError):
        error["kind"] = "input"
        error["source"] = None if exc.source is None else printable(exc.source)
        error["problems"] = [
            {"path": printable(p.path), "message": printable(p.message)} for p in exc.problems
        ]
    elif isinstance(exc, CycleNotFoundError):
        error["kind"] = "unknown_cycle"
        error["cycle"] = printable(exc.cycle_id)
        error["did_you_mean"] = list(exc.suggestions)
        error["installed"] = list(exc.known)
    elif isinstance(exc, PluginError):
        error["kind"] = "plugin"
        error["plugin"] = exc.plugin
    elif isinstance(exc, click.UsageError):
        error["kind"] = "usage"
    return {"error": error}


def echo_error_json(exc: BaseException, message: str, fmt: str) -> None:
    """The error as JSON on stderr (indented for ``json``, one line for ``jsonl``): stdout
    carries results only, and an error may come after some are written (``--chart``)."""
    data = error_to_json(exc, message)
    click.echo(json.dumps(data, ensure_ascii=False) if fmt == "jsonl" else dumps(data), err=True)


class FormatCommand(Command):
    """A command that notes its ``--format`` as soon as it is parsed, so that an error raised
    while it runs (or while the rest of its options are parsed) is reported in that format."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        finally:
            fmt = ctx.params.get("fmt")
            chosen_format.set(fmt if isinstance(fmt, str) else None)


def early_language(args: Sequence[str]) -> None:
    """Honour ``--lang`` wherever it stands among the group's options, even after ``--help`` or
    ``--version`` (which click handles as soon as it reads them); a bad value is left for click
    to report."""
    for i, arg in enumerate(args):
        if not arg.startswith("-"):  # the command: the group's options end here
            return
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        if value in LANGUAGES:
            set_language(value)
            return


class CommandGroup(Group):
    """The group (help translated when shown): its commands are :class:`FormatCommand` s."""

    command_class = FormatCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Set the language first, whoever calls the group (``main``, a test's runner)."""
        early_language(args)
        return super().parse_args(ctx, args)


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


route_click_messages()


def _choose_language(_ctx: click.Context, _param: click.Parameter, lang: str | None) -> None:
    """Set the language as soon as ``--lang`` is read: an eager option, before ``--help``."""
    set_language(lang)


def _print_version(ctx: click.Context) -> None:
    """``--version``: the core's and the installed plugins' versions (no plugin imported)."""
    from conciliazione_core.cli._plugins import version_text

    click.echo(version_text())
    ctx.exit()


@click.group(
    cls=CommandGroup,
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
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help=N_("Show the version of the core and of each installed plugin, and exit."),
)
def cli() -> None:
    pass
