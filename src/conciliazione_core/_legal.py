"""Legal bases: where a rule, a parameter or a finding comes from.

Every rule and every shipped figure cites the act that sets it. The citation also says how the
project knows: from the act's own text, from a secondary public source, or by inference (an
assumption that a user may override). This mirrors the labels of the project's DOMAIN notes.
"""

from __future__ import annotations

import enum

import attrs

from conciliazione_core.i18n import Text, _, to_optional_text, to_text

__all__ = ["PLAIN_SENSE", "PLAIN_SENSE_KEY", "Evidence", "LegalBasis"]


class Evidence(enum.Enum):
    """How a cited fact is known."""

    DOCUMENT = "document"
    """Stated in the programme's own published text (decree, annex, official page)."""
    SOURCE = "source"
    """Read in a public secondary source (press, a partner's page); the URL should be given."""
    INFERENCE = "inference"
    """Inferred by the project from the sources; a documented assumption, overridable."""


def _not_blank(_instance: object, attribute: attrs.Attribute[Text], value: Text) -> None:
    if not value.en.strip() or (value.it is not None and not value.it.strip()):
        raise ValueError(f"{attribute.name} must not be blank")


@attrs.frozen
class LegalBasis:
    """A citation: the act, the place in it, and how the project knows.

    Its act, provision and note are :class:`~conciliazione_core.i18n.Text`: plain English, or
    English and Italian (``{en = "...", it = "..."}``), shown in the current language.

    >>> str(LegalBasis(act="D.G.R. X/1081 of 12/12/2013", provision="Annex A"))
    'D.G.R. X/1081 of 12/12/2013, Annex A'
    """

    act: Text = attrs.field(converter=to_text, validator=_not_blank)
    provision: Text | None = attrs.field(default=None, converter=to_optional_text)
    url: str | None = None
    evidence: Evidence = Evidence.DOCUMENT
    note: Text | None = attrs.field(default=None, converter=to_optional_text)

    def __str__(self) -> str:
        text = f"{self.act}" if self.provision is None else f"{self.act}, {self.provision}"
        if self.evidence is Evidence.INFERENCE:
            text += " " + _("[inference]")
        elif self.evidence is Evidence.SOURCE and self.url:
            text += " " + _("[source: {url}]").format(url=self.url)
        return text


PLAIN_SENSE_KEY = "plain_sense"
"""The citation key of :data:`PLAIN_SENSE`: every cycle has it, unless its file defines its own."""

PLAIN_SENSE = LegalBasis(
    act=Text(
        "conciliazione-core plain-sense checks",
        it="controlli di buon senso di conciliazione-core",
    ),
    note=Text(
        "No act of the cycle says this: it is what any officer reading the document would ask "
        "about (a project that ends before it starts, a request above the project's cost, one "
        "body under two ids). Not law: such a finding is a warning, never an error; a cycle "
        "whose act does say it cites that act in the rule's section instead.",
        it="Nessun atto del ciclo lo prevede: è ciò su cui qualsiasi funzionario che legga il "
        "documento chiederebbe chiarimenti (un progetto che termina prima di iniziare, una "
        "richiesta superiore al costo del progetto, uno stesso ente sotto due identificativi). "
        "Non è una norma: un rilievo di questo tipo è un avvertimento, mai un errore; un ciclo "
        "il cui atto lo preveda cita invece quell'atto nella sezione della regola.",
    ),
    evidence=Evidence.INFERENCE,
)
"""The citation of the core's plain-sense checks, carried by every cycle as ``plain_sense``."""
