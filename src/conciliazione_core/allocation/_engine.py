"""The allocation engine: an :class:`AllocationPlan` + recipients + indicators -> amounts.

Everything is computed with integers and exact fractions; the only rounding is the plan's named
strategy, applied once per envelope, to the plan's unit. Ties are broken by recipient id, so the
result never depends on the order of the input.

The hot path (a proportional envelope among many recipients, no explanation) works on plain
lists of ints: the indicator column as integers over a common denominator, the quotas as
``units × w_i`` divided by the total weight, floors and remainders by integer division.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from math import gcd, lcm
from typing import Literal

import attrs

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._gc import paused_gc
from conciliazione_core._indicators import IndicatorTable
from conciliazione_core._money import Money
from conciliazione_core._suggest import listing
from conciliazione_core.allocation._bounds import bounded_scale
from conciliazione_core.allocation._envelopes import (
    AllocationPlan,
    Combine,
    Envelope,
    EqualEnvelope,
    FixedEnvelope,
    ProportionalEnvelope,
    RetainedEnvelope,
    is_recipient_level,
)
from conciliazione_core.allocation._kinds import AllocationContext, blame, is_core, kind_of
from conciliazione_core.allocation._result import (
    Allocation,
    EnvelopeOutcome,
    NonOfficial,
    PendingEnvelope,
    RetainedLine,
)
from conciliazione_core.allocation._rounding import (
    Rounding,
    Strategy,
    _kth_largest,
    apportion,
    largest_remainder,
)
from conciliazione_core.allocation._vectorised import round_quotas_int64, split_columns_int64
from conciliazione_core.i18n import _

__all__ = ["allocate"]

_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _envelope_path(plan: AllocationPlan, envelope_id: str) -> str:
    """Where a top-level envelope of ``plan`` is in the parameter file (callers pass only those)."""
    index = [envelope.id for envelope in plan.envelopes].index(envelope_id)
    return f"$.allocation.envelopes[{index}]"


def allocate(
    plan: AllocationPlan,
    recipients: Sequence[tuple[str, str]] | None,
    table: IndicatorTable | None = None,
    *,
    explain: bool = True,
    missing: Literal["error", "pending"] = "error",
    what_if: Sequence[str] = (),
) -> Allocation:
    """Split the plan's total among ``recipients`` (``(id, name)`` pairs).

    ``recipients=None`` splits it among the rows of ``table``, in the table's order: the ids
    and names the table holds, already checked when it was built, are used as they are (no list
    of pairs to build and check, which is most of the cost at a million recipients).
    ``table`` gives the indicator values of proportional envelopes. With ``missing="error"`` a
    recipient without a row is an InputError; with ``missing="pending"`` the proportional
    envelopes are left unallocated and reported in :attr:`Allocation.pending` while the others
    are computed. ``explain=False`` skips building every recipient's trace (use
    :meth:`Allocation.explain` for one). ``what_if`` records the parameter overrides applied.
    """
    with paused_gc():
        return _allocate(plan, recipients, table, explain, missing, what_if)


def _all_text(values: tuple[object, ...]) -> bool:
    """Every value is text: one pass over the distinct types, at C speed."""
    return all(issubclass(t, str) for t in set(map(type, values)))


def _check_recipients(recipients: object) -> None:
    """Recipients are a sequence of ``(id, name)`` pairs: ``["ab", "cd"]`` is not read as
    ``("a", "b")``. The shapes are checked at C speed, each item only when one is wrong."""
    if isinstance(recipients, str | bytes) or not isinstance(recipients, Sequence):
        raise InputError.at(
            "recipients",
            _("expected a list of (id, name) pairs, got {kind}").format(
                kind=type(recipients).__name__
            ),
        )
    pairs = all(issubclass(t, tuple | list) for t in set(map(type, recipients)))
    if not pairs or set(map(len, recipients)) - {2}:
        _check_each_recipient(recipients)


def _check_each_recipient(recipients: Sequence[object]) -> None:
    """Name the first recipient that is not an ``(id, name)`` pair of texts."""
    for i, recipient in enumerate(recipients):
        if (
            not isinstance(recipient, tuple | list)
            or len(recipient) != 2
            or not all(isinstance(part, str) for part in recipient)
        ):
            raise InputError.at(
                f"recipients[{i}]",
                _("expected an (id, name) pair of texts, got {value}").format(
                    value=repr(recipient)[:80]
                ),
            )


def _recipients(
    recipients: Sequence[tuple[str, str]] | None, table: IndicatorTable | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The recipients' ids and names, checked; a table's rows are taken as they are."""
    if recipients is None:
        if table is None:
            raise InputError.at(
                "recipients",
                _("no recipients: give (id, name) pairs, or a table whose rows are the recipients"),
            )
        return table.ids, table.names
    _check_recipients(recipients)
    ids: tuple[str, ...] = tuple(map(_first, recipients))
    names: tuple[str, ...] = tuple(map(_second, recipients))
    if not _all_text(ids) or not _all_text(names):
        _check_each_recipient(recipients)
    return ids, names


