"""``conciliazione new-cycle``: the generated package is complete, valid, installs for real and
passes its own tests; bad ids, taken ids and non-empty folders are refused."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

import pytest

from conciliazione_core._cycle import Cycle, load_cycle
from conciliazione_core._errors import InputError
from conciliazione_core._host import Host
from conciliazione_core._legal import Evidence
from conciliazione_core._scaffold import (
    CYCLE_ID_PATTERN,
    check_cycle_id,
    distribution_name,
    new_cycle,
    package_name,
    refuse_installed,
    render_scaffold,
)
from conciliazione_core._serialisation import parse_toml
from conciliazione_core.cli import main
from conciliazione_core.testing._conformance import run_checks

NEW_ID = "testland-2031"
PACKAGE = "testland_2031"


def run_cli(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def load_generated(folder: Path, package: str = PACKAGE) -> Cycle:
    return load_cycle(folder / "src" / package / "cycle.toml")


# ---- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "good", ["lombardia-2025", "emilia-romagna-2026", "l2-2030", "valle-d-aosta-1999"]
)
def test_region_year_ids_are_accepted(good: str) -> None:
    check_cycle_id(good)


@pytest.mark.parametrize(
    "bad",
    [
        "Lombardia-2025",
        "lombardia",
        "lombardia-25",
        "lombardia_2025",
        "2025-lombardia",
        "-lombardia-2025",
        "lombardia--2025",
        "lombardia-2025-",
        "lombardia-1899",
        "lombardia-2025b",
        "lombardia 2025",
        "",
        "a" * 60 + "-2025",
    ],
)
def test_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(InputError, match="is not a cycle id") as info:
        check_cycle_id(bad)
    assert CYCLE_ID_PATTERN in str(info.value)


def test_names_follow_the_id() -> None:
    assert package_name("emilia-romagna-2026") == "emilia_romagna_2026"
    assert distribution_name("emilia-romagna-2026") == "conciliazione-emilia-romagna-2026"


def test_an_installed_cycle_id_is_refused(host: Host) -> None:
    with pytest.raises(InputError, match="already installed"):
        refuse_installed("lombardia-2020", host)


def test_an_installed_distribution_is_refused(fake_distribution) -> None:  # type: ignore[no-untyped-def]
    fake_distribution("conciliazione-fakeland-2030", "1.0", "x = 1\n")
    with pytest.raises(InputError, match="conciliazione-fakeland-2030 is already installed"):
        refuse_installed("fakeland-2030", Host(use_entry_points=False))


def test_an_importable_module_of_the_same_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shadowland_2030.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(InputError, match="'shadowland_2030' is already importable"):
        refuse_installed("shadowland-2030", Host(use_entry_points=False))


def test_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="is not empty"):
        new_cycle(NEW_ID, tmp_path, host=Host(use_entry_points=False))
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_file_as_target_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputError, match="is not a folder"):
        new_cycle(NEW_ID, target, host=Host(use_entry_points=False))


# ---- the skeleton -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("skeleton") / "pkg"
    new_cycle(NEW_ID, folder, host=Host(use_entry_points=False))
    return folder


def test_the_skeleton_has_every_file(skeleton: Path) -> None:
    made = sorted(str(p.relative_to(skeleton)) for p in skeleton.rglob("*") if p.is_file())
    assert made == [
        "LICENSE",
        "README.md",
        "pyproject.toml",
        f"src/{PACKAGE}/__init__.py",
        f"src/{PACKAGE}/cycle.toml",
        f"src/{PACKAGE}/examples/replace_me_plan.toml",
        f"src/{PACKAGE}/examples/replace_me_plan_wrong_lead.toml",
        f"src/{PACKAGE}/plugin.py",
        f"src/{PACKAGE}/py.typed",
        "tests/test_conformance.py",
    ]


def test_the_skeleton_pyproject_declares_the_plugin(skeleton: Path) -> None:
    project = tomllib.loads((skeleton / "pyproject.toml").read_text())
    assert project["project"]["name"] == f"conciliazione-{NEW_ID}"
    assert project["project"]["dependencies"] == ["conciliazione-core>=0.1"]
    assert project["project"]["entry-points"]["conciliazione"] == {PACKAGE: f"{PACKAGE}.plugin"}
    data = project["tool"]["setuptools"]["package-data"][PACKAGE]
    assert {"cycle.toml", "py.typed", "examples/*"} <= set(data)


def test_the_skeleton_python_files_compile(skeleton: Path) -> None:
    for path in skeleton.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    assert "importlib.resources" in (skeleton / "src" / PACKAGE / "plugin.py").read_text()


def test_the_skeleton_parameter_file_loads_with_a_marked_placeholder(skeleton: Path) -> None:
    cycle = load_generated(skeleton)
    assert cycle.id == NEW_ID
    assert cycle.period.start.year == 2031
    # Its one citation, and the core's plain sense that every cycle carries.
    assert list(cycle.citations) == ["decree", "plain_sense"]
    assert [c.evidence for c in cycle.citations.values()] == [Evidence.INFERENCE] * 2
    assert "replace me" in (str(cycle.citations["decree"].act) + str(cycle.title)).lower()
    assert cycle.allocation is None  # no invented amounts
    assert "replace me" in (skeleton / "src" / PACKAGE / "cycle.toml").read_text()


def test_the_skeleton_examples_are_declared_with_what_they_give(skeleton: Path) -> None:
    cycle = load_generated(skeleton)
    declared = [(e.file, e.admissible, e.codes) for e in cycle.examples]
    assert declared == [
        ("examples/replace_me_plan.toml", True, ()),
        ("examples/replace_me_plan_wrong_lead.toml", False, ("NETWORK_LEAD_NOT_AGENCY",)),
    ]


def test_the_skeleton_passes_the_conformance_kit(skeleton: Path) -> None:
    results = run_checks(load_generated(skeleton), Host(use_entry_points=False), max_examples=5)
    assert all(problems == [] for problems in results.values()), results


def test_the_generated_test_uses_the_kit(skeleton: Path) -> None:
    text = (skeleton / "tests" / "test_conformance.py").read_text()
    assert "from conciliazione_core.testing._conformance import CHECKS, run_check" in text
    assert f'CYCLE_ID = "{NEW_ID}"' in text


# ---- --from -------------------------------------------------------------------------------------


@pytest.mark.parametrize("source_id", ["lombardia-2014", "lombardia-2020"])
def test_from_copies_the_parameters_data_and_examples(
    tmp_path: Path, host: Host, source_id: str
) -> None:
    source = host.cycle(source_id)
    new_cycle(NEW_ID, tmp_path, source=source, host=Host(use_entry_points=False))
    text = (tmp_path / "src" / PACKAGE / "cycle.toml").read_text()
    original = source.root.joinpath(source.source).read_text()
    assert text.startswith(f'# Parameter file of the cycle "{NEW_ID}"')
    assert "WHAT TO EDIT" in text
    assert original.splitlines()[0] in text.splitlines()  # the source's comments are kept
    copied, expected = parse_toml(text), parse_toml(original)
    assert copied["cycle"]["id"] == NEW_ID
    assert "replace me" in copied["cycle"]["title"]
    copied.pop("cycle")
    expected.pop("cycle")
    assert copied == expected
    cycle = load_generated(tmp_path)
    assert cycle.examples == source.examples
    for name, ref in source.data_files.items():
        assert cycle.data_files[name].read_bytes() == ref.read_bytes()
    results = run_checks(cycle, Host(use_entry_points=False), max_examples=5)
    assert all(problems == [] for problems in results.values()), results


def test_from_moves_the_examples_to_the_new_cycle(tmp_path: Path, host: Host) -> None:
    new_cycle(
        NEW_ID, tmp_path, source=host.cycle("lombardia-2020"), host=Host(use_entry_points=False)
    )
    montagna = tmp_path / "src" / PACKAGE / "examples" / "montagna_2020_2023.toml"
    assert parse_toml(montagna.read_text())["cycle"] == NEW_ID


def test_from_a_cycle_without_examples_generates_them(tmp_path: Path, asl_cycle: Cycle) -> None:
    files = render_scaffold(NEW_ID, asl_cycle)
    assert f"src/{PACKAGE}/examples/replace_me_plan.toml" in files
    plan = parse_toml(files[f"src/{PACKAGE}/examples/replace_me_plan.toml"])
    assert plan["network"]["agency"].startswith("ASL-")  # the source's level, not ATS


def test_from_refuses_a_source_with_a_missing_data_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "cycle.toml").write_text(
        '[cycle]\nid = "gone-2030"\ntitle = "T"\nlevel = "ATS"\n'
        "period = { start = 2030-01-01, end = 2030-12-31 }\nlegal_basis = []\n\n"
        '[citations]\n\n[data]\npop = "data/pop.csv"\n'
    )
    with pytest.raises(InputError, match=r"data/pop\.csv is missing from gone-2030"):
        render_scaffold(NEW_ID, load_cycle(src / "cycle.toml"))


# ---- the command --------------------------------------------------------------------------------


def test_cli_new_cycle_writes_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["new-cycle", NEW_ID, "--dir", str(tmp_path / "p")], capsys)
    assert (code, err) == (0, "")
    assert f"Created conciliazione-{NEW_ID}" in out
    assert (tmp_path / "p" / "src" / PACKAGE / "cycle.toml").is_file()


def test_cli_new_cycle_defaults_to_a_folder_named_after_the_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, _err = run_cli(["new-cycle", NEW_ID], capsys)
    assert code == 0
    assert (tmp_path / f"conciliazione-{NEW_ID}" / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new-cycle", "Bad-Id"], "'Bad-Id' is not a cycle id"),
        (["new-cycle", "lombardia-2020"], "cycle 'lombardia-2020' is already installed"),
        (["new-cycle", NEW_ID, "--from", "nowhere-2000"], "unknown cycle 'nowhere-2000'"),
    ],
)
def test_cli_new_cycle_refusals_are_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_cli_new_cycle_refuses_a_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x").write_text("x")
    code, _out, err = run_cli(["new-cycle", NEW_ID, "--dir", str(tmp_path)], capsys)
    assert code == 2
    assert "is not empty" in err
    assert err.count("\n") == 1


# ---- for real: install the generated package and run its own tests ------------------------------


def _can_build_without_isolation() -> bool:
    """setuptools builds wheels itself from 70.1 on; before that it needs the wheel package."""
    from importlib.metadata import version

    major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1) or find_spec("wheel") is not None


def install_target(package: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """A real, non-editable ``pip install --target`` of the generated package (no deps)."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--quiet",
        "--disable-pip-version-check",
        "--target",
        str(site),
        str(package),
    ]
    if _can_build_without_isolation():
        command.insert(4, "--no-build-isolation")
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def run_generated_tests(package: Path, site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "CONCILIAZIONE_PLUGINS", "PYTHONPATH")
    }
    env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(package), "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("source_id", [None, "lombardia-2020"])
