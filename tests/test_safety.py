"""Loading never executes anything.

Two kinds of proof: the source never reaches for an executing loader (no pickle, eval, exec,
unsafe YAML, dynamic imports), and hostile inputs whose strings name modules and objects
(``!!python/object``, ``__class__``, ``module:attr``, entry-point syntax) import nothing: a
sentinel module that writes a file when imported is on ``sys.path``, ``sys.modules`` is compared
before and after, and the file never appears, in-process and through the CLI.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._errors import InputError
from conciliazione_core._host import Host
from conciliazione_core._indicators import parse_indicator_csv, parse_indicator_json
from conciliazione_core._serialisation import load_document, parse_document, parse_json, parse_toml

ROOT = Path(__file__).parents[1]

# ---- the source never reaches for an executing loader ----------------------------------------------

FORBIDDEN = {
    "pickle": re.compile(r"\b(c?pickle|dill|shelve|marshal|jsonpickle)\b"),
    "eval(": re.compile(r"(?<![\w.])eval\("),
    "exec(": re.compile(r"(?<![\w.])exec\("),
    "compile(": re.compile(r"(?<![\w.])compile\("),
    "yaml.load(": re.compile(r"\byaml\.(load|unsafe_load|full_load)\("),
    "__import__": re.compile(r"__import__"),
    "importlib.import_module": re.compile(r"import_module\b"),
    "importlib.util": re.compile(r"\b(spec_from_file_location|module_from_spec|find_spec)\b"),
    "os.system": re.compile(r"\bos\.(system|popen|exec\w*|spawn\w*)\b"),
    "subprocess": re.compile(r"\bsubprocess\b"),
}

# Reviewed uses, each outside every loader: (file, pattern name) -> why it is safe.
ALLOWED = {
    ("src/conciliazione_core/testing/_pytest_plugin.py", "importlib.import_module"): (
        "--conciliazione-plugin MODULE: a developer's command-line option of the test kit, "
        "never a document or data value"
    ),
    ("src/conciliazione_core/__init__.py", "importlib.import_module"): (
        "PEP 562 lazy names: the module comes from the package's fixed _HOMES table of its own "
        "private modules, looked up by the attribute name read, never a document or data value"
    ),
    ("src/conciliazione_core/_scaffold.py", "importlib.util"): (
        "find_spec on a top-level name matched by CYCLE_ID_PATTERN (no dots): it only looks up "
        "whether a package exists, importing nothing"
    ),
}


def _python_sources() -> list[Path]:
    out = sorted((ROOT / "src").rglob("*.py"))
    for plugin in sorted((ROOT / "plugins").iterdir()):
        out += sorted((plugin / "src").rglob("*.py"))
    return out


def test_no_executing_loader_in_the_library_or_plugins() -> None:
    found = []
    for path in _python_sources():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            for name, pattern in FORBIDDEN.items():
                if pattern.search(code) and (rel, name) not in ALLOWED:
                    found.append(f"{rel}:{number}: {name}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_scan_sees_what_it_looks_for() -> None:
    """The patterns match the calls they are meant to catch, and not their look-alikes."""
    hits = {
        "pickle": "import pickle",
        "eval(": "x = eval(text)",
        "exec(": "exec(code)",
        "compile(": "compile(src, 'f', 'exec')",
        "yaml.load(": "yaml.load(stream)",
        "__import__": "__import__('os')",
        "importlib.import_module": "importlib.import_module(name)",
        "os.system": "os.system('ls')",
    }
    for name, text in hits.items():
        assert FORBIDDEN[name].search(text), name
    assert not FORBIDDEN["eval("].search("ast.literal_eval(x)")
    assert not FORBIDDEN["compile("].search("re.compile(r'x')")
    assert all((ROOT / rel).is_file() for rel, _name in ALLOWED)


def test_no_yaml_reader_at_all(tmp_path: Path) -> None:
    """YAML is not an input format: a .yaml document is refused before it is read."""
    path = tmp_path / "doc.yaml"
    path.write_text("!!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown file type"):
        load_document(path)


# ---- hostile inputs import nothing -------------------------------------------------------------------

SENTINEL = "conciliazione_sentinel"
SENTINEL_SOURCE = """
import os
open(os.environ["CONCILIAZIONE_SENTINEL_FILE"], "w").write("imported")


