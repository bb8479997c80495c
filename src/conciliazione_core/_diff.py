"""Two cycles' parameters side by side: what a new decree changed.

:func:`diff_cycles` lines up the parameters a policy team reads when a new cycle replaces an
old one (budget, envelopes, rounding, level, period, legal basis, and every rule section as its
registered rule describes it: who may lead, service types, deadlines, a plugin's own rules...)
and marks every row whose value differs. Values are text for people, in the language current when
the cycles are compared; a row's ``topic`` is its stable English key, shown translated
(:func:`topic_label`). A parameter a cycle does not set is ``None`` (shown as a dash). Envelopes
are matched by id, so a renamed envelope shows as one removed and one added.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from conciliazione_core._cycle import Cycle
from conciliazione_core.i18n import CORE_CATALOGUE, N_, Catalogue, _, translate

if TYPE_CHECKING:
    from conciliazione_core.allocation import Rounding

__all__ = ["CycleDiff", "DiffRow", "diff_cycles", "diff_to_json", "render_diff", "topic_label"]


@attrs.frozen
class DiffRow:
    """One parameter in both cycles."""

    topic: str
    """The parameter, in English: the row's stable key (:meth:`CycleDiff.row`)."""
    a: str | None
    b: str | None
    changed: bool
    label: str | None = attrs.field(default=None, eq=False)
    """The topic for people, in the language of the comparison (None: :func:`topic_label`)."""


@attrs.frozen
class CycleDiff:
    """Every compared parameter of cycle ``a`` against cycle ``b``, in reading order."""

    a: str
    b: str
    rows: tuple[DiffRow, ...]

    @property
    def changed(self) -> tuple[DiffRow, ...]:
        """Only the rows that differ."""
        return tuple(r for r in self.rows if r.changed)

    def row(self, topic: str) -> DiffRow:
        """The row of one topic (KeyError if there is none)."""
        for row in self.rows:
            if row.topic == topic:
                return row
        raise KeyError(f"no diff row {topic!r}")


_ROUNDING_WORDS = {"largest_remainder": N_("largest remainder"), "floor": N_("floor")}

_TOPIC_WORDS = (
    # The topics' words, each translated on its own: "who may lead: note" is two of them.
    N_("title"),
    N_("level"),
    N_("period"),
    N_("legal basis"),
    N_("recipients"),
    N_("budget total"),
    N_("rounding"),
    N_("envelopes"),
    N_("reference data"),
    N_("assumptions"),
    N_("label"),
    N_("kind and amount"),
    N_("indicators"),
    N_("floor and cap"),
    N_("split"),
    N_("tranches"),
    N_("basis"),
    N_("note"),
    N_("networks"),
    N_("led by their agency"),
    N_("one per agency"),
    N_("at most"),
    N_("accord"),
    N_("required"),
    N_("deadline"),
    N_("accords signed by"),
    N_("territory"),
    N_("member municipalities in the network's agency on"),
    N_("who may lead"),
    N_("proposals"),
    N_("through the agency"),
    N_("proposals by"),
    N_("plans by"),
    N_("submission"),
    N_("service types"),
    N_("projects end by"),
    N_("projects"),
    N_("budget expected"),
)

_VALUE_WORDS = {
    "yes": N_("yes"),
    "no": N_("no"),
    "the accord's date, else the cycle's start": N_("the accord's date, else the cycle's start"),
    "public": N_("public body"),
    "private_for_profit": N_("private for-profit body"),
    "private_non_profit": N_("private non-profit / third-sector body"),
}


def topic_label(topic: str, catalogue: Catalogue = CORE_CATALOGUE) -> str:
    """A row's topic in the current language (the topic itself is the row's stable key).

    Each of its ``: ``-separated words is translated on its own, through the catalogue of the
    rule that describes it (a plugin's own) and then the core's.
    """
    envelope = re.fullmatch(r"envelope (\S+): (.+)", topic)
    if envelope:
        return _("envelope {id}: {aspect}").format(id=envelope[1], aspect=topic_label(envelope[2]))
    service = re.fullmatch(r"service type (\S+)", topic)
    if service:
        return _("service type {code}").format(code=service[1])
    return ": ".join(_(translate(part, catalogue)) for part in topic.split(": "))