def test_the_generated_package_installs_and_passes_its_own_tests(
    tmp_path: Path, host: Host, source_id: str | None
) -> None:
    package = tmp_path / "pkg"
    source = host.cycle(source_id) if source_id else None
    new_cycle(NEW_ID, package, source=source, host=Host(use_entry_points=False))
    site = tmp_path / "site"
    installed = install_target(package, site)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (site / PACKAGE / "cycle.toml").is_file()
    assert list(site.glob(f"conciliazione_{PACKAGE}-0.1.0.dist-info/entry_points.txt"))
    licences = list(site.glob(f"conciliazione_{PACKAGE}-0.1.0.dist-info/licenses/LICENSE"))
    assert len(licences) == 1
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in licences[0].read_text("utf-8")
    result = run_generated_tests(package, site, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout
    if source_id is not None:
        return
    # The same tests go red when the installed cycle misdeclares an example.
    parameters = site / PACKAGE / "cycle.toml"
    parameters.write_text(parameters.read_text().replace("admissible = false", "admissible = true"))
    result = run_generated_tests(package, site, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 6 passed" in result.stdout
    assert "replace_me_plan_wrong_lead.toml is not admissible, declared admissible" in result.stdout


def test_the_skeleton_carries_the_core_licence(skeleton: Path) -> None:
    licence = (skeleton / "LICENSE").read_text("utf-8")
    assert licence == (Path(__file__).resolve().parents[1] / "LICENSE").read_text("utf-8")
    project = tomllib.loads((skeleton / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "EUPL-1.2"
    assert project["license-files"] == ["LICENSE"]
    assert project["optional-dependencies"]["test"][0].startswith("conciliazione-core[testing]")


def test_a_missing_licence_text_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import PackageNotFoundError

    import conciliazione_core._scaffold as scaffold

    def absent(name: str) -> None:
        raise PackageNotFoundError(name)

    monkeypatch.setattr(scaffold, "distribution", absent)
    with pytest.raises(InputError, match="licence text of conciliazione-core is not installed"):
        scaffold.render_scaffold(NEW_ID)
