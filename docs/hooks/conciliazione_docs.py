"""MkDocs hook: pages generated from the code and the parameter files at build time.

Registered with ``hooks:`` in ``mkdocs.yml``. It writes what must never drift from the code:

- one page per installed cycle (``cycles/<id>.md``), rendered from the cycle's parameter file:
  rules, envelopes, citations with their evidence, assumptions, reference data with provenance,
  example documents checked now, and the allocation the engine computes now;
- markers in hand-written pages, replaced by generated Markdown: ``<!-- conciliazione:NAME -->``
  where NAME is one of :data:`MARKERS` (the CLI reference from the click command tree, the
  finding-code table from the rule registry, the glossary of body kinds, ...).

Every renderer is a plain function returning Markdown, so ``tests/test_docs.py`` can call them.
Nothing here touches the network.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from conciliazione_core._bodies import BodyKind
from conciliazione_core._cycle import Cycle, Example
from conciliazione_core._errors import ConciliazioneError
from conciliazione_core._findings import Report, Severity
from conciliazione_core._host import Host, default_host
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._serialisation import parse_document, parse_json, parse_toml
from conciliazione_core._territory import lombardy
from conciliazione_core.i18n import language

__all__ = [
    "MARKERS",
    "body_kinds_md",
    "changelog_md",
    "cli_md",
    "cycle_md",
    "cycles_index_md",
    "envelope_kinds_md",
    "expand_markers",
    "finding_codes_md",
    "territory_md",
]

log = logging.getLogger("mkdocs.hooks.conciliazione_docs")

ROOT = Path(__file__).resolve().parents[2]
CYCLES_DIR = "cycles"
MARKER = re.compile(r"<!--\s*conciliazione:([a-z-]+)\s*-->")

#: Pages other engineers write; until they exist the build shows a stub instead of failing.
OTHERS_PAGES = {
    "allocation.md": "Allocation",
    "performance.md": "Performance",
    "robustness.md": "Robustness",
}

#: English names where the enum member's name is an abbreviation or too terse.
_KIND_WORDS = {
    BodyKind.ASL: "local health authority",
    BodyKind.ATS: "health protection agency",
    BodyKind.THIRD_SECTOR_OTHER: "other third-sector body",
}

_EVIDENCE_WORDS = {
    Evidence.DOCUMENT: "document",
    Evidence.SOURCE: "source",
    Evidence.INFERENCE: "inference: an assumption",
}


# ---- small Markdown helpers -------------------------------------------------------------------


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    text = "" if value is None else " ".join(str(value).split())
    return text.replace("|", "\\|")


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()
) -> str:
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _money(value: object) -> str:
    return Money.parse(value).format()


def _evidence(evidence: Evidence) -> str:
    word = _EVIDENCE_WORDS[evidence]
    return f'<span class="evidence evidence-{evidence.value}">{word}</span>'


def _basis_text(basis: LegalBasis) -> str:
    text = str(basis.act) if basis.provision is None else f"{basis.act}, {basis.provision}"
    return f"{text} {_evidence(basis.evidence)}"


def _cite(cycle: Cycle, key: str | None) -> str:
    """A link to the citation on the cycle's page, with its act and evidence."""
    if key is None:
        return ""
    basis = cycle.citations.get(key)
    if basis is None:
        return f"`{key}` (unknown citation)"
    return f"[`{key}`](#cite-{key}): {_basis_text(basis)}"


# ---- body kinds, finding codes, territory -----------------------------------------------------


def body_kinds_md() -> str:
    """Every :class:`BodyKind` with its Italian name and default legal nature."""
    rows = [
        (
            kind.italian,
            _KIND_WORDS.get(kind, kind.name.replace("_", " ").lower()),
            f"`{kind.value}`",
            kind.default_nature.value.replace("_", " "),
        )
        for kind in BodyKind
    ]
    return _table(["Italian", "English", "`kind` in files", "default legal nature"], rows)


