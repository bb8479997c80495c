"""Bodies: each kind implies a default legal nature, an explicit nature wins, ids are not blank."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliazione_core._bodies import Body, BodyKind, LegalNature
from conciliazione_core._errors import InputError
from conciliazione_core._serialisation import from_json, from_toml, structure, to_json, to_toml
from conciliazione_core.testing._models import bodies

PUBLIC, PROFIT, NON_PROFIT = (
    LegalNature.PUBLIC,
    LegalNature.PRIVATE_FOR_PROFIT,
    LegalNature.PRIVATE_NON_PROFIT,
)

# Written out again on purpose: a change to a default nature must be a visible decision.
DEFAULT_NATURE = {
    "region": PUBLIC,
    "asl": PUBLIC,
    "ats": PUBLIC,
    "province": PUBLIC,
    "municipality": PUBLIC,
    "union_of_municipalities": PUBLIC,
    "mountain_community": PUBLIC,
    "chamber_of_commerce": PUBLIC,
    "special_consortium_company": PUBLIC,
    "public_consortium": PUBLIC,
    "social_services_district": PUBLIC,
    "equality_adviser": PUBLIC,
    "school": PUBLIC,
    "company": PROFIT,
    "cooperative": NON_PROFIT,
    "social_cooperative": NON_PROFIT,
    "association": NON_PROFIT,
    "employers_association": NON_PROFIT,
    "trade_union": NON_PROFIT,
    "foundation": NON_PROFIT,
    "third_sector_other": NON_PROFIT,
}


def test_every_kind_is_listed_here() -> None:
    assert {k.value for k in BodyKind} == set(DEFAULT_NATURE)


@pytest.mark.parametrize("kind", list(BodyKind), ids=lambda k: k.value)
def test_kind_implies_default_nature(kind: BodyKind) -> None:
    expected = DEFAULT_NATURE[kind.value]
    assert kind.default_nature is expected
    made = Body(id="b", name="B", kind=kind)
    assert made.nature is expected
    assert made.is_public is (expected is PUBLIC)
    read = structure({"id": "b", "name": "B", "kind": kind.value}, Body)
    assert read.nature is expected


@pytest.mark.parametrize("kind", list(BodyKind), ids=lambda k: k.value)
@pytest.mark.parametrize("nature", list(LegalNature), ids=lambda n: n.value)
def test_explicit_nature_wins(kind: BodyKind, nature: LegalNature) -> None:
    assert Body(id="b", name="B", kind=kind, nature=nature).nature is nature
    read = structure({"id": "b", "name": "B", "kind": kind.value, "nature": nature.value}, Body)
    assert read.nature is nature
    assert read.is_public is (nature is PUBLIC)


def test_domain_examples() -> None:
    forme = Body(id="coop-forme", name="Coop. Forme", kind=BodyKind.SOCIAL_COOPERATIVE)
    assert forme.nature is NON_PROFIT
    assert not forme.is_public
    private_school = Body(id="s", name="Scuola paritaria", kind=BodyKind.SCHOOL, nature=PROFIT)
    assert not private_school.is_public
    assert Body(id="ic-darfo", name="IC Darfo", kind=BodyKind.SCHOOL).is_public


@pytest.mark.parametrize("kind", list(BodyKind), ids=lambda k: k.value)
def test_every_kind_has_an_italian_name(kind: BodyKind) -> None:
    assert kind.italian.strip()
    assert BodyKind.MUNICIPALITY.italian == "Comune"


def test_only_public_is_public() -> None:
    assert [n for n in LegalNature if n.is_public] == [PUBLIC]


@pytest.mark.parametrize("blank", ["", " ", "\t\n"])
def test_blank_id_or_name_refused(blank: str) -> None:
    with pytest.raises(InputError) as info:
        Body(id=blank, name="B", kind=BodyKind.COMPANY)
    assert [str(p) for p in info.value.problems] == ["id: must not be blank"]
    with pytest.raises(InputError) as info:
        Body(id="b", name=blank, kind=BodyKind.COMPANY)
    assert [str(p) for p in info.value.problems] == ["name: must not be blank"]


def test_blank_id_in_data_is_an_input_error_at_the_body() -> None:
    with pytest.raises(InputError) as info:
        structure({"id": " ", "name": "B", "kind": "company"}, Body, source="x.toml", path="$.lead")
    assert [str(p) for p in info.value.problems] == ["$.lead.id: must not be blank"]
    assert info.value.source == "x.toml"


def test_unknown_kind_and_nature_list_the_allowed_values() -> None:
    with pytest.raises(InputError) as info:
        structure({"id": "b", "name": "B", "kind": "spaceship", "nature": "alien"}, Body)
    problems = {p.path: p.message for p in info.value.problems}
    assert set(problems) == {"$.kind", "$.nature"}
    assert "'spaceship' is not a valid BodyKind" in problems["$.kind"]
    assert "social_cooperative" in problems["$.kind"]
    assert "'alien' is not a valid LegalNature" in problems["$.nature"]
    assert "private_non_profit" in problems["$.nature"]


@given(bodies())
def test_body_round_trips(made: Body) -> None:
    assert from_json(to_json(made), Body) == made
    assert from_toml(to_toml(made), Body) == made


@given(st.sampled_from(BodyKind), st.sampled_from(LegalNature))
def test_nature_survives_a_round_trip_even_against_the_default(
    kind: BodyKind, nature: LegalNature
) -> None:
    made = Body(id="b", name="B", kind=kind, nature=nature)
    assert from_json(to_json(made), Body).nature is nature
