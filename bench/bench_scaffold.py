"""How long a new cycle takes from `conciliazione new-cycle` to passing tests.

Runs, for a skeleton and for a copy of lombardia-2020 (``--from``), each step as a plugin author
would, in a fresh temporary folder, and prints each step's wall-clock time:

1. ``conciliazione new-cycle ID [--from CYCLE] --dir DIR`` (a new process, as typed);
2. ``pip install --no-deps --target SITE DIR``: a real, non-editable install of the generated
   package (an isolated build unless setuptools can build wheels itself, as in the tests);
3. ``python -m pytest DIR`` with ``PYTHONPATH=SITE``: the package's own conformance tests.

Nothing is installed into the running environment. Usage: ``python bench/bench_scaffold.py
[--repeat N]``; numbers are medians (and minima) over N runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

CYCLE_ID = "benchland-2031"
PACKAGE = "benchland_2031"


def _can_build_without_isolation() -> bool:
    major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1) or find_spec("wheel") is not None


def _timed(command: Sequence[str], **kwargs: object) -> float:
    start = time.perf_counter()
    result = subprocess.run(list(command), capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def run_once(source: str | None) -> dict[str, float]:
    """One new-cycle -> install -> pytest run; the time of each step in seconds."""
    cli = shutil.which("conciliazione", path=str(Path(sys.executable).parent)) or "conciliazione"
    with tempfile.TemporaryDirectory(prefix="bench-scaffold-") as tmp:
        root = Path(tmp)
        package, site = root / "pkg", root / "site"
        command = [cli, "new-cycle", CYCLE_ID, "--dir", str(package)]
        if source is not None:
            command += ["--from", source]
        times = {"new-cycle": _timed(command, cwd=root)}
        install = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(package),
        ]
        if _can_build_without_isolation():
            install.insert(4, "--no-build-isolation")
        times["install"] = _timed(install, cwd=root)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTHONPATH")}
        env["PYTHONPATH"] = str(site)
        test = [sys.executable, "-m", "pytest", str(package), "-q", "-p", "no:cacheprovider"]
        times["pytest"] = _timed(test, cwd=root, env=env)
    times["total"] = sum(times.values())
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    build = "no build isolation" if _can_build_without_isolation() else "isolated build"
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"pip {version('pip')}, setuptools {version('setuptools')} ({build}); "
        f"{args.repeat} runs each"
    )
    print(f"{'variant':<24} {'step':<10} {'median s':>9} {'min s':>7}")
    for label, source in (("skeleton", None), ("--from lombardia-2020", "lombardia-2020")):
        runs = [run_once(source) for _ in range(args.repeat)]
        for step in ("new-cycle", "install", "pytest", "total"):
            values = [r[step] for r in runs]
            print(f"{label:<24} {step:<10} {statistics.median(values):>9.2f} {min(values):>7.2f}")


if __name__ == "__main__":
    main()
