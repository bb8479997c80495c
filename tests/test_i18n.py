"""Messages in English and Italian: the catalogue is complete, compiled, and chosen as documented.

The messages are extracted from the source at test time with Babel, exactly as ``make
catalogues`` does, so a new ``_("...")`` without an Italian translation fails here.
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conciliazione_core import i18n
from conciliazione_core._findings import FindingCode, Severity
from conciliazione_core._rule_registry import core_registry
from conciliazione_core._rules import FINDING_CODES, finding
from conciliazione_core.cli import main
from conciliazione_core.i18n import (
    DOMAIN,
    EXTRACT_KEYWORDS,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    _,
    current_language,
    language,
    language_from_environment,
    ngettext,
    set_language,
)

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "it" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
POT = LOCALE_DIR / f"{DOMAIN}.pot"
EXAMPLES = ROOT / "plugins" / "lombardia_2020" / "src" / "lombardia_2020" / "examples"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
RERUN = "run `make catalogues` and translate the new messages in " + str(PO.relative_to(ROOT))

Msgid = str | tuple[str, ...]


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Every test leaves the process's language as it found it."""
    token = i18n._language.set(i18n._language.get())
    yield
    i18n._language.reset(token)


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables one line per row, so that a sentence is found whole (80 columns would wrap it)."""
    monkeypatch.setenv("COLUMNS", "400")


def _source_dirs() -> list[Path]:
    return [ROOT / "src", ROOT / "plugins"]


def _extracted() -> dict[Msgid, set[str]]:
    """msgid (a tuple for plurals) -> files, extracted the way `make catalogues` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")  # type: ignore[no-untyped-call]
    found: dict[Msgid, set[str]] = {}
    for folder in _source_dirs():
        for filename, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, options_map, keywords=EXTRACT_KEYWORDS
        ):
            found.setdefault(message, set()).add(f"{folder.name}/{filename}")
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[Msgid, set[str]]:
    return _extracted()


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f)


def _forms(text: object) -> tuple[str, ...]:
    """A catalogue entry's msgid or msgstr as a tuple of forms (one unless plural)."""
    if isinstance(text, str):
        return (text,)
    if isinstance(text, tuple | list):
        return tuple(str(t or "") for t in text)
    return ("",)


def _fields(text: str) -> list[tuple[str, str, str]]:
    """The replacement fields of a str.format template: (name, conversion, spec), sorted."""
    return sorted(
        (name, conversion or "", spec or "")
        for _lit, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )


# ---- the catalogue is complete ------------------------------------------------------------------


def test_extraction_finds_the_finding_templates_and_cli_strings(
    extracted: dict[Msgid, set[str]],
) -> None:
    # A sanity check of the extraction itself: the N_-marked templates and plain _() strings.
    for _severity, template in FINDING_CODES.values():
        assert template in extracted
    assert "public body" in extracted
    assert "NOT admissible" in extracted
    assert ("(and {n} more problem)", "(and {n} more problems)") in extracted


def test_every_message_has_an_italian_translation(
    extracted: dict[Msgid, set[str]], catalogue: Catalog
) -> None:
    problems = []
    for msgid, files in sorted(extracted.items(), key=str):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalogue.get(key)
        where = ", ".join(sorted(files))
        if message is None:
            problems.append(f"not in the catalogue: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy, to be reviewed: {msgid!r} ({where})")
        elif isinstance(msgid, tuple) != isinstance(message.id, tuple):
            problems.append(f"plural forms differ from the source: {msgid!r} ({where})")
        else:
            forms = _forms(message.string)
            if not forms or not all(form.strip() for form in forms):
                problems.append(f"no Italian text: {msgid!r} ({where})")
    assert not problems, RERUN + ":\n" + "\n".join(problems)


def test_the_catalogues_hold_exactly_the_source_messages(
    extracted: dict[Msgid, set[str]], catalogue: Catalog
) -> None:
    """No stale entry: a message removed from the code is removed from the .po and .pot too."""
    source = {m[0] if isinstance(m, tuple) else m for m in extracted}
    in_po = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
    with POT.open("rb") as f:
        in_pot = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f) if m.id}
    assert in_po == source, f"{RERUN}; stale: {sorted(in_po - source)}"
    assert in_pot == source, f"{RERUN}; stale: {sorted(in_pot - source)}"
    assert not catalogue.obsolete