class Boom:
    def __init__(self, *args, **kwargs):
        open(os.environ["CONCILIAZIONE_SENTINEL_FILE"], "w").write("called")


def run(*args, **kwargs):
    open(os.environ["CONCILIAZIONE_SENTINEL_FILE"], "w").write("called")
"""

NAMES = [
    SENTINEL,
    f"{SENTINEL}.Boom",
    f"{SENTINEL}:Boom",
    f"{SENTINEL}:run",
    f"!!python/object:{SENTINEL}.Boom",
    f"!!python/object/apply:{SENTINEL}.run",
    f"!!python/name:{SENTINEL}.run",
    f"ext://{SENTINEL}.run",
    f"__import__('{SENTINEL}')",
    "os.system",
]


def _hostile_documents() -> list[Any]:
    docs: list[Any] = []
    for name in NAMES:
        lead = {"id": name, "name": name, "kind": "company"}
        docs += [
            {"kind": name, "id": "x"},
            {"kind": "project", "id": name, "title": name, "lead": lead, "target": name},
            {"kind": "project", "id": "p", "title": "t", "lead": {**lead, "kind": name}},
            {"kind": "project", "id": "p", "title": "t", "lead": lead, "__class__": name},
            {"kind": "project", "id": "p", "title": "t", "lead": {**lead, "__class__": name}},
            {"py/object": name, "kind": "project"},
            {"$type": name, "kind": "network"},
            {"__reduce__": [name, []], "kind": "network"},
            {
                "kind": "network",
                "id": "n",
                "name": name,
                "agency": name,
                "lead": lead,
                "members": [{"body": {**lead, "nature": name}}],
            },
        ]
    return docs


@pytest.fixture
def sentinel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A module on sys.path that leaves a file behind if anything imports or calls it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / f"{SENTINEL}.py").write_text(SENTINEL_SOURCE, encoding="utf-8")
    marker = tmp_path / "sentinel-was-imported"
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("CONCILIAZIONE_SENTINEL_FILE", str(marker))
    yield marker
    sys.modules.pop(SENTINEL, None)


def _load_everything(call: Callable[[], object]) -> None:
    with contextlib.suppress(InputError):
        call()


def test_the_sentinel_works(sentinel: Path) -> None:
    """The control: importing the sentinel does leave the file."""
    __import__(SENTINEL)
    assert sentinel.read_text(encoding="utf-8") == "imported"


def _warm_up(host: Host) -> None:
    """Import every library module a normal load uses, so that only new imports show."""
    montagna = Path(str(files("lombardia_2020").joinpath("examples/montagna_2020_2023.toml")))
    host.check("lombardia-2020", load_document(montagna))
    cycle = host.cycle("lombardia-2020")
    assert cycle.allocation is not None
    assert cycle.reference_table() is not None
    _load_everything(lambda: parse_indicator_json('{"indicators": ["p"], "rows": []}'))


def test_documents_naming_code_import_nothing(sentinel: Path, tmp_path: Path) -> None:
    host = Host(environ={})
    _warm_up(host)
    before = set(sys.modules)
    for data in _hostile_documents():
        _load_everything(lambda data=data: parse_document(data))
        text = json.dumps(data)
        _load_everything(lambda text=text: parse_document(parse_json(text)))
        path = tmp_path / "doc.json"
        path.write_text(text, encoding="utf-8")
        _load_everything(lambda path=path: host.check("lombardia-2020", load_document(path)))
    for name in NAMES:
        toml = f'kind = "project"\nid = "p"\ntitle = {json.dumps(name)}\n[lead]\nid = "a"\n'
        toml += f'name = "b"\nkind = {json.dumps(name)}\n'
        _load_everything(lambda toml=toml: parse_document(parse_toml(toml)))
        csv_text = (
            f"id,name,p,source,reference_date,status\n{name},{name},1,{name},2020-01-01,{name}\n"
        )
        _load_everything(lambda csv_text=csv_text: parse_indicator_csv(csv_text))
    assert set(sys.modules) - before == set()
    assert not sentinel.exists()


def _cycle_copy(tmp_path: Path) -> Path:
    target = tmp_path / "lombardia_2020"
    shutil.copytree(
        Path(str(files("lombardia_2020"))), target, ignore=shutil.ignore_patterns("*.py*")
    )
    return target


def test_parameter_files_naming_code_import_nothing(sentinel: Path, tmp_path: Path) -> None:
    host = Host(environ={})
    _warm_up(host)
    folder = _cycle_copy(tmp_path)
    original = (folder / "cycle.toml").read_text(encoding="utf-8")
    shipped: Cycle = load_cycle(folder / "cycle.toml")
    before = set(sys.modules)
    edits = []
    for name in NAMES:
        q = json.dumps(name)
        edits += [
            original.replace('strategy = "largest_remainder"', f"strategy = {q}"),
            original.replace('kind = "proportional"', f"kind = {q}", 1),
            original.replace('level = "ATS"', f"level = {q}"),
            original.replace('id = "lombardia-2020"', f"id = {q}"),
            original + f"\n[plugin]\nfactory = {q}\n",
            original.replace("[cycle]", f"[cycle]\nhook = {q}"),
            original.replace('population = "data/ats_population_2019.csv"', f"population = {q}"),
        ]
    for text in edits:
        (folder / "cycle.toml").write_text(text, encoding="utf-8")

        def load_and_use() -> None:
            cycle = load_cycle(folder / "cycle.toml")
            _ = cycle.allocation
            cycle.reference_table()

        _load_everything(load_and_use)
    for name in NAMES:
        for path in ("allocation.rounding.strategy", "allocation.envelopes.ats.kind", "cycle.id"):
            for value in (name, json.dumps(name)):
                _load_everything(lambda a=f"{path}={value}": shipped.with_overrides([a]).allocation)
    assert set(sys.modules) - before == set()
    assert not sentinel.exists()


def test_the_cli_imports_nothing_named_by_its_inputs(tmp_path: Path) -> None:
    """The same through the installed command, in a fresh process with the sentinel importable."""
    site = tmp_path / "site"
    site.mkdir()
    (site / f"{SENTINEL}.py").write_text(SENTINEL_SOURCE, encoding="utf-8")
    marker = tmp_path / "marker"
    env = {k: v for k, v in os.environ.items() if k != "CONCILIAZIONE_PLUGINS"}
    env.update(PYTHONPATH=str(site), CONCILIAZIONE_SENTINEL_FILE=str(marker))
    cli = str(Path(sys.executable).parent / "conciliazione")
    runs = []
    for i, data in enumerate(_hostile_documents()[:: len(NAMES) // 3 or 1]):
        doc = tmp_path / f"doc{i}.json"
        doc.write_text(json.dumps(data), encoding="utf-8")
        runs.append(["check", "lombardia-2020", str(doc)])
    table = tmp_path / "data.csv"
    table.write_text(
        f"id,name,resident_2019_01_01,source,reference_date,status\n"
        f"{SENTINEL},{SENTINEL}:run,1,{SENTINEL}.Boom,2019-01-01,official\n",
        encoding="utf-8",
    )
    runs.append(["allocate", "lombardia-2020", "--data", str(table)])
    runs.append(
        ["allocate", "lombardia-2020", "--set", f"allocation.rounding.strategy={SENTINEL}:run"]
    )
    runs.append(["allocate", "lombardia-2020", "--explain", f"{SENTINEL}.run"])
    for args in runs:
        done = subprocess.run([cli, *args], env=env, capture_output=True, timeout=120, check=False)
        assert done.returncode in (0, 1, 2), done.stderr
    assert not marker.exists()
