"""``conciliazione check``: documents against a cycle's rules.

One FILE prints its report as it always has. Several, a folder (its ``*.toml`` and ``*.json``
files, sorted by name, not its subfolders) or ``-`` (standard input) are a batch: every document
is checked even when one cannot be read, and a summary table follows their reports;
``--format json`` prints a JSON array, ``--format jsonl`` one JSON object per line. An
unreadable document (or one a plugin failed to check) becomes an error object in its place.
Exit 2 when any document is unreadable, else 1 when any is not admissible.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from conciliazione_core._errors import ConciliazioneError, InputError
from conciliazione_core._printable import printable
from conciliazione_core._views import report_to_json
from conciliazione_core.cli._base import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    cli,
    echo_json,
    format_table,
)
from conciliazione_core.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from conciliazione_core._cycle import Cycle
    from conciliazione_core._documents import Document
    from conciliazione_core._findings import Report
    from conciliazione_core._formats import Limits

SEVERITY_WORDS = {"error": N_("ERROR"), "warning": N_("WARNING"), "info": N_("INFO")}

STDIN = "-"
STDIN_NAME = "<stdin>"
DOCUMENT_SUFFIXES = (".toml", ".json")
STDIN_LIMITS: Limits | None = None
"""How much of standard input is read; None: the limits files have (``DEFAULT_LIMITS``)."""


@attrs.frozen
class _Checked:
    """One document of a batch: its report, or why it could not be read or checked."""

    name: str
    kind: str | None = None
    report: Report | None = None
    error: ConciliazioneError | None = None


@cli.command(
    help=N_(
        "Check network, alliance, project or plan documents against a cycle's rules.\n\n"
        "FILE is a .toml or .json document, a folder (its .toml and .json files, not its "
        "subfolders), or - for standard input (JSON if it starts with a brace, else TOML). Several "
        "documents get a summary table; exit 2 if any is unreadable, else 1 if any is not "
        "admissible."
    )
)
@click.argument("cycle_id", metavar="CYCLE")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help=N_(
        "Override a rule for a what-if check (repeatable), e.g. rules.projects.ends_by=2019-01-15."
    ),
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help=N_(
        "The day of the check, against which a date is in the future (default: today's date): "
        "with it, a report is the same whatever day it is run."
    ),
)
def check(
    cycle_id: str,
    files: tuple[str, ...],
    fmt: str,
    overrides: tuple[str, ...],
    today: dt.datetime | None,
) -> None:
    from conciliazione_core._host import default_host

    day = dt.date.today() if today is None else today.date()  # one day for the whole batch

    if files.count(STDIN) > 1:
        raise click.UsageError(_("standard input (-) can be read only once"))
    cycle = default_host().cycle(cycle_id).with_overrides(overrides)
    single = len(files) == 1 and (files[0] == STDIN or not Path(files[0]).is_dir())
    if single and fmt != "jsonl":
        _check_one(cycle, files[0], fmt, day)
        return
    checked = []
    for name, path in _expand(files):  # each printed once checked (but the JSON array)
        entry = _check_entry(cycle, name, path, day)
        checked.append(entry)
        if fmt == "jsonl":
            click.echo(json.dumps(_entry_to_json(entry), ensure_ascii=False))
        elif fmt == "table" and entry.report is not None:
            _print_report(entry.report, cycle.id)
        elif fmt == "table" and entry.error is not None:
            _print_error(entry.error)
    if fmt == "json":
        echo_json([_entry_to_json(entry) for entry in checked])
    elif fmt == "table":
        click.echo()
        click.echo(_summary(checked))
    sys.exit(_exit_code(checked))


def _check_one(cycle: Cycle, file: str, fmt: str, today: dt.date) -> None:
    """One document, as ``check`` always printed it; an unreadable one is an error (exit 2)."""
    from conciliazione_core import check as check_document

    name = STDIN_NAME if file == STDIN else file
    report = check_document(cycle, _load(file), name=name, today=today)
    if fmt == "json":
        echo_json(report_to_json(report))
    else:
        _print_report(report, cycle.id)
    if not report.admissible:
        sys.exit(EXIT_FINDINGS)


def _expand(files: tuple[str, ...]) -> Iterator[tuple[str, str | InputError]]:
    """Each argument as (name shown, what to read); a folder becomes its documents, in order,
    and a folder that cannot be listed or holds none, an error in its place."""
    for file in files:
        if file == STDIN:
            yield STDIN_NAME, STDIN
            continue
        folder = Path(file)
        if not folder.is_dir():
            yield file, file
            continue
        try:
            found = sorted(
                (p for p in folder.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES),
                key=lambda p: p.name,
            )
            documents = [p for p in found if p.is_file()]
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            yield (
                file,
                InputError.at(
                    "$", _("cannot list the folder: {reason}").format(reason=reason), file
                ),
            )
            continue
        if not documents:  # reported, not skipped: the folder may be the wrong one
            yield file, InputError.at("$", _("the folder holds no .toml or .json document"), file)
        for path in documents:
            yield str(path), str(path)


def _check_entry(cycle: Cycle, name: str, file: str | InputError, today: dt.date) -> _Checked:
    """One document of a batch, never raising for it: its failure is its own row."""
    from conciliazione_core import check as check_document
    from conciliazione_core._documents import document_kind

    try:
        if isinstance(file, InputError):
            raise file
        document = _load(file)
        kind = document_kind(document)
        return _Checked(name, kind, check_document(cycle, document, name=name, today=today))
    except ConciliazioneError as exc:
        return _Checked(name, error=exc)


def _load(file: str) -> Document:
    """A document from a file, or from standard input when ``file`` is ``-``."""
    from conciliazione_core._serialisation import load_document

    if file != STDIN:
        return load_document(file)
    return _read_stdin()


def _read_stdin() -> Document:
    """The document on standard input, read within the limit files have (one byte past it at
    most): JSON when it starts with ``{``, else TOML."""
    from conciliazione_core._formats import DEFAULT_LIMITS, parse_json, parse_toml, read_stream
    from conciliazione_core._serialisation import parse_document

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError.at("$", _("standard input is closed"), STDIN_NAME)
    limits = STDIN_LIMITS or DEFAULT_LIMITS
    raw = read_stream(stream, STDIN_NAME, limits)
    looks_json = raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    if looks_json:
        data = parse_json(raw, STDIN_NAME, limits)
    else:
        data = parse_toml(raw, STDIN_NAME, limits)
    return parse_document(data, STDIN_NAME)


_INDENT = " " * 10
"""Where a finding's message and basis start, under its severity and code."""


def _print_report(report: Report, cycle_id: str) -> None:
    """The verdict, then each finding: its severity, code and path on one line (never cut),
    its message and legal basis wrapped to the terminal's width under it, at spaces only, so
    that a path, a code or an amount is never split."""
    from conciliazione_core._grid import terminal_width, wrap

    width = terminal_width()
    verdict = _("admissible") if report.admissible else _("NOT admissible")
    click.echo(f"{printable(report.document)}: {verdict} ({cycle_id})")
    for f in report.findings:
        severity = _(SEVERITY_WORDS[f.severity.value]).ljust(7)
        click.echo(
            "  "
            + _("{severity} {code} at {path}").format(severity=severity, code=f.code, path=f.path)
        )
        lines = wrap(printable(f.message), width, _INDENT)
        if f.legal_basis is not None:
            basis = _("basis: {basis}").format(basis=f.legal_basis)
            lines += wrap(basis, width, _INDENT)
        for line in lines:
            click.echo(line)


def _print_error(error: ConciliazioneError) -> None:
    click.echo(_("conciliazione: error: {message}").format(message=error.one_line()), err=True)


def _counts(report: Report) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITY_WORDS, 0)
    for f in report.findings:
        counts[f.severity.value] += 1
    return counts


