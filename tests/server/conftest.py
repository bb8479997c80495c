"""The server the HTTP tests talk to (helpers in server_http.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_http import NEEDS_EXTRA, Server, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server with its default settings."""
    pytest.importorskip("starlette", reason=NEEDS_EXTRA)
    pytest.importorskip("uvicorn", reason=NEEDS_EXTRA)
    yield from start_server(tmp=tmp_path_factory.mktemp("server"))
