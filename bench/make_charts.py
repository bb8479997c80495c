"""Draw the allocation charts the documentation embeds (``make charts``).

* ``docs/img/lombardia-2020.svg``: the 2020-2023 allocation among the 8 ATS from the shipped
  reference data (ISTAT population at 1/1/2019; three ATS populations are derived, marked †).
* ``docs/img/lombardia-2014.svg``: the 2014-2015 allocation as far as the shipped data allow, a
  *partial* allocation: the €300,000 training envelope in equal shares among the 15 ASL is drawn,
  while the €3,339,500 for the territorial action plans stays pending because the population of
  five ASL is not shipped (the chart says so in its subtitle and notes). No figure is invented to
  fill the gap.

Run from the repository root: ``python bench/make_charts.py [--lang en|it] [--png]``. The SVG
files are reproducible: running the script twice gives identical bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conciliazione_core import allocation as engine
from conciliazione_core._chart import draw_chart
from conciliazione_core._host import default_host
from conciliazione_core.i18n import set_language

OUT = Path(__file__).resolve().parents[1] / "docs" / "img"

CYCLES = ("lombardia-2020", "lombardia-2014")


def main() -> None:
    """Allocate each cycle with its shipped reference data and draw it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "it"], default="en")
    parser.add_argument("--png", action="store_true", help="also write a PNG next to each SVG")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    set_language(args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    host = default_host()
    for cycle_id in CYCLES:
        cycle = host.cycle(cycle_id)
        assert cycle.allocation is not None, f"{cycle_id} defines no allocation"
        result = engine.allocate(
            cycle.allocation,
            [(r.id, r.name) for r in cycle.recipients],
            cycle.reference_table(),
            explain=True,
            missing="pending",
        )
        for suffix in (".svg", ".png") if args.png else (".svg",):
            path = draw_chart(result, args.out / f"{cycle_id}{suffix}", title=cycle.title)
            print(f"{path}: {len(result.shares)} territories, {len(result.pending)} pending")


if __name__ == "__main__":
    main()
