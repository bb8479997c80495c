"""Bodies (soggetti / enti): the organisations that sign accords, join networks and lead projects.

A body's *kind* (Comune, cooperative, ...) implies its default *legal nature* (public, private
for-profit, private non-profit); a document may state the nature explicitly where the kind alone
does not settle it (a private school, a foundation set up by a public body).
"""

from __future__ import annotations

import enum

import attrs

from conciliazione_core import _validators as v
from conciliazione_core._legal import Evidence, LegalBasis

__all__ = ["Body", "BodyKind", "LegalNature"]


class LegalNature(enum.Enum):
    """The legal nature of a body, which decides who may lead."""

    PUBLIC = "public"
    PRIVATE_FOR_PROFIT = "private_for_profit"
    PRIVATE_NON_PROFIT = "private_non_profit"
    """Third sector: cooperatives, associations, foundations, unions and the like."""

    @property
    def is_public(self) -> bool:
        return self is LegalNature.PUBLIC


_PUBLIC = LegalNature.PUBLIC
_PROFIT = LegalNature.PRIVATE_FOR_PROFIT
_NON_PROFIT = LegalNature.PRIVATE_NON_PROFIT


class BodyKind(enum.Enum):
    """What kind of body it is; each kind has a default legal nature."""

    REGION = "region"
    ASL = "asl"
    ATS = "ats"
    PROVINCE = "province"
    MUNICIPALITY = "municipality"
    UNION_OF_MUNICIPALITIES = "union_of_municipalities"
    MOUNTAIN_COMMUNITY = "mountain_community"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    SPECIAL_CONSORTIUM_COMPANY = "special_consortium_company"
    PUBLIC_CONSORTIUM = "public_consortium"
    SOCIAL_SERVICES_DISTRICT = "social_services_district"
    EQUALITY_ADVISER = "equality_adviser"
    SCHOOL = "school"
    COMPANY = "company"
    COOPERATIVE = "cooperative"
    SOCIAL_COOPERATIVE = "social_cooperative"
    ASSOCIATION = "association"
    EMPLOYERS_ASSOCIATION = "employers_association"
    TRADE_UNION = "trade_union"
    FOUNDATION = "foundation"
    THIRD_SECTOR_OTHER = "third_sector_other"

    @property
    def default_nature(self) -> LegalNature:
        """The legal nature a body of this kind has unless its document says otherwise."""
        return _DEFAULT_NATURE[self]

    @property
    def italian(self) -> str:
        """The Italian name used in the decrees."""
        return _ITALIAN[self]


_DEFAULT_NATURE: dict[BodyKind, LegalNature] = {
    BodyKind.REGION: _PUBLIC,
    BodyKind.ASL: _PUBLIC,
    BodyKind.ATS: _PUBLIC,
    BodyKind.PROVINCE: _PUBLIC,
    BodyKind.MUNICIPALITY: _PUBLIC,
    BodyKind.UNION_OF_MUNICIPALITIES: _PUBLIC,
    BodyKind.MOUNTAIN_COMMUNITY: _PUBLIC,
    BodyKind.CHAMBER_OF_COMMERCE: _PUBLIC,
    BodyKind.SPECIAL_CONSORTIUM_COMPANY: _PUBLIC,
    BodyKind.PUBLIC_CONSORTIUM: _PUBLIC,
    BodyKind.SOCIAL_SERVICES_DISTRICT: _PUBLIC,
    BodyKind.EQUALITY_ADVISER: _PUBLIC,
    BodyKind.SCHOOL: _PUBLIC,  # state schools; a private school states its nature explicitly
    BodyKind.COMPANY: _PROFIT,
    BodyKind.COOPERATIVE: _NON_PROFIT,
    BodyKind.SOCIAL_COOPERATIVE: _NON_PROFIT,
    BodyKind.ASSOCIATION: _NON_PROFIT,
    BodyKind.EMPLOYERS_ASSOCIATION: _NON_PROFIT,
    BodyKind.TRADE_UNION: _NON_PROFIT,
    BodyKind.FOUNDATION: _NON_PROFIT,
    BodyKind.THIRD_SECTOR_OTHER: _NON_PROFIT,
}

