"""Reading and writing the library's models as JSON and TOML (cattrs).

Strict by design: unknown fields, wrong types, floats where money is expected, text where a number
is expected, NaN, duplicate keys and over-deep or over-large inputs are refused with an
:class:`~conciliazione_core.errors.InputError` that lists every bad place with its path
(``$.projects[1].lead.kind``). Nothing is coerced silently: ``"5"`` is not an int and ``5`` is not
text. Money is written as a decimal string with two decimals, dates as ISO strings.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import tomllib
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
import tomli_w
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from conciliazione_core.documents import DOCUMENT_KINDS, Document, document_kind
from conciliazione_core.errors import InputError, Problem
from conciliazione_core.identity import check_unique_ids
from conciliazione_core.money import Money

__all__ = [
    "Limits",
    "dump_document",
    "from_json",
    "from_toml",
    "load_document",
    "parse_document",
    "parse_fraction",
    "parse_json",
    "parse_toml",
    "read_data_file",
    "structure",
    "to_json",
    "to_toml",
    "unstructure",
]

T = TypeVar("T")


@attrs.frozen
class Limits:
    """How large and how deep an input may be; beyond these it is refused before parsing."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 64


DEFAULT_LIMITS = Limits()


class _Refused(ValueError):
    """A value that a strict hook refuses; its message becomes a Problem at the field's path."""


def _kind_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a decimal number",
        str: "text",
        list: "a list",
        dict: "a table/object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _strict_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _Refused(f"expected text, got {_kind_name(value)}")
    return value


def _strict_int(value: object, _: type) -> int:
    if type(value) is not int:
        raise _Refused(f"expected a whole number, got {_kind_name(value)}")
    return value


def _strict_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Refused(f"expected true or false, got {_kind_name(value)}")
    return value


def _date(value: object, _: type) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _Refused("expected a date (YYYY-MM-DD), got a date with a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Refused(f"{value!r} is not a date; write it as YYYY-MM-DD") from None
    raise _Refused(f"expected a date (YYYY-MM-DD), got {_kind_name(value)}")


def _money(value: object, _: type) -> Money:
    try:
        return Money.parse(value)
    except InputError as exc:
        raise _Refused(exc.problems[0].message) from None


def parse_fraction(value: object) -> Fraction:
    """An exact non-negative number from an int or text: ``"0.8"``, ``"4/5"``, ``"80%"``.

    Floats are refused because ``0.1`` is not one tenth in binary.
    """
    if isinstance(value, bool | float):
        raise _Refused(
            f'{value!r} is {_kind_name(value)}; write exact numbers as text, e.g. "0.8" or "4/5"'
        )
    if isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, str):
        text = value.strip()
        scale = Fraction(1)
        if text.endswith("%"):
            text, scale = text[:-1].strip(), Fraction(1, 100)
        try:
            result = Fraction(text) * scale
        except (ValueError, ZeroDivisionError):
            raise _Refused(f'{value!r} is not an exact number like "0.8", "4/5" or "80%"') from None
    else:
        raise _Refused(f"expected a number written as text, got {_kind_name(value)}")
    if result < 0:
        raise _Refused(f"{value!r} is negative")
    return result


