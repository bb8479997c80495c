"""Text that prints safely on any terminal.

Names, titles and messages come from input: a project title holding a newline and a fake
"ERROR" line, or an escape sequence, must not forge output. And a terminal whose encoding has no
"€" (ISO-8859-1, ASCII) must get "EUR", not a traceback.
"""

from __future__ import annotations

import codecs

__all__ = ["ERRORS", "printable", "use_safe_streams"]

ERRORS = "conciliazione"
"""The codec error handler :func:`use_safe_streams` installs: "€" becomes "EUR" (and "…" "..."),
any other character the encoding lacks becomes its ``\\uXXXX`` escape."""


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with control characters and lone surrogates escaped (``\\n`` as ``\\u000a``),
    cut to ``limit`` characters when given: one line, printable on any terminal."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():  # control characters and lone surrogates are not
        return text
    return "".join(
        ch
        if ch.isprintable()
        else (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        for ch in text
    )


_PLAIN = {"€": "EUR", "…": "...", "−": "-", "’": "'", "«": '"', "»": '"', "×": "x"}
"""What the output's own typography becomes where the encoding lacks it."""


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    text = "".join(_PLAIN.get(ch) or _escape(ch) for ch in bad)
    return text, error.end


def _escape(ch: str) -> str:
    """``\\uXXXX``, and a surrogate pair of them beyond the BMP: valid in JSON output too."""
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


codecs.register_error(ERRORS, _replace)


def use_safe_streams() -> None:
    """Make stdout and stderr write what their encoding cannot show as "EUR" or an escape."""
    import contextlib
    import sys

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # closed or detached: leave it
                reconfigure(errors=ERRORS)
