"""A plugin claiming a cycle id that the lombardia-2020 plugin already provides."""

from importlib.resources import files

from conciliazione_core import hookimpl, load_cycle


@hookimpl
def conciliazione_cycles():
    return [load_cycle(files("faulty_clash").joinpath("cycle.toml"))]
