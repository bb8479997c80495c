"""Fuzz tests: hostile input to every loader gives a result or a located InputError, nothing else.

The short profile runs in CI; ``make fuzz-deep`` runs the same tests with 100,000 inputs each
(see ``docs/robustness.md``).
"""
