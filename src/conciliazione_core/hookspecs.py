"""The whole contract between the core and its plugins.

A plugin is a module (or object) with functions named after these hooks and marked with
:data:`hookimpl`, registered through the ``conciliazione`` entry-point group; a plugin that
provides cycles declares their ids in ``conciliazione.cycles``, so the host imports it only
when one of them is needed::

    [project.entry-points.conciliazione]
    lombardia_2020 = "lombardia_2020.plugin"

    [project.entry-points."conciliazione.cycles"]
    lombardia-2020 = "lombardia_2020.plugin"

Every hook here is documented and tested; the core fails its own tests if one is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from conciliazione_core.cycle import Cycle
    from conciliazione_core.documents import Document
    from conciliazione_core.findings import Finding

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "conciliazione"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marker for plugin functions implementing a hook: ``@hookimpl``."""


@hookspec
def conciliazione_cycles() -> Sequence[Cycle]:
    """Return the cycles this plugin provides.

    Usually one, read from the plugin's parameter file::

        @hookimpl
        def conciliazione_cycles():
            return [load_cycle(files("lombardia_2020") / "cycle.toml")]

    Return exactly the cycles the distribution declares in ``conciliazione.cycles``. A cycle id
    must be unique among installed plugins: two plugins claiming the same id make that id
    unusable until one is removed (the error names both distributions).

    .. versionadded:: 0.1
    """
    raise AssertionError("hook specification, not called")


@hookspec
def conciliazione_checks(cycle: Cycle, document: Document) -> Iterable[Finding]:
    """Return extra findings for ``document`` checked against ``cycle``.

    Called on every check, after the standard checks the cycle's parameter file enables, for the
    plugin that provides the cycle and for every extension plugin (one that declares no cycle),
    so a third plugin can add rules to an existing cycle without editing it. Return an empty
    list for cycles the plugin does not care about::

        @hookimpl
        def conciliazione_checks(cycle, document):
            if cycle.id != "lombardia-2020":
                return []
            return [Finding(code="MY_RULE", severity=Severity.WARNING, ...)]

    .. versionadded:: 0.1
    """
    raise AssertionError("hook specification, not called")
