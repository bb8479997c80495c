"""The plugin host: finds cycle plugins, isolates faulty ones, answers for cycles.

Plugins come from the ``conciliazione`` entry-point group. Each distribution also declares,
statically, the cycles it provides in the ``conciliazione.cycles`` group (``cycle-id =
"module"``, the module being one of its plugin entry points), so the host knows which plugin
provides which cycle without importing any: asking for one cycle imports only its plugin (and
the extension plugins, which declare no cycle and may extend any). ``CONCILIAZIONE_PLUGINS``
(comma-separated entry-point or distribution names) limits which plugins are considered.

Hooks are called through pluggy, one plugin at a time with every wrapper around it, so hook
wrappers and pluggy's tracing work while a fault is still pinned on the plugin that caused it.
A plugin that fails to import, raises, returns something invalid, prints, or clashes with
another is recorded as a :class:`PluginProblem` naming it; the other cycles keep working.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
import threading
import types
import typing
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from conciliazione_core import hookspecs
from conciliazione_core._errors import (
    ConciliazioneError,
    CycleNotFoundError,
    InputError,
    PluginError,
)
from conciliazione_core._findings import Finding, Report
from conciliazione_core._printable import printable
from conciliazione_core._rule_registry import (
    CORE_PLUGIN,
    RuleRegistry,
    core_registry,
    using_registry,
)
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    import datetime as dt
    from importlib.metadata import EntryPoint

    from conciliazione_core._cycle import Cycle
    from conciliazione_core._documents import Document
    from conciliazione_core.allocation import KindRegistry

__all__ = [
    "CYCLES_GROUP",
    "ENTRY_POINT_GROUP",
    "PLUGINS_ENV",
    "Host",
    "PluginInfo",
    "PluginProblem",
    "default_host",
]

ENTRY_POINT_GROUP = "conciliazione"
CYCLES_GROUP = "conciliazione.cycles"
"""Static declaration: ``cycle-id = "plugin.module"``, one line per cycle a distribution provides."""
PLUGINS_ENV = "CONCILIAZIONE_PLUGINS"

_KINDS_HOOK = "conciliazione_envelope_kinds"
_CORE_KINDS = "conciliazione_core.allocation"
"""The name the core's envelope kinds are registered under (``allocation._kinds.CORE_PLUGIN``;
named here so that discovery does not import the allocation engine; a test checks they agree)."""

_ORIGIN = "__conciliazione_plugin__"
"""Attribute set on an exception raised inside a hook: the plugin it came from."""


@attrs.frozen
class PluginInfo:
    """A plugin: its name, distribution, version, hooks and cycles, and why it is faulty if so."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    """The hooks it implements (for a faulty plugin, those it offered; none if it failed to
    import)."""
    cycles: tuple[str, ...]
    """The cycles it provides (for a faulty plugin, those it declares)."""
    problem: str | None = None
    """Why it is left out, or which cycle it made unusable; None for a healthy plugin."""

    @property
    def ok(self) -> bool:
        """Whether the plugin is healthy."""
        return self.problem is None


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
    """Where a plugin comes from, and what it declares before being imported."""

    name: str
    distribution: str | None
    version: str | None
    entry_point: EntryPoint | None = attrs.field(default=None, eq=False)
    declared: tuple[str, ...] | None = None
    """The cycle ids it declares; None for a plugin object given directly (it declares nothing)."""

    @property
    def label(self) -> str:
        return _("{distribution} (plugin {plugin})").format(
            distribution=self.distribution or self.name, plugin=self.name
        )


# ---- safe text and validation of what plugins hand over -------------------------------------------


def _safe_text(text: str, limit: int = 1000) -> str:
    """``text`` printable on any terminal, on one line, at most ``limit`` characters."""
    return printable(text, limit)


def _describe(exc: BaseException) -> str:
    """One line about an exception, even one whose ``__str__`` raises or lies."""
    if isinstance(exc, ConciliazioneError):
        try:  # a bad cycle.toml: every problem, not the first and a count
            return _safe_text(
                exc.every_problem() if isinstance(exc, InputError) else exc.one_line()
            )
        except Exception:  # a plugin's subclass may break one_line
            pass
    name = _safe_text(getattr(type(exc), "__name__", "exception"))
    try:
        text = str(exc)
        if not isinstance(text, str):
            raise TypeError
    except Exception:  # a plugin's exception may fail to print itself
        return _("{kind} (whose message cannot be shown)").format(kind=name)
    text = _safe_text(" ".join(text.split()))
    return f"{name}: {text}" if text else name


def _and(names: Sequence[str]) -> str:
    """``A and B and C`` in the current language."""
    joined = names[0]
    for name in names[1:]:
        joined = _("{first} and {second}").format(first=joined, second=name)
    return joined


@functools.cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    """The field types of a class; a name only imported for type checkers counts as Any."""
    unknown: dict[str, Any] = {}
    while True:
        try:
            return typing.get_type_hints(cls, localns=unknown)
        except NameError as exc:
            if exc.name is None or exc.name in unknown:
                raise
            unknown[exc.name] = Any


def _type_errors(value: object, hint: Any, path: str, depth: int = 0) -> list[str]:
    """Where ``value`` does not match the type ``hint`` (attrs classes are checked field by field)."""
    if hint is Any or depth > 8:
        return []
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        tries = [_type_errors(value, a, path, depth) for a in args]
        return [] if any(not t for t in tries) else min(tries, key=len)
    if origin is tuple:
        if not isinstance(value, tuple):
            return [f"{path} is {type(value).__name__}, expected a tuple"]
        item = args[0] if args else Any
        return [
            e for i, v in enumerate(value) for e in _type_errors(v, item, f"{path}[{i}]", depth)
        ]
    if origin is not None and isinstance(origin, type):
        if not isinstance(value, origin):
            return [f"{path} is {type(value).__name__}, expected {origin.__name__}"]
        if isinstance(value, Mapping) and len(args) == 2:
            return [
                e
                for k, v in value.items()
                for e in _type_errors(k, args[0], f"{path} key", depth)
                + _type_errors(v, args[1], f"{path}[{k!r}]", depth)
            ]
        return []
    if hint is type(None):
        return [] if value is None else [f"{path} is {type(value).__name__}, expected None"]
    if not isinstance(hint, type):
        return []
    if not isinstance(value, hint):
        return [f"{path} is {type(value).__name__}, expected {hint.__name__}"]
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [f"{path} is not valid Unicode text"]
    kind: type[Any] = type(value)
    if attrs.has(kind) and depth < 8:
        hints = _hints(kind)
        return [
            e
            for f in attrs.fields(kind)
            for e in _type_errors(
                getattr(value, f.name), hints[f.name], f"{path}.{f.name}", depth + 1
            )
        ]
    return []


def _check_cycle(value: object) -> str | None:
    from conciliazione_core._cycle import Cycle

    if not isinstance(value, Cycle):
        return _("returned {kind} where a Cycle was expected").format(kind=type(value).__name__)
    errors = _type_errors(value, Cycle, "cycle")
    if not errors and not value.id.strip():
        errors = ["cycle.id is empty"]
    if errors:
        return _("returned an invalid Cycle: {error}").format(error=_safe_text(errors[0]))
    return None


def _check_finding(value: object) -> str | None:
    if not isinstance(value, Finding):
        return _("returned {kind} where a Finding was expected").format(kind=type(value).__name__)
    errors = _type_errors(value, Finding, "finding")
    if errors:
        return _("returned an invalid Finding: {error}").format(error=_safe_text(errors[0]))
    return None


# ---- attribution: a plugin is registered behind a proxy that marks what it raises ---------------


def _mark(exc: BaseException, plugin: str) -> None:
    """Record that ``exc`` came from ``plugin``, unless a plugin nearer its origin already did."""
    if _ORIGIN not in getattr(exc, "__dict__", {}):
        with contextlib.suppress(Exception):
            setattr(exc, _ORIGIN, plugin)


def _origin(exc: BaseException) -> str | None:
    """The plugin ``exc`` came from, forgotten once read (a plugin may raise a stored one again)."""
    found = getattr(exc, "__dict__", {}).pop(_ORIGIN, None)
    return found if isinstance(found, str) else None


def _attributed(function: Callable[..., Any], plugin: str) -> Callable[..., Any]:
    """``function`` (a hook implementation) marking any exception it raises with ``plugin``."""
    if inspect.isgeneratorfunction(function):  # a wrapper: exceptions also come from its body

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            try:
                return (yield from function(*args, **kwargs))
            except BaseException as exc:
                _mark(exc, plugin)
                raise

        return wrapper

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BaseException as exc:
            _mark(exc, plugin)
            raise

    return call


class _Proxy:
    """What is registered with pluggy in a plugin's place: its hook functions, attributed."""

    def __init__(self, plugin: object, name: str) -> None:
        self.plugin = plugin
        for attr in dir(plugin):
            try:
                function = getattr(plugin, attr)
                marked = getattr(function, f"{hookspecs.PROJECT}_impl", None) is not None
            except Exception:  # what pluggy would not see either
                continue
            if marked and callable(function) and not attr.startswith("__"):
                setattr(self, attr, _attributed(function, name))


