"""The 2014-2015 cycle of Lombardy's work-life balance programme (D.G.R. X/1081/2013)."""

__all__: list[str] = []
