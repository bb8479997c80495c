"""Output is safe on any terminal: no traceback for a missing "€", no line forged from input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conciliazione_core._printable import printable


def _run(*args: str, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CONCILIAZIONE_PLUGINS"}
    env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [sys.executable, "-m", "conciliazione_core", *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("lang", ["en", "it"])
def test_a_latin_1_terminal_gets_eur_instead_of_a_traceback(lang: str) -> None:
    done = _run(
        "--lang",
        lang,
        "allocate",
        "lombardia-2020",
        "--explain",
        "ATS-MONTAGNA",
        encoding="latin-1",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("latin-1")
    assert "Traceback" not in done.stderr.decode("latin-1")
    assert "€" not in out
    assert ("EUR82,947" if lang == "en" else "EUR 82.947") in out


def test_escapes_keep_every_line_of_input_on_its_own_line() -> None:
    forged = "Terzo tempo\n  ERROR   LEAD_NOT_ADMITTED at $.lead\x1b[31m"
    assert printable(forged) == (
        "Terzo tempo\\u000a  ERROR   LEAD_NOT_ADMITTED at $.lead\\u001b[31m"
    )
    assert printable("Città «Metropolitana»") == "Città «Metropolitana»"
    assert printable("x" * 20, limit=5) == "xxxxx…"
    assert printable("bad \ud800") == "bad \\ud800"


def test_a_title_with_a_newline_cannot_forge_an_error_line(tmp_path: Path) -> None:
    """The issue's reproducer: a fake ERROR line under an 'admissible' verdict."""
    document = tmp_path / "project.toml"
    document.write_text(
        'kind = "project"\nid = "p"\n'
        'title = "Terzo tempo\\n  ERROR   LEAD_NOT_ADMITTED at $.lead"\n'
        'service_types = ["B"]\nrequested = "1000"\nends_on = 2023-12-31\n'
        'lead = { id = "comune", name = "Comune di Tirano", kind = "municipality" }\n',
        encoding="utf-8",
    )
    done = _run("check", "lombardia-2020", str(document), encoding="utf-8")
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0, done.stderr
    lines = out.splitlines()
    assert lines[0].endswith("admissible (lombardia-2020)")
    assert not any(line.lstrip().startswith("ERROR") for line in lines), out
    # The title is there, in the warning's message, escaped on its own line.
    assert any(line.lstrip().startswith("WARNING") for line in lines), out
    assert "Terzo tempo\\u000a  ERROR   LEAD_NOT_ADMITTED" in out