def _value(value: str | None) -> str | None:
    """A rule's value for people: its yes/no and natures in the current language."""
    if value is None:
        return None
    if value in _VALUE_WORDS:
        return _(_VALUE_WORDS[value])
    words = value.split(", ")
    if all(w in _VALUE_WORDS for w in words):
        return ", ".join(_(_VALUE_WORDS[w]) for w in words)
    return value


def _rounding(rounding: Rounding) -> str:
    strategy = rounding.strategy.value
    word = _(_ROUNDING_WORDS[strategy]) if strategy in _ROUNDING_WORDS else strategy
    return _("{strategy} to {unit}").format(strategy=word, unit=rounding.unit.format())


def _rules(cycle: Cycle) -> dict[str, dict[str, str | None]]:
    """Each set rule section's ``(topic, value)`` rows, as the registered rule describes them."""
    return {rule.section: dict(rows) for rule, rows in cycle.rules.describe(cycle)}


def _catalogue(cycle: Cycle, section: str) -> Catalogue:
    """The catalogue a rule's words are in: its finding codes' (a plugin's own), else the core's."""
    rule = cycle.rules.registry.rules.get(section)
    return rule.codes[0].catalogue if rule is not None and rule.codes else CORE_CATALOGUE


def _envelopes(cycle: Cycle) -> dict[str, dict[str, str | None]]:
    """Each envelope's parameters, by envelope id then aspect."""
    from conciliazione_core.allocation import format_share, is_recipient_level, kind_of
    from conciliazione_core.allocation._kinds import blame

    plan = cycle.allocation
    if plan is None:
        return {}
    out: dict[str, dict[str, str | None]] = {}
    for e in plan.envelopes:
        aspects: dict[str, str | None] = {"label": str(e.label)}
        kind = kind_of(e)
        try:
            aspects.update(kind.describe(e))
        except Exception as exc:
            blame(kind, "describe", exc)
            raise
        if is_recipient_level(e):
            aspects["split"] = (
                ", ".join(f"{p.id} {format_share(p.share)}" for p in e.split.parts)
                if e.split
                else None
            )
            aspects["tranches"] = (
                ", ".join(f"{t.id} {format_share(t.share)}" for t in e.tranches)
                if e.tranches
                else None
            )
            aspects["rounding"] = _rounding(e.rounding) if e.rounding is not None else None
        aspects["basis"] = str(e.basis)
        out[e.id] = aspects
    return out


