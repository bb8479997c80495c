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

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from conciliazione_core._cycle import Cycle
    from conciliazione_core._documents import Document
    from conciliazione_core._findings import Finding, FindingCode
    from conciliazione_core._rule_registry import Rule
    from conciliazione_core.allocation import EnvelopeKind

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

    Called on every check, after the checks of the rules the cycle's parameter file enables,
    for the plugin that provides the cycle and for every extension plugin (one that declares no
    cycle), so a third plugin can add rules to an existing cycle without editing it. Return an
    empty list for cycles the plugin does not care about. Every code must be registered through
    :func:`conciliazione_rules` (its message and translations come from there)::

        MY_RULE = FindingCode("MY_RULE", Severity.WARNING, "Plan {plan} has few projects.")

        @hookimpl
        def conciliazione_rules(register):
            register(MY_RULE)

        @hookimpl
        def conciliazione_checks(cycle, document):
            if cycle.id != "lombardia-2020":
                return []
            return [MY_RULE.at("$.projects", cycle.cite("dgr"), plan=document.id)]

    .. versionadded:: 0.1
    """
    raise AssertionError("hook specification, not called")


@hookspec
def conciliazione_envelope_kinds(register: Callable[[EnvelopeKind[Any]], None]) -> None:
    """Register envelope kinds: call ``register`` with an instance of each.

    A kind is a subclass of :class:`~conciliazione_core.allocation.EnvelopeKind`: its name in
    ``kind = "..."``, the attrs class its envelopes become, how it reads its keys, allocates,
    explains one recipient's amount and describes itself. The core's own kinds (``retained``,
    ``fixed``, ``equal``, ``proportional``) are registered through this hook too::

        @hookimpl
        def conciliazione_envelope_kinds(register):
            register(GivenKind())

    A name already taken, or something that is not a sound kind, leaves the plugin out (a
    :class:`~conciliazione_core._host.PluginProblem` naming it).

    .. versionadded:: 0.2
    """
    raise AssertionError("hook specification, not called")


@hookspec
def conciliazione_rules(register: Callable[[Rule | FindingCode], None]) -> None:
    """Register the rules this plugin brings: call ``register(rule)`` once per :class:`Rule`.

    A plugin whose ``conciliazione_checks`` emits findings registers their codes the same way,
    ``register(FindingCode(...))``: an unregistered code is that plugin's error.

    A rule reads its own ``[rules.<section>]`` table from a cycle's parameter file (an attrs
    class, structured and validated when the cycle loads; it must have a ``basis`` citation
    key), declares the finding codes it can emit (severity, English template, translations
    from the plugin's own gettext catalogue), checks a document and describes its parameters
    for the docs and ``conciliazione diff``::

        @hookimpl
        def conciliazione_rules(register):
            register(Rule(
                section="reach",            # reads [rules.reach] in a cycle.toml
                parameters=ReachRules,      # an attrs class with a ``basis`` field
                codes=(FEW_BENEFICIARIES,),
                check=check_reach,          # (cycle, section, document) -> findings
                describe=describe_reach,    # (cycle, section) -> (topic, value) rows
                title="Reach",
            ))

    A plugin's rules are collected when the host registers it, before any of its cycles is read;
    extension plugins (which declare no cycle) are registered before any cycle is read, so every
    installed cycle can use their rules. A section or a code that another plugin already
    registered, or anything that is not a Rule, makes this plugin faulty (``conciliazione cycles`` names it). The core's five
    standard rules are registered through this same hook by the core's own plugin.

    .. versionadded:: 0.2
    """
    raise AssertionError("hook specification, not called")
