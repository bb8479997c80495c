"""The allocation bar chart: its data add up, its files are reproducible, its errors are typed."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from conciliazione_core import i18n
from conciliazione_core._chart import CHART_SUFFIXES, MAX_BARS, chart_bars, draw_chart
from conciliazione_core._errors import ConciliazioneError, InputError
from conciliazione_core._host import default_host
from conciliazione_core._indicators import parse_indicator_csv
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core.allocation import Allocation, allocate, parse_allocation
from conciliazione_core.cli import main
from conciliazione_core.i18n import language

BASIS = {"act": LegalBasis(act="Test act")}


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    token = i18n._language.set(i18n._language.get())
    yield
    i18n._language.reset(token)


def _table(rows: Sequence[tuple[str, int, str]]) -> str:
    lines = ["id,name,pop,source,reference_date,status"]
    lines += [f"{rid},Territory {rid},{pop},test figures,2019-01-01,{st}" for rid, pop, st in rows]
    return "\n".join(lines) + "\n"


def _allocation(
    rows: Sequence[tuple[str, int, str]] = (
        ("A", 500, "official"),
        ("B", 300, "derived"),
        ("C", 200, "official"),
    ),
    *,
    what_if: Sequence[str] = (),
    missing_row: bool = False,
    explain: bool = True,
) -> Allocation:
    """Two envelopes (an equal one, a proportional one split 80/20) and a retained one."""
    plan = parse_allocation(
        {
            "total": "1300",
            "rounding": {"strategy": "largest_remainder", "unit": "1"},
            "envelopes": [
                {"id": "eq", "kind": "equal", "label": "Training", "amount": "300", "basis": "act"},
                {
                    "id": "prop",
                    "kind": "proportional",
                    "label": "Plans",
                    "amount": "900",
                    "indicator": "pop",
                    "basis": "act",
                    "split": [
                        {"id": "projects", "label": "Projects", "share": "80%", "basis": "act"},
                        {"id": "system", "label": "System action", "share": "20%", "basis": "act"},
                    ],
                },
                {
                    "id": "kept",
                    "kind": "retained",
                    "label": "Kept",
                    "amount": "100",
                    "basis": "act",
                },
            ],
        },
        BASIS,
    )
    table = parse_indicator_csv(_table(rows[:-1] if missing_row else rows))
    return allocate(
        plan,
        [(rid, f"Territory {rid}") for rid, _p, _s in rows],
        table,
        explain=explain,
        missing="pending",
        what_if=what_if,
    )


@pytest.fixture(scope="module")
def reference_2020() -> Allocation:
    cycle = default_host().cycle("lombardia-2020")
    assert cycle.allocation is not None
    return allocate(
        cycle.allocation,
        [(r.id, r.name) for r in cycle.recipients],
        cycle.reference_table(),
        missing="pending",
    )


# ---- the chart's data ---------------------------------------------------------------------------


@pytest.mark.parametrize("explain", [True, False])
def test_segments_add_up_to_each_share(explain: bool) -> None:
    allocation = _allocation(explain=explain)
    bars = chart_bars(allocation)
    assert [b.id for b in bars] == ["A", "B", "C"]
    for bar, share in zip(bars, allocation.shares, strict=True):
        assert bar.amount == share.amount
        assert Money.total(s.amount for s in bar.segments) == share.amount
    # the equal envelope, then the proportional one's two parts
    assert [(s.envelope_id, s.part_id) for s in bars[0].segments] == [
        ("eq", None),
        ("prop", "projects"),
        ("prop", "system"),
    ]


def test_one_colour_per_envelope_and_hatched_parts() -> None:
    bar = chart_bars(_allocation())[0]
    training, projects, system = bar.segments
    assert projects.colour == system.colour != training.colour
    assert projects.hatch == ""
    assert system.hatch != ""
    assert training.hatch == ""
    assert system.label == "Plans: System action"


def test_non_official_territories_are_flagged() -> None:
    bars = chart_bars(_allocation())
    assert [b.official for b in bars] == [True, False, True]


def test_reference_2020_chart_data(reference_2020: Allocation) -> None:
    bars = chart_bars(reference_2020)
    assert len(bars) == 8
    assert Money.total(b.amount for b in bars) == Money.euros(2_800_000)
    assert {b.id for b in bars if not b.official} == {
        "ATS-INSUBRIA",
        "ATS-MONTAGNA",
        "ATS-BRESCIA",
    }
    assert all(len(b.segments) == 2 for b in bars)  # 80% projects, 20% system action


# ---- drawing ------------------------------------------------------------------------------------


def _svg(allocation: Allocation, path: Path, **kwargs: Any) -> str:
    pytest.importorskip("matplotlib")
    draw_chart(allocation, path, **kwargs)
    return path.read_text(encoding="utf-8")


def test_svg_has_title_amounts_legend_and_notes(tmp_path: Path) -> None:
    allocation = _allocation()
    with language("en"):
        svg = _svg(allocation, tmp_path / "chart.svg", title="Test cycle")
    assert svg.startswith("<?xml")
    assert "Test cycle" in svg
    for share in allocation.shares:  # every total is labelled, in euros
        assert f"€{share.amount.cents // 100:,}" in svg
        assert share.name in svg
    for legend in ("Training", "Plans: Projects", "Plans: System action"):
        assert legend in svg
    assert "Territory B †" in svg  # derived population
    assert "Computed from non-official figures (derived): Territory B." in svg
    assert "Not in the bars: Kept, €100." in svg
    assert "PARTIAL" not in svg
    assert "WHAT-IF" not in svg


def test_svg_in_italian(tmp_path: Path) -> None:
    allocation = _allocation(rows=(("A", 5000, "official"), ("B", 3000, "official")))
    with language("it"):
        svg = _svg(allocation, tmp_path / "chart.svg")
    assert "Ripartizione" in svg  # the default title
    assert "€ 150" in svg
    assert "Totale € 1.300" in svg
    assert ">euro<" in svg or "euro</text>" in svg


def test_partial_and_what_if_allocations_say_so(tmp_path: Path) -> None:
    allocation = _allocation(missing_row=True, what_if=("allocation.total=1300",))
    assert allocation.pending
    with language("en"):
        svg = _svg(allocation, tmp_path / "chart.svg")
    assert "PARTIAL allocation: €900 not allocated" in svg
    assert (
        "NOT ALLOCATED: €900 (Plans): indicator values missing for 1 territory (Territory C)"
        in (svg)
    )
    assert "WHAT-IF run, not the official parameters: allocation.total=1300." in svg


def test_svg_is_reproducible(tmp_path: Path, reference_2020: Allocation) -> None:
    first = _svg(reference_2020, tmp_path / "a.svg", title="2020")
    second = _svg(reference_2020, tmp_path / "b.svg", title="2020")
    assert first == second
    assert "<dc:date>" not in first
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", first)


@pytest.mark.parametrize("name", ["chart.png", "CHART.PNG"])
def test_png(tmp_path: Path, name: str) -> None:
    pytest.importorskip("matplotlib")
    path = draw_chart(_allocation(), tmp_path / name)
    assert path == tmp_path / name
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_nothing_allocated_still_draws_and_names_the_envelope(tmp_path: Path) -> None:
    plan = parse_allocation(
        {
            "total": "900",
            "envelopes": [
                {
                    "id": "prop",
                    "kind": "proportional",
                    "label": "Plans",
                    "amount": "900",
                    "indicator": "pop",
                    "basis": "act",
                }
            ],
        },
        BASIS,
    )
    table = parse_indicator_csv(_table([("A", 1, "official")]))
    allocation = allocate(plan, [("A", "A"), ("B", "B")], table, missing="pending")
    assert allocation.allocated_total == Money(0)
    with language("en"):
        svg = _svg(allocation, tmp_path / "c.svg")
    assert "Plans" in svg  # the legend still names the envelope
    assert "PARTIAL allocation: €900 not allocated" in svg


# ---- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["chart.pdf", "chart", "chart.svg.txt", "chart.jpeg"])
def test_unknown_suffix_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError) as info:
        draw_chart(_allocation(), tmp_path / name)
    assert info.value.problems[0].path == "--chart"
    assert f"cannot draw a chart to {name!r}: the file name must end in .svg or .png" in str(
        info.value
    )
    assert not (tmp_path / name).exists()
    assert CHART_SUFFIXES == (".svg", ".png")


def test_missing_matplotlib_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(InputError) as info, language("en"):
        draw_chart(_allocation(), tmp_path / "chart.svg")
    assert isinstance(info.value, ConciliazioneError)
    assert info.value.problems[0].path == "--chart"
    assert "pip install 'conciliazione-core[chart]'" in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_unwritable_file_is_an_input_error(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    with pytest.raises(InputError, match="cannot write") as info:
        draw_chart(_allocation(), tmp_path / "no-such-folder" / "chart.svg")
    assert info.value.problems[0].path == "--chart"


def test_too_many_territories_are_refused(tmp_path: Path) -> None:
    rows = [(f"T{i:03d}", 1, "official") for i in range(MAX_BARS + 1)]
    with pytest.raises(InputError, match=f"at most {MAX_BARS} territories"):
        draw_chart(_allocation(rows=rows), tmp_path / "chart.svg")


# ---- the command line ---------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_cli_allocate_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "lombardia-2020.svg"
    code, _out, err = _run(
        capsys,
        "--lang",
        "en",
        "allocate",
        "lombardia-2020",
        "--format",
        "json",
        "--chart",
        str(path),
    )
    assert code == 0, err
    svg = path.read_text(encoding="utf-8")
    assert "Conciliazione vita-lavoro 2020-2023" in svg
    assert "ATS della Montagna †" in svg


def test_cli_refuses_an_unknown_chart_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(
        capsys,
        "--lang",
        "en",
        "allocate",
        "lombardia-2020",
        "--format",
        "json",
        "--chart",
        str(tmp_path / "c.pdf"),
    )
    assert code == 2
    message = json.loads(err)["error"]["message"]  # --format json: the error as JSON
    assert message.startswith("--chart: cannot draw a chart to 'c.pdf'")
    assert "\n" not in message
