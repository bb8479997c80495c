"""The ``conciliazione`` command.

Exit codes: 0 all good; 1 findings make a document inadmissible, or an allocation is incomplete;
2 a usage or input error, reported as one line on stderr naming the file and the place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from conciliazione_core._errors import ConciliazioneError, InputError
from conciliazione_core._printable import printable, use_safe_streams
from conciliazione_core._views import cycles_to_json, dumps, report_to_json
from conciliazione_core.i18n import N_, _, set_language

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

_SEVERITY_WORDS = {"error": N_("ERROR"), "warning": N_("WARNING"), "info": N_("INFO")}


def _echo_json(data: Any) -> None:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang",
    type=click.Choice(["en", "it"]),
    default=None,
    help="Language of messages (default: from LANGUAGE/LC_ALL/LANG, else English).",
)
@click.version_option(package_name="conciliazione-core")
def cli(lang: str | None) -> None:
    """Lombardy's work-life balance programme: cycles, checks and allocations."""
    set_language(lang)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def cycles(fmt: str) -> None:
    """List the installed cycles, and any faulty plugin with the reason."""
    from conciliazione_core._host import default_host

    host = default_host()
    found = host.cycles()
    if fmt == "json":
        _echo_json(cycles_to_json(found.values(), host.problems))
        return
    rows = [
        [
            c.id,
            c.title,
            "; ".join(str(b) for b in c.legal_basis),
            c.distribution or "",
            c.version or "",
        ]
        for c in found.values()
    ]
    headers = [_("id"), _("title"), _("legal basis"), _("distribution"), _("version")]
    click.echo(format_table(headers, rows) if rows else _("No cycle is installed."))
    for problem in host.problems:
        click.echo(_("faulty plugin {problem}").format(problem=problem), err=True)


@cli.command()
@click.argument("cycle_id", metavar="CYCLE")
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Indicator table (CSV or JSON) to use instead of the shipped reference data.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option(
    "--explain",
    "explain_id",
    default=None,
    metavar="ID",
    help="Explain in words how one recipient's amount was reached.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a parameter for a what-if run (repeatable), "
    "e.g. allocation.envelopes.ats.amount=3000000.",
)
@click.option(
    "--template",
    is_flag=True,
    help="Print a CSV of the indicator values the allocation needs, filled in where the "
    "shipped data has them, and stop.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw a bar chart of the shares to FILE.svg or FILE.png (needs matplotlib).",
)
def allocate(
    cycle_id: str,
    data: Path | None,
    fmt: str,
    explain_id: str | None,
    overrides: tuple[str, ...],
    template: bool,
    chart: Path | None,
) -> None:
    """Split a cycle's budget among its territories, exactly."""
    from conciliazione_core import allocate as allocate_cycle
    from conciliazione_core import dump_allocation, explain
    from conciliazione_core._api import with_option_names
    from conciliazione_core._host import default_host

    cycle = default_host().cycle(cycle_id)
    if template:
        from conciliazione_core._indicators import indicator_template_csv
        from conciliazione_core.allocation import indicators_of

        changed = cycle.with_overrides(overrides)
        if changed.allocation is None:
            raise click.UsageError(
                _("cycle {cycle} defines no allocation").format(cycle=changed.id)
            )
        click.echo(
            indicator_template_csv(
                [(r.id, r.name) for r in changed.recipients],
                indicators_of(changed.allocation),
                known=changed.reference_table(),
            ),
            nl=False,
        )
        return
    table = None
    if data is not None:
        from conciliazione_core._indicators import load_indicator_table

        table = load_indicator_table(data)
    try:
        result = allocate_cycle(
            cycle,
            table,
            overrides=overrides,
            explain=[explain_id] if explain_id is not None else True,
        )
    except InputError as exc:  # the API names its argument; the command line, its option
        raise with_option_names(exc) from None
    if fmt == "csv":
        click.echo(dump_allocation(result, "csv"), nl=False)
    else:
        click.echo(dump_allocation(result, "json" if fmt == "json" else "table", cycle=cycle))
        if fmt == "table" and result.pending:
            click.echo(
                _(
                    "To supply the missing values: conciliazione allocate {cycle} --template > data.csv, "
                    "fill it in, then conciliazione allocate {cycle} --data data.csv"
                ).format(cycle=cycle.id)
            )
    if explain_id is not None:
        click.echo(explain(result, explain_id), err=fmt != "table")
    if chart is not None:
        from conciliazione_core._chart import draw_chart

        draw_chart(result, chart, title=cycle.title)
    if result.pending:
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.argument("cycle_id", metavar="CYCLE")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a rule for a what-if check (repeatable), e.g. rules.projects.ends_by=2019-01-15.",
)
def check(cycle_id: str, file: Path, fmt: str, overrides: tuple[str, ...]) -> None:
    """Check a network, alliance, project or plan document against a cycle's rules."""
    from conciliazione_core import check as check_document
    from conciliazione_core._host import default_host
    from conciliazione_core._serialisation import load_document

    cycle = default_host().cycle(cycle_id).with_overrides(overrides)
    document = load_document(file)
    report = check_document(cycle, document, name=str(file))
    if fmt == "json":
        _echo_json(report_to_json(report))
    else:
        verdict = _("admissible") if report.admissible else _("NOT admissible")
        click.echo(f"{printable(str(file))}: {verdict} ({cycle.id})")
        for f in report.findings:
            severity = _(_SEVERITY_WORDS[f.severity.value]).ljust(7)
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


