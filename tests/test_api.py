"""The public API: everything in ``__all__`` exists, and embedding the core takes ten lines."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

import conciliazione_core

MODULES = [
    "audit",
    "bodies",
    "cycle",
    "documents",
    "errors",
    "findings",
    "hookspecs",
    "host",
    "identity",
    "legal",
    "money",
    "municipality",
    "provenance",
    "rules",
    "schema",
    "serialisation",
    "territory",
]


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
