"""Every call the HTTP API makes into the library, in one place.

The server has no logic of its own: it reads a request, calls these functions, and writes what
they return. ``check`` and ``allocate`` have the signatures of the public API that
``conciliazione_core`` is growing (``check(cycle, document, name, *, lang)`` and
``allocate(cycle, table, *, overrides, explain, lang)``); until it lands they are built here
from today's pieces exactly as the ``check`` and ``allocate`` commands build them. When it lands,
this module is the one to rewire.

Messages are rendered in the language each call is given. Today the language is process-wide
state, so every call holds ``_LOCK`` while it sets the language and works: two requests in two
languages, run in two threads, cannot render in each other's language. Once the language is a
context variable, the lock can go.
"""

from __future__ import annotations

import functools
import gettext
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from conciliazione_core import allocation as _engine
from conciliazione_core._views import (
    cycle_to_json,
    cycles_to_json,
    dumps,
    report_to_json,
)
from conciliazione_core.cycle import Cycle
from conciliazione_core.documents import DOCUMENT_KINDS, Document, document_kind
from conciliazione_core.errors import (
    ConciliazioneError,
    CycleNotFoundError,
    InputError,
    PluginError,
    Problem,
)
from conciliazione_core.findings import Report
from conciliazione_core.host import default_host
from conciliazione_core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, _, language
from conciliazione_core.indicators import IndicatorTable, parse_indicator_csv, parse_indicator_json
from conciliazione_core.schema import json_schema
from conciliazione_core.serialisation import Limits, parse_json
from conciliazione_core.serialisation import parse_document as _parse_document

__all__ = [
    "LANGUAGES",
    "Allocation",
    "ConciliazioneError",
    "Cycle",
    "CycleNotFoundError",
    "IndicatorTable",
    "InputError",
    "Limits",
    "NotApplicable",
    "PluginError",
    "Problem",
    "Report",
    "allocate",
    "allocation_json",
    "check",
    "cycle_json",
    "cycles_json",
    "document_kinds",
    "dumps",
    "explain",
    "get_cycle",
    "kind_of",
    "parse_body",
    "parse_document",
    "parse_table",
    "report_json",
    "schema",
    "translate",
    "version",
]

Allocation = _engine.Allocation
T = TypeVar("T")

_LOCK = threading.RLock()


@contextmanager
def _in(lang: str | None) -> Iterator[None]:
    with _LOCK, language(lang):
        yield


def _call(lang: str | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with _in(lang):
        return fn(*args, **kwargs)


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def translate(message: str, lang: str) -> str:
    """``message`` (marked with ``N_``) in ``lang``, without the lock: safe on the event loop."""
    return _catalogue(lang).gettext(message)


def document_kinds() -> tuple[str, ...]:
    """The kinds of document a check takes."""
    return tuple(DOCUMENT_KINDS)


def kind_of(document: Document) -> str:
    return document_kind(document)


def version() -> str:
    from conciliazione_core import __version__

    return __version__


class NotApplicable(InputError):
    """Input that is well formed but that the operation does not apply to (HTTP 422)."""


def schema(kind: str, *, lang: str | None = None) -> dict[str, Any]:
    """The JSON Schema ``conciliazione schema KIND`` prints."""
    return _call(lang, json_schema, kind)


def get_cycle(cycle_id: str, *, lang: str | None = None) -> Cycle:
    return _call(lang, default_host().cycle, cycle_id)


def cycles_json(*, lang: str | None = None) -> dict[str, Any]:
    """What ``conciliazione cycles --format json`` prints."""

    def run() -> dict[str, Any]:
        host = default_host()
        return cycles_to_json(host.cycles().values(), host.problems)

    return _call(lang, run)


def cycle_json(cycle: Cycle, *, lang: str | None = None) -> dict[str, Any]:
    return _call(lang, cycle_to_json, cycle)


def parse_body(raw: bytes, source: str, limits: Limits, *, lang: str | None = None) -> Any:
    """JSON text as plain data, strictly (no NaN, no duplicate keys, bounded depth)."""
    return _call(lang, parse_json, raw, source, limits)


def parse_document(data: object, source: str, *, lang: str | None = None) -> Document:
    """A document from plain data with its ``kind`` tag, as ``conciliazione check`` reads it."""
    return _call(lang, _parse_document, data, source)


def parse_table(
    raw: bytes | dict[str, Any], fmt: str, source: str, limits: Limits, *, lang: str | None = None
) -> IndicatorTable:
    """An indicator table from CSV text or JSON (text or already parsed)."""

    def run() -> IndicatorTable:
        if isinstance(raw, dict):
            return parse_indicator_json(raw, source, limits)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError.at("$", _("the file is not UTF-8 text"), source) from None
        if fmt == "csv":
            return parse_indicator_csv(text, source, limits)
        return parse_indicator_json(text, source, limits)

    return _call(lang, run)


def check(
    cycle: Cycle | str, document: Document, name: str = "document", *, lang: str | None = None
) -> Report:
    """The report of checking ``document`` against ``cycle`` (as ``conciliazione check``)."""
    return _call(lang, default_host().check, cycle, document, name)


def report_json(report: Report) -> dict[str, Any]:
    """What ``conciliazione check --format json`` prints for the report."""
    return report_to_json(report)


def allocate(
    cycle: Cycle | str,
    table: IndicatorTable | None = None,
    *,
    overrides: Sequence[str] = (),
    explain: Sequence[str] = (),
    lang: str | None = None,
) -> _engine.Allocation:
    """The cycle's allocation, as ``conciliazione allocate [--data] [--set] [--explain]``.

    Without a table the shipped reference data is used and missing figures leave envelopes
    pending; with one, a recipient missing from it is an error.
    """

    def run() -> _engine.Allocation:
        host = default_host()
        resolved = (host.cycle(cycle) if isinstance(cycle, str) else cycle).with_overrides(
            overrides
        )
        plan = resolved.allocation
        if plan is None:
            raise NotApplicable(
                [Problem("$", _("cycle {cycle} defines no allocation").format(cycle=resolved.id))]
            )
        ids = [r.id for r in resolved.recipients]
        for wanted in explain:
            if wanted not in ids:
                raise InputError.at(
                    "--explain",
                    _("{id!r} is not a recipient of {cycle}; recipients: {ids}").format(
                        id=wanted, cycle=resolved.id, ids=", ".join(ids)
                    ),
                )
        return _engine.allocate(
            plan,
            [(r.id, r.name) for r in resolved.recipients],
            table if table is not None else resolved.reference_table(),
            explain=True,
            missing="error" if table is not None else "pending",
            what_if=resolved.overrides,
        )

    return _call(lang, run)


def allocation_json(result: _engine.Allocation, cycle_id: str) -> dict[str, Any]:
    """What ``conciliazione allocate --format json`` prints."""
    return _engine.allocation_to_json(result, cycle_id)


def explain(result: _engine.Allocation, recipient_id: str, *, lang: str | None = None) -> str:
    """One recipient's amount in words, as ``allocate --explain ID`` prints it."""
    return _call(lang, _engine.explain_text, result, recipient_id)
