"""conciliazione-core: Lombardy's work-life balance funding programme as tested, embeddable code."""

from __future__ import annotations

from conciliazione_core._api import DumpFormat, allocate, check, dump_allocation, explain
from conciliazione_core._audit import AuditReport, PublishedTable, audit_cycle, load_published_table
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
from conciliazione_core._findings import Finding, FindingCode, Report, Severity, closest_names
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


def cycles() -> dict[str, Cycle]:
    """The installed cycles by id."""
    return default_host().cycles()


def get_cycle(cycle_id: str) -> Cycle:
    """One installed cycle by id (raises :class:`CycleNotFoundError` if none provides it)."""
    return default_host().cycle(cycle_id)
