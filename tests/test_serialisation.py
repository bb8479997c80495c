"""The strict readers and writers (JSON, TOML, plain data), their limits, and the error types."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliazione_core._documents import Project, document_kind
from conciliazione_core._errors import (
    ConciliazioneError,
    CycleNotFoundError,
    InputError,
    PluginError,
    Problem,
)
from conciliazione_core._formats import _indented_json
from conciliazione_core._money import Money
from conciliazione_core._serialisation import (
    Limits,
    dump_document,
    parse_fraction,
    parse_json,
    parse_toml,
    read_data_file,
    structure,
    to_json,
    to_toml,
    unstructure,
)
from conciliazione_core.testing._models import documents


def only_problem(exc: pytest.ExceptionInfo[InputError]) -> tuple[str, str]:
    [problem] = exc.value.problems
    return problem.path, problem.message


# ---- errors --------------------------------------------------------------------------------------


def test_problem_and_input_error_text() -> None:
    assert str(Problem("$.a", "bad")) == "$.a: bad"
    assert str(Problem("", "bad")) == "bad"
    one = InputError.at("$.a", "bad", "f.json")
    assert str(one) == "f.json: $.a: bad"
    assert isinstance(one, ValueError)
    assert isinstance(one, ConciliazioneError)
    many = InputError([Problem("$.a", "x"), Problem("$.b", "y"), Problem("$.c", "z")])
    assert str(many) == "$.a: x (and 2 more problems)"
    assert many.source is None
    assert str(many.with_source("g.toml")) == "g.toml: $.a: x (and 2 more problems)"
    assert [p.path for p in many.prefixed("$.rows[3]").problems] == [
        "$.rows[3].a",
        "$.rows[3].b",
        "$.rows[3].c",
    ]
    with pytest.raises(ValueError, match="at least one problem"):
        InputError([])


def test_one_line_collapses_whitespace() -> None:
    assert InputError.at("$", "two\nlines\t here").one_line() == "$: two lines here"


def test_cycle_not_found_and_plugin_error() -> None:
    missing = CycleNotFoundError("lombardia-2099", ["b", "a"])
    assert str(missing) == "unknown cycle 'lombardia-2099' (installed cycles: a, b)"
    assert missing.known == ("a", "b")
    assert isinstance(missing, LookupError)
    assert "none installed" in str(CycleNotFoundError("x", []))
    hidden = CycleNotFoundError("x", ["a"], ["zeta", "alpha"])
    assert str(hidden) == (
        "unknown cycle 'x' (installed cycles: a); these plugins failed to load and may provide "
        "it: alpha, zeta (see 'conciliazione cycles')"
    )
    assert hidden.faulty == ("alpha", "zeta")
    broken = PluginError("my_plugin", "failed to import: boom")
    assert str(broken) == "plugin 'my_plugin': failed to import: boom"
    assert (broken.plugin, broken.reason) == ("my_plugin", "failed to import: boom")


# ---- JSON ----------------------------------------------------------------------------------------


def test_parse_json_accepts_bytes_and_text() -> None:
    assert parse_json('{"a": [1, "x", null, true]}') == {"a": [1, "x", None, True]}
    assert parse_json(b'{"a": "\xc3\xa8"}') == {"a": "è"}
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("text", "path"),
    [("kind = 0x" + "f" * 4000, "$.kind"), ("[a]\nb = [1, 0o" + "7" * 5000 + "]", "$.a.b[1]")],
)
def test_parse_toml_refuses_integers_too_long_to_print(text: str, path: str) -> None:
    """TOML's 0x/0o/0b literals escape Python's digit limit; printing one later would crash."""
    with pytest.raises(InputError) as info:
        parse_toml(text, "in.toml")
    assert only_problem(info) == (
        path,
        f"a number is longer than {sys.get_int_max_str_digits():,} digits",
    )
    assert parse_toml("x = 0x" + "f" * 100) == {"x": 16**100 - 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        (" \n", "the file is empty"),
        (
            "{",
            "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2",
        ),
        ('{"a": 1,}', "not valid JSON: "),
        ('{"a": 1, "a": 2}', "duplicate key 'a' in the same object"),
        ('[{"b": {"c": 1, "c": 1}}]', "duplicate key 'c' in the same object"),
        ('{"a": NaN}', "NaN is not a number this library accepts"),
        ("[Infinity]", "Infinity is not a number this library accepts"),
        ("[-Infinity]", "-Infinity is not a number this library accepts"),
        (
            "[" + "9" * 5000 + "]",
            f"a number is longer than {sys.get_int_max_str_digits():,} digits",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than the limit of 64 levels"),
    ],
)
def test_parse_json_refuses(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_json(text, "in.json")
    path, found = only_problem(info)
    assert path == "$"
    assert found.startswith(message)
    assert info.value.source == "in.json"


def test_parse_json_refuses_invalid_utf8() -> None:
    with pytest.raises(InputError) as info:
        parse_json(b'{"a": "\xff\xfe"}')
    assert only_problem(info) == ("$", "not valid UTF-8 text (byte 7: b'\\xff')")


def test_text_with_a_lone_surrogate_is_refused_not_crashed_on() -> None:
    with pytest.raises(InputError) as info:
        parse_json('{"a": "\ud800"}')
    assert [p.path for p in info.value.problems] == ["$.a"]


def test_depth_limit_names_the_deepest_place() -> None:
    data = json.dumps({"a": {"b": [[["x"]]]}})
    with pytest.raises(InputError) as info:
        parse_json(data, limits=Limits(max_depth=4))
    assert only_problem(info) == ("$.a.b[0][0]", "nested deeper than the limit of 4 levels")
    assert parse_json(data, limits=Limits(max_depth=6)) == {"a": {"b": [[["x"]]]}}


def test_size_limit_counts_utf8_bytes() -> None:
    text = '"èèè"'  # 8 bytes, 5 characters
    with pytest.raises(InputError) as info:
        parse_json(text, limits=Limits(max_bytes=7))
    assert only_problem(info) == ("$", "input is 8 bytes, over the limit of 7")
    assert parse_json(text, limits=Limits(max_bytes=8)) == "èèè"


def test_default_limits_admit_a_hundred_thousand_member_network() -> None:
    # Indented JSON of a 100,000-member network is about 22 MB (see bench/bench_core.py).
    assert Limits().max_bytes >= 32 * 1024 * 1024
    assert Limits().max_depth == 64


# ---- TOML ----------------------------------------------------------------------------------------


def test_parse_toml() -> None:
    assert parse_toml('a = 1\nd = 2020-01-01\n[t]\nx = "y"\n') == {
        "a": 1,
        "d": dt.date(2020, 1, 1),
        "t": {"x": "y"},
    }


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("", "the file is empty"),
        ("a = = 1", "not valid TOML: Invalid value (at line 1, column 5)"),
        ("a = 1\na = 2", "not valid TOML: Cannot overwrite a value"),
        ("a = " + "1" * 5000, "a number is longer than"),
        ("a = " + "[" * 100_000 + "]" * 100_000, "nested deeper than the limit of 64 levels"),
        ("a = [" + "{}," * 600_000 + "]", "too many values for its size"),
        ("a = " + "{ b = " * 80 + "1" + " }" * 80, "nested deeper than the limit of 64 levels"),
    ],
)
def test_parse_toml_refuses(text: str, start: str) -> None:
    with pytest.raises(InputError) as info:
        parse_toml(text, "in.toml")
    _, message = only_problem(info)
    assert message.startswith(start)
    assert info.value.source == "in.toml"


def test_to_toml_needs_a_table() -> None:
    with pytest.raises(
        InputError, match=r"^obj: only a model written as a table can be TOML, not Money"
    ):
        to_toml(Money(5))


# ---- data files ----------------------------------------------------------------------------------


def test_read_data_file(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"x": 1}', encoding="utf-8")
    (tmp_path / "b.TOML").write_text("x = 1", encoding="utf-8")
    assert read_data_file(tmp_path / "a.json") == {"x": 1}
    assert read_data_file(str(tmp_path / "b.TOML")) == {"x": 1}
    with pytest.raises(InputError) as info:
        read_data_file(tmp_path / "a.json", Limits(max_bytes=3))
    assert only_problem(info) == ("$", "the file is 8 bytes, over the limit of 3")
    assert info.value.source == str(tmp_path / "a.json")


# ---- structure -----------------------------------------------------------------------------------


@attrs.frozen
class Sample:
    name: str
    count: int
    flag: bool
    share: Fraction
    when: dt.date | None = None
    tags: tuple[str, ...] = ()
    money: Money | None = None
    table: dict[str, int] = attrs.Factory(dict)


def test_structure_strict_scalars() -> None:
    good = {
        "name": "n",
        "count": 2,
        "flag": False,
        "share": "80%",
        "tags": ["a"],
        "table": {"k": 1},
    }
    assert structure(good, Sample) == Sample(
        "n", 2, False, Fraction(4, 5), tags=("a",), table={"k": 1}
    )
    bad = {"name": 1, "count": "2", "flag": 1, "share": 0.8, "tags": "a", "money": 2.5, "x": 0}
    with pytest.raises(InputError) as info:
        structure(bad, Sample, "s.toml", path="$.sample")
    found = {p.path: p.message for p in info.value.problems}
    assert found == {
        "$.sample.name": "expected text, got an integer",
        "$.sample.count": "expected a whole number, got text",
        "$.sample.flag": "expected true or false, got an integer",
        "$.sample.share": '0.8 is a decimal number; write exact numbers as text, e.g. "0.8" or "4/5"',
        "$.sample.tags": "expected a list, got text",
        "$.sample.money": (
            "amount 2.5 is a floating-point number, which cannot hold cents exactly; "
            'write it as a string, e.g. "2.50"'
        ),
        "$.sample.x": (
            "unknown field 'x'; known fields: count, flag, money, name, share, table, tags, when"
        ),
    }
    assert info.value.source == "s.toml"


def test_structure_list_items_and_mapping_values_have_paths() -> None:
    data = {"name": "n", "count": 1, "flag": True, "share": "1", "tags": ["a", 2, None]}
    with pytest.raises(InputError) as info:
        structure(data, Sample)
    assert [p.path for p in info.value.problems] == ["$.tags[1]", "$.tags[2]"]


def test_structure_of_a_non_table() -> None:
    with pytest.raises(InputError) as info:
        structure([1], Sample)
    assert only_problem(info) == ("$", "expected a table/object, got a list")


def test_unstructure_leaves_out_none_and_empty_lists() -> None:
    value = Sample("n", 1, True, Fraction(1, 3), money=Money(150))
    assert unstructure(value) == {
        "name": "n",
        "count": 1,
        "flag": True,
        "share": "1/3",
        "money": "1.50",
        "table": {},
    }


# ---- exact numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.8", Fraction(4, 5)),
        ("4/5", Fraction(4, 5)),
        ("80%", Fraction(4, 5)),
        (" 80 % ", Fraction(4, 5)),
        ("12.5%", Fraction(1, 8)),
        (3, Fraction(3)),
        ("0", Fraction(0)),
        ("8/28", Fraction(2, 7)),
    ],
)
def test_parse_fraction(value: object, expected: Fraction) -> None:
    assert parse_fraction(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.8, "is a decimal number; write exact numbers as text"),
        (True, "is a boolean"),
        ("-1/2", "is negative"),
        (-1, "is negative"),
        ("1/0", "the denominator must be more than zero"),
        ("1" * 31, "at most 30 digits"),
        ("1e-999999999", "is not an exact number"),
        ("eighty", "is not an exact number"),
        ("%", "is not an exact number"),
        (None, "expected a number written as text, got null"),
        ([1], "expected a number written as text, got a list"),
    ],
)
def test_parse_fraction_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fraction(value)


@given(st.fractions(min_value=0, max_value=10**20, max_denominator=10**6))
def test_fraction_text_round_trips(value: Fraction) -> None:
    assert parse_fraction(str(value)) == value


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_parse_json_agrees_with_json_on_valid_input(data: Any) -> None:
    assert parse_json(json.dumps(data, ensure_ascii=False)) == data


# ---- the indented JSON writer --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=25,
)


@given(JSON_VALUES)
def test_indented_json_is_exactly_what_json_writes(data: Any) -> None:
    assert _indented_json(data) == json.dumps(data, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "data",
    [{"a": 1.5}, [float("inf")], {1: "int key"}, {"t": ("a", ("b",))}, {"d": dt.date(2020, 1, 1)}],
    ids=["float", "infinity", "int-key", "tuples", "date"],
)
def test_indented_json_leaves_the_rest_to_json(data: Any) -> None:
    try:
        expected = json.dumps(data, ensure_ascii=False, indent=2)
    except TypeError:
        with pytest.raises(TypeError):
            _indented_json(data)
    else:
        assert _indented_json(data) == expected


@given(documents())
def test_documents_are_written_as_json_would_write_them(document: Any) -> None:
    data = {"kind": document_kind(document), **unstructure(document)}
    assert dump_document(document) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert (
        to_json(document) == json.dumps(unstructure(document), ensure_ascii=False, indent=2) + "\n"
    )


# ---- the garbage collector is paused during bulk work, then left as it was -----------------------


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        document = {
            "kind": "project",
            "id": "p",
            "title": "T",
            "lead": {"id": "a", "name": "A", "kind": "ats"},
        }
        text = json.dumps(document)
        parsed = parse_json(text)
        assert gc.isenabled() is enabled
        model = structure({k: v for k, v in parsed.items() if k != "kind"}, Project)
        assert gc.isenabled() is enabled
        assert json.loads(to_json(model))["id"] == "p"
        assert gc.isenabled() is enabled
        with pytest.raises(InputError):
            parse_json('{"a": 1, "a": 2}')
        with pytest.raises(InputError):
            structure({"id": 5}, Project)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
