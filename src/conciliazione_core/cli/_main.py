"""The entry point: click's errors and the library's become one line on stderr and exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from conciliazione_core._errors import ConciliazioneError
from conciliazione_core._printable import use_safe_streams
from conciliazione_core.cli._base import EXIT_OK, EXIT_USAGE, cli
from conciliazione_core.i18n import LANGUAGES, _, set_language


def _fail(message: str) -> NoReturn:
    click.echo(_("conciliazione: error: {message}").format(message=message), err=True)
    sys.exit(EXIT_USAGE)


def _early_language(args: Sequence[str]) -> None:
    """Honour ``--lang`` wherever it stands among the group's options, even after ``--help``
    (which click handles as soon as it reads it); a bad value is left for click to report."""
    for i, arg in enumerate(args):
        if not arg.startswith("-"):  # the command: the group's options end here
            return
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        if value in LANGUAGES:
            set_language(value)
            return


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; errors become one line on stderr and exit status 2."""
    use_safe_streams()
    args = list(argv) if argv is not None else sys.argv[1:]
    _early_language(args)
    try:
        code = cli.main(
            args=args,
            standalone_mode=False,
            prog_name="conciliazione",
        )
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            click.echo(exc.ctx.get_help())
            sys.exit(EXIT_USAGE)
        hint = (
            " " + _("(see 'conciliazione {command} --help')").format(command=exc.ctx.info_name)
            if exc.ctx and exc.ctx.parent
            else ""
        )
        _fail(" ".join(exc.format_message().split()) + hint)
    except click.Abort as exc:
        interrupt = exc.__context__
        if isinstance(interrupt, KeyboardInterrupt) and interrupt.args:
            _fail(" ".join(str(interrupt.args[0]).split()))  # the plugin being imported
        _fail(_("aborted"))
    except ConciliazioneError as exc:
        _fail(exc.one_line())
    except KeyboardInterrupt as exc:
        if exc.args:  # the host names the plugin whose import was interrupted
            _fail(" ".join(str(exc.args[0]).split()))
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