def finding_codes_md(host: Host | None = None) -> str:
    """Every code the registered rules can emit, by rule section, from the rule registry.

    The registry is the build environment's: the core's standard rules and those of every
    installed plugin (the plugin is named for a code the core does not have).
    """
    registry = (host or default_host()).rules
    rows = []
    for section, rule in registry.rules.items():
        owner = registry.owners[section]
        where = f"`[rules.{section}]`"
        if owner != "conciliazione_core":
            where += f" (plugin `{owner}`)"
        for code in rule.codes:
            rows.append(
                (
                    f"`{code.code}`",
                    code.severity.value,
                    where,
                    code.when or "see the plugin's documentation",
                    code.template.replace("{", "&#123;").replace("}", "&#125;"),
                )
            )
    return _table(["code", "severity", "section", "emitted when", "message (English)"], rows)


def territory_md() -> str:
    """The shipped agencies and the L.R. 23/2015 succession."""
    territory = lombardy()
    agencies = _table(
        ["id", "level", "name", "provinces", "whole provinces", "basis"],
        (
            (
                f"`{a.id}`",
                a.level.value,
                a.name,
                ", ".join(a.provinces),
                "yes" if a.whole_provinces else "no (part)",
                _basis_text(a.basis),
            )
            for a in territory.agencies
        ),
    )
    succession = _table(
        ["ASL", "became part of", "whole or part", "basis", "note"],
        (
            (
                f"`{s.predecessor}`",
                f"`{s.successor}`",
                "whole" if s.whole else "part",
                _basis_text(s.basis),
                str(s.note or ""),
            )
            for s in territory.succession
        ),
    )
    return f"### Agencies\n\n{agencies}\n\n### Succession (L.R. 23/2015)\n\n{succession}\n"


# ---- the command line ---------------------------------------------------------------------------


def _command_md(command: click.Command, ctx: click.Context, depth: int) -> list[str]:
    path = ctx.command_path
    out = [f"{'#' * depth} `{path}`", ""]
    pieces = " ".join(command.collect_usage_pieces(ctx))
    out += ["```text", f"{path} {pieces}".rstrip(), "```", ""]
    if command.help:
        help_text = inspect.cleandoc(command.help.replace("\b\n", ""))
        out += [help_text, ""]
    arguments = [p for p in command.get_params(ctx) if isinstance(p, click.Argument)]
    if arguments:
        out += ["**Arguments**", ""]
        for argument in arguments:
            name = _metavar(argument, ctx)
            required = "required" if argument.required else "optional"
            out.append(f"- `{name}` ({required})")
        out.append("")
    options = [
        _option_row(p, ctx)
        for p in command.get_params(ctx)
        if isinstance(p, click.Option) and not p.hidden and p.get_help_record(ctx) is not None
    ]
    if options:
        out += ["**Options**", "", _table(["option", "description"], options), ""]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = click.Context(sub, info_name=name, parent=ctx)
            out += _command_md(sub, sub_ctx, min(depth + 1, 4))
    return out


def _option_row(option: click.Option, ctx: click.Context) -> tuple[str, str]:
    """``(flags, help)`` of an option, its default added when the help does not show it."""
    record = option.get_help_record(ctx)
    assert record is not None
    flags, help_text = record
    default = option.default
    shown = "default:" in help_text
    if (
        not shown
        and not option.is_flag
        and default not in (None, (), [], "")
        and not callable(default)
    ):
        help_text = f"{help_text} Default: `{default}`.".strip()
    return f"`{flags}`", help_text


def _metavar(argument: click.Argument, ctx: click.Context) -> str:
    """The argument's metavar (click 8.2 added the ``ctx`` parameter)."""
    make: Any = argument.make_metavar
    return str(make(ctx) if "ctx" in inspect.signature(make).parameters else make())


def cli_md(command: click.Command | None = None) -> str:
    """The reference of every command of the ``conciliazione`` click tree, with its options."""
    if command is None:
        from conciliazione_core.cli import cli

        command = cli
    ctx = click.Context(command, info_name="conciliazione", **command.context_settings)
    summary = []
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                summary.append((f"[`{name}`](#conciliazione-{name})", sub.get_short_help_str(80)))
    head = _table(["command", "what it does"], summary) + "\n\n" if summary else ""
    return head + "\n".join(_command_md(command, ctx, 2)) + "\n"


