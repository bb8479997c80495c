"""The envelope-kind registry: the core's kinds through the hook, a plugin's faults named."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import attrs
import pytest

from conciliazione_core import hookimpl
from conciliazione_core._errors import Problem
from conciliazione_core._host import Host, PluginProblem
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.allocation import (
    AllocationContext,
    AllocationPlan,
    Component,
    EnvelopeKind,
    EnvelopeOutcome,
    EnvelopeReader,
    EqualEnvelope,
    Kind,
    RetainedLine,
    Rounding,
    default_kinds,
    kind_of,
    parse_allocation,
    using_kinds,
)
from conciliazione_core.allocation._builtin_kinds import EqualKind

CORE = "conciliazione_core.allocation"


@attrs.frozen(kw_only=True)
class LumpEnvelope:
    """The whole amount to the first recipient (a toy kind for the registry's tests)."""

    kind: ClassVar[str] = "lump"
    id: str
    label: str
    amount: Money
    basis: LegalBasis
    citation: str
    note: str | None = None
    split: None = None
    tranches: tuple[()] = ()
    rounding: Rounding | None = None


class LumpKind(EnvelopeKind[LumpEnvelope]):
    kind = "lump"
    parameters = LumpEnvelope
    keys = ("amount",)

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        return {"amount": reader.money(raw, "amount", path)}

    def allocate(
        self, envelope: LumpEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        units = [0] * len(context.ids)
        units[0] = envelope.amount.cents // context.rounding.unit.cents
        return EnvelopeOutcome(
            envelope=envelope, rounding=context.rounding, units=tuple(units), leftover=0, scale=0
        )

    def explain_text(self, envelope: LumpEnvelope, component: Component, lang: str) -> str:
        return "all or nothing"


class _Registers:
    """A plugin registering whatever it is given."""

    def __init__(self, *kinds: object) -> None:
        self.kinds = kinds

    @hookimpl
    def conciliazione_envelope_kinds(self, register: Callable[[object], None]) -> None:
        for kind in self.kinds:
            register(kind)


def host_of(*plugins: tuple[str, object]) -> Host:
    return Host(plugins, use_entry_points=False)


def reasons(host: Host) -> dict[str, str]:
    return {p.plugin: p.reason for p in host.problems}


def test_the_core_kinds_come_through_the_hook_as_its_own_plugin() -> None:
    registry = host_of().envelope_kinds
    assert registry.names() == ("retained", "fixed", "equal", "proportional")
    assert {e.plugin for e in registry} == {CORE}
    assert default_kinds().names() == registry.names()
    assert (
        kind_of(
            EqualEnvelope(
                id="e",
                label="E",
                amount=Money(100),
                basis=LegalBasis(act="A", evidence=Evidence.DOCUMENT),
                citation="a",
            )
        ).kind
        == Kind.EQUAL
    )


def test_a_plugin_kind_is_registered_and_attributed_to_its_plugin() -> None:
    host = host_of(("lumps", _Registers(LumpKind())))
    assert host.problems == ()
    assert host.envelope_kinds.names()[-1] == "lump"
    assert host.envelope_kinds.plugin_of("lump") == "lumps"
    assert host.envelope_kinds.plugin_of("fixed") == CORE


def test_a_plugin_kind_is_read_only_where_its_registry_is_active() -> None:
    data = {
        "total": "10",
        "envelopes": [{"id": "l", "kind": "lump", "label": "L", "basis": "a", "amount": "10"}],
    }
    citations = {"a": LegalBasis(act="A", evidence=Evidence.DOCUMENT)}
    registry = host_of(("lumps", _Registers(LumpKind()))).envelope_kinds
    with using_kinds(registry):
        plan = parse_allocation(data, citations)
    assert isinstance(plan.envelopes[0], LumpEnvelope)
    with pytest.raises(Exception, match="unknown kind 'lump'"):
        parse_allocation(data, citations)


class _NotCallable(LumpKind):
    allocate = None  # type: ignore[assignment]


class _BadName(LumpKind):
    kind = "Lump Sum"


class _NotAttrs(LumpKind):
    kind = "plain"
    parameters = dict


class _BadKeys(LumpKind):
    kind = "listed"
    keys = ["amount"]  # type: ignore[assignment]  # noqa: RUF012


class _CoreKeys(LumpKind):
    kind = "greedy"
    keys = ("amount", "split")


class _BadLevel(LumpKind):
    kind = "level"
    recipient_level = "yes"  # type: ignore[assignment]


class _Fixed(LumpKind):
    kind = "fixed"


@pytest.mark.parametrize(
    ("offered", "reason"),
    [
        (
            (_Fixed(),),
            "envelope kind 'fixed' is already registered by conciliazione_core.allocation",
        ),
        ((LumpKind(), LumpKind()), "envelope kind 'lump' is already registered by faulty"),
        ((_NotCallable(),), "envelope kind 'lump': allocate is not callable"),
        ((len,), "registered <built-in function len>, which is not an EnvelopeKind"),
        ((LumpKind,), "registered <class"),
        (("lump",), "registered 'lump', which is not an EnvelopeKind"),
        ((_BadName(),), "registered an envelope kind named 'Lump Sum'; a name is lower-case"),
        (
            (_NotAttrs(),),
            "envelope kind 'plain': its parameters must be an attrs class, not <class 'dict'>",
        ),
        (
            (_BadKeys(),),
            "envelope kind 'listed': its keys must be a tuple of strings, not ['amount']",
        ),
        ((_CoreKeys(),), "envelope kind 'greedy': the core reads the key(s) split itself"),
        ((_BadLevel(),), "envelope kind 'level': recipient_level must be True or False"),
    ],
)
def test_a_faulty_registration_is_a_problem_naming_the_plugin(
    offered: tuple[object, ...], reason: str
) -> None:
    host = host_of(("faulty", _Registers(*offered)), ("fine", _Registers()))
    assert [p.plugin for p in host.problems] == ["faulty"]
    assert host.problems[0].reason.startswith(reason), host.problems[0].reason
    assert "faulty" not in {p.name for p in host.plugins()}
    assert host.envelope_kinds.names() == ("retained", "fixed", "equal", "proportional")


def test_a_faulty_plugin_loses_its_sound_kinds_and_the_others_keep_theirs() -> None:
    host = host_of(
        ("faulty", _Registers(LumpKind(), 42)),
        ("lumps", _Registers(LumpKind())),
    )
    assert reasons(host) == {"faulty": "registered 42, which is not an EnvelopeKind"}
    assert host.envelope_kinds.plugin_of("lump") == "lumps"


def test_two_plugins_claiming_one_kind_name_the_first() -> None:
    host = host_of(("first", _Registers(LumpKind())), ("second", _Registers(LumpKind())))
    assert host.problems == (
        PluginProblem("second", None, "envelope kind 'lump' is already registered by first"),
    )
    assert host.envelope_kinds.plugin_of("lump") == "first"


def test_a_kind_reusing_another_kinds_envelope_class_is_refused() -> None:
    class Copycat(LumpKind):
        kind = "copycat"

    host = host_of(("faulty", _Registers(LumpKind(), Copycat())))
    assert reasons(host) == {
        "faulty": "envelope kind 'copycat' uses the envelope class LumpEnvelope of kind 'lump' "
        "(registered by faulty)"
    }


def test_a_hook_that_raises_is_named_and_the_core_kinds_stay() -> None:
    class Raises:
        @hookimpl
        def conciliazione_envelope_kinds(self, register: Callable[[object], None]) -> None:
            register(LumpKind())
            raise RuntimeError("no kinds today")

    host = host_of(("raises", Raises()))
    assert reasons(host) == {
        "raises": "raised in conciliazione_envelope_kinds: RuntimeError: no kinds today"
    }
    assert host.envelope_kinds.get("lump") is None
    assert host.envelope_kinds.get("equal") is not None


def test_an_envelope_of_no_registered_kind_is_a_type_error() -> None:
    @attrs.frozen
    class Stray:
        id: str = "x"

    with pytest.raises(TypeError, match="Stray is not the envelope class of a registered"):
        kind_of(Stray())


def test_the_core_kinds_read_the_same_keys_as_before() -> None:
    assert EqualKind.keys == ("amount", "floor", "cap")
    assert [k.kind.recipient_level for k in default_kinds()] == [False, True, True, True]


# ---- a plugin kind that reads indicators gets the engine's generic handling ---------------------


@attrs.frozen(kw_only=True)
class TopEnvelope:
    """The whole amount to the recipient with the largest value of an indicator (a toy)."""

    kind: ClassVar[str] = "top"
    id: str
    label: str
    amount: Money
    indicator: str
    basis: LegalBasis
    citation: str
    note: str | None = None
    split: None = None
    tranches: tuple[()] = ()
    rounding: Rounding | None = None


class TopKind(EnvelopeKind[TopEnvelope]):
    kind = "top"
    parameters = TopEnvelope
    keys = ("amount", "indicator")

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        return {
            "amount": reader.money(raw, "amount", path),
            "indicator": reader.text(raw, "indicator", path),
        }

    def indicators(self, envelope: TopEnvelope) -> tuple[str, ...]:
        return (envelope.indicator,)

    def allocate(
        self, envelope: TopEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        assert context.table is not None
        values = [context.table.get(r).value(envelope.indicator) for r in context.ids]  # type: ignore[union-attr]
        units = [0] * len(context.ids)
        units[values.index(max(values))] = envelope.amount.cents // context.rounding.unit.cents
        return EnvelopeOutcome(
            envelope=envelope, rounding=context.rounding, units=tuple(units), leftover=0, scale=0
        )

    def explain_text(self, envelope: TopEnvelope, component: Component, lang: str) -> str:
        return "the largest"


def _top_plan() -> Any:
    data = {
        "total": "100",
        "envelopes": [
            {"id": "eq", "kind": "equal", "label": "Eq", "basis": "a", "amount": "40"},
            {
                "id": "top",
                "kind": "top",
                "label": "Top",
                "basis": "a",
                "amount": "60",
                "indicator": "pop",
            },
        ],
    }
    registry = host_of(("tops", _Registers(TopKind()))).envelope_kinds
    citations = {"a": LegalBasis(act="A", evidence=Evidence.DOCUMENT)}
    return parse_allocation(data, citations, kinds=registry)


def _table(values: dict[str, int], status: Any = None) -> Any:
    import datetime as dt

    from conciliazione_core._indicators import IndicatorRow, IndicatorTable
    from conciliazione_core._provenance import DataStatus, Provenance

    provenance = Provenance("Test", dt.date(2020, 1, 1), status or DataStatus.OFFICIAL)
    return IndicatorTable(
        ("pop",), tuple(IndicatorRow(r, r, (("pop", v),), provenance) for r, v in values.items())
    )


def test_a_plugin_kind_reading_indicators_is_allocated_from_the_table() -> None:
    from conciliazione_core._provenance import DataStatus
    from conciliazione_core.allocation import allocate, indicators_of

    plan = _top_plan()
    assert indicators_of(plan) == ("pop",)
    table = _table({"a": 1, "b": 5}, DataStatus.ESTIMATE)
    allocation = allocate(plan, [("a", "A"), ("b", "B")], table)
    assert allocation.amount("a") == Money.parse("20")
    assert allocation.amount("b") == Money.parse("80")
    assert [n.recipient_id for n in allocation.non_official] == ["a", "b"]


def test_a_plugin_kind_reading_indicators_is_pending_without_its_rows() -> None:
    from conciliazione_core._errors import InputError
    from conciliazione_core.allocation import allocate

    plan = _top_plan()
    allocation = allocate(plan, [("a", "A"), ("b", "B")], _table({"a": 1}), missing="pending")
    assert [(p.envelope_id, p.amount, p.indicators, p.missing) for p in allocation.pending] == [
        ("top", Money.parse("60"), ("pop",), ("b",))
    ]
    assert allocation.amount("b") == Money.parse("20")
    with pytest.raises(InputError, match=r"envelope 'top' is split by pop but no indicator table"):
        allocate(plan, [("a", "A"), ("b", "B")])


# ---- a plugin's kind that raises is named ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class BuggyEnvelope(LumpEnvelope):
    kind: ClassVar[str] = "buggy"


class _RaisesIn(LumpKind):
    """A lump kind whose ``step`` raises, as a buggy plugin's would."""

    kind = "buggy"
    parameters = BuggyEnvelope

    def __init__(self, step: str) -> None:
        self.step = step

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        if self.step == "read":
            raise KeyError("amount")
        return super().read(reader, raw, path, rounding)

    def check(self, envelope: LumpEnvelope, ids: Sequence[str], path: str) -> list[Problem]:
        if self.step == "check":
            raise IndexError("no such recipient")
        return []

    def allocate(
        self, envelope: LumpEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        if self.step == "allocate":
            raise ZeroDivisionError("division by zero")
        return super().allocate(envelope, context)

    def explain_text(self, envelope: LumpEnvelope, component: Component, lang: str) -> str:
        raise ValueError("no words")


@pytest.mark.parametrize(
    ("step", "error"),
    [
        ("read", "KeyError: 'amount'"),
        ("check", "IndexError: no such recipient"),
        ("allocate", "ZeroDivisionError: division by zero"),
        ("explain_text", "ValueError: no words"),
    ],
)
def test_a_plugin_kind_that_raises_is_a_plugin_error_naming_it(step: str, error: str) -> None:
    from conciliazione_core._errors import PluginError
    from conciliazione_core.allocation import allocate, explain_text

    registry = host_of(("buggy_plugin", _Registers(_RaisesIn(step)))).envelope_kinds
    data = {
        "total": "10",
        "envelopes": [{"id": "b", "kind": "buggy", "label": "B", "basis": "a", "amount": "10"}],
    }
    citations = {"a": LegalBasis(act="A", evidence=Evidence.DOCUMENT)}

    def run() -> None:
        plan = parse_allocation(data, citations, kinds=registry)
        explain_text(allocate(plan, [("a", "A")]), "a", "en")

    with pytest.raises(PluginError) as info:
        run()
    assert info.value.plugin == "buggy_plugin"
    assert info.value.reason == f"envelope kind 'buggy' failed in {step}: {error}"


@attrs.frozen(kw_only=True)
class LiarEnvelope(LumpEnvelope):
    kind: ClassVar[str] = "liar"


class _Returns(LumpKind):
    """A lump kind whose ``allocate`` returns what it is told to."""

    kind = "liar"
    parameters = LiarEnvelope

    def __init__(self, make: Callable[[Any, AllocationContext], object]) -> None:
        self.make = make

    def allocate(
        self, envelope: LumpEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return self.make(envelope, context)  # type: ignore[return-value]


def _outcome(units: tuple[Any, ...], leftover: int = 0) -> Callable[[Any, Any], object]:
    def make(envelope: Any, context: AllocationContext) -> object:
        return EnvelopeOutcome(
            envelope=envelope, rounding=context.rounding, units=units, leftover=leftover, scale=0
        )

    return make


def _liar_plan(
    make: Callable[[Any, Any], object], plugin: str = "liar_plugin", **extra: Any
) -> AllocationPlan:
    """A plan of one €10 envelope of the kind that returns what ``make`` makes."""
    registry = host_of((plugin, _Registers(_Returns(make)))).envelope_kinds
    data = {
        "total": "10",
        "envelopes": [{"id": "b", "kind": "liar", "label": "B", "basis": "a", "amount": "10"}],
        **extra,
    }
    citations = {"a": LegalBasis(act="A", evidence=Evidence.DOCUMENT)}
    return parse_allocation(data, citations, kinds=registry)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (_outcome((500, 400)), "ValueError: handed out €9.00 of €10.00"),
        (_outcome((1100, -100)), "ValueError: returned a negative amount"),
        (_outcome((1000,)), "ValueError: returned 1 amounts for 2 recipients, or not whole units"),
        (_outcome((500.0, 500)), "ValueError: returned 2 amounts for 2 recipients, or not whole"),
        (
            lambda e, c: None,
            "TypeError: returned NoneType, not an EnvelopeOutcome or a RetainedLine",
        ),
        (lambda e, c: 5, "TypeError: returned int, not an EnvelopeOutcome or a RetainedLine"),
        (
            lambda e, c: RetainedLine(e.id, e.label, Money(999), e.basis, e.citation),
            "ValueError: returned a retained line of €9.99 for 'b', not €10.00 for 'b'",
        ),
        (
            lambda e, c: EnvelopeOutcome(
                envelope=attrs.evolve(e, id="other"),
                rounding=c.rounding,
                units=(1000, 0),
                leftover=0,
                scale=0,
            ),
            "ValueError: returned the outcome of another envelope",
        ),
    ],
)
def test_what_a_plugin_kind_allocates_is_checked_before_it_is_used(
    make: Callable[[Any, Any], object], error: str
) -> None:
    from conciliazione_core._errors import PluginError
    from conciliazione_core.allocation import allocate

    plan = _liar_plan(make)
    with pytest.raises(PluginError) as info:
        allocate(plan, [("a", "A"), ("b", "B")])
    assert info.value.plugin == "liar_plugin"
    assert info.value.reason.startswith(f"envelope kind 'liar' failed in allocate: {error}")


@pytest.mark.parametrize(
    ("units", "leftover", "error"),
    [
        ((5, 4), 1, None),  # whole euros: €9 handed out, €1 left over, €10 in all
        ((5, 3), 1, "ValueError: handed out €9.00 of €10.00"),  # units + leftover, in euros
    ],
)
def test_a_plugin_kinds_leftover_counts_in_its_books_in_its_unit(
    units: tuple[int, ...], leftover: int, error: str | None
) -> None:
    from conciliazione_core._errors import PluginError
    from conciliazione_core.allocation import allocate

    plan = _liar_plan(_outcome(units, leftover), rounding={"strategy": "floor", "unit": "1"})
    if error is None:
        result = allocate(plan, [("a", "A"), ("b", "B")])
        assert result.cents == (500, 400)
        assert result.unallocated == Money(100)
        return
    with pytest.raises(PluginError) as info:
        allocate(plan, [("a", "A"), ("b", "B")])
    assert info.value.reason.startswith(f"envelope kind 'liar' failed in allocate: {error}")


def test_a_plugin_kind_is_handed_the_plan_the_ids_and_its_place() -> None:
    from conciliazione_core.allocation import allocate

    seen: list[AllocationContext] = []

    def make(envelope: Any, context: AllocationContext) -> object:
        seen.append(context)
        return _outcome((1000, 0))(envelope, context)

    plan = _liar_plan(make)
    allocate(plan, [("a", "A"), ("b", "B")])
    [context] = seen
    assert context.plan is plan
    assert context.ids == ("a", "b")
    assert context.path == "$.allocation.envelopes[0]"


def test_a_plugin_kind_may_keep_its_whole_amount_as_a_retained_line() -> None:
    from conciliazione_core.allocation import allocate

    def keep(e: Any, c: AllocationContext) -> object:
        return RetainedLine(e.id, e.label, e.amount, e.basis, e.citation)

    allocation = allocate(_liar_plan(keep, "keeper"), [("a", "A")])
    assert allocation.retained_total == Money.parse("10")
    assert allocation.amount("a") == Money(0)