def _allocate(
    plan: AllocationPlan,
    recipients: Sequence[tuple[str, str]] | None,
    table: IndicatorTable | None,
    explain: bool,
    missing: Literal["error", "pending"],
    what_if: Sequence[str],
) -> Allocation:
    """:func:`allocate`, with the garbage collector paused."""
    ids, names = _recipients(recipients, table)
    n = len(ids)
    problems: list[Problem] = []

    kinds = [kind_of(e) for e in plan.envelopes]
    # The envelopes that read indicators (proportional ones, and any plugin kind that does).
    reading = [(e, k.indicators(e)) for e, k in zip(plan.envelopes, kinds, strict=True)]
    reading = [(e, read) for e, read in reading if read]
    permutation, missing_ids, extra, duplicates = _match(ids, table)
    if duplicates:
        raise InputError.at(
            "recipients", _("duplicate recipient id(s): {ids}").format(ids=listing(duplicates))
        )
    if extra:
        problems.append(
            Problem(
                "indicators",
                _(
                    "the indicator table has rows for {n} id(s) that are not recipients: {ids}"
                ).format(n=len(extra), ids=listing(extra)),
            )
        )
    if table is not None:
        for envelope, indicators in reading:
            unknown = [k for k in indicators if k not in table.indicators]
            if unknown:
                problems.append(
                    Problem(
                        f"{_envelope_path(plan, envelope.id)}.indicator",
                        _(
                            "envelope {id!r} reads indicator(s) {names} that the table does not have "
                            "(it has: {known})"
                        ).format(
                            id=envelope.id,
                            names=", ".join(unknown),
                            known=", ".join(table.indicators),
                        ),
                    )
                )
    elif reading:
        missing_ids = tuple(sorted(ids))

    pending_ids = (
        {e.id for e, _names in reading} if (missing_ids or (table is None and reading)) else set()
    )
    if pending_ids and missing == "error":
        for envelope, indicators in reading:
            where = _envelope_path(plan, envelope.id)
            if table is None:
                problems.append(
                    Problem(
                        where,
                        _(
                            "envelope {id!r} is split by {names} but no indicator table was given"
                        ).format(id=envelope.id, names=", ".join(indicators)),
                    )
                )
            else:
                problems.append(
                    Problem(
                        where,
                        _(
                            "envelope {id!r} needs {names} for {n} recipient(s) missing from the "
                            "indicator table: {ids}"
                        ).format(
                            id=envelope.id,
                            names=", ".join(indicators),
                            n=len(missing_ids),
                            ids=listing(missing_ids),
                        ),
                    )
                )
    elif missing not in ("error", "pending"):
        raise ValueError(f"missing must be 'error' or 'pending', not {missing!r}")

    problems.extend(_check_amounts(plan, ids))
    if problems:
        raise InputError(problems)

    outcomes: list[EnvelopeOutcome] = []
    pending: list[PendingEnvelope] = []
    retained: list[RetainedLine] = []
    for position, (item, kind) in enumerate(zip(plan.envelopes, kinds, strict=True)):
        if item.id in pending_ids:
            pending.append(
                PendingEnvelope(
                    item.id,
                    item.label,
                    kind.amount(item, n),
                    kind.indicators(item),
                    missing_ids,
                    item.basis,
                )
            )
            continue
        rounding = plan.rounding_for(item) if is_recipient_level(item) else plan.rounding
        context = AllocationContext(
            plan, ids, table, permutation, rounding, f"$.allocation.envelopes[{position}]"
        )
        try:
            computed = kind.allocate(item, context)
            if not is_core(kind):  # a plugin's result is checked before it is used
                computed = _checked(item, computed, n, kind.amount(item, n))
        except Exception as exc:
            blame(kind, "allocate", exc)
            raise
        if isinstance(computed, RetainedLine):
            retained.append(computed)
        else:
            outcomes.append(_with_parts(computed, ids))

    cents = _recipient_cents(outcomes, n)
    unallocated = Money(sum(o.leftover * o.rounding.unit.cents for o in outcomes))
    non_official: tuple[NonOfficial, ...] = ()
    if table is not None and any(kind_of(o.envelope).indicators(o.envelope) for o in outcomes):
        marked = sorted(table.non_official_provenances(), key=_first)
        non_official = tuple(NonOfficial(rid, p.status, p) for rid, p in marked)
    allocation = Allocation(
        plan=plan,
        total=plan.total,
        unit=plan.rounding.unit,
        strategy=plan.rounding.strategy,
        recipient_ids=ids,
        recipient_names=names,
        cents=cents,
        outcomes=tuple(outcomes),
        retained=tuple(retained),
        unallocated=unallocated,
        pending=tuple(pending),
        non_official=non_official,
        what_if=tuple(what_if),
        table=table,
    )
    _check_sum(allocation)
    if not explain:
        return allocation
    from conciliazione_core.allocation._explain import explain_share

    shares = tuple(explain_share(allocation, i) for i in allocation.order)
    return attrs.evolve(allocation, explained=shares)


