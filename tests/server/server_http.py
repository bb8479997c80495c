"""The real HTTP server, started as ``conciliazione serve`` in a subprocess on a free loopback
port, and a small HTTP client (the standard library's) to talk to it."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

NEEDS_EXTRA = "the server extra is not installed (pip install 'conciliazione-core[server]')"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@attrs.frozen
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Server:
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One request on a new connection; an iterable body is sent chunked."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = body.encode() if isinstance(body, str) else body
            chunked = data is not None and not isinstance(data, bytes)
            connection.request(
                method, path, body=data, headers=headers or {}, encode_chunked=chunked
            )
            response = connection.getresponse()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: bytes | str, content_type: str = "application/json") -> Answer:
        return self.request("POST", path, body, {"Content-Type": content_type})


def start_server(*options: str, tmp: Path) -> Iterator[Server]:
    """Run ``conciliazione serve`` until the generator is closed; its log goes to a file."""
    port = free_port()
    log = tmp / f"server-{port}.log"
    command = [sys.executable, "-m", "conciliazione_core", "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--log-level", "warning", *options], stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.get("/health").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
