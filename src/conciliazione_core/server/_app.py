"""The HTTP API as a Starlette application: routes, limits, language and errors.

Each endpoint reads its request, calls :mod:`conciliazione_core.server._library` in a worker
thread (the event loop is never blocked by a check or an allocation) and writes what comes back
as JSON. Every error is a JSON body with the status, a message and the problems with their paths,
as the command line reports them; nothing a client sends gives a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from conciliazione_core.i18n import N_
from conciliazione_core.server import _library as lib
from conciliazione_core.server._openapi import DOCS_PAGE, openapi_spec

__all__ = ["Settings", "create_app"]

T = TypeVar("T")
log = logging.getLogger("conciliazione_core.server")

JSON = "application/json"
JSON_LINES = ("application/x-ndjson", "application/jsonl")
CSV = "text/csv"


@attrs.frozen
class Settings:
    """The server's limits and CORS origins; the defaults are the safe ones."""

    max_body_bytes: int = attrs.field(default=8 * 1024 * 1024, validator=attrs.validators.gt(0))
    """Larger request bodies get 413 (checked on Content-Length and while reading)."""
    time_limit: float = attrs.field(default=30.0, validator=attrs.validators.gt(0))
    """Seconds a request may take, reading included; past it the answer is 503."""
    cors_origins: tuple[str, ...] = ()
    """Origins a browser may call the API from; none (CORS off) by default."""


class Failure(Exception):
    """An answer other than 200, with its status and problems."""

    def __init__(
        self,
        status: int,
        message: str,
        problems: Sequence[lib.Problem] = (),
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = tuple(problems)
        self.source = source


_REASONS = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def json_response(data: Any, status: int = 200, lang: str | None = None) -> Response:
    """JSON as the command prints it (indented, then a newline): byte for byte the same text."""
    headers = {"Vary": "Accept-Language"}
    if lang is not None:
        headers["Content-Language"] = lang
    return Response(lib.dumps(data) + "\n", status_code=status, media_type=JSON, headers=headers)


def _error_response(failure: Failure, lang: str | None) -> Response:
    return json_response(
        {
            "status": failure.status,
            "error": _REASONS.get(failure.status, "Error"),
            "message": failure.message,
            "source": failure.source,
            "problems": [{"path": p.path, "message": p.message} for p in failure.problems],
        },
        failure.status,
        lang,
    )


def _failure_of(exc: Exception, lang: str) -> Failure:
    """The HTTP answer for a library error (raised in ``lang``)."""
    if isinstance(exc, Failure):
        return exc
    if isinstance(exc, lib.CycleNotFoundError):
        return Failure(404, exc.one_line())
    if isinstance(exc, lib.NotApplicable):
        return Failure(422, exc.one_line(), exc.problems, exc.source)
    if isinstance(exc, lib.InputError):
        return Failure(400, exc.one_line(), exc.problems, exc.source)
    if isinstance(exc, lib.PluginError):  # the installation is at fault, not the request
        return Failure(500, exc.one_line())
    if isinstance(exc, lib.ConciliazioneError):
        return Failure(400, exc.one_line())
    raise exc


# ---- language -----------------------------------------------------------------------------


def _accept_language(header: str) -> str:
    """The supported language the client prefers most; English when it names none."""
    best, best_q = "en", 0.0
    for item in header.split(","):
        tag, _sep, params = item.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)  # a preference weight, never an amount
                except ValueError:
                    q = 0.0
        if code in lib.LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def request_language(request: Request) -> str:
    """``?lang=`` if given (and supported), else the best of ``Accept-Language``, else English."""
    preferred = _accept_language(request.headers.get("accept-language", ""))
    values = request.query_params.getlist("lang")
    if values:
        code = values[-1].lower()
        if len(values) > 1 or code not in lib.LANGUAGES:
            raise Failure(
                400,
                lib.translate(
                    N_("unsupported language {lang!r}; choose one of: {langs}"), preferred
                ).format(lang=values[-1], langs=", ".join(lib.LANGUAGES)),
                [lib.Problem("lang", lib.translate(N_("choose en or it, once"), preferred))],
            )
        return code
    return preferred


# ---- requests -----------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def _check_query(request: Request, allowed: Sequence[str], lang: str) -> None:
    problems = []
    for key in dict.fromkeys(request.query_params.keys()):
        if key != "lang" and key not in allowed:
            problems.append(
                lib.Problem(
                    key,
                    lib.translate(N_("unknown parameter; known: {known}"), lang).format(
                        known=", ".join(["lang", *allowed])
                    ),
                )
            )
    for key in ("name", "today"):
        if len(request.query_params.getlist(key)) > 1:
            problems.append(lib.Problem(key, lib.translate(N_("given more than once"), lang)))
    if problems:
        raise Failure(400, lib.translate(N_("bad query parameters"), lang), problems)


