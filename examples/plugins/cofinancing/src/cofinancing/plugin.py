"""The hooks this plugin implements (registered through the ``conciliazione`` entry point)."""

from __future__ import annotations

from cofinancing.envelopes import conciliazione_envelope_kinds

__all__ = ["conciliazione_envelope_kinds"]
