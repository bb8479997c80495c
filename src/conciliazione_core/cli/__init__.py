"""The ``conciliazione`` command.

Exit codes: 0 all good; 1 findings make a document inadmissible, or an allocation is incomplete;
2 a usage or input error, reported as one line on stderr naming the file and the place.

One private module per command; importing them registers the commands on the group.
"""

from conciliazione_core.cli import (  # noqa: F401  (each registers its commands)
    _allocate,
    _audit,
    _check,
    _cycles,
    _diff,
    _new_cycle,
    _plugins,
    _serve,
    _territory,
)
from conciliazione_core.cli._base import cli
from conciliazione_core.cli._main import main

__all__ = ["cli", "main"]
