"""The conformance plugin is loaded by every pytest run where the core is installed (``pytest11``),
so it must import where Hypothesis is not installed; the strategies need it only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest

BLOCK_HYPOTHESIS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError("hypothesis is blocked for this test")
sys.meta_path.insert(0, Block())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_HYPOTHESIS + code], capture_output=True, text=True, check=False
    )


def test_plugin_and_invariants_import_without_hypothesis() -> None:
    result = _run(
        "import conciliazione_core.testing._pytest_plugin\n"
        "from conciliazione_core.testing import assert_allocation_invariants\n"
        "print(assert_allocation_invariants.__name__)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "assert_allocation_invariants"


def test_strategies_need_hypothesis_only_when_asked_for() -> None:
    result = _run("from conciliazione_core.testing import money")
    assert result.returncode == 1
    assert "hypothesis is blocked" in result.stderr


def test_unknown_name_is_an_attribute_error() -> None:
    import conciliazione_core.testing as kit

    with pytest.raises(AttributeError, match="no_such_strategy"):
        kit.no_such_strategy  # noqa: B018
