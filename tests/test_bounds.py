"""Every file door reads at most its limit, from any kind of file, and never hangs.

Only regular files are read: a named pipe, a device (``/dev/zero``, ``/dev/urandom``), a socket
or a folder is refused with one line naming the file and what it is. Each door (documents via
``conciliazione check``, indicator tables via ``allocate --data``, parameter files via
:func:`load_cycle`) runs in a child process under a memory limit and a timeout: without the
refusal, ``/dev/zero`` grows to gigabytes and a named pipe blocks forever.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from conciliazione_core import InputError, load_cycle
from conciliazione_core._formats import Limits, read_file
from conciliazione_core._indicators import load_indicator_table
from conciliazione_core._serialisation import load_document

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="named pipes and /dev files are POSIX"
)

MEMORY_LIMIT = 512 * 1024 * 1024
"""The child's address space: far below what reading /dev/zero to its end would take."""

TIMEOUT = 120
"""Seconds before a child counts as hung (a named pipe opened blocking never returns)."""

CHILD_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LANGUAGE": "en"}
"""One thread per numerical library, whatever the machine's cores, so that the address-space
limit measures the reading and not thread stacks; English messages, which the test compares."""

LOAD_CYCLE = """
import sys
import threading
from conciliazione_core import ConciliazioneError, load_cycle
try:
    load_cycle(sys.argv[1])
except ConciliazioneError as exc:
    print("conciliazione: error: " + exc.one_line(), file=sys.stderr)
    sys.exit(2)
"""

DOORS: dict[str, tuple[str, Callable[[str], list[str]]]] = {
    "document": (".json", lambda p: ["-m", "conciliazione_core", "check", "lombardia-2020", p]),
    "indicator table": (
        ".csv",
        lambda p: ["-m", "conciliazione_core", "allocate", "lombardia-2020", "--data", p],
    ),
    "indicator table (json)": (
        ".json",
        lambda p: ["-m", "conciliazione_core", "allocate", "lombardia-2020", "--data", p],
    ),
    "parameter file": (".toml", lambda p: ["-c", LOAD_CYCLE, p]),
}

KINDS = {
    "/dev/zero": "is a character device, not a file",
    "/dev/urandom": "is a character device, not a file",
    "fifo": "is a named pipe, not a file",
}


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _special(tmp_path: Path, kind: str, suffix: str) -> Path:
    """A file of the door's type that is really ``kind``."""
    path = tmp_path / f"input{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        if not Path(kind).exists():
            pytest.skip(f"no {kind} here")
        path.symlink_to(kind)
    return path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("door", DOORS)
def test_every_door_refuses_special_files_in_bounded_memory_and_time(
    tmp_path: Path, door: str, kind: str
) -> None:
    suffix, argv = DOORS[door]
    path = _special(tmp_path, kind, suffix)
    done = subprocess.run(
        [sys.executable, *argv(str(path))],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
        env=CHILD_ENV,
        cwd=tmp_path,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0] == f"conciliazione: error: {path}: $: {KINDS[kind]}" or (
        door == "parameter file"
        and lines[0] == f"conciliazione: error: {path.name}: $: {KINDS[kind]}"
    )


def test_the_child_limit_would_stop_an_unbounded_read() -> None:
    """The memory limit is real: reading /dev/zero whole in the child fails at once."""
    done = subprocess.run(
        [sys.executable, "-c", "open('/dev/zero','rb').read(1 << 30)"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
        check=False,
    )
    assert done.returncode != 0
    assert "MemoryError" in done.stderr


# ---- in process: every kind of file, every reader -----------------------------------------------


@pytest.mark.parametrize(
    "reader",
    [read_file, load_document, load_indicator_table, load_cycle],
    ids=["read_file", "load_document", "load_indicator_table", "load_cycle"],
)
def test_a_fifo_is_refused_without_blocking_by_every_reader(
    tmp_path: Path, reader: Callable[[Path], object]
) -> None:
    suffix = (
        ".toml" if reader is load_cycle else ".csv" if reader is load_indicator_table else ".json"
    )
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    watchdog = threading.Timer(TIMEOUT, _unblock, [fifo])  # a regression fails, never hangs
    watchdog.start()
    try:
        with pytest.raises(InputError, match="is a named pipe, not a file") as info:
            reader(fifo)
    finally:
        watchdog.cancel()
    assert info.value.source in (str(fifo), fifo.name)


def _unblock(fifo: Path) -> None:
    """Open the pipe's writing end and close it: a reader blocked on it gets an empty file."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError:
        pytest.skip("the temporary path is too long for a Unix socket")
    try:
        with pytest.raises(InputError, match="is a socket, not a file"):
            load_document(path)
    finally:
        server.close()


def test_a_directory_named_like_a_table_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "t.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory, not a file"):
        load_indicator_table(folder)


def test_a_file_larger_than_its_reported_size_stops_at_the_limit() -> None:
    """Files of /proc report a size of 0: reading stops one byte past the limit, and refuses."""
    status = Path("/proc/self/status")
    if not status.is_file():
        pytest.skip("no /proc here")
    assert status.stat().st_size == 0
    with pytest.raises(InputError, match="over the limit of 8 bytes"):
        read_file(status, Limits(max_bytes=8))
    assert read_file(status, Limits(max_bytes=1024 * 1024)).startswith(b"Name:")


def test_a_regular_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"0," * 20 + b"0]")
    with pytest.raises(InputError, match="the file is 43 bytes, over the limit of 10"):
        read_file(path, Limits(max_bytes=10))
    assert read_file(path, Limits(max_bytes=43)) == path.read_bytes()


def test_a_streamed_csv_table_stops_at_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,x,source,reference_date,status\n" + "a,A,1,s,2024-01-01,official\n")
    with pytest.raises(InputError, match="over the limit of 20"):
        load_indicator_table(path, Limits(max_bytes=20))
    assert load_indicator_table(path).get("a") is not None
