"""Reading and writing the library's models as JSON and TOML.

Strict by design: unknown fields, wrong types, floats where money is expected, text where a number
is expected, NaN, duplicate keys and over-deep or over-large inputs are refused with an
:class:`~conciliazione_core._errors.InputError` that lists every bad place with its path
(``$.projects[1].lead.kind``). Nothing is coerced silently: ``"5"`` is not an int and ``5`` is not
text. Money is written as a decimal string with two decimals, dates as ISO strings.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
import sys
import tomllib
from collections.abc import Callable, Mapping
from importlib.resources.abc import Traversable
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import attrs

from conciliazione_core._converter import Refused, kind_name, structure, unstructure
from conciliazione_core._documents import DOCUMENT_KINDS, Document, document_kind
from conciliazione_core._errors import InputError
from conciliazione_core._gc import paused_gc
from conciliazione_core._identity import check_unique_ids
from conciliazione_core._suggest import with_hint
from conciliazione_core.i18n import N_, _

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "dump_document",
    "file_path",
    "from_json",
    "from_toml",
    "huge_integer_path",
    "load_document",
    "memory_estimate",
    "memory_problem",
    "open_file",
    "parse_document",
    "parse_json",
    "parse_toml",
    "read_data_file",
    "read_file",
    "read_stream",
    "to_json",
    "to_toml",
]

T = TypeVar("T")


@attrs.frozen
class Limits:
    """How large and how deep an input may be; beyond these it is refused before parsing."""

    max_bytes: int = 64 * 1024 * 1024
    """A 100,000-member network is about 22 MB of indented JSON; 64 MiB leaves room for it."""
    max_depth: int = 64


DEFAULT_LIMITS = Limits()


# ---- text formats -------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise Refused(_("{name} is not a number this library accepts").format(name=name))


_CONTAINERS = (dict, list)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a shorter dict means a key came twice
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise Refused(_("duplicate key {key!r} in the same object").format(key=key))
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


MEMORY_FACTOR = 16
"""A text is parsed only if its estimated memory is within this many times its size plus
:data:`MEMORY_BASE`; with the decoded text and the parser's own objects, a parse then stays
within the stated budget of 20 times the input's size plus 64 MiB."""

MEMORY_BASE = 48 * 1024 * 1024

# What each structural character costs once parsed, measured with tracemalloc on the worst
# inputs made of it (bench/bench_memory.py): an empty list or object and its slot in its parent
# take 66 to 76 bytes, a value after a comma (``"€"``, an integer) up to 92 with the comma; a
# key and its value in an object up to 154 with the comma, and up to 260 of resident memory in
# an object of millions of distinct keys (json builds the list of pairs before the dict); a
# value in a TOML array or inline table up to 67. The fuzz test
# ``test_memory_stays_under_the_estimate`` checks the bound.
_COSTS = {
    "json": {"[": 80, "{": 80, ",": 64, ":": 168},
    "toml": {"[": 96, "{": 96, ",": 96, "=": 96, ".": 96},
}

_NEW_TOML_TABLE = 800
"""What tomllib keeps for each table it has not seen before (a dict and the flags it checks
redefinitions with): 60 MB of ``[a1] [a2] …`` took 100 times its size. A table seen again (the
next ``[[members]]``, its ``[members.body]``) costs no more than its values."""

_TOML_TABLE = re.compile(r"^[ \t]*\[\[?([^\]\n]*)|^[ \t]*([^=\n\[#]*?\.[^=\n]*?)=", re.M)
"""A table header's name, or the dotted part of a key (``lead.kind = …`` makes a table too)."""


def memory_estimate(text: str, fmt: str, stop: int | None = None) -> int:
    """Bytes that parsing ``text`` as ``fmt`` (``"json"`` or ``"toml"``) may take, at most.

    A count, in C, of the characters that open a value (brackets, braces, commas, colons, equal
    signs, dots), weighed by what each costs once parsed; for TOML, each table named for the
    first time adds :data:`_NEW_TOML_TABLE` (found by one scan of the header and dotted-key
    lines, which stops once the estimate passes ``stop``). Characters inside strings count too:
    an over-estimate that only a document made mostly of punctuation in text would notice.
    """
    estimate = sum(text.count(char) * cost for char, cost in _COSTS[fmt].items())
    if fmt != "toml" or (stop is not None and estimate > stop):
        return estimate
    seen: set[str] = set()
    for match in _TOML_TABLE.finditer(text):
        name = "".join((match.group(1) or match.group(2) or "").split())
        if name not in seen:
            seen.add(name)
            estimate += _NEW_TOML_TABLE
            if stop is not None and estimate > stop:
                break
    return estimate


