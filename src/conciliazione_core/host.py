"""The plugin host: finds cycle plugins, isolates faulty ones, answers for cycles.

Plugins come from the ``conciliazione`` entry-point group. The environment variable
``CONCILIAZIONE_PLUGINS`` (comma-separated entry-point or distribution names) limits which load.
A plugin that fails to import, raises in a hook, returns garbage or clashes with another is
recorded as a :class:`PluginProblem` naming it; the healthy cycles keep working.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import pluggy

from conciliazione_core import hookspecs
from conciliazione_core._rule_registry import (
    CORE_PLUGIN,
    RuleRegistry,
    core_registry,
    using_registry,
)
from conciliazione_core.cycle import Cycle
from conciliazione_core.documents import Document
from conciliazione_core.errors import ConciliazioneError, CycleNotFoundError, PluginError
from conciliazione_core.findings import Finding, Report
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from conciliazione_core.allocation import KindRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGINS_ENV",
    "Host",
    "PluginInfo",
    "PluginProblem",
    "default_host",
]

ENTRY_POINT_GROUP = "conciliazione"
PLUGINS_ENV = "CONCILIAZIONE_PLUGINS"


@attrs.frozen
class PluginInfo:
    """A healthy plugin: its name, distribution, version, hooks and cycles."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    cycles: tuple[str, ...]


@attrs.frozen
class PluginProblem:
    """A faulty plugin and why it is left out (or which cycle it made unusable)."""

    plugin: str
    distribution: str | None
    reason: str

    def __str__(self) -> str:
        dist = f" ({self.distribution})" if self.distribution else ""
        return f"{self.plugin}{dist}: {self.reason}"


@attrs.frozen
class _Source:
    name: str
    distribution: str | None
    version: str | None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConciliazioneError):
        return exc.one_line()
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _and(names: Sequence[str]) -> str:
    """``A and B and C`` in the current language."""
    joined = names[0]
    for name in names[1:]:
        joined = _("{first} and {second}").format(first=joined, second=name)
    return joined


