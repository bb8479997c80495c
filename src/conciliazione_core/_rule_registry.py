"""The registry of rules: what each ``[rules.NAME]`` section means, emits and checks.

A plugin registers a :class:`Rule` through the ``conciliazione_rules(register)`` hook; the core's
standard rules are registered the same way by its default plugin
(:mod:`conciliazione_core._rules`). A cycle's ``[rules]`` table is structured against the registry
when the cycle loads: every section must belong to a registered rule, and its citation keys must
be in the cycle's ``[citations]``.

The registry in force is per context (a :class:`contextvars.ContextVar`): a host activates its
own while it loads plugins, reads their cycles and checks documents; elsewhere it is the
default host's (the core's rules and those of every installed plugin).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import keyword
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._findings import Finding, FindingCode
from conciliazione_core._suggest import with_hint
from conciliazione_core.i18n import _

if TYPE_CHECKING:
    from conciliazione_core._cycle import Cycle
    from conciliazione_core._documents import Document
    from conciliazione_core._legal import LegalBasis

__all__ = [
    "CORE_PLUGIN",
    "Rows",
    "Rule",
    "RuleRegistry",
    "Rules",
    "active_registry",
    "cited",
    "core_registry",
    "finding",
    "using_registry",
    "yes_no",
]

T = TypeVar("T")

CORE_PLUGIN = "conciliazione_core"
"""The name the core's own default plugin (the standard rules) is registered under."""

Check = Callable[["Cycle", Any, "Document"], Iterable[Finding]]
Describe = Callable[["Cycle", Any], Iterable[tuple[str, str | None]]]
Rows = Iterator[tuple[str, str | None]]
"""What a rule's ``describe`` yields: ``(label, value)`` rows for the docs and ``diff``."""


def cited(cycle: Cycle, key: str | None) -> str | None:
    """The citation ``key`` of ``cycle`` as text, for a rule's description (None: none)."""
    basis = cycle.citations.get(key) if key is not None else None
    return None if basis is None else str(basis)


def yes_no(flag: bool) -> str:
    """A rule's switch in its description (English, as the other values there)."""
    return "yes" if flag else "no"


@attrs.frozen
class Rule:
    """A rule a cycle turns on with a ``[rules.<section>]`` table in its parameter file.

    ``parameters`` is an attrs class for the section, structured and validated when the cycle
    loads; it must have a ``basis`` field (a citation key). ``citations`` names every field that
    holds a citation key (checked against the cycle's ``[citations]``; None is allowed for an
    optional one). ``codes`` are the finding codes ``check(cycle, section, document)`` may emit.
    ``describe(cycle, section)`` gives ``(topic, value)`` rows for people: the docs' cycle pages
    and ``conciliazione diff`` show them (a value of None is shown as a dash). ``title`` heads
    the section on the docs' cycle pages.
    """

    section: str
    parameters: type[Any]
    codes: tuple[FindingCode, ...]
    check: Check
    describe: Describe
    title: str
    citations: tuple[str, ...] = ("basis",)
    emits: Callable[[Any], Iterable[str]] | None = None
    """Which of ``codes`` a section, as set, can emit (all of them when None): the conformance
    kit asks each such code for an example and a translation."""
    template: str = ""
    """The section as ``conciliazione new-cycle`` writes it in a new parameter file: TOML text,
    commented out when the rule is optional (generated from ``parameters`` when empty)."""
    default: Any = None
    """The section a cycle has when its parameter file does not set it: the rule is then on in
    every cycle (the core's plain-sense checks). None: the rule is off unless the file sets it."""

    def scaffold(self) -> str:
        """The TOML text ``new-cycle`` writes for this rule (its ``template``, or one made
        from the fields of its parameters, commented out)."""
        if self.template:
            return self.template if self.template.endswith("\n") else self.template + "\n"
        lines = [f"# [rules.{self.section}]{' ' * 8}# {self.title}", '# basis = "decree"']
        for field in attrs.fields(self.parameters):
            if field.name == "basis":
                continue
            default = field.default
            shown = "..." if default is attrs.NOTHING or default is None else repr(default)
            if isinstance(default, bool):
                shown = "true" if default else "false"
            lines.append(f"# {field.name} = {shown}")
        return "\n".join(lines) + "\n"