# ---- cycles -------------------------------------------------------------------------------------


def cycles_index_md(host: Host | None = None) -> str:
    """A table of the installed cycles, and any faulty plugin."""
    host = host or default_host()
    rows = [
        (
            f"[{c.id}]({c.id}.md)",
            str(c.title),
            f"{_date(c.period.start)} – {_date(c.period.end)}",
            c.level.value,
            c.distribution or "",
            c.version or "",
        )
        for c in host.cycles().values()
    ]
    text = _table(["cycle", "title", "period", "level", "distribution", "version"], rows)
    if host.problems:
        problems = "\n".join(f"    - `{p}`" for p in host.problems)
        text += f'\n\n!!! warning "Faulty plugins in the build environment"\n\n{problems}\n'
    return text + "\n"


def _rules_md(cycle: Cycle) -> list[str]:
    """Each rule the cycle sets, as its registered rule describes it, with its basis."""
    out = ["## Rules", ""]
    out.append(
        "What the cycle's rules read from `[rules]`; a section that is absent is not checked. "
        "The finding codes each section can emit are listed on "
        "[Parameter files](../parameters.md#finding-codes)."
    )
    out.append("")
    for rule, rows in cycle.rules.describe(cycle):
        key = getattr(cycle.rules[rule.section], "basis", None)
        basis = cycle.citations.get(key) if isinstance(key, str) else None
        shown = [(topic, value) for topic, value in rows if basis is None or value != str(basis)]
        out += [f"### {rule.title}", ""]
        if shown:
            out += [_table(["parameter", "value"], ((t, v or "—") for t, v in shown)), ""]
        out += [f"Basis: {_cite(cycle, key if isinstance(key, str) else None)}", ""]
    unset = [r.title for name, r in cycle.rules.registry.rules.items() if name not in cycle.rules]
    if unset:
        out += [f"Not set, so not checked: {', '.join(unset)}.", ""]
    return out


def _envelopes_md(cycle: Cycle) -> list[str]:
    data = cycle.allocation_data
    out = ["## Amounts and envelopes", ""]
    if data is None:
        return [*out, "This cycle allocates nothing (no `[allocation]` table).", ""]
    rounding = data.get("rounding", {})
    out.append(f"Total: **{_money(data['total'])}**.")
    if rounding:
        unit = rounding.get("unit")
        strategy = str(rounding.get("strategy", "")).replace("_", " ")
        text = f"Rounding: {strategy}"
        if unit is not None:
            text += f", to units of {_money(unit)}"
        out.append(text + ".")
    out.append("")
    rows = []
    parts: list[str] = []
    hows = _envelope_hows(cycle)
    for envelope in data.get("envelopes", []):
        how = hows.get(envelope.get("id"), "")
        amount = _money(envelope["amount"]) if "amount" in envelope else ""
        rows.append(
            (
                f"`{envelope.get('id', '')}`",
                envelope.get("label", ""),
                envelope.get("kind", ""),
                amount,
                how,
                _cite(cycle, envelope.get("basis")),
            )
        )
        if envelope.get("note"):
            parts.append(f"- `{envelope.get('id')}`: {envelope['note']}")
        for part in envelope.get("split", []):
            basis = part.get("basis", envelope.get("basis"))
            parts.append(
                f"- `{envelope.get('id')}.{part.get('id')}`: {part.get('label')}, "
                f"{part.get('share')} of each share ({_cite(cycle, basis)})"
            )
        for tranche in envelope.get("tranches", []):
            parts.append(
                f"- `{envelope.get('id')}.{tranche.get('id')}`: tranche, {tranche.get('share')}"
            )
    out += [
        _table(["envelope", "label", "kind", "amount", "how", "basis"], rows, right=(3,)),
        "",
    ]
    if parts:
        out += ["Notes, splits and tranches:", "", *parts, ""]
    return out