def memory_problem(text: str, fmt: str) -> str | None:
    """Why parsing ``text`` as ``fmt`` would take too much memory, or None.

    Within :data:`MEMORY_FACTOR` times the text's size plus :data:`MEMORY_BASE`, the estimate of
    :func:`memory_estimate` lets the parser run. This refuses ``[[],[],…]`` (60 MB took 1.9 GB)
    and ``x = [{},{},…]`` (60 MB took 4.5 GB in TOML) before the parser builds anything.
    """
    budget = MEMORY_FACTOR * len(text) + MEMORY_BASE
    estimate = memory_estimate(text, fmt, stop=budget)
    if estimate <= budget:
        return None
    mib = 1024 * 1024
    return _(
        "too many values for its size: reading it would take more than its budget of "
        "{budget:,} MiB ({factor} times its size plus {base} MiB)"
    ).format(budget=budget // mib, factor=MEMORY_FACTOR, base=MEMORY_BASE // mib)


def _check_memory(text: str, fmt: str, source: str | None) -> None:
    problem = memory_problem(text, fmt)
    if problem is not None:
        raise InputError.at("$", problem, source)


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
    if not _has_huge_integer(data, too_big):  # no path built for the millions of values
        return None
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


def _has_huge_integer(data: object, too_big: int) -> bool:
    level: list[Any] = [data]
    while level:
        below: list[Any] = []
        for value in level:
            if type(value) is int:
                if abs(value) >= too_big:
                    return True
            elif isinstance(value, _CONTAINERS):
                below += value.values() if isinstance(value, dict) else value
        level = [v for v in below if type(v) is int or isinstance(v, _CONTAINERS)]
    return False


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
    _check_memory(text, "json", source)
    try:
        with paused_gc():
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
    except Refused as exc:
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
    _check_memory(text, "toml", source)
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


_NOT_A_FILE = (
    (stat.S_ISFIFO, N_("is a named pipe, not a file")),
    (stat.S_ISCHR, N_("is a character device, not a file")),
    (stat.S_ISBLK, N_("is a block device, not a file")),
    (stat.S_ISSOCK, N_("is a socket, not a file")),
)


def _refuse_special(mode: int, source: str, directory: str) -> None:
    """Refuse anything but a regular file, naming what it is."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError.at("$", _(directory), source)
    for test, message in _NOT_A_FILE:
        if test(mode):
            raise InputError.at("$", _(message), source)
    raise InputError.at("$", _("is not a regular file"), source)


def _too_large(size: int | None, limits: Limits, source: str) -> InputError:
    if size is None:  # found while reading: the file grew, or its size was not known
        return InputError.at(
            "$",
            _("the file is over the limit of {limit:,} bytes").format(limit=limits.max_bytes),
            source,
        )
    return InputError.at(
        "$",
        _("the file is {size:,} bytes, over the limit of {limit:,}").format(
            size=size, limit=limits.max_bytes
        ),
        source,
    )


class _BoundedReader(io.RawIOBase):
    """A file descriptor read up to ``limits.max_bytes``; one byte more is an :class:`InputError`.

    Bounds a regular file that grows while it is read (or reports a size of 0, as in ``/proc``).
    """

    def __init__(self, fd: int, limits: Limits, source: str) -> None:
        self._fd = fd
        self._left = limits.max_bytes + 1
        self._limits = limits
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = os.read(self._fd, min(len(view), self._left)) if self._left else b""
        except OSError as exc:  # /proc/self/mem opens, then fails on read (EIO)
            raise InputError.at(
                "$", _("cannot read the file: {reason}").format(reason=exc.strerror), self._source
            ) from None
        view[: len(data)] = data
        self._left -= len(data)
        if not self._left:
            raise _too_large(None, self._limits, self._source)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def file_path(value: object, name: str = "path") -> Path:
    """``value`` as a :class:`Path`; anything but text or a path is an :class:`InputError` at
    ``name`` (``load_document(5)`` raised TypeError from deep inside :mod:`pathlib`)."""
    if isinstance(value, Path):
        return value
    if isinstance(value, str | os.PathLike) and not isinstance(value, bytes):
        return Path(value)
    raise InputError.at(
        name,
        _("expected a file path (text or a Path), got {kind}").format(kind=type(value).__name__),
    )


def open_file(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    missing: str = N_("no such file"),
    directory: str = N_("is a directory, not a file"),
) -> io.BufferedReader:
    """A regular file opened for reading at most ``limits.max_bytes``, without ever blocking.

    Only regular files are read: a named pipe, a device (``/dev/zero``, ``/dev/urandom``), a
    socket or a folder is refused with an :class:`InputError` saying what it is, since none of
    them has a size to check and a pipe may never end (copy such input to a file first). The
    file is opened non-blocking, so that opening a named pipe without a writer cannot hang, and
    checked with ``fstat`` on the opened descriptor, so that it cannot be swapped in between.
    A file over the limit is refused before it is read, and reading stops one byte past it.
    """
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError.at("$", _(missing), source) from None
    except IsADirectoryError:
        raise InputError.at("$", _(directory), source) from None
    except PermissionError:
        raise InputError.at("$", _("permission denied"), source) from None
    except ValueError:  # os.open refuses a path holding a NUL character
        raise InputError.at("$", _("the file name holds a NUL character"), source) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            try:
                mode = os.stat(path).st_mode
            except OSError:
                mode = 0
            _refuse_special(mode, source, directory)
        raise InputError.at(
            "$", _("cannot read the file: {reason}").format(reason=exc.strerror), source
        ) from None
    try:
        info = os.fstat(fd)
        _refuse_special(info.st_mode, source, directory)
        if info.st_size > limits.max_bytes:
            raise _too_large(info.st_size, limits, source)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return io.BufferedReader(_BoundedReader(fd, limits, source), 1024 * 1024)


def read_file(
    ref: Path | Traversable,
    limits: Limits = DEFAULT_LIMITS,
    missing: str = N_("no such file"),
    directory: str = N_("is a directory, not a file"),
) -> bytes:
    """A file's bytes, at most ``limits.max_bytes`` of them, from a regular file only.

    File-system failures become :class:`InputError` naming the file; ``missing`` and
    ``directory`` are the messages for a missing file and a folder. Files on disk go through
    :func:`open_file` (special files refused, never blocking); package resources (a plugin's
    files inside a zip) are read up to one byte past the limit.
    """
    if isinstance(ref, Path):
        with open_file(ref, limits, missing, directory) as stream:
            return stream.read()
    try:
        with ref.open("rb") as stream:
            raw: bytes = stream.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError.at("$", _(missing), str(ref)) from None
    except IsADirectoryError:
        raise InputError.at("$", _(directory), str(ref)) from None
    except PermissionError:
        raise InputError.at("$", _("permission denied"), str(ref)) from None
    if len(raw) > limits.max_bytes:
        raise _too_large(len(raw), limits, str(ref))
    return raw


def read_stream(stream: BinaryIO, source: str = "-", limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A stream's bytes (standard input, a socket's reader), at most ``limits.max_bytes``.

    The bound of :func:`read_file` for input that has no size to check beforehand: the stream is
    read in chunks up to one byte past the limit, and a stream that goes on is refused
    (``-: $: the input is over the limit of M bytes``) after reading no more than that. A text stream is read through its ``buffer``. It waits for the
    stream's end as any reader of a pipe does: the caller decides whether to read one at all.
    """
    binary: Any = getattr(stream, "buffer", stream)
    chunks: list[bytes] = []
    left = limits.max_bytes + 1
    try:
        while left:
            chunk = binary.read(min(left, 1024 * 1024))
            if not chunk:
                break
            if not isinstance(chunk, bytes):
                raise InputError.at("$", _("the stream gives text, not bytes"), source)
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError.at(
            "$", _("cannot read the stream: {reason}").format(reason=exc.strerror or exc), source
        ) from None
    if not left:
        raise InputError.at(
            "$",
            _("the input is over the limit of {limit:,} bytes").format(limit=limits.max_bytes),
            source,
        )
    return b"".join(chunks)


def read_data_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Plain data from a ``.json`` or ``.toml`` file, with file errors as :class:`InputError`."""
    path = file_path(path)
    fmt = _format_of(path)
    raw = read_file(path, limits)
    return (
        parse_json(raw, str(path), limits) if fmt == "json" else parse_toml(raw, str(path), limits)
    )


def _check_text(text: object) -> None:
    if not isinstance(text, str | bytes):
        raise InputError.at(
            "text", _("expected text or bytes, got {kind}").format(kind=type(text).__name__)
        )


def from_json(text: bytes | str, cls: type[T], source: str | None = None) -> T:
    """A model from JSON text."""
    _check_text(text)
    return structure(parse_json(text, source), cls, source)


def from_toml(text: bytes | str, cls: type[T], source: str | None = None) -> T:
    """A model from TOML text."""
    _check_text(text)
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
        with paused_gc():
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
        raise InputError.at(
            "obj",
            _("only a model written as a table can be TOML, not {kind}").format(
                kind=type(obj).__name__
            ),
        )
    return _toml_text(data)


# ---- documents ----------------------------------------------------------------------------------


def parse_document(data: object, source: str | None = None) -> Document:
    """A document from plain data carrying a ``kind`` tag (``"territorial_plan"``, ...)."""
    if not isinstance(data, Mapping):
        raise InputError.at(
            "$", _("expected a table/object, got {kind}").format(kind=kind_name(data)), source
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
            with_hint(
                _("{kind!r} is not a document kind; expected one of: {kinds}").format(
                    kind=kind, kinds=", ".join(DOCUMENT_KINDS)
                ),
                kind,
                DOCUMENT_KINDS,
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
    if not isinstance(document, tuple(DOCUMENT_KINDS.values())):
        raise InputError.at(
            "document",
            _("expected a document (Network, Alliance, Project...), got {kind}").format(
                kind=type(document).__name__
            ),
        )
    if fmt not in ("json", "toml"):
        raise InputError.at("fmt", _("unknown format {fmt!r}; use json or toml").format(fmt=fmt))
    data = {"kind": document_kind(document), **unstructure(document)}
    if fmt == "json":
        return _indented_json(data) + "\n"
    return _toml_text(data)
