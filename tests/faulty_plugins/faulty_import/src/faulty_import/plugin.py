"""A plugin whose module cannot be imported: it needs a package that is not installed."""

import conciliazione_test_package_that_does_not_exist  # noqa: F401

from conciliazione_core import hookimpl


@hookimpl
def conciliazione_cycles():  # pragma: no cover - never reached
    return []
