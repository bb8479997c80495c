"""Reading an allocation plan from parameter data (the ``[allocation]`` table of a cycle file).

Policy teams describe an allocation as data and never write rounding code. This module turns
that data into an :class:`~conciliazione_core.allocation._envelopes.AllocationPlan`, collecting
*every* problem with the path of the bad field (``$.allocation.envelopes[1].split[0].share``)
into one :class:`~conciliazione_core._errors.InputError`. Unknown keys are errors (a typo must
not silently drop a rule), floats are refused (write exact numbers as strings), and every
envelope must cite its legal basis.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from conciliazione_core._converter import Refused, parse_text
from conciliazione_core._errors import InputError, Problem
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._numbers import (
    MAX_DIGITS,
    NumberError,
    check_decimal,
    check_int,
    parse_decimal,
)
from conciliazione_core._suggest import with_hint
from conciliazione_core.allocation._envelopes import (
    AllocationPlan,
    Combine,
    Envelope,
    Order,
    Split,
    SplitPart,
    Tranche,
)
from conciliazione_core.allocation._formatting import format_share
from conciliazione_core.allocation._kinds import (
    EnvelopeKind,
    EnvelopeReader,
    KindRegistry,
    active_kinds,
    blame,
)
from conciliazione_core.allocation._rounding import Rounding
from conciliazione_core.i18n import N_, Text, _, current_language

__all__ = ["parse_allocation", "parse_fraction"]

_PLAN_KEYS = ("total", "rounding", "envelopes", "order")
_COMMON_KEYS = ("id", "kind", "label", "basis", "note")
_RECIPIENT_KEYS = ("split", "split_overrides", "split_unit", "tranches", "rounding")
_ROUNDING_KEYS = ("strategy", "unit")
_PART_KEYS = ("id", "label", "share", "basis")
_TRANCHE_KEYS = ("id", "label", "share")


# Percentages and fractions around the one decimal grammar (conciliazione_core._numbers).
_SHARE_TEXT = re.compile(r"(?P<percent>[0-9.]+)\s*%|(?P<top>[0-9]+)\s*/\s*(?P<bottom>[0-9]+)")


def _fraction_text(value: str) -> Fraction | str:
    """``"80%"``, ``"4/5"`` or ``"0.8"`` as a Fraction, or the reason it is not one."""
    text = value.strip()
    match = _SHARE_TEXT.fullmatch(text)
    try:
        if match is None:
            return Fraction(parse_decimal(text))
        if match["percent"] is not None:
            return Fraction(parse_decimal(match["percent"])) / 100
        top = check_int(int(match["top"][: MAX_DIGITS + 1]))
        denominator = check_int(int(match["bottom"][: MAX_DIGITS + 1]))
    except NumberError as exc:
        if text.startswith("-") and isinstance(_fraction_text(text[1:]), Fraction):
            return _("{value!r} is negative").format(value=value)
        if "digits" in str(exc):
            return str(exc)
        return _('{value!r} is not an exact number; write e.g. "0.8", "4/5" or "80%"').format(
            value=value
        )
    if denominator == 0:
        return _("{value!r}: the denominator must be more than zero").format(value=value)
    return Fraction(top, denominator)


def parse_fraction(value: object, path: str = "$", *, at_most_one: bool = False) -> Fraction:
    """An exact non-negative fraction from ``"0.8"``, ``"4/5"``, ``"80%"`` or an int.

    Floats are refused: ``0.1`` in binary is not one tenth.
    """
    if isinstance(value, bool):
        raise InputError.at(path, _("expected a number, got a boolean"))
    if isinstance(value, float):
        raise InputError.at(
            path,
            _(
                "{value!r} is a floating-point number, which is not exact; write it as a string: "
                '"0.8", "4/5" or "80%"'
            ).format(value=value),
        )
    result: Fraction
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, (int, Decimal)):
        try:
            result = Fraction(
                check_decimal(value) if isinstance(value, Decimal) else check_int(value)
            )
        except NumberError as exc:
            raise InputError.at(path, str(exc)) from None
    elif isinstance(value, str):
        parsed = _fraction_text(value)
        if isinstance(parsed, str):
            raise InputError.at(path, parsed)
        result = parsed
    else:
        raise InputError.at(
            path,
            _('expected a number as a string ("0.8", "4/5", "80%"), got {type}').format(
                type=type(value).__name__
            ),
        )
    if result < 0:
        raise InputError.at(path, _("{value!r} is negative").format(value=value))
    if at_most_one and result > 1:
        raise InputError.at(path, _("{value!r} is more than 100%").format(value=value))
    return result


E = TypeVar("E", bound=enum.Enum)


class _Reader:
    """Collects problems while reading; each helper returns None where the field was bad."""

    def __init__(self, citations: Mapping[str, LegalBasis]) -> None:
        self.citations = citations
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], path: str, what: str) -> None:
        for key in data:
            if key not in allowed:
                message = _("unknown key {key!r} for {what}; allowed: {allowed}").format(
                    key=key, what=what, allowed=", ".join(allowed)
                )
                self.add(f"{path}.{key}", with_hint(message, key, allowed))

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.add(f"{path}.{key}", _("expected a table of keys and values"))
            return None
        return value

    def text(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(f"{path}.{key}", _("missing"))
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}.{key}", _("expected a non-empty string"))
            return None
        return value.strip()

    def label(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> Text | None:
        """Text for people: a string, or a table of it by language (``{en = "...", it = "..."}``)."""
        value = data.get(key)
        if not isinstance(value, Mapping):
            found = self.text(data, key, path, required=required)
            return None if found is None else Text(found)
        try:
            label = parse_text(value)
        except Refused as exc:
            self.add(f"{path}.{key}", str(exc))
            return None
        blank = [code for code in label.languages if not getattr(label, code).strip()]
        if blank or not label.en.strip():
            self.add(f"{path}.{key}", _("expected a non-empty string"))
            return None
        return Text.of({code: getattr(label, code).strip() for code in label.languages})

    def money(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> Money | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(f"{path}.{key}", _("missing"))
            return None
        try:
            return Money.parse(value, f"{path}.{key}")
        except InputError as exc:
            self.problems.extend(exc.problems)
            return None

    def fraction(self, value: object, path: str, *, at_most_one: bool = False) -> Fraction | None:
        try:
            return parse_fraction(value, path, at_most_one=at_most_one)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return None

    def basis(
        self, data: Mapping[str, Any], path: str, *, required: bool = True
    ) -> tuple[str, LegalBasis] | None:
        key = self.text(data, "basis", path, required=required)
        if key is None:
            return None
        if key not in self.citations:
            known = ", ".join(sorted(self.citations)) or _("none")
            self.add(
                f"{path}.basis",
                _("unknown citation {key!r}; known: {known}").format(key=key, known=known),
            )
            return None
        return key, self.citations[key]

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        default: E,
        message: str = N_("unknown value {value!r}; choose one of: {names}"),
    ) -> E:
        """The enum member named by ``data[key]`` (``default`` when absent or bad, noted)."""
        if key not in data:
            return default
        names = [str(member.value) for member in type(default)]
        if data[key] not in names:
            self.add(
                f"{path}.{key}",
                with_hint(
                    _(message).format(value=data[key], names=", ".join(names)), data[key], names
                ),
            )
            return default
        return type(default)(data[key])

    def whole_units(self, amount: Money | None, unit: Money, path: str) -> None:
        if amount is not None and amount.cents % unit.cents:
            self.add(
                path,
                _("{amount} is not a whole number of rounding units of {unit}").format(
                    amount=amount.format(), unit=unit.format()
                ),
            )

    def rounding(self, data: Mapping[str, Any], path: str, default: Rounding) -> Rounding | None:
        raw = self.table(data, "rounding", path)
        if raw is None:
            return None
        where = f"{path}.rounding"
        self.keys(raw, _ROUNDING_KEYS, where, _("rounding"))
        strategy = self.choice(
            raw,
            "strategy",
            where,
            default.strategy,
            N_("unknown strategy {value!r}; choose one of: {names}"),
        )
        unit = default.unit
        if "unit" in raw:
            parsed = self.money(raw, "unit", where)
            if parsed is not None and not parsed:
                self.add(f"{where}.unit", _("the unit must be more than zero"))
            elif parsed is not None:
                unit = parsed
        return Rounding(strategy, unit)


def parse_allocation(
    data: Mapping[str, Any],
    citations: Mapping[str, LegalBasis],
    path: str = "$.allocation",
    *,
    kinds: KindRegistry | None = None,
    changed: Collection[str] = (),
) -> AllocationPlan:
    """Read and check an allocation plan; raise one InputError listing every bad field.

    ``data`` is the ``[allocation]`` table of a parameter file; ``citations`` maps the keys used
    in ``basis = "..."`` to legal bases; ``kinds`` are the envelope kinds it may use (by default
    the active ones: the plugin host's while it loads cycles, else the core's own).
    ``changed`` names the keys a what-if set, under the table (``"total"``,
    ``"envelopes.ats.amount"``): a total that no longer matches its envelopes then names the
    other parameters that must change with them, and the values that would make them agree.
    """
    kinds = active_kinds() if kinds is None else kinds
    r = _Reader(citations)
    if not isinstance(data, Mapping):
        raise InputError.at(path, _("expected a table"))
    r.keys(data, _PLAN_KEYS, path, _("the allocation"))
    total = r.money(data, "total", path)
    rounding = r.rounding(data, path, Rounding()) or Rounding()
    order = r.choice(
        data, "order", path, Order.ID, N_("unknown order {value!r}; choose one of: {names}")
    )
    raw_envelopes = data.get("envelopes")
    envelopes: list[Envelope] = []
    if not isinstance(raw_envelopes, list) or not raw_envelopes:
        r.add(f"{path}.envelopes", _("expected a non-empty list of envelopes"))
    else:
        first_seen: dict[str, int] = {}
        for i, where, raw in _tables(r, raw_envelopes, f"{path}.envelopes"):
            envelope = _envelope(r, raw, where, rounding, kinds)
            if envelope is None:
                continue
            if envelope.id in first_seen:
                r.add(
                    f"{where}.id",
                    _("duplicate envelope id {id!r} (first at envelopes[{first}])").format(
                        id=envelope.id, first=first_seen[envelope.id]
                    ),
                )
                continue
            first_seen[envelope.id] = i
            envelopes.append(envelope)
    if not r.problems and total is not None:
        what_if = (changed, _accepts(data, r.citations, kinds)) if changed else None
        _check_total(r, total, envelopes, path, what_if)
    if r.problems:
        raise InputError(r.problems)
    assert total is not None
    return AllocationPlan(total=total, envelopes=tuple(envelopes), rounding=rounding, order=order)


def _check_total(
    r: _Reader,
    total: Money,
    envelopes: list[Envelope],
    path: str,
    what_if: tuple[Collection[str], Callable[[str, Money], bool]] | None = None,
) -> None:
    amounts = [e.amount for e in envelopes]
    if any(a is None for a in amounts):
        return  # a fixed envelope without `amount`: checked once the recipients are known
    summed = Money.total(amounts)
    if summed == total:
        return
    set_here = _set_amounts(envelopes, what_if[0]) if what_if else []
    if not set_here or what_if is None:
        r.add(
            f"{path}.total",
            _("the envelopes add up to {sum} but the total is {total}").format(
                sum=summed.format(), total=total.format()
            ),
        )
        return
    r.add(
        f"--set {path.removeprefix('$.')}.{set_here[0]}",
        _what_if_mismatch(total, envelopes, set_here, path, what_if[1]),
    )


def _set_amounts(envelopes: list[Envelope], changed: Collection[str]) -> list[str]:
    """The amounts a what-if set, as keys under the plan (``total``, ``envelopes.ats.amount``)."""
    found = ["total"] if "total" in changed else []
    for e in envelopes:
        key = f"envelopes.{e.id}.amount"
        if {"envelopes", f"envelopes.{e.id}", key} & set(changed):
            found.append(key)
    return found


def _plain(amount: Money) -> str:
    """An amount as a ``--set`` value: ``3200000``, or ``3200000.50`` with cents."""
    return str(amount) if amount.cents % 100 else str(amount.cents // 100)


def _what_if_mismatch(
    total: Money,
    envelopes: list[Envelope],
    set_here: list[str],
    path: str,
    works: Callable[[str, Money], bool],
) -> str:
    """Why a what-if's total and envelopes disagree, and which single change would make them
    agree: each parameter the what-if left alone, with the value it would need (one the plan
    then accepts: not negative, in whole rounding units...); if none can, the total, which
    always can (set to what the envelopes add up to)."""
    amounts = {e.id: e.amount for e in envelopes if e.amount is not None}
    summed = Money.total(amounts.values())
    prefix = path.removeprefix("$.")
    fixes = []
    for key in ["total", *(f"envelopes.{i}.amount" for i in amounts)]:
        if key in set_here:
            continue
        if key == "total":
            value = summed
        else:
            others = summed.cents - amounts[key.split(".")[1]].cents
            if others > total.cents:
                continue  # it would have to be negative
            value = Money(total.cents - others)
        if works(key, value):
            fixes.append(f"{prefix}.{key}={_plain(value)}")
    lang = current_language()
    terms = " + ".join(f"{i} {a.format(lang)}" for i, a in amounts.items())
    return _(
        "the envelopes add up to {sum} ({terms}) but {path}.total is {total}; "
        "to make them agree, set one of: {fixes}"
    ).format(
        sum=summed.format(lang),
        terms=terms,
        path=prefix,
        total=total.format(lang),
        fixes=", ".join(fixes or [f"{prefix}.total={_plain(summed)}"]),
    )


def _accepts(
    data: Mapping[str, Any],
    citations: Mapping[str, LegalBasis],
    kinds: KindRegistry,
) -> Callable[[str, Money], bool]:
    """Whether the plan ``data`` reads without a problem once one amount is set (``total``,
    ``envelopes.ID.amount``): what a what-if's suggested fix must pass."""

    def works(key: str, value: Money) -> bool:
        fixed = dict(data)
        if key == "total":
            fixed["total"] = str(value)
        else:
            wanted = key.split(".")[1]
            fixed["envelopes"] = [
                {**e, "amount": str(value)}
                if isinstance(e, Mapping) and e.get("id") == wanted
                else e
                for e in data.get("envelopes", [])
            ]
        try:
            parse_allocation(fixed, citations, kinds=kinds)
        except InputError:
            return False
        return True

    return works


