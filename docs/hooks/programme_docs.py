"""MkDocs hook: the programme cycle by cycle, and audits of published tables, at build time.

Registered with ``hooks:`` in ``mkdocs.yml`` beside ``conciliazione_docs.py``. It replaces
markers in hand-written pages, ``<!-- programme:NAME -->``:

- ``programme:cycles`` (``docs/programme.md``): every installed cycle from the earliest to the
  latest, each with its period, acts, budget, who may lead, recipients, allocation rule,
  assumptions and what is not known, read from the plugins' parameter files; and the years no
  installed plugin covers;
- ``programme:audit-NAME`` (``docs/audit.md``): what ``conciliazione audit`` says on a published
  table (:data:`AUDITS`), run now, so the page cannot drift from the code.

Every renderer is a plain function returning Markdown, so tests can call them.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conciliazione_core._audit import audit_cycle, load_published_table, render_audit
from conciliazione_core._cycle import Cycle
from conciliazione_core._host import Host, default_host
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.i18n import language

__all__ = ["AUDITS", "MARKERS", "audit_md", "expand", "programme_md"]

log = logging.getLogger("mkdocs.hooks.programme_docs")

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!--\s*programme:([a-z0-9-]+)\s*-->")

_2020_DATA = ROOT / "plugins" / "lombardia_2020" / "src" / "lombardia_2020" / "published"

#: The audits docs/audit.md shows: (cycle, published table, amount the table splits).
AUDITS: dict[str, tuple[str, Path, str]] = {
    "press-2020": ("lombardia-2020", _2020_DATA / "press_tranche_2020.csv", "800000"),
    "press-2021": ("lombardia-2020", _2020_DATA / "press_tranche_2021.csv", "1000000"),
    "press-2022": ("lombardia-2020", _2020_DATA / "press_tranche_2022.csv", "1000000"),
    "ats-2019": ("lombardia-2020", ROOT / "docs" / "data" / "ats_2019_varesenews.csv", "1000000"),
}

_EVIDENCE = {
    Evidence.DOCUMENT: "document",
    Evidence.SOURCE: "source",
    Evidence.INFERENCE: "inference",
}
_NATURES = {
    "public": "public",
    "private_non_profit": "private non-profit (third-sector)",
    "private_for_profit": "private for-profit",
}
_RULE_SECTIONS = {
    "network": "networks (one per agency, led by it)",
    "accord": "the founding accord",
    "lead": "who may lead",
    "submission": "how and by when proposals and plans are submitted",
    "projects": "service types, end dates and budgets of projects",
}


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _money(value: object) -> str:
    money = Money.parse(value)
    whole, cents = divmod(money.cents, 100)
    return f"€{whole:,}" + (f".{cents:02d}" if cents else "")


def _basis(basis: LegalBasis) -> str:
    text = str(basis)  # an inference already ends with "[inference]"
    return text if text.endswith("]") else f"{text} [{_EVIDENCE[basis.evidence]}]"


def _lead_md(cycle: Cycle) -> str:
    lead = cycle.rules.lead
    network = cycle.rules.network
    lines = []
    if network is not None and network.lead_is_agency:
        lines.append(
            f"each network is led by its {cycle.level.value} ({_basis(cycle.cite(network.basis))})"
        )
    if lead is None:
        lines.append("who may lead a project or an alliance is **not set** (no rule, not checked)")
    else:
        natures = ", ".join(_NATURES.get(n.value, n.value) for n in lead.natures)
        lines.append(
            f"projects and alliances may be led by {natures} bodies "
            f"({_basis(cycle.cite(lead.basis))})"
        )
    return "; ".join(lines)


def _allocation_md(cycle: Cycle) -> tuple[str, str]:
    """(budget, rule) lines from the cycle's allocation table as written."""
    data = cycle.allocation_data
    if data is None:
        return "not set (no allocation)", "none"
    parts, rules = [], []
    for envelope in data.get("envelopes", []):
        amount = _money(envelope["amount"]) if "amount" in envelope else ""
        kind = envelope.get("kind", "")
        label = envelope.get("label", envelope.get("id"))
        if isinstance(label, dict):  # a text by language: this page is English
            label = label.get("en")
        parts.append(f"{amount} {label} ({kind})".strip())
        if kind == "proportional":
            how = envelope.get("indicator") or ", ".join(envelope.get("weights", {}))
            rules.append(f"`{envelope.get('id')}` in proportion to `{how}`")
        elif kind == "equal":
            rules.append(f"`{envelope.get('id')}` in equal shares")
        elif kind == "retained":
            rules.append(f"`{envelope.get('id')}` kept by the payer")
        else:
            rules.append(f"`{envelope.get('id')}` ({kind})")
        if envelope.get("split"):
            shares = ", ".join(f"{p.get('id')} {p.get('share')}" for p in envelope["split"])
            rules[-1] += f", each share split {shares}"
    rounding = data.get("rounding", {})
    strategy = str(rounding.get("strategy", "largest_remainder")).replace("_", " ")
    unit = _money(rounding.get("unit", "0.01"))
    budget = f"**{_money(data['total'])}**: " + "; ".join(parts)
    rule = "; ".join(rules) + f"; rounded by {strategy} to {unit}"
    return budget, rule