def _envelope_hows(cycle: Cycle) -> dict[object, str]:
    """Envelope id -> how its kind says it is split (nothing for a plan that does not parse)."""
    from conciliazione_core.allocation import kind_of

    try:
        plan = cycle.allocation
    except ConciliazioneError:
        return {}
    return {} if plan is None else {e.id: kind_of(e).how(e) for e in plan.envelopes}


def envelope_kinds_md() -> str:
    """The envelope kinds of the installed plugins, the core's first."""
    rows = [
        (
            f"`{entry.kind.kind}`",
            f"`{entry.plugin}`",
            entry.kind.summary,
            ", ".join(f"`{k}`" for k in entry.kind.keys),
            "yes" if entry.kind.recipient_level else "no (kept by the payer)",
        )
        for entry in default_host().envelope_kinds
    ]
    return _table(
        ["`kind`", "plugin", "what it does", "its own keys", "split among recipients"], rows
    )


def _group(cell: str) -> str:
    """``"310206.00"`` -> ``"310,206.00"``: amounts readable by people, still exact."""
    whole, dot, cents = cell.partition(".")
    return f"{int(whole):,}{dot}{cents}"


def _csv_md(text: str, *, amounts: bool = False) -> str:
    """A CSV table as Markdown; with ``amounts``, two-decimal cells get thousands separators."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return "(empty)"
    header, body = rows[0], rows[1:]
    right = [
        i
        for i in range(len(header))
        if body and all(re.fullmatch(r"-?\d+(\.\d+)?", r[i] or "0") for r in body if i < len(r))
    ]
    if amounts:
        body = [[_group(c) if re.fullmatch(r"\d+\.\d\d", c) else c for c in row] for row in body]
    return _table([f"`{h}`" for h in header], body, right=right)


def _recipient_rows(text: str) -> str:
    """The CSV's recipient rows without its ``row`` column (the other rows are listed below)."""
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        r[1:] for r in rows if r[0] in ("row", "recipient")
    )
    return out.getvalue()


def _allocation_md(cycle: Cycle) -> list[str]:
    out = ["## Allocation computed by the engine", ""]
    if cycle.allocation_data is None:
        return [*out, "Nothing to allocate.", ""]
    try:
        import conciliazione_core.allocation  # noqa: F401 - is the engine in this build?
    except ImportError as exc:
        return [
            *out,
            '!!! warning "The allocation engine is not available in this build"',
            "",
            f"    `conciliazione_core.allocation` could not be imported ({exc}); the table of "
            "this cycle's allocation is left out of this build of the documentation.",
            "",
        ]
    from conciliazione_core import allocate, dump_allocation

    try:
        result = allocate(cycle, explain=False)  # the library API, as an app would call it
    except ConciliazioneError as exc:
        log.warning("cycle %s: the allocation fails: %s", cycle.id, exc.one_line())
        return [*out, f"The allocation fails: `{exc.one_line()}`", ""]
    chart = ROOT / "docs" / "img" / f"{cycle.id}.svg"
    if chart.is_file():
        out += [f"![The shares of {cycle.id}, as drawn by `make charts`](../img/{chart.name})", ""]
    out += [
        f"What `conciliazione allocate {cycle.id}` prints, computed while this page was built "
        "from the parameter file and the shipped reference data. Amounts in euros; `status` is "
        "the least reliable status of the figures a row depends on.",
        "",
        _csv_md(_recipient_rows(dump_allocation(result, "csv")), amounts=True),
        "",
    ]
    lines = []
    for r in result.retained:
        lines.append(f"- Retained, `{r.envelope_id}` ({r.label}): {r.amount.format()}")
    for p in result.pending:
        lines.append(
            f"- **Pending**, `{p.envelope_id}` ({p.label}): {p.amount.format()} not allocated "
            f"because `{', '.join(p.indicators)}` is missing for {', '.join(p.missing)}. "
            f"Supply the values: `conciliazione allocate {cycle.id} --template > data.csv`, "
            f"fill it in, then `--data data.csv`."
        )
    if result.unallocated:
        lines.append(f"- Unallocated rounding remainder: {result.unallocated.format()}")
    lines.append(
        f"- Total: {result.total.format()} = recipients {result.allocated_total.format()}"
        f" + retained {result.retained_total.format()} + pending {result.pending_total.format()}"
        f" + unallocated {result.unallocated.format()}"
    )
    out += [*lines, ""]
    if result.non_official:
        out += [
            '!!! warning "Not official"',
            "",
            "    These rows depend on derived or estimated figures, so their amounts are not "
            "official either:",
            "",
        ]
        out += [
            f"    - `{n.recipient_id}`: {n.status.value}"
            + (f" ({n.provenance.method})" if n.provenance.method else "")
            for n in result.non_official
        ]
        out.append("")
    return out