def _fraction(value: object, _: type) -> Fraction:
    return parse_fraction(value)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    allowed = [str(m.value) for m in cls]

    def hook(value: object, _: type) -> enum.Enum:
        try:
            return cls(value)
        except ValueError:
            raise _Refused(
                f"{value!r} is not a valid {cls.__name__}; expected one of: {', '.join(allowed)}"
            ) from None

    return hook


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(Money, _money)
    conv.register_structure_hook(Fraction, _fraction)
    conv.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _enum_hook
    )

    def tuple_factory(tp: Any) -> Callable[[object, Any], tuple[Any, ...]]:
        item = get_args(tp)[0]
        handler = conv.get_structure_hook(item)

        def hook(value: object, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, (list, tuple)):
                raise _Refused(f"expected a list, got {_kind_name(value)}")
            out, errors = [], []
            for i, v in enumerate(value):
                try:
                    out.append(handler(v, item))
                except Exception as exc:  # collected with their index, like cattrs does
                    exc.__notes__ = [*getattr(exc, "__notes__", []), f"@index {i}"]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return tuple(out)

        return hook

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_factory)

    def mapping_guard(cls: type) -> Callable[[object, type], Any]:
        inner: Callable[[Any, Any], Any] = cattrs.gen.make_dict_structure_fn(
            cls, conv, _cattrs_forbid_extra_keys=True
        )

        def hook(value: object, tp: type) -> Any:
            if not isinstance(value, Mapping):
                raise _Refused(f"expected a table/object, got {_kind_name(value)}")
            return inner(value, tp)

        return hook

    conv.register_structure_hook_factory(attrs.has, mapping_guard)

    conv.register_unstructure_hook(Money, str)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(Fraction, str)

    def omit_none(cls: type) -> Callable[[Any], dict[str, Any]]:
        inner: Callable[[Any], dict[str, Any]] = cattrs.gen.make_dict_unstructure_fn(cls, conv)

        def hook(obj: Any) -> dict[str, Any]:
            return {k: v for k, v in inner(obj).items() if v is not None and v != []}

        return hook

    conv.register_unstructure_hook_factory(attrs.has, omit_none)
    return conv


_converter = _make_converter()


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten a cattrs exception tree into problems with JSON-path-like locations."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[Problem] = []
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", []):
                text = str(note)
                if text.startswith("Structuring class ") and "@ attribute " in text:
                    sub_path = f"{path}.{text.rsplit('@ attribute ', 1)[1]}"
                elif text.startswith("@index "):
                    sub_path = f"{path}[{text.removeprefix('@index ')}]"
                elif text.startswith("Structuring ") and "@ index " in text:
                    sub_path = f"{path}[{text.rsplit('@ index ', 1)[1]}]"
            out.extend(_problems(sub, sub_path))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        known = sorted(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else []
        return [
            Problem(
                f"{path}.{key}",
                f"unknown field {key!r}" + (f"; known fields: {', '.join(known)}" if known else ""),
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, KeyError):
        return [Problem(path, "required field is missing")]
    if isinstance(exc, InputError):
        return [Problem(path + p.path.removeprefix("$"), p.message) for p in exc.problems]
    if isinstance(exc, _Refused | TypeError | ValueError):
        return [Problem(path, str(exc))]
    raise exc


def structure(data: object, cls: type[T], source: str | None = None, path: str = "$") -> T:
    """Build a model of type ``cls`` from plain data, or raise :class:`InputError`."""
    try:
        return _converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = _problems(exc, path)
        raise InputError(problems or [Problem(path, str(exc))], source) from None
    except (_Refused, InputError, TypeError, ValueError, KeyError) as exc:
        raise InputError(_problems(exc, path), source) from None


def unstructure(obj: object) -> Any:
    """Plain data (dicts, lists, strings, ints) for a model; ``None`` fields are left out."""
    return _converter.unstructure(obj)


# ---- text formats -------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number this library accepts")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"duplicate key {key!r} in the same object")
        result[key] = value
    return result


def _depth_problem(data: object, limit: int) -> str | None:
    stack: list[tuple[object, int, str]] = [(data, 1, "$")]
    while stack:
        value, depth, path = stack.pop()
        if depth > limit:
            return path
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{path}.{k}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(value))
    return None


def _decode(raw: bytes | str, source: str | None, limits: Limits) -> str:
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > limits.max_bytes:
        raise InputError.at(
            "$", f"input is {size:,} bytes, over the limit of {limits.max_bytes:,}", source
        )
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            "$",
            f"not valid UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})",
            source,
        ) from None


def _check_depth(data: object, source: str | None, limits: Limits) -> None:
    deep = _depth_problem(data, limits.max_depth)
    if deep is not None:
        raise InputError.at(
            deep, f"nested deeper than the limit of {limits.max_depth} levels", source
        )