def _too_large(limit: int, lang: str) -> Failure:
    return Failure(
        413,
        lib.translate(N_("the request body is over the limit of {limit:,} bytes"), lang).format(
            limit=limit
        ),
    )


async def read_body(request: Request, limit: int, lang: str) -> bytes:
    """The body, refused with 413 as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit, lang)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, lang)
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def _unsupported(kind: str, accepted: Sequence[str], lang: str) -> Failure:
    return Failure(
        415,
        lib.translate(
            N_("content type {kind!r} is not accepted here; send one of: {types}"), lang
        ).format(kind=kind or "(none)", types=", ".join(accepted)),
    )


_background: set[asyncio.Future[Any]] = set()


async def in_thread(deadline: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args)`` in a worker thread; a :class:`TimeoutError` past ``deadline``.

    A thread cannot be stopped: past the deadline the answer goes out and the work finishes
    unobserved.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    task = asyncio.ensure_future(run_in_threadpool(fn, *args, **kwargs))
    done, _pending = await asyncio.wait({task}, timeout=remaining)
    if not done:
        _background.add(task)
        task.add_done_callback(_forget)
        raise TimeoutError
    return task.result()


def _forget(task: asyncio.Future[Any]) -> None:
    _background.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so that asyncio does not warn about it


Handler = Callable[[Request, str, float], Awaitable[Response]]


def endpoint(*allowed: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A route handler with the language, the query check, the time limit and JSON errors."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            lang = _accept_language(request.headers.get("accept-language", ""))
            settings = _settings(request)
            deadline = time.monotonic() + settings.time_limit
            try:
                lang = request_language(request)
                _check_query(request, allowed, lang)
                async with asyncio.timeout(settings.time_limit):
                    return await handler(request, lang, deadline)
            except TimeoutError:
                failure = Failure(
                    503,
                    lib.translate(
                        N_("the request took longer than the limit of {limit} s"), lang
                    ).format(limit=settings.time_limit),
                )
            except Exception as exc:
                try:
                    failure = _failure_of(exc, lang)
                except Exception:
                    log.exception("unexpected error on %s %s", request.method, request.url.path)
                    failure = Failure(
                        500, lib.translate(N_("unexpected error; it has been logged"), lang)
                    )
            return _error_response(failure, lang)

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        return run

    return wrap


# ---- endpoints ----------------------------------------------------------------------------


@endpoint()
async def health(request: Request, lang: str, deadline: float) -> Response:
    """Liveness: the server answers."""
    return json_response({"status": "ok", "version": lib.version()}, lang=lang)


@endpoint()
async def list_cycles(request: Request, lang: str, deadline: float) -> Response:
    """The installed cycles, as ``conciliazione cycles --format json``."""
    return json_response(await in_thread(deadline, lib.cycles_json, lang=lang), lang=lang)


@endpoint()
async def show_cycle(request: Request, lang: str, deadline: float) -> Response:
    """One cycle with its parameters, citations and assumptions."""
    cycle = await in_thread(deadline, lib.get_cycle, request.path_params["cycle"], lang=lang)
    return json_response(await in_thread(deadline, lib.cycle_json, cycle, lang=lang), lang=lang)


@endpoint()
async def show_schema(request: Request, lang: str, deadline: float) -> Response:
    """The JSON Schema of a document kind, as ``conciliazione schema KIND``."""
    try:
        schema = await in_thread(deadline, lib.schema, request.path_params["kind"], lang=lang)
    except lib.InputError as exc:  # an unknown kind: no such resource
        raise Failure(404, exc.one_line(), exc.problems) from None
    return json_response(schema, lang=lang)


def _check_documents(
    cycle: lib.Cycle,
    data: list[Any],
    name: str,
    lang: str,
    problems: Sequence[lib.Problem] = (),
    unread: frozenset[int] = frozenset(),
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Load every document (collecting every problem, under ``$[i]``), then check each.

    ``problems`` are those already found at reading, for the items whose index is in ``unread``.
    """
    documents = []
    found = list(problems)
    for i, item in enumerate(data):
        if i in unread:
            continue
        try:
            documents.append(lib.parse_document(item, name, lang=lang))
        except lib.InputError as exc:
            found.extend(exc.prefixed(f"$[{i}]").problems)
    if found:
        raise lib.InputError(sorted(found, key=_index), name)
    return [
        lib.report_json(lib.check(cycle, d, f"{name}[{i}]", lang=lang, today=today), lang=lang)
        for i, d in enumerate(documents)
    ]


