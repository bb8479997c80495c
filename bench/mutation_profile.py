"""A pytest plugin for mutation runs only: fewer, derandomised hypothesis examples.

bench/mutation.sh loads it (``-p mutation_profile`` with bench/ on PYTHONPATH). It loads its
profile after every conftest has loaded its own, so that each mutant's property tests run
``MUTATION_EXAMPLES`` (default 12) fixed examples instead of the suite's default: the same tests,
about five times faster, and the same verdict on every rerun.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

__all__ = ["pytest_collection_finish"]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Load the mutation profile once collection (and so every conftest) is done."""
    settings.register_profile(
        "mutation",
        max_examples=int(os.environ.get("MUTATION_EXAMPLES", "12")),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile("mutation")
