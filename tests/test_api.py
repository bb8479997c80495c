"""The public API: everything in ``__all__`` exists, and embedding the core takes ten lines."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import conciliazione_core

MODULES = [
    "_audit",
    "_bodies",
    "_cycle",
    "_documents",
    "_errors",
    "_findings",
    "hookspecs",
    "_host",
    "_identity",
    "_legal",
    "_money",
    "_municipality",
    "_provenance",
    "_rules",
    "_schema",
    "_serialisation",
    "_territory",
]

PUBLIC_MODULES = {"allocation", "cli", "hookspecs", "i18n", "server", "testing"}
"""The package's public namespaces besides its ``__init__`` (as attrs has ``attrs.validators``):
the allocation engine, the command, the plugin contract, languages, the HTTP API and the kit."""


def test_the_implementation_lives_in_private_modules() -> None:
    """attrs' layout: every other module is private and the public API is re-exported by the
    package's ``__init__`` (and ``allocation``'s, ``cli``'s, ``testing``'s, ``server``'s)."""
    import pkgutil

    for package in (conciliazione_core, *map(importlib.import_module, _SUBPACKAGES)):
        public = [
            m.name
            for m in pkgutil.iter_modules(package.__path__)
            if not m.name.startswith("_") and not m.ispkg
        ]
        expected = sorted(PUBLIC_MODULES - {"allocation", "cli", "server", "testing"})
        assert public == (expected if package is conciliazione_core else []), package.__name__


_SUBPACKAGES = (
    "conciliazione_core.allocation",
    "conciliazione_core.cli",
    "conciliazione_core.server",
    "conciliazione_core.testing",
)


def test_top_level_names_exist() -> None:
    names = conciliazione_core.__all__
    assert len(names) == len(set(names))
    missing = [n for n in names if not hasattr(conciliazione_core, n)]
    assert missing == []
    assert conciliazione_core.__version__ == "0.1.0"


@pytest.mark.parametrize("module", MODULES)
def test_module_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(f"conciliazione_core.{module}")
    names = loaded.__all__
    assert len(names) == len(set(names))
    assert [n for n in names if not hasattr(loaded, n)] == []


def test_top_level_shortcuts(montagna_path: Path) -> None:
    assert {"lombardia-2014", "lombardia-2020"} <= set(conciliazione_core.cycles())
    cycle = conciliazione_core.get_cycle("lombardia-2020")
    report = conciliazione_core.check(cycle, conciliazione_core.load_document(montagna_path))
    assert report.admissible
    with pytest.raises(conciliazione_core.CycleNotFoundError):
        conciliazione_core.get_cycle("lombardia-1999")


EMBEDDING_EXAMPLE = """\
from importlib.resources import files
import conciliazione_core as cc

cycle = cc.get_cycle("lombardia-2020")
plan = cc.load_document(files("lombardia_2020") / "examples" / "montagna_2020_2023.toml")
report = cc.check(cycle, plan, name="ATS Montagna 2020-2023")
print(report.document, "admissible" if report.admissible else "NOT admissible")
for f in report.findings:
    print(f.severity.value, f.code, f.path, "-", f.legal_basis)
"""


