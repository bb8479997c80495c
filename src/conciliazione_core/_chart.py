"""A bar chart of an allocation: one horizontal bar per territory, its envelopes stacked.

How to read it: each envelope has its own colour, in the order of the parameter file; when an
envelope splits every amount into parts (e.g. 80% alliance projects, 20% ATS system action) the
parts are sub-stacks of the same colour told apart by hatching (the first part plain, the next
ones hatched). Every bar ends with the territory's total in euros, and parts wide enough carry
their own amount. A territory whose amount was computed from non-official (derived or
estimated) figures is marked ``†`` and named in a footnote; the notes under the chart give the
total, what the Region keeps, what is left pending (missing indicator values) or unallocated, and
the parameter overrides of a what-if run, so that a partial or hypothetical allocation cannot be
mistaken for the official one.

matplotlib is an optional dependency (``pip install 'conciliazione-core[chart]'``), imported only
when a chart is drawn. Charts are drawn with the Agg backend without touching pyplot's global
state, and SVG output is byte-for-byte reproducible (fixed hash salt, no date in the metadata).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from conciliazione_core._errors import InputError
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus
from conciliazione_core.allocation._envelopes import is_recipient_level
from conciliazione_core.allocation._formatting import euros, group
from conciliazione_core.allocation._result import Allocation
from conciliazione_core.i18n import N_, _, current_language, ngettext

__all__ = ["CHART_SUFFIXES", "MAX_BARS", "ChartBar", "ChartSegment", "chart_bars", "draw_chart"]

CHART_SUFFIXES = (".svg", ".png")
"""The file types a chart can be written as, chosen by the file's suffix."""

MAX_BARS = 60
"""More territories than this make an unreadable chart; use the CSV or JSON output instead."""

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in grey print.
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
_HATCHES = ("", "///", "...", "xx", "\\\\\\", "++")
_DAGGER = "†"
_PATH = "--chart"
_STATUS_WORDS = {"official": N_("official"), "derived": N_("derived"), "estimate": N_("estimate")}


@attrs.frozen
class ChartSegment:
    """One stacked piece of a bar: an envelope, or one part of an envelope's split."""

    envelope_id: str
    part_id: str | None
    label: str
    """The legend's text: the envelope's label, with the part's when there is one."""
    amount: Money
    colour: str
    hatch: str


@attrs.frozen
class ChartBar:
    """One territory's bar."""

    id: str
    name: str
    amount: Money
    official: bool
    segments: tuple[ChartSegment, ...]


def chart_bars(allocation: Allocation) -> tuple[ChartBar, ...]:
    """The bars to draw, in the allocation's display order (the chart's data, testable alone).

    The segments of each bar add up exactly to the territory's amount.
    """
    styles = _styles(allocation)
    bars = []
    for share in allocation.shares:
        explained = share if allocation.explained is not None else allocation.explain(share.id)
        segments: list[ChartSegment] = []
        for c in explained.components:
            colour = styles.get(c.envelope_id, (_COLOURS[0], c.label))[0]
            if c.parts:
                for j, part in enumerate(c.parts):
                    segments.append(
                        ChartSegment(
                            c.envelope_id,
                            part.id,
                            f"{c.label}: {part.label}",
                            part.amount,
                            colour,
                            _HATCHES[j % len(_HATCHES)],
                        )
                    )
            else:
                segments.append(
                    ChartSegment(c.envelope_id, None, str(c.label), c.amount, colour, "")
                )
        bars.append(
            ChartBar(
                share.id,
                share.name or share.id,
                share.amount,
                allocation.status(share.id) is DataStatus.OFFICIAL,
                tuple(segments),
            )
        )
    return tuple(bars)


def _styles(allocation: Allocation) -> dict[str, tuple[str, str]]:
    """Envelope id -> (colour, label), colours in the order of the plan's envelopes."""
    found: dict[str, tuple[str, str]] = {}
    for envelope in allocation.plan.envelopes:
        if not is_recipient_level(envelope):
            continue
        found[envelope.id] = (_COLOURS[len(found) % len(_COLOURS)], str(envelope.label))
    return found


