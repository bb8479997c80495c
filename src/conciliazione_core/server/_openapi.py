"""The OpenAPI 3.1 description of the HTTP API, and the page that lets a person try it.

The document schemas are the JSON Schemas ``conciliazione schema KIND`` prints, moved under
``components/schemas`` (their ``$defs`` too, with the references rewritten): a form validated
against the description accepts what the check accepts.
"""

from __future__ import annotations

from typing import Any

from conciliazione_core.server import _library as lib

__all__ = ["DOCS_PAGE", "document_schema_name", "openapi_spec"]

_REF = "#/components/schemas/"


def document_schema_name(kind: str) -> str:
    """``territorial_plan`` -> ``TerritorialPlanDocument``."""
    return "".join(part.title() for part in kind.split("_")) + "Document"


def _rewrite(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                _REF + v.removeprefix("#/$defs/")
                if k == "$ref" and isinstance(v, str)
                else _rewrite(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(v) for v in value]
    return value


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


_PROBLEM = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
    "required": ["path", "message"],
}
_ERROR = {
    "type": "object",
    "description": "Every answer other than 200: the problems with their paths, as the CLI says.",
    "properties": {
        "status": {"type": "integer"},
        "error": {"type": "string"},
        "message": {"type": "string"},
        "source": {"type": ["string", "null"]},
        "problems": {"type": "array", "items": _ref("Problem")},
    },
    "required": ["status", "error", "message", "source", "problems"],
}
_FINDING = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "severity": {"enum": ["error", "warning", "info"]},
        "message": {"type": "string"},
        "path": {"type": "string"},
        "legal_basis": {"type": ["string", "null"]},
    },
    "required": ["code", "severity", "message", "path", "legal_basis"],
}
_REPORT = {
    "type": "object",
    "description": "As `conciliazione check CYCLE FILE --format json` prints it.",
    "properties": {
        "cycle": {"type": "string"},
        "document": {"type": "string"},
        "admissible": {"type": "boolean"},
        "findings": {"type": "array", "items": _ref("Finding")},
    },
    "required": ["cycle", "document", "admissible", "findings"],
}
_TABLE = {
    "type": "object",
    "description": (
        "An indicator table: values are integers or decimals written as text, every row with "
        "its provenance (source and method in Italian too, optionally: source_it, method_it). As "
        "CSV: id,name,<indicators>,source,reference_date,status[,method][,source_it][,method_it]."
    ),
    "properties": {
        "indicators": {"type": "array", "items": {"type": "string"}},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "values": {
                        "type": "object",
                        "additionalProperties": {"type": ["string", "integer"]},
                    },
                    "provenance": {
                        "type": "object",
                        "properties": {
                            "source": {"type": "string"},
                            "reference_date": {"type": "string", "format": "date"},
                            "status": {"type": "string"},
                            "method": {"type": "string"},
                            "source_it": {"type": "string"},
                            "method_it": {"type": "string"},
                        },
                        "required": ["source", "reference_date", "status"],
                    },
                },
                "required": ["id", "name", "values", "provenance"],
            },
        },
    },
    "required": ["indicators", "rows"],
    "additionalProperties": False,
}
_ALLOCATION = {
    "type": "object",
    "description": (
        "As `conciliazione allocate CYCLE --format json` prints it (amounts as decimal text); "
        "with `explain`, an `explanations` object: recipient id -> the explanation in words."
    ),
    "properties": {
        "cycle": {"type": "string"},
        "total": {"type": "string"},
        "shares": {"type": "array", "items": {"type": "object"}},
        "pending": {"type": "array", "items": {"type": "object"}},
        "explanations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["cycle", "total", "shares", "pending"],
}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "Bad input: the problems list every bad place with its path.",
        404: "Unknown cycle, document kind or endpoint.",
        413: "The body is over the size limit.",
        415: "The Content-Type is not one this endpoint reads.",
        422: "The body loads, but is not what this endpoint takes.",
        503: "The request took longer than the time limit.",
    }
    return {
        str(s): {"description": words[s], "content": _json(_ref("Error"))} for s in (*statuses, 503)
    }