def test_placeholders_are_identical_in_msgid_and_msgstr(catalogue: Catalog) -> None:
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids, strings = _forms(message.id), _forms(message.string)
        # Italian has two forms like English: form i translates msgid i.
        for source, text in zip(ids, strings, strict=False):
            if not text:
                continue  # untranslated: the completeness test reports it
            try:
                want, got = _fields(source), _fields(text)
            except ValueError as exc:
                problems.append(f"{source!r} -> {text!r}: not a valid template ({exc})")
                continue
            if want != got:
                problems.append(f"{source!r} -> {text!r}: {want} != {got}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_declares_italian_plural_forms(catalogue: Catalog) -> None:
    assert str(catalogue.locale) == "it"
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"


def _translations_of(mo: gettext.GNUTranslations) -> dict[object, str]:
    """The messages of a compiled catalogue, without its header (the "" entry).

    The header names the tool that wrote it ("Generated-By: Babel 2.18.0"), which changes with
    every Babel release and says nothing about the translations.
    """
    return {k: v for k, v in mo._catalog.items() if k != ""}  # type: ignore[attr-defined]


def test_the_compiled_mo_matches_the_po(catalogue: Catalog) -> None:
    """The shipped .mo is the .po compiled: messages, plural forms and plural rule agree.

    Fuzzy entries are left out of a compiled catalogue, so a message flagged fuzzy in the .po
    but translated in the .mo (or the reverse) fails here too.
    """
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)
    with MO.open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert _translations_of(shipped) == _translations_of(fresh), (
        "the .mo is stale: run `make catalogues`"
    )
    assert [shipped.plural(n) for n in range(4)] == [fresh.plural(n) for n in range(4)]
    assert shipped.info().get("plural-forms") == fresh.info().get("plural-forms")
    assert len(_translations_of(shipped)) > len(FINDING_CODES)


def test_the_shipped_catalogue_loads_from_the_package() -> None:
    translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=["it"])
    assert isinstance(translations, gettext.GNUTranslations)
    assert translations.gettext("NOT admissible") == "NON ammissibile"


def test_the_makefile_extracts_with_the_same_keywords() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\ncatalogues:") :]
    flags = set(re.findall(r"-k (\S+)", recipe.split("\n\n")[0]))
    expected = {
        name if spec is None else f"{name}:{','.join(map(str, spec))}"
        for name, spec in EXTRACT_KEYWORDS.items()
    }
    assert flags == expected
    assert "--no-default-keywords" in recipe


# ---- every marked string is one Babel can see ----------------------------------------------------

_MARKERS = set(EXTRACT_KEYWORDS)


def _marker_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _MARKERS
        ):
            yield node


def _python_files() -> Iterator[Path]:
    for folder in _source_dirs():
        for path in sorted(folder.rglob("*.py")):
            if "tests" not in path.parts and "build" not in path.parts:
                yield path


def test_every_marker_call_is_extracted(extracted: dict[Msgid, set[str]]) -> None:
    """Catch what Babel silently skips: ``_(f"...")``, ``_("a" + b)``, a ``_()`` inside an
    f-string (invisible to Babel's tokenizer on Python 3.11), a literal in a variable's place.
    """
    singulars = {m[0] if isinstance(m, tuple) else m for m in extracted}
    problems = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for call in _marker_calls(tree):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            name = call.func.id  # type: ignore[attr-defined]
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if first.value not in singulars:
                    problems.append(f"{where}: {name}({first.value!r}) is not extracted")
            elif name == "_" and isinstance(first, ast.Name | ast.Attribute | ast.Subscript):
                continue  # translating a string marked elsewhere with N_, e.g. a template
            elif name != "_" or first is None or isinstance(first, ast.JoinedStr | ast.BinOp):
                problems.append(f"{where}: {name}() needs a plain string literal")
    assert not problems, "\n".join(problems)


# ---- choosing the language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "it_IT.UTF-8"}, "it"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_MESSAGES": "it_CH@euro"}, "it"),
        ({"LC_ALL": "it", "LANG": "en_US"}, "it"),
        # The first variable that is set decides, as in Python's gettext.
        ({"LC_ALL": "C", "LANG": "it_IT.UTF-8"}, "en"),
        ({"LANGUAGE": "en", "LANG": "it_IT.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:it:en", "LANG": "en_US"}, "it"),
        ({"LANGUAGE": "", "LANG": "it_IT"}, "it"),
        ({"LANGUAGE": "fr", "LANG": "it_IT.UTF-8"}, "en"),
        ({"LANG": "IT-it"}, "it"),
    ],
)
def test_language_from_environment(environ: dict[str, str], expected: str) -> None:
    assert language_from_environment(environ) == expected


