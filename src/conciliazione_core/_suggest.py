""" "Did you mean …?": the closest known names to a mistyped one.

A cycle id, a recipient id, a field name, an enum value or a ``--set`` path that is unknown is
usually a typo of a known one; :func:`did_you_mean` names the closest (by
:func:`difflib.get_close_matches`, ignoring case), or nothing when none is close.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from conciliazione_core.i18n import _

__all__ = ["close_matches", "did_you_mean", "listing", "with_hint"]


_MARGIN = 0.1
"""How much less close than the closest a name may be and still be suggested."""
_MOST = 10_000
"""Beyond this many known names (a million recipients), no suggestion: it would take seconds."""


def close_matches(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` known names closest to ``word``, closest first (case ignored)."""
    by_lower: dict[str, str] = {}
    for name in known:
        by_lower.setdefault(str(name).lower(), str(name))
        if len(by_lower) > _MOST:
            return []
    import difflib  # only when a name is unknown

    lower = str(word).lower()
    found = difflib.get_close_matches(lower, list(by_lower), n=n, cutoff=0.6)
    if not found:
        return []
    # Only the best and those about as close: "ATS-MILAN" suggests ATS-MILANO, not ATS-BRIANZA.
    scores = [difflib.SequenceMatcher(None, lower, f).ratio() for f in found]
    best = max(scores)
    return [
        by_lower[f]
        for f, score in zip(found, scores, strict=True)
        if score >= best - _MARGIN and by_lower[f] != word
    ]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"did you mean 'ats'?"`` for the closest known names, or ``""`` when none is close."""
    found = close_matches(word, known)
    if not found:
        return ""
    return _("did you mean {names}?").format(names=", ".join(repr(f) for f in found))


def with_hint(message: str, word: object, known: Iterable[str]) -> str:
    """``message``, then ``; did you mean …?`` when a known name is close to ``word``."""
    hint = did_you_mean(word, known) if isinstance(word, str) else ""
    return f"{message}; {hint}" if hint else message


def listing(names: Sequence[str], limit: int = 30) -> str:
    """The first ``limit`` names, then how many more: an error about a million recipients
    names some of them, not all."""
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += _(" and {n} more").format(n=len(names) - limit)
    return shown
