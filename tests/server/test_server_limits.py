"""The server is safe by default: loopback only, bounded bodies (413, on Content-Length and while
reading a chunked body), a time limit (503), CORS off unless an origin is configured; and the
command explains what to install when the extra is missing."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_http import NEEDS_EXTRA, Server, start_server

pytest.importorskip("starlette", reason=NEEDS_EXTRA)

from conciliazione_core._serialisation import dump_document, load_document
from conciliazione_core.cli import main
from conciliazione_core.server import Settings

LIMIT = 4096
ORIGIN = "https://portal.example"
CHECK = "/cycles/lombardia-2020/check"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a 4 KiB body limit that lets one origin call it from a browser."""
    tmp = tmp_path_factory.mktemp("small")
    yield from start_server("--max-body-bytes", str(LIMIT), "--cors-origin", ORIGIN, tmp=tmp)


@pytest.fixture(scope="module")
def hasty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose time limit (a microsecond) no request can meet."""
    yield from start_server("--time-limit", "0.000001", tmp=tmp_path_factory.mktemp("hasty"))


def network(members: int) -> str:
    return json.dumps(
        {
            "kind": "network",
            "id": "N1",
            "name": "Rete",
            "agency": "ATS-PAVIA",
            "lead": {"id": "ATS-PAVIA", "name": "ATS di Pavia", "kind": "ats"},
            "members": [
                {"body": {"id": f"M{i}", "name": f"Comune {i}", "kind": "municipality"}}
                for i in range(members)
            ],
        }
    )


def test_serve_listens_on_loopback_with_the_safe_settings_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    with pytest.raises(SystemExit) as exit_:
        main(["serve"])
    assert exit_.value.code == 0
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8000)
    assert seen["app"].state.settings == Settings(8 * 1024 * 1024, 30.0, ())
    assert not any("CORS" in str(m) for m in seen["app"].user_middleware)


def test_a_body_under_the_limit_is_read(small: Server) -> None:
    body = network(3)
    assert len(body) < LIMIT
    assert small.post(CHECK, body).status == 200


def test_content_length_over_the_limit_is_413(small: Server) -> None:
    body = network(100).encode()
    assert len(body) > LIMIT
    answer = small.post(CHECK, body)
    assert answer.status == 413
    assert answer.json()["message"] == f"the request body is over the limit of {LIMIT:,} bytes"


def test_a_chunked_body_is_counted_while_it_is_read(small: Server) -> None:
    """No Content-Length: the server counts the chunks and stops past the limit."""
    chunks = (b" " * 1024 for _ in range(64))
    answer = small.request("POST", CHECK, chunks, {"Content-Type": "application/json"})
    assert answer.status == 413
    assert answer.json()["status"] == 413
    small_chunks = (part.encode() for part in (network(2)[:50], network(2)[50:]))
    answer = small.request("POST", CHECK, small_chunks, {"Content-Type": "application/json"})
    assert answer.status == 200


def test_the_allocate_body_is_bounded_too(small: Server) -> None:
    answer = small.post("/cycles/lombardia-2020/allocate", "x" * (LIMIT + 1), "text/csv")
    assert answer.status == 413


def test_past_the_time_limit_the_answer_is_503(hasty: Server, montagna_path: Path) -> None:
    answer = hasty.post(CHECK, dump_document(load_document(montagna_path)))
    assert answer.status == 503
    data = answer.json()
    assert data["message"] == "the request took longer than the limit of 1e-06 s"
    assert data["problems"] == []
    assert hasty.get("/cycles?lang=it").json()["message"].startswith("la richiesta ha superato")


def test_cors_is_off_by_default(server: Server) -> None:
    answer = server.request("GET", "/health", headers={"Origin": ORIGIN})
    assert answer.status == 200
    assert "access-control-allow-origin" not in answer.headers
    preflight = server.request(
        "OPTIONS",
        CHECK,
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_the_configured_origin_only(small: Server) -> None:
    answer = small.request("GET", "/health", headers={"Origin": ORIGIN})
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    other = small.request("GET", "/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = small.request(
        "OPTIONS",
        CHECK,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN


def test_serve_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", pytest.fail)  # it must not get that far
    monkeypatch.setitem(sys.modules, "conciliazione_core.server", None)
    with pytest.raises(SystemExit) as exit_:
        main(["serve"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "pip install 'conciliazione-core[server]'" in err


def test_serve_refuses_a_time_limit_of_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--time-limit", "0"])
    assert exit_.value.code == 2
    assert "--time-limit" in capsys.readouterr().err
