"""The server's own small parts, in process: how each library error maps to a status, the
last-resort handler, the Accept-Language reading and the adapter's 422 for a cycle that
allocates nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from server_http import NEEDS_EXTRA

pytest.importorskip("starlette", reason=NEEDS_EXTRA)

from starlette.requests import Request
from starlette.responses import Response

from conciliazione_core._cycle import Cycle
from conciliazione_core._errors import (
    ConciliazioneError,
    CycleNotFoundError,
    InputError,
    PluginError,
)
from conciliazione_core.server import _library as lib
from conciliazione_core.server._app import (
    Failure,
    Settings,
    _accept_language,
    _failure_of,
    create_app,
    endpoint,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CycleNotFoundError("x", ["a"]), 404),
        (lib.NotApplicable([lib.Problem("$", "no")]), 422),
        (InputError.at("$.a", "bad"), 400),
        (PluginError("lombardia_2099", "raised in conciliazione_checks"), 500),
        (ConciliazioneError("something"), 400),
        (Failure(413, "big"), 413),
    ],
)
def test_each_library_error_has_its_status(error: Exception, status: int) -> None:
    assert _failure_of(error, "en").status == status


def test_an_unexpected_error_is_not_mapped() -> None:
    with pytest.raises(ZeroDivisionError):
        _failure_of(ZeroDivisionError(), "en")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("", "en"),
        ("it", "it"),
        ("it-IT,it;q=0.9,en;q=0.8", "it"),
        ("en;q=0.4, it;q=0.6", "it"),
        ("it;q=0, en;q=0.1", "en"),
        ("it;q=abc", "en"),
        ("*", "en"),
        ("fr, de;q=0.9", "en"),
        (";;,,;q=", "en"),
    ],
)
def test_accept_language(header: str, lang: str) -> None:
    assert _accept_language(header) == lang


def call(handler: Any, path: str = "/x") -> Response:
    app = create_app()
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [],
        "app": app,
    }
    response: Response = asyncio.run(handler(Request(scope)))
    return response


def test_the_last_resort_answers_json_500_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    @endpoint()
    async def broken(request: Request, lang: str, deadline: float) -> Response:
        raise RuntimeError("a bug")

    with caplog.at_level(logging.ERROR, logger="conciliazione_core.server"):
        response = call(broken)
    assert response.status_code == 500
    data = json.loads(bytes(response.body))
    assert data["message"] == "unexpected error; it has been logged"
    assert "a bug" not in response.body.decode()  # no internals in the answer
    assert any("a bug" in (r.exc_text or "") for r in caplog.records)


def test_an_allocation_of_a_cycle_without_one_is_422(ats_cycle: Cycle) -> None:
    assert ats_cycle.allocation is None
    with pytest.raises(lib.NotApplicable) as caught:
        lib.allocate(ats_cycle, lang="en")
    assert caught.value.problems[0].message == f"cycle {ats_cycle.id} defines no allocation"


@pytest.mark.parametrize("bad", [{"max_body_bytes": 0}, {"time_limit": 0}, {"time_limit": -1.0}])
def test_settings_refuse_limits_that_are_not_positive(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        Settings(**bad)