class Host:
    """Loads plugins once and answers for cycles and checks.

    ``plugins`` registers extra plugin objects directly (tests, embedding applications);
    ``use_entry_points=False`` ignores installed plugins; ``environ`` replaces ``os.environ``.
    """

    def __init__(
        self,
        plugins: Iterable[tuple[str, object]] = (),
        *,
        use_entry_points: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        # Until this host's own registry is known, a plugin reading a cycle (even at import)
        # sees the core's rules: never the default host, which may be this one being built.
        with using_registry(core_registry()):
            self._load(plugins, use_entry_points, environ)
        with using_registry(self._rules):
            self._collect_cycles()

    def _load(
        self,
        plugins: Iterable[tuple[str, object]],
        use_entry_points: bool,
        environ: Mapping[str, str] | None,
    ) -> None:
        env = os.environ if environ is None else environ
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._sources: dict[str, _Source] = {}
        self._problems: list[PluginProblem] = []
        self._cycles: dict[str, Cycle] = {}
        self._conflicts: dict[str, list[_Source]] = {}
        self._rules = RuleRegistry()
        # The core's standard rules are its own first plugin, registered like any other.
        from conciliazione_core import rules as core_rules

        self._register(CORE_PLUGIN, core_rules, _Source(CORE_PLUGIN, "conciliazione-core", None))
        allowed = env.get(PLUGINS_ENV)
        wanted = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
        if use_entry_points:
            # Imported here: importlib.metadata (email, zipfile, csv...) is a fifth of the import
            # time, and only discovery needs it.
            from importlib.metadata import entry_points

            for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                dist = ep.dist.name if ep.dist is not None else None
                if wanted is not None and ep.name not in wanted and dist not in wanted:
                    continue
                self._load_entry_point(ep)
        for name, plugin in plugins:
            self._register(name, plugin, _Source(name, None, None))
        self._collect_rules()
        self._collect_envelope_kinds()

    # -- loading -----------------------------------------------------------------------------

    def _load_entry_point(self, ep: EntryPoint) -> None:
        dist = ep.dist
        source = _Source(ep.name, dist.name if dist else None, dist.version if dist else None)
        try:
            plugin = ep.load()
        except BaseException as exc:  # a plugin's import must never take the host down
            if isinstance(exc, KeyboardInterrupt):
                raise
            self._fail(source, _("failed to import: {error}").format(error=_describe(exc)))
            return
        self._register(ep.name, plugin, source)

    def _register(self, name: str, plugin: object, source: _Source) -> None:
        try:
            self._pm.register(plugin, name=name)
            self._pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            self._fail(source, _("invalid hooks: {error}").format(error=_describe(exc)))
            return
        self._sources[name] = source

    def _fail(self, source: _Source, reason: str) -> None:
        self._problems.append(PluginProblem(source.name, source.distribution, reason))

    def _collect_envelope_kinds(self) -> None:
        """The core's envelope kinds, then each plugin's, through the hook (one plugin at a
        time, so each kind is attributed to its plugin and a faulty one is named)."""
        from conciliazione_core.allocation import _kinds

        self._pm.register(_kinds.core_plugin(), name=_kinds.CORE_PLUGIN)
        self._kinds, problems = _kinds.collect_kinds(self._pm, [_kinds.CORE_PLUGIN, *self._sources])
        for name, reason in problems:
            self._fail(self._sources[name], reason)

    @property
    def envelope_kinds(self) -> KindRegistry:
        """The envelope kinds the cycles may use: the core's, then the plugins'."""
        return self._kinds

    def _collect_rules(self) -> None:
        """Each plugin's ``conciliazione_rules(register)``, called through pluggy one plugin at
        a time so that every rule is attributed to its plugin; a plugin that registers garbage
        or a section or code another plugin has is left out, named."""
        names = [CORE_PLUGIN, *(n for n in self._sources if n != CORE_PLUGIN)]
        for name in names:
            plugin = self._pm.get_plugin(name)
            if plugin is None:
                continue
            others = [p for n, p in self._pm.list_name_plugin() if n != name]
            caller = self._pm.subset_hook_caller("conciliazione_rules", remove_plugins=others)
            registered: list[object] = []
            try:
                caller(register=registered.append)
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                reason = _("raised in conciliazione_rules: {error}").format(error=_describe(exc))
                self._leave_out(name, plugin, reason)
                continue
            rules = self._rules
            try:
                for item in registered:
                    rules = rules.with_item(item, name)
            except ValueError as exc:
                reason = _("conciliazione_rules registered something unusable: {error}")
                self._leave_out(name, plugin, reason.format(error=exc))
                continue
            self._rules = rules

    def _leave_out(self, name: str, plugin: object, reason: str) -> None:
        """Record ``name`` as faulty and unregister it: none of its hooks run any more."""
        self._fail(self._sources[name], reason)
        self._pm.unregister(plugin)

    @property
    def rules(self) -> RuleRegistry:
        """Every registered rule and finding code, each attributed to its plugin."""
        return self._rules

    def _collect_cycles(self) -> None:
        from conciliazione_core.allocation import using_kinds

        claims: dict[str, list[tuple[_Source, Cycle]]] = {}
        for impl in reversed(self._pm.hook.conciliazione_cycles.get_hookimpls()):
            source = self._sources[impl.plugin_name]
            try:
                with using_kinds(self._kinds):
                    result = impl.function()
                cycles = self._validate_cycles(result)
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                self._fail(
                    source,
                    _("raised in conciliazione_cycles: {error}").format(error=_describe(exc)),
                )
                continue
            for cycle in cycles:
                stamped = attrs.evolve(
                    cycle,
                    distribution=cycle.distribution or source.distribution or source.name,
                    version=cycle.version or source.version,
                    envelope_kinds=self._kinds,
                )
                claims.setdefault(cycle.id, []).append((source, stamped))
        for cycle_id, claimants in sorted(claims.items()):
            if len(claimants) == 1:
                self._cycles[cycle_id] = claimants[0][1]
                continue
            self._conflicts[cycle_id] = [s for s, _ in claimants]
            names = _and(
                [
                    _("{distribution} (plugin {plugin})").format(
                        distribution=s.distribution or s.name, plugin=s.name
                    )
                    for s, _stamped in claimants
                ]
            )
            for source, _stamped in claimants:
                self._fail(
                    source,
                    _("cycle {cycle!r} is claimed by both {names}").format(
                        cycle=cycle_id, names=names
                    ),
                )

    @staticmethod
    def _validate_cycles(result: object) -> list[Cycle]:
        if not isinstance(result, Sequence) or isinstance(result, str | bytes):
            raise TypeError(f"returned {type(result).__name__}, expected a list of Cycle")
        bad = [type(c).__name__ for c in result if not isinstance(c, Cycle)]
        if bad:
            raise TypeError(f"returned {', '.join(bad)} where a Cycle was expected")
        return list(result)

    # -- answers -------------------------------------------------------------------------------

    @property
    def problems(self) -> tuple[PluginProblem, ...]:
        """The faulty plugins and why."""
        return tuple(self._problems)

    def cycles(self) -> dict[str, Cycle]:
        """The usable cycles by id, sorted."""
        return dict(sorted(self._cycles.items()))

    def cycle(self, cycle_id: str) -> Cycle:
        """One cycle; raises :class:`CycleNotFoundError` or, if its plugins clash, :class:`PluginError`."""
        if cycle_id in self._cycles:
            return self._cycles[cycle_id]
        if cycle_id in self._conflicts:
            claimants = self._conflicts[cycle_id]
            names = _and([s.distribution or s.name for s in claimants])
            raise PluginError(
                claimants[-1].name,
                _("cycle {cycle!r} is claimed by both {names}; remove one").format(
                    cycle=cycle_id, names=names
                ),
            )
        for problem in self._problems:
            if cycle_id.replace("-", "_") == problem.plugin or cycle_id == problem.plugin:
                raise PluginError(problem.plugin, problem.reason)
        # A plugin that failed before saying which cycles it provides may be the one asked
        # for under another name: name every such plugin rather than only "unknown cycle".
        # (A plugin in a clash did say: its cycles are all known.)
        clashing = {s.name for claimants in self._conflicts.values() for s in claimants}
        unknown = {p.plugin for p in self._problems} - clashing
        raise CycleNotFoundError(cycle_id, self._cycles, unknown)

    def plugins(self) -> list[PluginInfo]:
        """The healthy plugins, with the hooks they implement and the cycles they provide."""
        faulty = {p.plugin for p in self._problems}
        infos = []
        for name, source in sorted(self._sources.items()):
            if name in faulty or name == CORE_PLUGIN:
                continue
            plugin = self._pm.get_plugin(name)
            hooks = tuple(sorted(h.name for h in self._pm.get_hookcallers(plugin) or []))
            provided = tuple(c.id for c in self._cycles.values() if _from(c, source))
            infos.append(PluginInfo(name, source.distribution, source.version, hooks, provided))
        return infos

    def extra_findings(self, cycle: Cycle, document: Document) -> list[Finding]:
        """Findings from every plugin's ``conciliazione_checks`` hook; a raising plugin is named."""
        findings: list[Finding] = []
        for impl in reversed(self._pm.hook.conciliazione_checks.get_hookimpls()):
            try:
                raw = impl.function(cycle=cycle, document=document)
                if raw is not None and not isinstance(raw, Iterable):
                    raise TypeError(f"returned {type(raw).__name__}, expected a list of Finding")
                result: list[object] = list(raw) if raw is not None else []
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                raise PluginError(
                    impl.plugin_name,
                    _("raised in conciliazione_checks: {error}").format(error=_describe(exc)),
                ) from None
            bad = [type(f).__name__ for f in result if not isinstance(f, Finding)]
            if bad:
                raise PluginError(
                    impl.plugin_name,
                    _("conciliazione_checks returned {bad} where a Finding was expected").format(
                        bad=", ".join(bad)
                    ),
                )
            findings.extend(
                self._registered(f, impl.plugin_name, self._rules)
                for f in result
                if isinstance(f, Finding)
            )
        return findings

    @staticmethod
    def _registered(
        found: Finding, plugin: str, registry: RuleRegistry, own: bool = False
    ) -> Finding:
        """``found`` with its registered definition; PluginError naming ``plugin`` if the code
        is not registered (by ``plugin`` itself when ``own``), or its severity differs."""
        definition = registry.codes.get(found.code)
        if definition is None or (own and registry.code_owners[found.code] != plugin):
            raise PluginError(
                plugin,
                _("emitted finding code {code!r}, which it did not register").format(
                    code=found.code
                ),
            )
        if found.severity is not definition.severity:
            raise PluginError(
                plugin,
                _("emitted {code!r} as {given}; it is registered as {registered}").format(
                    code=found.code,
                    given=found.severity.value,
                    registered=definition.severity.value,
                ),
            )
        if found.definition is definition:
            return found
        return attrs.evolve(found, definition=definition)

    def rule_findings(self, cycle: Cycle, document: Document) -> list[Finding]:
        """The findings of every rule the cycle's ``[rules]`` sets; a raising rule's plugin is
        named (and so is a rule that emits a code it did not register)."""
        findings: list[Finding] = []
        registry = cycle.rules.registry  # the one the cycle was read with: normally this host's
        with using_registry(registry):
            for section_name, section in cycle.rules.items():
                rule = registry.rules[section_name]
                plugin = registry.owners[section_name]
                try:
                    found = list(rule.check(cycle, section, document))
                except BaseException as exc:
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    if isinstance(exc, PluginError):
                        raise
                    raise PluginError(
                        plugin,
                        _("rule [rules.{section}] raised: {error}").format(
                            section=section_name, error=_describe(exc)
                        ),
                    ) from None
                for f in found:
                    if not isinstance(f, Finding):
                        raise PluginError(
                            plugin,
                            _(
                                "rule [rules.{section}] returned {bad} where a Finding was expected"
                            ).format(section=section_name, bad=type(f).__name__),
                        )
                    findings.append(self._registered(f, plugin, registry, own=True))
        return findings

    def check(self, cycle: Cycle | str, document: Document, name: str = "document") -> Report:
        """Check a document against a cycle: its rules, then every plugin's extra checks."""
        resolved = self.cycle(cycle) if isinstance(cycle, str) else cycle
        findings = self.rule_findings(resolved, document)
        with using_registry(self._rules):
            findings += self.extra_findings(resolved, document)
        return Report(resolved.id, name, Report.sorted_findings(findings))


def _from(cycle: Cycle, source: _Source) -> bool:
    return cycle.distribution in {source.distribution, source.name}


_default: list[Host] = []


def default_host(refresh: bool = False) -> Host:
    """The process-wide host over installed plugins, built on first use."""
    if refresh or not _default:
        _default[:] = [Host()]
    return _default[0]
