"""A funding cycle, described by a parameter file (law as data).

A cycle plugin ships one TOML file with the cycle's identity, its citations, the rules the
standard checks read (who may lead, deadlines, service types...), the allocation envelope tree,
its reference data and example documents. :func:`load_cycle` reads and validates it through the
core; a policy team changes the file, not code. See ``docs/parameters.md`` for the format.
"""

from __future__ import annotations

import datetime as dt
import enum
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._formats import file_path, memory_problem
from conciliazione_core._legal import PLAIN_SENSE, PLAIN_SENSE_KEY, LegalBasis
from conciliazione_core._rule_registry import RuleRegistry, Rules, active_registry
from conciliazione_core._serialisation import (
    DEFAULT_LIMITS,
    Limits,
    huge_integer_path,
    parse_toml,
    read_file,
    structure,
)
from conciliazione_core._suggest import with_hint
from conciliazione_core._territory import Level, lombardy
from conciliazione_core.i18n import N_, Text, _

if TYPE_CHECKING:
    from conciliazione_core._indicators import IndicatorTable
    from conciliazione_core.allocation import AllocationPlan, KindRegistry

__all__ = [
    "PARAMETER_LIMITS",
    "Assumption",
    "Cycle",
    "Example",
    "Period",
    "Rules",
    "apply_overrides",
    "load_cycle",
    "parse_override",
]


@attrs.frozen
class Period:
    start: dt.date
    end: dt.date


@attrs.frozen
class Assumption:
    """Something the cycle's rules rely on that no source states: shown in docs and results."""

    id: str
    text: Text
    basis: str


@attrs.frozen
class Example:
    """An example document shipped with the cycle and what checking it must give."""

    file: str
    admissible: bool
    codes: tuple[str, ...] = ()
    """The error and warning codes the check must report, exactly (info findings aside)."""
    description: Text | None = None


@attrs.frozen
class Recipient:
    id: str
    name: str


RecipientsFrom = Literal["level", "list", "data"]
"""Where a cycle's recipients come from: the agencies of its level, its own list, or the rows of
the indicator table it allocates with (a cycle of bodies, municipalities or alliances that an
office lists in a file)."""


class _RecipientsSource(enum.Enum):
    """The values of ``recipients_from`` in a parameter file."""

    LEVEL = "level"
    DATA = "data"


@attrs.frozen
class _CycleHeader:
    id: str
    title: Text
    level: Level
    period: Period
    legal_basis: tuple[str, ...]
    summary: Text | None = None


@attrs.frozen
class _ParameterFile:
    cycle: _CycleHeader
    citations: dict[str, LegalBasis]
    rules: dict[str, Any] = attrs.Factory(dict)
    """The ``[rules.NAME]`` tables, structured by the registered rules after this class."""
    allocation: dict[str, Any] | None = None
    data: dict[str, str] = attrs.Factory(dict)
    """Named reference data files (indicator tables), paths relative to the parameter file."""
    default_data: str | None = None
    recipients: tuple[Recipient, ...] = ()
    """Allocation recipients; empty means the agencies of the cycle's level."""
    recipients_from: _RecipientsSource | None = None
    """``"data"``: the recipients are the rows of the indicator table (given or shipped)."""
    assumptions: tuple[Assumption, ...] = ()
    examples: tuple[Example, ...] = ()