def _checked(
    envelope: Envelope, computed: object, n: int, amount: Money
) -> EnvelopeOutcome | RetainedLine:
    """What a kind's ``allocate`` returned, if it accounts for the envelope's whole amount."""
    if isinstance(computed, RetainedLine):
        if computed.envelope_id != envelope.id or computed.amount != amount:
            raise ValueError(
                f"returned a retained line of {computed.amount.format()} for "
                f"{computed.envelope_id!r}, not {amount.format()} for {envelope.id!r}"
            )
        return computed
    if not isinstance(computed, EnvelopeOutcome):
        raise TypeError(
            f"returned {type(computed).__name__}, not an EnvelopeOutcome or a RetainedLine"
        )
    units, unit = computed.units, computed.rounding.unit.cents
    if computed.envelope is not envelope:
        raise ValueError("returned the outcome of another envelope")
    if len(units) != n or not all(type(u) is int for u in units):
        raise ValueError(f"returned {len(units)} amounts for {n} recipients, or not whole units")
    if (n and min(units) < 0) or computed.leftover < 0:
        raise ValueError("returned a negative amount")
    if (sum(units) + computed.leftover) * unit != amount.cents:
        raise ValueError(
            f"handed out {Money((sum(units) + computed.leftover) * unit).format()} "
            f"of {amount.format()}"
        )
    return computed


def _match(
    ids: tuple[str, ...], table: IndicatorTable | None
) -> tuple[list[int] | None, tuple[str, ...], tuple[str, ...], list[str]]:
    """Match recipients with table rows: ``(permutation, missing, extra, duplicates)``.

    ``permutation[i]`` is the table row of recipient ``i`` (None when the table lists the
    recipients in the same order); ``missing`` are recipients without a row, ``extra`` rows
    that are not recipients, ``duplicates`` repeated recipient ids. The common cases cost a
    tuple comparison (same order) or one dictionary look-up per recipient; the sets needed to
    name the culprits are only built when something is wrong.
    """
    n = len(ids)
    if table is not None:
        if table.ids == ids:
            return None, (), (), []  # the table's ids are unique, so these are too
        permutation = list(map(table.positions.get, ids))
        if None not in permutation and len(table.ids) == n and len(set(permutation)) == n:
            return permutation, (), (), []  # type: ignore[return-value]
    if len(set(ids)) != n:
        return None, (), (), sorted(i for i, count in Counter(ids).items() if count > 1)
    if table is None:
        return None, (), (), []
    known = set(ids)
    positions = table.positions
    return (
        None,
        tuple(sorted(i for i in ids if i not in positions)),
        tuple(sorted(r for r in table.ids if r not in known)),
        [],
    )


