"""Test distribution: a conciliazione plugin that fails to import: its module needs a package that is not installed."""
