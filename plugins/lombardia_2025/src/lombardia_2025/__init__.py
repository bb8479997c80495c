"""The 2025-2027 cycle of Lombardy's work-life balance programme (guidelines of 09/12/2025)."""

__all__: list[str] = []
