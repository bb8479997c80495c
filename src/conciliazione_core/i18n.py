"""Messages in English and Italian through the standard gettext machinery.

Source strings are English and marked with :func:`_` (or :func:`ngettext` for plurals, or the
no-op :func:`N_` where a string is stored first and translated later, like the finding templates
of the rules' :class:`~conciliazione_core.FindingCode`). Babel extracts them (``make catalogues``) into
``locale/conciliazione.pot``; the Italian catalogue is ``locale/it/LC_MESSAGES/conciliazione.po``,
compiled to the ``.mo`` that ships in the package, so that an install needs no Babel.

The language is per context (a :class:`contextvars.ContextVar`: each thread and asyncio task has
its own): the one given to :func:`set_language` or :func:`language` in this context, else the one the locale variables name,
read as Python's :mod:`gettext` reads them: the first of ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG`` that is set decides, its colon-separated list tried in order
(``LANGUAGE=fr:it`` gives Italian, ``LC_ALL=C`` gives English even when ``LANG`` is Italian);
when it names no supported language, English.
"""

from __future__ import annotations

import contextvars
import gettext
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.resources.abc import Traversable
from pathlib import Path

import attrs

__all__ = [
    "CORE_CATALOGUE",
    "DOMAIN",
    "EXTRACT_KEYWORDS",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Catalogue",
    "Text",
    "_",
    "current_language",
    "language",
    "language_from_environment",
    "ngettext",
    "set_language",
    "to_optional_text",
    "to_text",
    "translate",
]

LANGUAGES = ("en", "it")
"""The languages messages exist in; English is the source language."""

DOMAIN = "conciliazione"
"""The gettext domain: the catalogue's file name without extension."""

LOCALE_DIR = Path(__file__).parent / "locale"
"""Where the catalogues live: ``LOCALE_DIR/<lang>/LC_MESSAGES/<DOMAIN>.mo``."""

EXTRACT_KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}
"""The marker functions Babel looks for (the Makefile's ``catalogues`` recipe uses the same)."""

_ENV_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@attrs.frozen
class Catalogue:
    """A gettext domain and the folder holding ``<lang>/LC_MESSAGES/<domain>.mo``.

    The core's messages are in :data:`CORE_CATALOGUE`; a plugin that brings its own messages
    (finding templates of its rules) ships its own catalogue and names it here.
    """

    domain: str
    locale_dir: Path | Traversable


CORE_CATALOGUE = Catalogue(DOMAIN, LOCALE_DIR)
"""The core's own catalogue."""

# The language is per context (a thread, an asyncio task), not per process: a web app serving
# two languages at once must not mix them. None means "not chosen yet: the environment's".
_language: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "conciliazione_language", default=None
)
_loaded: dict[tuple[str, str, str], gettext.NullTranslations] = {}
_loading = threading.Lock()