def _envelope(
    r: _Reader, raw: Mapping[str, Any], path: str, plan_rounding: Rounding, kinds: KindRegistry
) -> Envelope | None:
    before = len(r.problems)
    names = ", ".join(kinds.names())
    kind: EnvelopeKind[Any] | None = None
    if "kind" not in raw:
        r.add(f"{path}.kind", _("missing; choose one of: {kinds}").format(kinds=names))
    else:
        kind = kinds.get(raw["kind"]) if isinstance(raw["kind"], str) else None
        if kind is None:
            r.add(
                f"{path}.kind",
                with_hint(
                    _("unknown kind {value!r}; choose one of: {kinds}").format(
                        value=raw["kind"], kinds=names
                    ),
                    raw["kind"],
                    kinds.names(),
                ),
            )
    if kind is not None:
        r.keys(
            raw,
            (*_COMMON_KEYS, *kind.keys, *(_RECIPIENT_KEYS if kind.recipient_level else ())),
            path,
            _("a {kind!r} envelope").format(kind=kind.kind),
        )
    envelope_id = r.text(raw, "id", path)
    label = r.label(raw, "label", path)
    cited = r.basis(raw, path)
    note = r.label(raw, "note", path, required=False)
    if kind is None:
        return None
    common: dict[str, Any] = {"id": envelope_id, "label": label, "note": note}
    if cited is not None:
        common["citation"], common["basis"] = cited
    rounding = plan_rounding
    if kind.recipient_level:
        own_rounding = r.rounding(raw, path, plan_rounding)
        rounding = own_rounding or plan_rounding
        split = _split(r, raw, path, cited, rounding.unit)
        tranches = _tranches(r, raw, path)
        if split is not None and tranches:
            clash = {p.id for p in split.parts} & {t.id for t in tranches}
            if clash:
                r.add(
                    f"{path}.tranches",
                    _("tranche ids must differ from split part ids: {ids}").format(
                        ids=", ".join(sorted(clash))
                    ),
                )
        common.update(split=split, tranches=tranches, rounding=own_rounding)
    try:
        own = kind.read(r, raw, path, rounding)
    except Exception as exc:
        blame(kind, "read", exc)
        raise
    if len(r.problems) != before:
        return None
    try:
        envelope: Envelope = kind.parameters(**common, **own)
    except (TypeError, ValueError) as exc:
        r.add(
            path,
            _("the {kind!r} envelope is not valid: {error}").format(kind=kind.kind, error=exc),
        )
        return None
    return envelope