_redirect_lock = threading.Lock()
_redirect: list[Any] = []
"""The stdout saved by the first of the threads inside :func:`_contained`, one entry per thread."""


@contextlib.contextmanager
def _contained() -> Iterator[None]:
    """A plugin's prints go to stderr: stdout carries only the command's output (e.g. JSON).

    Counted rather than nested, so that threads entering and leaving in any order restore the
    real stdout when the last one leaves (``contextlib.redirect_stdout`` would not).
    """
    with _redirect_lock:
        _redirect.append(sys.stdout)
        if len(_redirect) == 1:
            sys.stdout = sys.stderr
    try:
        yield
    finally:
        with _redirect_lock:
            first = _redirect[0]
            _redirect.pop()
            if not _redirect:
                sys.stdout = first


class Host:
    """Knows the installed plugins, loads each one when needed, answers for cycles and checks.

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
        env = os.environ if environ is None else environ
        self._lock = threading.RLock()
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._sources: dict[str, _Source] = {}
        """Registered plugins."""
        self._pending: dict[str, _Source] = {}
        """Installed plugins not imported yet."""
        self._declared: dict[str, _Source] = {}
        """Cycle id -> the one plugin that declares it."""
        self._conflicts: dict[str, list[_Source]] = {}
        self._problems: list[PluginProblem] = []
        self._failed: dict[tuple[str, str | None], _Source] = {}
        """Where each faulty plugin comes from, for :meth:`plugins`."""
        self._offered: dict[str, tuple[str, ...]] = {}
        """The hooks each plugin offered when registered, even if it was left out since."""
        self._cycles: dict[str, Cycle] = {}
        self._asked: set[str] = set()
        """Plugins whose ``conciliazione_cycles`` has been called."""
        self._orphans: dict[str, _Source] = {}
        """Cycle ids declared by a plugin refused before loading (a name clash, a typo)."""
        self._rules = RuleRegistry()
        """Every rule and finding code registered so far, each attributed to its plugin."""
        self._kinds: KindRegistry
        """Every envelope kind registered so far, each attributed to its plugin (from _start)."""
        self._core = (CORE_PLUGIN, _CORE_KINDS)
        allowed = env.get(PLUGINS_ENV)
        wanted = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
        if use_entry_points:
            self._discover(wanted)
        self._given = list(plugins)
        self._direct = [name for name, _plugin in self._given]
        self._started = False

    def _start(self) -> None:
        """Register the core's standard rules and envelope kinds, then the plugin objects given
        directly (once, before any plugin is imported or asked).

        Not done by ``__init__``: they import the rules and the allocation engine, which
        discovery alone (:meth:`declared_cycles`) does not need.
        """
        with self._lock:  # other threads wait until it is done; this one may re-enter
            if self._started:
                return
            self._started = True
            from conciliazione_core import _rules as core_rules
            from conciliazione_core.allocation import _kinds

            self._kinds = _kinds.KindRegistry()
            # The core's standard rules and envelope kinds are its own first plugins,
            # registered (and collected) like any other, before any installed plugin.
            with using_registry(core_registry()):
                self._register(
                    CORE_PLUGIN, core_rules, _Source(CORE_PLUGIN, "conciliazione-core", None)
                )
                self._register(
                    _CORE_KINDS,
                    _kinds.core_plugin(),
                    _Source(_CORE_KINDS, "conciliazione-core", None),
                )
            for name, plugin in self._given:
                self._register(name, plugin, _Source(name, None, None))

    # -- discovery: metadata only, nothing imported ------------------------------------------------

    def _discover(self, wanted: set[str] | None) -> None:
        # Imported here: importlib.metadata (email, zipfile, csv...) is a fifth of the import
        # time, and only discovery needs it.
        from importlib.metadata import entry_points

        # One scan of the installed distributions for both groups (each ``entry_points(group=)``
        # call reads every distribution's entry_points.txt again), and each plugin
        # distribution's METADATA parsed once (``dist.name`` and ``dist.version`` parse it on
        # every read).
        installed = entry_points()
        about: dict[int, tuple[str, str]] = {}

        def named(ep: EntryPoint) -> tuple[str | None, str | None]:
            dist = ep.dist
            if dist is None:
                return None, None
            if id(dist) not in about:
                metadata = dist.metadata
                about[id(dist)] = (metadata["Name"], metadata["Version"])
            return about[id(dist)]

        by_name: dict[str, list[_Source]] = {}
        for ep in installed.select(group=ENTRY_POINT_GROUP):
            source = _Source(ep.name, *named(ep), ep)
            if wanted is None or ep.name in wanted or source.distribution in wanted:
                by_name.setdefault(ep.name, []).append(source)
        declarations: dict[tuple[str | None, str], list[str]] = {}
        for ep in installed.select(group=CYCLES_GROUP):
            key = (named(ep)[0], ep.value.strip())
            declarations.setdefault(key, []).append(ep.name)
        claimed: dict[str, list[_Source]] = {}
        for name, sources in sorted(by_name.items()):
            if len(sources) > 1:
                names = _and(sorted(s.label for s in sources))
                for source in sources:
                    assert source.entry_point is not None
                    key = (source.distribution, source.entry_point.value)
                    for cycle_id in declarations.pop(key, []):
                        self._orphans.setdefault(cycle_id, source)
                    self._fail(
                        source,
                        _(
                            "the plugin name {name!r} is declared by both {names}; remove one"
                        ).format(name=name, names=names),
                    )
                continue
            [source] = sources
            assert source.entry_point is not None
            ids = tuple(
                sorted(declarations.pop((source.distribution, source.entry_point.value), []))
            )
            source = attrs.evolve(source, declared=ids)
            self._pending[name] = source
            for cycle_id in ids:
                claimed.setdefault(cycle_id, []).append(source)
        for cycle_id, sources in sorted(claimed.items()):
            if len(sources) == 1:
                self._declared[cycle_id] = sources[0]
            else:
                self._clash(cycle_id, sources)
        for (dist_name, module), orphan_ids in sorted(declarations.items(), key=str):
            if wanted is not None and dist_name not in wanted:
                continue
            # A declaration naming a module that is none of the distribution's plugins (a typo):
            # the cycle cannot load, and saying so beats "unknown cycle".
            orphan = _Source(module, dist_name, None)
            self._fail(
                orphan,
                _(
                    "declares the cycles [{declared}] in the entry-point group {group!r} for the "
                    "module {module!r}, which is not one of its {plugins!r} entry points"
                ).format(
                    declared=", ".join(sorted(orphan_ids)),
                    group=CYCLES_GROUP,
                    module=module,
                    plugins=ENTRY_POINT_GROUP,
                ),
            )
            for cycle_id in orphan_ids:
                self._orphans.setdefault(cycle_id, orphan)

    def _clash(self, cycle_id: str, sources: list[_Source]) -> None:
        self._conflicts[cycle_id] = sources
        names = _and(sorted(s.label for s in sources))
        for source in sources:
            self._fail(
                source,
                _("cycle {cycle!r} is claimed by both {names}").format(cycle=cycle_id, names=names),
            )

    # -- loading: import, register, collect --------------------------------------------------------

    def _fail(self, source: _Source, reason: str) -> None:
        problem = PluginProblem(source.name, source.distribution, _safe_text(reason, 4000))
        self._failed.setdefault((source.name, source.distribution), source)
        if problem not in self._problems:
            self._problems.append(problem)

    def _faulty(self, name: str) -> bool:
        return any(p.plugin == name for p in self._problems)

    def _import(self, source: _Source) -> None:
        """Import an installed plugin and register it (once)."""
        self._start()
        if self._pending.pop(source.name, None) is None:
            return
        assert source.entry_point is not None
        try:
            with _contained():
                plugin = source.entry_point.load()
        except KeyboardInterrupt as exc:
            raise KeyboardInterrupt(
                _("interrupted while importing the plugin {plugin}").format(plugin=source.label)
            ) from exc
        except BaseException as exc:  # a plugin's import must never take the host down
            self._fail(source, _("failed to import: {error}").format(error=_describe(exc)))
            return
        self._register(source.name, plugin, source)

    def _register(self, name: str, plugin: object, source: _Source) -> None:
        proxy = _Proxy(plugin, name)
        self._offered[name] = tuple(sorted(a for a in vars(proxy) if a != "plugin"))
        try:
            self._pm.register(proxy, name=name)
            self._pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self._pm.is_registered(proxy):
                self._pm.unregister(proxy)
            self._fail(source, _("invalid hooks: {error}").format(error=_describe(exc)))
            return
        self._sources[name] = source
        self._registered(name)

    def _registered(self, name: str) -> None:
        """Collect what a plugin registers (rules, finding codes, envelope kinds) right after it
        is registered, before any cycle of it is read; a fault leaves the plugin out, named."""
        source = self._sources[name]
        try:
            rules = self._rules
            for item in self._registrations("conciliazione_rules", name):
                try:
                    rules = rules.with_item(item, name)
                except ValueError as exc:
                    reason = _("conciliazione_rules registered something unusable: {error}")
                    raise PluginError(name, reason.format(error=exc)) from None
            offered = self._registrations(_KINDS_HOOK, name)
            try:
                kinds = self._kinds.with_plugin(name, offered)
            except ValueError as exc:
                raise PluginError(name, str(exc)) from None
        except PluginError as exc:
            self._leave_out(name, source, exc.reason)
        else:
            self._rules, self._kinds = rules, kinds

    def _registrations(self, hook: str, name: str) -> list[object]:
        """What plugin ``name`` passes to ``register`` in its implementation of ``hook``."""
        if name not in self._implements(hook):
            return []
        registered: list[object] = []
        self._call(hook, name, register=registered.append)
        return registered

    def _leave_out(self, name: str, source: _Source, reason: str) -> None:
        """Record ``name`` as faulty and unregister it: none of its hooks run any more."""
        self._fail(source, reason)
        plugin = self._pm.get_plugin(name)
        if plugin is not None:
            self._pm.unregister(plugin)

    def _call(self, hook: str, name: str | None, **kwargs: Any) -> list[Any]:
        """Call one plugin's implementation of ``hook`` through pluggy, wrapped by every wrapper.

        ``name=None`` calls the wrappers alone. Raises :class:`PluginError` naming the plugin
        (or the wrapper) that raised.
        """
        others = [
            self._pm.get_plugin(impl.plugin_name)
            for impl in getattr(self._pm.hook, hook).get_hookimpls()
            if impl.plugin_name != name and not (impl.wrapper or impl.hookwrapper)
        ]
        caller = self._pm.subset_hook_caller(hook, remove_plugins=others)
        try:
            with _contained():
                return list(caller(**kwargs))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            raise PluginError(
                _origin(exc) or name or hook,
                _("raised in {hook}: {error}").format(hook=hook, error=_describe(exc)),
            ) from None

    def _implements(self, hook: str) -> list[str]:
        """The registered, healthy plugins implementing ``hook`` (not as a wrapper), in call order."""
        self._start()
        return [
            impl.plugin_name
            for impl in reversed(getattr(self._pm.hook, hook).get_hookimpls())
            if not (impl.wrapper or impl.hookwrapper) and not self._faulty(impl.plugin_name)
        ]

    @contextlib.contextmanager
    def _registries(self) -> Iterator[None]:
        """This host's rules and envelope kinds, for a cycle read or checked inside."""
        from conciliazione_core.allocation import using_kinds

        self._start()
        with using_registry(self._rules), using_kinds(self._kinds):
            yield

    def _load_extensions(self) -> None:
        """Import the installed plugins that declare no cycle: they may extend any cycle."""
        self._start()
        for source in list(self._pending.values()):
            if not source.declared:
                self._import(source)

    def _ask(self, name: str) -> None:
        """Read the cycles one registered plugin provides (once), checking them one by one."""
        if name in self._asked or name not in self._sources or self._faulty(name):
            return
        self._asked.add(name)
        source = self._sources[name]
        if name not in self._implements("conciliazione_cycles"):
            results: list[Any] = []
        else:
            try:
                with self._registries():
                    results = self._call("conciliazione_cycles", name)
            except PluginError as exc:
                self._fail(self._sources.get(exc.plugin, source), exc.reason)
                return
        try:
            self._accept(name, source, results)
        except Exception as exc:  # e.g. a Cycle subclass whose attributes raise when read
            self._fail(
                source,
                _("conciliazione_cycles returned something that cannot be read: {error}").format(
                    error=_describe(exc)
                ),
            )

    def _accept(self, name: str, source: _Source, results: list[Any]) -> None:
        """Check what ``conciliazione_cycles`` returned against the types and the declaration."""
        from conciliazione_core._cycle import Cycle

        found: list[Cycle] = []
        for result in results:
            if result is None:
                result = []
            if not isinstance(result, Sequence) or isinstance(result, str | bytes):
                self._fail(
                    source,
                    _("conciliazione_cycles returned {kind}, expected a list of Cycle").format(
                        kind=type(result).__name__
                    ),
                )
                return
            bad = [type(c).__name__ for c in result if not isinstance(c, Cycle)]
            if bad:
                self._fail(
                    source,
                    _("conciliazione_cycles returned {bad} where a Cycle was expected").format(
                        bad=", ".join(bad)
                    ),
                )
                return
            for cycle in result:
                reason = _check_cycle(cycle)
                if reason is not None:
                    self._fail(source, "conciliazione_cycles " + reason)
                    return
                found.append(cycle)
        if not results and name in self._implements("conciliazione_cycles"):
            self._fail(
                source, _("conciliazione_cycles returned NoneType, expected a list of Cycle")
            )
            return
        ids = [c.id for c in found]
        if source.declared is not None:
            undeclared = sorted(set(ids) - set(source.declared))
            missing = sorted(set(source.declared) - set(ids))
            if undeclared or missing:
                self._fail(
                    source,
                    _(
                        "declares the cycles [{declared}] in the entry-point group {group!r} "
                        "but provides [{provided}]"
                    ).format(
                        declared=", ".join(source.declared),
                        group=CYCLES_GROUP,
                        provided=", ".join(sorted(ids)),
                    ),
                )
                return
        if len(set(ids)) != len(ids):
            self._fail(source, _("conciliazione_cycles returned one cycle id twice"))
            return
        for cycle in found:
            # An installed plugin's distribution is what its metadata says, not what it claims.
            stamped = attrs.evolve(
                cycle,
                distribution=source.distribution or cycle.distribution or source.name,
                version=source.version or cycle.version,
            )
            holder = self._declared.get(cycle.id)
            if cycle.id in self._conflicts or (holder is not None and holder.name != name):
                sources = self._conflicts.get(cycle.id) or ([holder] if holder else [])
                self._cycles.pop(cycle.id, None)
                self._clash(cycle.id, [*sources, source])
                continue
            if cycle.id in self._cycles:
                other = self._cycles.pop(cycle.id)
                owner = next(
                    (s for n, s in self._sources.items() if _from(other, s) and n != name), source
                )
                self._clash(cycle.id, [owner, source])
                continue
            self._cycles[cycle.id] = stamped

    def _load_direct(self) -> None:
        """Read the cycles of the plugin objects given directly (they declare nothing)."""
        self._start()
        for name, source in list(self._sources.items()):
            if source.entry_point is None:
                self._ask(name)

    def _load_cycle_plugin(self, cycle_id: str) -> None:
        self._load_extensions()
        self._load_direct()
        source = self._declared.get(cycle_id)
        if source is not None:
            self._import(source)
            self._ask(source.name)

    def _load_all(self) -> None:
        self._load_extensions()
        self._load_direct()
        for source in list(self._pending.values()):
            self._import(source)
        for name in list(self._sources):
            self._ask(name)

    # -- answers -------------------------------------------------------------------------------

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The pluggy manager, for tracing (``enable_tracing``) and hook monitoring.

        Plugins are registered behind proxies that pin each exception on its plugin; register
        nothing here directly (use ``Host(plugins=...)``).
        """
        self._start()
        return self._pm

    @property
    def problems(self) -> tuple[PluginProblem, ...]:
        """The faulty plugins and why (imports every plugin, to find out)."""
        with self._lock:
            self._load_all()
            return tuple(self._problems)

    @property
    def rules(self) -> RuleRegistry:
        """Every registered rule and finding code, each attributed to its plugin (imports every
        plugin, since any may bring one)."""
        with self._lock:
            self._load_all()
            return self._rules

    @property
    def envelope_kinds(self) -> KindRegistry:
        """The envelope kinds cycles may use: the core's, then the plugins' (imports every
        plugin, since any may bring one)."""
        with self._lock:
            self._load_all()
            return self._kinds

    def declared_cycles(self) -> dict[str, str]:
        """Every cycle id the installed plugins declare, with the plugin declaring it: no import."""
        return {k: s.name for k, s in sorted(self._declared.items())}

    def cycles(self) -> dict[str, Cycle]:
        """The usable cycles by id, sorted (imports every plugin)."""
        with self._lock:
            self._load_all()
            return dict(sorted(self._cycles.items()))

    def cycle(self, cycle_id: str) -> Cycle:
        """One cycle; raises :class:`CycleNotFoundError` or, if its plugin is faulty, :class:`PluginError`.

        Imports only the plugin that declares ``cycle_id`` (and the extension plugins).
        """
        with self._lock:
            self._load_cycle_plugin(cycle_id)
            if cycle_id in self._conflicts:
                claimants = self._conflicts[cycle_id]
                raise PluginError(
                    claimants[-1].name,
                    _("cycle {cycle!r} is claimed by both {names}; remove one").format(
                        cycle=cycle_id, names=_and(sorted(s.label for s in claimants))
                    ),
                )
            if cycle_id in self._cycles:
                return self._cycles[cycle_id]
            source = self._declared.get(cycle_id) or self._orphans.get(cycle_id)
            for problem in self._problems:
                if source is not None and problem.plugin == source.name:
                    raise PluginError(problem.plugin, problem.reason)
            for problem in self._problems:
                if cycle_id.replace("-", "_") == problem.plugin or cycle_id == problem.plugin:
                    raise PluginError(problem.plugin, problem.reason)
            # Installed plugins declare their cycles, so none of them provides this one; a plugin
            # object given directly declares nothing: if it failed, it may be the one asked for.
            unknown = {p.plugin for p in self._problems if p.plugin in self._direct}
            known = set(self._cycles) | set(self._declared)
            raise CycleNotFoundError(cycle_id, known, unknown)

    def plugins(self, faulty: bool = False) -> list[PluginInfo]:
        """The healthy plugins, with the hooks they implement and the cycles they provide.

        ``faulty=True`` lists the faulty plugins too, by name, each with its reason in
        :attr:`PluginInfo.problem` (imports every plugin, which listing hooks requires).
        """
        with self._lock:
            self._load_all()
            infos: dict[tuple[str, str], PluginInfo] = {}
            for name, source in sorted(self._sources.items()):
                if self._faulty(name) or name in self._core:
                    continue
                proxy = self._pm.get_plugin(name)
                hooks = tuple(sorted(h.name for h in self._pm.get_hookcallers(proxy) or []))
                provided = tuple(c.id for c in self._cycles.values() if _from(c, source))
                infos[name, source.distribution or ""] = PluginInfo(
                    name, source.distribution, source.version, hooks, provided
                )
            if faulty:
                for (name, dist), source in self._failed.items():
                    reasons = [
                        p.reason
                        for p in self._problems
                        if p.plugin == name and p.distribution == dist
                    ]
                    infos[name, dist or ""] = PluginInfo(
                        name,
                        source.distribution,
                        source.version,
                        self._offered.get(name, ()),
                        source.declared or (),
                        "; ".join(reasons),
                    )
            return [infos[key] for key in sorted(infos)]

    def distributions(self) -> dict[str, str | None]:
        """The installed plugins' distributions with their versions, sorted: from their
        metadata, importing none (``conciliazione --version``)."""
        with self._lock:
            found: dict[str, str | None] = {}
            for source in (
                *self._pending.values(),
                *self._sources.values(),
                *self._failed.values(),
            ):
                if source.distribution is not None and source.name not in self._core:
                    found[source.distribution] = found.get(source.distribution) or source.version
            return dict(sorted(found.items()))

    def extra_findings(self, cycle: Cycle, document: Document) -> list[Finding]:
        """Findings from the plugins' ``conciliazione_checks`` hooks; a faulty plugin is named.

        The plugins asked are the extension plugins and the one that provides ``cycle``.
        """
        with self._lock:
            self._load_cycle_plugin(cycle.id)
            names = self._implements("conciliazione_checks")
        findings: list[Finding] = []
        called: list[str | None] = [*names] or [None]
        for name in called:  # with no checks, wrappers and tracing still see the call
            for raw in self._call("conciliazione_checks", name, cycle=cycle, document=document):
                culprit = name or "conciliazione_checks"
                if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
                    raise PluginError(
                        culprit,
                        _(
                            "conciliazione_checks returned {kind}, expected a list of Finding"
                        ).format(kind=type(raw).__name__),
                    )
                try:
                    items = list(raw)
                except Exception as exc:  # a plugin's iterable may raise
                    raise PluginError(
                        _origin(exc) or culprit,
                        _("raised in conciliazione_checks: {error}").format(error=_describe(exc)),
                    ) from None
                for item in items:
                    try:
                        reason = _check_finding(item)
                    except Exception as exc:  # a Finding subclass whose attributes raise
                        reason = _("returned a Finding that cannot be read: {error}").format(
                            error=_describe(exc)
                        )
                    if reason is not None:
                        raise PluginError(culprit, "conciliazione_checks " + reason)
                    findings.append(_with_definition(item, culprit, self._rules))
        return findings

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
                    with _contained():
                        found = list(rule.check(cycle, section, document))
                except KeyboardInterrupt:
                    raise
                except PluginError:
                    raise
                except BaseException as exc:
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
                    findings.append(_with_definition(f, plugin, registry, own=True))
        return findings

    def check(
        self,
        cycle: Cycle | str,
        document: Document,
        name: str = "document",
        *,
        today: dt.date | None = None,
    ) -> Report:
        """Check a document against a cycle: its rules, then the plugins' extra checks.

        ``today`` is the reference date of the rules that read one (which dates are in the
        future); None: no such date, so none is judged to be in the future. The host never
        reads the clock: :func:`conciliazione_core.check` passes today's date by default.
        """
        resolved = self.cycle(cycle) if isinstance(cycle, str) else cycle
        if today is not None:
            import datetime as dt

            from conciliazione_core._errors import InputError

            if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
                raise InputError.at(
                    "today",
                    _("expected a date (datetime.date) or None, got {kind}").format(
                        kind=type(today).__name__
                    ),
                )
            resolved = attrs.evolve(resolved, rules=resolved.rules.on(today))
        findings = self.rule_findings(resolved, document)
        with self._registries():
            findings += self.extra_findings(resolved, document)
        return Report(resolved.id, name, Report.sorted_findings(findings))


def _with_definition(
    found: Finding, plugin: str, registry: RuleRegistry, own: bool = False
) -> Finding:
    """``found`` with its registered definition; PluginError naming ``plugin`` if the code is
    not registered (by ``plugin`` itself when ``own``), or its severity differs."""
    definition = registry.codes.get(found.code)
    if definition is None or (own and registry.code_owners[found.code] != plugin):
        raise PluginError(
            plugin,
            _("emitted finding code {code!r}, which it did not register").format(code=found.code),
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


def _from(cycle: Cycle, source: _Source) -> bool:
    return cycle.distribution in {source.distribution, source.name}


_default: list[Host] = []
_default_lock = threading.Lock()


def default_host(refresh: bool = False) -> Host:
    """The process-wide host over installed plugins, built on first use."""
    with _default_lock:
        if refresh or not _default:
            _default[:] = [Host()]
        return _default[0]