def _code(locale_name: str) -> str:
    """``it_IT.UTF-8@euro`` -> ``it``; ``C``/``POSIX`` stay as they are, lower-cased."""
    return locale_name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The language the locale variables ask for, as gettext would read them; else English."""
    env = os.environ if environ is None else environ
    for var in _ENV_VARS:
        value = env.get(var, "")
        if value:
            for candidate in value.split(":"):
                code = _code(candidate)
                if code in LANGUAGES:
                    return code
            return "en"
    return "en"


def _load(code: str, catalogue: Catalogue = CORE_CATALOGUE) -> gettext.NullTranslations:
    key = (catalogue.domain, str(catalogue.locale_dir), code)  # a Traversable may not hash
    found = _loaded.get(key)
    if found is None:
        with _loading:
            found = _loaded.get(key)
            if found is None:
                found = _read(code, catalogue)
                _loaded[key] = found
    return found


def _read(code: str, catalogue: Catalogue) -> gettext.NullTranslations:
    if code == "en":
        return gettext.NullTranslations()
    # A missing catalogue (a broken install) falls back to English rather than stopping every
    # command; the tests check that the shipped ones load.
    mo = catalogue.locale_dir.joinpath(code, "LC_MESSAGES", f"{catalogue.domain}.mo")
    try:
        with mo.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except (OSError, ValueError):
        return gettext.NullTranslations()


def set_language(lang: str | None) -> str:
    """Choose the language of messages (``"en"``, ``"it"``, or None for the environment's).

    Returns the language chosen; ValueError for any other language.
    """
    code = _chosen(lang)
    _language.set(code)
    return code


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Render messages in ``lang`` inside a ``with`` block, then restore the previous language.

    Like :func:`set_language`, it changes the current context only (this thread or task).
    """
    chosen = _chosen(lang)
    token = _language.set(chosen)
    try:
        yield chosen
    finally:
        _language.reset(token)


def _chosen(lang: str | None) -> str:
    code = language_from_environment() if lang is None else lang.lower()
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return code


def _translations(catalogue: Catalogue = CORE_CATALOGUE) -> gettext.NullTranslations:
    return _load(current_language(), catalogue)


def current_language() -> str:
    """The language messages are currently rendered in (this context's)."""
    code = _language.get()
    if code is None:
        code = set_language(None)
    return code


def translate(message: str, catalogue: Catalogue = CORE_CATALOGUE, lang: str | None = None) -> str:
    """Translate ``message`` through ``catalogue`` (a plugin's own, or the core's).

    Into ``lang`` when given (one of :data:`LANGUAGES`), else into the current language.
    """
    return _load(_chosen(lang) if lang else current_language(), catalogue).gettext(message)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a singular and a plural form, chosen by ``n``."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translate it later with ``_``)."""
    return message


@attrs.frozen(eq=False)
class Text:
    """Text for people that a parameter file gives in several languages, shown in the current one.

    A parameter file writes ``label = "Alliance projects"`` (English only) or
    ``label = {en = "Alliance projects", it = "Progetti delle alleanze"}``; rendering it
    (``str()``, an f-string) picks the current language (:func:`current_language`), falling back
    to English where a translation is missing. The text is the law's wording, not a programme
    message, so it travels with the cycle's data rather than through a gettext catalogue.

    >>> label = Text("Alliance projects", it="Progetti delle alleanze")
    >>> label.in_language("it"), label.in_language("en")
    ('Progetti delle alleanze', 'Alliance projects')

    It equals a plain string equal to its English, so code comparing labels keeps working.
    """

    en: str
    it: str | None = None

    @classmethod
    def of(cls, value: str | Text | Mapping[str, str]) -> Text:
        """``value`` as Text: a plain string is English; a mapping names its languages."""
        if isinstance(value, Text):
            return value
        if isinstance(value, str):
            return cls(value)
        if not isinstance(value, Mapping):
            raise TypeError(f"expected text, got {type(value).__name__}")
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown or "en" not in value:
            raise ValueError(
                f"text by language needs 'en' and at most {', '.join(LANGUAGES)}, got {sorted(value)}"
            )
        return cls(value["en"], it=value.get("it"))

    @classmethod
    def optional(cls, value: str | Text | Mapping[str, str] | None) -> Text | None:
        """:meth:`of` for an optional text: None stays None."""
        return None if value is None else cls.of(value)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this text is written in (English always first)."""
        return tuple(code for code in LANGUAGES if getattr(self, code))

    def in_language(self, lang: str | None = None) -> str:
        """The text in ``lang`` (default: the current language), else in English."""
        code = current_language() if lang is None else _chosen(lang)
        translated: str | None = getattr(self, code)
        return translated or self.en

    def __str__(self) -> str:
        return self.in_language()

    def __eq__(self, other: object) -> bool:
        """Equal to the same texts; to a plain string equal to its English (the source text)."""
        if isinstance(other, str):
            return self.en == other
        if isinstance(other, Text):
            return (self.en, self.it) == (other.en, other.it)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.en)  # as its English string's, which it equals

    def __format__(self, spec: str) -> str:
        return format(self.in_language(), spec)


def to_text(value: str | Text | Mapping[str, str]) -> Text:
    """:meth:`Text.of` as a function: an attrs converter for a field of text for people."""
    return Text.of(value)


def to_optional_text(value: str | Text | Mapping[str, str] | None) -> Text | None:
    """:meth:`Text.optional` as a function: an attrs converter for an optional text field."""
    return Text.optional(value)
