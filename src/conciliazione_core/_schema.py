"""JSON Schema (draft 2020-12) for the input documents, so other applications can validate forms.

Generated from the attrs models, so it cannot drift from what the loader accepts: required fields
are those without a default, unknown fields are refused, money is a decimal string.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
from fractions import Fraction
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs

from conciliazione_core._documents import DOCUMENT_KINDS
from conciliazione_core._errors import InputError
from conciliazione_core._money import Money
from conciliazione_core._suggest import with_hint
from conciliazione_core.i18n import _

__all__ = ["MONEY_PATTERN", "json_schema"]

MONEY_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if len(options) == 1:
            return _type_schema(options[0], defs)
        return {"anyOf": [_type_schema(a, defs) for a in options]}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(get_args(tp)[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(get_args(tp)[1], defs)}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is dt.date:
        return {"type": "string", "format": "date"}
    if tp is Money:
        return {
            "anyOf": [
                {"type": "string", "pattern": MONEY_PATTERN},
                {"type": "integer", "minimum": 0},
            ],
            "description": "Euros: a decimal string with at most two decimals, or whole euros.",
        }
    if tp is Fraction:
        return {"type": "string", "description": "An exact number: '0.8', '4/5' or '80%'."}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if isinstance(tp, type) and attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _class_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _class_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        properties[field.name] = _type_schema(hints[field.name], defs)
        if field.default is attrs.NOTHING:
            required.append(field.name)
    result: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        result["required"] = required
    doc = (cls.__doc__ or "").strip().splitlines()
    if doc:
        result["description"] = doc[0]
    return result


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a document kind (``territorial_plan``, ``network``, ...)."""
    if kind not in DOCUMENT_KINDS:
        raise InputError.at(
            "TYPE",
            with_hint(
                _("{kind!r} is not a document kind; choose one of: {kinds}").format(
                    kind=kind, kinds=", ".join(DOCUMENT_KINDS)
                ),
                kind,
                DOCUMENT_KINDS,
            ),
        )
    defs: dict[str, Any] = {}
    body = _class_schema(DOCUMENT_KINDS[kind], defs)
    body["properties"] = {"kind": {"const": kind}, **body["properties"]}
    body["required"] = ["kind", *body.get("required", [])]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://conciliazione-core.invalid/schema/{kind}.json",
        "title": f"conciliazione-core {kind} document",
        **body,
        "$defs": dict(sorted(defs.items())),
    }
