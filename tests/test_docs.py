"""The documentation is tested: its examples run, its generated pages cover the code.

- Every fenced ``python`` block of ``docs/**/*.md`` is executed, page by page in order, sharing
  one namespace per page. A block whose info string contains ``no-run``
  (```` ```{.python .no-run} ````) is skipped; keep those rare.
- The tutorial's parameter file loads with ``load_cycle`` and passes the conformance kit in the
  package ``conciliazione new-cycle`` generates.
- The generated parts (glossary of body kinds, finding codes, CLI reference, cycle pages) cover
  everything in the code they are generated from; the hooks page documents every hookspec.

The site build itself (``mkdocs build --strict``) is ``make docs``.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import shutil
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
import yaml  # type: ignore[import-untyped]

import conciliazione_core as cc
from conciliazione_core import hookspecs
from conciliazione_core._bodies import BodyKind
from conciliazione_core._rules import FINDING_CODES
from conciliazione_core.cli import cli
from conciliazione_core.i18n import language

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TUTORIAL_CYCLE = DOCS / "tutorial" / "intesa_2010.cycle.toml"
TUTORIAL_EXAMPLES = DOCS / "tutorial" / "examples"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


def _load_hook() -> ModuleType:
    path = DOCS / "hooks" / "conciliazione_docs.py"
    spec = importlib.util.spec_from_file_location("conciliazione_docs_hook", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)


def code_blocks(text: str) -> Iterator[tuple[int, str, str]]:
    """``(line number, info string, code)`` of every fenced block, dedented to its fence."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        start = i + 1
        body: list[str] = []
        i += 1
        while i < len(lines):
            line = lines[i]
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                break
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        yield start, info, "\n".join(body) + "\n"


def _is_python(info: str) -> bool:
    words = re.split(r"[\s{}.]+", info)
    return "python" in words or "py" in words


def python_blocks(page: Path) -> list[tuple[int, str, str]]:
    return [b for b in code_blocks(page.read_text("utf-8")) if _is_python(b[1])]


PAGES_WITH_CODE = [p for p in _pages() if python_blocks(p)]


def test_the_fence_parser_finds_indented_blocks_and_no_run_markers() -> None:
    text = (
        "text\n\n```python\nx = 1\n```\n\n"
        '??? example "x"\n\n    ```python\n    y = 2\n    ```\n\n'
        "```{.python .no-run}\nraise SystemExit\n```\n\n```toml\na = 1\n```\n"
    )
    blocks = [(info, code) for _, info, code in code_blocks(text) if _is_python(info)]
    assert blocks == [
        ("python", "x = 1\n"),
        ("python", "y = 2\n"),
        ("{.python .no-run}", "raise SystemExit\n"),
    ]


def test_the_pages_have_examples_to_run() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in PAGES_WITH_CODE}
    assert {"index.md", "plugins.md", "parameters.md", "tutorial/add-a-cycle.md"} <= names


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_python_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CONCILIAZIONE_PLUGINS", raising=False)
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    rel = page.relative_to(DOCS).as_posix()
    with language("en"):
        for line, info, code in python_blocks(page):
            if "no-run" in info:
                continue
            compiled = compile(code, f"docs/{rel}:{line}", "exec")
            exec(compiled, namespace)


# ---- the tutorial ----------------------------------------------------------------------------


