"""Envelope kinds: the contract a kind implements, and the registry plugins add kinds to.

An envelope kind is everything the core needs to know about one ``kind = "..."`` of the
``[allocation]`` table: the keys it reads and the attrs class they become, the checks that need
the recipients, how it allocates, how it explains one recipient's amount and how it describes
itself for ``diff`` and the docs. The core's own kinds (``retained``, ``fixed``, ``equal``,
``proportional``) are registered through the same hook as a plugin's, so the engine, the
explanations, the renderers, ``diff`` and the docs never name a kind: they ask the envelope's kind.

Plugins register kinds from the ``conciliazione_envelope_kinds(register)`` hook; the host collects
them one plugin at a time (:func:`collect_kinds`), refuses garbage and a name already taken
(naming the plugin), and the resulting :class:`KindRegistry` is the one cycles are read with.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar, cast

import attrs

from conciliazione_core._errors import ConciliazioneError, PluginError, Problem
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    import pluggy

    from conciliazione_core._indicators import IndicatorRow, IndicatorTable
    from conciliazione_core._legal import LegalBasis
    from conciliazione_core._money import Money
    from conciliazione_core.allocation._envelopes import AllocationPlan, Envelope
    from conciliazione_core.allocation._result import (
        Component,
        EnvelopeOutcome,
        IndicatorInput,
        RetainedLine,
    )
    from conciliazione_core.allocation._rounding import Rounding

__all__ = [
    "CORE_PLUGIN",
    "AllocationContext",
    "EnvelopeKind",
    "EnvelopeReader",
    "Explained",
    "KindRegistry",
    "RegisteredKind",
    "active_kinds",
    "blame",
    "collect_kinds",
    "default_kinds",
    "is_core",
    "kind_of",
    "use_core_plugin",
    "using_kinds",
]

CORE_PLUGIN = "conciliazione_core.allocation"
"""The name the core's own envelope kinds are registered under."""

HOOK = "conciliazione_envelope_kinds"

E = TypeVar("E", bound="Envelope")


class EnvelopeReader(Protocol):
    """What a kind reads its keys with: each helper notes a problem (with its path) and
    returns None for a bad value, so every problem of a file is reported at once."""

    def add(self, path: str, message: str) -> None:
        """Note a problem at ``path``."""

    def text(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        """A non-empty string."""

    def money(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> Money | None:
        """An exact amount in euros (``"1000.50"``; floats refused)."""

    def fraction(self, value: object, path: str, *, at_most_one: bool = False) -> Fraction | None:
        """An exact non-negative number (``"0.8"``, ``"4/5"``, ``"80%"``)."""

    def basis(
        self, data: Mapping[str, Any], path: str, *, required: bool = True
    ) -> tuple[str, LegalBasis] | None:
        """``data["basis"]``, a key of the cycle's citations, with the act it names."""

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        """A table of keys and values."""

    def keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], path: str, what: str) -> None:
        """Note every key of ``data`` not in ``allowed``."""

    def whole_units(self, amount: Money | None, unit: Money, path: str) -> None:
        """Note an amount that is not a whole number of rounding units."""


@attrs.frozen
class AllocationContext:
    """What the engine hands a kind to allocate one envelope."""

    plan: AllocationPlan
    ids: tuple[str, ...]
    """The recipient ids, in input order (every per-recipient tuple follows it)."""
    table: IndicatorTable | None
    """The indicator table (None when none was given; then no envelope reading it is computed)."""
    permutation: list[int] | None
    """``permutation[i]`` is the table row of recipient ``i`` (None: the same order)."""
    rounding: Rounding
    """The envelope's rounding rule (its own, else the plan's)."""
    path: str
    """Where the envelope is in the parameter file, for errors (``$.allocation.envelopes[1]``)."""


@attrs.frozen
class Explained:
    """One recipient's quota from one envelope, and what it came from."""

    quota: Fraction
    """The exact quota in rounding units, before rounding."""
    inputs: tuple[IndicatorInput, ...] = ()
    bound: Literal["floor", "cap"] | None = None
    citation: tuple[str, LegalBasis] | None = None
    """The citation that gave this recipient's amount, when not the envelope's own."""