def _citations_md(cycle: Cycle) -> list[str]:
    used_as_basis = set(_keys_of_legal_basis(cycle))
    rows = []
    for key, basis in cycle.citations.items():
        act = str(basis.act) if basis.provision is None else f"{basis.act}, {basis.provision}"
        if basis.url:
            act += f" <{basis.url}>"
        mark = " (cycle's legal basis)" if key in used_as_basis else ""
        rows.append(
            (
                f'<a id="cite-{key}"></a>`{key}`{mark}',
                act,
                _evidence(basis.evidence),
                str(basis.note or ""),
            )
        )
    return [
        "## Citations",
        "",
        "Every rule, envelope and assumption above cites one of these. Evidence says how the "
        "project knows: *document* = the programme's own text; *source* = a public secondary "
        "source; *inference* = the project's own assumption, which a user may override.",
        "",
        _table(["key", "act", "evidence", "note"], rows),
        "",
    ]


def _keys_of_legal_basis(cycle: Cycle) -> list[str]:
    header = cycle.parameters.get("cycle", {})
    keys = header.get("legal_basis", []) if isinstance(header, dict) else []
    return [k for k in keys if isinstance(k, str)]


def _assumptions_md(cycle: Cycle) -> list[str]:
    out = ["## Assumptions", ""]
    if not cycle.assumptions:
        return [*out, "The parameter file states no assumption.", ""]
    table = _table(
        ["id", "assumption", "basis"],
        ((f"`{a.id}`", str(a.text), _cite(cycle, a.basis)) for a in cycle.assumptions),
    )
    return [
        *out,
        '!!! note "Assumptions: not stated by any source"',
        "",
        "    The cycle relies on these; each is a parameter or an input a user can change "
        "(`--set`, `--data`).",
        "",
        *("    " + line for line in table.splitlines()),
        "",
    ]


def _reference_data_md(cycle: Cycle) -> list[str]:
    out = ["## Reference data", ""]
    if not cycle.data_files:
        return [*out, "None shipped.", ""]
    out.append(
        "Shipped with the plugin, one row per recipient, each with its provenance: source, "
        "reference date and status (*official*, *derived* from official figures by the stated "
        "method, or *estimate*)."
    )
    out.append("")
    for name, ref in cycle.data_files.items():
        default = " (default)" if name == cycle.default_data else ""
        out += [f"### `{name}`{default}: `{ref.name}`", ""]
        try:
            text = ref.read_text(encoding="utf-8")
        except OSError as exc:
            log.warning("cycle %s: cannot read data file %s: %s", cycle.id, ref, exc)
            out += [f"Cannot be read: {exc}.", ""]
            continue
        if ref.name.endswith(".csv"):
            out += [_csv_md(text), ""]
        else:
            out += ["```json", text.rstrip(), "```", ""]
    return out