def test_the_tutorial_cycle_file_loads() -> None:
    cycle = cc.load_cycle(TUTORIAL_CYCLE)
    assert cycle.id == "intesa-2010"
    # A cycle that is not shipped: the tutorial must not duplicate an installed one.
    assert cycle.id not in cc.cycles()
    assert len(cycle.recipients) == 21
    assert "LOMBARDIA" in {r.id for r in cycle.recipients}
    plan = cycle.allocation
    assert plan is not None
    assert plan.total == cc.Money.parse("40000000")
    [envelope] = plan.envelopes
    assert isinstance(envelope, cc.allocation.ProportionalEnvelope)
    assert dict(envelope.weights) == {
        "children_0_3": Fraction(1, 2),
        "female_employment_15_49": Fraction(1, 5),
        "female_unemployment_15_49": Fraction(3, 20),
        "mothers_on_leave": Fraction(3, 20),
    }
    # No indicator value is shipped (none is known): the allocation waits for --data.
    assert cycle.reference_table() is None
    assert cc.allocate(cycle).pending[0].missing == tuple(sorted(r.id for r in cycle.recipients))
    # No rule is known, so none is set (only the core's plain-sense checks, which every cycle
    # has); what no source states is an inference.
    assert {name: s.basis for name, s in cycle.rules.items()} == dict.fromkeys(
        ("dates", "figures", "coherence", "bodies"), "plain_sense"
    )
    assert cycle.cite("criteria").evidence is cc.Evidence.SOURCE
    for key in ("fourth_weight", "combine_shares", "recipients", "period"):
        assert cycle.cite(key).evidence is cc.Evidence.INFERENCE, key
        assert cycle.cite(key).note


def test_the_tutorial_page_includes_the_cycle_file_and_the_commands() -> None:
    text = (DOCS / "tutorial" / "add-a-cycle.md").read_text("utf-8")
    assert '--8<-- "docs/tutorial/intesa_2010.cycle.toml"' in text
    for example in sorted(TUTORIAL_EXAMPLES.iterdir()):
        assert f'--8<-- "docs/tutorial/examples/{example.name}"' in text
    for command in (
        "conciliazione new-cycle intesa-2010 --dir plugins/intesa_2010",
        "pip install -e plugins/intesa_2010",
        "conciliazione cycles",
        "conciliazione check intesa-2010",
        "conciliazione allocate intesa-2010",
        "conciliazione allocate intesa-2010 --template",
        "pytest -q --conciliazione-cycle intesa-2010",
        "conciliazione diff lombardia-2014 intesa-2010",
    ):
        assert command in text, command


def test_the_tutorial_cycle_passes_the_conformance_kit_in_a_generated_package(
    tmp_path: Path,
) -> None:
    """What the tutorial does, minus pip: scaffold a blank package, replace cycle.toml and the
    examples."""
    from conciliazione_core._scaffold import render_scaffold
    from conciliazione_core.testing._conformance import CHECKS, run_check

    for rel, content in render_scaffold("intesa-2010").items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    package = tmp_path / "src" / "intesa_2010"
    assert (package / "cycle.toml").is_file()
    shutil.rmtree(package / "examples")
    shutil.copytree(TUTORIAL_EXAMPLES, package / "examples")
    shutil.copyfile(TUTORIAL_CYCLE, package / "cycle.toml")
    cycle = cc.load_cycle(package / "cycle.toml")
    host = cc.Host()
    problems = {check: run_check(check, cycle, host, max_examples=10) for check in CHECKS}
    assert problems == {check: [] for check in CHECKS}


# ---- generated parts cover the code ----------------------------------------------------------


def test_the_glossary_covers_every_body_kind() -> None:
    source = (DOCS / "glossary.md").read_text("utf-8")
    assert "<!-- conciliazione:body-kinds -->" in source
    rendered = hook.expand_markers(source)
    for kind in BodyKind:
        assert f"`{kind.value}`" in rendered, kind
        assert kind.italian in rendered, kind


def test_the_glossary_has_every_term_of_the_domain_notes() -> None:
    text = (DOCS / "glossary.md").read_text("utf-8")
    for term in (
        "Rete territoriale di conciliazione",
        "Alleanza locale di conciliazione",
        "capofila",
        "Accordo di collaborazione",
        "Piano territoriale",
        "azione di sistema",
        "D.G.R.",
        "decreto attuativo",
        "ASL (Azienda Sanitaria Locale)",
        "ATS (Agenzia di Tutela della Salute)",
        "Ambito territoriale",
        "Consigliera di Parità",
        "cofinanziamento",
        "rendicontazione",
        "destinatari",
    ):
        assert term in text, term