def read_retained(
    r: EnvelopeReader, raw: Mapping[str, Any], path: str, _rounding: Rounding
) -> dict[str, Any]:
    """The keys of a ``retained`` envelope."""
    return {"amount": r.money(raw, "amount", path)}


def read_fixed(
    r: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
) -> dict[str, Any]:
    """The keys of a ``fixed`` envelope."""
    per = r.money(raw, "per_recipient", path)
    amount = r.money(raw, "amount", path, required=False)
    r.whole_units(per, rounding.unit, f"{path}.per_recipient")
    if per is not None and amount is not None:
        if not per.cents and amount.cents:
            r.add(
                f"{path}.amount",
                _("a fixed envelope of zero per recipient cannot amount to {amount}").format(
                    amount=amount.format()
                ),
            )
        elif per.cents and amount.cents % per.cents:
            r.add(
                f"{path}.amount",
                _("{amount} is not a whole multiple of the amount per recipient {per}").format(
                    amount=amount.format(), per=per.format()
                ),
            )
    return {"per_recipient": per, "amount": amount}


def read_bounded(
    r: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
) -> dict[str, Any]:
    """The amount, floor and cap of an ``equal`` (or ``proportional``) envelope."""
    unit = rounding.unit
    amount = r.money(raw, "amount", path)
    floor = r.money(raw, "floor", path, required=False)
    cap = r.money(raw, "cap", path, required=False)
    r.whole_units(amount, unit, f"{path}.amount")
    r.whole_units(floor, unit, f"{path}.floor")
    r.whole_units(cap, unit, f"{path}.cap")
    if floor is not None and cap is not None and floor > cap:
        r.add(
            f"{path}.floor",
            _("the floor {floor} is above the cap {cap}").format(
                floor=floor.format(), cap=cap.format()
            ),
        )
    if amount is not None and floor is not None and floor > amount:
        r.add(
            f"{path}.floor",
            _("the floor {floor} is more than the whole envelope {amount}").format(
                floor=floor.format(), amount=amount.format()
            ),
        )
    if amount is not None and cap is not None and not cap and amount:
        r.add(
            f"{path}.cap",
            _("a cap of zero cannot hand out {amount}").format(amount=amount.format()),
        )
    return {"amount": amount, "floor": floor, "cap": cap}