def _check_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise InputError.at(
            _PATH,
            _("cannot draw a chart to {file!r}: the file name must end in .svg or .png").format(
                file=path.name
            ),
        )
    return suffix[1:]


def _notes(allocation: Allocation, bars: Sequence[ChartBar], lang: str) -> list[str]:
    """The lines under the chart: what the bars do not show, and how far to trust them."""
    lines = [
        _("Total {total}; to the {n} territories {allocated}.").format(
            total=euros(allocation.total, lang),
            n=len(bars),
            allocated=euros(allocation.allocated_total, lang),
        )
    ]
    for line in allocation.retained:
        lines.append(
            _("Not in the bars: {label}, {amount}.").format(
                amount=euros(line.amount, lang), label=line.label
            )
        )
    names = {b.id: b.name for b in bars}
    for pending in allocation.pending:
        missing = [names.get(i, i) for i in pending.missing]
        listing = ", ".join(missing[:8])
        if len(missing) > 8:
            listing += " " + _("and {n} more").format(n=len(missing) - 8)
        lines.append(
            ngettext(
                "NOT ALLOCATED: {amount} ({label}): indicator values missing for {n} territory "
                "({names}).",
                "NOT ALLOCATED: {amount} ({label}): indicator values missing for {n} territories "
                "({names}).",
                len(missing),
            ).format(
                amount=euros(pending.amount, lang),
                label=pending.label,
                n=len(missing),
                names=listing,
            )
        )
    if allocation.unallocated.cents:
        lines.append(
            _("Left over by rounding, not allocated: {amount}.").format(
                amount=euros(allocation.unallocated, lang)
            )
        )
    if allocation.what_if:
        lines.append(
            _("WHAT-IF run, not the official parameters: {overrides}.").format(
                overrides="; ".join(allocation.what_if)
            )
        )
    unofficial = [b for b in bars if not b.official]
    if unofficial:
        lines.append(
            _("{dagger} Computed from non-official figures ({statuses}): {names}.").format(
                dagger=_DAGGER,
                statuses=", ".join(
                    sorted({_(_STATUS_WORDS[allocation.status(b.id).value]) for b in unofficial})
                ),
                names=", ".join(b.name for b in unofficial),
            )
        )
    return lines


def _subtitle(allocation: Allocation, lang: str) -> str | None:
    if allocation.pending or allocation.what_if:
        parts = []
        if allocation.pending:
            parts.append(
                _("PARTIAL allocation: {amount} not allocated, see the notes").format(
                    amount=euros(allocation.pending_total, lang)
                )
            )
        if allocation.what_if:
            parts.append(_("WHAT-IF"))
        return " · ".join(parts)
    return None


def _import_matplotlib() -> tuple[Any, Any, Any]:
    try:
        import matplotlib
        import matplotlib.patches
        import matplotlib.transforms
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError.at(
            _PATH,
            _(
                "drawing a chart needs matplotlib; install it with: "
                "pip install 'conciliazione-core[chart]'"
            ),
        ) from None
    return matplotlib, Figure, FigureCanvasAgg