def test_ten_line_embedding_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(EMBEDDING_EXAMPLE.splitlines()) <= 10
    exec(compile(EMBEDDING_EXAMPLE, "embedding_example.py", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ATS Montagna 2020-2023 admissible"
    assert len(lines) == 6
    assert lines[1].startswith("info BUDGET_NOT_STATED $.projects[0].requested - D.G.R.")


def test_embedding_a_check_on_a_document_built_in_code() -> None:
    cc = conciliazione_core
    lead = cc.Body(id="acme", name="ACME S.p.A.", kind=cc.BodyKind.COMPANY)
    project = cc.Project(id="p", title="Maggiordomo aziendale", lead=lead, service_types=("C",))
    report = cc.check("lombardia-2020", project)
    assert not report.admissible
    assert report.codes(cc.Severity.ERROR) == ["LEAD_NOT_ADMITTED"]
    assert cc.parse_document(json.loads(cc.dump_document(project))) == project
    assert cc.from_toml(cc.to_toml(project), cc.Project) == project


# ---- allocate, explain, dump: what the command line prints, without it ---------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from conciliazione_core.cli import main

    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
@pytest.mark.parametrize("cycle_id", ["lombardia-2014", "lombardia-2020"])
def test_allocate_and_dump_give_what_the_command_prints(
    cycle_id: str, fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cc = conciliazione_core
    cycle = cc.get_cycle(cycle_id)
    result = cc.allocate(cycle_id)
    assert result.total == cycle.allocation.total  # type: ignore[union-attr]
    monkeypatch.setenv("COLUMNS", "90")  # the command fits the table to the terminal
    dumped = cc.dump_allocation(result, fmt, cycle=cycle, width=90)
    code, out, _err = _cli(capsys, "allocate", cycle_id, "--format", fmt)
    assert code == (1 if result.pending else 0)
    assert out.startswith(dumped)
    if fmt == "json":
        assert json.loads(dumped)["cycle"] == cycle_id


def test_allocate_with_overrides_a_table_and_explain_in_italian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cc = conciliazione_core
    cycle = cc.get_cycle("lombardia-2020")
    table = cycle.reference_table()
    result = cc.allocate(
        cycle, table, overrides=["allocation.rounding.unit=0.01"], explain=["ATS-MONTAGNA"]
    )
    assert result.what_if == ("allocation.rounding.unit=0.01",)
    assert result.total == cycle.allocation.total  # type: ignore[union-attr]
    italian = cc.explain(result, "ATS-MONTAGNA", lang="it")
    english = cc.explain(result, "ATS-MONTAGNA")
    assert "riceve" in italian
    assert "receives" in english
    monkeypatch.setenv("COLUMNS", "100")
    italian = cc.explain(result, "ATS-MONTAGNA", lang="it", width=100)
    _code, out, _err = _cli(
        capsys,
        "--lang",
        "it",
        "allocate",
        "lombardia-2020",
        "--set",
        "allocation.rounding.unit=0.01",
        "--explain",
        "ATS-MONTAGNA",
    )
    assert italian in out


def _plan() -> Any:
    cc = conciliazione_core
    lead = cc.Body(id="acme", name="ACME S.p.A.", kind=cc.BodyKind.COMPANY)
    return cc.Project(id="p", title="t", lead=lead, service_types=("C",))


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda cc: cc.allocate(42), "cycle"),
        (lambda cc: cc.allocate("lombardia-2020", "data.csv"), "table"),
        (lambda cc: cc.allocate("lombardia-2020", overrides="a=1"), "overrides"),
        (lambda cc: cc.allocate("lombardia-2020", explain="ATS-PAVIA"), "explain"),
        (lambda cc: cc.allocate("lombardia-2020", explain=["ATS-NOWHERE"]), "explain"),
        (lambda cc: cc.allocate("lombardia-2020", lang="fr"), "lang"),
        (lambda cc: cc.check("lombardia-2020", None), "document"),
        (lambda cc: cc.check(None, _plan()), "cycle"),
        (lambda cc: cc.dump_allocation(cc.allocate("lombardia-2020"), "xml"), "format"),
        (lambda cc: cc.explain(cc.allocate("lombardia-2020"), "ATS-NOWHERE"), None),
    ],
    ids=[
        "cycle",
        "table",
        "overrides",
        "explain-text",
        "explain-unknown",
        "lang",
        "document",
        "check-cycle",
        "format",
        "explain-id",
    ],
)
def test_api_misuse_is_an_input_error_naming_the_argument(call: Any, path: str | None) -> None:
    with pytest.raises(conciliazione_core.InputError) as info:
        call(conciliazione_core)
    if path is not None:
        assert info.value.problems[0].path == path


def test_allocate_refuses_a_cycle_without_an_allocation() -> None:
    cc = conciliazione_core
    cycle = cc.get_cycle("lombardia-2020")
    bare = attrs.evolve(cycle, plan=None)
    with pytest.raises(cc.InputError, match="defines no allocation"):
        cc.allocate(bare)


def test_check_in_a_language_leaves_the_current_one(montagna_path: Path) -> None:
    """A report holds codes and arguments; each message is rendered when read, in the reader's
    language, so the same report reads in Italian and in English."""
    from conciliazione_core.i18n import current_language, language

    cc = conciliazione_core
    lead = cc.Body(id="acme", name="ACME S.p.A.", kind=cc.BodyKind.COMPANY)
    project = cc.Project(id="p", title="Maggiordomo aziendale", lead=lead, service_types=("C",))
    italian = cc.check("lombardia-2020", project, lang="it")
    assert current_language() == "en"
    english = cc.check("lombardia-2020", project)
    assert italian == english
    read_in_english = [f.message for f in italian.findings]
    with language("it"):
        read_in_italian = [f.message for f in italian.findings]
    assert read_in_english[0].startswith("Project Maggiordomo aziendale is led by ACME S.p.A.")
    assert read_in_italian[0].startswith("Progetto «Maggiordomo aziendale»: il capofila è «ACME")


def test_the_readme_embedding_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    """README's 'Embed it' is the first code an app developer copies: it must work as written."""
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Embed it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md:embed-{i}", "exec"), {})
    out = capsys.readouterr().out
    assert "lombardia-2020 True" in out
    assert "lombardia-2014 False" in out
    assert "ATS-MONTAGNA," in out  # the CSV
    assert "SIMULAZIONE" in out  # the what-if explanation, in Italian