def read_proportional(
    r: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
) -> dict[str, Any]:
    """The keys of a ``proportional`` envelope."""
    fields = read_bounded(r, raw, path, rounding)
    assert isinstance(r, _Reader)
    weights, combine = _weights(r, raw, path)
    return {**fields, "weights": weights, "combine": combine}


def _weights(
    r: _Reader, raw: Mapping[str, Any], path: str
) -> tuple[tuple[tuple[str, Fraction], ...] | None, Combine]:
    combine = r.choice(raw, "combine", path, Combine.SHARES)
    has_indicator, has_weights = "indicator" in raw, "weights" in raw
    if has_indicator == has_weights:
        r.add(
            path,
            _(
                'a proportional envelope needs exactly one of indicator = "name" or '
                'weights = { name = "share", ... }'
            ),
        )
        return None, combine
    if has_indicator:
        name = r.text(raw, "indicator", path)
        return (None if name is None else ((name, Fraction(1)),)), combine
    table = r.table(raw, "weights", path)
    if table is None:
        return None, combine
    if not table:
        r.add(f"{path}.weights", _("expected at least one indicator"))
        return None, combine
    weights: list[tuple[str, Fraction]] = []
    for name, value in table.items():
        if not isinstance(name, str) or not name.strip():
            r.add(f"{path}.weights", _("indicator names must be non-empty strings"))
            continue
        weight = r.fraction(value, f"{path}.weights.{name}")
        if weight is not None:
            weights.append((name.strip(), weight))
    if len(weights) == len(table) and not any(w for _n, w in weights):
        r.add(f"{path}.weights", _("the weights are all zero"))
    return tuple(weights), combine


