"""Reading and writing the library's models as JSON and TOML (cattrs).

Strict by design: unknown fields, wrong types, floats where money is expected, text where a number
is expected, NaN, duplicate keys and over-deep or over-large inputs are refused with an
:class:`~conciliazione_core._errors.InputError` that lists every bad place with its path
(``$.projects[1].lead.kind``). Nothing is coerced silently: ``"5"`` is not an int and ``5`` is not
text. Money is written as a decimal string with two decimals, dates as ISO strings.

Split by concern, as cattrs is: the converter and its strict hooks (``_converter``), the paths of
structuring errors (``_structure_errors``) and the text formats and limits (``_formats``); this
module is their public face.
"""

from __future__ import annotations

from conciliazione_core._converter import parse_fraction, structure, unstructure
from conciliazione_core._formats import (
    DEFAULT_LIMITS,
    Limits,
    dump_document,
    from_json,
    from_toml,
    huge_integer_path,
    load_document,
    parse_document,
    parse_json,
    parse_toml,
    read_data_file,
    read_file,
    to_json,
    to_toml,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "dump_document",
    "from_json",
    "from_toml",
    "huge_integer_path",
    "load_document",
    "parse_document",
    "parse_fraction",
    "parse_json",
    "parse_toml",
    "read_data_file",
    "read_file",
    "structure",
    "to_json",
    "to_toml",
    "unstructure",
]
