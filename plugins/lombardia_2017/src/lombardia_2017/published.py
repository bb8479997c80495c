"""The envelope kind ``published_table``: per-recipient amounts read from a cited data file.

Some acts publish every recipient's amount without the rule that produced it (the 2019 extension
of Lombardy's programme, D.G.R. XI/1017/2018, did, per ATS). Such a table is data, not a rule, so
it lives in a CSV file shipped with the plugin, one row per recipient with its provenance::

    [[allocation.envelopes]]
    id = "ats_2019"
    kind = "published_table"
    basis = "dgr_1017"
    amount = "1000000"
    table = "lombardia_2017:cycle_2019/data/ats_amounts_2019.csv"   # package:resource

The file's columns are ``id, amount, source, reference_date, status, citation``: the recipient,
its amount in exact euros (no float, a whole number of rounding units), where the figure was
read, its reference date, ``official`` / ``derived`` / ``estimate``, and the key of the cycle's
citation that gives it. When the cycle loads, the amounts must add up exactly to the envelope's
``amount`` (an error names the difference); once the recipients are known the rows must name
exactly them. Each recipient's explanation shows its row's provenance and citation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import attrs

from conciliazione_core._errors import ConciliazioneError, Problem
from conciliazione_core._indicators import IndicatorRow
from conciliazione_core._legal import LegalBasis
from conciliazione_core._money import Money
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.allocation import (
    AllocationContext,
    Component,
    EnvelopeKind,
    EnvelopeOutcome,
    EnvelopeReader,
    Explained,
    IndicatorInput,
    RetainedLine,
    Rounding,
    Split,
    Tranche,
    given_outcome,
    recipients_mismatch,
    sum_mismatch,
)
from conciliazione_core.hookspecs import hookimpl
from conciliazione_core.i18n import Catalogue, Text, translate

__all__ = [
    "CATALOGUE",
    "COLUMNS",
    "PublishedEnvelope",
    "PublishedRow",
    "PublishedTableKind",
    "conciliazione_envelope_kinds",
]

CATALOGUE = Catalogue("lombardia_2017", Path(__file__).parent / "locale")
"""This plugin's own gettext domain: its Italian messages live here, not in the core's."""

COLUMNS = ("id", "amount", "source", "reference_date", "status", "citation")
"""The columns of a published table, in this order."""

INPUT = "published_amount"
"""The name under which a row's amount and provenance appear among a component's inputs."""

_REFERENCE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*):([\w./-]+)")


def _t(message: str) -> str:
    """``message`` in the current language, from this plugin's own catalogue.

    Not called ``_`` on purpose: the core extracts ``_()`` from every folder under plugins/ into
    its own catalogue; this plugin's messages go in its own (``pybabel extract -k _t``).
    """
    return translate(message, CATALOGUE)


@attrs.frozen(kw_only=True)
class PublishedRow:
    """One recipient's published amount, where it was read, and the act that gives it."""

    recipient: str
    amount: Money
    provenance: Provenance
    basis: LegalBasis
    citation: str
    """The key of :attr:`basis` in the cycle's citations."""


@attrs.frozen(kw_only=True)
class PublishedEnvelope:
    """An envelope whose amount per recipient is a published table shipped as a data file."""

    kind: ClassVar[str] = "published_table"
    id: str
    label: str
    amount: Money
    table: str
    """The data file, as ``package:resource``."""
    rows: tuple[PublishedRow, ...]
    """One row per recipient, in file order."""
    basis: LegalBasis
    citation: str
    note: str | None = None
    split: Split | None = None
    tranches: tuple[Tranche, ...] = ()
    rounding: Rounding | None = None

    def row(self, recipient_id: str) -> PublishedRow:
        """The row of one recipient (KeyError if the table has none)."""
        for row in self.rows:
            if row.recipient == recipient_id:
                return row
        raise KeyError(recipient_id)