def _tables(
    r: _Reader, items: list[Any], where: str
) -> Iterator[tuple[int, str, Mapping[str, Any]]]:
    """The tables of a list (``envelopes``, ``split``, ``tranches``) with their index and path;
    an item that is not a table is a problem at its own path."""
    for j, item in enumerate(items):
        at = f"{where}[{j}]"
        if isinstance(item, Mapping):
            yield j, at, item
        else:
            r.add(at, _("expected a table"))


def _unique(r: _Reader, seen: set[str], item_id: str | None, at: str, message: str) -> None:
    """Note ``item_id`` as seen; a second one is ``message`` at its ``id``."""
    if item_id is None:
        return
    if item_id in seen:
        r.add(f"{at}.id", message.format(id=item_id))
    seen.add(item_id)


def _shares_total(r: _Reader, shares: list[Fraction], path: str) -> None:
    total = sum(shares, Fraction(0))
    if total != 1:
        r.add(
            path,
            _("the shares add up to {total}, not exactly 100%").format(total=format_share(total)),
        )


def _split(
    r: _Reader,
    raw: Mapping[str, Any],
    path: str,
    envelope_basis: tuple[str, LegalBasis] | None,
    envelope_unit: Money,
) -> Split | None:
    """The split parts; a part without its own ``basis`` cites the envelope's."""
    for key in ("split_overrides", "split_unit"):
        if key in raw and "split" not in raw:
            r.add(f"{path}.{key}", _("{key} needs a split").format(key=key))
    unit = _split_unit(r, raw, path, envelope_unit)
    if "split" not in raw:
        return None
    value = raw["split"]
    where = f"{path}.split"
    if not isinstance(value, list) or not value:
        r.add(where, _("expected a non-empty list of parts"))
        return None
    before = len(r.problems)
    parts: list[SplitPart] = []
    seen: set[str] = set()
    for _j, at, item in _tables(r, value, where):
        r.keys(item, _PART_KEYS, at, _("a split part"))
        part_id = r.text(item, "id", at)
        label = r.label(item, "label", at)
        share = (
            r.fraction(item.get("share"), f"{at}.share", at_most_one=True)
            if "share" in item
            else None
        )
        if "share" not in item:
            r.add(f"{at}.share", _("missing"))
        cited = r.basis(item, at, required=False) if "basis" in item else None
        _unique(r, seen, part_id, at, _("duplicate part id {id!r}"))
        cited = cited or envelope_basis
        if part_id and label and share is not None and cited:
            parts.append(
                SplitPart(id=part_id, label=label, share=share, basis=cited[1], citation=cited[0])
            )
    if len(r.problems) != before or len(parts) != len(value):
        return None  # (a part may lack a basis because the envelope's own basis is bad)
    _shares_total(r, [p.share for p in parts], where)
    overrides = _split_overrides(r, raw, path, parts)
    if len(r.problems) != before:
        return None
    return Split(parts=tuple(parts), overrides=overrides, unit=unit)


