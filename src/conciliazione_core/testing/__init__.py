"""A testing kit for projects built on conciliazione-core: Hypothesis strategies that generate
valid allocation inputs, and the invariants every allocation must satisfy.

>>> from conciliazione_core.testing import allocation_cases, assert_allocation_invariants

The names are imported on first use, so that pytest can load the conformance plugin
(``conciliazione_core.testing._pytest_plugin``) where Hypothesis is not installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conciliazione_core.testing._invariants import assert_allocation_invariants, exact_quotas
    from conciliazione_core.testing._oracles import largest_remainder_oracle
    from conciliazione_core.testing._strategies import (
        TEST_CITATIONS,
        allocation_cases,
        allocation_plan_data,
        allocation_plans,
        indicator_tables,
        money,
        recipients,
    )

_WHERE = {
    "assert_allocation_invariants": "invariants",
    "exact_quotas": "invariants",
    "largest_remainder_oracle": "oracles",
    "TEST_CITATIONS": "strategies",
    "allocation_cases": "strategies",
    "allocation_plan_data": "strategies",
    "allocation_plans": "strategies",
    "indicator_tables": "strategies",
    "money": "strategies",
    "recipients": "strategies",
}

__all__ = [
    "TEST_CITATIONS",
    "allocation_cases",
    "allocation_plan_data",
    "allocation_plans",
    "assert_allocation_invariants",
    "exact_quotas",
    "indicator_tables",
    "largest_remainder_oracle",
    "money",
    "recipients",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where == "invariants":
        from conciliazione_core.testing import _invariants as invariants

        return getattr(invariants, name)
    if where == "oracles":
        from conciliazione_core.testing import _oracles as oracles

        return getattr(oracles, name)
    if where == "strategies":
        from conciliazione_core.testing import _strategies as strategies

        return getattr(strategies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
