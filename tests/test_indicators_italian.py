"""Provenance in Italian beside English: an indicator table's ``source_it`` and ``method_it``.

What must hold: the Italian columns are optional and never indicators; the source and the method
are read as :class:`Text` (English required, Italian optional) and shown in the reader's language;
the fast and the careful CSV readers, the JSON reader and the xlsx template agree; an Italian
method without its English is refused where it is; the template carries the Italian columns
when the known rows have Italian; every shipped data file has its provenance in Italian, with
the same figures as the English.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from importlib.resources import files

import pytest

from conciliazione_core._errors import InputError
from conciliazione_core._indicators import (
    indicator_template_csv,
    parse_indicator_csv,
    parse_indicator_json,
)
from conciliazione_core._provenance import DataStatus, Provenance
from conciliazione_core.i18n import Text, language

HEADER = "id,name,pop,source,reference_date,status,method,source_it,method_it"
ITALIAN_CSV = (
    f"{HEADER}\n"
    "A,Alpha,10,ISTAT census,2011-10-09,official,,censimento ISTAT,\n"
    'B,Beta,20,ISTAT census,2011-10-09,derived,"split, by tranches",censimento ISTAT,'
    '"ripartito, per tranche"\n'
    "C,Gamma,30,press,2011-10-09,estimate,a guess,,\n"
)
BETA = Provenance(
    Text("ISTAT census", it="censimento ISTAT"),
    dt.date(2011, 10, 9),
    DataStatus.DERIVED,
    Text("split, by tranches", it="ripartito, per tranche"),
)


def test_the_italian_columns_are_read_as_text_beside_the_english() -> None:
    table = parse_indicator_csv(ITALIAN_CSV)
    assert table.indicators == ("pop",)  # source_it and method_it are not indicators
    beta = table.get("B")
    assert beta is not None
    assert beta.provenance == BETA
    assert beta.provenance.source == "ISTAT census"  # equals its English
    with language("it"):
        assert (
            str(beta.provenance)
            == "censimento ISTAT, 2011-10-09, derivato (ripartito, per tranche)"
        )
    with language("en"):
        assert str(beta.provenance) == "ISTAT census, 2011-10-09, derived (split, by tranches)"
    gamma = table.get("C")
    assert gamma is not None
    with language("it"):  # no Italian given: English, as a parameter file's label
        assert str(gamma.provenance) == "press, 2011-10-09, stima (a guess)"


def test_the_careful_reader_reads_the_same_provenance() -> None:
    """A blank row sends the table to the row-by-row reader: the same table comes back."""
    careful = parse_indicator_csv(ITALIAN_CSV.replace("\nC,", "\n,,,,,,,,\nC,"))
    assert careful == parse_indicator_csv(ITALIAN_CSV)
    assert careful.provenances()[1] == BETA


def test_an_italian_method_needs_its_english() -> None:
    bad = ITALIAN_CSV.replace('"split, by tranches"', "")
    with pytest.raises(InputError) as info:
        parse_indicator_csv(bad, source="t.csv")
    [problem] = info.value.problems
    assert problem.path == "row 3 (B), column method_it"
    assert problem.message == "the Italian method has no English beside it; fill in method"


def test_json_provenance_takes_the_same_italian_keys() -> None:
    row = {
        "id": "B",
        "name": "Beta",
        "values": {"pop": 20},
        "provenance": {
            "source": "ISTAT census",
            "source_it": "censimento ISTAT",
            "reference_date": "2011-10-09",
            "status": "derived",
            "method": "split, by tranches",
            "method_it": "ripartito, per tranche",
        },
    }
    table = parse_indicator_json({"indicators": ["pop"], "rows": [row]})
    assert table.provenances() == (BETA,)
    del row["provenance"]["method"]  # type: ignore[attr-defined]
    with pytest.raises(InputError) as info:
        parse_indicator_json({"indicators": ["pop"], "rows": [row]})
    assert [p.path for p in info.value.problems] == ["$.rows[0] (B).provenance.method_it"]


def test_the_template_carries_the_italian_when_known() -> None:
    known = parse_indicator_csv(ITALIAN_CSV)
    recipients = [("A", "Alpha"), ("B", "Beta"), ("D", "Delta")]
    text = indicator_template_csv(recipients, ["pop"], known)
    header, _a, beta, delta = list(csv.reader(io.StringIO(text)))
    assert header == HEADER.split(",")
    assert beta[-2:] == ["censimento ISTAT", "ripartito, per tranche"]
    assert delta == ["D", "Delta", "", "", "", "", "", "", ""]
    filled = text.replace("D,Delta,,,,,,,", "D,Delta,1,mine,2020-01-01,estimate,,,")
    assert parse_indicator_csv(filled).get("B") == known.get("B")  # round trip, both languages
    plain = indicator_template_csv([("C", "Gamma")], ["pop"], known)  # C has no Italian
    assert plain.splitlines()[0] == "id,name,pop,source,reference_date,status,method"


SHIPPED = [
    ("lombardia_2014", "data/asl_population_2011.csv"),
    ("lombardia_2017", "cycle_2019/data/ats_amounts_2019.csv"),
    ("lombardia_2020", "data/ats_population_2019.csv"),
    ("lombardia_2025", "data/ats_population_2023.csv"),
]


def _numbers(text: str) -> Counter[str]:
    return Counter(re.findall(r"\d+(?:[./]\d+)*", text))


@pytest.mark.parametrize(("package", "resource"), SHIPPED)
def test_every_shipped_data_file_speaks_italian_with_the_same_figures(
    package: str, resource: str
) -> None:
    rows = list(csv.DictReader(io.StringIO(files(package).joinpath(resource).read_text("utf-8"))))
    assert rows
    for row in rows:
        for column in ("source", "method"):
            if row.get(column):
                italian = row[f"{column}_it"]
                assert italian, (row["id"], column)
                assert italian != row[column], (row["id"], column)
                assert _numbers(italian) == _numbers(row[column]), (row["id"], column)


def test_the_command_line_prints_the_shipped_provenance_in_italian(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from conciliazione_core.cli import main

    monkeypatch.setenv("COLUMNS", "400")
    for lang, said, unsaid in (
        ("it", "scostamento possibile: la sua tranche 2021", "how far off"),
        ("en", "how far off: its own 2021 tranche", "scostamento"),
    ):
        with pytest.raises(SystemExit) as done:
            main(["--lang", lang, "allocate", "lombardia-2020", "--explain", "ATS-MONTAGNA"])
        out = capsys.readouterr().out
        assert done.value.code in (0, None)
        assert said in out
        assert unsaid not in out
