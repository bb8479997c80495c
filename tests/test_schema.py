"""JSON Schema of the input documents: it agrees with the loader on valid and invalid documents.

The ``jsonschema`` package is not a dependency, so the schemas are checked by a small validator
below that implements exactly the keywords :mod:`conciliazione_core._schema` emits; a test makes
sure no other keyword sneaks in unvalidated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from conciliazione_core._documents import DOCUMENT_KINDS
from conciliazione_core._errors import InputError
from conciliazione_core._money import Money
from conciliazione_core._schema import MONEY_PATTERN, json_schema
from conciliazione_core._serialisation import (
    dump_document,
    parse_document,
    read_data_file,
    unstructure,
)
from conciliazione_core.testing._models import amounts, documents

KNOWN_KEYWORDS = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "pattern",
    "minimum",
    "format",
}

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$"
) -> list[str]:
    """The paths where ``value`` breaks ``schema`` (empty when it conforms)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return validate(value, root["$defs"][name], root, path)
    errors: list[str] = []
    if "anyOf" in schema and all(validate(value, s, root, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not one of the enum")
    if "type" in schema and not TYPES[schema["type"]](value):
        return [*errors, f"{path}: not of type {schema['type']}"]
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: does not match {schema['pattern']}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: below {schema['minimum']}")
    if schema.get("format") == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            errors.append(f"{path}: not a date")
    if "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}.{key}: required")
        for key, item in value.items():
            if key in properties:
                errors += validate(item, properties[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{key}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += validate(item, schema["additionalProperties"], root, f"{path}.{key}")
    return errors


def as_json_data(value: Any) -> Any:
    """TOML data as it would be written in JSON (dates become ISO text)."""
    if isinstance(value, dict):
        return {k: as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def keywords(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    found |= keywords(sub)
            else:
                found.add(key)
                found |= keywords(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= keywords(item)
    return found


@pytest.mark.parametrize("kind", list(DOCUMENT_KINDS))
def test_schema_structure(kind: str) -> None:
    schema = json_schema(kind)
    json.dumps(schema)  # plain JSON data
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"] == {"const": kind}
    assert schema["required"][0] == "kind"
    assert schema["additionalProperties"] is False
    assert keywords(schema) <= KNOWN_KEYWORDS
    for name, definition in schema["$defs"].items():
        assert definition["type"] == "object", name
        assert definition["additionalProperties"] is False, name
    body = schema["$defs"]["Body"]
    assert body["required"] == ["id", "name", "kind"]
    assert "municipality" in body["properties"]


def test_schema_of_a_plan_lists_its_required_fields_and_money() -> None:
    schema = json_schema("territorial_plan")
    assert schema["required"] == ["kind", "id", "network"]
    requested = schema["$defs"]["Project"]["properties"]["requested"]
    assert {"type": "string", "pattern": MONEY_PATTERN} in requested["anyOf"]
    assert {"type": "integer", "minimum": 0} in requested["anyOf"]
    assert schema["$defs"]["Project"]["properties"]["starts_on"] == {
        "type": "string",
        "format": "date",
    }


def test_unknown_kind_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        json_schema("plan")
    [problem] = info.value.problems
    assert problem.path == "TYPE"
    assert problem.message.startswith("'plan' is not a document kind; choose one of: network")
    assert "did you mean" not in problem.message


def test_a_mistyped_kind_gets_a_suggestion() -> None:
    with pytest.raises(InputError) as info:
        json_schema("Territorial_Plam")
    [problem] = info.value.problems
    assert problem.message.endswith("; did you mean 'territorial_plan'?")


def test_shipped_examples_validate(example_files: list[Path]) -> None:
    assert example_files, "the plugins ship example documents"
    for path in example_files:
        data = as_json_data(read_data_file(path))
        schema = json_schema(data["kind"])
        assert validate(data, schema, schema) == [], path
        parse_document(read_data_file(path), str(path))


def test_montagna_plan_with_an_unknown_field_is_refused_by_both(montagna_path: Path) -> None:
    data = as_json_data(read_data_file(montagna_path))
    data["projects"][3]["lead"]["colour"] = "red"
    data["budget"] = "5"
    schema = json_schema("territorial_plan")
    assert validate(data, schema, schema) == [
        "$.projects[3].lead.colour: not allowed",
        "$.budget: not allowed",
    ]
    with pytest.raises(InputError) as info:
        parse_document(data)
    assert {p.path for p in info.value.problems} == {"$.projects[3].lead.colour", "$.budget"}


def test_schema_refuses_wrong_types_the_loader_refuses() -> None:
    schema = json_schema("project")
    data = {
        "kind": "project",
        "id": "p",
        "title": "T",
        "lead": {"id": "a", "name": "A", "kind": "spaceship"},
        "requested": 1.5,
        "beneficiaries": "5",
    }
    assert validate(data, schema, schema) == [
        "$.lead.kind: not one of the enum",
        "$.requested: matches none of anyOf",
        "$.beneficiaries: not of type integer",
    ]


@given(documents())
def test_everything_the_library_writes_validates(document: Any) -> None:
    data = json.loads(dump_document(document))
    schema = json_schema(data["kind"])
    assert validate(data, schema, schema) == []


@given(amounts())
def test_money_pattern_admits_what_the_library_writes(money: Money) -> None:
    assert re.search(MONEY_PATTERN, str(money))
    assert Money.parse(str(money)) == money


@pytest.mark.parametrize("text", ["1", "0", "1234.5", "1234.56", "007"])
def test_money_pattern_is_within_what_the_loader_reads(text: str) -> None:
    assert re.search(MONEY_PATTERN, text)
    Money.parse(text)


@pytest.mark.parametrize("text", ["-1", "1.234", "1e3", "1,5", "NaN", "", " 1", "+1", "١٢٣"])
def test_money_pattern_refuses_bad_amounts(text: str) -> None:
    assert not re.search(MONEY_PATTERN, text)


def test_unstructured_documents_have_no_kind_but_validate_with_it() -> None:
    document = parse_document(
        {
            "kind": "alliance",
            "id": "a",
            "name": "A",
            "lead": {"id": "b", "name": "B", "kind": "ats"},
        }
    )
    data = {"kind": "alliance", **unstructure(document)}
    schema = json_schema("alliance")
    assert validate(data, schema, schema) == []
    del data["kind"]
    assert validate(data, schema, schema) == ["$.kind: required"]
