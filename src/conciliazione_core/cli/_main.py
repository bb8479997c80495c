"""The entry point: click's errors and the library's become a message and exit status 2.

The message goes to stderr: one line, or under a first line one line per problem when a
document has several (each with its path), so that nothing is hidden behind "and 3 more". Under
``--format json`` (or ``jsonl``) the same error is JSON, still on stderr (see
:func:`~conciliazione_core.cli._base.error_to_json`): stdout carries results only, and an error
can come after some are written (a ``--chart`` that cannot be drawn after the JSON).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from conciliazione_core._errors import ConciliazioneError, CycleNotFoundError, InputError
from conciliazione_core._printable import printable, use_safe_streams
from conciliazione_core.cli._base import (
    EXIT_OK,
    EXIT_USAGE,
    JSON_FORMATS,
    chosen_format,
    cli,
    early_language,
    echo_error_json,
)
from conciliazione_core.i18n import _, ngettext


def _fail(message: str, exc: BaseException | None = None, details: Sequence[str] = ()) -> NoReturn:
    fmt = chosen_format.get()
    if exc is not None and fmt in JSON_FORMATS:
        assert fmt is not None
        echo_error_json(exc, message, fmt)
        sys.exit(EXIT_USAGE)
    click.echo(_("conciliazione: error: {message}").format(message=message), err=True)
    for line in details:
        click.echo(f"  {line}", err=True)
    sys.exit(EXIT_USAGE)


def _input_error(exc: InputError) -> NoReturn:
    """One line for one problem; else a line naming the file and the count, then each problem."""
    if len(exc.problems) == 1:
        _fail(exc.one_line(), exc)
    n = len(exc.problems)
    count = ngettext("{n} problem", "{n} problems", n).format(n=n)
    head = printable(f"{exc.source}: {count}" if exc.source else count)
    if chosen_format.get() in JSON_FORMATS:
        _fail(head, exc)
    _fail(head + ":", exc, [printable(" ".join(str(p).split())) for p in exc.problems])


def _file(text: str) -> bool:
    try:
        return Path(text).exists()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def _swapped(exc: CycleNotFoundError, args: Sequence[str]) -> str | None:
    """When the "cycle" is an existing file and another argument is a cycle id, say so."""
    if not _file(exc.cycle_id):
        return None
    message = _(
        "{file!r} is a file, not a cycle; the cycle comes first: COMMAND CYCLE FILE"
    ).format(file=exc.cycle_id)
    cycles = [k for k, a in enumerate(args) if a in exc.known]
    if exc.cycle_id in args and cycles:
        fixed = list(args)
        i, j = fixed.index(exc.cycle_id), cycles[0]
        fixed[i], fixed[j] = fixed[j], fixed[i]
        message = _(
            "{file!r} is a file and {cycle!r} a cycle: the arguments are swapped; try: {command}"
        ).format(file=exc.cycle_id, cycle=args[j], command=shlex.join(["conciliazione", *fixed]))
    return message


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; errors go to stderr (as JSON under --format json), exit 2."""
    use_safe_streams()
    args = list(argv) if argv is not None else sys.argv[1:]
    early_language(args)
    chosen_format.set(None)
    try:
        code = cli.main(args=args, standalone_mode=False, prog_name="conciliazione")
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            click.echo(exc.ctx.get_help())
            sys.exit(EXIT_USAGE)
        hint = (
            " " + _("(see 'conciliazione {command} --help')").format(command=exc.ctx.info_name)
            if exc.ctx and exc.ctx.parent
            else ""
        )
        _fail(" ".join(exc.format_message().split()) + hint, exc)
    except click.Abort as exc:
        interrupt = exc.__context__
        if isinstance(interrupt, KeyboardInterrupt) and interrupt.args:
            _fail(" ".join(str(interrupt.args[0]).split()))  # the plugin being imported
        _fail(_("aborted"))
    except InputError as exc:
        _input_error(exc)
    except CycleNotFoundError as exc:
        _fail(_swapped(exc, args) or exc.one_line(), exc)
    except ConciliazioneError as exc:
        _fail(exc.one_line(), exc)
    except KeyboardInterrupt as exc:
        if exc.args:  # the host names the plugin whose import was interrupted
            _fail(" ".join(str(exc.args[0]).split()))
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