def _example_outcome(cycle: Cycle, example: Example, host: Host) -> tuple[Report | None, str]:
    ref = cycle.example_path(example)
    try:
        text = ref.read_text(encoding="utf-8")
        data = (
            parse_json(text, ref.name) if ref.name.endswith(".json") else parse_toml(text, ref.name)
        )
        # The host never reads the clock: the page is the same whatever day it is built.
        report = host.check(cycle, parse_document(data, ref.name), ref.name)
    except (ConciliazioneError, OSError) as exc:
        return None, str(exc)
    return report, ""


def _verdict(admissible: bool) -> str:
    return "admissible" if admissible else "not admissible"


def _examples_md(cycle: Cycle, host: Host) -> list[str]:
    out = ["## Example documents", ""]
    if not cycle.examples:
        return [*out, "The parameter file declares no example document.", ""]
    out += [
        "Each example ships with the plugin together with the outcome its check must give "
        "(errors and warnings; information findings aside). The outcome shown was computed "
        "while this page was built.",
        "",
    ]
    outcomes = [(example, *_example_outcome(cycle, example, host)) for example in cycle.examples]
    summary = []
    details: list[str] = []
    for example, report, error in outcomes:
        expected = _verdict(example.admissible)
        codes = ", ".join(f"`{c}`" for c in example.codes) or "none"
        details += [f"### `{example.file}`", ""]
        if example.description:
            details += [str(example.description), ""]
        details += [f"Expected: **{expected}**; error and warning codes: {codes}.", ""]
        if report is None:
            log.warning("cycle %s: example %s cannot be checked: %s", cycle.id, example.file, error)
            summary.append((f"`{example.file}`", expected, codes, "cannot be checked"))
            details += [f"Cannot be checked: {error}", ""]
            continue
        got = [f.code for f in report.findings if f.severity is not Severity.INFO]
        matches = report.admissible == example.admissible and sorted(got) == sorted(example.codes)
        if not matches:
            log.warning(
                "cycle %s: example %s gives %s %s, the parameter file expects %s %s",
                cycle.id,
                example.file,
                _verdict(report.admissible),
                got,
                expected,
                list(example.codes),
            )
        status = "as expected" if matches else "**differs from the expected outcome**"
        summary.append(
            (f"`{example.file}`", expected, codes, f"{_verdict(report.admissible)}, {status}")
        )
        details += [f"Checked now: **{_verdict(report.admissible)}**, {status}.", ""]
        if report.findings:
            details += [
                _table(
                    ["severity", "code", "where", "message"],
                    (
                        (f.severity.value, f"`{f.code}`", f"`{f.path}`", f.message)
                        for f in report.findings
                    ),
                ),
                "",
            ]
        fence = "    ```toml" if example.file.endswith(".toml") else "    ```json"
        details += [
            f'??? example "The file `{example.file}`"',
            "",
            fence,
            *("    " + line if line else "" for line in _read(cycle, example).splitlines()),
            "    ```",
            "",
        ]
    out += [
        _table(["file", "expected", "error and warning codes", "checked now"], summary),
        "",
        *details,
    ]
    return out


def _read(cycle: Cycle, example: Example) -> str:
    try:
        return cycle.example_path(example).read_text(encoding="utf-8")
    except OSError:
        return ""


def cycle_md(cycle: Cycle, host: Host | None = None) -> str:
    """The page of one cycle, generated from its parameter file."""
    host = host or default_host()
    with language("en"):
        out = [f"# {cycle.title}", ""]
        if cycle.summary:
            out += [" ".join(str(cycle.summary).split()), ""]
        basis = "; ".join(_basis_text(b) for b in cycle.legal_basis)
        recipients = ", ".join(f"`{r.id}`" for r in cycle.recipients)
        out += [
            _table(
                ["id", f"`{cycle.id}`"],
                [
                    ("period", f"{_date(cycle.period.start)} – {_date(cycle.period.end)}"),
                    ("level", f"{cycle.level.value} (networks follow these health agencies)"),
                    ("legal basis", basis),
                    ("recipients", recipients),
                    ("plugin", f"{cycle.distribution or ''} {cycle.version or ''}".strip()),
                    ("parameter file", f"`{cycle.source}`"),
                ],
            ),
            "",
            "This page is generated from the cycle's parameter file each time the documentation "
            "is built; see [Parameter files](../parameters.md) for the format.",
            "",
        ]
        out += _rules_md(cycle)
        out += _envelopes_md(cycle)
        out += _allocation_md(cycle)
        out += _citations_md(cycle)
        out += _assumptions_md(cycle)
        out += _reference_data_md(cycle)
        out += _examples_md(cycle, host)
    return "\n".join(out) + "\n"