_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of messages (else Accept-Language, else English).",
    "schema": {"enum": list(lib.LANGUAGES)},
}
_CYCLE = {
    "name": "cycle",
    "in": "path",
    "required": True,
    "description": "A cycle id, e.g. lombardia-2020.",
    "schema": {"type": "string"},
}
_ALLOCATE_QUERY = [
    {
        "name": "set",
        "in": "query",
        "required": False,
        "description": "PATH=VALUE: a what-if override of a parameter (repeatable), as --set.",
        "schema": {"type": "array", "items": {"type": "string"}},
        "explode": True,
    },
    {
        "name": "explain",
        "in": "query",
        "required": False,
        "description": "A recipient id whose amount to explain in words (repeatable).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "explode": True,
    },
]


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    kinds = lib.document_kinds()
    for kind in kinds:
        schema = dict(lib.schema(kind))
        for key in ("$schema", "$id"):
            schema.pop(key)
        defs = schema.pop("$defs", {})
        for name, body in defs.items():
            body = _rewrite(body)
            if schemas.setdefault(name, body) != body:
                raise ValueError(f"two different schemas are named {name!r}")
        schemas[document_schema_name(kind)] = _rewrite(schema)
    schemas["Document"] = {"oneOf": [_ref(document_schema_name(k)) for k in kinds]}
    schemas.update(
        Problem=_PROBLEM,
        Error=_ERROR,
        Finding=_FINDING,
        Report=_REPORT,
        IndicatorTable=_TABLE,
        Allocation=_ALLOCATION,
    )
    return dict(sorted(schemas.items()))