def _unknown_md(cycle: Cycle) -> list[str]:
    """What the parameter file leaves out, and what rests on inference."""
    missing = [text for name, text in _RULE_SECTIONS.items() if getattr(cycle.rules, name) is None]
    out = []
    if missing:
        out.append("- No rule, so not checked: " + "; ".join(missing) + ".")
    inferred = sorted(k for k, b in cycle.citations.items() if b.evidence is Evidence.INFERENCE)
    if inferred:
        out.append(
            "- Resting on the project's inferences (citations): "
            + ", ".join(f"`{k}`" for k in inferred)
            + "."
        )
    return out


def _cycle_md(cycle: Cycle) -> str:
    budget, rule = _allocation_md(cycle)
    table = cycle.reference_table()
    data = ""
    if table is not None:
        dates = sorted({r.provenance.reference_date for r in table.rows})
        statuses = sorted({r.provenance.status.value for r in table.rows})
        data = f"; reference data at {', '.join(_date(d) for d in dates)} ({', '.join(statuses)})"
    lines = [
        f"## {cycle.period.start.year}-{cycle.period.end.year}: {cycle.title}",
        "",
        f"Cycle [`{cycle.id}`](cycles/{cycle.id}.md)"
        + (f", plugin `{cycle.distribution}`" if cycle.distribution else "")
        + ".",
        "",
    ]
    if cycle.summary:
        lines += [" ".join(str(cycle.summary).split()), ""]
    recipients = ", ".join(r.id for r in cycle.recipients)
    lines += [
        f"- **Period**: {_date(cycle.period.start)} – {_date(cycle.period.end)}",
        "- **Acts**: " + "; ".join(_basis(b) for b in cycle.legal_basis),
        f"- **Budget**: {budget}",
        f"- **Who may lead**: {_lead_md(cycle)}",
        f"- **Recipients**: {len(cycle.recipients)} {cycle.level.value}: {recipients}",
        f"- **Allocation rule**: {rule}{data}",
        "",
        "Assumptions:",
        "",
        *(f"- `{a.id}`: {a.text}" for a in cycle.assumptions),
        "",
        "Not known, or not modelled:",
        "",
        *_unknown_md(cycle),
        "",
    ]
    return "\n".join(lines)


def programme_md(host: Host | None = None, first: int = 2014, last: int = 2025) -> str:
    """Every installed cycle in order of its start, and the years none covers."""
    host = host or default_host()
    cycles = sorted(host.cycles().values(), key=lambda c: (c.period.start, c.id))
    covered = {y for c in cycles for y in range(c.period.start.year, c.period.end.year + 1)}
    gaps = [y for y in range(first, last + 1) if y not in covered]
    out = [
        f"Installed cycles: {len(cycles)}, "
        + ", ".join(f"`{c.id}` ({c.period.start.year}-{c.period.end.year})" for c in cycles)
        + ".",
        "",
    ]
    if gaps:
        out += [
            f"Years from {first} to {last} that no installed plugin covers: "
            + ", ".join(str(y) for y in gaps)
            + ". Their cycles are described in the domain notes but not (yet) installed.",
            "",
        ]
    out += [_cycle_md(c) for c in cycles]
    return "\n".join(out)


def audit_md(name: str, host: Host | None = None) -> str:
    """The command and what ``conciliazione audit`` prints on one of :data:`AUDITS`."""
    cycle_id, path, amount = AUDITS[name]
    cycle = (host or default_host()).cycle(cycle_id)
    report = audit_cycle(cycle, load_published_table(path), amount=Money.parse(amount))
    shown = path.relative_to(ROOT).as_posix()
    command = f"conciliazione audit {cycle_id} --published {shown} --amount {amount}"
    text = render_audit(report).replace(str(path), shown)
    status = 0 if report.reconciled else 1
    return f"```console\n$ {command}\n{text}\n$ echo $?\n{status}\n```\n"


MARKERS: dict[str, Callable[[], str]] = {
    "cycles": programme_md,
    **{f"audit-{key}": functools.partial(audit_md, key) for key in AUDITS},
}


def expand(markdown: str, where: str = "page") -> str:
    """Replace every ``<!-- programme:NAME -->`` by its generated Markdown."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        render = MARKERS.get(key)
        if render is None:
            log.warning("%s: unknown marker %r; known: %s", where, key, ", ".join(MARKERS))
            return match.group(0)
        with language("en"):
            return render()

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return expand(markdown, page.file.src_uri)
