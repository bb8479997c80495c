"""Every endpoint of ``conciliazione serve``, through a real server and an HTTP client: the same
JSON as the command line (byte for byte for reports and allocations), every error status with
the problems and paths the command line gives, and the language of each request its own."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from server_http import NEEDS_EXTRA, Server

pytest.importorskip("starlette", reason=NEEDS_EXTRA)

from conciliazione_core import __version__
from conciliazione_core import allocation as engine
from conciliazione_core._errors import InputError
from conciliazione_core._host import Host
from conciliazione_core._indicators import IndicatorTable
from conciliazione_core._schema import json_schema
from conciliazione_core._serialisation import dump_document, load_document
from conciliazione_core._views import cycle_to_json
from conciliazione_core.cli import cli
from conciliazione_core.i18n import language
from conciliazione_core.server._app import ROUTES
from conciliazione_core.server._openapi import document_schema_name

C20 = "/cycles/lombardia-2020"


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def error_shape(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    data: dict[str, Any] = answer.json()
    assert set(data) == {"status", "error", "message", "source", "problems"}
    assert data["status"] == status
    return data


def problems_of(exc: InputError) -> list[dict[str, str]]:
    return [{"path": p.path, "message": p.message} for p in exc.problems]


def as_json_file(example: Path, tmp_path: Path) -> Path:
    target = tmp_path / (example.stem + ".json")
    target.write_text(dump_document(load_document(example)), encoding="utf-8")
    return target


# ---- reading ---------------------------------------------------------------------------------


def test_health(server: Server) -> None:
    answer = server.get("/health")
    assert answer.status == 200
    assert answer.json() == {"status": "ok", "version": __version__}


def test_cycles_are_the_command_s_json(server: Server) -> None:
    answer = server.get("/cycles")
    assert answer.status == 200
    assert answer.body.decode() == run_cli("cycles", "--format", "json")


def test_one_cycle_has_parameters_citations_and_assumptions(server: Server, host: Host) -> None:
    data = server.get(C20).json()
    assert data == json.loads(json.dumps(cycle_to_json(host.cycle("lombardia-2020"))))
    assert data["parameters"]["allocation"]["total"] == "3000000"
    assert data["citations"]["dgr_2398"]["act"] == "D.G.R. XI/2398 of 11/11/2019"
    assert "split_80_20" in [a["id"] for a in data["assumptions"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/cycles/lombardia-1999"),
        ("POST", "/cycles/lombardia-1999/check"),
        ("POST", "/cycles/lombardia-1999/allocate"),
        ("GET", "/cycles/lombardia-1999/allocation"),
    ],
)
def test_unknown_cycle_is_404(server: Server, method: str, path: str) -> None:
    data = error_shape(server.request(method, path, b"{}" if method == "POST" else None), 404)
    assert data["message"] == (
        "unknown cycle 'lombardia-1999' (installed cycles: lombardia-2014, lombardia-2017, "
        "lombardia-2019, lombardia-2020, lombardia-2025); "
        "did you mean 'lombardia-2019', 'lombardia-2017', 'lombardia-2014'?"
    )


def test_schema_is_the_command_s(server: Server) -> None:
    answer = server.get("/schema/network")
    assert answer.status == 200
    assert answer.body.decode() == run_cli("schema", "network")
    data = error_shape(server.get("/schema/spreadsheet"), 404)
    assert data["problems"][0]["path"] == "TYPE"


def test_unknown_endpoint_and_method_are_json(server: Server) -> None:
    assert error_shape(server.get("/nowhere"), 404)["message"] == "no such endpoint: /nowhere"
    assert error_shape(server.request("DELETE", C20), 405)["message"] == (
        "method DELETE is not allowed here"
    )


# ---- check -----------------------------------------------------------------------------------


def test_check_is_byte_identical_to_the_command(
    server: Server, example_files: list[Path], tmp_path: Path
) -> None:
    """Every shipped example, against its own cycle, in English and in Italian."""
    for example in example_files:
        cycle = "lombardia-2014" if "lombardia_2014" in str(example) else "lombardia-2020"
        body = as_json_file(example, tmp_path).read_bytes()
        for lang in ("en", "it"):
            expected = run_cli("--lang", lang, "check", cycle, str(example), "--format", "json")
            answer = server.post(
                f"/cycles/{cycle}/check?name={quote(str(example))}&lang={lang}", body
            )
            assert answer.status == 200
            assert answer.headers["content-language"] == lang
            assert answer.body.decode() == expected, example.name


def test_many_documents_as_an_array_or_json_lines(
    server: Server, example_files: list[Path]
) -> None:
    documents = [dump_document(load_document(p)) for p in example_files if "2020" in str(p)][:3]
    single = [
        server.post(f"{C20}/check?name=batch%5B{i}%5D", d).json() for i, d in enumerate(documents)
    ]
    array = "[" + ",".join(documents) + "]"
    assert server.post(f"{C20}/check?name=batch", array).json() == single
    lines = "\n".join(json.dumps(json.loads(d)) for d in documents) + "\n\n"
    for kind in ("application/x-ndjson", "application/jsonl"):
        assert server.post(f"{C20}/check?name=batch", lines, kind).json() == single


def test_bad_document_has_the_command_s_problems(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "network", "id": 7, "colour": "red"}')
    with pytest.raises(InputError) as caught:
        load_document(bad)
    data = error_shape(server.post(f"{C20}/check?name={quote(str(bad))}", bad.read_bytes()), 400)
    assert data["message"] == caught.value.one_line()
    assert data["problems"] == problems_of(caught.value)
    assert data["source"] == str(bad)


def test_bad_documents_in_a_batch_are_placed_by_index(server: Server) -> None:
    data = error_shape(server.post(f"{C20}/check", '[{"kind": "network"}, {"kind": "x"}]'), 400)
    paths = [p["path"] for p in data["problems"]]
    assert paths[:2] == ["$[0].id", "$[0].name"]
    assert paths[-1] == "$[1].kind"
    lines = '{"kind": "x"}\nnot json\n'
    data = error_shape(server.post(f"{C20}/check", lines, "application/x-ndjson"), 400)
    assert [p["path"] for p in data["problems"]] == ["$[0].kind", "$[1]"]
    assert data["problems"][1]["message"].startswith("not valid JSON")


@pytest.mark.parametrize(
    ("body", "path", "start"),
    [
        ("", "$", "the file is empty"),
        ("{", "$", "not valid JSON"),
        ('{"kind": "network", "kind": "network"}', "$", "duplicate key"),
        ("[1, NaN]", "$", ""),
        ("42", "$", "expected a table/object"),
    ],
)
def test_malformed_json_is_400(server: Server, body: str, path: str, start: str) -> None:
    data = error_shape(server.post(f"{C20}/check", body), 400)
    assert data["problems"][0]["path"] == path
    assert data["problems"][0]["message"].startswith(start)


def test_wrong_content_type_is_415(server: Server) -> None:
    data = error_shape(server.post(f"{C20}/check", "kind = 'network'", "application/toml"), 415)
    assert "application/json" in data["message"]
    error_shape(server.post(f"{C20}/allocate", "<table/>", "application/xml"), 415)


def test_an_indicator_table_sent_to_check_is_422(server: Server) -> None:
    table = table_json(reference_table(Host(environ={})))
    data = error_shape(server.post(f"{C20}/check", table), 422)
    assert "send it to /cycles/lombardia-2020/allocate" in data["message"]


def test_unknown_or_repeated_query_parameters_are_400(server: Server) -> None:
    data = error_shape(server.post(f"{C20}/check?data=/etc/passwd", "{}"), 400)
    assert data["problems"] == [
        {"path": "data", "message": "unknown parameter; known: lang, name, today"}
    ]
    data = error_shape(server.post(f"{C20}/check?name=a&name=b", "{}"), 400)
    assert data["problems"][0]["path"] == "name"
    data = error_shape(server.get("/cycles?lang=fr"), 400)
    assert data["problems"][0]["path"] == "lang"
    italian = server.get("/cycles?lang=fr", **{"Accept-Language": "it"})
    assert error_shape(italian, 400)["message"].startswith("lingua non supportata 'fr'")
    assert italian.headers["content-language"] == "it"


# ---- allocation ------------------------------------------------------------------------------


def reference_table(host: Host) -> IndicatorTable:
    table = host.cycle("lombardia-2020").reference_table()
    assert table is not None
    return table


def table_json(table: IndicatorTable) -> str:
    return json.dumps(
        {
            "indicators": list(table.indicators),
            "rows": [
                {
                    "id": r.id,
                    "name": r.name,
                    "values": {k: str(v) for k, v in r.values},
                    "provenance": {
                        "source": r.provenance.source.en,
                        **({"source_it": r.provenance.source.it} if r.provenance.source.it else {}),
                        "reference_date": r.provenance.reference_date.isoformat(),
                        "status": r.provenance.status.value,
                        **(
                            {"method": r.provenance.method.en, "method_it": r.provenance.method.it}
                            if r.provenance.method
                            else {}
                        ),
                    },
                }
                for r in table.rows
            ],
        }
    )


def test_allocation_is_byte_identical_to_the_command(server: Server) -> None:
    expected = run_cli("allocate", "lombardia-2020", "--format", "json")
    answer = server.get(f"{C20}/allocation")
    assert answer.status == 200
    assert answer.body.decode() == expected
    what_if = [
        "allocation.envelopes.ats.amount=2700000",
        "allocation.envelopes.region.amount=300000",
    ]
    expected = run_cli(
        "allocate", "lombardia-2020", "--format", "json", *(f"--set={s}" for s in what_if)
    )
    query = "&".join(f"set={quote(s)}" for s in what_if)
    assert server.get(f"{C20}/allocation?{query}").body.decode() == expected


def test_allocate_reads_the_table_as_csv_or_json(server: Server, host: Host) -> None:
    cycle = host.cycle("lombardia-2020")
    assert cycle.default_data is not None
    csv_file = Path(str(cycle.data_files[cycle.default_data]))
    expected = json.loads(
        run_cli("allocate", "lombardia-2020", "--data", str(csv_file), "--format", "json")
    )
    by_csv = server.post(f"{C20}/allocate", csv_file.read_bytes(), "text/csv")
    assert by_csv.status == 200
    assert by_csv.json() == expected
    by_json = server.post(f"{C20}/allocate", table_json(reference_table(host)))
    assert by_json.json() == expected
    empty = server.post(f"{C20}/allocate", b"", "")
    assert empty.body == server.get(f"{C20}/allocation").body


def test_explain_gives_the_words_of_explain_text(server: Server, host: Host) -> None:
    cycle = host.cycle("lombardia-2020")
    plan = cycle.allocation
    assert plan is not None
    result = engine.allocate(
        plan, [(r.id, r.name) for r in cycle.recipients], cycle.reference_table(), missing="pending"
    )
    for lang in ("en", "it"):
        data = server.get(
            f"{C20}/allocation?explain=ATS-MONTAGNA&explain=ATS-PAVIA&lang={lang}"
        ).json()
        with language(lang):
            assert data["explanations"] == {
                rid: engine.explain_text(result, rid) for rid in ("ATS-MONTAGNA", "ATS-PAVIA")
            }


def test_bad_overrides_and_explain_ids_have_the_command_s_paths(server: Server) -> None:
    data = error_shape(server.get(f"{C20}/allocation?set=nonsense"), 400)
    assert data["problems"] == [{"path": "--set", "message": "'nonsense' is not PATH=VALUE"}]
    data = error_shape(server.get(f"{C20}/allocation?explain=ATS-ATLANTIDE"), 400)
    assert data["problems"][0]["path"] == "--explain"
    data = error_shape(server.get(f"{C20}/allocation?set=allocation.envelopes.ats.amount=1.5"), 400)
    assert data["problems"][0]["path"].startswith("$.allocation")


def test_bad_tables_are_400_with_their_paths(server: Server) -> None:
    data = error_shape(server.post(f"{C20}/allocate", '{"indicators": ["p"], "rows": [1]}'), 400)
    assert data["problems"] == [{"path": "$.rows[0]", "message": "expected an object"}]
    csv = (
        "id,name,p,source,reference_date,status\nATS-PAVIA,Pavia,1.5.5,ISTAT,2019-01-01,official\n"
    )
    data = error_shape(server.post(f"{C20}/allocate", csv, "text/csv"), 400)
    assert data["problems"][0]["path"] == "row 2 (ATS-PAVIA), column p"


def test_a_document_sent_to_allocate_is_422(server: Server, montagna_path: Path) -> None:
    data = error_shape(
        server.post(f"{C20}/allocate", dump_document(load_document(montagna_path))), 422
    )
    assert data["problems"][0]["path"] == "$.kind"
    assert "send it to /cycles/lombardia-2020/check" in data["message"]


# ---- language --------------------------------------------------------------------------------


def test_language_from_the_query_then_accept_language(server: Server) -> None:
    def message(path: str, **headers: str) -> str:
        return str(server.get(path, **headers).json()["message"])

    english = "no such endpoint: /x"
    italian = message("/x?lang=it")
    assert italian != english
    assert message("/x", **{"Accept-Language": "fr-CH, it;q=0.8, en;q=0.5"}) == italian
    assert message("/x", **{"Accept-Language": "en-GB, it;q=0.5"}) == english
    assert message("/x", **{"Accept-Language": "de"}) == english
    assert message("/x?lang=en", **{"Accept-Language": "it"}) == english


def test_parallel_requests_in_two_languages_each_get_their_own(
    server: Server, example_files: list[Path]
) -> None:
    plan = next(p for p in example_files if p.name == "plan_several_findings.toml")
    body = dump_document(load_document(plan))
    expected = {lang: server.post(f"{C20}/check?lang={lang}", body).body for lang in ("en", "it")}
    assert expected["en"] != expected["it"]

    def one(i: int) -> bool:
        lang = ("en", "it")[i % 2]
        header = {"Accept-Language": lang} if i % 4 < 2 else {}
        path = f"{C20}/check" + ("" if header else f"?lang={lang}")
        answer = server.request("POST", path, body, {"Content-Type": "application/json", **header})
        return answer.body == expected[lang]

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(64)))


# ---- description and docs --------------------------------------------------------------------


def test_openapi_is_built_from_the_command_s_schemas(server: Server) -> None:
    spec = server.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    schemas = spec["components"]["schemas"]
    for kind in ("network", "network_register", "alliance", "project", "territorial_plan"):
        original = json_schema(kind)
        back = json.loads(
            json.dumps(schemas[document_schema_name(kind)]).replace(
                "#/components/schemas/", "#/$defs/"
            )
        )
        assert back == {k: v for k, v in original.items() if k not in ("$schema", "$id", "$defs")}
        for name, body in original["$defs"].items():
            assert (
                json.loads(json.dumps(schemas[name]).replace("#/components/schemas/", "#/$defs/"))
                == body
            )
    assert set(spec["paths"]) == {route.path for route in ROUTES}


def test_docs_page_is_served_and_names_the_spec(server: Server) -> None:
    answer = server.get("/docs")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert b"openapi.json" in answer.body
    assert b"<script src=" not in answer.body  # nothing loaded from elsewhere


# ---- never a 500 -----------------------------------------------------------------------------

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
KINDS = st.sampled_from(
    ["network", "network_register", "alliance", "project", "territorial_plan", "other"]
)
BODIES = (
    st.binary(max_size=300)
    | JSONISH.map(lambda v: json.dumps(v).encode())
    | st.builds(
        lambda kind, extra: json.dumps({"kind": kind, **extra}).encode(),
        KINDS,
        st.dictionaries(
            st.sampled_from(["id", "name", "agency", "lead", "projects", "rows"]), JSONISH
        ),
    )
)
TYPES = st.sampled_from(["application/json", "application/x-ndjson", "text/csv", "", "text/plain"])


@settings(max_examples=80)
@given(
    endpoint=st.sampled_from([f"{C20}/check", f"{C20}/allocate", "/cycles/lombardia-2014/check"]),
    body=BODIES,
    content_type=TYPES,
)
def test_no_body_gives_a_500(server: Server, endpoint: str, body: bytes, content_type: str) -> None:
    answer = server.post(endpoint, body, content_type)
    assert answer.status in (200, 400, 415, 422), answer.body
    if answer.status != 200:
        error_shape(answer, answer.status)


@settings(max_examples=40)
@given(cycle=st.text(min_size=1, max_size=30), query=st.text(max_size=30))
def test_no_path_or_query_gives_a_500(server: Server, cycle: str, query: str) -> None:
    answer = server.get(f"/cycles/{quote(cycle, safe='')}/allocation?{quote(query, safe='=&')}")
    assert answer.status in (200, 400, 404), answer.body
    assert answer.headers["content-type"] == "application/json"


def test_the_log_has_no_traceback(server: Server) -> None:
    server.post(f"{C20}/check", b"\xff\xfe")
    assert "Traceback" not in server.log.read_text(errors="replace")


def test_check_takes_the_day_of_the_check(server: Server) -> None:
    """``?today=``: the report of ``check --today`` (a date after it is in the future), for one
    document, an array and JSON lines alike; a bad or repeated day is a 400 naming it."""
    document = json.dumps(
        {
            "kind": "project",
            "id": "p",
            "title": "Baby Hub",
            "lead": {"id": "c", "name": "Comune di Sondrio", "kind": "municipality"},
            "service_types": ["A"],
            "submitted_on": "2020-05-01",
        }
    )

    def codes(report: dict[str, Any]) -> list[str]:
        return [f["code"] for f in report["findings"]]

    before = server.post(f"{C20}/check?today=2020-04-30", document).json()
    assert "DATE_IN_FUTURE" in codes(before)
    assert "DATE_IN_FUTURE" not in codes(
        server.post(f"{C20}/check?today=2020-05-01", document).json()
    )
    assert "DATE_IN_FUTURE" not in codes(server.post(f"{C20}/check", document).json())
    [array] = server.post(f"{C20}/check?today=2020-04-30", f"[{document}]").json()
    assert array["findings"] == before["findings"]
    lines = server.post(f"{C20}/check?today=2020-04-30", document + "\n", "application/x-ndjson")
    assert [r["findings"] for r in lines.json()] == [before["findings"]]
    for bad in ("30/04/2020", "2020-02-30", "20200430"):
        data = error_shape(server.post(f"{C20}/check?today={quote(bad)}", document), 400)
        assert data["problems"] == [
            {"path": "today", "message": f"{bad!r} is not a date; write it as YYYY-MM-DD"}
        ]
    data = error_shape(server.post(f"{C20}/check?today=2020-04-30&today=2020-05-01", document), 400)
    assert data["problems"] == [{"path": "today", "message": "given more than once"}]
