"""Documents: exact round trips of every model through JSON and TOML, and every bad input refused
with the path to the bad place (issue 2, points 1, 4 and 5)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliazione_core._bodies import Body, BodyKind
from conciliazione_core._documents import (
    DOCUMENT_KINDS,
    Accord,
    AccordKind,
    Alliance,
    BudgetLine,
    Member,
    Network,
    NetworkRegister,
    Project,
    SystemAction,
    TerritorialPlan,
    document_kind,
)
from conciliazione_core._errors import InputError
from conciliazione_core._findings import Finding, Report
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import Provenance
from conciliazione_core._serialisation import (
    Limits,
    dump_document,
    from_json,
    from_toml,
    load_document,
    parse_document,
    parse_json,
    parse_toml,
    to_json,
    to_toml,
)
from conciliazione_core.testing import _models as models

MODELS: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Body, models.bodies()),
    (Accord, models.accords()),
    (Member, models.members()),
    (Network, models.networks()),
    (NetworkRegister, models.network_registers()),
    (Alliance, models.alliances()),
    (BudgetLine, models.budget_lines()),
    (Project, models.projects()),
    (SystemAction, models.system_actions()),
    (TerritorialPlan, models.territorial_plans()),
    (LegalBasis, models.legal_bases()),
    (Provenance, models.provenances()),
    (Finding, models.findings()),
    (Report, models.reports()),
]


# ---- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "strategy"), MODELS, ids=[c.__name__ for c, _ in MODELS])
@given(data=st.data())
def test_every_model_round_trips_through_json_and_toml(
    cls: type[Any], strategy: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    value = data.draw(strategy)
    assert from_json(to_json(value), cls) == value
    assert from_toml(to_toml(value), cls) == value


@given(models.documents())
def test_documents_round_trip_with_their_kind_tag(document: Any) -> None:
    for fmt, parse in (("json", parse_json), ("toml", parse_toml)):
        text = dump_document(document, fmt)
        data = parse(text)
        assert data["kind"] == document_kind(document)
        assert parse_document(data) == document


@pytest.mark.parametrize("suffix", [".json", ".toml"])
@settings(max_examples=15)
@given(plan=models.territorial_plans())
def test_plan_round_trips_through_a_file(suffix: str, plan: TerritorialPlan) -> None:
    # No tmp_path: hypothesis runs the body many times per test.
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_text(dump_document(plan, suffix[1:]), encoding="utf-8")
        assert load_document(path) == plan


def test_dump_document_puts_kind_first_and_leaves_unknowns_out() -> None:
    project = Project(id="p", title="T", lead=Body(id="a", name="A", kind=BodyKind.MUNICIPALITY))
    data = json.loads(dump_document(project))
    assert list(data) == ["kind", "id", "title", "lead"]
    assert data["lead"] == {"id": "a", "name": "A", "kind": "municipality", "nature": "public"}
    assert dump_document(project, "toml").startswith('kind = "project"\n')
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        dump_document(project, "yaml")


def test_money_and_dates_are_written_as_text() -> None:
    project = Project(
        id="p",
        title="T",
        lead=Body(id="a", name="A", kind=BodyKind.COMPANY),
        requested=Money.parse("1234.5"),
        starts_on=dt.date(2020, 9, 1),
        budget_lines=(BudgetLine("staff", Money(5)),),
    )
    data = json.loads(to_json(project))
    assert data["requested"] == "1234.50"
    assert data["starts_on"] == "2020-09-01"
    assert data["budget_lines"] == [{"label": "staff", "amount": "0.05"}]


def test_document_kinds() -> None:
    assert {
        "network": Network,
        "network_register": NetworkRegister,
        "alliance": Alliance,
        "project": Project,
        "territorial_plan": TerritorialPlan,
    } == DOCUMENT_KINDS
    with pytest.raises(TypeError, match="not a document: Body"):
        document_kind(Body(id="a", name="A", kind=BodyKind.COMPANY))  # type: ignore[arg-type]


def test_derived_properties() -> None:
    lead = Body(id="ATS-MONTAGNA", name="ATS", kind=BodyKind.ATS)
    members = tuple(Member(Body(id=f"m{i}", name="M", kind=BodyKind.COMPANY)) for i in range(3))
    assert Network("n", "N", "ATS-MONTAGNA", lead, member_count=119).size == 119
    assert Network("n", "N", "ATS-MONTAGNA", lead, members=members, member_count=119).size == 3
    assert Network("n", "N", "ATS-MONTAGNA", lead).size is None
    project = Project("p", "P", lead)
    assert project.total_cost is None
    lines = (BudgetLine("a", Money(150)), BudgetLine("b", Money(250)))
    assert Project("p", "P", lead, budget_lines=lines).total_cost == Money(400)
    assert AccordKind("partnership") is AccordKind.PARTNERSHIP


# ---- bad documents -------------------------------------------------------------------------------

LEAD = {"id": "a", "name": "A", "kind": "municipality"}


def plan(**changes: Any) -> dict[str, Any]:
    """A small valid plan as plain data, with top-level fields replaced."""
    data: dict[str, Any] = {
        "kind": "territorial_plan",
        "id": "plan",
        "network": {
            "id": "net",
            "name": "Rete",
            "agency": "ATS-MONTAGNA",
            "lead": {"id": "ATS-MONTAGNA", "name": "ATS della Montagna", "kind": "ats"},
        },
        "projects": [
            {"id": "p0", "title": "P0", "lead": dict(LEAD)},
            {"id": "p1", "title": "P1", "lead": dict(LEAD)},
        ],
    }
    data.update(changes)
    return data


def problems_of(data: object, source: str | None = None) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as info:
        parse_document(data, source)
    assert info.value.source == source
    return [(p.path, p.message) for p in info.value.problems]


def paths_of(data: object) -> list[str]:
    return [path for path, _ in problems_of(data)]


def test_valid_plan_parses() -> None:
    document = parse_document(plan())
    assert isinstance(document, TerritorialPlan)
    assert [p.id for p in document.projects] == ["p0", "p1"]


def test_unknown_field_has_its_path_and_the_known_fields() -> None:
    data = plan()
    data["projects"][1]["lead"]["colour"] = "red"
    [(path, message)] = problems_of(data)
    assert path == "$.projects[1].lead.colour"
    assert message == "unknown field 'colour'; known fields: " + ", ".join(
        sorted(["id", "name", "kind", "nature", "tax_code", "municipality", "nature_reason"])
    )
    assert paths_of(plan(budget=5)) == ["$.budget"]


def test_wrong_type_has_its_path() -> None:
    data = plan()
    data["projects"][1]["lead"]["kind"] = 5
    [(path, message)] = problems_of(data)
    assert path == "$.projects[1].lead.kind"
    assert message.startswith("5 is not a valid BodyKind; expected one of: region, asl, ats")


def test_every_problem_is_collected_in_document_order() -> None:
    data = plan(presented_on="30/06/2020")
    data["network"]["members"] = [{"body": {"id": 7, "name": "M", "kind": "company"}}]
    data["projects"][0]["requested"] = 1.5
    data["projects"][1]["lead"]["kind"] = "spaceship"
    data["projects"][1]["lead"]["colour"] = "red"
    data["projects"][1]["beneficiaries"] = "100"
    data["projects"][1]["service_types"] = "AB"
    found = problems_of(data, "plan.json")
    assert sorted(path for path, _ in found) == sorted(
        [
            "$.network.members[0].body.id",
            "$.projects[0].requested",
            "$.projects[1].lead.kind",
            "$.projects[1].lead.colour",
            "$.projects[1].beneficiaries",
            "$.projects[1].service_types",
            "$.presented_on",
        ]
    )
    messages = dict(found)
    assert messages["$.network.members[0].body.id"] == "expected text, got an integer"
    assert messages["$.projects[1].beneficiaries"] == "expected a whole number, got text"
    assert messages["$.projects[1].service_types"] == "expected a list, got text"
    assert messages["$.presented_on"] == "'30/06/2020' is not a date; write it as YYYY-MM-DD"


def test_error_text_is_one_line_with_the_file_and_a_count() -> None:
    data = plan(presented_on="soon", budget=1)
    with pytest.raises(InputError) as info:
        parse_document(data, "plan.json")
    text = str(info.value)
    assert text.startswith("plan.json: $.")
    assert text.endswith("(and 1 more problem)")
    assert "\n" not in info.value.one_line()


def test_missing_required_fields() -> None:
    data = plan()
    del data["projects"][0]["title"]
    del data["projects"][1]["lead"]["kind"]
    assert problems_of(data) == [
        ("$.projects[0].title", "required field is missing"),
        ("$.projects[1].lead.kind", "required field is missing"),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": 1}, "expected text, got a table/object"),
        (None, "expected text, got null"),
        (True, "expected text, got a boolean"),
        (1.0, "expected text, got a decimal number"),
    ],
)
def test_text_fields_take_only_text(value: object, message: str) -> None:
    assert problems_of(plan(id=value)) == [("$.id", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lead", "expected a table/object, got text"),
        ([LEAD], "expected a table/object, got a list"),
        (None, "expected a table/object, got null"),
    ],
)
def test_tables_must_be_tables(value: object, message: str) -> None:
    data = plan()
    data["projects"][0]["lead"] = value
    assert problems_of(data) == [("$.projects[0].lead", message)]


def test_list_items_must_be_tables() -> None:
    assert problems_of({"kind": "network_register", "id": "r", "networks": [5, "x"]}) == [
        ("$.networks[0]", "expected a table/object, got an integer"),
        ("$.networks[1]", "expected a table/object, got text"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "x"}, "required field is missing; one of: network, network_register"),
        ({"kind": "plan"}, "'plan' is not a document kind; expected one of: network,"),
        ({"kind": 5}, "5 is not a document kind"),
        ({"kind": "territorial_plam"}, "'territorial_plam' is not a document kind"),
        ({"kind": ["project"]}, "['project'] is not a document kind"),
        ({"kind": {"a": 1}}, "{'a': 1} is not a document kind"),
        ({"kind": None}, "required field is missing"),
    ],
)
def test_kind_missing_or_unknown(data: dict[str, Any], message: str) -> None:
    [(path, text)] = problems_of(data)
    assert path == "$.kind"
    assert text.startswith(message)
    hinted = data.get("kind") == "territorial_plam" if isinstance(data, dict) else False
    assert text.endswith("; did you mean 'territorial_plan'?") is hinted


@pytest.mark.parametrize("data", [[1, 2], "plan", 5, None])
def test_document_must_be_a_table(data: object) -> None:
    [(path, text)] = problems_of(data)
    assert path == "$"
    assert text.startswith("expected a table/object, got")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "floating-point number, which cannot hold cents exactly"),
        (1000.0, "floating-point number"),
        (-5, "is negative"),
        ("-5", "is negative"),
        ("1.234", "has more than two decimals"),
        ("NaN", "is not a finite number"),
        ("Infinity", "is not a finite number"),
        ("lots", "is not an amount"),
        (True, "got a boolean"),
        ([], "got list"),
    ],
)
def test_bad_amounts_in_documents(value: object, message: str) -> None:
    data = plan()
    data["projects"][1]["requested"] = value
    data["projects"][1]["budget_lines"] = [
        {"label": "a", "amount": "10"},
        {"label": "b", "amount": value},
    ]
    found = problems_of(data)
    assert [p for p, _ in found] == [
        "$.projects[1].budget_lines[1].amount",
        "$.projects[1].requested",
    ] or [p for p, _ in found] == [
        "$.projects[1].requested",
        "$.projects[1].budget_lines[1].amount",
    ]
    assert all(message in text for _, text in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("requested = nan", "is not a finite number"),
        ("requested = inf", "is not a finite number"),
        ("requested = -inf", "is not a finite number"),
        ("requested = 12.5", "floating-point number"),
        ("requested = -3", "is negative"),
        ('requested = "0.001"', "has more than two decimals"),
    ],
)
def test_bad_amounts_in_toml_documents(text: str, message: str) -> None:
    source = f'kind = "project"\nid = "p"\ntitle = "T"\n{text}\nlead = {{ id = "a", name = "A", kind = "company" }}\n'
    [(path, found)] = problems_of(parse_toml(source))
    assert path == "$.requested"
    assert message in found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": "project", "requested": NaN}', "NaN is not a number this library accepts"),
        (
            '{"kind": "project", "requested": Infinity}',
            "Infinity is not a number this library accepts",
        ),
        (
            '{"kind": "project", "requested": -Infinity}',
            "-Infinity is not a number this library accepts",
        ),
    ],
)
def test_nan_and_infinity_refused_in_json(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_json(text, "p.json")
    assert [(p.path, p.message) for p in info.value.problems] == [("$", message)]
    assert info.value.source == "p.json"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-13-01", "'2020-13-01' is not a date; write it as YYYY-MM-DD"),
        (20200101, "expected a date (YYYY-MM-DD), got an integer"),
        (dt.datetime(2020, 1, 1, 10, 0), "expected a date (YYYY-MM-DD), got a date with a time"),
    ],
)
def test_bad_dates(value: object, message: str) -> None:
    assert problems_of(plan(presented_on=value)) == [("$.presented_on", message)]


def test_toml_datetime_is_not_a_date() -> None:
    source = (
        'kind = "project"\nid = "p"\ntitle = "T"\nstarts_on = 2020-01-01T10:00:00\n'
        'lead = { id = "a", name = "A", kind = "company" }\n'
    )
    assert problems_of(parse_toml(source)) == [
        ("$.starts_on", "expected a date (YYYY-MM-DD), got a date with a time")
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "expected a whole number, got a boolean"),
        (5.0, "expected a whole number, got a decimal number"),
        ("5", "expected a whole number, got text"),
    ],
)
def test_bad_whole_numbers(value: object, message: str) -> None:
    data = plan()
    data["network"]["member_count"] = value
    assert problems_of(data) == [("$.network.member_count", message)]


def test_blank_body_id_is_refused_at_the_body() -> None:
    data = plan()
    data["projects"][1]["lead"]["id"] = "  "
    assert problems_of(data) == [("$.projects[1].lead.id", "must not be blank")]


# ---- duplicate ids -------------------------------------------------------------------------------


def member(ident: str) -> dict[str, Any]:
    return {"body": {"id": ident, "name": ident, "kind": "company"}}


def test_duplicate_projects_alliances_and_system_actions() -> None:
    alliance = {"id": "al", "name": "Alleanza", "lead": dict(LEAD)}
    data = plan(
        alliances=[alliance, dict(alliance)],
        system_actions=[
            {"id": "s", "title": "S"},
            {"id": "t", "title": "T"},
            {"id": "s", "title": "U"},
        ],
    )
    data["projects"].append({"id": "p0", "title": "again", "lead": dict(LEAD)})
    assert problems_of(data, "plan.toml") == [
        ("$.alliances[1]", "duplicate alliance id 'al' (first at index 0)"),
        ("$.projects[2]", "duplicate project id 'p0' (first at index 0)"),
        ("$.system_actions[2]", "duplicate system action id 's' (first at index 0)"),
    ]


def test_duplicate_members_partners_and_signatories() -> None:
    data = plan()
    data["network"]["members"] = [member("x"), member("y"), member("x")]
    data["network"]["accord"] = {
        "id": "acc",
        "kind": "network",
        "signatories": [LEAD, LEAD],
    }
    data["projects"][1]["partners"] = [LEAD, {"id": "b", "name": "B", "kind": "school"}, LEAD]
    data["alliances"] = [
        {"id": "al", "name": "Alleanza", "lead": LEAD, "partners": [LEAD, LEAD]},
    ]
    assert problems_of(data) == [
        ("$.network.members[2]", "duplicate member id 'x' (first at index 0)"),
        ("$.network.accord.signatories[1]", "duplicate signatory id 'a' (first at index 0)"),
        ("$.alliances[0].partners[1]", "duplicate partner id 'a' (first at index 0)"),
        ("$.projects[1].partners[2]", "duplicate partner id 'a' (first at index 0)"),
    ]


def test_duplicate_networks_in_a_register() -> None:
    network = plan()["network"]
    other = dict(network, members=[member("x"), member("x")])
    data = {"kind": "network_register", "id": "r", "networks": [network, other]}
    assert problems_of(data) == [
        ("$.networks[1]", "duplicate network id 'net' (first at index 0)"),
        ("$.networks[1].members[1]", "duplicate member id 'x' (first at index 0)"),
    ]


def test_duplicate_partners_of_a_lone_alliance_or_project() -> None:
    alliance = {"kind": "alliance", "id": "al", "name": "A", "lead": LEAD, "partners": [LEAD, LEAD]}
    assert paths_of(alliance) == ["$.partners[1]"]
    project = {"kind": "project", "id": "p", "title": "P", "lead": LEAD, "partners": [LEAD, LEAD]}
    assert paths_of(project) == ["$.partners[1]"]
    network = dict(plan()["network"], kind="network", members=[member("m"), member("m")])
    assert paths_of(network) == ["$.members[1]"]


def test_the_same_body_may_appear_in_different_lists() -> None:
    data = plan()
    data["projects"][0]["partners"] = [LEAD]
    data["projects"][1]["partners"] = [LEAD]
    assert isinstance(parse_document(data), TerritorialPlan)


# ---- files ---------------------------------------------------------------------------------------


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def file_problem(path: Path, limits: Limits | None = None) -> tuple[str, str, str | None]:
    with pytest.raises(InputError) as info:
        load_document(path) if limits is None else load_document(path, limits)
    [problem] = info.value.problems
    return problem.path, problem.message, info.value.source


def test_load_document_from_json_and_toml(tmp_path: Path) -> None:
    document = parse_document(plan())
    assert load_document(write(tmp_path / "p.json", dump_document(document))) == document
    assert load_document(write(tmp_path / "p.toml", dump_document(document, "toml"))) == document
    with_bom = b"\xef\xbb\xbf" + dump_document(document).encode()
    assert load_document(write(tmp_path / "bom.json", with_bom)) == document


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert file_problem(missing) == ("$", "no such file", str(missing))
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert file_problem(folder) == ("$", "is a directory, not a file", str(folder))


def test_unknown_file_type(tmp_path: Path) -> None:
    path = write(tmp_path / "plan.yaml", "kind: project")
    assert file_problem(path) == (
        "$",
        "unknown file type '.yaml'; use .json or .toml",
        str(path),
    )
    assert file_problem(write(tmp_path / "plan", "x"))[1] == (
        "unknown file type '(none)'; use .json or .toml"
    )


@pytest.mark.parametrize("name", ["empty.json", "empty.toml"])
@pytest.mark.parametrize("content", ["", "   \n\t\n", b"\xef\xbb\xbf"])
def test_empty_files(tmp_path: Path, name: str, content: str | bytes) -> None:
    path = write(tmp_path / name, content)
    assert file_problem(path) == ("$", "the file is empty", str(path))


@pytest.mark.parametrize("name", ["bad.json", "bad.toml"])
def test_invalid_utf8(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, b'kind = "proj\xe8ct"\n')
    where, message, _ = file_problem(path)
    assert where == "$"
    assert message == "not valid UTF-8 text (byte 12: b'\\xe8')"


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", 'kind = "project"\nid = = "p"\n')
    where, message, source = file_problem(path)
    assert (where, source) == ("$", str(path))
    assert message.startswith("not valid TOML: ")
    assert "line 2" in message


def test_toml_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.toml", 'kind = "project"\nid = "a"\nid = "b"\n')
    assert file_problem(path)[1].startswith("not valid TOML: ")


def test_json_syntax_error_and_duplicate_keys(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", '{"kind": "project",\n "id": }')
    assert file_problem(bad)[1] == "not valid JSON: Expecting value at line 2, column 8"
    dup = write(tmp_path / "dup.json", '{"kind": "project", "lead": {"id": "a", "id": "b"}}')
    assert file_problem(dup) == ("$", "duplicate key 'id' in the same object", str(dup))


def test_over_size_input(tmp_path: Path) -> None:
    document = parse_document(plan())
    text = dump_document(document)
    path = write(tmp_path / "plan.json", text)
    size = len(text.encode())
    assert file_problem(path, Limits(max_bytes=size - 1)) == (
        "$",
        f"the file is {size:,} bytes, over the limit of {size - 1:,}",
        str(path),
    )
    assert load_document(path, Limits(max_bytes=size)) == document


def test_over_deep_input(tmp_path: Path) -> None:
    data = plan()
    deep: Any = "x"
    for _ in range(70):
        deep = [deep]
    data["projects"][0]["service_types"] = deep
    path = write(tmp_path / "deep.json", json.dumps(data))
    where, message, _ = file_problem(path)
    assert where.startswith("$.projects[0].service_types[0][0]")
    assert message == "nested deeper than the limit of 64 levels"
    # A shallower limit refuses even the valid plan; a deeper one lets the type check speak.
    assert file_problem(write(tmp_path / "p.json", json.dumps(plan())), Limits(max_depth=3))[1] == (
        "nested deeper than the limit of 3 levels"
    )
    with pytest.raises(InputError) as info:
        load_document(path, Limits(max_depth=100))
    assert info.value.problems[0].path.startswith("$.projects[0].service_types[0]")
