"""``conciliazione new-cycle``: a complete, installable plugin package for a new cycle.

A policy team adds a cycle by editing a parameter file, not by writing code; this module writes
everything around that file so that the package installs and passes the conformance kit the
moment it is generated. :func:`render_scaffold` computes the files (a mapping from relative
path to bytes) and :func:`new_cycle` checks the id and the target folder and writes them.

Cycle ids are lowercase ``region-year``: words of lowercase letters and digits joined by ``-``,
the first letter-led, ending with a four-digit year (:data:`CYCLE_ID_PATTERN`), e.g.
``lombardia-2025`` or ``emilia-romagna-2026``. The Python package is the id with ``-`` turned
into ``_`` and the distribution is ``conciliazione-<id>``.

Without ``--from`` the parameter file is a commented skeleton that loads, with one placeholder
citation marked ``evidence = "inference"`` and "replace me". With ``--from CYCLE`` it is a copy of
that cycle's file (comments kept) with the id and title replaced and a header saying what to
edit; its data files and declared examples are copied too, so every reference still resolves.
"""

from __future__ import annotations

import json
import re
import tempfile
import textwrap
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, distribution
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path, PurePosixPath
from string import Template
from typing import Any

import attrs
import tomli_w

from conciliazione_core._bodies import Body, BodyKind
from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._documents import Network, Project, TerritorialPlan
from conciliazione_core._errors import InputError
from conciliazione_core._findings import Severity
from conciliazione_core._host import Host
from conciliazione_core._serialisation import dump_document, parse_toml
from conciliazione_core._territory import Level, lombardy
from conciliazione_core.i18n import _

__all__ = [
    "CYCLE_ID_PATTERN",
    "Scaffold",
    "check_cycle_id",
    "distribution_name",
    "new_cycle",
    "package_name",
    "refuse_installed",
    "render_scaffold",
]

CYCLE_ID_PATTERN = r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*-(?:19|20)[0-9]{2}"
"""A cycle id: lowercase words joined by ``-``, ending with a year (``lombardia-2025``)."""

_ID_RE = re.compile(CYCLE_ID_PATTERN)
_MAX_ID = 60


@attrs.frozen
class Scaffold:
    """What :func:`new_cycle` wrote."""

    cycle_id: str
    package: str
    distribution: str
    target: Path
    files: tuple[str, ...]
    """Paths written, relative to :attr:`target`, sorted."""


def package_name(cycle_id: str) -> str:
    """The Python package of a cycle: ``lombardia-2025`` -> ``lombardia_2025``."""
    return cycle_id.replace("-", "_")


def distribution_name(cycle_id: str) -> str:
    """The distribution of a cycle's plugin: ``conciliazione-lombardia-2025``."""
    return f"conciliazione-{cycle_id}"


def check_cycle_id(cycle_id: str) -> None:
    """Raise InputError unless ``cycle_id`` is a lowercase ``region-year`` id."""
    if len(cycle_id) > _MAX_ID or not _ID_RE.fullmatch(cycle_id):
        raise InputError.at(
            "ID",
            _(
                "{cycle!r} is not a cycle id: write lowercase region-year, e.g. lombardia-2025 "
                "(pattern {pattern}, at most {limit} characters)"
            ).format(cycle=cycle_id, pattern=CYCLE_ID_PATTERN, limit=_MAX_ID),
        )


def refuse_installed(cycle_id: str, host: Host) -> None:
    """Raise InputError if the id, its distribution or its package already exists here."""
    package = package_name(cycle_id)
    if cycle_id in host.cycles():
        found = host.cycle(cycle_id)
        raise InputError.at(
            "ID",
            _("cycle {cycle!r} is already installed (from {distribution})").format(
                cycle=cycle_id, distribution=found.distribution
            ),
        )
    if any(p.plugin in (package, cycle_id) for p in host.problems):
        raise InputError.at(
            "ID",
            _("a plugin named {package!r} is already installed (faulty)").format(package=package),
        )
    try:
        distribution(distribution_name(cycle_id))
    except PackageNotFoundError:
        pass
    else:
        raise InputError.at(
            "ID",
            _("{distribution} is already installed").format(
                distribution=distribution_name(cycle_id)
            ),
        )
    if find_spec(package) is not None:
        raise InputError.at(
            "ID",
            _("a Python module named {package!r} is already importable").format(package=package),
        )


# ---- rendering ----------------------------------------------------------------------------------


def _template(name: str, **values: str) -> str:
    text = files("conciliazione_core").joinpath("templates", "new_cycle", name).read_text("utf-8")
    return Template(text).substitute(values)