def read_resource(reference: str) -> str:
    """The text of ``package:resource`` (ValueError with the reason when it cannot be read)."""
    match = _REFERENCE.fullmatch(reference)
    if match is None or ".." in match.group(2).split("/") or match.group(2).startswith("/"):
        raise ValueError(
            _t("expected package:path/inside/the/package.csv, not {value!r}").format(
                value=reference
            )
        )
    package, resource = match.groups()
    try:
        return files(package).joinpath(resource).read_text(encoding="utf-8")
    except (ModuleNotFoundError, TypeError):
        raise ValueError(_t("no installed package {name!r}").format(name=package)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(
            _t("cannot read {resource} in package {name}: {error}").format(
                resource=resource, name=package, error=type(exc).__name__
            )
        ) from None


def _row(
    reader: EnvelopeReader, cells: Mapping[str, str], where: str, rounding: Rounding
) -> PublishedRow | None:
    """One CSV row read, every problem noted at ``where``; None when it is unusable."""
    recipient = cells["id"].strip()
    if not recipient:
        reader.add(where, _t("the id is empty"))
    amount: Money | None = None
    try:
        amount = Money.parse(cells["amount"].strip())
    except ConciliazioneError as exc:
        reader.add(f"{where}.amount", exc.one_line())
    reader.whole_units(amount, rounding.unit, f"{where}.amount")
    source = cells["source"].strip()
    if not source:
        reader.add(f"{where}.source", _t("the source is empty"))
    date: dt.date | None = None
    try:
        date = dt.date.fromisoformat(cells["reference_date"].strip())
    except ValueError:
        reader.add(
            f"{where}.reference_date",
            _t("expected a date YYYY-MM-DD, not {value!r}").format(value=cells["reference_date"]),
        )
    status: DataStatus | None = None
    try:
        status = DataStatus(cells["status"].strip())
    except ValueError:
        reader.add(
            f"{where}.status",
            _t("expected official, derived or estimate, not {value!r}").format(
                value=cells["status"]
            ),
        )
    cited = reader.basis({"basis": cells["citation"].strip()}, where)
    if not recipient or amount is None or date is None or status is None or cited is None:
        return None
    return PublishedRow(
        recipient=recipient,
        amount=amount,
        provenance=Provenance(
            Text(source, it=(cells.get("source_it") or "").strip() or None), date, status
        ),
        basis=cited[1],
        citation=cited[0],
    )


def read_rows(
    reader: EnvelopeReader, text: str, where: str, rounding: Rounding
) -> list[PublishedRow] | None:
    """The rows of a published table's text; None when the file itself is unusable."""
    lines = csv.DictReader(io.StringIO(text))
    found = tuple(lines.fieldnames or ())
    if found not in (COLUMNS, (*COLUMNS, "source_it")):  # the source in Italian: optional
        reader.add(
            where,
            _t("expected the columns {expected}[,source_it], found {found}").format(
                expected=",".join(COLUMNS), found=",".join(found)
            ),
        )
        return None
    rows: list[PublishedRow] = []
    seen: set[str] = set()
    complete = True
    for number, cells in enumerate(lines, start=2):
        here = f"{where}[line {number}]"
        if None in cells or any(v is None for v in cells.values()):
            reader.add(here, _t("expected {n} cells").format(n=len(found)))
            complete = False
            continue
        row = _row(reader, cells, here, rounding)
        if row is None:
            complete = False
            continue
        if row.recipient in seen:
            reader.add(here, _t("{id} has a second row").format(id=row.recipient))
            complete = False
        seen.add(row.recipient)
        rows.append(row)
    if not rows and complete:
        reader.add(where, _t("expected at least one row"))
    return rows if complete else None


class PublishedTableKind(EnvelopeKind[PublishedEnvelope]):
    """``kind = "published_table"``: a cited table of amounts per recipient, from a data file."""

    kind = "published_table"
    parameters = PublishedEnvelope
    keys = ("amount", "table")
    summary = "published amounts per recipient, from a cited data file"

    def read(
        self, reader: EnvelopeReader, raw: Mapping[str, Any], path: str, rounding: Rounding
    ) -> dict[str, Any]:
        amount = reader.money(raw, "amount", path)
        reader.whole_units(amount, rounding.unit, f"{path}.amount")
        reference = reader.text(raw, "table", path)
        rows: list[PublishedRow] | None = None
        if reference is not None:
            try:
                text = read_resource(reference)
            except ValueError as exc:
                reader.add(f"{path}.table", str(exc))
            else:
                rows = read_rows(reader, text, f"{path}.table", rounding)
        if amount is not None and rows:
            gap = sum_mismatch(Money.total(row.amount for row in rows), amount)
            if gap is not None:
                reader.add(f"{path}.table", gap)
        return {"amount": amount, "table": reference, "rows": tuple(rows or ())}

    def check(self, envelope: PublishedEnvelope, ids: Sequence[str], path: str) -> list[Problem]:
        return recipients_mismatch((row.recipient for row in envelope.rows), ids, f"{path}.table")

    def allocate(
        self, envelope: PublishedEnvelope, context: AllocationContext
    ) -> EnvelopeOutcome | RetainedLine:
        return given_outcome(
            envelope, context, {r.recipient: r.amount.cents for r in envelope.rows}
        )

    def explain(
        self,
        envelope: PublishedEnvelope,
        outcome: EnvelopeOutcome,
        index: int,
        recipient_id: str,
        row: IndicatorRow | None,
    ) -> Explained:
        published = envelope.row(recipient_id)
        shown = IndicatorInput(
            INPUT,
            published.amount.fraction,
            envelope.amount.fraction,
            Fraction(1),
            published.provenance,
        )
        return Explained(
            quota=Fraction(published.amount.cents, outcome.rounding.unit.cents),
            inputs=(shown,),
            citation=(published.citation, published.basis),
        )

    def explain_text(self, envelope: PublishedEnvelope, component: Component, lang: str) -> str:
        provenance = component.inputs[0].provenance if component.inputs else None
        return _t(
            "the amount published for this recipient ({citation}: {basis}; read in {provenance})"
        ).format(citation=component.citation, basis=str(component.basis), provenance=provenance)

    def how(self, envelope: PublishedEnvelope) -> str:
        return _t("amounts per recipient published in {table}").format(table=envelope.table)

    def describe(self, envelope: PublishedEnvelope) -> dict[str, str | None]:
        return {
            "kind and amount": f"{self.kind}, {envelope.amount.format()}",
            "published amounts": ", ".join(
                f"{row.recipient} {row.amount.format()} ({row.citation})" for row in envelope.rows
            ),
        }


@hookimpl
def conciliazione_envelope_kinds(register: Callable[[EnvelopeKind[Any]], None]) -> None:
    """Register the ``published_table`` kind."""
    register(PublishedTableKind())