@attrs.frozen(eq=False)
class Cycle:
    """A funding cycle: identity, rules, allocation and reference data, all cited.

    Built by :func:`load_cycle` from a plugin's parameter file; ``distribution`` and ``version``
    are filled in by the plugin host.
    """

    id: str
    title: str | Text
    """The cycle's title, shown in the current language (``str(cycle.title)``)."""
    level: Level
    period: Period
    legal_basis: tuple[LegalBasis, ...]
    citations: Mapping[str, LegalBasis]
    rules: Rules
    recipients: tuple[Recipient, ...]
    """Who the allocation splits among; empty when they come from the data (``recipients_from``)."""
    assumptions: tuple[Assumption, ...]
    examples: tuple[Example, ...]
    data_files: Mapping[str, Traversable | Path]
    default_data: str | None
    allocation_data: Mapping[str, Any] | None
    parameters: Mapping[str, Any]
    """The parameter file as read (after overrides), for diffs and what-if runs."""
    source: str
    root: Traversable | Path
    overrides: tuple[str, ...] = ()
    summary: str | Text | None = None
    distribution: str | None = None
    version: str | None = None
    plan: AllocationPlan | None = None
    """``allocation_data`` parsed and validated when the cycle was loaded."""
    envelope_kinds: KindRegistry | None = attrs.field(default=None, repr=False)
    """The envelope kinds its allocation was read with: those active when it was loaded (see
    :func:`~conciliazione_core.allocation.using_kinds`), the plugin host's for a plugin's cycle;
    kept so that a what-if (``--set``) reads the allocation again with the same kinds."""
    recipients_from: RecipientsFrom = "list"
    """Where :attr:`recipients` come from; ``"data"``: the rows of the indicator table the
    allocation reads, so :attr:`recipients` is empty (see :meth:`recipients_for`)."""

    def recipients_for(self, table: IndicatorTable | None) -> list[tuple[str, str]]:
        """The ``(id, name)`` pairs an allocation with ``table`` splits among: the cycle's own,
        or the table's rows when the cycle takes its recipients from the data (none without)."""
        if self.recipients_from == "data":
            return [] if table is None else list(zip(table.ids, table.names, strict=True))
        return [(r.id, r.name) for r in self.recipients]

    def cite(self, key: str) -> LegalBasis:
        """The citation named ``key`` in the parameter file."""
        return self.citations[key]

    @property
    def allocation(self) -> AllocationPlan | None:
        """The allocation envelope tree, validated at load (None if the cycle allocates nothing)."""
        return self.plan

    def reference_table(self, name: str | None = None) -> IndicatorTable | None:
        """A shipped indicator table (the default one when ``name`` is None)."""
        from conciliazione_core._indicators import (
            TABLE_LIMITS,
            parse_indicator_csv,
            parse_indicator_json,
        )

        key = name or self.default_data
        if key is None:
            return None
        if key not in self.data_files:
            raise InputError.at(
                "$.data",
                _("no reference data named {key!r}; known: {known}").format(
                    key=key, known=", ".join(self.data_files)
                ),
                self.shown_source,
            )
        ref = self.data_files[key]
        where = f"$.data.{key}"
        if (
            isinstance(ref, Path)
            and isinstance(self.root, Path)
            and not ref.resolve().is_relative_to(self.root.resolve())
        ):
            raise InputError.at(
                where, _("reference data must be inside the cycle's folder"), self.shown_source
            )
        try:
            text = read_file(ref, TABLE_LIMITS).decode("utf-8")
        except (InputError, OSError, UnicodeDecodeError) as exc:
            reason = (
                _("not UTF-8 text")
                if isinstance(exc, UnicodeDecodeError)
                else exc.problems[0].message
                if isinstance(exc, InputError)
                else exc.strerror
            )
            raise InputError.at(
                where,
                _("cannot read {name!r}: {reason}").format(name=ref.name, reason=reason),
                self.shown_source,
            ) from None
        try:
            if ref.name.endswith(".json"):
                return parse_indicator_json(text, source=ref.name)
            return parse_indicator_csv(text, source=ref.name)
        except InputError as exc:  # which plugin's file: named only for an error
            raise exc.with_source(shown_name(ref)) from None

    @property
    def shown_source(self) -> str:
        """The parameter file as errors name it (:func:`shown_name`: ``lombardia_2020/cycle.toml``)."""
        return shown_name(self.root.joinpath(self.source))

    def example_path(self, example: Example) -> Traversable | Path:
        return self.root.joinpath(example.file)

    def with_overrides(self, assignments: Sequence[str]) -> Cycle:
        """The cycle re-read with ``--set PATH=VALUE`` overrides (a what-if)."""
        if not assignments:
            return self
        parsed = [parse_override(a) for a in assignments]
        data = apply_overrides(self._with_default_sections(parsed), parsed)
        try:
            cycle = _build(
                data,
                self.root,
                self.source,
                (*self.overrides, *assignments),
                self.rules.registry,
                self.envelope_kinds,
            )
        except InputError as exc:  # the file is fine: the what-if broke it, and says so
            raise exc.with_source(
                _("{file} with --set {changes}").format(
                    file=self.shown_source, changes=" --set ".join(assignments)
                )
            ) from None
        return attrs.evolve(
            cycle,
            distribution=self.distribution,
            version=self.version,
            envelope_kinds=self.envelope_kinds,
        )

    def _with_default_sections(
        self, overrides: Sequence[tuple[tuple[str, ...], object]]
    ) -> Mapping[str, Any]:
        """The parameters with each rule section an override changes written out when the file
        leaves it to its default (``--set rules.dates.today=2020-06-30`` on a plain-sense rule)."""
        raw_rules = self.parameters.get("rules", {})
        if not isinstance(raw_rules, Mapping):
            return self.parameters
        rules = dict(raw_rules)
        for path, _value in overrides:
            if len(path) < 3 or path[0] != "rules" or path[1] in rules:
                continue
            rule = self.rules.registry.rules.get(path[1])
            if rule is not None and rule.default is not None:
                rules[path[1]] = attrs.asdict(rule.default)
        if rules == raw_rules:
            return self.parameters
        return {**self.parameters, "rules": rules}