def _check_amounts(plan: AllocationPlan, ids: tuple[str, ...]) -> list[Problem]:
    """Checks that need the number of recipients: each kind's own, and the total."""
    n = len(ids)
    problems: list[Problem] = []
    summed = 0
    for position, envelope in enumerate(plan.envelopes):
        kind = kind_of(envelope)
        try:
            problems.extend(kind.check(envelope, ids, f"$.allocation.envelopes[{position}]"))
            summed += kind.amount(envelope, n).cents
        except Exception as exc:
            blame(kind, "check", exc)
            raise
    if summed != plan.total.cents:
        problems.append(
            Problem(
                "$.allocation.total",
                _(
                    "the envelopes add up to {sum} for {n} recipients but the total is {total}"
                ).format(sum=Money(summed).format(), n=n, total=plan.total.format()),
            )
        )
    return problems


def check_fixed(envelope: FixedEnvelope, ids: Sequence[str], where: str) -> list[Problem]:
    """A fixed envelope's stated amount is ``n × per_recipient``."""
    n = len(ids)
    expected = envelope.per_recipient * n
    if envelope.amount is not None and envelope.amount != expected:
        return [
            Problem(
                f"{where}.amount",
                _("{amount} is not {n} recipients × {per} = {expected}").format(
                    amount=envelope.amount.format(),
                    n=n,
                    per=envelope.per_recipient.format(),
                    expected=expected.format(),
                ),
            )
        ]
    return []


def check_bounded(
    envelope: EqualEnvelope | ProportionalEnvelope, ids: Sequence[str], where: str
) -> list[Problem]:
    """Somebody to split among, floors and caps that fit, overrides for actual recipients."""
    n = len(ids)
    problems: list[Problem] = []
    if n == 0 and envelope.amount:
        return [
            Problem(
                where,
                _("envelope {id!r} has {amount} to split but there are no recipients").format(
                    id=envelope.id, amount=envelope.amount.format()
                ),
            )
        ]
    if envelope.floor is not None and envelope.floor * n > envelope.amount:
        problems.append(
            Problem(
                f"{where}.floor",
                _(
                    "infeasible: {n} recipients × floor {floor} = {need} is more than the envelope "
                    "{amount}"
                ).format(
                    n=n,
                    floor=envelope.floor.format(),
                    need=(envelope.floor * n).format(),
                    amount=envelope.amount.format(),
                ),
            )
        )
    if envelope.cap is not None and envelope.cap * n < envelope.amount:
        problems.append(
            Problem(
                f"{where}.cap",
                _(
                    "infeasible: {n} recipients × cap {cap} = {most} is less than the envelope "
                    "{amount}"
                ).format(
                    n=n,
                    cap=envelope.cap.format(),
                    most=(envelope.cap * n).format(),
                    amount=envelope.amount.format(),
                ),
            )
        )
    split = envelope.split
    if split is not None and split.overrides:
        known = set(ids)
        unknown = [r for r, _s in split.overrides if r not in known]
        if unknown:
            problems.append(
                Problem(
                    f"{where}.split_overrides",
                    _("override(s) for id(s) that are not recipients: {ids}").format(
                        ids=", ".join(sorted(unknown))
                    ),
                )
            )
    return problems