_ITALIAN: dict[BodyKind, str] = {
    BodyKind.REGION: "Regione",
    BodyKind.ASL: "Azienda Sanitaria Locale (ASL)",
    BodyKind.ATS: "Agenzia di Tutela della Salute (ATS)",
    BodyKind.PROVINCE: "Provincia",
    BodyKind.MUNICIPALITY: "Comune",
    BodyKind.UNION_OF_MUNICIPALITIES: "Unione di Comuni",
    BodyKind.MOUNTAIN_COMMUNITY: "Comunità Montana",
    BodyKind.CHAMBER_OF_COMMERCE: "Camera di Commercio",
    BodyKind.SPECIAL_CONSORTIUM_COMPANY: "Azienda speciale consortile",
    BodyKind.PUBLIC_CONSORTIUM: "Consorzio pubblico",
    BodyKind.SOCIAL_SERVICES_DISTRICT: "Ambito territoriale",
    BodyKind.EQUALITY_ADVISER: "Consigliera di Parità",
    BodyKind.SCHOOL: "Istituzione scolastica",
    BodyKind.COMPANY: "Impresa",
    BodyKind.COOPERATIVE: "Cooperativa",
    BodyKind.SOCIAL_COOPERATIVE: "Cooperativa sociale",
    BodyKind.ASSOCIATION: "Associazione",
    BodyKind.EMPLOYERS_ASSOCIATION: "Associazione datoriale",
    BodyKind.TRADE_UNION: "Organizzazione sindacale",
    BodyKind.FOUNDATION: "Fondazione",
    BodyKind.THIRD_SECTOR_OTHER: "Ente del terzo settore",
}

#: Why cooperatives default to private non-profit: the 2020-2023 cycle funded a project led by a
#: social cooperative as a third-sector body (DOMAIN notes, ATS Montagna plan).
NATURE_BASIS = LegalBasis(
    act="conciliazione-core default legal natures",
    note="Cooperatives of any kind are treated as third sector; state the nature to override.",
    evidence=Evidence.INFERENCE,
)


def _default_nature(body: Body) -> LegalNature:
    _kind(body, _KIND_FIELD, body.kind)  # runs before the validators: a bad kind is named first
    return body.kind.default_nature


_kind = v.instance(BodyKind)
_optional_text = v.optional(v.text)


@attrs.frozen
class Body:
    """A public or private organisation.

    >>> Body(id="comune-brescia", name="Comune di Brescia", kind=BodyKind.MUNICIPALITY).nature
    <LegalNature.PUBLIC: 'public'>
    """

    id: str = attrs.field(validator=v.non_blank_text)
    name: str = attrs.field(validator=v.non_blank_text)
    kind: BodyKind = attrs.field(validator=_kind)
    nature: LegalNature = attrs.field(
        default=attrs.Factory(_default_nature, takes_self=True),
        validator=v.instance(LegalNature),
    )
    tax_code: str | None = attrs.field(default=None, validator=_optional_text)
    """Codice fiscale, when known."""
    municipality: str | None = attrs.field(default=None, validator=_optional_text)
    """Where the body is based (a municipality's name)."""
    nature_reason: str | None = attrs.field(default=None, validator=v.optional(v.non_blank_text))
    """Why ``nature`` is not its kind's default (a private *scuola paritaria*, a company owned
    by municipalities): without one, the plain-sense check ``NATURE_CONTRADICTS_KIND`` asks."""

    @property
    def nature_is_unusual(self) -> bool:
        """True when the body's nature is not the default of its kind (a company declared
        public, a municipality declared private)."""
        return self.nature is not self.kind.default_nature

    @property
    def is_public(self) -> bool:
        return self.nature.is_public


_KIND_FIELD = attrs.fields(Body).kind
