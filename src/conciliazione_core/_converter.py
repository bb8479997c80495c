"""The strict cattrs converter: hooks that refuse rather than coerce, and structuring that
lists every problem with its path.

Two converters share the same hooks: a fast one for valid input, and a detailed one (cattrs'
``detailed_validation``) asked only when the fast one fails, to say where and why.
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
import types
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._gc import paused_gc
from conciliazione_core._money import Money
from conciliazione_core._structure_errors import problems_of
from conciliazione_core._suggest import with_hint
from conciliazione_core.i18n import LANGUAGES, N_, Text, _

__all__ = ["Refused", "kind_name", "parse_fraction", "parse_text", "structure", "unstructure"]

T = TypeVar("T")


class Refused(ValueError):
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


def kind_name(value: object) -> str:
    name = _KIND_NAMES.get(type(value))
    return type(value).__name__ if name is None else _(name)


def _strict_str(value: object, _tp: type) -> str:
    if not isinstance(value, str):
        raise Refused(_("expected text, got {kind}").format(kind=kind_name(value)))
    return value


def parse_text(value: object) -> Text:
    """Text for people: a string (English), or a table of it by language with ``en`` required."""
    if isinstance(value, str):
        return Text(value)
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if k not in LANGUAGES]
        if unknown:
            raise Refused(
                _("unknown language {keys}; texts are given in: {languages}").format(
                    keys=", ".join(repr(k) for k in unknown), languages=", ".join(LANGUAGES)
                )
            )
        if "en" not in value:
            raise Refused(_('missing the English text (en = "..."), the one always shown'))
        bad = [str(k) for k, v in value.items() if not isinstance(v, str)]
        if bad:
            raise Refused(_("the text in {keys} is not a string").format(keys=", ".join(bad)))
        return Text.of(value)
    raise Refused(
        _(
            'expected text, or a table of it by language (en = "...", it = "..."), got {kind}'
        ).format(kind=kind_name(value))
    )


def _strict_int(value: object, _tp: type) -> int:
    if type(value) is not int:
        raise Refused(_("expected a whole number, got {kind}").format(kind=kind_name(value)))
    return value


def _strict_bool(value: object, _tp: type) -> bool:
    if not isinstance(value, bool):
        raise Refused(_("expected true or false, got {kind}").format(kind=kind_name(value)))
    return value


def _date(value: object, _tp: type) -> dt.date:
    if isinstance(value, dt.datetime):
        raise Refused(_("expected a date (YYYY-MM-DD), got a date with a time"))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise Refused(
                _("{value!r} is not a date; write it as YYYY-MM-DD").format(value=value)
            ) from None
    raise Refused(_("expected a date (YYYY-MM-DD), got {kind}").format(kind=kind_name(value)))


def _money(value: object, _tp: type) -> Money:
    try:
        return Money.parse(value)
    except InputError as exc:
        raise Refused(exc.problems[0].message) from None


def parse_fraction(value: object) -> Fraction:
    """An exact non-negative number from an int or text: ``"0.8"``, ``"4/5"``, ``"80%"``.

    Floats are refused because ``0.1`` is not one tenth in binary.
    """
    if isinstance(value, bool | float):
        raise Refused(
            _('{value!r} is {kind}; write exact numbers as text, e.g. "0.8" or "4/5"').format(
                value=value, kind=kind_name(value)
            )
        )
    if isinstance(value, int | str):
        # The one exact-number grammar (digits and exponents bounded): Fraction("1e-999999999")
        # would build a billion-digit integer and never return.
        from conciliazione_core.allocation._parameters import parse_fraction as exact

        try:
            result = exact(value)
        except InputError as exc:
            raise Refused(exc.problems[0].message) from None
    else:
        raise Refused(
            _("expected a number written as text, got {kind}").format(kind=kind_name(value))
        )
    if result < 0:
        raise Refused(_("{value!r} is negative").format(value=value))
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
            message = _("{value!r} is not a valid {name}; expected one of: {allowed}").format(
                value=value, name=cls.__name__.lstrip("_"), allowed=", ".join(allowed)
            )
            raise Refused(with_hint(message, value, allowed)) from None

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


MAX_ITEM_PROBLEMS = 100
"""Bad items of one list reported in detail; the next one says that more follow. Without it a
list of two million empty objects built an error for each, 6.7 GB from a 6 MB file."""


def _more_items() -> str:
    return _("more items have problems; only the first {count} are listed").format(
        count=MAX_ITEM_PROBLEMS
    )


def _noted(exc: Exception, index: int, tp: Any, item: Any) -> Exception:
    note = IterableValidationNote(f"Structuring {tp!r} @ index {index}", index, item)
    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
    return exc


def _make_converter(detailed: bool) -> cattrs.Converter:
    """The strict converter; ``detailed`` collects every problem with its path (slower)."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(Text, lambda value, _tp: parse_text(value))
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
                raise Refused(_("expected a list, got {kind}").format(kind=kind_name(value)))
            if not detailed:  # the first error is enough: the detailed pass will list them all
                return tuple([handler(v, item) for v in value])
            out: list[Any] = []
            errors: list[Exception] = []
            for i, v in enumerate(value):
                if len(errors) == MAX_ITEM_PROBLEMS:  # a million bad items: a million errors
                    errors.append(_noted(Refused(_more_items()), i, tp, item))
                    break
                try:
                    out.append(handler(v, item))
                except Exception as exc:  # collected with their index, like cattrs does
                    errors.append(_noted(exc, i, tp, item))
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
                raise Refused(
                    _("expected a table/object, got {kind}").format(kind=kind_name(value))
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
                raise Refused(
                    _("expected a table/object, got {kind}").format(kind=kind_name(value))
                )
            if rendered:  # written for people (a finding's message), rebuilt when read
                value = {k: v for k, v in value.items() if k not in rendered}
            return inner(value, tp)

        return hook

    conv.register_structure_hook_factory(attrs.has, mapping_guard)

    conv.register_unstructure_hook(Money, str)
    conv.register_unstructure_hook(Text, str)  # text for people, in the current language
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


def structure(data: object, cls: type[T], source: str | None = None, path: str = "$") -> T:
    """Build a model of type ``cls`` from plain data, or raise :class:`InputError`."""
    try:
        with paused_gc():
            return _converter.structure(data, cls)
    except Exception:  # the detailed pass below raises, with every problem and its path
        pass
    try:
        return _detailed_converter().structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = problems_of(exc, path)
        raise InputError(problems or [Problem(path, str(exc))], source) from None
    except (Refused, InputError, TypeError, ValueError, KeyError) as exc:
        raise InputError(problems_of(exc, path), source) from None


def unstructure(obj: object) -> Any:
    """Plain data (dicts, lists, strings, ints) for a model; ``None`` fields are left out."""
    with paused_gc():
        return _converter.unstructure(obj)