def _recipients_text(cycle: Cycle) -> str:
    """How many recipients, or that they are the rows of the indicator table."""
    if cycle.recipients_from == "data":
        return _("the indicator table's rows")
    return str(len(cycle.recipients))


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def diff_cycles(a: Cycle, b: Cycle) -> CycleDiff:
    """The parameters of ``a`` and ``b`` side by side, each row marked if it changed."""
    rows: list[DiffRow] = []

    def add(
        topic: str, va: str | None, vb: str | None, catalogue: Catalogue = CORE_CATALOGUE
    ) -> None:
        rows.append(DiffRow(topic, va, vb, va != vb, topic_label(topic, catalogue)))

    add("title", str(a.title), str(b.title))
    add("level", a.level.value, b.level.value)
    add("period", f"{a.period.start} – {a.period.end}", f"{b.period.start} – {b.period.end}")
    add(
        "legal basis",
        "; ".join(str(x) for x in a.legal_basis) or None,
        "; ".join(str(x) for x in b.legal_basis) or None,
    )
    add("recipients", _recipients_text(a), _recipients_text(b))
    plan_a, plan_b = a.allocation, b.allocation
    add(
        "budget total",
        plan_a.total.format() if plan_a else None,
        plan_b.total.format() if plan_b else None,
    )
    add(
        "rounding",
        _rounding(plan_a.rounding) if plan_a else None,
        _rounding(plan_b.rounding) if plan_b else None,
    )
    env_a, env_b = _envelopes(a), _envelopes(b)
    add(
        "envelopes",
        ", ".join(env_a) or None,
        ", ".join(env_b) or None,
    )
    for envelope_id in _union(env_a, env_b):
        aspects_a = env_a.get(envelope_id, {})
        aspects_b = env_b.get(envelope_id, {})
        for aspect in _union(aspects_a, aspects_b):
            va, vb = aspects_a.get(aspect), aspects_b.get(aspect)
            if va is None and vb is None:
                continue
            add(f"envelope {envelope_id}: {aspect}", va, vb)
    rules_a, rules_b = _rules(a), _rules(b)
    order = [*a.rules.registry.rules, *b.rules.registry.rules]
    for section in _union(order, []):
        if section not in rules_a and section not in rules_b:
            continue
        rows_a, rows_b = rules_a.get(section, {}), rules_b.get(section, {})
        catalogue = _catalogue(a if section in rules_a else b, section)
        for topic in _union(rows_a, rows_b):
            add(topic, _value(rows_a.get(topic)), _value(rows_b.get(topic)), catalogue)
    add(
        "reference data",
        ", ".join(sorted(a.data_files)) or None,
        ", ".join(sorted(b.data_files)) or None,
    )
    add(
        "assumptions",
        ", ".join(x.id for x in a.assumptions) or None,
        ", ".join(x.id for x in b.assumptions) or None,
    )
    return CycleDiff(a.id, b.id, tuple(rows))


DASH = "—"
"""Shown for a parameter a cycle does not set."""


def diff_to_json(diff: CycleDiff, changed_only: bool = False) -> dict[str, Any]:
    """The diff as plain data (``null`` where a cycle does not set a parameter)."""
    rows = diff.changed if changed_only else diff.rows
    return {
        "a": diff.a,
        "b": diff.b,
        "changed": len(diff.changed),
        "rows": [
            {
                "topic": r.topic,
                "label": r.label or topic_label(r.topic),
                "a": r.a,
                "b": r.b,
                "changed": r.changed,
            }
            for r in rows
        ],
    }


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of ``width``, never between the euro sign and its amount (``€ 1.000``)."""
    kept = text.replace("€ ", "€\u00a0")
    return [line.replace("€\u00a0", "€ ") for line in textwrap.wrap(kept, width)] or [""]


def render_diff(diff: CycleDiff, *, width: int = 120, changed_only: bool = False) -> str:
    """The diff as a side-by-side text table; ``*`` marks a changed row, long values wrap."""
    rows = diff.changed if changed_only else diff.rows
    heading = _("parameter")
    labels = [r.label or topic_label(r.topic) for r in rows]
    topic_width = max([len(heading), *(len(label) for label in labels)])
    value_width = max(20, (width - topic_width - 2 - 4 - 2) // 2)
    lines = [
        f"  {heading:<{topic_width}}  {diff.a:<{value_width}}  {diff.b}".rstrip(),
        f"  {'-' * topic_width}  {'-' * value_width}  {'-' * value_width}",
    ]
    for row, label in zip(rows, labels, strict=True):
        left = _wrap(row.a or DASH, value_width)
        right = _wrap(row.b or DASH, value_width)
        mark = "*" if row.changed else " "
        for k in range(max(len(left), len(right))):
            topic = label if k == 0 else ""
            cell_a = left[k] if k < len(left) else ""
            cell_b = right[k] if k < len(right) else ""
            lines.append(
                f"{mark if k == 0 else ' '} {topic:<{topic_width}}  {cell_a:<{value_width}}  "
                f"{cell_b}".rstrip()
            )
    lines.append(
        _("{changed} of {total} parameters differ (marked *).").format(
            changed=len(diff.changed), total=len(diff.rows)
        )
    )
    return "\n".join(lines)
