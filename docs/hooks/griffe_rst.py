"""Griffe extension: render the reStructuredText bits of the docstrings as Markdown.

The library's docstrings are short and mostly plain text, with a few reST habits: roles
(``:class:`Finding```), literal blocks introduced by ``::``, doctest examples and
``.. versionadded::``. mkdocstrings renders docstrings as Markdown, so this extension rewrites
those habits before the docstrings are parsed. The source files stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["RestToMarkdown", "rest_to_markdown"]

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const|ref):`~?([^`]+)`")
_VERSION = re.compile(r"^(\s*)\.\. (versionadded|versionchanged|deprecated):: *(.*)$")
_LABELS = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
}


def _role(match: re.Match[str]) -> str:
    return f"`{match.group(1)}`"


def _fence_doctests(lines: list[str]) -> list[str]:
    """Wrap runs of ``>>>`` lines and their output in a ``pycon`` fence."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>> "):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        out.append(line)
        i += 1
    return out


_LIST_ITEM = re.compile(r"^([*+-]|\d+\.)\s")


def _indented(line: str) -> bool:
    return line.startswith(("  ", "\t")) and bool(line.strip())


def _definition_lists(lines: list[str]) -> list[str]:
    """reST definition lists (a term, its text indented below) as Markdown ``term`` / ``:   text``.

    A term is an unindented line after a blank line, not a list item, directly followed by an
    indented line (a literal block is always preceded by a blank line, so it is not taken).
    """
    out: list[str] = []
    i = 0
    after_definition = False
    while i < len(lines):
        line = lines[i]
        previous = lines[i - 1] if i else ""
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            line.strip()
            and not line.startswith((" ", "\t"))
            and not _LIST_ITEM.match(line)
            and (not previous.strip() or after_definition)
            and _indented(following)
        ):
            if after_definition:
                out.append("")
            out += [line, ":   " + following.strip()]
            i += 2
            while i < len(lines) and _indented(lines[i]):
                out.append("    " + lines[i].strip())
                i += 1
            after_definition = True
            continue
        after_definition = False
        out.append(line)
        i += 1
    return out


def rest_to_markdown(text: str) -> str:
    """The docstring ``text`` with roles, ``::`` blocks, doctests and version notes as Markdown."""
    text = _ROLE.sub(_role, text)
    lines: list[str] = []
    for line in text.splitlines():
        version = _VERSION.match(line)
        if version:
            indent, kind, rest = version.groups()
            lines.append(f"{indent}*{_LABELS[kind]} {rest.strip()}.*")
            continue
        stripped = line.rstrip()
        if stripped.endswith("::"):
            head = stripped[:-2].rstrip()
            if head:
                lines.append(head + ("" if head.endswith((":", ".")) else ":"))
            continue
        lines.append(line)
    return "\n".join(_fence_doctests(_definition_lists(lines)))


class RestToMarkdown(griffe.Extension):
    """Rewrite every docstring once, when its object is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rest_to_markdown(obj.docstring.value)
