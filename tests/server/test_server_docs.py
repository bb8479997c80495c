"""docs/http.md is executed: every ``sh`` block that calls curl runs against the real server
(its port put in place of 8000), and its output is compared with the ``json`` block after it,
where ``"…"`` stands for any value and a trailing ``"…"`` (in a list, or as a key) for the rest."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server_http import NEEDS_EXTRA, Server

pytest.importorskip("starlette", reason=NEEDS_EXTRA)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "http.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
ANY = "…"


def examples() -> list[tuple[str, str]]:
    """(command, expected output) for each curl block followed by a json block."""
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    found = []
    for (lang, body), (next_lang, expected) in itertools.pairwise(blocks):
        if lang == "sh" and "curl " in body and next_lang == "json":
            found.append((body, expected))
    return found


def matches(expected: Any, actual: Any, where: str = "$") -> None:
    """Assert ``actual`` has the shape and values of ``expected``, with its wildcards."""
    if expected == ANY:
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        rest = expected.get(ANY) == ANY
        keys = [k for k in expected if k != ANY]
        if not rest:
            assert sorted(actual) == sorted(keys), where
        for key in keys:
            assert key in actual, f"{where}.{key}"
            matches(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), where
        rest = bool(expected) and expected[-1] == ANY
        items = expected[:-1] if rest else expected
        assert len(actual) >= len(items) if rest else len(actual) == len(items), where
        for i, item in enumerate(items):
            matches(item, actual[i], f"{where}[{i}]")
    elif isinstance(expected, str) and ANY in expected and isinstance(actual, str):
        pattern = ".*".join(re.escape(part) for part in expected.split(ANY))
        assert re.fullmatch(pattern, actual, re.DOTALL), where
    else:
        assert actual == expected, where


def test_the_page_has_examples() -> None:
    assert len(examples()) >= 6


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(("command", "expected"), examples())
def test_curl_example(server: Server, tmp_path: Path, command: str, expected: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [
            "bash",
            "-eo",
            "pipefail",
            "-c",
            command.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    matches(json.loads(expected), json.loads(done.stdout))


def test_the_matcher_can_fail() -> None:
    with pytest.raises(AssertionError):
        matches({"a": 1}, {"a": 2})
    with pytest.raises(AssertionError):
        matches({"a": 1}, {"a": 1, "b": 2})
    with pytest.raises(AssertionError):
        matches([1, ANY], [])
    with pytest.raises(AssertionError):
        matches("x …", "y z")
    matches({"a": [1, ANY], ANY: ANY}, {"a": [1, 2, 3], "b": 0})
