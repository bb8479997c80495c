"""Shared fixtures of the core's tests: the installed cycles, test cycles that enable every
standard rule with a citation of their own, and fake installed distributions for host tests."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._host import Host
from conciliazione_core.i18n import current_language, set_language

# Deadlines make property tests flaky on a busy two-core machine; examples stay few by default so
# that the suite runs in CI in a few minutes. HYPOTHESIS_PROFILE=thorough runs ten times more.
settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", deadline=None, max_examples=600, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English whatever the developer's locale."""
    previous = current_language()
    set_language("en")
    yield
    set_language(previous)


# ---- the installed cycles --------------------------------------------------------------------


@pytest.fixture(scope="session")
def host() -> Host:
    """A host over the installed plugins (the two shipped cycles)."""
    return Host(environ={})


@pytest.fixture(scope="session")
def cycle_2014(host: Host) -> Cycle:
    return host.cycle("lombardia-2014")


@pytest.fixture(scope="session")
def cycle_2020(host: Host) -> Cycle:
    return host.cycle("lombardia-2020")


def _shipped(package: str, *parts: str) -> Path:
    """A file shipped in an installed plugin package (plugins are installed editable)."""
    return Path(str(files(package).joinpath(*parts)))


@pytest.fixture(scope="session")
def montagna_path() -> Path:
    """ATS Montagna's 2020-2023 plan, the example document of the lombardia-2020 plugin."""
    return _shipped("lombardia_2020", "examples", "montagna_2020_2023.toml")


EXAMPLE_FOLDERS = (
    ("lombardia_2014", "examples"),
    ("lombardia_2017", "cycle_2017", "examples"),
    ("lombardia_2017", "cycle_2019", "examples"),
    ("lombardia_2020", "examples"),
    ("lombardia_2025", "examples"),
)
"""The folders of the shipped plugins' example documents (lombardia_2017 has one per cycle)."""


@pytest.fixture(scope="session")
def example_files() -> list[Path]:
    """Every example document the shipped plugins carry."""
    found = []
    for parts in EXAMPLE_FOLDERS:
        folder = _shipped(*parts)
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.suffix in (".json", ".toml"))
    return found


# ---- test cycles: every standard rule on, each section citing its own act ----------------------

TEST_CYCLE = """
[cycle]
id = "{id}"
title = "Test cycle at {level} level"
level = "{level}"
period = {{ start = 2020-01-01, end = 2023-12-31 }}
legal_basis = ["cycle_act"]

[citations.cycle_act]
act = "Test act of the cycle"
evidence = "document"

[citations.network_act]
act = "Test act on networks"
provision = "art. 1"
evidence = "document"

[citations.accord_act]
act = "Test act on accords"
provision = "art. 2"
evidence = "document"

[citations.territory_act]
act = "Test act on networks' territories"
evidence = "inference"

[citations.lead_act]
act = "Test act on leads"
provision = "art. 3"
evidence = "document"

[citations.submission_act]
act = "Test act on submission"
provision = "art. 4"
evidence = "document"

[citations.project_act]
act = "Test act on projects"
provision = "art. 5"
evidence = "document"

[citations.ends_act]
act = "Test act on project end dates"
evidence = "inference"

[rules.network]
basis = "network_act"
lead_is_agency = true
one_per_agency = true
max_networks = 2

[rules.accord]
basis = "accord_act"
required = true
signed_by = 2020-03-31

[rules.territory]
basis = "territory_act"

[rules.lead]
basis = "lead_act"
natures = {natures}

[rules.submission]
basis = "submission_act"
through_agency = true
proposals_by = 2020-05-31
plans_by = 2020-06-30

[rules.projects]
basis = "project_act"
service_types = [{{ code = "A", label = "Type A" }}, {{ code = "B", label = "Type B" }}]
ends_by = 2023-05-31
ends_by_basis = "ends_act"
budget_expected = true
"""


def write_test_cycle(folder: Path, cycle_id: str, level: str, natures: list[str]) -> Path:
    """Write a test parameter file enabling every standard rule; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cycle.toml"
    natures_toml = "[" + ", ".join(f'"{n}"' for n in natures) + "]"
    path.write_text(
        TEST_CYCLE.format(id=cycle_id, level=level, natures=natures_toml), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="session")
def ats_cycle(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """ATS level; public and third-sector leads admitted (LEAD_NOT_ADMITTED for companies)."""
    folder = tmp_path_factory.mktemp("ats_cycle")
    return load_cycle(write_test_cycle(folder, "test-ats", "ATS", ["public", "private_non_profit"]))


@pytest.fixture(scope="session")
def asl_cycle(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """ASL level; only public leads admitted (LEAD_NOT_PUBLIC)."""
    folder = tmp_path_factory.mktemp("asl_cycle")
    return load_cycle(write_test_cycle(folder, "test-asl", "ASL", ["public"]))


# ---- fake installed distributions --------------------------------------------------------------

FakeDistribution = Callable[..., str]


@pytest.fixture
def fake_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeDistribution]:
    """Install a throw-away distribution with a ``conciliazione`` entry point on ``sys.path``.

    ``make(dist_name, version, source)`` writes ``source`` as a fresh module and returns the
    entry point's name; ``cycles`` are the cycle ids it declares (``conciliazione.cycles``); importlib.metadata finds it exactly as it finds a pip-installed plugin.
    """
    modules: list[str] = []

    def make(
        dist_name: str,
        version: str,
        source: str,
        entry_name: str | None = None,
        cycles: tuple[str, ...] = (),
    ) -> str:
        module = f"fake_plugin_{uuid.uuid4().hex}"
        name = entry_name or module
        root = tmp_path / f"site_{module}"
        root.mkdir()
        (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = root / f"{dist_name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n", encoding="utf-8"
        )
        declared = "".join(f"{cycle_id} = {module}\n" for cycle_id in cycles)
        (info / "entry_points.txt").write_text(
            f"[conciliazione]\n{name} = {module}\n\n[conciliazione.cycles]\n{declared}",
            encoding="utf-8",
        )
        monkeypatch.syspath_prepend(str(root))
        modules.append(module)
        return name

    yield make
    for module in modules:
        sys.modules.pop(module, None)


# ---- faulty plugins, really installed ----------------------------------------------------------

FAULTY_SOURCES = Path(__file__).parent / "faulty_plugins"


@pytest.fixture(scope="session")
def faulty_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the faulty distributions of ``tests/faulty_plugins`` installed by pip
    (about 3 s, once); see tests/test_faulty_plugins.py."""
    import shutil
    import subprocess

    root = tmp_path_factory.mktemp("faulty")
    copies = []
    for source in sorted(p for p in FAULTY_SOURCES.iterdir() if (p / "pyproject.toml").is_file()):
        # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
        copy = shutil.copytree(source, root / "src" / source.name)
        copies.append(str(copy))
    site = root / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(site),
            *copies,
        ],
        check=True,
        capture_output=True,
    )
    return site
