"""``python -m conciliazione_core``: the ``conciliazione`` command, for when no script is on PATH."""

from conciliazione_core.cli import main

if __name__ == "__main__":
    main()
