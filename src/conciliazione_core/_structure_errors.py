"""Problems with paths from cattrs' structuring errors.

cattrs groups the errors of one structuring in exception groups; each sub-error carries a
structured validation note (a field's name, a list index, a mapping key). Paths are built from
those notes' attributes, never from their English text, so that a change of wording in cattrs
cannot move a problem to the wrong place.
"""

from __future__ import annotations

import attrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from conciliazione_core._errors import InputError, Problem
from conciliazione_core._suggest import with_hint
from conciliazione_core.i18n import _

__all__ = ["problems_of"]


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


def _below(path: str, inner: str) -> str:
    """``inner`` placed under ``path``: ``$.x`` + ``$.y`` or a model validator's field ``y``."""
    if inner.startswith("$"):
        return path + inner.removeprefix("$")
    return path + inner if inner.startswith("[") else f"{path}.{inner}"


def problems_of(exc: BaseException, path: str) -> list[Problem]:
    """Flatten a cattrs exception tree into problems with JSON-path-like locations."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[Problem] = []
        for sub in exc.exceptions:
            out.extend(problems_of(sub, _note_path(path, sub)))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        known = sorted(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else []
        return [
            Problem(
                f"{path}.{key}",
                with_hint(
                    _("unknown field {key!r}; known fields: {known}").format(
                        key=key, known=", ".join(known)
                    )
                    if known
                    else _("unknown field {key!r}").format(key=key),
                    key,
                    known,
                ),
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, KeyError):
        return [Problem(path, _("required field is missing"))]
    if isinstance(exc, InputError):
        return [Problem(_below(path, p.path), p.message) for p in exc.problems]
    if isinstance(exc, TypeError | ValueError):  # a strict hook's refusal is a ValueError
        return [Problem(path, str(exc))]
    raise exc