def test_set_language_and_current_language() -> None:
    assert set_language("it") == "it"
    assert current_language() == "it"
    assert _("NOT admissible") == "NON ammissibile"
    assert set_language("EN") == "en"
    assert _("NOT admissible") == "NOT admissible"


def test_set_language_none_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    assert set_language(None) == "it"
    monkeypatch.setenv("LC_ALL", "C")
    assert set_language(None) == "en"


@pytest.mark.parametrize("lang", ["fr", "", "it_IT", "english"])
def test_set_language_refuses_other_languages(lang: str) -> None:
    with pytest.raises(ValueError, match="choose one of en, it"):
        set_language(lang)


def test_language_block_restores_the_previous_language() -> None:
    set_language("en")
    with language("it") as chosen:
        assert chosen == "it"
        assert _("admissible") == "ammissibile"
    assert current_language() == "en"
    assert _("admissible") == "admissible"


def test_ngettext_chooses_the_form_by_count() -> None:
    singular, plural = "(and {n} more problem)", "(and {n} more problems)"
    with language("it"):
        assert ngettext(singular, plural, 1).format(n=1) == "(e 1 altro problema)"
        assert ngettext(singular, plural, 3).format(n=3) == "(e altri 3 problemi)"
    with language("en"):
        assert ngettext(singular, plural, 1).format(n=1) == "(and 1 more problem)"


def test_n_marks_without_translating() -> None:
    with language("it"):
        assert N_("NOT admissible") == "NOT admissible"
        assert _(N_("NOT admissible")) == "NON ammissibile"


def test_languages_are_english_and_italian() -> None:
    assert LANGUAGES == ("en", "it")


# ---- findings in both languages -----------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(FINDING_CODES))
def test_every_finding_message_renders_in_both_languages(code: str) -> None:
    from conciliazione_core._money import Money

    template = FINDING_CODES[code][1]
    amounts = core_registry().code(code).amounts
    args = {name: f"<{name}>" for name, _c, _s in _fields(template)}
    shown = dict(args)
    for k, name in enumerate(amounts, start=1):  # sums of money, written the reader's way
        args[name] = str(Money.euros(1000 + k))
        shown[name] = Money.euros(1000 + k).format("it")
    with language("en"):
        english = finding(code, "$", None, **args).message
    with language("it"):
        italian = finding(code, "$", None, **args).message
    english_args = {**args, **{n: Money.parse(args[n]).format("en") for n in amounts}}
    assert english == template.format(**english_args)
    assert italian != english
    for name in args:  # every value reaches the Italian message
        assert shown[name] in italian


def test_a_finding_renders_its_message_in_the_readers_language() -> None:
    """Made in English, read in Italian: the message is rendered when read, not when made."""
    with language("en"):
        made = finding("PLAN_LATE", "$", None, date="01/07/2020", deadline="30/06/2020")
    with language("it"):
        assert (
            made.message
            == "Il Piano territoriale è stato presentato il 01/07/2020, oltre il termine del 30/06/2020."
        )
    with language("en"):
        assert made.message.startswith("The plan was presented on 01/07/2020")


def test_amounts_and_words_in_arguments_are_written_the_readers_way() -> None:
    from conciliazione_core._money import Money

    code = FindingCode(
        "TEST_AMOUNT",
        Severity.INFO,
        "{what}: {amount}",
        translations={"it": "{what}: {amount}"},
        localised=("what",),
        amounts=("amount",),
    )
    with language("en"):
        found = code.at("$", None, what="public body", amount=Money.parse("1234567.8"))
        assert found.message == "public body: €1,234,567.80"
    assert dict(found.args) == {"what": "public body", "amount": "1234567.80"}
    with language("it"):
        assert found.message == "soggetto pubblico: € 1.234.567,80"


