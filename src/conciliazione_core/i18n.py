"""Messages in English and Italian through the standard gettext machinery.

Source strings are English and marked with :func:`_` (or :func:`ngettext` for plurals, or the
no-op :func:`N_` where a string is stored first and translated later, like the finding templates
of :data:`conciliazione_core.rules.FINDING_CODES`). Babel extracts them (``make catalogues``) into
``locale/conciliazione.pot``; the Italian catalogue is ``locale/it/LC_MESSAGES/conciliazione.po``,
compiled to the ``.mo`` that ships in the package, so that an install needs no Babel.

The language is the one given to :func:`set_language`, else the one the locale variables name,
read as Python's :mod:`gettext` reads them: the first of ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG`` that is set decides, its colon-separated list tried in order
(``LANGUAGE=fr:it`` gives Italian, ``LC_ALL=C`` gives English even when ``LANG`` is Italian);
when it names no supported language, English.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "DOMAIN",
    "EXTRACT_KEYWORDS",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "current_language",
    "language",
    "language_from_environment",
    "ngettext",
    "set_language",
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

_state: dict[str, object] = {}
_loaded: dict[str, gettext.NullTranslations] = {}


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


def _load(code: str) -> gettext.NullTranslations:
    found = _loaded.get(code)
    if found is None:
        if code == "en":
            found = gettext.NullTranslations()
        else:
            # A missing catalogue (a broken install) falls back to English rather than stopping
            # every command; the tests check that the shipped one loads.
            found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
        _loaded[code] = found
    return found


def set_language(lang: str | None) -> str:
    """Choose the language of messages (``"en"``, ``"it"``, or None for the environment's).

    Returns the language chosen; ValueError for any other language.
    """
    code = language_from_environment() if lang is None else lang.lower()
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    translations = _load(code)
    _state["lang"] = code
    _state["translations"] = translations
    return code


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Render messages in ``lang`` inside a ``with`` block, then restore the previous language."""
    previous = _state.get("lang")
    try:
        yield set_language(lang)
    finally:
        if previous is None:
            _state.clear()
        else:
            set_language(str(previous))


def _translations() -> gettext.NullTranslations:
    if "translations" not in _state:
        set_language(None)
    t = _state["translations"]
    assert isinstance(t, gettext.NullTranslations)
    return t


def current_language() -> str:
    """The language messages are currently rendered in."""
    _translations()
    return str(_state["lang"])


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a singular and a plural form, chosen by ``n``."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translate it later with ``_``)."""
    return message
