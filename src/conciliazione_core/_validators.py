"""Field validators of the models: a wrong type is the library's error, named by its field.

The converter already refuses bad *data* with paths (``$.lead.kind``); these guard the models
built directly in Python (``Body(id=5)``, ``Project(lead="x")``, ``Project(requested=5.5)``),
which would otherwise fail far away with an AttributeError or be written back as nonsense.
Each raises :class:`InputError` at the field's name (``lead``, ``partners[2]``); when a model is
built from data, the converter places that under the model's path (``$.lead.id``).
Nothing is converted: ``"2030-01-01"`` is not a date and ``[...]`` is not a tuple.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from conciliazione_core._converter import kind_name
from conciliazione_core._errors import InputError
from conciliazione_core.i18n import N_, _

__all__ = [
    "date",
    "instance",
    "money",
    "non_blank_text",
    "optional",
    "text",
    "tuple_of",
    "whole_number",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _got(value: object) -> str:
    """What a wrong value is, for a message: ``an integer (5)``, ``a list``, ``Body``."""
    kind = kind_name(value)
    if isinstance(value, int | float | str) and len(repr(value)) <= 40:
        return f"{kind} ({value!r})"
    return kind


def _refuse(name: str, expected: str, value: object) -> InputError:
    return InputError.at(
        name, _("expected {expected}, got {kind}").format(expected=expected, kind=_got(value))
    )


def text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Text (``str``)."""
    if not isinstance(value, str):
        raise _refuse(attribute.name, _("text"), value)


def non_blank_text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Text with something other than spaces in it (an id, a name)."""
    if not isinstance(value, str):
        raise _refuse(attribute.name, _("text"), value)
    if not value.strip():
        raise InputError.at(attribute.name, _("must not be blank"))


def whole_number(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An ``int`` (not a boolean, not a float)."""
    if type(value) is not int:
        raise _refuse(attribute.name, _("a whole number"), value)


def date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A :class:`datetime.date` without a time (text is not parsed here)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _refuse(attribute.name, _("a date (datetime.date)"), value)


def money(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A :class:`~conciliazione_core.Money`; a float is refused with the reason."""
    from conciliazione_core._money import Money

    if isinstance(value, Money):
        return
    if isinstance(value, float):
        raise InputError.at(
            attribute.name,
            _(
                "expected Money, got a floating-point number ({value!r}), which cannot hold "
                'cents exactly; write Money.parse("1234.50")'
            ).format(value=value),
        )
    raise _refuse(attribute.name, "Money", value)


def instance(cls: type, name: str | None = None) -> Validator:
    """An instance of ``cls`` (a model or an enumeration)."""
    expected = name or cls.__name__

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise _refuse(attribute.name, expected, value)

    return check


def optional(validator: Validator) -> Validator:
    """None, or what ``validator`` accepts."""

    def check(instance_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance_, attribute, value)

    return check


def tuple_of(cls: type) -> Validator:
    """A tuple whose every item is a ``cls``; a wrong item is named by its index."""
    expected = N_("a tuple of {name}")

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not tuple:
            raise _refuse(attribute.name, _(expected).format(name=cls.__name__), value)
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise _refuse(f"{attribute.name}[{i}]", cls.__name__, item)

    return check