class EnvelopeKind(abc.ABC, Generic[E]):
    """The contract of an envelope kind; subclass it and register an instance.

    Class attributes: :attr:`kind` (the name written in ``kind = "..."``), :attr:`parameters`
    (the frozen attrs class an envelope of this kind becomes), :attr:`keys` (the keys it reads
    besides ``id``, ``kind``, ``label``, ``basis``, ``note`` and, for a recipient-level kind,
    ``split``, ``split_overrides``, ``tranches`` and ``rounding``, which the core reads),
    :attr:`recipient_level` (False for an amount the payer keeps) and :attr:`summary`.
    """

    kind: ClassVar[str]
    parameters: ClassVar[type[Any]]
    keys: ClassVar[tuple[str, ...]] = ()
    recipient_level: ClassVar[bool] = True
    summary: ClassVar[str] = ""

    @abc.abstractmethod
    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        """Read this kind's own keys of ``raw`` (at ``path``) into keyword arguments of
        :attr:`parameters`; note problems on ``reader``. ``rounding`` is the envelope's rule.

        The core adds ``id``, ``label``, ``basis``, ``citation``, ``note`` (and ``split``,
        ``tranches``, ``rounding`` for a recipient-level kind) and builds the envelope when no
        problem was noted.
        """

    def amount(self, envelope: E, n: int) -> Money:
        """What the envelope hands out among ``n`` recipients: its ``amount``, by default.

        A kind whose envelopes state no amount (one per recipient, say) overrides this; not doing
        so is the kind's error, which the host reports naming its plugin.
        """
        amount = envelope.amount
        if amount is None:
            raise TypeError(
                f"{type(self).__name__}: its envelopes state no amount, so it must override amount()"
            )
        return amount

    def indicators(self, envelope: E) -> tuple[str, ...]:
        """The indicators the envelope reads (none: it needs no indicator table)."""
        return ()

    def check(self, envelope: E, ids: Sequence[str], path: str) -> list[Problem]:
        """The problems that show only once the recipients are known."""
        return []

    @abc.abstractmethod
    def allocate(self, envelope: E, context: AllocationContext) -> EnvelopeOutcome | RetainedLine:
        """The envelope computed: an outcome in rounding units per recipient (the engine cuts
        it into split parts and tranches), or the line of an amount the payer keeps."""

    def explain(
        self,
        envelope: E,
        outcome: EnvelopeOutcome,
        index: int,
        recipient_id: str,
        row: IndicatorRow | None,
    ) -> Explained:
        """The exact quota of ``recipient_id``, at input position ``index`` of the outcome, with
        its indicator ``row`` if any (default: the outcome's scale, the same for everybody)."""
        return Explained(outcome.scale)

    @abc.abstractmethod
    def explain_text(self, envelope: E, component: Component, lang: str) -> str:
        """How the component's exact quota was reached, in words (``lang``: number format)."""

    def how(self, envelope: E) -> str:
        """A few words on how the envelope is split, for the docs (``"equal shares"``)."""
        return self.summary

    def describe(self, envelope: E) -> dict[str, str | None]:
        """Aspects of the envelope for ``diff``, by aspect name (``"kind and amount"`` first)."""
        amount = envelope.amount
        shown = "-" if amount is None else amount.format()
        return {"kind and amount": f"{self.kind}, {shown}"}


@attrs.frozen
class RegisteredKind:
    """A kind and the plugin that registered it."""

    kind: EnvelopeKind[Any]
    plugin: str


@attrs.frozen
class KindRegistry:
    """The envelope kinds a cycle may use, by name, in the order they were registered."""

    entries: tuple[RegisteredKind, ...] = ()

    def __iter__(self) -> Iterator[RegisteredKind]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def names(self) -> tuple[str, ...]:
        return tuple(e.kind.kind for e in self.entries)

    def get(self, name: object) -> EnvelopeKind[Any] | None:
        """The kind called ``name`` (None if no plugin registered it)."""
        for entry in self.entries:
            if entry.kind.kind == name:
                return entry.kind
        return None

    def plugin_of(self, name: str) -> str | None:
        """The plugin that registered the kind called ``name``."""
        for entry in self.entries:
            if entry.kind.kind == name:
                return entry.plugin
        return None

    def with_plugin(self, plugin: str, offered: Sequence[object]) -> KindRegistry:
        """This registry and the kinds ``plugin`` offered, all of them or none.

        Raises ValueError with the reason when one is not a sound kind, or its name or envelope
        class is taken (by another plugin, or by another of its own).
        """
        mine: list[RegisteredKind] = []
        for kind in offered:
            reason = _faults(kind)
            if reason is None and isinstance(kind, EnvelopeKind):
                reason = _taken(kind, [*self.entries, *mine])
            if reason is not None:
                raise ValueError(reason)
            mine.append(RegisteredKind(cast("EnvelopeKind[Any]", kind), plugin))
        for entry in mine:
            _BY_CLASS[entry.kind.parameters] = entry.kind
            _PLUGIN_OF[type(entry.kind)] = entry.plugin
        return KindRegistry((*self.entries, *mine))


