"""A plugin whose hook raises."""

from conciliazione_core import hookimpl


@hookimpl
def conciliazione_cycles():
    raise RuntimeError("the faulty_raises hook broke on purpose")