def test_two_languages_in_parallel_threads_never_mix() -> None:
    """A web app serving Italian and English at once: each thread's findings in its language."""
    import threading

    per_thread = 1_500
    english = FINDING_CODES["PLAN_LATE"][1].format(date="d", deadline="t")
    with language("it"):
        italian = finding("PLAN_LATE", "$", None, date="d", deadline="t").message
    assert italian != english
    start = threading.Barrier(2)
    wrong: dict[str, int] = {}

    def serve(lang: str, expected: str) -> None:
        set_language(lang)  # this thread's context only
        start.wait()
        bad = 0
        for _i in range(per_thread):
            found = finding("PLAN_LATE", "$", None, date="d", deadline="t")
            bad += found.message != expected
            bad += _("admissible") != ("ammissibile" if lang == "it" else "admissible")
        wrong[lang] = bad

    threads = [
        threading.Thread(target=serve, args=("it", italian)),
        threading.Thread(target=serve, args=("en", english)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == {"it": 0, "en": 0}


def test_a_thread_starts_in_the_environments_language_not_another_threads() -> None:
    import threading

    set_language("it")
    seen: list[str] = []
    environ_language = language_from_environment()
    thread = threading.Thread(target=lambda: seen.append(current_language()))
    thread.start()
    thread.join()
    assert seen == [environ_language]
    assert current_language() == "it"


# ---- every registered code, core or plugin, has its Italian in its own catalogue ----------------


def _registered_codes() -> list[FindingCode]:
    from conciliazione_core._host import default_host

    return list(default_host().rules.codes.values())


def test_the_registry_holds_a_plugins_codes_too() -> None:
    """The catalogue tests below cover plugins: at least the example plugin is installed."""
    catalogues = {code.catalogue for code in _registered_codes()}
    assert i18n.CORE_CATALOGUE in catalogues
    assert len(catalogues) >= 2, "no plugin with its own catalogue is installed"


@pytest.mark.parametrize("code", _registered_codes(), ids=lambda c: c.code)
def test_every_registered_code_has_an_italian_message_in_its_plugins_catalogue(
    code: FindingCode,
) -> None:
    explicit = dict(code.translations)
    if "it" in explicit:
        italian = explicit["it"]
    else:
        mo = code.catalogue.locale_dir.joinpath("it", "LC_MESSAGES", f"{code.catalogue.domain}.mo")
        with mo.open("rb") as f:
            entries = _translations_of(gettext.GNUTranslations(f))
        assert code.template in entries, f"{code.code}: no Italian in {mo}"
        italian = entries[code.template]
    assert italian.strip()
    assert _fields(italian) == _fields(code.template), code.code
    for name in code.localised:  # English words in the arguments are translated when read
        assert name in {n for n, _c, _s in _fields(code.template)}, name


def _plugin_catalogues() -> list[i18n.Catalogue]:
    found = {code.catalogue for code in _registered_codes()} - {i18n.CORE_CATALOGUE}
    return sorted(found, key=lambda c: c.domain)


@pytest.mark.parametrize("plugin_catalogue", _plugin_catalogues(), ids=lambda c: c.domain)
def test_a_plugins_compiled_mo_matches_its_po(plugin_catalogue: i18n.Catalogue) -> None:
    folder = plugin_catalogue.locale_dir.joinpath("it", "LC_MESSAGES")
    with folder.joinpath(f"{plugin_catalogue.domain}.po").open("rb") as f:
        po = read_po(f)
    assert not any(m.fuzzy for m in po if m.id)
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    with folder.joinpath(f"{plugin_catalogue.domain}.mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert _translations_of(shipped) == _translations_of(gettext.GNUTranslations(buffer))


# ---- the command line ---------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_check_lang_it_prints_italian_findings(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES / "project_company_lead.toml")
    code, out, _err = _run(capsys, "--lang", "it", "check", "lombardia-2020", example)
    assert code == 1
    assert "NON ammissibile" in out
    assert "ERRORE " in out
    assert "LEAD_NOT_ADMITTED in $.lead" in out
    assert "il capofila è «Alfa Servizi S.r.l.» (soggetto privato con scopo di lucro)" in out
    assert "ente del terzo settore" in out
    assert "base giuridica: " in out
    assert "is led by" not in out


def test_check_lang_en_prints_english_findings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "it")  # --lang wins over the environment
    example = str(EXAMPLES / "project_company_lead.toml")
    code, out, _err = _run(capsys, "--lang", "en", "check", "lombardia-2020", example)
    assert code == 1
    assert "NOT admissible" in out
    assert "ERROR   LEAD_NOT_ADMITTED at $.lead" in out
    assert "is led by Alfa Servizi S.r.l. (private for-profit body)" in out
    assert "capofila" not in out


def test_check_json_messages_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES / "project_company_lead.toml")
    _code, out, _err = _run(
        capsys, "--lang", "it", "check", "lombardia-2020", example, "--format", "json"
    )
    assert '"code": "LEAD_NOT_ADMITTED"' in out  # codes stay stable across languages
    assert "il capofila è" in out


def test_lang_environment_variable_selects_italian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    example = str(EXAMPLES / "project_company_lead.toml")
    _code, out, _err = _run(capsys, "check", "lombardia-2020", example)
    assert "NON ammissibile" in out
    assert "il capofila è" in out


def test_lang_variable_in_a_real_process() -> None:
    """End to end: a fresh interpreter with LANG=it_IT.UTF-8 and no other locale variable."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    env["LANG"] = "it_IT.UTF-8"
    example = str(EXAMPLES / "project_company_lead.toml")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from conciliazione_core.cli import main; main()",
            "check",
            "lombardia-2020",
            example,
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "NON ammissibile" in done.stdout
    assert "soggetto privato con scopo di lucro" in done.stdout


def test_errors_are_reported_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--lang", "it", "check", "no-such-cycle", "x.toml")
    assert code == 2
    assert out == ""
    assert err.startswith("conciliazione: errore: ciclo sconosciuto 'no-such-cycle'")
    assert err.count("\n") == 1


def test_unsupported_lang_is_refused_by_click(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--lang", "fr", "cycles")
    assert code == 2
    assert out == ""
    assert "'fr'" in err
    assert "'en'" in err
    assert "'it'" in err
    assert err.count("\n") == 1


# ---- texts of the parameter files: English and Italian ---------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conciliazione_core import load_cycle  # noqa: E402
from conciliazione_core._converter import structure  # noqa: E402
from conciliazione_core._cycle import Cycle  # noqa: E402
from conciliazione_core._diff import diff_cycles, render_diff, topic_label  # noqa: E402
from conciliazione_core._errors import InputError  # noqa: E402
from conciliazione_core._host import default_host  # noqa: E402
from conciliazione_core._legal import LegalBasis  # noqa: E402
from conciliazione_core._money import Money  # noqa: E402
from conciliazione_core._provenance import DataStatus, Provenance  # noqa: E402
from conciliazione_core.cli._help import CLICK_MESSAGES  # noqa: E402
from conciliazione_core.i18n import Text  # noqa: E402

TEXT_KEYS = {"title", "summary", "act", "provision", "note", "label", "text", "description"}
"""The keys of a parameter file that hold text for people (the others are ids, dates, numbers)."""

COFINANCING_CYCLE = ROOT / "examples" / "plugins" / "cofinancing" / "tests" / "given_cycle"


def _shipped_parameter_files() -> list[tuple[str, Path]]:
    files = [(c.id, Path(str(c.root.joinpath(c.source)))) for c in default_host().cycles().values()]
    return [*files, ("cofinancing example", COFINANCING_CYCLE / "cycle.toml")]


def _texts(node: object, path: str = "$") -> Iterator[tuple[str, object]]:
    """Every value under a text key of parameter-file data, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and (
                isinstance(value, str) or (isinstance(value, dict) and "en" in value)
            ):
                yield f"{path}.{key}", value
            else:
                yield from _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _texts(item, f"{path}[{i}]")


@pytest.mark.parametrize(("name", "path"), _shipped_parameter_files(), ids=lambda v: str(v))
def test_every_shipped_cycle_gives_every_text_in_english_and_italian(name: str, path: Path) -> None:
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = list(_texts(data))
    assert len(texts) > 5, name  # the walk finds the file's texts
    missing = [
        where
        for where, value in texts
        if not (
            isinstance(value, dict) and value.get("en", "").strip() and value.get("it", "").strip()
        )
    ]
    assert not missing, f"{name}: no Italian beside the English at {missing}"


def _cycle_texts(cycle: Cycle) -> Iterator[Text | str]:
    """The loaded cycle's texts for people: those the commands print."""
    yield cycle.title
    if cycle.summary is not None:
        yield cycle.summary
    for basis in cycle.citations.values():
        yield from (t for t in (basis.act, basis.provision, basis.note) if t is not None)
    for assumption in cycle.assumptions:
        yield assumption.text
    for example in cycle.examples:
        if example.description is not None:
            yield example.description
    if cycle.allocation is not None:
        for envelope in cycle.allocation.envelopes:
            yield envelope.label
            if envelope.note is not None:
                yield envelope.note
            split = getattr(envelope, "split", None)
            for part in split.parts if split else ():
                yield part.label
    lead: Any = cycle.rules.get("lead")
    projects: Any = cycle.rules.get("projects")
    if lead is not None and lead.note is not None:
        yield lead.note
    for service in projects.service_types if projects is not None else ():
        yield service.label


@pytest.mark.parametrize("cycle_id", sorted(default_host().cycles()))
def test_every_loaded_text_of_a_shipped_cycle_reads_in_italian(cycle_id: str) -> None:
    cycle = default_host().cycle(cycle_id)
    texts = list(_cycle_texts(cycle))
    assert all(isinstance(t, Text) and t.it for t in texts), [
        t for t in texts if not (isinstance(t, Text) and t.it)
    ]
    with language("it"):
        assert str(cycle.title) == cycle.title.it  # type: ignore[union-attr]


def test_a_text_is_shown_in_the_current_language_with_english_as_fallback() -> None:
    label = Text("Alliance projects", it="Progetti delle alleanze")
    english_only = Text("Alliance projects")
    with language("it"):
        assert (str(label), f"[{label:>25}]") == (
            "Progetti delle alleanze",
            "[  Progetti delle alleanze]",
        )
        assert str(english_only) == "Alliance projects"
    with language("en"):
        assert str(label) == "Alliance projects"
    assert label == "Alliance projects"  # equal to its English, the source text
    assert label != Text("Alliance projects", it="Altro")
    assert hash(label) == hash("Alliance projects")
    assert label.languages == ("en", "it")
    assert english_only.languages == ("en",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", Text("plain")),
        ({"en": "one", "it": "uno"}, Text("one", it="uno")),
        ({"en": "one"}, Text("one")),
    ],
)
def test_a_parameter_file_text_is_a_string_or_a_table_by_language(
    value: object, expected: Text
) -> None:
    basis = structure({"act": value}, LegalBasis)
    assert (basis.act.en, basis.act.it) == (expected.en, expected.it)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"en": "one", "fr": "un"}, "unknown language 'fr'; texts are given in: en, it"),
        ({"it": "uno"}, 'missing the English text (en = "..."), the one always shown'),
        ({"en": "one", "it": 1}, "the text in it is not a string"),
        (
            42,
            'expected text, or a table of it by language (en = "...", it = "..."), got an integer',
        ),
    ],
)
def test_a_bad_text_is_refused_at_its_path(value: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        structure({"act": value}, LegalBasis, "cycle.toml")
    assert [(p.path, p.message) for p in info.value.problems] == [("$.act", message)]


def test_an_envelope_label_by_language_is_read_and_a_bad_one_named(tmp_path: Path) -> None:
    source = (COFINANCING_CYCLE / "cycle.toml").read_text(encoding="utf-8")
    bad = source.replace('it = "Trattenuti dalla Regione"', "it = 7", 1)
    assert bad != source
    (tmp_path / "cycle.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_cycle(tmp_path / "cycle.toml")
    assert any(
        p.path.endswith(".label") and "the text in it is not a string" in p.message
        for p in info.value.problems
    )


# ---- the command line, all in Italian ------------------------------------------------------------


def _it(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return _run(capsys, "--lang", "it", *argv)


def test_allocate_in_italian_shows_the_cycle_s_own_italian(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _err = _it(capsys, "allocate", "lombardia-2020", "--explain", "ATS-MONTAGNA")
    assert code == 0
    for italian in (
        "Trattenuti dalla Regione per azioni di armonizzazione",
        "Risorse alle reti delle ATS, in base alla popolazione residente",
        "D.G.R. XI/2398 dell'11/11/2019, finanziamento delle reti delle ATS",
        "Progetti delle alleanze",
        "€ 82.947",
        "derivato",
    ):
        assert italian in out
    for english in (
        "Kept by the Region",
        "Funds to the ATS networks",
        "of 11/11/2019",
        "Alliance projects",
        "€82,947",
        "(stato: derived)",
    ):
        assert english not in out


def test_cycles_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _it(capsys, "cycles")
    assert code == 0
    assert "Conciliazione vita-lavoro, proroga 2019 (D.G.R. XI/1017 del 17/12/2018)" in out
    assert "D.G.R. XI/2398 dell'11/11/2019; Decreto n. 486 del 17/01/2020" in out
    assert " of 1" not in out
    assert "guidelines approved" not in out
    code, out, _err = _it(capsys, "cycles", "--format", "json")
    assert "linee guida approvate il 09/12/2025" in out


def test_check_in_italian_has_no_english_slips(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES / "cremona_network_2014.toml")
    code, out, _err = _it(capsys, "check", "lombardia-2020", example)
    assert code == 1
    assert "ai sensi della L.R. Lombardia 11 agosto 2015, n. 23" in out
    assert "è «ASL della Provincia di Cremona» e non la sua agenzia sanitaria" in out
    assert "[deduzione]" in out
    for slip in ("ai sensi di ", "[inference]", "inference from", " of 12/12/2016"):
        assert slip not in out
    unknown = (
        ROOT / "plugins/lombardia_2014/src/lombardia_2014/examples/invalid_network_unknown_asl.toml"
    )
    code, out, _err = _it(capsys, "check", "lombardia-2014", str(unknown))
    assert "fa riferimento all'agenzia ASL-CREMA" in out
    assert "fa riferimento a ASL" not in out


def test_diff_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _it(capsys, "diff", "lombardia-2017", "lombardia-2020")
    assert code == 0
    for italian in (
        "dotazione complessiva",
        "€ 2.500.000,00",
        "chi può essere capofila: nota",
        "tipologia di servizio A",
        "Assistenza e",
        "la data",
        "soggetto pubblico",
        "unità € 1,00",
    ):
        assert italian in out
    for english in (
        "budget total",
        "€2,500,000.00",
        "who may lead",
        "service type A",
        "the accord's date",
        "largest remainder",
        "Assistance and support",
    ):
        assert english not in out


def test_a_diff_row_keeps_its_english_key_and_shows_its_label() -> None:
    host = default_host()
    with language("it"):
        diff = diff_cycles(host.cycle("lombardia-2014"), host.cycle("lombardia-2020"))
    row = diff.row("budget total")
    assert (row.label, row.a) == ("dotazione complessiva", "€ 3.639.500,00")
    assert "budget total" not in render_diff(diff)


def test_a_plugin_s_diff_topics_translate_through_its_own_catalogue() -> None:
    from cofinancing.rule import CATALOGUE

    with language("it"):
        assert topic_label("co-financing: basis", CATALOGUE) == "cofinanziamento: base giuridica"
        assert topic_label("co-financing: basis") == "co-financing: base giuridica"


def test_territory_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _it(capsys, "territory", "Menaggio", "--on", "2020-01-01")
    assert code == 0
    assert "Medio Lario riassegnato all'ATS dell'Insubria dall'1/1/2019 [fonte: https://" in out
    assert "[source:" not in out
    assert "reassigned" not in out


def test_audit_amounts_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    published = ROOT / "plugins/lombardia_2020/src/lombardia_2020/published/press_tranche_2021.csv"
    code, out, _err = _it(
        capsys, "audit", "lombardia-2020", "--published", str(published), "--amount", "1000000"
    )
    assert code == 1
    assert "€ 1.000.000,00 ripartiti secondo la regola (più alti resti, unità € 1)" in out
    assert "346.000,00" in out
    assert "€1,000,000.00" not in out
    assert "346,000.00" not in out


# ---- help and click's own messages --------------------------------------------------------------

HELP_ENGLISH = (
    "Show this message and exit.",
    "Usage:",
    "Options:",
    "Commands:",
    "[OPTIONS]",
)


def test_help_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _it(capsys, "--help")
    assert code == 0
    assert out.startswith("Uso: conciliazione [OPZIONI] COMANDO [ARGOMENTI]...")
    for italian in (
        "Opzioni:",
        "Comandi:",
        "Mostra questo messaggio e termina.",
        "Lingua dei messaggi",
        "Ripartisce esattamente la dotazione",
    ):
        assert italian in out
    for english in (*HELP_ENGLISH, "Split a cycle's budget", "Language of messages"):
        assert english not in out


@pytest.mark.parametrize(
    ("command", "italian", "english"),
    [
        ("allocate", "Tabella degli indicatori (CSV, XLSX o JSON)", "Indicator table"),
        ("audit", "La tabella pubblicata", "The published table"),
        ("check", "Modifica una regola per una verifica simulata", "Override a rule"),
        ("cycles", "Elenca i cicli installati", "List the installed cycles"),
        ("diff", "Mostra solo i parametri diversi.", "Show only the parameters"),
        ("new-cycle", "Il pacchetto si installa con", "The package installs with"),
        ("schema", "Stampa lo schema JSON", "Print the JSON Schema"),
        ("serve", "Indirizzo su cui restare in ascolto. [predefinito: 127.0.0.1]", "Address to"),
        ("territory", "Data (AAAA-MM-GG; predefinita: oggi)", "Date (YYYY-MM-DD"),
    ],
)
def test_every_command_s_help_in_italian(
    command: str, italian: str, english: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = _it(capsys, command, "--help")
    assert code == 0
    assert italian in " ".join(out.split())
    for word in (*HELP_ENGLISH, english):
        assert word not in out
    # The same help in English, in the same process: translated when shown, not when built.
    code, out, _err = _run(capsys, "--lang", "en", command, "--help")
    assert english in out


@pytest.mark.parametrize(
    ("argv", "italian"),
    [
        (("allocate",), "Manca l'argomento 'CYCLE'."),
        # click words it "No such option: --nope" or "No such option: '--nope'." by release
        (("allocate", "lombardia-2020", "--nope"), "Opzione inesistente: "),
        (
            ("allocate", "lombardia-2020", "--format", "xx"),
            "Valore non valido per '--format': 'xx' non è tra 'table', 'json', 'csv', 'xlsx'.",
        ),
        (("nocmd",), "Comando inesistente: 'nocmd'."),
    ],
)
def test_click_s_usage_errors_in_italian(
    argv: tuple[str, ...], italian: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _it(capsys, *argv)
    assert code == 2
    assert italian in err
    assert err.startswith("conciliazione: errore: ")


def test_every_click_message_we_list_has_an_italian_translation() -> None:
    with language("it"):
        untranslated = [m for m in CLICK_MESSAGES if _(m) == m and m not in ("file",)]
    assert not untranslated


def test_lang_after_help_still_chooses_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "--help", "--lang", "it")
    assert code == 0
    assert "Mostra questo messaggio e termina." in out


def test_an_italian_locale_gives_italian_help_and_errors() -> None:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    env["LC_ALL"] = "it_IT.UTF-8"
    run = subprocess.run(
        [sys.executable, "-m", "conciliazione_core", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0
    assert "Uso: conciliazione [OPZIONI]" in run.stdout
    assert "Mostra questo messaggio e termina." in run.stdout
    run = subprocess.run(
        [sys.executable, "-m", "conciliazione_core", "allocate"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 2
    assert "Manca l'argomento 'CYCLE'." in run.stderr


# ---- money and provenance in Italian --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "english", "italian"),
    [
        (320000000, "€3,200,000.00", "€ 3.200.000,00"),
        (5, "€0.05", "€ 0,05"),
        (123456, "€1,234.56", "€ 1.234,56"),
    ],
)
def test_money_is_written_the_way_of_the_current_language(
    cents: int, english: str, italian: str
) -> None:
    amount = Money(cents)
    assert (amount.format("en"), amount.format("it")) == (english, italian)
    with language("it"):
        assert amount.format() == italian
    with language("en"):
        assert amount.format() == english


def _read_back(text: str, lang: str) -> Money:
    """The inverse of Money.format, for the property below."""
    if lang == "it":
        assert text.startswith("€ ")
        return Money.parse(text[2:].replace(".", "").replace(",", "."))
    assert text.startswith("€")
    return Money.parse(text[1:].replace(",", ""))


@given(cents=st.integers(min_value=0, max_value=10**15), lang=st.sampled_from(LANGUAGES))
def test_any_amount_formats_and_reads_back_in_both_languages(cents: int, lang: str) -> None:
    text = Money(cents).format(lang)
    assert _read_back(text, lang) == Money(cents)
    decimals = text.rsplit("," if lang == "it" else ".", 1)[1]
    assert len(decimals) == 2


def test_a_provenance_line_says_its_status_in_the_current_language() -> None:
    import datetime as dt

    line = Provenance("ISTAT", dt.date(2019, 1, 1), DataStatus.DERIVED, "a method")
    with language("it"):
        assert str(line) == "ISTAT, 2019-01-01, derivato (a method)"
    with language("en"):
        assert str(line) == "ISTAT, 2019-01-01, derived (a method)"


def test_chart_legends_in_italian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    chart = tmp_path / "chart.svg"
    code, _out, _err = _it(capsys, "allocate", "lombardia-2020", "--chart", str(chart))
    assert code == 0
    svg = chart.read_text(encoding="utf-8")
    assert "Progetti delle alleanze" in svg
    assert "Trattenuti dalla Regione per azioni di armonizzazione, € 200.000" in svg
    assert "Alliance projects" not in svg
    assert "Kept by the Region" not in svg


def test_version_line_in_italian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _it(capsys, "--version")
    assert code == 0
    assert out.startswith("conciliazione-core ")
    assert out.splitlines()[1] == "plugin:"
    code, out, _err = _run(capsys, "--lang", "en", "--version")
    assert out.splitlines()[1] == "plugins:"


def test_the_http_api_gives_a_cycle_s_texts_in_the_request_s_language() -> None:
    pytest.importorskip("starlette")
    from conciliazione_core.server._library import cycle_json

    cycle = default_host().cycle("lombardia-2020")
    italian, english = cycle_json(cycle, lang="it"), cycle_json(cycle, lang="en")
    assert italian["citations"]["dgr_2398"]["act"] == "D.G.R. XI/2398 dell'11/11/2019"
    assert english["citations"]["dgr_2398"]["act"] == "D.G.R. XI/2398 of 11/11/2019"
    assert italian["assumptions"][0]["text"].startswith("La popolazione residente")