def openapi_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 description, served at ``/openapi.json``."""
    get_cycle = {"parameters": [_CYCLE, _LANG]}
    any_object = {"type": "object"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "conciliazione-core",
            "version": lib.version(),
            "description": (
                "Lombardy's work-life balance programme over HTTP: cycles, checks, exact "
                "allocations. JSON in and out; amounts are decimal strings."
            ),
        },
        "paths": {
            "/health": {
                "get": {
                    "summary": "Liveness",
                    "responses": {"200": {"description": "The server answers."}},
                }
            },
            "/cycles": {
                "get": {
                    "summary": "The installed cycles, as `conciliazione cycles --format json`",
                    "parameters": [_LANG],
                    "responses": {"200": {"description": "OK", "content": _json(any_object)}},
                }
            },
            "/cycles/{cycle}": {
                "get": {
                    **get_cycle,
                    "summary": "One cycle: parameters, citations, assumptions",
                    "responses": {
                        "200": {"description": "OK", "content": _json(any_object)},
                        **_errors(404),
                    },
                }
            },
            "/cycles/{cycle}/check": {
                "post": {
                    "summary": "Check a document, or many (a JSON array or JSON lines)",
                    "parameters": [
                        _CYCLE,
                        _LANG,
                        {
                            "name": "name",
                            "in": "query",
                            "required": False,
                            "description": "The document's name in the report (default: document).",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "today",
                            "in": "query",
                            "required": False,
                            "description": (
                                "The day of the check, YYYY-MM-DD, against which a date is in the "
                                "future (default: the server's date): a reproducible report."
                            ),
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        _ref("Document"),
                                        {"type": "array", "items": _ref("Document")},
                                    ]
                                }
                            },
                            "application/x-ndjson": {"schema": _ref("Document")},
                            "application/jsonl": {"schema": _ref("Document")},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The report; for many documents, a list of reports.",
                            "content": _json(
                                {
                                    "oneOf": [
                                        _ref("Report"),
                                        {"type": "array", "items": _ref("Report")},
                                    ]
                                }
                            ),
                        },
                        **_errors(400, 404, 413, 415, 422),
                    },
                }
            },
            "/cycles/{cycle}/allocate": {
                "post": {
                    "summary": "Allocate with the indicator table of the body, or the shipped one",
                    "parameters": [_CYCLE, _LANG, *_ALLOCATE_QUERY],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {"schema": _ref("IndicatorTable")},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "200": {"description": "OK", "content": _json(_ref("Allocation"))},
                        **_errors(400, 404, 413, 415, 422),
                    },
                }
            },
            "/cycles/{cycle}/allocation": {
                "get": {
                    "summary": "The allocation with the shipped indicator data",
                    "parameters": [_CYCLE, _LANG, *_ALLOCATE_QUERY],
                    "responses": {
                        "200": {"description": "OK", "content": _json(_ref("Allocation"))},
                        **_errors(400, 404, 422),
                    },
                }
            },
            "/schema/{kind}": {
                "get": {
                    "summary": "The JSON Schema of a document kind, as `conciliazione schema KIND`",
                    "parameters": [
                        {
                            "name": "kind",
                            "in": "path",
                            "required": True,
                            "schema": {"enum": list(lib.document_kinds())},
                        },
                        _LANG,
                    ],
                    "responses": {
                        "200": {"description": "OK", "content": _json(any_object)},
                        **_errors(404),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": {"description": "OK"}},
                }
            },
            "/docs": {
                "get": {
                    "summary": "A page to try the API in a browser",
                    "responses": {"200": {"description": "HTML"}},
                }
            },
        },
        "components": {"schemas": _components()},
    }


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>conciliazione-core HTTP API</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 60em; }
details { border: 1px solid #ccc; border-radius: 4px; margin: .5em 0; padding: .4em .8em; }
summary { cursor: pointer; } code { font-weight: bold; }
textarea { width: 100%; height: 10em; font-family: monospace; }
pre { background: #f4f4f4; padding: .6em; max-height: 30em; overflow: auto; }
label { display: block; margin: .3em 0; }
</style>
</head>
<body>
<h1>conciliazione-core HTTP API</h1>
<p>This page reads the description at <a href="openapi.json">/openapi.json</a> and lets you
send requests to this server. No script is loaded from elsewhere.</p>
<div id="operations">Loading /openapi.json...</div>
<script>
"use strict";
function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.assign(node, attrs || {});
  for (const child of children || []) {
    node.append(child);
  }
  return node;
}
function operation(path, method, op) {
  const inputs = {};
  const form = el("div");
  for (const p of op.parameters || []) {
    inputs[p.name] = el("input", {placeholder: p.description || p.name});
    form.append(el("label", {}, [p.name + " (" + p.in + ") ", inputs[p.name]]));
  }
  let body = null, type = null;
  if (op.requestBody) {
    type = el("select", {}, Object.keys(op.requestBody.content).map(
      (t) => el("option", {value: t, textContent: t})));
    body = el("textarea");
    form.append(el("label", {}, ["Content-Type ", type]), body);
  }
  const out = el("pre");
  const send = el("button", {textContent: "Send"});
  send.onclick = async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const p of op.parameters || []) {
      const value = inputs[p.name].value;
      if (!value) continue;
      if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(value));
      else for (const v of value.split(",")) query.append(p.name, v.trim());
    }
    const init = {method: method.toUpperCase(), headers: {}};
    if (body && body.value) {
      init.body = body.value;
      init.headers["Content-Type"] = type.value;
    }
    const q = query.toString();
    const response = await fetch(url + (q ? "?" + q : ""), init);
    out.textContent = response.status + " " + response.statusText + "\\n\\n" + await response.text();
  };
  form.append(send, out);
  return el("details", {}, [
    el("summary", {}, [el("code", {textContent: method.toUpperCase() + " " + path}),
                       " " + (op.summary || "")]),
    form]);
}
fetch("openapi.json").then((r) => r.json()).then((spec) => {
  const root = document.getElementById("operations");
  root.textContent = "";
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      root.append(operation(path, method, op));
    }
  }
});
</script>
</body>
</html>
"""
