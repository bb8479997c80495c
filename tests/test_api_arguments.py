"""The public API validates its arguments: a wrong type is an InputError naming the argument.

One test per reproducer of issue 15 point 3 (each used to raise AttributeError or TypeError, or
to be accepted): ``Body(id=5)``, ``Body(kind="ats")``, ``Project(lead="x")``, ``check(cycle,
None)``, ``Project(ends_on="2030-01-01")``, ``parse_indicator_csv(bytes)``,
``Project(requested=5.5)`` and the engine's ``allocate(plan, ["ab", "cd"], ...)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliazione_core import (
    Accord,
    AccordKind,
    Body,
    BodyKind,
    BudgetLine,
    InputError,
    Member,
    Money,
    Network,
    Project,
    SystemAction,
    TerritorialPlan,
    check,
    get_cycle,
    parse_document,
)
from conciliazione_core._indicators import parse_indicator_csv
from conciliazione_core.allocation import allocate as engine_allocate

LEAD = Body(id="ats-montagna", name="ATS della Montagna", kind=BodyKind.ATS)


def project(**changes: Any) -> Project:
    return Project(**{"id": "p1", "title": "Nidi estivi", "lead": LEAD, **changes})


def problem(call: Callable[[], object]) -> tuple[str, str]:
    """The single problem of the InputError that ``call`` raises: (path, message)."""
    with pytest.raises(InputError) as info:
        call()
    (only,) = info.value.problems
    return only.path, only.message


def test_body_id_must_be_text() -> None:
    assert problem(lambda: Body(id=5, name="B", kind=BodyKind.COMPANY)) == (  # type: ignore[arg-type]
        "id",
        "expected text, got an integer (5)",
    )


def test_body_kind_must_be_a_body_kind_not_its_text() -> None:
    path, message = problem(lambda: Body(id="b", name="B", kind="ats"))  # type: ignore[arg-type]
    assert path == "kind"
    assert message == "expected BodyKind, got text ('ats')"


def test_body_nature_must_be_a_legal_nature() -> None:
    path, message = problem(
        lambda: Body(id="b", name="B", kind=BodyKind.ATS, nature="public")  # type: ignore[arg-type]
    )
    assert (path, message) == ("nature", "expected LegalNature, got text ('public')")


def test_project_lead_must_be_a_body() -> None:
    """Used to be accepted, then ``check`` failed inside a rule with AttributeError."""
    assert problem(lambda: project(lead="x")) == ("lead", "expected Body, got text ('x')")


def test_check_refuses_a_missing_document() -> None:
    path, message = problem(lambda: check("lombardia-2020", None))  # type: ignore[arg-type]
    assert path == "document"
    assert "expected a document" in message


def test_project_dates_must_be_dates_not_text() -> None:
    """Used to be accepted, then ``check`` failed comparing text with a date (TypeError)."""
    path, message = problem(lambda: project(ends_on="2030-01-01"))
    assert path == "ends_on"
    assert message == "expected a date (datetime.date), got text ('2030-01-01')"
    path, _message = problem(lambda: project(starts_on=dt.datetime(2030, 1, 1, 12, 0)))
    assert path == "starts_on"
    assert project(ends_on=dt.date(2030, 1, 1)).ends_on == dt.date(2030, 1, 1)


def test_parse_indicator_csv_refuses_bytes() -> None:
    path, message = problem(lambda: parse_indicator_csv(b"id,name\n"))  # type: ignore[arg-type]
    assert (path, message) == ("text", "expected text, got bytes")


FLOAT_MONEY: dict[str, Callable[[float], object]] = {
    "requested": lambda x: project(requested=x),
    "co_financing": lambda x: project(co_financing=x),
    "amount": lambda x: BudgetLine(label="personale", amount=x),  # type: ignore[arg-type]
    "budget": lambda x: SystemAction(id="s", title="Formazione", budget=x),  # type: ignore[arg-type]
    "cents": lambda x: Money(x),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("field", FLOAT_MONEY)
def test_floats_are_refused_wherever_money_is_taken(field: str) -> None:
    """``Project(requested=5.5)`` used to be accepted and written back as "5.5"."""
    path, message = problem(lambda: FLOAT_MONEY[field](5.5))
    assert path == field
    assert "float" in message


def test_money_fields_take_money_only() -> None:
    assert problem(lambda: project(requested="5.50")) == (
        "requested",
        "expected Money, got text ('5.50')",
    )
    assert project(requested=Money.parse("5.50")).requested == Money(550)


def test_engine_allocate_refuses_recipients_that_are_not_pairs() -> None:
    """``["ab", "cd"]`` used to be read silently as id "a", name "b"."""
    cycle = get_cycle("lombardia-2020")
    plan, table = cycle.allocation, cycle.reference_table()
    assert plan is not None
    path, message = problem(lambda: engine_allocate(plan, ["ab", "cd"], table))  # type: ignore[list-item]
    assert path == "recipients[0]"
    assert "(id, name) pair" in message
    assert problem(lambda: engine_allocate(plan, "abcd", table))[0] == "recipients"  # type: ignore[arg-type]
    good = [(r.id, r.name) for r in cycle.recipients]
    bad = [*good[:3], (good[3][0], 4), *good[4:]]
    assert problem(lambda: engine_allocate(plan, bad, table))[0] == "recipients[3]"  # type: ignore[arg-type]
    triple = [*good[:1], ("x", "y", "z"), *good[1:]]
    assert problem(lambda: engine_allocate(plan, triple, table))[0] == "recipients[1]"  # type: ignore[arg-type]


def test_lists_of_models_must_be_tuples_of_that_model() -> None:
    assert problem(lambda: project(partners=[LEAD])) == (
        "partners",
        "expected a tuple of Body, got a list",
    )
    assert problem(lambda: project(partners=(LEAD, "x"))) == (
        "partners[1]",
        "expected Body, got text ('x')",
    )
    assert problem(lambda: project(service_types=("A", 1))) == (
        "service_types[1]",
        "expected str, got an integer (1)",
    )


def test_every_model_names_its_wrong_field() -> None:
    network = Network(id="n", name="Rete", agency="ATS", lead=LEAD)
    cases: dict[str, Callable[[], object]] = {
        "kind": lambda: Accord(id="a", kind="network"),  # type: ignore[arg-type]
        "body": lambda: Member(body="x"),  # type: ignore[arg-type]
        "member_count": lambda: Network(id="n", name="R", agency="A", lead=LEAD, member_count="3"),  # type: ignore[arg-type]
        "accord": lambda: Network(id="n", name="R", agency="A", lead=LEAD, accord="a"),  # type: ignore[arg-type]
        "network": lambda: TerritorialPlan(id="t", network="n"),  # type: ignore[arg-type]
        "projects[0]": lambda: TerritorialPlan(id="t", network=network, projects=(network,)),  # type: ignore[arg-type]
        "beneficiaries": lambda: project(beneficiaries=True),
    }
    for field, call in cases.items():
        assert problem(call)[0] == field, field
    assert Accord(id="a", kind=AccordKind.NETWORK).kind is AccordKind.NETWORK


NOT_TEXT = st.one_of(
    st.integers(), st.floats(), st.binary(), st.none(), st.lists(st.text(), max_size=2)
)


@given(NOT_TEXT, st.sampled_from(["id", "name"]))
def test_any_value_that_is_not_text_is_refused_at_its_field(value: object, field: str) -> None:
    fields: dict[str, object] = {"id": "b", "name": "B", "kind": BodyKind.COMPANY, field: value}
    with pytest.raises(InputError) as info:
        Body(**fields)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == [field]


def test_documents_still_name_the_full_path() -> None:
    """A model's validator error inside a document is placed under the document's path."""
    data = {
        "kind": "project",
        "id": "p",
        "title": "t",
        "lead": {"id": "ats", "name": " ", "kind": "ats"},
    }
    with pytest.raises(InputError) as info:
        parse_document(data, "p.json")
    assert [str(p) for p in info.value.problems] == ["$.lead.name: must not be blank"]
    assert info.value.source == "p.json"


# ---- beyond the list: the other public functions that took any object -------------------


def test_file_loaders_refuse_what_is_not_a_path() -> None:
    from conciliazione_core import load_cycle, load_document, load_published_table
    from conciliazione_core._indicators import load_indicator_table

    for loader in (load_document, load_cycle, load_published_table, load_indicator_table):
        path, message = problem(lambda loader=loader: loader(5))  # type: ignore[misc]
        assert (path, message) == ("path", "expected a file path (text or a Path), got int")


def test_writers_and_readers_name_their_wrong_argument() -> None:
    from conciliazione_core import dump_allocation, dump_document, from_json, to_toml

    assert problem(lambda: dump_document(None))[0] == "document"  # type: ignore[arg-type]
    assert problem(lambda: dump_document(project(), "yaml")) == (
        "fmt",
        "unknown format 'yaml'; use json or toml",
    )
    assert problem(lambda: dump_allocation(None))[0] == "allocation"  # type: ignore[arg-type]
    assert problem(lambda: from_json(5, Project)) == ("text", "expected text or bytes, got int")  # type: ignore[arg-type]
    assert problem(lambda: to_toml(5))[0] == "obj"
