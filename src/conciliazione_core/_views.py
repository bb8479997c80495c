"""Reports and cycles as the plain data the JSON outputs print.

One place for the shapes that ``conciliazione check --format json`` and ``conciliazione cycles
--format json`` print and that the HTTP API (``conciliazione serve``) answers with, so the two
cannot drift apart: a report served over HTTP is byte for byte the one the command prints.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command imports this module at start: keep it light
    from conciliazione_core._cycle import Cycle
    from conciliazione_core._findings import Report
    from conciliazione_core._host import PluginProblem

__all__ = ["cycle_summary_to_json", "cycle_to_json", "cycles_to_json", "dumps", "report_to_json"]


def dumps(data: Any) -> str:
    """JSON text as the command prints it (indented, UTF-8 kept), without the final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def _text(value: object | None) -> str | None:
    """A parameter file's text for people (:class:`~conciliazione_core.i18n.Text`), rendered in
    the current language; None stays None."""
    return None if value is None else str(value)


def report_to_json(report: Report) -> dict[str, Any]:
    """A check report: verdict and findings, each with its code, severity, path and basis."""
    return {
        "cycle": report.cycle,
        "document": report.document,
        "admissible": report.admissible,
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message,
                "path": f.path,
                "legal_basis": str(f.legal_basis) if f.legal_basis else None,
            }
            for f in report.findings
        ],
    }


def cycle_summary_to_json(cycle: Cycle) -> dict[str, Any]:
    """A cycle's identity: id, title, acts, level, period, and the plugin that provides it."""
    return {
        "id": cycle.id,
        "title": str(cycle.title),
        "legal_basis": [str(b) for b in cycle.legal_basis],
        "level": cycle.level.value,
        "period": [cycle.period.start.isoformat(), cycle.period.end.isoformat()],
        "distribution": cycle.distribution,
        "version": cycle.version,
    }


def cycles_to_json(cycles: Iterable[Cycle], problems: Iterable[PluginProblem]) -> dict[str, Any]:
    """The installed cycles and the faulty plugins with the reason, as ``cycles`` lists them."""
    return {
        "cycles": [cycle_summary_to_json(c) for c in cycles],
        "faulty_plugins": [
            {"plugin": p.plugin, "distribution": p.distribution, "reason": p.reason}
            for p in problems
        ],
    }


def _plain(value: Any) -> Any:
    """Parameter-file data as JSON data: dates as ISO text, anything else unusual as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cycle_to_json(cycle: Cycle) -> dict[str, Any]:
    """A cycle in full: identity, recipients, citations, assumptions and its parameters as read."""
    return {
        **cycle_summary_to_json(cycle),
        "summary": _text(cycle.summary),
        "recipients": [{"id": r.id, "name": r.name} for r in cycle.recipients],
        "recipients_from": cycle.recipients_from,
        "citations": {
            key: {
                "act": str(b.act),
                "provision": _text(b.provision),
                "url": b.url,
                "evidence": b.evidence.value,
                "note": _text(b.note),
                "text": str(b),
            }
            for key, b in cycle.citations.items()
        },
        "assumptions": [
            {
                "id": a.id,
                "text": str(a.text),
                "basis": a.basis,
                "legal_basis": str(cycle.citations[a.basis])
                if a.basis in cycle.citations
                else None,
            }
            for a in cycle.assumptions
        ],
        "data": sorted(cycle.data_files),
        "default_data": cycle.default_data,
        "what_if": list(cycle.overrides),
        "parameters": _plain(dict(cycle.parameters)),
    }