def parse_json(raw: bytes | str, source: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse JSON text strictly (no NaN, no duplicate keys) within ``limits``."""
    text = _decode(raw, source, limits)
    if not text.strip():
        raise InputError.at("$", "the file is empty", source)
    try:
        data = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as exc:
        raise InputError.at(
            "$", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source
        ) from None
    except _Refused as exc:
        raise InputError.at("$", str(exc), source) from None
    except RecursionError:
        raise InputError.at(
            "$", f"nested deeper than the limit of {limits.max_depth} levels", source
        ) from None
    _check_depth(data, source, limits)
    return data


def parse_toml(raw: bytes | str, source: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse TOML text strictly within ``limits`` (TOML itself forbids duplicate keys)."""
    text = _decode(raw, source, limits)
    if not text.strip():
        raise InputError.at("$", "the file is empty", source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError.at("$", f"not valid TOML: {exc}", source) from None
    except RecursionError:
        raise InputError.at(
            "$", f"nested deeper than the limit of {limits.max_depth} levels", source
        ) from None
    _check_depth(data, source, limits)
    return data


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".toml":
        return "toml"
    raise InputError.at(
        "$", f"unknown file type {suffix or '(none)'!r}; use .json or .toml", str(path)
    )


def read_data_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Plain data from a ``.json`` or ``.toml`` file, with file errors as :class:`InputError`."""
    path = Path(path)
    fmt = _format_of(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputError.at(
                "$", f"file is {size:,} bytes, over the limit of {limits.max_bytes:,}", str(path)
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.at("$", "no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError.at("$", "is a directory, not a file", str(path)) from None
    except PermissionError:
        raise InputError.at("$", "permission denied", str(path)) from None
    return (
        parse_json(raw, str(path), limits) if fmt == "json" else parse_toml(raw, str(path), limits)
    )


def from_json(text: bytes | str, cls: type[T], source: str | None = None) -> T:
    """A model from JSON text."""
    return structure(parse_json(text, source), cls, source)


def from_toml(text: bytes | str, cls: type[T], source: str | None = None) -> T:
    """A model from TOML text."""
    return structure(parse_toml(text, source), cls, source)


def to_json(obj: object) -> str:
    """JSON text for a model: stable key order, money as two-decimal strings."""
    return json.dumps(unstructure(obj), ensure_ascii=False, indent=2) + "\n"


def to_toml(obj: object) -> str:
    """TOML text for a model."""
    data = unstructure(obj)
    if not isinstance(data, dict):
        raise TypeError("only tables can be written as TOML")
    return tomli_w.dumps(data)


# ---- documents ----------------------------------------------------------------------------------


def parse_document(data: object, source: str | None = None) -> Document:
    """A document from plain data carrying a ``kind`` tag (``"territorial_plan"``, ...)."""
    if not isinstance(data, Mapping):
        raise InputError.at("$", f"expected a table/object, got {_kind_name(data)}", source)
    kind = data.get("kind")
    if kind is None:
        raise InputError.at(
            "$.kind", f"required field is missing; one of: {', '.join(DOCUMENT_KINDS)}", source
        )
    if kind not in DOCUMENT_KINDS:
        raise InputError.at(
            "$.kind",
            f"{kind!r} is not a document kind; expected one of: {', '.join(DOCUMENT_KINDS)}",
            source,
        )
    body = {k: v for k, v in data.items() if k != "kind"}
    document: Document = structure(body, DOCUMENT_KINDS[kind], source)
    check_unique_ids(document, source)
    return document


def load_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """A document from a ``.json`` or ``.toml`` file."""
    return parse_document(read_data_file(path, limits), str(path))


def dump_document(document: Document, fmt: str = "json") -> str:
    """A document as JSON or TOML text, with its ``kind`` tag first."""
    data = {"kind": document_kind(document), **unstructure(document)}
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "toml":
        return tomli_w.dumps(data)
    raise ValueError(f"unknown format {fmt!r}; use json or toml")