def _problem_with(rule: object) -> str | None:
    """Why ``rule`` cannot be registered, in English (for the plugin's author), or None."""
    if not isinstance(rule, Rule):
        return f"registered {type(rule).__name__}, expected a Rule"
    if not isinstance(rule.section, str) or not rule.section.isidentifier():
        return f"rule section {rule.section!r} is not a name (letters, digits, underscores)"
    if keyword.iskeyword(rule.section) or rule.section.startswith("_"):
        return f"rule section {rule.section!r} is not a usable name"
    if not attrs.has(rule.parameters):
        return f"rule {rule.section!r}: parameters must be an attrs class"
    fields = attrs.fields_dict(rule.parameters)
    if "basis" not in fields:
        return f"rule {rule.section!r}: its parameters have no 'basis' field (a citation key)"
    unreadable = _unreadable(rule.parameters)
    if unreadable is not None:
        return f"rule {rule.section!r}: its parameters cannot be read from a file: {unreadable}"
    missing = [name for name in rule.citations if name not in fields]
    if missing:
        return f"rule {rule.section!r}: no parameter named {', '.join(map(repr, missing))}"
    if rule.default is not None and not isinstance(rule.default, rule.parameters):
        return f"rule {rule.section!r}: its default must be a {rule.parameters.__name__}"
    if not callable(rule.check) or not callable(rule.describe):
        return f"rule {rule.section!r}: check and describe must be functions"
    if not isinstance(rule.codes, tuple) or not all(isinstance(c, FindingCode) for c in rule.codes):
        return f"rule {rule.section!r}: codes must be a tuple of FindingCode"
    for code in rule.codes:
        if not code.code.isidentifier() or code.code.upper() != code.code:
            return f"rule {rule.section!r}: finding code {code.code!r} is not UPPER_SNAKE_CASE"
    return None


def _unreadable(parameters: type[Any]) -> str | None:
    """Why the parameter-file converter cannot structure ``parameters`` (a field of a type it
    does not know), found at registration rather than when a cycle loads."""
    from conciliazione_core._converter import _detailed_converter

    try:
        _detailed_converter().get_structure_hook(parameters)
    except Exception as exc:  # no hook for a field's type; an annotation that does not resolve
        return f"{type(exc).__name__}: {exc}"
    return None


@attrs.frozen
class RuleRegistry:
    """Every registered rule by section name, and every finding code, each with its plugin."""

    rules: Mapping[str, Rule] = attrs.Factory(dict)
    owners: Mapping[str, str] = attrs.Factory(dict)
    """Section name -> the plugin that registered the rule."""
    codes: Mapping[str, FindingCode] = attrs.Factory(dict)
    code_owners: Mapping[str, str] = attrs.Factory(dict)
    """Finding code -> the plugin that registered it."""

    def with_item(self, item: object, plugin: str) -> RuleRegistry:
        """The registry with a :class:`Rule` or a lone :class:`FindingCode` (one a plugin's
        ``conciliazione_checks`` emits) added for ``plugin``; ValueError says why it cannot be."""
        if isinstance(item, FindingCode):
            return self.with_code(item, plugin)
        return self.with_rule(item, plugin)

    def with_code(self, code: FindingCode, plugin: str) -> RuleRegistry:
        """The registry with one more finding code, owned by ``plugin``."""
        if not code.code.isidentifier() or code.code.upper() != code.code:
            raise ValueError(f"finding code {code.code!r} is not UPPER_SNAKE_CASE")
        if code.code in self.codes:
            raise ValueError(
                f"finding code {code.code!r} is already registered by plugin "
                f"{self.code_owners[code.code]!r}"
            )
        return attrs.evolve(
            self,
            codes={**self.codes, code.code: code},
            code_owners={**self.code_owners, code.code: plugin},
        )

    def with_rule(self, rule: object, plugin: str) -> RuleRegistry:
        """The registry with ``rule`` added for ``plugin``; ValueError says why it cannot be."""
        problem = _problem_with(rule)
        if problem is not None:
            raise ValueError(problem)
        assert isinstance(rule, Rule)
        if rule.section in self.rules:
            raise ValueError(
                f"rule section {rule.section!r} is already registered by plugin "
                f"{self.owners[rule.section]!r}"
            )
        codes = dict(self.codes)
        code_owners = dict(self.code_owners)
        for code in rule.codes:
            if code.code in codes:
                raise ValueError(
                    f"finding code {code.code!r} is already registered by plugin "
                    f"{code_owners[code.code]!r}"
                )
            codes[code.code] = code
            code_owners[code.code] = plugin
        return RuleRegistry(
            rules={**self.rules, rule.section: rule},
            owners={**self.owners, rule.section: plugin},
            codes=codes,
            code_owners=code_owners,
        )

    def code(self, code: str) -> FindingCode:
        """The registered definition of ``code``; LookupError naming the known ones if none."""
        try:
            return self.codes[code]
        except KeyError:
            raise LookupError(
                f"finding code {code!r} is not registered by any rule; "
                "register it with its Rule (conciliazione_rules hook)"
            ) from None

    def structure(
        self, raw: Mapping[str, Any], citations: Mapping[str, object], source: str | None
    ) -> Rules:
        """A cycle's ``[rules]`` table structured by the registered rules; InputError if bad."""
        sections: dict[str, object] = {}
        problems: list[Problem] = []
        for name, value in raw.items():
            rule = self.rules.get(name)
            where = f"$.rules.{name}"
            if rule is None:
                problems.append(
                    Problem(
                        where,
                        with_hint(
                            _("no installed rule reads [rules.{name}]; known: {known}").format(
                                name=name, known=", ".join(self.rules) or "-"
                            ),
                            name,
                            self.rules,
                        ),
                    )
                )
                continue
            from conciliazione_core._serialisation import structure

            try:
                section = structure(value, rule.parameters, source, where)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            for field in rule.citations:
                key = getattr(section, field)
                if key is not None and key not in citations:
                    problems.append(
                        Problem(
                            f"{where}.{field}",
                            _("unknown citation {key!r}; known: {known}").format(
                                key=key, known=", ".join(sorted(citations))
                            ),
                        )
                    )
            sections[name] = section
        for name, rule in self.rules.items():
            if name not in sections and name not in raw and rule.default is not None:
                sections[name] = rule.default  # on by default; its citations are the core's
        if problems:
            raise InputError(problems, source)
        ordered = {name: sections[name] for name in self.rules if name in sections}
        return Rules(ordered, self)


