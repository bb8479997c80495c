"""Fuzzing the document loaders: parse_json, parse_toml, parse_document, load_document.

Inputs come from scratch (random bytes, random trees with the documents' own field names) and
from the shipped example documents, mutated structurally (fields deleted, types swapped, values
replaced, ids duplicated, values nested deep) and byte by byte (flips, insertions, truncation,
duplicated chunks, invalid UTF-8). A document that loads must survive a round trip unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conciliazione_core._documents import DOCUMENT_KINDS, Document
from conciliazione_core._errors import InputError
from conciliazione_core._money import Money
from conciliazione_core._serialisation import (
    Limits,
    dump_document,
    load_document,
    parse_document,
    parse_json,
    parse_toml,
)

from ._support import (
    SUSPICIOUS_KEYS,
    byte_mutated,
    document_seeds,
    fuzz_settings,
    mutated_tree,
    nasty_values,
    plain_data,
    refused_or,
    to_json_bytes,
    to_toml_bytes,
)


def _field_names() -> list[str]:
    names: set[str] = set()
    pending: list[type] = list(DOCUMENT_KINDS.values())
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen or not attrs.has(cls):
            continue
        seen.add(cls)
        for field in attrs.fields(cls):
            names.add(field.name)
    return sorted(names)


FIELD_NAMES = _field_names()


def assert_round_trip(document: Document) -> None:
    """What loaded is what gets written and read back: nothing silently changes."""
    for fmt, parse in (("json", parse_json), ("toml", parse_toml)):
        text = dump_document(document, fmt)
        assert parse_document(parse(text)) == document, fmt


def load_bytes(raw: bytes, fmt: str) -> Document | None:
    """Parse raw bytes as ``fmt`` and then as a document; None if refused (with a located error)."""
    parse = parse_json if fmt == "json" else parse_toml
    data = refused_or(lambda: parse(raw, "fuzz." + fmt))
    if data is None:
        return None
    document = refused_or(lambda: parse_document(data, "fuzz." + fmt))
    if document is not None:
        assert_round_trip(document)
    return document


# ---- from scratch ------------------------------------------------------------------------------


@fuzz_settings(30000)
@given(raw=st.binary(max_size=400), fmt=st.sampled_from(["json", "toml"]))
@example(raw=b"", fmt="json")
@example(raw=b"\xef\xbb\xbf", fmt="toml")
@example(raw=b"[" * 100_000, fmt="json")
@example(raw=b"a=" + b"[" * 100_000, fmt="toml")
@example(raw=b"9" * 5000, fmt="json")
@example(raw=b"a=0x" + b"f" * 5000, fmt="toml")
@example(raw=b'{"kind": "project", "kind": "network"}', fmt="json")
@example(raw=b"\xff\xfe{}", fmt="json")
def test_random_bytes(raw: bytes, fmt: str) -> None:
    load_bytes(raw, fmt)


def _trees() -> st.SearchStrategy[Any]:
    keys = st.sampled_from(FIELD_NAMES) | st.sampled_from(SUSPICIOUS_KEYS)
    return st.recursive(
        nasty_values(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=25,
    )


@fuzz_settings(5000)
@given(
    kind=st.sampled_from([*DOCUMENT_KINDS, "", "Network", "__class__"]) | st.text(max_size=5),
    body=st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), _trees(), max_size=8),
)
def test_random_documents(kind: str, body: dict[str, Any]) -> None:
    data = {"kind": kind, **body}
    json_doc = load_bytes(to_json_bytes(data), "json")
    toml = to_toml_bytes(data)
    if toml is not None:
        toml_doc = load_bytes(toml, "toml")
        if json_doc is not None and toml_doc is not None:
            assert json_doc == toml_doc


@fuzz_settings(10000)
@given(data=_trees())
def test_parse_document_on_any_plain_data(data: Any) -> None:
    document = refused_or(lambda: parse_document(data))
    if document is not None:
        assert_round_trip(document)


# ---- mutated seeds -------------------------------------------------------------------------------


@fuzz_settings(20000)
@given(data=st.data(), fmt=st.sampled_from(["json", "toml"]))
def test_mutated_example_documents(data: st.DataObject, fmt: str) -> None:
    name, raw = data.draw(st.sampled_from(document_seeds()), label="seed")
    tree = data.draw(mutated_tree(plain_data(name, raw)), label="mutated")
    text = to_json_bytes(tree) if fmt == "json" else to_toml_bytes(tree)
    if text is not None:
        load_bytes(text, fmt)


@fuzz_settings(30000)
@given(data=st.data())
def test_byte_mutated_example_documents(data: st.DataObject) -> None:
    name, raw = data.draw(st.sampled_from(document_seeds()), label="seed")
    mutated = data.draw(byte_mutated(raw), label="bytes")
    load_bytes(mutated, "json" if name.endswith(".json") else "toml")


def test_every_example_document_loads_and_round_trips() -> None:
    """The seeds themselves are valid: the mutations start from real documents."""
    for name, raw in document_seeds():
        document = load_bytes(raw, "json" if name.endswith(".json") else "toml")
        assert document is not None, name


# ---- files and limits ---------------------------------------------------------------------------


@fuzz_settings(5000)
@given(
    data=st.data(),
    suffix=st.sampled_from([".json", ".toml", ".JSON", ".txt", ""]),
    max_bytes=st.integers(0, 5000),
    max_depth=st.integers(1, 8),
)
def test_load_document_within_limits(
    data: st.DataObject, suffix: str, max_bytes: int, max_depth: int, tmp_path: Path
) -> None:
    _name, raw = data.draw(st.sampled_from(document_seeds()), label="seed")
    if data.draw(st.booleans(), label="mutate"):
        raw = data.draw(byte_mutated(raw), label="bytes")
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(raw)
    limits = Limits(max_bytes=max_bytes, max_depth=max_depth)
    refused: list[InputError] = []
    document = refused_or(lambda: load_document(path, limits), refused)
    if refused:
        assert refused[0].source == str(path)
    else:
        assert len(raw) <= max_bytes
        assert document is not None


def test_limits_refuse_with_a_clear_error(tmp_path: Path) -> None:
    name, raw = document_seeds()[0]
    path = tmp_path / name
    path.write_bytes(raw)
    with pytest.raises(InputError) as too_big:
        load_document(path, Limits(max_bytes=10))
    assert "over the limit of 10" in too_big.value.problems[0].message
    assert too_big.value.problems[0].path == "$"
    with pytest.raises(InputError) as too_deep:
        load_document(path, Limits(max_depth=2))
    assert "nested deeper than the limit of 2 levels" in too_deep.value.problems[0].message
    assert too_deep.value.problems[0].path.startswith("$.")


# ---- money: exact or refused, never rounded --------------------------------------------------------

_PLAIN_AMOUNT = re.compile(r"(-?)([0-9]*)(?:\.([0-9]*))?")


def _exact_cents(text: str) -> int | None:
    """The amount in cents by string arithmetic alone; None if it is not a plain amount, has a
    digit past the cents (even a zero: "12.340") or is negative ("-0" is zero)."""
    match = _PLAIN_AMOUNT.fullmatch(text.strip())
    if match is None or not (match.group(2) or match.group(3)):
        return None
    sign, whole, frac = match.group(1), match.group(2) or "0", match.group(3) or ""
    if frac[2:]:
        return None
    cents = int(whole) * 100 + int((frac + "00")[:2])
    return None if sign and cents else cents


@fuzz_settings(10000)
@given(
    text=st.text(alphabet="0123456789._- +eE", max_size=40)
    | st.decimals(allow_nan=True).map(str)
    | st.sampled_from(
        ["1234567890123456789012345678.91", "0.1" + "0" * 50, "1e-999999999", "1e999999999"]
    )
)
@example(text="1234567890123456789012345678.91")
@example(text="1e-999999999")
@example(text="+0")
@example(text="-0")
def test_money_is_exact_or_refused(text: str) -> None:
    """An amount is read to the exact cent or refused, never rounded: the oracle is string
    arithmetic, not Decimal (whose 28-digit context rounds)."""
    expected = _exact_cents(text)
    refused: list[InputError] = []
    money = refused_or(lambda: Money.parse(text, "$.amount"), refused)
    if money is None:
        message = refused[0].problems[0].message
        assert expected is None or any(w in message for w in ("large", "long", "digits")), (
            text,
            message,
        )
        return
    assert expected is not None, f"{text!r} accepted as {money}"
    assert money.cents == expected, (text, money.cents, expected)