def _index(problem: lib.Problem) -> int:
    return int(problem.path[2:].partition("]")[0])


def _check_one(cycle: lib.Cycle, data: Any, name: str, lang: str, today: dt.date) -> dict[str, Any]:
    if (
        isinstance(data, dict)
        and "kind" not in data
        and {"indicators", "rows"} <= data.keys()
        and _is_table(data, name, lang)
    ):
        raise lib.NotApplicable(
            [
                lib.Problem(
                    "$",
                    lib.translate(
                        N_(
                            "this is an indicator table, not a document; "
                            "send it to /cycles/{cycle}/allocate"
                        ),
                        lang,
                    ).format(cycle=cycle.id),
                )
            ],
            name,
        )
    document = lib.parse_document(data, name, lang=lang)
    return lib.report_json(lib.check(cycle, document, name, lang=lang, today=today), lang=lang)


def _is_table(data: dict[str, Any], name: str, lang: str) -> bool:
    try:
        lib.parse_table(data, "json", name, lib.Limits(), lang=lang)
    except lib.InputError:
        return False
    return True


def _check_lines(
    cycle: lib.Cycle, raw: bytes, name: str, limits: lib.Limits, lang: str, today: dt.date
) -> list[dict[str, Any]]:
    """Check the documents of JSON lines (blank lines skipped), indexed as in an array."""
    items: list[Any] = []
    problems: list[lib.Problem] = []
    unread: set[int] = set()
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            items.append(lib.parse_body(line, name, limits, lang=lang))
        except lib.InputError as exc:
            problems.extend(exc.prefixed(f"$[{len(items)}]").problems)
            unread.add(len(items))
            items.append(None)
    if not items:
        raise lib.InputError.at("$", lib.translate(N_("no document in the body"), lang), name)
    return _check_documents(cycle, items, name, lang, problems, frozenset(unread), today)


def _today(request: Request, lang: str) -> dt.date:
    """``?today=YYYY-MM-DD``, the day of the check (a report reproducible whatever day it is
    asked), else the clock's date, read once for all the documents of the request."""
    value = request.query_params.get("today")
    if value is None:
        return dt.date.today()
    try:
        if len(value) == 10:  # YYYY-MM-DD only, not the other forms fromisoformat reads
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise Failure(
        400,
        lib.translate(N_("bad query parameters"), lang),
        [
            lib.Problem(
                "today",
                lib.translate(N_("{value!r} is not a date; write it as YYYY-MM-DD"), lang).format(
                    value=value
                ),
            )
        ],
    )


@endpoint("name", "today")
async def check(request: Request, lang: str, deadline: float) -> Response:
    """Check a document (JSON), or many (a JSON array, or JSON lines)."""
    settings = _settings(request)
    today = _today(request, lang)
    cycle = await in_thread(deadline, lib.get_cycle, request.path_params["cycle"], lang=lang)
    kind = media_type(request)
    if kind != JSON and kind not in JSON_LINES:
        raise _unsupported(kind, (JSON, *JSON_LINES), lang)
    raw = await read_body(request, settings.max_body_bytes, lang)
    name = request.query_params.get("name", "document")
    limits = lib.Limits(max_bytes=settings.max_body_bytes)
    if kind in JSON_LINES:
        return json_response(
            await in_thread(deadline, _check_lines, cycle, raw, name, limits, lang, today),
            lang=lang,
        )
    data = await in_thread(deadline, lib.parse_body, raw, name, limits, lang=lang)
    if isinstance(data, list):
        return json_response(
            await in_thread(
                deadline, _check_documents, cycle, data, name, lang, (), frozenset(), today
            ),
            lang=lang,
        )
    return json_response(
        await in_thread(deadline, _check_one, cycle, data, name, lang, today), lang=lang
    )


def _allocation(
    cycle: lib.Cycle,
    table: lib.IndicatorTable | None,
    overrides: Sequence[str],
    explain: Sequence[str],
    lang: str,
) -> dict[str, Any]:
    result = lib.allocate(cycle, table, overrides=overrides, explain=explain, lang=lang)
    data = lib.allocation_json(result, cycle.id, lang=lang)
    if explain:
        data["explanations"] = {rid: lib.explain(result, rid, lang=lang) for rid in explain}
    return data