def _check_parameters(params: _ParameterFile) -> list[Problem]:
    known = params.citations
    problems: list[Problem] = []

    def need(path: str, key: str | None) -> None:
        if key is not None and key not in known:
            problems.append(
                Problem(
                    path,
                    _("unknown citation {key!r}; known: {known}").format(
                        key=key, known=", ".join(sorted(known))
                    ),
                )
            )

    for i, key in enumerate(params.cycle.legal_basis):
        need(f"$.cycle.legal_basis[{i}]", key)
    for i, assumption in enumerate(params.assumptions):
        need(f"$.assumptions[{i}].basis", assumption.basis)
    if params.cycle.period.end < params.cycle.period.start:
        problems.append(Problem("$.cycle.period", _("the period ends before it starts")))
    if params.recipients and params.recipients_from is not None:
        problems.append(
            Problem(
                "$.recipients_from",
                _("give either a recipients list or recipients_from, not both"),
            )
        )
    if params.default_data is not None and params.default_data not in params.data:
        problems.append(
            Problem(
                "$.default_data",
                _("no data file named {name!r}").format(name=params.default_data),
            )
        )
    return problems


def _build(
    data: Mapping[str, Any],
    root: Traversable | Path,
    source: str,
    overrides: tuple[str, ...],
    registry: RuleRegistry | None = None,
    kinds: KindRegistry | None = None,
) -> Cycle:
    """The cycle of a parameter file's data, its rules read with ``registry`` and its allocation
    with ``kinds`` (default: those in force here, the plugin host's while it reads its plugins'
    cycles); every problem at once: the file's structure, rule sections, citations, allocation."""
    problems: list[Problem] = []
    params: _ParameterFile | None = None
    try:
        params = structure(dict(data), _ParameterFile, source)
    except InputError as exc:
        problems.extend(exc.problems)
    raw_rules = data.get("rules", {})
    raw_citations = data.get("citations", {})
    # Every cycle can cite the core's plain sense (its checks' default basis), unless it says
    # what "plain_sense" means itself.
    known: dict[str, object] = {PLAIN_SENSE_KEY: PLAIN_SENSE}
    if isinstance(raw_citations, Mapping):
        known.update(raw_citations)
    rules = Rules()
    if isinstance(raw_rules, Mapping):
        try:
            rules = (registry or active_registry()).structure(raw_rules, known, source)
        except InputError as exc:
            problems.extend(exc.problems)
    if params is not None:
        problems.extend(_check_parameters(params))
    plan = None
    if params is not None and params.allocation is not None:
        # Parsed here, once: a cycle that loads is a cycle that allocates (or says why not).
        from conciliazione_core.allocation import active_kinds, parse_allocation

        kinds = kinds or active_kinds()
        try:
            plan = parse_allocation(
                params.allocation, params.citations, kinds=kinds, changed=_changed(overrides)
            )
        except InputError as exc:
            problems.extend(exc.problems)
    if problems or params is None:
        order = list(data)

        def place(problem: Problem) -> int:
            top = problem.path.removeprefix("$.").split(".")[0].split("[")[0]
            return order.index(top) if top in order else len(order)

        raise InputError(sorted(problems, key=place), source)
    recipients_from: RecipientsFrom = (
        "list"
        if params.recipients
        else "data"
        if params.recipients_from is _RecipientsSource.DATA
        else "level"
    )
    recipients = params.recipients or tuple(
        Recipient(a.id, a.name)
        for a in (lombardy().of_level(params.cycle.level) if recipients_from == "level" else ())
    )
    return Cycle(
        id=params.cycle.id,
        title=params.cycle.title,
        level=params.cycle.level,
        period=params.cycle.period,
        legal_basis=tuple(params.citations[k] for k in params.cycle.legal_basis),
        citations={**params.citations, PLAIN_SENSE_KEY: PLAIN_SENSE}
        if PLAIN_SENSE_KEY not in params.citations
        else params.citations,
        rules=rules,
        recipients=recipients,
        assumptions=params.assumptions,
        examples=params.examples,
        data_files={k: root.joinpath(v) for k, v in params.data.items()},
        default_data=params.default_data,
        allocation_data=params.allocation,
        parameters=data,
        source=source,
        root=root,
        overrides=overrides,
        summary=params.cycle.summary,
        envelope_kinds=kinds,
        plan=plan,
        recipients_from=recipients_from,
    )


