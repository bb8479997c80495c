"""``conciliazione territory``: where a municipality belongs on a date."""

from __future__ import annotations

from typing import Any

import click

from conciliazione_core.cli._base import cli, echo_json, format_table
from conciliazione_core.i18n import N_, _


@cli.command(
    "territory",
    help=N_(
        "Say where a Lombard municipality belongs on a date: province, ASL or ATS, and the act."
    ),
)
@click.argument("query", metavar="NAME_OR_CODE")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help=N_("Date (YYYY-MM-DD; default: today): ASL until 2015-12-31, ATS from 2016-01-01."),
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def territory_command(query: str, on: Any, fmt: str) -> None:
    import datetime as dt

    from conciliazione_core._municipality import municipalities
    from conciliazione_core._territory import lombardy

    statuses = {
        "official": N_("official"),
        "derived": N_("derived"),
        "estimate": N_("estimate"),
        "unknown": N_("unknown"),
    }
    day = on.date() if on is not None else dt.date.today()
    registry, region = municipalities(), lombardy()
    place = registry.find(query)
    member = registry.membership(place, day)
    province = next(p for p in region.provinces if p.code == place.province)
    agency = region.agency(member.agency) if member.agency else None
    successor = registry.get(place.successor) if place.successor else None
    if fmt == "json":
        echo_json(
            {
                "municipality": {
                    "istat": place.istat,
                    "name": place.name,
                    "province": place.province,
                    "district": place.district,
                    "successor": place.successor,
                },
                "on": day.isoformat(),
                "level": member.level.value,
                "agency": {"id": agency.id, "name": agency.name} if agency else None,
                "candidates": list(member.candidates),
                "valid_from": member.valid_from.isoformat() if member.valid_from else None,
                "valid_to": member.valid_to.isoformat() if member.valid_to else None,
                "status": member.status.value if member.status else "unknown",
                "legal_basis": str(member.basis),
                "note": None if member.basis.note is None else str(member.basis.note),
            }
        )
        return
    period = " - ".join(d.isoformat() if d else "…" for d in (member.valid_from, member.valid_to))
    where = (
        f"{agency.name} ({agency.id})"
        if agency
        else _("unknown: one of {candidates}").format(candidates=", ".join(member.candidates))
    )
    rows = [
        [_("province"), f"{province.name} ({province.code})"],
        [member.level.value, where],
        [_("period"), period],
        [_("status"), _(statuses[member.status.value if member.status else "unknown"])],
        [_("basis"), str(member.basis)],
    ]
    if member.basis.note:
        rows.append([_("note"), str(member.basis.note)])
    if successor is not None:
        rows.append([_("now part of"), str(successor)])
    click.echo(_("{municipality} on {date}").format(municipality=place, date=day.isoformat()))
    click.echo(format_table([_("what"), _("answer")], rows))
