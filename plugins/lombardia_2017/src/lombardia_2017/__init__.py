"""Lombardy's 2017-2018 work-life balance cycle (D.G.R. X/5969/2016) and its 2019 extension
(D.G.R. XI/1017/2018), and the ``published_table`` envelope kind the extension's table needs."""

from lombardia_2017.published import (
    CATALOGUE,
    COLUMNS,
    PublishedEnvelope,
    PublishedRow,
    PublishedTableKind,
)

__all__ = ["CATALOGUE", "COLUMNS", "PublishedEnvelope", "PublishedRow", "PublishedTableKind"]
