"""Reading and writing the library's models as JSON and TOML (cattrs).

Strict by design: unknown fields, wrong types, floats where money is expected, text where a number
is expected, NaN, duplicate keys and over-deep or over-large inputs are refused with an
:class:`~conciliazione_core.errors.InputError` that lists every bad place with its path
(``$.projects[1].lead.kind``). Nothing is coerced silently: ``"5"`` is not an int and ``5`` is not
text. Money is written as a decimal string with two decimals, dates as ISO strings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import gc
import json
import operator
import re
import sys
import tomllib
import types
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from importlib.resources.abc import Traversable
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from conciliazione_core.documents import DOCUMENT_KINDS, Document, document_kind
from conciliazione_core.errors import InputError, Problem
from conciliazione_core.i18n import N_, _
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
    "read_file",
    "structure",
    "to_json",
    "to_toml",
    "unstructure",
]

T = TypeVar("T")


@attrs.frozen
class Limits:
    """How large and how deep an input may be; beyond these it is refused before parsing."""

    max_bytes: int = 64 * 1024 * 1024
    """A 100,000-member network is about 22 MB of indented JSON; 64 MiB leaves room for it."""
    max_depth: int = 64


DEFAULT_LIMITS = Limits()


class _Refused(ValueError):
    """A value that a strict hook refuses; its message becomes a Problem at the field's path."""


_KIND_NAMES = {
    bool: N_("a boolean"),
    int: N_("an integer"),
    float: N_("a decimal number"),
    str: N_("text"),
    list: N_("a list"),
    dict: N_("a table/object"),
    type(None): "null",
}


def _kind_name(value: object) -> str:
    name = _KIND_NAMES.get(type(value))
    return type(value).__name__ if name is None else _(name)


def _strict_str(value: object, _tp: type) -> str:
    if not isinstance(value, str):
        raise _Refused(_("expected text, got {kind}").format(kind=_kind_name(value)))
    return value


def _strict_int(value: object, _tp: type) -> int:
    if type(value) is not int:
        raise _Refused(_("expected a whole number, got {kind}").format(kind=_kind_name(value)))
    return value


def _strict_bool(value: object, _tp: type) -> bool:
    if not isinstance(value, bool):
        raise _Refused(_("expected true or false, got {kind}").format(kind=_kind_name(value)))
    return value


def _date(value: object, _tp: type) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _Refused(_("expected a date (YYYY-MM-DD), got a date with a time"))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Refused(
                _("{value!r} is not a date; write it as YYYY-MM-DD").format(value=value)
            ) from None
    raise _Refused(_("expected a date (YYYY-MM-DD), got {kind}").format(kind=_kind_name(value)))


def _money(value: object, _tp: type) -> Money:
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
            _('{value!r} is {kind}; write exact numbers as text, e.g. "0.8" or "4/5"').format(
                value=value, kind=_kind_name(value)
            )
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
            raise _Refused(
                _('{value!r} is not an exact number like "0.8", "4/5" or "80%"').format(value=value)
            ) from None
    else:
        raise _Refused(
            _("expected a number written as text, got {kind}").format(kind=_kind_name(value))
        )
    if result < 0:
        raise _Refused(_("{value!r} is negative").format(value=value))
    return result


