"""Test distribution: a conciliazione plugin that raises inside its conciliazione_cycles hook."""
