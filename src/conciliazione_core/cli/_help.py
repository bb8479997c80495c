"""Help and usage errors in the language of messages, chosen when they are shown.

The commands' help texts are English msgids (marked ``N_``) translated when the help is written,
not when the group is built: ``--lang`` is read after that, and ``--help`` may come first. Click's
own words ("Usage:", "Options:", "Missing argument", "No such option"...) go through the standard
:mod:`gettext` functions its modules imported; :func:`route_click_messages` points them at the
core's catalogue, which holds their Italian (the msgids listed below, so that extraction keeps
them).
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import click

from conciliazione_core import i18n
from conciliazione_core.i18n import N_, _, ngettext

__all__ = ["CLICK_MESSAGES", "Command", "Group", "route_click_messages"]

_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click._parser",
    "click.termui",
    "click.types",
    "click.utils",
)

CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Missing command."),
    N_("No such option: {name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("No such command '{name}'."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Option '{name}' does not take a value."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} '{filename}' does not exist."),
    N_("{name} '{filename}' is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("Aborted!"),
    N_("[OPTIONS]"),
    N_("COMMAND [ARGS]..."),
)
"""Click's own messages that the core's catalogue translates (click 8.1 to 8.x wording)."""


def _plural_msgids() -> None:  # pragma: no cover - never called: extraction reads it
    """Click's plural messages, listed for the catalogue like :data:`CLICK_MESSAGES`."""
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1
    )
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
    ngettext(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
        1,
    )
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)


def _click_gettext(message: str) -> str:
    return _(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n)  # click's msgids, listed in _plural_msgids


def route_click_messages() -> None:
    """Make click's own strings translate through the core's catalogue (idempotent)."""
    for name in _CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = _click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


def _translated(text: str | None) -> str | None:
    return None if text is None else _(text)


def _param_view(param: click.Parameter) -> click.Parameter:
    """A copy of ``param`` whose help is in the current language."""
    help_text = getattr(param, "help", None)
    if not help_text:
        return param
    view = copy.copy(param)
    view.help = _(help_text)
    return view


def _view(command: click.Command, ctx: click.Context) -> Any:
    """A copy of ``command`` with its help and its parameters' help in the current language."""
    view: Any = copy.copy(command)
    view.help = _translated(command.help)
    view.short_help = _translated(command.short_help)
    view.epilog = _translated(command.epilog)
    view.options_metavar = _translated(command.options_metavar)
    if isinstance(command, click.Group) and command.subcommand_metavar:
        view.subcommand_metavar = _(command.subcommand_metavar)
    params = [_param_view(p) for p in type(command).get_params(command, ctx)]
    view.get_params = lambda ctx: params
    return view


class Command(click.Command):
    """A command whose help is translated when it is shown."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        click.Command.format_help(_view(self, ctx), ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        view = copy.copy(self)
        view.help, view.short_help = _translated(self.help), _translated(self.short_help)
        return click.Command.get_short_help_str(view, limit)


class Group(click.Group):
    """The command group: its help and its commands' are translated when shown."""

    command_class = Command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        click.Group.format_help(_view(self, ctx), ctx, formatter)
