"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection").

Any CSV we hand out may be opened in Excel or LibreOffice, which treat a cell beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula. Data we did not write
ourselves (a district's student id, a vendor's free text) goes through here first: such a
cell gets a leading apostrophe, which spreadsheets show as text. A plain number such as
``-12.5`` is left alone: it is not a formula, and prefixing it would corrupt the data.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_RISKY_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def neutralise(cell: str) -> str:
    """The cell, prefixed with an apostrophe if a spreadsheet would evaluate it."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return ESCAPE + cell
    return cell


def neutralise_series(values: pd.Series) -> pd.Series:
    """:func:`neutralise` over a column of text, vectorised (missing values stay missing)."""
    text = values.astype("string")
    risky = text.str.contains(_RISKY_START, regex=True) & ~text.str.fullmatch(_PLAIN_NUMBER_PATTERN)
    risky = risky.fillna(False).astype(bool)
    if not risky.any():
        return values
    result = values.astype(object).copy()
    result[risky] = ESCAPE + text[risky].astype(object)
    return result


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are neutralised; other columns are untouched."""
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            result[name] = neutralise_series(column)
    return result
