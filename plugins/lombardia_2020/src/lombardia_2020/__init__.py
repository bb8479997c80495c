"""The 2020-2023 cycle of Lombardy's work-life balance programme (D.G.R. XI/2398/2019)."""

__all__: list[str] = []
