"""Hypothesis profiles of the fuzz tests.

The profiles are registered here but never loaded globally (the rest of the suite keeps its own
profile): each fuzz test takes its settings from :data:`fuzz_settings` in ``_support``, which
reads the profile named by ``CONCILIAZIONE_FUZZ`` (``fuzz-ci`` when unset).

- ``fuzz-ci``: a few hundred inputs per test, derandomised so that CI is reproducible; the whole
  package stays under about a minute on two cores.
- ``fuzz-deep``: 100,000 inputs per test, random, failures kept in the example database;
  ``make fuzz-deep`` (``bench/fuzz_deep.py``) runs it and prints the counts.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

_SLOW_OK = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.function_scoped_fixture,
    HealthCheck.filter_too_much,
]

settings.register_profile(
    "fuzz-ci",
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "fuzz-deep",
    max_examples=100_000,
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
