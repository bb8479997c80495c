"""Test distribution: a conciliazione plugin that ships an invalid parameter file."""