def _changed(overrides: Sequence[str]) -> set[str]:
    """The keys under ``[allocation]`` that what-if assignments set (``envelopes.ats.amount``)."""
    keys = (a.partition("=")[0].split(".") for a in overrides)
    parts = ([p.strip() for p in key] for key in keys)
    return {".".join(p[1:]) for p in parts if len(p) > 1 and p[0] == "allocation"}


PARAMETER_LIMITS = attrs.evolve(DEFAULT_LIMITS, max_bytes=2 * 1024 * 1024)
"""A parameter file is a few kilobytes of law; 2 MiB leaves room and keeps a bad one cheap."""


def load_cycle(
    path: Traversable | Path | str,
    limits: Limits = PARAMETER_LIMITS,
    *,
    rules: RuleRegistry | None = None,
) -> Cycle:
    """Read and validate a cycle parameter file; raise :class:`InputError` with paths if bad.

    ``limits`` bounds the file's size (checked before reading when it is on disk; at most
    :data:`PARAMETER_LIMITS` by default) and nesting.
    Its ``[rules]`` sections are read with ``rules`` (default: the registry in force, which is
    the host's while it loads the plugins' cycles, else the core's standard rules only).
    """
    ref: Traversable | Path = (
        path if isinstance(path, Traversable) and not isinstance(path, str) else file_path(path)
    )
    source = ref.name
    try:
        raw = read_file(
            ref,
            limits,
            missing=N_("no such parameter file"),
            directory=N_("is a directory, not a parameter file"),
        )
        data = parse_toml(raw, source, limits)
        root = ref.parent if isinstance(ref, Path) else _parent(ref, path)
        return _build(data, root, source, (), rules)
    except InputError as exc:  # named for people: which cycle.toml (issue 14)
        if exc.source not in (source, str(ref)):
            raise
        raise exc.with_source(shown_name(ref)) from None


