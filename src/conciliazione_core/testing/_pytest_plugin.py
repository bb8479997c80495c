"""A pytest plugin that runs the conformance kit on installed cycles.

Registered through the ``pytest11`` entry point, so it is active wherever conciliazione-core is
installed, and does nothing unless asked::

    pytest --conciliazione-cycle lombardia-2020          # one cycle (repeatable)
    pytest --conciliazione-cycle all                     # every installed cycle
    pytest --conciliazione-cycle my-2026 --conciliazione-plugin my_2026.plugin

It adds one test item per (cycle, check) of :data:`~conciliazione_core.testing._conformance.CHECKS`,
named ``conciliazione[CYCLE::CHECK]`` (so ``-k`` selects them), failing with the list of problems.
With ``all``, a plugin that fails to load becomes a failing ``conciliazione[PLUGIN::loads]`` item.
``--conciliazione-plugin MODULE`` also registers a plugin module that is not installed (for
trying a plugin before packaging it).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import pytest

from conciliazione_core._errors import ConciliazioneError, Problem

__all__ = ["ConformanceFailure", "ConformanceItem"]

_HOST = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conciliazione", "conciliazione-core conformance kit")
    group.addoption(
        "--conciliazione-cycle",
        action="append",
        default=[],
        metavar="ID",
        help="Check that cycle ID conforms (repeatable; 'all' for every installed cycle).",
    )
    group.addoption(
        "--conciliazione-plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="Also register this importable plugin module, installed or not (repeatable).",
    )
    group.addoption(
        "--conciliazione-max-examples",
        type=int,
        default=None,
        metavar="N",
        help="Generated indicator tables per cycle in the allocation check.",
    )


class ConformanceFailure(Exception):
    """The problems one conformance check found."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _host(config: pytest.Config) -> Any:
    """The plugin host, built once per session (installed plugins + ``--conciliazione-plugin``)."""
    if _HOST not in config.stash:
        from conciliazione_core._host import Host

        plugins = []
        for name in config.getoption("conciliazione_plugin") or []:
            try:
                plugins.append((name, importlib.import_module(name)))
            except ImportError as exc:
                raise pytest.UsageError(
                    f"--conciliazione-plugin {name}: cannot import it ({exc})"
                ) from None
        config.stash[_HOST] = Host(plugins=plugins)
    return config.stash[_HOST]


class ConformanceItem(pytest.Item):
    """One conformance check on one cycle."""

    def __init__(self, *, cycle_id: str, check: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cycle_id = cycle_id
        self.check = check

    def runtest(self) -> None:
        from conciliazione_core.testing._conformance import DEFAULT_MAX_EXAMPLES, run_check

        host = _host(self.config)
        if self.check == "loads":
            reasons = [p for p in host.problems if p.plugin == self.cycle_id]
            if reasons:
                raise ConformanceFailure([str(p) for p in reasons])
            return
        try:
            cycle = host.cycle(self.cycle_id)
        except ConciliazioneError as exc:
            raise ConformanceFailure([exc.one_line()]) from None
        limit = self.config.getoption("conciliazione_max_examples")
        problems = run_check(
            self.check, cycle, host, max_examples=DEFAULT_MAX_EXAMPLES if limit is None else limit
        )
        if problems:
            raise ConformanceFailure(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            lines = [str(p) for p in excinfo.value.problems]
            head = f"cycle {self.cycle_id!r} fails the {self.check!r} check:"
            return "\n".join([head, *(f"  {line}" for line in lines)])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"conciliazione conformance: {self.cycle_id} {self.check}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the conformance items before ``-k``/``-m`` deselect anything."""
    wanted: list[str] = config.getoption("conciliazione_cycle") or []
    if not wanted:
        return
    from conciliazione_core.testing._conformance import CHECKS

    host = _host(config)
    targets: list[tuple[str, tuple[str, ...]]] = []
    for cycle_id in dict.fromkeys(wanted):
        if cycle_id == "all":
            targets.extend((c, tuple(CHECKS)) for c in host.cycles())
            faulty = dict.fromkeys(p.plugin for p in host.problems)
            targets.extend((plugin, ("loads",)) for plugin in faulty)
        else:
            targets.append((cycle_id, tuple(CHECKS)))
    added: list[pytest.Item] = []
    seen: set[tuple[str, str]] = set()
    for cycle_id, checks in targets:
        for check in checks:
            if (cycle_id, check) in seen:
                continue
            seen.add((cycle_id, check))
            added.append(
                ConformanceItem.from_parent(
                    session,
                    name=f"conciliazione[{cycle_id}::{check}]",
                    cycle_id=cycle_id,
                    check=check,
                )
            )
    items[:0] = added
