"""Lombardy's territory: provinces, the 15 ASL, the 8 ATS and the L.R. 23/2015 succession.

Shipped as data (``data/territory.toml``) with a citation on every agency and succession link, so
that a 2014 network can be carried to its 2016 successor (ASL Cremona → ATS Val Padana).
"""

from __future__ import annotations

import enum
import functools
from importlib.resources import files

import attrs

from conciliazione_core._legal import LegalBasis

__all__ = ["Agency", "Level", "Province", "Succession", "Territory", "lombardy"]


class Level(enum.Enum):
    """Which health agencies a cycle's networks follow."""

    ASL = "ASL"
    """The 15 Aziende Sanitarie Locali, until 2015."""
    ATS = "ATS"
    """The 8 Agenzie di Tutela della Salute, from 2016 (L.R. 23/2015)."""


class Coverage(enum.Enum):
    PROVINCE = "province"
    PART = "part"


class Part(enum.Enum):
    WHOLE = "whole"
    PART = "part"


@attrs.frozen
class Province:
    code: str
    istat: str
    name: str


@attrs.frozen
class _AgencyData:
    id: str
    level: Level
    name: str
    provinces: tuple[str, ...]
    coverage: Coverage
    basis: str
    note: str | None = None


@attrs.frozen
class _SuccessionData:
    predecessor: str
    successor: str
    part: Part
    basis: str
    note: str | None = None


@attrs.frozen
class _RegionData:
    id: str
    name: str
    istat: str


@attrs.frozen
class _TerritoryData:
    region: _RegionData
    citations: dict[str, LegalBasis]
    provinces: tuple[Province, ...]
    agencies: tuple[_AgencyData, ...]
    succession: tuple[_SuccessionData, ...]


@attrs.frozen
class Agency:
    """A health agency (ASL or ATS) whose territory a network covers."""

    id: str
    level: Level
    name: str
    provinces: tuple[str, ...]
    whole_provinces: bool
    """True when the agency covers exactly its listed provinces, no more and no less."""
    basis: LegalBasis
    note: str | None = None


@attrs.frozen
class Succession:
    """An ASL (or part of one) that became part of an ATS."""

    predecessor: str
    successor: str
    whole: bool
    basis: LegalBasis
    note: str | None = None


@attrs.frozen
class Territory:
    """The region's provinces and agencies, with lookups."""

    region_id: str
    region_name: str
    provinces: tuple[Province, ...]
    agencies: tuple[Agency, ...]
    succession: tuple[Succession, ...]

    def agency(self, agency_id: str) -> Agency | None:
        return next((a for a in self.agencies if a.id == agency_id), None)

    def of_level(self, level: Level) -> tuple[Agency, ...]:
        """The agencies of one level, in the data's order."""
        return tuple(a for a in self.agencies if a.level is level)

    def successors(self, agency_id: str) -> tuple[Succession, ...]:
        """Where an ASL's territory went under L.R. 23/2015."""
        return tuple(s for s in self.succession if s.predecessor == agency_id)

    def predecessors(self, agency_id: str) -> tuple[Succession, ...]:
        """Which ASL (or parts of them) formed an ATS."""
        return tuple(s for s in self.succession if s.successor == agency_id)


@functools.cache
def lombardy() -> Territory:
    """Lombardy's territory as shipped with the library (read once, then cached)."""
    from conciliazione_core._serialisation import parse_toml, structure

    text = files("conciliazione_core").joinpath("data/territory.toml").read_text("utf-8")
    data = structure(parse_toml(text, "territory.toml"), _TerritoryData, "territory.toml")
    cite = data.citations
    return Territory(
        region_id=data.region.id,
        region_name=data.region.name,
        provinces=data.provinces,
        agencies=tuple(
            Agency(
                id=a.id,
                level=a.level,
                name=a.name,
                provinces=a.provinces,
                whole_provinces=a.coverage is Coverage.PROVINCE,
                basis=cite[a.basis],
                note=a.note,
            )
            for a in data.agencies
        ),
        succession=tuple(
            Succession(s.predecessor, s.successor, s.part is Part.WHOLE, cite[s.basis], s.note)
            for s in data.succession
        ),
    )
