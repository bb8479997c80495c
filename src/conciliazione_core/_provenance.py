"""Provenance of shipped and supplied data.

Every datum the library ships or reads (a population figure, an indicator value) says where it
comes from, the date it refers to, and whether it is the official figure, one derived from official
figures by a stated method, or an estimate. Results computed from non-official inputs say so.

The source and the method are text for people: English, and Italian beside it when the data
gives it (an indicator table's ``source_it`` and ``method_it`` columns), shown in the current
language as a parameter file's labels are (:class:`~conciliazione_core.i18n.Text`).
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from conciliazione_core.i18n import N_, Text, _, to_optional_text, to_text

__all__ = ["DataStatus", "Provenance"]


class DataStatus(enum.Enum):
    """How trustworthy a datum is."""

    OFFICIAL = "official"
    """Published as such by the competent office (e.g. ISTAT)."""
    DERIVED = "derived"
    """Computed from official figures by a stated method."""
    ESTIMATE = "estimate"
    """An estimate or a user's assumption."""

    @property
    def word(self) -> str:
        """The status for people, in the current language (``derived``, ``derivato``)."""
        return _(_WORDS[self.value])


_WORDS = {"official": N_("official"), "derived": N_("derived"), "estimate": N_("estimate")}


@attrs.frozen
class Provenance:
    """Where a datum comes from.

    ``source`` and ``method`` are :class:`~conciliazione_core.i18n.Text`: a plain string is
    English; ``Text(en, it=...)`` or ``{"en": ..., "it": ...}`` gives the Italian too. Each
    renders in the current language and equals its English string.
    """

    source: Text = attrs.field(converter=to_text)
    reference_date: dt.date
    status: DataStatus
    method: Text | None = attrs.field(default=None, converter=to_optional_text)

    @property
    def official(self) -> bool:
        return self.status is DataStatus.OFFICIAL

    def __str__(self) -> str:
        text = f"{self.source}, {self.reference_date.isoformat()}, {self.status.word}"
        return f"{text} ({self.method})" if self.method else text