def _summary(checked: list[_Checked]) -> str:
    """The batch as a table (file, type, verdict, counts) and a line of totals."""
    rows = []
    for entry in checked:
        if entry.report is None:
            # a plugin that fails on this document (PluginError) is not the document's fault
            failed = not isinstance(entry.error, InputError)
            verdict = _("check failed") if failed else _("unreadable")
            rows.append([entry.name, "", verdict, "", "", ""])
            continue
        counts = _counts(entry.report)
        verdict = _("admissible") if entry.report.admissible else _("NOT admissible")
        rows.append([entry.name, entry.kind or "", verdict, *(str(n) for n in counts.values())])
    headers = [_("file"), _("type"), _("verdict"), _("errors"), _("warnings"), _("info")]
    admissible = sum(1 for e in checked if e.report is not None and e.report.admissible)
    unreadable = sum(1 for e in checked if e.report is None)
    totals = ngettext(
        "{n} document: {ok} admissible, {bad} not admissible, {unreadable} unreadable",
        "{n} documents: {ok} admissible, {bad} not admissible, {unreadable} unreadable",
        len(checked),
    ).format(
        n=len(checked),
        ok=admissible,
        bad=len(checked) - admissible - unreadable,
        unreadable=unreadable,
    )
    return format_table(headers, rows, right=(3, 4, 5)) + "\n" + totals


def _entry_to_json(entry: _Checked) -> dict[str, Any]:
    """A batch entry: the report with its document type, or an error object in its place."""
    if entry.report is not None:
        report = report_to_json(entry.report)
        return {"document": report.pop("document"), "type": entry.kind, **report}
    assert entry.error is not None
    problems = entry.error.problems if isinstance(entry.error, InputError) else ()
    return {
        "document": entry.name,
        "type": None,
        "admissible": None,
        "error": entry.error.one_line(),
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }


def _exit_code(checked: list[_Checked]) -> int:
    """2 when any document is unreadable (it wins), 1 when any is not admissible, else 0."""
    if any(e.report is None for e in checked):
        return EXIT_USAGE
    if any(not e.report.admissible for e in checked if e.report is not None):
        return EXIT_FINDINGS
    return EXIT_OK