def _licence_text() -> bytes:
    """The EUPL-1.2 text the core is distributed under, read from its installed metadata.

    A generated plugin ships it (its wheel and sdist carry ``LICENSE``); the repository keeps the
    one copy at its root, which setuptools puts in ``.dist-info/licenses/``.
    """
    try:
        text = distribution("conciliazione-core").read_text("licenses/LICENSE")
    except PackageNotFoundError:
        text = None
    if not text:
        raise InputError.at(
            "LICENSE",
            _("the licence text of conciliazione-core is not installed; reinstall the package"),
        )
    return text.encode("utf-8")


def _rules_template() -> str:
    """Every registered rule's section for a new parameter file: the ones on by default, then
    the optional ones commented out (the core's and every installed plugin's)."""
    from conciliazione_core._rule_registry import active_registry

    texts = [rule.scaffold() for rule in active_registry().rules.values()]
    on = [t for t in texts if not all(line.startswith("#") for line in t.splitlines())]
    optional = [t for t in texts if t not in on]
    out = "\n".join(on)
    if optional:
        out += "\n# Uncomment what the decree sets, with its basis:\n#\n" + "#\n".join(optional)
    return out


def _core_version() -> str:
    from conciliazione_core import __version__

    major, minor = __version__.split(".")[:2]
    return f"{major}.{minor}"