@attrs.frozen
class Rules(Mapping[str, object]):
    """A cycle's rules: section name -> its structured parameters, in registry order.

    Only the sections the cycle's parameter file sets are here; a rule whose section is absent
    is not checked. ``registry`` is the registry the sections were read with (a what-if re-reads
    the cycle with it).
    """

    sections: Mapping[str, object] = attrs.Factory(dict)
    registry: RuleRegistry = attrs.field(factory=lambda: core_registry(), eq=False, repr=False)

    def __getitem__(self, name: str) -> object:
        return self.sections[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sections)

    def __len__(self) -> int:
        return len(self.sections)

    def __getattr__(self, name: str) -> Any:
        """``rules.lead``: a registered rule's section, None when the cycle does not set it.

        A convenience for scripts and tests; typed code uses :meth:`section`.
        """
        if not name.startswith("_"):
            if name in self.sections:
                return self.sections[name]
            if name in self.registry.rules:
                return None
        raise AttributeError(name)

    def section(self, name: str, kind: type[T]) -> T | None:
        """The section ``name`` as a ``kind`` (None when the cycle does not set it)."""
        value = self.sections.get(name)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise TypeError(f"[rules.{name}] is a {type(value).__name__}, not a {kind.__name__}")
        return value

    def citation_keys(self) -> Iterator[tuple[str, str]]:
        """``(path, key)`` of every citation key the sections use."""
        for name, section in self.sections.items():
            rule = self.registry.rules[name]
            for field in rule.citations:
                key = getattr(section, field)
                if key is not None:
                    yield f"$.rules.{name}.{field}", key

    def on(self, today: dt.date) -> Rules:
        """The rules with ``today`` as the reference date of every section that reads one.

        A section whose parameters have a ``today`` field (``[rules.dates]``: which dates are in
        the future) gets it unless the parameter file or a what-if set it already; the rules never
        read the clock themselves, so a check is reproducible given its date.
        """
        sections: dict[str, Any] = {}
        for name, section in self.sections.items():
            kind = type(section)
            fields = attrs.fields_dict(kind) if attrs.has(kind) else {}
            if "today" in fields and getattr(section, "today", None) is None:
                section = attrs.evolve(section, today=today)  # type: ignore[misc]
            sections[name] = section
        return Rules(sections, self.registry)

    def describe(self, cycle: Cycle) -> Iterator[tuple[Rule, list[tuple[str, str | None]]]]:
        """Each set section's rule and its ``(topic, value)`` rows."""
        for name, section in self.sections.items():
            rule = self.registry.rules[name]
            yield rule, list(rule.describe(cycle, section))


_active: contextvars.ContextVar[RuleRegistry | None] = contextvars.ContextVar(
    "conciliazione_rules", default=None
)
_core: list[RuleRegistry] = []


def core_registry() -> RuleRegistry:
    """The core's standard rules only: what a host reads cycles with until it knows its own."""
    if not _core:
        from conciliazione_core import _rules as rules

        collected: list[Rule] = []
        rules.conciliazione_rules(register=collected.append)
        registry = RuleRegistry()
        for rule in collected:
            registry = registry.with_rule(rule, CORE_PLUGIN)
        _core.append(registry)
    return _core[0]


def active_registry() -> RuleRegistry:
    """The registry in force in this context: a host's while it works (it activates its own
    while it loads plugins, reads their cycles and checks), else the installed plugins' (the
    default host's), so that a script's ``load_cycle`` reads a plugin's rule section too."""
    active = _active.get()
    if active is not None:
        return active
    from conciliazione_core._host import default_host

    return default_host().rules


@contextmanager
def using_registry(registry: RuleRegistry) -> Iterator[RuleRegistry]:
    """Make ``registry`` the one in force inside a ``with`` block (this context only)."""
    token = _active.set(registry)
    try:
        yield registry
    finally:
        _active.reset(token)


def finding(code: str, path: str, basis: LegalBasis | None, /, **args: object) -> Finding:
    """A finding of a registered ``code`` (from the registry in force); LookupError if none."""
    return active_registry().code(code).at(path, basis, **args)
