"""Legal bases: where a rule, a parameter or a finding comes from.

Every rule and every shipped figure cites the act that sets it. The citation also says how the
project knows: from the act's own text, from a secondary public source, or by inference (an
assumption that a user may override). This mirrors the labels of the project's DOMAIN notes.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["PLAIN_SENSE", "PLAIN_SENSE_KEY", "Evidence", "LegalBasis"]


class Evidence(enum.Enum):
    """How a cited fact is known."""

    DOCUMENT = "document"
    """Stated in the programme's own published text (decree, annex, official page)."""
    SOURCE = "source"
    """Read in a public secondary source (press, a partner's page); the URL should be given."""
    INFERENCE = "inference"
    """Inferred by the project from the sources; a documented assumption, overridable."""


def _not_blank(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be blank")


@attrs.frozen
class LegalBasis:
    """A citation: the act, the place in it, and how the project knows.

    >>> str(LegalBasis(act="D.G.R. X/1081 of 12/12/2013", provision="Annex A"))
    'D.G.R. X/1081 of 12/12/2013, Annex A'
    """

    act: str = attrs.field(validator=_not_blank)
    provision: str | None = None
    url: str | None = None
    evidence: Evidence = Evidence.DOCUMENT
    note: str | None = None

    def __str__(self) -> str:
        text = self.act if self.provision is None else f"{self.act}, {self.provision}"
        if self.evidence is Evidence.INFERENCE:
            text += " [inference]"
        elif self.evidence is Evidence.SOURCE and self.url:
            text += f" [source: {self.url}]"
        return text


PLAIN_SENSE_KEY = "plain_sense"
"""The citation key of :data:`PLAIN_SENSE`: every cycle has it, unless its file defines its own."""

PLAIN_SENSE = LegalBasis(
    act="conciliazione-core plain-sense checks",
    note=(
        "No act of the cycle says this: it is what any officer reading the document would ask "
        "about (a project that ends before it starts, a request above the project's cost, one "
        "body under two ids). Not law: such a finding is a warning, never an error; a cycle "
        "whose act does say it cites that act in the rule's section instead."
    ),
    evidence=Evidence.INFERENCE,
)
"""The citation of the core's plain-sense checks, carried by every cycle as ``plain_sense``."""