def draw_chart(allocation: Allocation, path: str | Path, *, title: str | None = None) -> Path:
    """Draw ``allocation`` as a bar chart to ``path`` (``.svg`` or ``.png``) and return the path.

    InputError at ``--chart`` for another suffix, more than :data:`MAX_BARS` territories, a
    missing matplotlib (naming the ``chart`` extra) or a file that cannot be written.
    """
    path = Path(path)
    fmt = _check_path(path)
    n = len(allocation.recipient_ids)
    if n > MAX_BARS:  # before explaining every share, which a huge allocation cannot afford
        raise InputError.at(
            _PATH,
            _(
                "a chart shows at most {max} territories, and this allocation has {n}; "
                "use --format csv or json instead"
            ).format(max=MAX_BARS, n=n),
        )
    bars = chart_bars(allocation)
    matplotlib, figure_class, canvas_class = _import_matplotlib()
    lang = current_language()
    notes = [
        wrapped for line in _notes(allocation, bars, lang) for wrapped in textwrap.wrap(line, 135)
    ]
    subtitle = _subtitle(allocation, lang)
    styles = _styles(allocation)

    # Legend entries: one per envelope, or per (envelope, part), in the order they appear.
    legend: dict[tuple[str, str | None], ChartSegment] = {}
    for bar in bars:
        for s in bar.segments:
            legend.setdefault((s.envelope_id, s.part_id), s)
    if not legend:  # nothing allocated to anybody: still name the envelopes
        for envelope_id, (colour, label) in styles.items():
            legend[(envelope_id, None)] = ChartSegment(
                envelope_id, None, label, Money(0), colour, ""
            )

    rc = {
        "svg.hashsalt": "conciliazione-core",
        "svg.fonttype": "none",
        # Text stays text in SVG: a browser without DejaVu Sans falls back to a similar face.
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
        "font.size": 9,
        "hatch.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    bars_in = 0.38 * max(len(bars), 1) + 0.9
    legend_in = 0.22 * len(legend) + 0.2
    notes_in = 0.2 * len(notes) + 0.15
    head_in = 0.75 if subtitle else 0.55
    height = bars_in + legend_in + notes_in + head_in
    with matplotlib.rc_context(rc):
        fig = figure_class(figsize=(9.0, height), dpi=100, layout="constrained")
        canvas_class(fig)
        grid = fig.add_gridspec(3, 1, height_ratios=[bars_in, legend_in, notes_in])
        ax = fig.add_subplot(grid[0])
        _draw_bars(ax, bars, lang)
        legend_ax = fig.add_subplot(grid[1])
        legend_ax.axis("off")
        handles = [
            matplotlib.patches.Patch(
                facecolor=s.colour, hatch=s.hatch, edgecolor="white", label=s.label
            )
            for s in legend.values()
        ]
        # Legend and notes start at the figure's left edge, under the territory names.
        blend = matplotlib.transforms.blended_transform_factory
        legend_ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.01, 1),
            bbox_transform=blend(fig.transFigure, legend_ax.transAxes),
            frameon=False,
            handleheight=1.2,
            borderaxespad=0,
        )
        notes_ax = fig.add_subplot(grid[2])
        notes_ax.axis("off")
        notes_ax.text(
            0.01,
            1,
            "\n".join(notes),
            transform=blend(fig.transFigure, notes_ax.transAxes),
            va="top",
            ha="left",
            linespacing=1.5,
        )
        fig.suptitle(title or _("Allocation"), fontsize=12, fontweight="bold")
        if subtitle:
            ax.set_title(subtitle, fontsize=10, color="#B00020", loc="left")
        metadata: dict[str, str | None]
        if fmt == "svg":
            metadata = {"Date": None, "Creator": "conciliazione-core"}
        else:
            metadata = {"Software": "conciliazione-core"}
        try:
            fig.savefig(path, format=fmt, dpi=150, metadata=metadata)
        except OSError as exc:
            raise InputError.at(
                _PATH,
                _("cannot write {file}: {reason}").format(
                    file=path, reason=exc.strerror or str(exc)
                ),
            ) from None
    return path


def _draw_bars(ax: Any, bars: Sequence[ChartBar], lang: str) -> None:
    widest = max((b.amount.cents for b in bars), default=0) / 100 or 1.0
    labels = []
    for y, bar in enumerate(bars):
        left = 0.0
        for s in bar.segments:
            # Floats only for drawing: every figure printed comes from the exact Money.
            width = s.amount.cents / 100
            ax.barh(
                y,
                width,
                left=left,
                height=0.7,
                color=s.colour,
                hatch=s.hatch,
                edgecolor="white",
                linewidth=0.8,
            )
            if len(bar.segments) > 1 and width >= 0.16 * widest:
                ax.text(
                    left + width / 2,
                    y,
                    euros(s.amount, lang),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=8,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": s.colour, "ec": "none"},
                )
            left += width
        ax.text(left + widest * 0.01, y, euros(bar.amount, lang), va="center", fontsize=8.5)
        labels.append(bar.name if bar.official else f"{bar.name} {_DAGGER}")
    ax.set_yticks(range(len(bars)), labels)
    ax.set_ylim(len(bars) - 0.4, -0.6)
    ax.set_xlim(0, widest * 1.16)
    ax.xaxis.set_major_formatter(lambda x, _pos: group(int(x), lang))
    ax.set_xlabel(_("euros"))
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