def _split_unit(
    r: _Reader, raw: Mapping[str, Any], path: str, envelope_unit: Money
) -> Money | None:
    """``split_unit``: the parts' rounding unit, a positive amount that divides the envelope's."""
    unit = r.money(raw, "split_unit", path, required=False)
    if unit is None:
        return None
    if unit.cents <= 0:
        r.add(f"{path}.split_unit", _("must be more than zero"))
        return None
    if envelope_unit.cents % unit.cents:
        r.add(
            f"{path}.split_unit",
            _("{unit} does not divide the envelope's rounding unit {envelope}").format(
                unit=unit.format(), envelope=envelope_unit.format()
            ),
        )
        return None
    return unit


def _split_overrides(
    r: _Reader, raw: Mapping[str, Any], path: str, parts: list[SplitPart]
) -> tuple[tuple[str, tuple[Fraction, ...]], ...]:
    table = r.table(raw, "split_overrides", path)
    if table is None:
        return ()
    part_ids = [p.id for p in parts]
    out: list[tuple[str, tuple[Fraction, ...]]] = []
    for recipient, shares in sorted(table.items()):
        at = f"{path}.split_overrides.{recipient}"
        if not isinstance(shares, Mapping):
            r.add(at, _("expected a table: part id -> share"))
            continue
        before = len(r.problems)
        for key in shares:
            if key not in part_ids:
                r.add(
                    f"{at}.{key}",
                    _("unknown split part; the parts are: {ids}").format(ids=", ".join(part_ids)),
                )
        values: list[Fraction] = []
        for pid in part_ids:
            if pid not in shares:
                r.add(f"{at}.{pid}", _("missing: an override gives every part its share"))
                continue
            share = r.fraction(shares[pid], f"{at}.{pid}", at_most_one=True)
            if share is not None:
                values.append(share)
        if len(r.problems) == before:
            _shares_total(r, values, at)
        if len(r.problems) == before:
            out.append((str(recipient), tuple(values)))
    return tuple(out)


def _tranches(r: _Reader, raw: Mapping[str, Any], path: str) -> tuple[Tranche, ...]:
    if "tranches" not in raw:
        return ()
    value = raw["tranches"]
    where = f"{path}.tranches"
    if not isinstance(value, list) or not value:
        r.add(where, _("expected a non-empty list of tranches"))
        return ()
    before = len(r.problems)
    tranches: list[Tranche] = []
    seen: set[str] = set()
    for _j, at, item in _tables(r, value, where):
        r.keys(item, _TRANCHE_KEYS, at, _("a tranche"))
        tranche_id = r.text(item, "id", at)
        label = r.label(item, "label", at, required=False)
        if "share" not in item:
            r.add(f"{at}.share", _("missing"))
            continue
        share = r.fraction(item["share"], f"{at}.share", at_most_one=True)
        _unique(r, seen, tranche_id, at, _("duplicate tranche id {id!r}"))
        if tranche_id and share is not None:
            tranches.append(Tranche(id=tranche_id, share=share, label=label))
    if len(r.problems) != before:
        return ()
    _shares_total(r, [t.share for t in tranches], where)
    if len(r.problems) != before:
        return ()
    return tuple(tranches)
