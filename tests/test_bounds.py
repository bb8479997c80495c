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


# ---- memory: every door within 20 times its input's size plus 64 MiB ----------------------------

MIB = 1024 * 1024

BUDGETED = """
import resource, sys
from pathlib import Path

def address_space():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise SystemExit("no VmSize")

from conciliazione_core import ConciliazioneError, Network, default_host, from_toml, load_cycle
from conciliazione_core._formats import parse_document, parse_json, read_stream
from conciliazione_core.cli import main
import conciliazione_core.allocation
try:
    import numpy  # imported by the allocation engine on first use: mapped before the limit
except ImportError:
    pass
default_host().cycle("lombardia-2020")  # the plugins are loaded before the limit
budget = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (address_space() + budget, resource.RLIM_INFINITY))
door, args = sys.argv[2], sys.argv[3:]
try:
    if door == "cli":
        main(args)
    elif door == "stdin":
        parse_document(parse_json(read_stream(sys.stdin.buffer)), "-")
    elif door == "from_toml":
        from_toml(Path(args[0]).read_text(encoding="utf-8"), Network)
    elif door == "load_cycle":
        load_cycle(args[0])
except ConciliazioneError as exc:
    print("conciliazione: error: " + exc.one_line(), file=sys.stderr)
    sys.exit(2)
"""


def _repeat(head: str, item: str, tail: str, size: int) -> str:
    return head + ",".join([item] * ((size - len(head) - len(tail)) // (len(item) + 1))) + tail


def _network(members: int) -> str:
    """A valid network document of ``members`` bodies, compact JSON (about 110 bytes each)."""
    rows = ",".join(
        f'{{"body":{{"id":"ente-{i}","name":"Ente {i}","kind":"asl","nature":"public"}}}}'
        for i in range(members)
    )
    return (
        '{"kind":"network","id":"n","name":"Rete","agency":"ATS-MONTAGNA",'
        '"lead":{"id":"ATS-MONTAGNA","name":"ATS della Montagna","kind":"ats"},'
        f'"members":[{rows}]}}'
    )


SIXTY_MB = 60_000_000

# the reproducers and their kin: (suffix, text, door, arguments after the file, exit codes)
PATHOLOGICAL: dict[str, tuple[str, Callable[[], str], str, tuple[int, ...]]] = {
    "TOML x = [{},…], 60 MB": (
        ".toml",
        lambda: _repeat("x = [", "{}", "]\n", SIXTY_MB),
        "check",
        (2,),
    ),
    "JSON [[],…], 60 MB": (".json", lambda: _repeat("[", "[]", "]", SIXTY_MB), "check", (2,)),
    "JSON network of 600,000 empty members, 2 MB": (
        ".json",
        lambda: _repeat('{"kind": "network", "members": [', "{}", "]}", 2_000_000),
        "check",
        (2,),
    ),
    "TOML tables [a1] [a2] …, 20 MB": (
        ".toml",
        lambda: "".join(f"[a{i}]\n" for i in range(2_000_000)),
        "check",
        (2,),
    ),
    "JSON network of 100,000 valid members (accepted)": (
        ".json",
        lambda: _network(100_000),
        "check",
        (0, 1),
    ),
    "JSON [[],…] on stdin, 60 MB": (
        ".json",
        lambda: _repeat("[", "[]", "]", SIXTY_MB),
        "stdin",
        (2,),
    ),
    "from_toml x = [{},…], 60 MB": (
        ".toml",
        lambda: _repeat("x = [", "{}", "]\n", SIXTY_MB),
        "from_toml",
        (2,),
    ),
    "parameter file x = [{},…], 2 MiB": (
        ".toml",
        lambda: _repeat("x = [", "{}", "]\n", 2 * MIB - 8),
        "load_cycle",
        (2,),
    ),
    "--set allocation.total=[{},…], 120 KiB": (
        ".txt",
        lambda: _repeat("[", "{}", "]", 120 * 1024),
        "--set",
        (2,),
    ),
}


def _run_budgeted(tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    suffix, make, door, _codes = PATHOLOGICAL.get(name) or TABLES[name]
    text = make()
    path = tmp_path / ("cycle.toml" if door == "load_cycle" else f"input{suffix}")
    path.write_text(text, encoding="utf-8")
    size = len(text.encode("utf-8"))
    del text
    budget = 20 * size + 64 * MIB
    argv = {
        "check": ["cli", "check", "lombardia-2020", str(path)],
        "allocate --data": ["cli", "allocate", "lombardia-2020", "--data", str(path)],
        "--set": [
            "cli",
            "allocate",
            "lombardia-2020",
            "--set",
            f"allocation.total={path.read_text()}",
        ],
        "stdin": ["stdin"],
        "from_toml": ["from_toml", str(path)],
        "load_cycle": ["load_cycle", str(path)],
    }[door]
    with path.open("rb") as stdin:
        return subprocess.run(
            [sys.executable, "-c", BUDGETED, str(budget), *argv],
            stdin=stdin if door == "stdin" else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=CHILD_ENV,
            cwd=tmp_path,
            check=False,
        )


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_every_door_stays_within_its_memory_budget(tmp_path: Path, name: str) -> None:
    """The child limits its own address space to what it holds + 20 × the input + 64 MiB.

    Before the estimate, 60 MB of ``x = [{},…]`` took 4.5 GB and a minute, ``[[],…]`` 1.9 GB;
    the 600,000 empty members built an error each (6.7 GB from 6 MB): each a MemoryError here.
    """
    done = _run_budgeted(tmp_path, name)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "MemoryError" not in done.stderr
    assert done.returncode in PATHOLOGICAL[name][3], done.stderr[-2000:]
    if done.returncode == 2:
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr[-2000:]
        assert lines[0].startswith("conciliazione: error: ")


TABLES: dict[str, tuple[str, Callable[[], str], str, tuple[int, ...]]] = {
    "CSV of 200,000 rows with empty cells": (  # 1.2 million problems, 1.4 MB
        ".csv",
        lambda: "id,name,x,source,reference_date,status\n" + "a,,,,,\n" * 200_000,
        "allocate --data",
        (2,),
    ),
}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
@pytest.mark.parametrize("name", TABLES)
def test_indicator_tables_stay_within_their_memory_budget(tmp_path: Path, name: str) -> None:
    """Bad rows built a problem each (1.2 GB from 6 MB): now the first 1,000 are listed, one
    line each, and the rest counted in a last line."""
    done = _run_budgeted(tmp_path, name)
    assert "MemoryError" not in done.stderr
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    assert lines[0].startswith("conciliazione: error: ")
    assert len(lines) <= 1 + 1001
    assert lines[-1].endswith("more problems are not listed; correct these and read the file again")


def test_a_project_asking_for_a_4400_digit_amount_is_refused(tmp_path: Path) -> None:
    """It checked with exit 0 and then could not be written back (issue 15)."""
    document = tmp_path / "p.toml"
    document.write_text(
        'kind = "project"\nid = "p"\ntitle = "t"\nrequested = "' + "1" * 4400 + '"\n'
        '[lead]\nid = "b"\nname = "B"\nkind = "ats"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "conciliazione_core", "check", "lombardia-2020", str(document)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=CHILD_ENV,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"conciliazione: error: {document}: $.requested: ")
    assert "more than 30 digits" in done.stderr
