"""Messages in English and Italian through the standard gettext machinery.

Source strings are English and marked with :func:`_`; the Italian catalogue lives in
``locale/it/LC_MESSAGES/conciliazione.po`` (compiled to ``.mo``). The language is chosen by
:func:`set_language`, else by the usual locale variables (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``), else English.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

__all__ = ["LANGUAGES", "_", "current_language", "ngettext", "set_language"]

LANGUAGES = ("en", "it")
DOMAIN = "conciliazione"
LOCALE_DIR = Path(__file__).parent / "locale"

_state: dict[str, object] = {}


def _from_environment() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        for candidate in value.split(":"):
            code = candidate.split(".")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
    return "en"


def set_language(lang: str | None) -> str:
    """Choose the language of messages (``"en"``, ``"it"``, or None for the environment's)."""
    code = _from_environment() if lang is None else lang.lower()
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    translations: gettext.NullTranslations
    if code == "en":
        translations = gettext.NullTranslations()
    else:
        translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
    _state["lang"] = code
    _state["translations"] = translations
    return code


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
    """Translate a message with a singular and a plural form."""
    return _translations().ngettext(singular, plural, n)