def _hookspec_names() -> list[str]:
    return sorted(
        name
        for name, value in vars(hookspecs).items()
        if callable(value) and hasattr(value, f"{hookspecs.PROJECT}_spec")
    )


def _top_level_args(text: str) -> list[str]:
    """``a: X[Y, Z], b: W`` -> ``["a: X[Y, Z]", "b: W"]`` (commas inside brackets kept)."""
    args, depth, current = [], 0, ""
    for char in text:
        depth += char in "[("
        depth -= char in "])"
        if char == "," and depth == 0:
            args.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        args.append(current)
    return args


def test_every_hookspec_is_documented_on_the_hooks_page() -> None:
    names = _hookspec_names()
    assert {"conciliazione_checks", "conciliazione_cycles"} <= set(names)
    text = (DOCS / "plugins.md").read_text("utf-8")
    for name in names:
        assert f"### `{name}`" in text, f"{name} has no section on docs/plugins.md"
        signature = re.search(rf"^{name}\((.*)\) ->", text, re.M)
        assert signature, f"{name} has no signature"
        # The documented arguments are the hookspec's, by name and in order.
        documented = [a.split(":")[0].strip() for a in _top_level_args(signature.group(1))]
        expected = list(inspect.signature(getattr(hookspecs, name)).parameters)
        assert documented == expected, f"{name}: documented {documented}, hookspec {expected}"
        # ...and the section has an example implementing it with those names (a subset, as
        # pluggy allows), so a renamed argument breaks the docs test, not a plugin author.
        section = re.split(r"\n##+ ", text.split(f"### `{name}`", 1)[1], maxsplit=1)[0]
        example = re.search(rf"def {name}\(([^)]*)\)", section)
        assert example, f"{name} has no example implementing it on docs/plugins.md"
        used = [a.split(":")[0].strip() for a in example[1].split(",") if a.strip()]
        assert set(used) - {"self"} <= set(expected), f"{name}'s example takes {used}"
    assert "::: conciliazione_core.hookspecs" in text
    for word in (
        "CONCILIAZIONE_PLUGINS",
        "[project.entry-points.conciliazione]",
        '[project.entry-points."conciliazione.cycles"]',
        "Fault isolation",
        "wrapper=True",
        "enable_tracing",
    ):
        assert word in text


def test_every_finding_code_is_in_the_parameter_table() -> None:
    registry = cc.default_host().rules
    assert set(registry.codes) >= set(FINDING_CODES)
    table = hook.finding_codes_md()
    for section, rule in registry.rules.items():
        for code in rule.codes:
            assert code.when, f"{code.code} does not say when it is emitted"
            row = rf"^\| `{code.code}` \| {code.severity.value} \| `\[rules\.{section}\]`"
            assert re.search(row, table, re.M), code.code
    assert "<!-- conciliazione:finding-codes -->" in (DOCS / "parameters.md").read_text("utf-8")


def _commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _commands(sub, f"{path} {name}")


def test_the_cli_reference_covers_every_command_and_option() -> None:
    text = hook.cli_md(cli)
    for path, command in _commands(cli, "conciliazione"):
        assert f"`{path}`" in text, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.opts[0] in text, f"{path} {param.opts[0]}"


@pytest.mark.parametrize("cycle_id", sorted(cc.cycles()))
def test_each_cycle_page_shows_its_parameters(cycle_id: str) -> None:
    cycle = cc.get_cycle(cycle_id)
    page = hook.cycle_md(cycle)
    assert page.startswith(f"# {cycle.title}\n")
    for key in cycle.citations:
        assert f'<a id="cite-{key}"></a>' in page, key
    for assumption in cycle.assumptions:
        assert f"`{assumption.id}`" in page
    for example in cycle.examples:
        assert f"### `{example.file}`" in page
        assert "differs from the expected outcome" not in page
    # The allocation table is computed by the engine: one row per recipient, and the books balance.
    assert "engine is not available" not in page
    section = page.split("## Allocation computed by the engine", 1)[1].split("\n## ", 1)[0]
    for recipient in cycle.recipients:
        assert re.search(rf"^\| {re.escape(recipient.id)} \|", section, re.M), recipient.id
    plan = cycle.allocation
    assert plan is not None
    assert f"- Total: {plan.total.format()} = " in section


