"""Every call the HTTP API makes into the library, in one place.

The server has no logic of its own: it reads a request, calls these functions, and writes what
they return; ``check``, ``allocate`` and ``explain`` are the library's public API
(:func:`conciliazione_core.check` and friends), as the command line calls it.

Messages are rendered in the language each call is given, through the library's context-local
language (:func:`conciliazione_core.i18n.language`): two requests in two languages, run in two
threads at once, each render in their own. A report's messages are rendered when it is turned
into JSON, so that too happens in the request's language.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import conciliazione_core as _api
from conciliazione_core import allocation as _engine
from conciliazione_core._api import with_option_names
from conciliazione_core._cycle import Cycle
from conciliazione_core._documents import DOCUMENT_KINDS, Document, document_kind
from conciliazione_core._errors import (
    ConciliazioneError,
    CycleNotFoundError,
    InputError,
    PluginError,
    Problem,
)
from conciliazione_core._findings import Report
from conciliazione_core._host import default_host
from conciliazione_core._indicators import IndicatorTable, parse_indicator_csv, parse_indicator_json
from conciliazione_core._schema import json_schema
from conciliazione_core._serialisation import Limits, parse_json
from conciliazione_core._serialisation import parse_document as _parse_document
from conciliazione_core._views import (
    cycle_to_json,
    cycles_to_json,
    dumps,
    report_to_json,
)
from conciliazione_core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, _, language

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


@contextmanager
def _in(lang: str | None) -> Iterator[None]:
    with language(lang):
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
    """``message`` (marked with ``N_``) in ``lang``, without touching the calling context."""
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
    cycle: Cycle | str,
    document: Document,
    name: str = "document",
    *,
    lang: str | None = None,
    today: dt.date | None = None,
) -> Report:
    """The report of checking ``document`` against ``cycle`` on the day ``today`` (default:
    the clock's), as ``conciliazione check``."""
    return _api.check(cycle, document, name, lang=lang, today=today)


def report_json(report: Report, *, lang: str | None = None) -> dict[str, Any]:
    """What ``conciliazione check --format json`` prints for the report, in ``lang``."""
    return _call(lang, report_to_json, report)


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
    pending; with one, a recipient missing from it is an error. A cycle that allocates nothing
    is :class:`NotApplicable` (HTTP 422); bad arguments are named as the command line names them.
    """
    resolved = get_cycle(cycle, lang=lang) if isinstance(cycle, str) else cycle
    if resolved.allocation is None:
        message = _call(lang, _, "cycle {cycle} defines no allocation")
        raise NotApplicable([Problem("$", message.format(cycle=resolved.id))])
    try:
        return _api.allocate(
            resolved, table, overrides=overrides, explain=list(explain) or True, lang=lang
        )
    except InputError as exc:
        raise with_option_names(exc) from None


def allocation_json(
    result: _engine.Allocation, cycle_id: str, *, lang: str | None = None
) -> dict[str, Any]:
    """What ``conciliazione allocate --format json`` prints, in ``lang``."""
    return _call(lang, _engine.allocation_to_json, result, cycle_id)


def explain(result: _engine.Allocation, recipient_id: str, *, lang: str | None = None) -> str:
    """One recipient's amount in words, as ``allocate --explain ID`` prints it."""
    return _api.explain(result, recipient_id, lang=lang)
