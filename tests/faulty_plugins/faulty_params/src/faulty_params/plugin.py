"""A plugin whose parameter file is invalid."""

from importlib.resources import files

from conciliazione_core import hookimpl, load_cycle


@hookimpl
def conciliazione_cycles():
    return [load_cycle(files("faulty_params").joinpath("cycle.toml"))]