# Every kind ever accepted, by the class of its envelopes: the engine finds an envelope's kind
# from the envelope itself, whichever registry read it.
_BY_CLASS: dict[type[Any], EnvelopeKind[Any]] = {}
_PLUGIN_OF: dict[type[Any], str] = {}
"""The plugin that registered each kind class, to name it when the kind fails."""
_CORE: list[object] = []
_DEFAULT: list[KindRegistry] = []
_ACTIVE: ContextVar[KindRegistry | None] = ContextVar("conciliazione_envelope_kinds", default=None)

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CORE_KEYS = (
    "id",
    "kind",
    "label",
    "basis",
    "note",
    "split",
    "split_overrides",
    "split_unit",
    "tranches",
    "rounding",
)
_METHODS = (
    "read",
    "amount",
    "indicators",
    "check",
    "allocate",
    "explain",
    "explain_text",
    "how",
    "describe",
)


def use_core_plugin(plugin: object) -> None:
    """Set the core's own plugin (the built-in kinds); called once by the package."""
    _CORE[:] = [plugin]
    _DEFAULT.clear()


def core_plugin() -> object:
    """The core's own plugin object, to register in a plugin manager."""
    return _CORE[0]


def default_kinds() -> KindRegistry:
    """The core's own kinds, registered through the hook like any plugin's."""
    if not _DEFAULT:
        import pluggy

        from conciliazione_core import hookspecs

        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        pm.register(core_plugin(), name=CORE_PLUGIN)
        registry, problems = collect_kinds(pm, [CORE_PLUGIN])
        if problems:
            raise AssertionError(f"the core's envelope kinds are faulty: {problems}")
        _DEFAULT.append(registry)
    return _DEFAULT[0]


def active_kinds() -> KindRegistry:
    """The registry cycles are read with here: the host's while it loads plugins' cycles
    (see :func:`using_kinds`), else the core's own kinds."""
    return _ACTIVE.get() or default_kinds()


@contextmanager
def using_kinds(registry: KindRegistry) -> Iterator[KindRegistry]:
    """Read cycles with ``registry`` inside the block (in this thread or task only)."""
    token = _ACTIVE.set(registry)
    try:
        yield registry
    finally:
        _ACTIVE.reset(token)


def kind_of(envelope: object) -> EnvelopeKind[Any]:
    """The kind of an envelope, found from its class."""
    if not _DEFAULT:
        default_kinds()
    found = _BY_CLASS.get(type(envelope))
    if found is None:
        raise TypeError(
            f"{type(envelope).__name__} is not the envelope class of a registered envelope kind"
        )
    return found


def is_core(kind: EnvelopeKind[Any]) -> bool:
    """Whether the kind is one of the core's own (whose results the engine need not re-check)."""
    return _PLUGIN_OF.get(type(kind)) == CORE_PLUGIN


def blame(kind: EnvelopeKind[Any], step: str, exc: Exception) -> None:
    """Raise a :class:`PluginError` naming the plugin when a plugin's kind raised ``exc`` in
    ``step``; return (for the caller to re-raise) for the library's own errors and for the
    core's own kinds, whose bugs keep their traceback."""
    plugin = _PLUGIN_OF.get(type(kind))
    if isinstance(exc, ConciliazioneError) or plugin is None or plugin == CORE_PLUGIN:
        return
    raise PluginError(
        plugin,
        _("envelope kind {name!r} failed in {step}: {error}").format(
            name=kind.kind, step=step, error=_error(exc)
        ),
    ) from exc


