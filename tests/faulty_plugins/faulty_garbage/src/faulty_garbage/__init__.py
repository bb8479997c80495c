"""Test distribution: a conciliazione plugin that returns garbage (text and a number) instead of a list of Cycle."""