def _table(
    raw: bytes, kind: str, cycle: lib.Cycle, limits: lib.Limits, lang: str
) -> lib.IndicatorTable:
    """The indicator table of the body; a document sent here instead is a 422."""
    source = "body"
    if kind == CSV:
        return lib.parse_table(raw, "csv", source, limits, lang=lang)
    data = lib.parse_body(raw, source, limits, lang=lang)
    if isinstance(data, dict) and data.get("kind") in lib.document_kinds():
        try:
            document = lib.parse_document(data, source, lang=lang)
        except lib.InputError:
            pass
        else:
            raise lib.NotApplicable(
                [
                    lib.Problem(
                        "$.kind",
                        lib.translate(
                            N_(
                                "a {kind} document is not an indicator table; "
                                "send it to /cycles/{cycle}/check"
                            ),
                            lang,
                        ).format(kind=lib.kind_of(document), cycle=cycle.id),
                    )
                ],
                source,
            )
    if not isinstance(data, dict):
        return lib.parse_table(raw, "json", source, limits, lang=lang)
    return lib.parse_table(data, "json", source, limits, lang=lang)


async def _allocate(request: Request, lang: str, deadline: float, body: bool) -> Response:
    settings = _settings(request)
    cycle = await in_thread(deadline, lib.get_cycle, request.path_params["cycle"], lang=lang)
    overrides = tuple(request.query_params.getlist("set"))
    explain = tuple(dict.fromkeys(request.query_params.getlist("explain")))
    table = None
    if body:
        kind = media_type(request)
        raw = await read_body(request, settings.max_body_bytes, lang)
        if raw.strip():
            if kind not in (JSON, CSV):
                raise _unsupported(kind, (JSON, CSV), lang)
            limits = lib.Limits(max_bytes=settings.max_body_bytes)
            table = await in_thread(deadline, _table, raw, kind, cycle, limits, lang)
    data = await in_thread(deadline, _allocation, cycle, table, overrides, explain, lang)
    return json_response(data, lang=lang)


@endpoint("set", "explain")
async def allocate(request: Request, lang: str, deadline: float) -> Response:
    """Allocate with the indicator table of the body (JSON or CSV), or the shipped one."""
    return await _allocate(request, lang, deadline, body=True)


@endpoint("set", "explain")
async def allocation(request: Request, lang: str, deadline: float) -> Response:
    """Allocate with the shipped indicator table."""
    return await _allocate(request, lang, deadline, body=False)


@endpoint()
async def openapi(request: Request, lang: str, deadline: float) -> Response:
    """The OpenAPI description of this API."""
    spec = request.app.state.openapi
    if spec is None:
        spec = request.app.state.openapi = openapi_spec()
    return json_response(spec)


@endpoint()
async def docs(request: Request, lang: str, deadline: float) -> Response:
    """An interactive page over ``/openapi.json`` (no external scripts)."""
    return HTMLResponse(DOCS_PAGE)


async def _http_error(request: Request, exc: Exception) -> Response:
    lang = _accept_language(request.headers.get("accept-language", ""))
    with contextlib.suppress(Failure):
        lang = request_language(request)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        message = lib.translate(N_("no such endpoint: {path}"), lang).format(path=request.url.path)
    elif status == 405:
        message = lib.translate(N_("method {method} is not allowed here"), lang).format(
            method=request.method
        )
    else:
        log.error("unexpected error on %s %s: %r", request.method, request.url.path, exc)
        message = lib.translate(N_("unexpected error; it has been logged"), lang)
    return _error_response(Failure(status, message), lang)


ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/cycles", list_cycles, methods=["GET"]),
    Route("/cycles/{cycle}", show_cycle, methods=["GET"]),
    Route("/cycles/{cycle}/check", check, methods=["POST"]),
    Route("/cycles/{cycle}/allocate", allocate, methods=["POST"]),
    Route("/cycles/{cycle}/allocation", allocation, methods=["GET"]),
    Route("/schema/{kind}", show_schema, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
    Route("/docs", docs, methods=["GET"]),
]


def create_app(settings: Settings = Settings()) -> Starlette:
    """The ASGI application (serve it with any ASGI server; ``conciliazione serve`` uses uvicorn)."""
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Accept-Language"],
            )
        )
    app = Starlette(
        routes=ROUTES,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _http_error},
    )
    app.state.settings = settings
    app.state.openapi = None
    return app