@cli.command()
@click.argument("kind", metavar="TYPE")
def schema(kind: str) -> None:
    """Print the JSON Schema of an input document TYPE (territorial_plan, network, ...)."""
    from conciliazione_core._schema import json_schema

    _echo_json(json_schema(kind))


@cli.command("new-cycle")
@click.argument("cycle_id", metavar="ID")
@click.option(
    "--from",
    "from_id",
    default=None,
    metavar="CYCLE",
    help="Start from a copy of this installed cycle's parameter file, data and examples.",
)
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to create (new or empty; default: ./conciliazione-ID).",
)
def new_cycle_command(cycle_id: str, from_id: str | None, target: Path | None) -> None:
    """Generate a plugin package for a new cycle ID (lowercase region-year, e.g. lombardia-2025).

    The package installs with 'pip install -e DIR' and passes its own tests ('pytest DIR').
    """
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


@cli.command("diff")
@click.argument("cycle_a", metavar="CYCLE_A")
@click.argument("cycle_b", metavar="CYCLE_B")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--changed-only", is_flag=True, help="Show only the parameters that differ.")
def diff_command(cycle_a: str, cycle_b: str, fmt: str, changed_only: bool) -> None:
    """Show two cycles' parameters side by side, marking what changed (* in the table)."""
    import shutil

    from conciliazione_core._diff import diff_cycles, diff_to_json, render_diff
    from conciliazione_core._host import default_host

    host = default_host()
    result = diff_cycles(host.cycle(cycle_a), host.cycle(cycle_b))
    if fmt == "json":
        _echo_json(diff_to_json(result, changed_only=changed_only))
    else:
        width = max(80, shutil.get_terminal_size((120, 24)).columns)
        click.echo(render_diff(result, width=width, changed_only=changed_only))