def _integer_weights(
    envelope: ProportionalEnvelope,
    table: IndicatorTable,
    ids: tuple[str, ...],
    permutation: list[int] | None,
) -> tuple[Sequence[int], tuple[Fraction, ...], tuple[Fraction, ...], int]:
    """Each recipient's weight as an int, with the coefficients that define it exactly.

    Returns ``(weights, coefficients, totals, total_weight)`` where ``weight_i = Σ_k
    coefficients[k] × value_k,i`` exactly, ``totals[k]`` is indicator k's total over the
    recipients and ``total_weight`` the sum of the weights.
    """
    columns: list[list[int] | tuple[int, ...]] = []
    denominators: list[int] = []
    sums: list[int] = []
    for name in envelope.indicators:
        numerators, denominator = table.integer_column(name)
        column = (
            numerators if permutation is None else list(map(numerators.__getitem__, permutation))
        )
        columns.append(column)
        denominators.append(denominator)
        sums.append(sum(column))
    totals = [Fraction(s, d) for s, d in zip(sums, denominators, strict=True)]
    # weight_i = Σ_k w_k × value_k,i / (S_k if SHARES) = Σ_k c_k × numerator_k,i
    exact: list[Fraction] = []
    for (_name, w), denominator, total in zip(envelope.weights, denominators, totals, strict=True):
        if envelope.combine is Combine.SHARES:
            exact.append(w / (total * denominator) if total else Fraction(0))
        else:
            exact.append(w / denominator)
    common = lcm(*(c.denominator for c in exact))
    integral = [c.numerator * (common // c.denominator) for c in exact]
    divisor = 0
    for c in integral:
        divisor = gcd(divisor, c)
    divisor = divisor or 1
    integral = [c // divisor for c in integral]
    weights: Sequence[int]
    if len(columns) == 1 and integral[0] == 1:
        weights, total_weight = columns[0], sums[0]  # read only: no copy
    else:
        summed = [0] * len(ids)
        for c, column in zip(integral, columns, strict=True):
            if c:
                summed = list(map(operator.add, summed, map(c.__mul__, column)))
        weights, total_weight = summed, sum(summed)
    # Coefficients on the exact values: weight_i = Σ_k (integral_k × denominator_k) × value_k,i
    coefficients = tuple(Fraction(c * d) for c, d in zip(integral, denominators, strict=True))
    return weights, coefficients, tuple(totals), total_weight


def retained_line(envelope: RetainedEnvelope, _context: AllocationContext) -> RetainedLine:
    """A retained envelope is kept by the payer: one line of its own."""
    return RetainedLine(
        envelope.id,
        envelope.label,
        envelope.amount,
        envelope.basis,
        envelope.citation,
        envelope.note,
    )


def compute_fixed(envelope: FixedEnvelope, context: AllocationContext) -> EnvelopeOutcome:
    """The same number of units to everybody."""
    each = envelope.per_recipient.cents // context.rounding.unit.cents
    return EnvelopeOutcome(
        envelope=envelope,
        rounding=context.rounding,
        units=(each,) * len(context.ids),
        leftover=0,
        scale=Fraction(each),
    )


def compute_equal(envelope: EqualEnvelope, context: AllocationContext) -> EnvelopeOutcome:
    """The amount in equal units (the floor and cap cannot bind: everybody is equal)."""
    rounding, ids = context.rounding, context.ids
    unit = rounding.unit.cents
    n = len(ids)
    amount = envelope.amount.cents // unit
    floor = 0 if envelope.floor is None else envelope.floor.cents // unit
    cap = None if envelope.cap is None else envelope.cap.cents // unit
    if n == 0:
        return EnvelopeOutcome(
            envelope=envelope, rounding=rounding, units=(), leftover=0, scale=Fraction(0)
        )
    shares = apportion(rounding, amount, [1] * n, ids)
    return EnvelopeOutcome(
        envelope=envelope,
        rounding=rounding,
        units=tuple(shares),
        leftover=amount - sum(shares),
        scale=Fraction(amount, n),
        floor=floor,
        cap=cap,
    )


def compute_proportional(
    envelope: ProportionalEnvelope, context: AllocationContext
) -> EnvelopeOutcome:
    """The amount in proportion to the weights, within the floor and the cap."""
    rounding, ids, table = context.rounding, context.ids, context.table
    unit = rounding.unit.cents
    n = len(ids)
    amount = envelope.amount.cents // unit
    floor = 0 if envelope.floor is None else envelope.floor.cents // unit
    cap = None if envelope.cap is None else envelope.cap.cents // unit
    assert table is not None
    weights, coefficients, totals, total_weight = _integer_weights(
        envelope, table, ids, context.permutation
    )
    if n and not total_weight:
        raise InputError.at(
            context.path,
            _(
                "envelope {id!r}: the weights ({names}) add up to zero over all recipients, so "
                "there is nothing to be proportional to"
            ).format(id=envelope.id, names=", ".join(envelope.indicators)),
        )
    if n == 0:
        return EnvelopeOutcome(
            envelope=envelope,
            rounding=rounding,
            units=(),
            leftover=0,
            scale=Fraction(0),
            coefficients=coefficients,
            totals=totals,
        )
    if cap is not None:
        # Recipients with zero weight stay at the floor: the others' caps must cover the rest.
        positive = n - weights.count(0)
        most = positive * cap + (n - positive) * floor
        if most < amount:
            raise InputError.at(
                f"{context.path}.cap",
                _(
                    "infeasible: only {positive} recipient(s) have a positive weight; at the cap of "
                    "{cap} each (and the floor for the others) they can receive {most}, less than "
                    "the envelope {amount}"
                ).format(
                    positive=positive,
                    cap=Money(cap * unit).format(),
                    most=Money(most * unit).format(),
                    amount=envelope.amount.format(),
                ),
            )
    if floor or cap is not None:
        scale = bounded_scale(amount, weights, floor, cap)
        p, q = scale.numerator, scale.denominator
        low, high = floor * q, (None if cap is None else cap * q)
        quotas = [
            min(max(p * w, low), high) if high is not None else max(p * w, low) for w in weights
        ]
        shares = _round_quotas(rounding, amount, quotas, q, ids)
    else:
        scale = Fraction(amount, total_weight)
        shares = apportion(rounding, amount, weights, ids, total_weight)
    # Largest remainder hands out every unit (the allocation's total is checked at the end).
    whole = rounding.strategy is Strategy.LARGEST_REMAINDER
    return EnvelopeOutcome(
        envelope=envelope,
        rounding=rounding,
        units=tuple(shares),
        leftover=0 if whole else amount - sum(shares),
        scale=scale,
        coefficients=coefficients,
        totals=totals,
        floor=floor,
        cap=cap,
    )


def _round_quotas(
    rounding: Rounding, units: int, quotas: list[int], q: int, ids: Sequence[str]
) -> list[int]:
    """Exact quotas ``quotas[i] / q`` (adding up to ``units``) rounded by the strategy.

    The result of ``apportion(rounding, units, quotas, ids)``, whose quotas are ``units ×
    quota_i / (units × q)``: the same floors ``quota_i // q`` and remainders in the same order
    (``quota_i % q``), without the products by ``units``; on NumPy when the quotas fit int64.
    """
    floor_only = rounding.strategy is Strategy.FLOOR
    fast = round_quotas_int64(units, quotas, q, ids, floor_only)
    if fast is not None:
        return fast
    floors = list(map(q.__rfloordiv__, quotas))
    left = units - sum(floors)
    if floor_only or not left:
        return floors
    remainders = list(map(q.__rmod__, quotas))
    threshold = _kth_largest(remainders, left)  # every remainder above it gets a unit
    above = sum(map(threshold.__lt__, remainders))
    result = list(map(operator.add, floors, map(threshold.__lt__, remainders)))
    tied = [i for i, r in enumerate(remainders) if r == threshold]
    tied.sort(key=ids.__getitem__)
    for i in tied[: left - above]:  # then the tied ones, by id
        result[i] += 1
    return result


def _with_parts(outcome: EnvelopeOutcome, ids: tuple[str, ...]) -> EnvelopeOutcome:
    """Split each recipient's units into the envelope's parts and tranches.

    The recipient's amount is already theirs, so its parts always add up to it exactly: parts
    and tranches use largest remainder (ties by part id) whatever the envelope's strategy.
    """
    envelope = outcome.envelope
    parts: tuple[tuple[int, ...], ...] = ()
    tranches: tuple[tuple[int, ...], ...] = ()
    if envelope.split is not None:
        split = envelope.split
        default = tuple(p.share for p in split.parts)
        part_ids = [p.id for p in split.parts]
        # Parts are counted in the split's own unit (a cent, where amounts are whole euros).
        factor = outcome.rounding.unit.cents // outcome.part_unit.cents
        columns = _split_columns(outcome.units, factor, default, part_ids)
        if split.overrides:  # a few recipients with their own shares: one at a time
            amounts = outcome.units if factor == 1 else [u * factor for u in outcome.units]
            where = {rid: i for i, rid in enumerate(ids)}
            for rid, shares in split.overrides:
                i = where[rid]
                for column, units in zip(
                    columns, _split_units(amounts[i], shares, part_ids), strict=True
                ):
                    column[i] = units
        parts = tuple(map(tuple, columns))
    if envelope.tranches:
        shares = tuple(t.share for t in envelope.tranches)
        tranche_ids = [t.id for t in envelope.tranches]
        tranches = tuple(map(tuple, _split_columns(outcome.units, 1, shares, tranche_ids)))
    if not parts and not tranches:
        return outcome
    return EnvelopeOutcome(
        envelope=outcome.envelope,
        rounding=outcome.rounding,
        units=outcome.units,
        leftover=outcome.leftover,
        scale=outcome.scale,
        coefficients=outcome.coefficients,
        totals=outcome.totals,
        floor=outcome.floor,
        cap=outcome.cap,
        parts=parts,
        tranches=tranches,
    )


def _split_units(units: int, shares: Sequence[Fraction], part_ids: list[str]) -> list[int]:
    """``units`` split by exact shares (summing to 1) by largest remainder, ties by part id."""
    if units == 0:
        return [0] * len(shares)
    common = lcm(*(s.denominator for s in shares))
    weights = [s.numerator * (common // s.denominator) for s in shares]
    return largest_remainder(units, weights, part_ids)


def _split_columns(
    units: Sequence[int], factor: int, shares: Sequence[Fraction], part_ids: list[str]
) -> list[list[int]]:
    """Every recipient's ``units × factor`` split by the same exact shares: one list per part.

    The same result as :func:`_split_units` for each recipient (largest remainder, ties by part
    id), in one pass over each column: with the shares as ``m_k / M``, part k gets
    ``u × m_k // M``, plus one unit when fewer than the ``u - Σ floors`` units left over go to
    parts ranked before it (a larger remainder ``u × m_k % M``, or an equal one and a smaller
    id). So a split costs a few list operations per part, not a largest-remainder call per
    recipient.
    """
    common = lcm(*(s.denominator for s in shares))
    multipliers = [s.numerator * (common // s.denominator) for s in shares]
    fast = split_columns_int64(units, factor, multipliers, common, part_ids)
    if fast is not None:  # the same arithmetic on int64 arrays, where it is exact
        return fast
    if factor != 1:
        units = list(map(factor.__mul__, units))
    products = [list(map(m.__mul__, units)) for m in multipliers]
    floors = [list(map(common.__rfloordiv__, column)) for column in products]
    if common == 1:
        return floors
    remainders = [list(map(common.__rmod__, column)) for column in products]
    del products
    left: list[int] = list(units)
    for column in floors:
        left = list(map(operator.sub, left, column))
    columns: list[list[int]] = []
    for k, (floor, remainder) in enumerate(zip(floors, remainders, strict=True)):
        ahead = [0] * len(left)  # how many parts come before part k, per recipient
        for j, other in enumerate(remainders):
            if j == k:
                continue
            beats = operator.ge if part_ids[j] < part_ids[k] else operator.gt
            ahead = list(map(operator.add, ahead, map(beats, other, remainder)))
        columns.append(list(map(operator.add, floor, map(operator.lt, ahead, left))))
    return columns


def _recipient_cents(outcomes: list[EnvelopeOutcome], n: int) -> tuple[int, ...]:
    if not outcomes:
        return (0,) * n
    total: list[int] | tuple[int, ...] | None = None
    for outcome in outcomes:
        unit = outcome.rounding.unit.cents
        cents = outcome.units if unit == 1 else list(map(unit.__mul__, outcome.units))
        total = cents if total is None else list(map(operator.add, total, cents))
    assert total is not None
    return tuple(total)


def _check_sum(allocation: Allocation) -> None:
    """The books balance to the cent; anything else is a bug, not an input problem."""
    summed = (
        sum(allocation.cents)
        + allocation.retained_total.cents
        + allocation.unallocated.cents
        + allocation.pending_total.cents
    )
    if summed != allocation.total.cents:
        raise AssertionError(f"allocation does not add up: {summed} != {allocation.total.cents}")