# ---- changelog ----------------------------------------------------------------------------------


def changelog_md(root: Path = ROOT) -> str:
    """The repository's CHANGELOG.md, or a note that there is none yet."""
    path = root / "CHANGELOG.md"
    if not path.is_file():
        return "No changelog has been written yet.\n"
    text = path.read_text(encoding="utf-8")
    # The page has its own title: drop the file's first-level heading.
    return re.sub(r"\A\s*# [^\n]*\n", "", text, count=1)


# ---- markers ------------------------------------------------------------------------------------

MARKERS: dict[str, Callable[[], str]] = {
    "body-kinds": body_kinds_md,
    "envelope-kinds": envelope_kinds_md,
    "finding-codes": finding_codes_md,
    "territory": territory_md,
    "cli": cli_md,
    "cycles": cycles_index_md,
    "changelog": changelog_md,
}


def expand_markers(markdown: str, where: str = "page") -> str:
    """Replace every ``<!-- conciliazione:NAME -->`` by its generated Markdown."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        render = MARKERS.get(name)
        if render is None:
            log.warning("%s: unknown marker %r; known: %s", where, name, ", ".join(MARKERS))
            return match.group(0)
        with language("en"):
            return render()

    return MARKER.sub(replace, markdown)


# ---- MkDocs events ------------------------------------------------------------------------------


def _installed_cycles() -> dict[str, Cycle]:
    host = default_host()
    for problem in host.problems:
        log.info("faulty plugin left out of the documentation: %s", problem)
    return host.cycles()


def on_config(config: Any) -> Any:
    """Add every installed cycle missing from the nav to the section of the shipped cycles."""
    nav = config.get("nav")
    if not nav:
        return config
    wanted = [f"{CYCLES_DIR}/{cycle_id}.md" for cycle_id in _installed_cycles()]
    section = _find_section(nav, f"{CYCLES_DIR}/index.md")
    if section is not None:
        listed = set(_nav_files(nav))
        for path in wanted:
            if path not in listed:
                section.append({path.removeprefix(f"{CYCLES_DIR}/").removesuffix(".md"): path})
    return config


def _find_section(items: Any, target: str) -> list[Any] | None:
    if isinstance(items, list):
        if any(_is_entry(item, target) for item in items):
            return items
        for item in items:
            if isinstance(item, dict):
                for value in item.values():
                    found = _find_section(value, target)
                    if found is not None:
                        return found
    return None


def _is_entry(item: Any, target: str) -> bool:
    return item == target or (isinstance(item, dict) and target in item.values())


def _nav_files(items: Any) -> Iterable[str]:
    if isinstance(items, str):
        yield items
    elif isinstance(items, list):
        for item in items:
            yield from _nav_files(item)
    elif isinstance(items, dict):
        for value in items.values():
            yield from _nav_files(value)


def on_files(files: Any, config: Any) -> Any:
    """Generate one page per installed cycle, and stubs for pages not written yet."""
    from mkdocs.structure.files import File

    host = default_host()
    for cycle in _installed_cycles().values():
        uri = f"{CYCLES_DIR}/{cycle.id}.md"
        if files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, content=cycle_md(cycle, host)))
    for uri, title in OTHERS_PAGES.items():
        if files.get_file_from_path(uri) is None:
            log.info("%s is not written yet: a stub stands in for it", uri)
            content = f"# {title}\n\nThis page has not been written yet.\n"
            files.append(File.generated(config, uri, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Expand the generation markers of hand-written pages."""
    return expand_markers(markdown, page.file.src_uri)