@cli.command("territory")
@click.argument("query", metavar="NAME_OR_CODE")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date (YYYY-MM-DD; default: today): ASL until 2015-12-31, ATS from 2016-01-01.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def territory_command(query: str, on: Any, fmt: str) -> None:
    """Say where a Lombard municipality belongs on a date: province, ASL or ATS, and the act."""
    import datetime as dt

    from conciliazione_core._municipality import municipalities
    from conciliazione_core._territory import lombardy

    statuses = {
        "official": N_("official"),
        "derived": N_("derived"),
        "estimate": N_("estimate"),
        "unknown": N_("unknown"),
    }
    day = on.date() if on is not None else dt.date.today()
    registry, region = municipalities(), lombardy()
    place = registry.find(query)
    member = registry.membership(place, day)
    province = next(p for p in region.provinces if p.code == place.province)
    agency = region.agency(member.agency) if member.agency else None
    successor = registry.get(place.successor) if place.successor else None
    if fmt == "json":
        _echo_json(
            {
                "municipality": {
                    "istat": place.istat,
                    "name": place.name,
                    "province": place.province,
                    "district": place.district,
                    "successor": place.successor,
                },
                "on": day.isoformat(),
                "level": member.level.value,
                "agency": {"id": agency.id, "name": agency.name} if agency else None,
                "candidates": list(member.candidates),
                "valid_from": member.valid_from.isoformat() if member.valid_from else None,
                "valid_to": member.valid_to.isoformat() if member.valid_to else None,
                "status": member.status.value if member.status else "unknown",
                "legal_basis": str(member.basis),
                "note": member.basis.note,
            }
        )
        return
    period = " - ".join(d.isoformat() if d else "…" for d in (member.valid_from, member.valid_to))
    where = (
        f"{agency.name} ({agency.id})"
        if agency
        else _("unknown: one of {candidates}").format(candidates=", ".join(member.candidates))
    )
    rows = [
        [_("province"), f"{province.name} ({province.code})"],
        [member.level.value, where],
        [_("period"), period],
        [_("status"), _(statuses[member.status.value if member.status else "unknown"])],
        [_("basis"), str(member.basis)],
    ]
    if member.basis.note:
        rows.append([_("note"), member.basis.note])
    if successor is not None:
        rows.append([_("now part of"), str(successor)])
    click.echo(_("{municipality} on {date}").format(municipality=place, date=day.isoformat()))
    click.echo(format_table([_("what"), _("answer")], rows))


@cli.command("audit")
@click.argument("cycle_id", metavar="CYCLE")
@click.option(
    "--published",
    "published",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The published table: CSV or JSON with an id and an exact amount in euros per recipient.",
)
@click.option("--envelope", "envelope_id", default=None, metavar="ID", help="Envelope audited.")
@click.option(
    "--amount",
    default=None,
    metavar="EUROS",
    help="Amount the table splits (default: the envelope's), e.g. a yearly tranche.",
)
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help="Reference data (CSV or JSON) to run the rule on; repeat to try several.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def audit_command(
    cycle_id: str,
    published: Path,
    envelope_id: str | None,
    amount: str | None,
    data: tuple[Path, ...],
    fmt: str,
) -> None:
    """Compare a published per-recipient table with what the cycle's rule gives."""
    from conciliazione_core._audit import (
        audit_cycle,
        audit_to_json,
        load_published_table,
        render_audit,
    )
    from conciliazione_core._host import default_host
    from conciliazione_core._indicators import load_indicator_table
    from conciliazione_core._money import Money

    cycle = default_host().cycle(cycle_id)
    table = load_published_table(published)
    total = Money.parse(amount, "--amount") if amount is not None else None
    tables = [(str(p), load_indicator_table(p)) for p in data]
    report = audit_cycle(cycle, table, envelope_id=envelope_id, amount=total, data=tables)
    if fmt == "json":
        _echo_json(audit_to_json(report))
    else:
        click.echo(render_audit(report))
    if not report.reconciled:
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--max-body-bytes",
    default=8 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Refuse larger request bodies (413).",
)
@click.option(
    "--time-limit",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="Seconds a request may take (then 503).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Let browser pages from ORIGIN call the API (repeatable; default: none).",
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
    """Serve the HTTP API (needs the server extra); see docs/http.md."""
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


def _fail(message: str) -> NoReturn:
    click.echo(_("conciliazione: error: {message}").format(message=message), err=True)
    sys.exit(EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; errors become one line on stderr and exit status 2."""
    use_safe_streams()
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
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


if __name__ == "__main__":  # `python -m conciliazione_core.cli`, as `python -m conciliazione_core`
    main()
