"""What a user installs: the sdist and wheels of the core and of each plugin.

Each is built once, the way a release would be (``python -m build``: the sdist, then the wheel
from the unpacked sdist), without build isolation so that the locked setuptools builds it.
"""

from __future__ import annotations

import email.parser
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import conciliazione_core

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = {
    "conciliazione_core": ROOT,
    "conciliazione_lombardia_2014": ROOT / "plugins" / "lombardia_2014",
    "conciliazione_lombardia_2017": ROOT / "plugins" / "lombardia_2017",
    "conciliazione_lombardia_2020": ROOT / "plugins" / "lombardia_2020",
    "conciliazione_lombardia_2025": ROOT / "plugins" / "lombardia_2025",
}
LICENCE = (ROOT / "LICENSE").read_text("utf-8")


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the distribution tests build from a git checkout")
    out = tmp_path_factory.mktemp("dist")
    for project in PROJECTS.values():
        built = _run("-m", "build", "--no-isolation", "--outdir", str(out), str(project))
        assert built.returncode == 0, built.stdout + built.stderr
    return out


def _wheel(dists: Path, name: str) -> Path:
    (wheel,) = dists.glob(f"{name}-*.whl")
    return wheel


def _sdist(dists: Path, name: str) -> Path:
    (sdist,) = dists.glob(f"{name}-*.tar.gz")
    return sdist


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_wheel_carries_the_licence_and_declares_it_as_spdx(dists: Path, name: str) -> None:
    with zipfile.ZipFile(_wheel(dists, name)) as wheel:
        (licence,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert wheel.read(licence).decode("utf-8") == LICENCE
        (meta_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(wheel.read(meta_name).decode("utf-8"))
    assert meta["License-Expression"] == "EUPL-1.2"
    assert "License :: " not in " ".join(meta.get_all("Classifier") or [])  # SPDX, not both
    assert "Programming Language :: Python :: 3.11" in meta.get_all("Classifier")
    assert meta["Description-Content-Type"] == "text/markdown"
    assert len(meta.get_payload()) > 500  # the README, not a stub


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_sdist_carries_the_licence_and_its_tests(dists: Path, name: str) -> None:
    with tarfile.open(_sdist(dists, name)) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
        licence = sdist.extractfile(f"{sdist.getnames()[0].split('/')[0]}/LICENSE")
        assert licence is not None
        assert licence.read().decode("utf-8") == LICENCE
    tests = {
        str(p.relative_to(PROJECTS[name]))
        for p in (PROJECTS[name] / "tests").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert tests
    assert tests <= members


def test_the_core_sdist_holds_every_tracked_file(dists: Path) -> None:
    """Everything the tests, the docs and the Makefile read is in the sdist: the whole project."""
    tracked = subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.split()
    with tarfile.open(_sdist(dists, "conciliazione_core")) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    missing = sorted(set(tracked) - members)
    assert missing == []


def test_the_version_is_kept_in_one_place(dists: Path) -> None:
    wheel = _wheel(dists, "conciliazione_core")
    assert wheel.name.startswith(f"conciliazione_core-{conciliazione_core.__version__}-")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]


def test_twine_check_is_clean_for_every_distribution(dists: Path) -> None:
    files = sorted(str(p) for p in dists.iterdir())
    assert len(files) == 2 * len(PROJECTS)
    checked = _run("-m", "twine", "check", "--strict", *files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == len(files)


@pytest.mark.parametrize("module", ["conciliazione_core", "conciliazione_core.cli"])
def test_python_dash_m_runs_the_command(module: str) -> None:
    listed = _run("-m", module, "cycles")
    assert listed.returncode == 0, listed.stderr
    assert "lombardia-2020" in listed.stdout
    bad = _run("-m", module, "no-such-command")
    assert bad.returncode == 2
    assert "no-such-command" in bad.stderr
