"""Test distribution: a conciliazione plugin that claims the existing cycle id lombardia-2020."""