def _safe_relative(path: str, where: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise InputError.at(
            where, _("{path!r} is not a path inside the plugin package").format(path=path)
        )
    return rel


def _read_source(source: Cycle, rel: PurePosixPath, where: str) -> bytes:
    try:
        return source.root.joinpath(*rel.parts).read_bytes()
    except OSError:
        raise InputError.at(
            where,
            _("{file} is missing from {cycle}: cannot copy it").format(file=rel, cycle=source.id),
            f"--from {source.id}",
        ) from None


def _replace_in_table(text: str, table: str, key: str, value: str) -> str:
    """Set ``key = "..."`` inside ``[table]`` of TOML text, keeping everything else as written.

    A text given by language (``key.en = "..."``, ``key.it = "..."``) becomes the one string."""
    lines = text.splitlines(keepends=True)
    inside, found = False, False
    pattern = re.compile(rf"^\s*{re.escape(key)}(\.[a-z]+)?\s*=\s*\"(?:[^\"\\]|\\.)*\"\s*(#.*)?$")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == f"[{table}]"
            continue
        if inside and pattern.match(line.rstrip("\n")):
            ending = "\n" if line.endswith("\n") else ""
            lines[i] = "" if found else f"{key} = {json.dumps(value, ensure_ascii=False)}{ending}"
            found = True
    if not found:
        raise ValueError(f"no {key} in [{table}]")
    return "".join(lines)


def _copied_parameters(source: Cycle, cycle_id: str, title: str) -> str:
    """The source's parameter file with id and title replaced (comments kept when possible)."""
    original = source.root.joinpath(source.source).read_text(encoding="utf-8")
    header = _copy_header(source, cycle_id)
    try:
        text = _replace_in_table(original, "cycle", "id", cycle_id)
        text = _replace_in_table(text, "cycle", "title", title)
        data = parse_toml(text)
        expected = parse_toml(original)
        expected["cycle"] = {**expected["cycle"], "id": cycle_id, "title": title}
        if data != expected:
            raise ValueError("the edited text reads differently")
    except (ValueError, InputError):
        # Unusual layout (multi-line strings, inline [cycle]...): rewrite from the data instead.
        data = parse_toml(original)
        data["cycle"] = {**data["cycle"], "id": cycle_id, "title": title}
        text = tomli_w.dumps(data)
    return header + text


def _comment(text: str, indent: str = "") -> str:
    return "".join(
        f"# {line}\n"
        for line in textwrap.wrap(
            text, width=96, initial_indent=indent, subsequent_indent=" " * len(indent)
        )
    )


def _copy_header(source: Cycle, cycle_id: str) -> str:
    origin = f"{source.distribution} {source.version}" if source.distribution else source.source
    steps = [
        "[cycle]: the title (replace me), the level, the period, the acts in legal_basis;",
        "[citations]: the new acts; evidence = document / source (with url) / inference;",
        f"[rules.*], [allocation]: what changed (`conciliazione diff {source.id} {cycle_id}` "
        "shows it);",
        "data/: the new cycle's reference data, with its provenance on every row;",
        "[[examples]]: keep them true, or replace them with the new cycle's documents.",
    ]
    rule = f"# ---- copied from {source.id} "
    return (
        _comment(
            f'Parameter file of the cycle "{cycle_id}", generated by '
            f"`conciliazione new-cycle {cycle_id} --from {source.id}`."
        )
        + "#\n"
        + _comment(
            f"WHAT TO EDIT. This is a copy of {source.id} ({origin}): every rule, amount, "
            f"citation, data file and example below is still {source.id}'s. Change what the "
            "new decree changes, and cite it:"
        )
        + "".join(_comment(step, f"  {i}. ") for i, step in enumerate(steps, 1))
        + _comment("Then run `pytest`: the conformance kit checks all of the above.")
        + "#\n"
        + rule
        + "-" * max(4, 99 - len(rule))
        + "\n"
    )


def _rewrite_example(raw: bytes, name: str, old: str, new: str) -> bytes:
    """An example document with its ``cycle`` field moved from ``old`` to ``new``."""
    text = raw.decode("utf-8")
    if name.endswith(".json"):
        text = re.sub(
            rf'("cycle"\s*:\s*){re.escape(json.dumps(old))}', rf"\g<1>{json.dumps(new)}", text
        )
    else:
        text = re.sub(rf'^(cycle\s*=\s*)"{re.escape(old)}"', rf'\g<1>"{new}"', text, flags=re.M)
    return text.encode("utf-8")


def _example_body(agency_id: str, agency_name: str, level: Level) -> Body:
    kind = BodyKind.ATS if level is Level.ATS else BodyKind.ASL
    return Body(id=agency_id, name=agency_name, kind=kind)


def _generated_examples(cycle_id: str, level: Level) -> list[tuple[str, TerritorialPlan, str]]:
    """Two placeholder plans: one led by its agency, one led by a municipality instead."""
    agency = lombardy().of_level(level)[0]
    lead = _example_body(agency.id, agency.name, level)
    municipality = Body(
        id="replace-me-comune", name="Replace me: a municipality", kind=BodyKind.MUNICIPALITY
    )
    project = Project(
        id="replace-me-project",
        title="Replace me: a project of the plan",
        lead=municipality,
        target="replace me",
    )
    network = Network(
        id=f"replace-me-network-{agency.id.lower()}",
        name=f"Replace me: the network of {agency.name}",
        agency=agency.id,
        lead=lead,
    )
    good = TerritorialPlan(
        id="replace-me-plan", network=network, cycle=cycle_id, projects=(project,)
    )
    bad = attrs.evolve(
        good,
        id="replace-me-plan-wrong-lead",
        network=attrs.evolve(network, lead=municipality),
    )
    return [
        (
            "examples/replace_me_plan.toml",
            good,
            f"Placeholder plan of the {agency.name} network, led by its agency: replace me with "
            "a real document of the cycle.",
        ),
        (
            "examples/replace_me_plan_wrong_lead.toml",
            bad,
            "The same placeholder plan with its network led by a municipality instead of its "
            "agency: shows how an inadmissible example declares its codes.",
        ),
    ]


def _example_text(document: TerritorialPlan, description: str) -> bytes:
    head = _comment(
        "An example document generated by conciliazione new-cycle: replace me with a real "
        f"document of the cycle. {description}"
    )
    return (head + dump_document(document, "toml")).encode("utf-8")


def _declare_examples(parameters: str, out: dict[str, bytes], package: str, cycle_id: str) -> str:
    """Write the generated examples and declare each with what checking it gives."""
    from conciliazione_core._rules import standard_checks

    cycle = _load_rendered(parameters, out, package)
    declared = []
    for rel, document, description in _generated_examples(cycle_id, cycle.level):
        out[f"src/{package}/{rel}"] = _example_text(document, description)
        findings = standard_checks(cycle, document)
        codes = list(dict.fromkeys(f.code for f in findings if f.severity is not Severity.INFO))
        admissible = not any(f.severity is Severity.ERROR for f in findings)
        declared.append(
            {"file": rel, "admissible": admissible, "codes": codes, "description": description}
        )
    block = tomli_w.dumps({"examples": declared})
    return (
        parameters.rstrip("\n")
        + "\n\n# ---- examples: documents in examples/ and what checking them must report "
        + "-" * 7
        + "\n# codes = the error and warning codes, exactly (information findings aside).\n\n"
        + block
    )


def _load_rendered(parameters: str, out: Mapping[str, bytes], package: str) -> Cycle:
    """Load the rendered parameter file as the plugin will, to validate it."""
    with tempfile.TemporaryDirectory(prefix="conciliazione-new-cycle-") as tmp:
        root = Path(tmp)
        for rel, content in out.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        path = root / "src" / package / "cycle.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(parameters, encoding="utf-8")
        cycle = load_cycle(path)
        cycle.allocation  # noqa: B018 - parsed here so that a bad plan fails now, not later
        return cycle


def render_scaffold(cycle_id: str, source: Cycle | None = None) -> dict[str, bytes]:
    """Every file of the new plugin package, by path relative to its folder.

    Raises InputError for a malformed id or a source whose files cannot be copied.
    """
    check_cycle_id(cycle_id)
    package = package_name(cycle_id)
    dist = distribution_name(cycle_id)
    out: dict[str, bytes] = {}
    pkg_dir = f"src/{package}"
    if source is None:
        parameters = _template(
            "cycle.toml.tmpl", cycle_id=cycle_id, year=cycle_id[-4:], rules=_rules_template()
        )
        parameters = _declare_examples(parameters, out, package, cycle_id)
    else:
        title = f"{cycle_id}: replace me (copied from {source.title})"
        parameters = _copied_parameters(source, cycle_id, title)
        raw = parse_toml(parameters)
        for name, rel in (raw.get("data") or {}).items():
            if isinstance(rel, str):
                safe = _safe_relative(rel, f"$.data.{name}")
                out[f"{pkg_dir}/{safe}"] = _read_source(source, safe, f"$.data.{name}")
        for i, example in enumerate(source.examples):
            safe = _safe_relative(example.file, f"$.examples[{i}].file")
            content = _read_source(source, safe, f"$.examples[{i}].file")
            out[f"{pkg_dir}/{safe}"] = _rewrite_example(content, safe.name, source.id, cycle_id)
        if not source.examples:
            parameters = _declare_examples(parameters, out, package, cycle_id)
    cycle = _load_rendered(parameters, out, package)
    out[f"{pkg_dir}/cycle.toml"] = parameters.encode("utf-8")
    out[f"{pkg_dir}/py.typed"] = b""
    globs = {"py.typed", "cycle.toml"}
    for rel in out:
        inner = PurePosixPath(rel).relative_to(pkg_dir)
        if len(inner.parts) > 1:
            globs.add(f"{inner.parent}/*")
    values: dict[str, Any] = {
        "cycle_id": cycle_id,
        "package": package,
        "distribution": dist,
        "core_version": _core_version(),
        "package_data": ", ".join(json.dumps(g) for g in sorted(globs)),
        "from_option": f" --from {source.id}" if source is not None else "",
        "origin": (
            f"It started as a copy of `{source.id}`: its rules, amounts, data and examples are "
            "still that cycle's until you change them."
            if source is not None
            else "It is a skeleton: it loads and passes its tests, but every value marked "
            '"replace me" is a placeholder.'
        ),
        "example_file": cycle.examples[0].file if cycle.examples else "examples/",
        "diff_base": source.id if source is not None else "lombardia-2020",
    }
    out["pyproject.toml"] = _template("pyproject.toml.tmpl", **values).encode("utf-8")
    out["README.md"] = _template("README.md.tmpl", **values).encode("utf-8")
    out["LICENSE"] = _licence_text()
    out[f"{pkg_dir}/__init__.py"] = _template("__init__.py.tmpl", **values).encode("utf-8")
    out[f"{pkg_dir}/plugin.py"] = _template("plugin.py.tmpl", **values).encode("utf-8")
    out["tests/test_conformance.py"] = _template("test_conformance.py.tmpl", **values).encode(
        "utf-8"
    )
    return dict(sorted(out.items()))


# ---- writing ------------------------------------------------------------------------------------


def new_cycle(
    cycle_id: str,
    target: Path | str,
    *,
    source: Cycle | None = None,
    host: Host | None = None,
) -> Scaffold:
    """Write a new cycle's plugin package into ``target`` (absent or empty).

    ``host`` is asked whether the id is taken (the default host when None); the id must also
    not be an installed distribution or an importable module.
    """
    from conciliazione_core._host import default_host

    check_cycle_id(cycle_id)
    refuse_installed(cycle_id, host if host is not None else default_host())
    folder = Path(target)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        message = (
            _("{folder} is not a folder; choose a new or empty folder")
            if not folder.is_dir()
            else _("{folder} is not empty; choose a new or empty folder")
        )
        raise InputError.at("--dir", message.format(folder=folder))
    rendered = render_scaffold(cycle_id, source)
    for rel, content in rendered.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Scaffold(
        cycle_id=cycle_id,
        package=package_name(cycle_id),
        distribution=distribution_name(cycle_id),
        target=folder,
        files=tuple(rendered),
    )
