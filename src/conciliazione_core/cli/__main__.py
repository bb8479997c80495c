"""`python -m conciliazione_core.cli`, as `python -m conciliazione_core`."""

from conciliazione_core.cli import main

main()
