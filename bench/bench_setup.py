"""How long a new user waits: `make demo` on a fresh clone with cold package caches.

Clones this repository twice into temporary folders and runs `make demo` in each with empty
caches: once as the Makefile does it (uv, installed by make itself) and once with uv made
unavailable (`UV_VERSION=0.0.0`, so make falls back to pip), and prints both times and their
ratio. Downloads come from the package index, so the figures depend on the network as well.

    python bench/bench_setup.py            # both paths
    python bench/bench_setup.py --uv-only
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cold_demo(extra: list[str]) -> float:
    """Seconds of wall time for `make demo` in a fresh clone with empty caches."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = dict(os.environ, UV_CACHE_DIR=str(Path(tmp) / "uv-cache"), PIP_NO_CACHE_DIR="1")
        start = time.perf_counter()
        done = subprocess.run(
            ["make", "demo", *extra], cwd=clone, env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"make demo failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uv-only", action="store_true", help="skip the pip fallback run")
    args = parser.parse_args()
    uv = cold_demo([])
    print(f"make demo, fresh clone, cold caches, uv:  {uv:6.1f} s")
    if not args.uv_only:
        pip = cold_demo(["UV_VERSION=0.0.0"])
        print(f"make demo, fresh clone, cold caches, pip: {pip:6.1f} s")
        print(f"pip / uv: {pip / uv:.1f}x")


if __name__ == "__main__":
    main()
