"""A bounded load run of ``conciliazione serve``: N requests from C concurrent clients.

Starts the real server on a free loopback port, then sends, from C threads each with its own
keep-alive connection, first N ``GET /health`` (the baseline: the HTTP stack alone), then N
``POST /cycles/lombardia-2020/check`` of ATS Montagna's plan, then N
``GET /cycles/lombardia-2020/allocation``. Every answer is compared with the expected bytes;
the run fails if one differs. Prints the median and p99 latency of each and their ratio to the
baseline. Traffic goes to 127.0.0.1 only, and the run stops by itself.

    .venv/bin/python bench/bench_server.py [--requests 2000] [--clients 20]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from importlib.resources import files
from pathlib import Path

from conciliazione_core._serialisation import dump_document, load_document


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def send(
    connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None
) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def load(
    port: int, method: str, path: str, body: bytes | None, requests: int, clients: int
) -> tuple[list[float], int, float]:
    """Latencies (s), the number of wrong answers and the wall-clock time of one run."""
    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, expected = send(probe, method, path, body)
    probe.close()
    if status != 200:
        raise SystemExit(f"{method} {path}: status {status}: {expected[:500]!r}")
    latencies: list[float] = []
    wrong = [0]
    lock = threading.Lock()
    per_client = [
        requests // clients + (1 if i < requests % clients else 0) for i in range(clients)
    ]

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        bad = 0
        for _ in range(count):
            start = time.perf_counter()
            status, answer = send(connection, method, path, body)
            mine.append(time.perf_counter() - start)
            bad += status != 200 or answer != expected
        connection.close()
        with lock:
            latencies.extend(mine)
            wrong[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, wrong[0], time.perf_counter() - start


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    if not 1 <= args.clients <= 100 or not 1 <= args.requests <= 100_000:
        raise SystemExit("--clients 1..100, --requests 1..100000")

    plan = Path(str(files("lombardia_2020").joinpath("examples", "montagna_2020_2023.toml")))
    document = dump_document(load_document(plan)).encode()
    port = free_port()
    command = [sys.executable, "-m", "conciliazione_core", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if send(connection, "GET", "/health", None)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.05)
        runs = [
            ("GET /health", "GET", "/health", None),
            ("POST check (Montagna plan)", "POST", "/cycles/lombardia-2020/check", document),
            ("GET allocation", "GET", "/cycles/lombardia-2020/allocation", None),
        ]
        print(
            f"{args.requests} requests from {args.clients} concurrent clients per endpoint, "
            f"Python {sys.version.split()[0]}"
        )
        print(f"{'endpoint':30} {'median ms':>10} {'p99 ms':>8} {'req/s':>7} {'x health':>9} wrong")
        baseline = 0.0
        failed = 0
        for label, method, path, body in runs:
            latencies, wrong, wall = load(port, method, path, body, args.requests, args.clients)
            median = statistics.median(latencies)
            baseline = baseline or median
            failed += wrong
            print(
                f"{label:30} {median * 1000:10.2f} {p99(latencies) * 1000:8.2f} "
                f"{len(latencies) / wall:7.0f} {median / baseline:9.1f} {wrong}"
            )
        if failed:
            raise SystemExit(f"{failed} answers were wrong")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