def _faults(kind: object) -> str | None:
    """Why ``kind`` cannot be an envelope kind (None if it can)."""
    if not isinstance(kind, EnvelopeKind):
        return _("registered {value}, which is not an EnvelopeKind").format(value=_shown(kind))
    name = getattr(kind, "kind", None)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return _(
            "registered an envelope kind named {name}; a name is lower-case letters, digits "
            "and underscores, starting with a letter"
        ).format(name=_shown(name))
    parameters = getattr(kind, "parameters", None)
    if not isinstance(parameters, type) or not attrs.has(parameters):
        return _(
            "envelope kind {name!r}: its parameters must be an attrs class, not {value}"
        ).format(name=name, value=_shown(parameters))
    keys = getattr(kind, "keys", None)
    if not isinstance(keys, tuple) or not all(isinstance(k, str) for k in keys):
        return _("envelope kind {name!r}: its keys must be a tuple of strings, not {value}").format(
            name=name, value=_shown(keys)
        )
    taken = sorted(set(keys) & set(_CORE_KEYS))
    if taken:
        return _("envelope kind {name!r}: the core reads the key(s) {keys} itself").format(
            name=name, keys=", ".join(taken)
        )
    if not isinstance(getattr(kind, "recipient_level", None), bool):
        return _("envelope kind {name!r}: recipient_level must be True or False").format(name=name)
    for method in _METHODS:
        if not callable(getattr(kind, method, None)):
            return _("envelope kind {name!r}: {method} is not callable").format(
                name=name, method=method
            )
    return None


def _shown(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a plugin's object whose repr raises is still named by its type
        text = f"<{type(value).__name__}>"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 60 else text[:57] + "..."


def _error(exc: BaseException) -> str:
    if isinstance(exc, ConciliazioneError):
        return exc.one_line()
    try:
        text = " ".join(str(exc).split())
    except Exception:
        text = ""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def collect_kinds(
    pm: pluggy.PluginManager, plugins: Sequence[str]
) -> tuple[KindRegistry, list[tuple[str, str]]]:
    """The kinds that ``plugins`` register, in that order, through the hook of ``pm``.

    Each plugin's hook is called on its own (so one plugin's failure leaves the others' kinds),
    and a plugin's registrations count only if all of them are sound. Returns the registry and
    ``(plugin, reason)`` for every plugin left out: a hook that raises, something that is not an
    envelope kind, a kind name or envelope class already taken.
    """
    registry = KindRegistry()
    problems: list[tuple[str, str]] = []
    everyone = [p for p in (pm.get_plugin(n) for n in plugins) if p is not None]
    for name in plugins:
        plugin = pm.get_plugin(name)
        if plugin is None:
            continue
        offered: list[object] = []
        caller: Callable[..., object] = pm.subset_hook_caller(
            HOOK, remove_plugins=[p for p in everyone if p is not plugin]
        )
        try:
            caller(register=offered.append)
        except BaseException as exc:  # a plugin must never take the host down
            if isinstance(exc, KeyboardInterrupt):
                raise
            problems.append(
                (name, _("raised in {hook}: {error}").format(hook=HOOK, error=_error(exc)))
            )
            continue
        try:
            registry = registry.with_plugin(name, offered)
        except ValueError as exc:
            problems.append((name, str(exc)))
    return registry, problems


def _taken(kind: EnvelopeKind[Any], entries: Sequence[RegisteredKind]) -> str | None:
    for entry in entries:
        if entry.kind.kind == kind.kind:
            return _("envelope kind {name!r} is already registered by {plugin}").format(
                name=kind.kind, plugin=entry.plugin
            )
        if entry.kind.parameters is kind.parameters:
            return _(
                "envelope kind {name!r} uses the envelope class {cls} of kind {other!r} "
                "(registered by {plugin})"
            ).format(
                name=kind.kind,
                cls=kind.parameters.__name__,
                other=entry.kind.kind,
                plugin=entry.plugin,
            )
    known = _BY_CLASS.get(kind.parameters)
    if known is not None and type(known) is not type(kind):
        return _("envelope kind {name!r} uses the envelope class {cls} of kind {other!r}").format(
            name=kind.kind, cls=kind.parameters.__name__, other=known.kind
        )
    return None
