"""A testing kit for projects built on conciliazione-core: Hypothesis strategies that generate
valid allocation inputs, and the invariants every allocation must satisfy.

>>> from conciliazione_core.testing import allocation_cases, assert_allocation_invariants
"""

from conciliazione_core.testing.invariants import assert_allocation_invariants, exact_quotas
from conciliazione_core.testing.strategies import (
    TEST_CITATIONS,
    allocation_cases,
    allocation_plan_data,
    allocation_plans,
    indicator_tables,
    money,
    recipients,
)

__all__ = [
    "TEST_CITATIONS",
    "allocation_cases",
    "allocation_plan_data",
    "allocation_plans",
    "assert_allocation_invariants",
    "exact_quotas",
    "indicator_tables",
    "money",
    "recipients",
]
