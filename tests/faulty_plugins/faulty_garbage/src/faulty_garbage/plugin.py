"""A plugin whose hook returns garbage instead of cycles."""

from conciliazione_core import hookimpl


@hookimpl
def conciliazione_cycles():
    return ["lombardia-2020", 42]