def _fraction(value: object, _tp: type) -> Fraction:
    return parse_fraction(value)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    allowed = [str(m.value) for m in cls]
    members = {m.value: m for m in cls}  # what cls(value) looks up, without its overhead

    def hook(value: object, _tp: type) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):
            raise _Refused(
                _("{value!r} is not a valid {name}; expected one of: {allowed}").format(
                    value=value, name=cls.__name__, allowed=", ".join(allowed)
                )
            ) from None

    return hook


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_optional(tp: Any) -> bool:
    args = get_args(tp)
    return (
        get_origin(tp) in (Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
        and args[0] is not args[1]
    )


def _make_converter(detailed: bool) -> cattrs.Converter:
    """The strict converter; ``detailed`` collects every problem with its path (slower)."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
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

        def hook(value: object, _tp: Any) -> tuple[Any, ...]:
            if not isinstance(value, (list, tuple)):
                raise _Refused(_("expected a list, got {kind}").format(kind=_kind_name(value)))
            if not detailed:  # the first error is enough: the detailed pass will list them all
                return tuple([handler(v, item) for v in value])
            out, errors = [], []
            for i, v in enumerate(value):
                try:
                    out.append(handler(v, item))
                except Exception as exc:  # collected with their index, like cattrs does
                    note = IterableValidationNote(f"Structuring {tp!r} @ index {i}", i, item)
                    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return tuple(out)

        return hook

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_factory)

    def optional_factory(tp: Any) -> Callable[[object, Any], Any]:
        (item,) = (a for a in get_args(tp) if a is not type(None))
        handler = conv.get_structure_hook(item)

        def hook(value: object, _tp: Any) -> Any:
            return None if value is None else handler(value, item)

        return hook

    conv.register_structure_hook_factory(_is_optional, optional_factory)

    def dict_factory(tp: Any) -> Callable[[object, Any], Any]:
        # cattrs' own mapping hook calls .items() on whatever it gets: text gave AttributeError.
        inner: Callable[[Any, Any], Any] = cattrs.gen.make_mapping_structure_fn(tp, conv)

        def hook(value: object, _tp: Any) -> Any:
            if not isinstance(value, Mapping):
                raise _Refused(
                    _("expected a table/object, got {kind}").format(kind=_kind_name(value))
                )
            return inner(value, tp)

        return hook

    def is_dict(tp: Any) -> bool:
        return get_origin(tp) is dict

    conv.register_structure_hook_factory(is_dict, dict_factory)

    def mapping_guard(cls: type) -> Callable[[object, type], Any]:
        transient = {
            a.name: cattrs.gen.override(omit=True)
            for a in attrs.fields(cls)
            if a.metadata.get("transient")
        }
        make_structure: Any = cattrs.gen.make_dict_structure_fn
        inner: Callable[[Any, Any], Any] = make_structure(
            cls, conv, _cattrs_forbid_extra_keys=True, **transient
        )

        rendered: tuple[str, ...] = getattr(cls, "__rendered__", ())

        def hook(value: object, tp: type) -> Any:
            if type(value) is not dict and not isinstance(value, Mapping):
                raise _Refused(
                    _("expected a table/object, got {kind}").format(kind=_kind_name(value))
                )
            if rendered:  # written for people (a finding's message), rebuilt when read
                value = {k: v for k, v in value.items() if k not in rendered}
            return inner(value, tp)

        return hook

    conv.register_structure_hook_factory(attrs.has, mapping_guard)

    conv.register_unstructure_hook(Money, str)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(Fraction, str)

    conv.register_unstructure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum),
        lambda _: operator.attrgetter("_value_"),  # what .value returns, without its descriptor
    )

    def unstructure_optional(tp: Any) -> Callable[[Any], Any]:
        (item,) = (a for a in get_args(tp) if a is not type(None))
        handler = conv.get_unstructure_hook(item)
        return lambda value: None if value is None else handler(value)

    conv.register_unstructure_hook_factory(_is_optional, unstructure_optional)

    def omit_unknowns(cls: type) -> Callable[[Any], dict[str, Any]]:
        # Leave out a field still at its default of None (unknown) or () (nothing listed); write
        # every other field, including a default computed from the instance (a body's nature).
        keep = cattrs.gen.override(omit_if_default=False)
        overrides = {
            a.name: keep for a in attrs.fields(cls) if not (a.default is None or a.default == ())
        }
        # A field marked transient (a finding's definition) is not data; a rendered property
        # (a finding's message) is written as text in the current language.
        overrides |= {
            a.name: cattrs.gen.override(omit=True)
            for a in attrs.fields(cls)
            if a.metadata.get("transient")
        }
        make: Any = cattrs.gen.make_dict_unstructure_fn
        fn: Callable[[Any], dict[str, Any]] = make(
            cls, conv, _cattrs_omit_if_default=True, **overrides
        )
        rendered: tuple[str, ...] = getattr(cls, "__rendered__", ())
        if not rendered:
            return fn

        def with_rendered(value: Any) -> dict[str, Any]:
            return {**fn(value), **{name: getattr(value, name) for name in rendered}}

        return with_rendered

    conv.register_unstructure_hook_factory(attrs.has, omit_unknowns)
    return conv


_converter = _make_converter(detailed=False)
"""Structures valid input fast; on any failure :func:`structure` asks the detailed one why."""

_detailed: list[cattrs.Converter] = []


def _detailed_converter() -> cattrs.Converter:
    """The converter that collects every problem with its path, built on the first bad input."""
    if not _detailed:
        _detailed.append(_make_converter(detailed=True))
    return _detailed[0]


def _note_path(path: str, exc: BaseException) -> str:
    """Where a sub-error of a cattrs exception group lies, from its structured validation note.

    cattrs attaches an :class:`AttributeValidationNote` (a field's name) or an
    :class:`IterableValidationNote` (a list index, or a mapping key) to each sub-error; the path
    is built from their attributes, never from their English text.
    """
    for note in reversed(getattr(exc, "__notes__", [])):
        if isinstance(note, AttributeValidationNote):
            return f"{path}.{note.name}"
        if isinstance(note, IterableValidationNote):
            index = note.index
            return f"{path}[{index}]" if isinstance(index, int) else f"{path}.{index}"
    return path


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten a cattrs exception tree into problems with JSON-path-like locations."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[Problem] = []
        for sub in exc.exceptions:
            out.extend(_problems(sub, _note_path(path, sub)))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        known = sorted(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else []
        return [
            Problem(
                f"{path}.{key}",
                (
                    _("unknown field {key!r}; known fields: {known}").format(
                        key=key, known=", ".join(known)
                    )
                    if known
                    else _("unknown field {key!r}").format(key=key)
                ),
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, KeyError):
        return [Problem(path, _("required field is missing"))]
    if isinstance(exc, InputError):
        return [Problem(path + p.path.removeprefix("$"), p.message) for p in exc.problems]
    if isinstance(exc, _Refused | TypeError | ValueError):
        return [Problem(path, str(exc))]
    raise exc


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while many objects are made at once.

    Reading, writing and structuring make no reference cycles, yet the hundreds of thousands of
    objects of a large document trigger collections that walk every live object again and again:
    a third of the time of a 100,000-member round trip. Left as it was if already paused.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def structure(data: object, cls: type[T], source: str | None = None, path: str = "$") -> T:
    """Build a model of type ``cls`` from plain data, or raise :class:`InputError`."""
    try:
        with _bulk():
            return _converter.structure(data, cls)
    except Exception:  # the detailed pass below raises, with every problem and its path
        pass
    try:
        return _detailed_converter().structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = _problems(exc, path)
        raise InputError(problems or [Problem(path, str(exc))], source) from None
    except (_Refused, InputError, TypeError, ValueError, KeyError) as exc:
        raise InputError(_problems(exc, path), source) from None


def unstructure(obj: object) -> Any:
    """Plain data (dicts, lists, strings, ints) for a model; ``None`` fields are left out."""
    with _bulk():
        return _converter.unstructure(obj)


# ---- text formats -------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise _Refused(_("{name} is not a number this library accepts").format(name=name))


_CONTAINERS = (dict, list)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a shorter dict means a key came twice
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused(_("duplicate key {key!r} in the same object").format(key=key))
            seen.add(key)
    return result


def _deeper_than(data: object, limit: int) -> bool:
    """Whether any value sits below ``limit`` levels (the root is level 1); no paths built."""
    if limit < 1:
        return True
    level: list[Any] = [data] if isinstance(data, _CONTAINERS) else []
    depth = 1
    while level:
        if depth >= limit:
            return any(level)  # a non-empty container at the limit has values below it
        below: list[Any] = []
        for value in level:
            items = value.values() if isinstance(value, dict) else value
            below += [v for v in items if isinstance(v, _CONTAINERS)]
        level = below
        depth += 1
    return False


def _depth_problem(data: object, limit: int) -> str | None:
    """The path of the first value found below ``limit`` levels (only called when there is one)."""
    if not _deeper_than(data, limit):
        return None
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
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > limits.max_bytes:
        raise InputError.at(
            "$",
            _("input is {size:,} bytes, over the limit of {limit:,}").format(
                size=size, limit=limits.max_bytes
            ),
            source,
        )
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            "$",
            _("not valid UTF-8 text (byte {start}: {byte!r})").format(
                start=exc.start, byte=raw[exc.start : exc.start + 1]
            ),
            source,
        ) from None


def _too_long_number() -> str:
    return _("a number is longer than {digits:,} digits").format(
        digits=sys.get_int_max_str_digits()
    )


def huge_integer_path(data: object, root: str = "$") -> str | None:
    """The path of the first integer too long to write in decimal, or None.

    Python refuses to parse a decimal integer over ``sys.get_int_max_str_digits()`` digits, but
    TOML's ``0x``/``0o``/``0b`` literals have no such limit, and such an integer then breaks the
    first message that prints it.
    """
    digits = sys.get_int_max_str_digits()
    if not digits:
        return None
    too_big = 10**digits
    stack: list[tuple[object, str]] = [(data, root)]
    while stack:
        value, path = stack.pop()
        if type(value) is int and abs(value) >= too_big:
            return path
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
    return None


def _check_depth(data: object, source: str | None, limits: Limits) -> None:
    deep = _depth_problem(data, limits.max_depth)
    if deep is not None:
        raise InputError.at(
            deep,
            _("nested deeper than the limit of {depth} levels").format(depth=limits.max_depth),
            source,
        )


def parse_json(
    raw: bytes | str,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """Parse JSON text strictly (no NaN, no duplicate keys) within ``limits``.

    ``parse_float`` turns numbers with a fraction or an exponent into something else than a
    Python float, e.g. a ``str`` subclass that keeps them as written so a caller can refuse them
    by their path with the text the user wrote.
    """
    text = _decode(raw, source, limits)
    if not text.strip():
        raise InputError.at("$", _("the file is empty"), source)
    try:
        with _bulk():
            data = json.loads(
                text,
                object_pairs_hook=_no_duplicate_keys,
                parse_constant=_refuse_constant,
                parse_float=parse_float,
            )
    except json.JSONDecodeError as exc:
        raise InputError.at(
            "$",
            _("not valid JSON: {reason} at line {line}, column {column}").format(
                reason=exc.msg, line=exc.lineno, column=exc.colno
            ),
            source,
        ) from None
    except _Refused as exc:
        raise InputError.at("$", str(exc), source) from None
    except ValueError:  # an integer too long to convert (sys.get_int_max_str_digits)
        raise InputError.at("$", _too_long_number(), source) from None
    except RecursionError:
        raise InputError.at(
            "$",
            _("nested deeper than the limit of {depth} levels").format(depth=limits.max_depth),
            source,
        ) from None
    _check_depth(data, source, limits)
    # Decoded bytes hold no raw surrogates, so only a \u escape can make one: a quick test first
    # spares the regular expression a scan of every large file.
    if (isinstance(raw, str) or "\\u" in text) and _SURROGATE_HINT.search(text):
        lone = _surrogate_problem(data)
        if lone is not None:
            raise InputError.at(
                lone,
                _("text with a lone surrogate (a \\ud800-\\udfff escape), not a character"),
                source,
            )
    return data


_SURROGATE_HINT = re.compile(r"\\u[dD][89abcdefABCDEF]|[\ud800-\udfff]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _surrogate_problem(data: object) -> str | None:
    """The path of a string or key holding a lone surrogate: it cannot be printed or saved."""
    stack: list[tuple[object, str]] = [(data, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return path
        elif isinstance(value, dict):
            for k, v in value.items():
                shown = k.encode("utf-8", "backslashreplace").decode("utf-8")
                if _LONE_SURROGATE.search(k):
                    return f"{path}.{shown}"
                stack.append((v, f"{path}.{shown}"))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
    return None


def parse_toml(raw: bytes | str, source: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse TOML text strictly within ``limits`` (TOML itself forbids duplicate keys)."""
    text = _decode(raw, source, limits)
    if not text.strip():
        raise InputError.at("$", _("the file is empty"), source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError.at("$", _("not valid TOML: {reason}").format(reason=exc), source) from None
    except ValueError:  # an integer too long to convert (sys.get_int_max_str_digits)
        raise InputError.at("$", _too_long_number(), source) from None
    except RecursionError:
        raise InputError.at(
            "$",
            _("nested deeper than the limit of {depth} levels").format(depth=limits.max_depth),
            source,
        ) from None
    _check_depth(data, source, limits)
    huge = huge_integer_path(data)
    if huge is not None:
        raise InputError.at(huge, _too_long_number(), source)
    return data


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".toml":
        return "toml"
    raise InputError.at(
        "$",
        _("unknown file type {suffix!r}; use .json or .toml").format(suffix=suffix or "(none)"),
        str(path),
    )


def read_file(
    ref: Path | Traversable,
    limits: Limits = DEFAULT_LIMITS,
    missing: str = N_("no such file"),
    directory: str = N_("is a directory, not a file"),
) -> bytes:
    """A file's bytes, refusing one over ``limits.max_bytes`` before reading it (when on disk).

    File-system failures become :class:`InputError` naming the file; ``missing`` and
    ``directory`` are the messages for a missing file and a folder.
    """
    try:
        if isinstance(ref, Path) and ref.is_file():
            size = ref.stat().st_size
            if size > limits.max_bytes:
                raise InputError.at(
                    "$",
                    _("the file is {size:,} bytes, over the limit of {limit:,}").format(
                        size=size, limit=limits.max_bytes
                    ),
                    str(ref),
                )
        return ref.read_bytes()
    except FileNotFoundError:
        raise InputError.at("$", _(missing), str(ref)) from None
    except IsADirectoryError:
        raise InputError.at("$", _(directory), str(ref)) from None
    except PermissionError:
        raise InputError.at("$", _("permission denied"), str(ref)) from None


def read_data_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Plain data from a ``.json`` or ``.toml`` file, with file errors as :class:`InputError`."""
    path = Path(path)
    fmt = _format_of(path)
    raw = read_file(path, limits)
    return (
        parse_json(raw, str(path), limits) if fmt == "json" else parse_toml(raw, str(path), limits)
    )


def from_json(text: bytes | str, cls: type[T], source: str | None = None) -> T:
    """A model from JSON text."""
    return structure(parse_json(text, source), cls, source)


def from_toml(text: bytes | str, cls: type[T], source: str | None = None) -> T:
    """A model from TOML text."""
    return structure(parse_toml(text, source), cls, source)


class _NotPlain(Exception):
    """A value :func:`_indented_json` leaves to :func:`json.dumps`."""


def _indented_json(data: Any) -> str:
    """Exactly ``json.dumps(data, ensure_ascii=False, indent=2)``, several times faster.

    The standard library writes indented JSON with its pure-Python encoder, nested generators
    that cost a network of 100,000 members over a second; this writes the plain data the
    converter makes (dicts with text keys, lists, text, integers, booleans, null) into one list.
    Anything else (a float, a non-text key) goes to :func:`json.dumps` unchanged.
    """
    parts: list[str] = []
    append = parts.append
    text = encode_basestring
    integer = int.__repr__

    def write(value: Any, indent: str) -> None:
        kind = type(value)
        if kind is str:
            append(text(value))
        elif kind is dict:
            if not value:
                append("{}")
                return
            inner = indent + "  "
            separator, comma = "{" + inner, "," + inner
            for key, item in value.items():
                if type(key) is not str:
                    raise _NotPlain
                if type(item) is str:
                    append(f"{separator}{text(key)}: {text(item)}")
                else:
                    append(f"{separator}{text(key)}: ")
                    write(item, inner)
                separator = comma
            append(indent + "}")
        elif kind is list or kind is tuple:
            if not value:
                append("[]")
                return
            inner = indent + "  "
            separator, comma = "[" + inner, "," + inner
            for item in value:
                if type(item) is str:
                    append(separator + text(item))
                else:
                    append(separator)
                    write(item, inner)
                separator = comma
            append(indent + "]")
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif kind is int:
            append(integer(value))
        else:
            raise _NotPlain

    try:
        with _bulk():
            write(data, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(data, ensure_ascii=False, indent=2)
    return "".join(parts)


def _toml_text(data: dict[str, Any]) -> str:
    import tomli_w  # only writing TOML needs it: kept out of the library's import

    return tomli_w.dumps(data)


def to_json(obj: object) -> str:
    """JSON text for a model: stable key order, money as two-decimal strings."""
    return _indented_json(unstructure(obj)) + "\n"


def to_toml(obj: object) -> str:
    """TOML text for a model."""
    data = unstructure(obj)
    if not isinstance(data, dict):
        raise TypeError("only tables can be written as TOML")
    return _toml_text(data)


# ---- documents ----------------------------------------------------------------------------------


def parse_document(data: object, source: str | None = None) -> Document:
    """A document from plain data carrying a ``kind`` tag (``"territorial_plan"``, ...)."""
    if not isinstance(data, Mapping):
        raise InputError.at(
            "$", _("expected a table/object, got {kind}").format(kind=_kind_name(data)), source
        )
    kind = data.get("kind")
    if kind is None:
        raise InputError.at(
            "$.kind",
            _("required field is missing; one of: {kinds}").format(kinds=", ".join(DOCUMENT_KINDS)),
            source,
        )
    if not isinstance(kind, str) or kind not in DOCUMENT_KINDS:
        raise InputError.at(
            "$.kind",
            _("{kind!r} is not a document kind; expected one of: {kinds}").format(
                kind=kind, kinds=", ".join(DOCUMENT_KINDS)
            ),
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
        return _indented_json(data) + "\n"
    if fmt == "toml":
        return _toml_text(data)
    raise ValueError(f"unknown format {fmt!r}; use json or toml")