def test_each_cycle_page_shows_the_provenance_of_every_data_row() -> None:
    cycle = cc.get_cycle("lombardia-2020")
    page = hook.cycle_md(cycle)
    for column in ("`source`", "`reference_date`", "`status`", "`method`"):
        assert column in page
    assert page.count("| derived |") >= 3
    assert '!!! warning "Not official"' in page


def test_the_cycles_index_lists_every_installed_cycle() -> None:
    text = hook.cycles_index_md()
    for cycle_id in cc.cycles():
        assert f"[{cycle_id}]({cycle_id}.md)" in text


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    listed = set(hook._nav_files(config["nav"]))
    on_disk = {p.relative_to(DOCS).as_posix() for p in _pages()}
    generated = {f"cycles/{c}.md" for c in cc.cycles()} | set(hook.OTHERS_PAGES)
    assert on_disk - listed == set()
    assert listed - on_disk - generated == set()


def test_every_snippet_include_exists() -> None:
    for page in _pages():
        for target in re.findall(r'--8<-- "([^"]+)"', page.read_text("utf-8")):
            assert (ROOT / target).is_file(), f"{page.name}: {target}"


def test_unknown_markers_are_left_visible() -> None:
    assert hook.expand_markers("<!-- conciliazione:nope -->") == "<!-- conciliazione:nope -->"


def test_the_changelog_page_reads_the_changelog(tmp_path: Path) -> None:
    assert "No changelog" in hook.changelog_md(tmp_path)
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 0.1.0\n\n- First.\n", "utf-8")
    assert hook.changelog_md(tmp_path) == "\n## 0.1.0\n\n- First.\n"


def _griffe_extension() -> ModuleType:
    spec = importlib.util.spec_from_file_location("griffe_rst", DOCS / "hooks" / "griffe_rst.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rest_docstring_extension_renders_markdown() -> None:
    convert = _griffe_extension().rest_to_markdown
    text = "See :class:`~conciliazione_core.Body`::\n\n    x = 1\n\n>>> 1 + 1\n2\n\n.. versionadded:: 0.1"
    assert convert(text) == (
        "See `conciliazione_core.Body`:\n\n    x = 1\n\n```pycon\n>>> 1 + 1\n2\n```\n\n"
        "*Added in version 0.1.*"
    )


def test_the_rest_docstring_extension_turns_definition_lists_into_markdown_ones() -> None:
    convert = _griffe_extension().rest_to_markdown
    text = (
        "The checks are:\n\n``a``\n    first,\n    more.\n``b``\n    second.\n\n* item\n  wrapped"
    )
    assert convert(text) == (
        "The checks are:\n\n``a``\n:   first,\n    more.\n\n``b``\n:   second.\n\n* item\n  wrapped"
    )


def test_an_installed_cycle_missing_from_the_nav_is_added_to_the_cycles_section(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section: list[dict[str, str]] = [
        {"Shipped cycles": "cycles/index.md"},
        {"a": "cycles/lombardia-2014.md"},
    ]
    hook.on_config({"nav": [{"Home": "index.md"}, {"Cycles": section}]})
    assert {"lombardia-2020": "cycles/lombardia-2020.md"} in section
    assert section.count({"a": "cycles/lombardia-2014.md"}) == 1
    assert len(section) == 1 + len(cc.cycles())


def test_both_shipped_cycles_have_their_chart_in_the_docs() -> None:
    page = (DOCS / "cycles" / "index.md").read_text(encoding="utf-8")
    for cycle_id in ("lombardia-2020", "lombardia-2014"):
        assert f"](../img/{cycle_id}.svg)" in page
        chart = DOCS / "img" / f"{cycle_id}.svg"
        assert chart.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