def shown_name(ref: Traversable | Path) -> str:
    """A cycle's file as an error names it: inside a Python package (a plugin's), its path from
    the top package (``lombardia_2017/cycle_2019/cycle.toml``), the same on every machine;
    elsewhere, its path as given (``my-cycle/cycle.toml``). Worked out only for an error."""
    if not isinstance(ref, Path):
        return ref.name  # in a zip or a namespace: no folder to name
    folders = [f for f in ref.parents if f.name]
    inside = [i for i, f in enumerate(folders) if f.joinpath("__init__.py").is_file()]
    if not inside:
        return str(ref)
    top = inside[0]
    while top + 1 < len(folders) and top + 1 in inside:
        top += 1
    return ref.relative_to(folders[top].parent).as_posix()


def _parent(ref: Traversable, original: Traversable | Path | str) -> Traversable:
    parent = getattr(ref, "parent", None)
    if parent is None:
        raise TypeError(f"cannot find the folder of {original!r}")
    return parent  # type: ignore[no-any-return]


# ---- what-if overrides --------------------------------------------------------------------------


def parse_override(assignment: str) -> tuple[tuple[str, ...], object]:
    """``"allocation.envelopes.ats.amount=3000000"`` -> (path, value).

    The value is read as a TOML value when it is one (numbers, dates, ``"text"``, ``[lists]``,
    ``true``), else kept as text; so ``80%`` and ``0.8`` stay exact text where an exact number is
    expected, while ``--set x=0.8`` for money is refused like any float.
    """
    if "=" not in assignment:
        raise InputError.at("--set", _("{value!r} is not PATH=VALUE").format(value=assignment))
    key, _sep, raw = assignment.partition("=")
    path = tuple(p.strip() for p in key.split(".") if p.strip())
    if not path:
        raise InputError.at("--set", _("{value!r} has an empty path").format(value=assignment))
    if path[:2] == ("cycle", "id"):  # a what-if of one cycle must not pass for another
        raise InputError.at(
            "--set cycle.id",
            _(
                "a what-if cannot change the cycle's id: it would label one cycle's money as another's"
            ),
        )
    too_long = InputError.at(
        f"--set {'.'.join(path)}", _("the value is too long or too deeply nested")
    )
    costly = memory_problem(raw, "toml")  # `[{},{},…]` would take 70 times its size
    if costly is not None:
        raise InputError.at(f"--set {'.'.join(path)}", costly)
    try:
        value: object = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    except (ValueError, RecursionError):  # a number over 4,300 digits; nesting too deep
        raise too_long from None
    if huge_integer_path(value) is not None:  # 0xfff… has no digit limit
        raise too_long
    if isinstance(value, float):
        value = raw.strip()  # exact numbers travel as text; the field's own check decides
    return path, value


def apply_overrides(
    data: Mapping[str, Any], overrides: Sequence[tuple[tuple[str, ...], object]]
) -> dict[str, Any]:
    """A deep copy of ``data`` with each override set; list items are addressed by their ``id``."""
    import copy

    result: dict[str, Any] = copy.deepcopy(dict(data))
    for path, value in overrides:
        node: Any = result
        where = "$"
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, list):
                match = [item for item in node if isinstance(item, dict) and item.get("id") == part]
                if not match:
                    ids = [str(item.get("id")) for item in node if isinstance(item, dict)]
                    raise InputError.at(
                        f"--set {'.'.join(path)}",
                        with_hint(
                            _("no item with id {part!r} at {where}; ids there: {ids}").format(
                                part=part, where=where, ids=", ".join(ids)
                            ),
                            part,
                            ids,
                        ),
                    )
                if last:
                    raise InputError.at(
                        f"--set {'.'.join(path)}", _("cannot replace a whole list item")
                    )
                node = match[0]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    if part not in node:
                        raise InputError.at(
                            f"--set {'.'.join(path)}",
                            with_hint(
                                _("no parameter {part!r} at {where}; there: {there}").format(
                                    part=part, where=where, there=", ".join(map(str, node))
                                ),
                                part,
                                map(str, node),
                            ),
                        )
                    node = node[part]
            else:
                raise InputError.at(
                    f"--set {'.'.join(path)}",
                    _("{where} is a value, not a table").format(where=where),
                )
            where = f"{where}.{part}"
    return result
