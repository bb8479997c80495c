"""Citations (LegalBasis, Evidence) and the provenance of data."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given

from conciliazione_core._errors import InputError
from conciliazione_core._legal import Evidence, LegalBasis
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core._serialisation import from_json, from_toml, structure, to_json, to_toml
from conciliazione_core.testing._models import legal_bases, provenances


def test_str_of_a_document_citation() -> None:
    basis = LegalBasis(act="D.G.R. X/1081 of 12/12/2013", provision="Annex A")
    assert basis.evidence is Evidence.DOCUMENT
    assert str(basis) == "D.G.R. X/1081 of 12/12/2013, Annex A"
    assert str(LegalBasis(act="D.G.R. XI/2398 of 11/11/2019")) == "D.G.R. XI/2398 of 11/11/2019"


def test_str_marks_inferences_and_sources() -> None:
    inferred = LegalBasis(act="conciliazione-core assumption", evidence=Evidence.INFERENCE)
    assert str(inferred) == "conciliazione-core assumption [inference]"
    sourced = LegalBasis(act="Press", evidence=Evidence.SOURCE, url="https://example.org/a")
    assert str(sourced) == "Press [source: https://example.org/a]"
    assert str(LegalBasis(act="Press", evidence=Evidence.SOURCE)) == "Press"


@pytest.mark.parametrize("act", ["", "   ", "\n\t"])
def test_blank_act_refused(act: str) -> None:
    with pytest.raises(ValueError, match="act must not be blank"):
        LegalBasis(act=act)


def test_evidence_values_match_the_domain_labels() -> None:
    assert [e.value for e in Evidence] == ["document", "source", "inference"]


def test_citation_is_frozen() -> None:
    basis = LegalBasis(act="A")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        basis.act = "B"  # type: ignore[misc]


def test_citation_from_data_names_the_bad_place() -> None:
    with pytest.raises(InputError) as info:
        structure({"act": "A", "evidence": "rumour", "pages": 3}, LegalBasis)
    assert {p.path for p in info.value.problems} == {"$.evidence", "$.pages"}
    with pytest.raises(InputError) as info:
        structure({"act": " "}, LegalBasis)
    assert [str(p) for p in info.value.problems] == ["$: act must not be blank"]


def test_provenance() -> None:
    official = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.OFFICIAL)
    derived = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.DERIVED, method="sum of MI+LO")
    assert official.official
    assert not derived.official
    assert not Provenance("x", dt.date(2019, 1, 1), DataStatus.ESTIMATE).official
    assert str(official) == "ISTAT, 2019-01-01, official"
    assert str(derived) == "ISTAT, 2019-01-01, derived (sum of MI+LO)"
    assert [s.value for s in DataStatus] == ["official", "derived", "estimate"]


@given(legal_bases())
def test_citation_round_trips(basis: LegalBasis) -> None:
    assert from_json(to_json(basis), LegalBasis) == basis
    assert from_toml(to_toml(basis), LegalBasis) == basis


@given(provenances())
def test_provenance_round_trips(provenance: Provenance) -> None:
    assert from_json(to_json(provenance), Provenance) == provenance
    assert from_toml(to_toml(provenance), Provenance) == provenance
