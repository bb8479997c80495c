"""conciliazione-core: Lombardy's work-life balance funding programme as tested, embeddable code.

The public names are imported on first use (PEP 562): ``import conciliazione_core`` costs almost
nothing, and a command that reads one cycle does not pay for the audit, the documents or the
territory it never touches. ``from conciliazione_core import X`` works as before.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (a third of a bare start)
if TYPE_CHECKING:
    from typing import Any

    from conciliazione_core._api import DumpFormat, allocate, check, dump_allocation, explain
    from conciliazione_core._audit import (
        AuditReport,
        PublishedTable,
        audit_cycle,
        load_published_table,
    )
    from conciliazione_core._bodies import Body, BodyKind, LegalNature
    from conciliazione_core._cycle import Cycle, load_cycle
    from conciliazione_core._documents import (
        Accord,
        AccordKind,
        Alliance,
        BudgetLine,
        Document,
        Member,
        Network,
        NetworkRegister,
        Project,
        SystemAction,
        TerritorialPlan,
    )
    from conciliazione_core._errors import (
        ConciliazioneError,
        CycleNotFoundError,
        InputError,
        PluginError,
        Problem,
    )
    from conciliazione_core._findings import (
        Finding,
        FindingCode,
        Report,
        Severity,
        closest_names,
    )
    from conciliazione_core._host import Host, PluginInfo, PluginProblem, default_host
    from conciliazione_core._legal import PLAIN_SENSE, Evidence, LegalBasis
    from conciliazione_core._money import Money
    from conciliazione_core._municipality import (
        AgeBand,
        AmbiguousMunicipalityError,
        Membership,
        Municipalities,
        Municipality,
        MunicipalityNotFoundError,
        UnknownMembershipError,
        level_on,
        municipalities,
    )
    from conciliazione_core._provenance import DataStatus, Provenance
    from conciliazione_core._rule_registry import Rule, RuleRegistry, Rules, finding
    from conciliazione_core._serialisation import (
        dump_document,
        from_json,
        from_toml,
        load_document,
        parse_document,
        to_json,
        to_toml,
    )
    from conciliazione_core._territory import Level, lombardy
    from conciliazione_core.hookspecs import hookimpl
    from conciliazione_core.i18n import Catalogue

__version__ = "0.1.0"

__all__ = [
    "PLAIN_SENSE",
    "Accord",
    "AccordKind",
    "AgeBand",
    "Alliance",
    "AmbiguousMunicipalityError",
    "AuditReport",
    "Body",
    "BodyKind",
    "BudgetLine",
    "Catalogue",
    "ConciliazioneError",
    "Cycle",
    "CycleNotFoundError",
    "DataStatus",
    "Document",
    "DumpFormat",
    "Evidence",
    "Finding",
    "FindingCode",
    "Host",
    "InputError",
    "LegalBasis",
    "LegalNature",
    "Level",
    "Member",
    "Membership",
    "Money",
    "Municipalities",
    "Municipality",
    "MunicipalityNotFoundError",
    "Network",
    "NetworkRegister",
    "PluginError",
    "PluginInfo",
    "PluginProblem",
    "Problem",
    "Project",
    "Provenance",
    "PublishedTable",
    "Report",
    "Rule",
    "RuleRegistry",
    "Rules",
    "Severity",
    "SystemAction",
    "TerritorialPlan",
    "UnknownMembershipError",
    "__version__",
    "allocate",
    "audit_cycle",
    "check",
    "closest_names",
    "cycles",
    "default_host",
    "dump_allocation",
    "dump_document",
    "explain",
    "finding",
    "from_json",
    "from_toml",
    "get_cycle",
    "hookimpl",
    "level_on",
    "load_cycle",
    "load_document",
    "load_published_table",
    "lombardy",
    "municipalities",
    "parse_document",
    "to_json",
    "to_toml",
]


_HOMES: dict[str, str] = {
    "DumpFormat": "_api",
    "allocate": "_api",
    "check": "_api",
    "dump_allocation": "_api",
    "explain": "_api",
    "AuditReport": "_audit",
    "PublishedTable": "_audit",
    "audit_cycle": "_audit",
    "load_published_table": "_audit",
    "Body": "_bodies",
    "BodyKind": "_bodies",
    "LegalNature": "_bodies",
    "Cycle": "_cycle",
    "load_cycle": "_cycle",
    "Accord": "_documents",
    "AccordKind": "_documents",
    "Alliance": "_documents",
    "BudgetLine": "_documents",
    "Document": "_documents",
    "Member": "_documents",
    "Network": "_documents",
    "NetworkRegister": "_documents",
    "Project": "_documents",
    "SystemAction": "_documents",
    "TerritorialPlan": "_documents",
    "ConciliazioneError": "_errors",
    "CycleNotFoundError": "_errors",
    "InputError": "_errors",
    "PluginError": "_errors",
    "Problem": "_errors",
    "Finding": "_findings",
    "FindingCode": "_findings",
    "Report": "_findings",
    "Severity": "_findings",
    "closest_names": "_findings",
    "Host": "_host",
    "PluginInfo": "_host",
    "PluginProblem": "_host",
    "default_host": "_host",
    "Evidence": "_legal",
    "PLAIN_SENSE": "_legal",
    "LegalBasis": "_legal",
    "Money": "_money",
    "AgeBand": "_municipality",
    "AmbiguousMunicipalityError": "_municipality",
    "Membership": "_municipality",
    "Municipalities": "_municipality",
    "Municipality": "_municipality",
    "MunicipalityNotFoundError": "_municipality",
    "UnknownMembershipError": "_municipality",
    "level_on": "_municipality",
    "municipalities": "_municipality",
    "DataStatus": "_provenance",
    "Provenance": "_provenance",
    "Rule": "_rule_registry",
    "RuleRegistry": "_rule_registry",
    "Rules": "_rule_registry",
    "finding": "_rule_registry",
    "dump_document": "_serialisation",
    "from_json": "_serialisation",
    "from_toml": "_serialisation",
    "load_document": "_serialisation",
    "parse_document": "_serialisation",
    "to_json": "_serialisation",
    "to_toml": "_serialisation",
    "Level": "_territory",
    "lombardy": "_territory",
    "hookimpl": "hookspecs",
    "Catalogue": "i18n",
}
"""Public name -> the module that defines it (imported when the name is first read)."""


if not TYPE_CHECKING:  # hidden from type checkers, so that they still refuse unknown names

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value  # the next read is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))


def cycles() -> dict[str, Cycle]:
    """The installed cycles by id."""
    from conciliazione_core._host import default_host

    return default_host().cycles()


def get_cycle(cycle_id: str) -> Cycle:
    """One installed cycle by id (raises :class:`CycleNotFoundError` if none provides it)."""
    from conciliazione_core._host import default_host

    return default_host().cycle(cycle_id)
