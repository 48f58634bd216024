"""`app.csv_safety`: cells a spreadsheet would run as formulas are neutralised, data is not."""

from __future__ import annotations

import pandas as pd
import pytest

from app.csv_safety import neutralise, neutralise_frame, neutralise_series


@pytest.mark.parametrize(
    "cell", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("http://x")', "-"]
)
def test_formula_like_cells_get_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "S-12", "00123", "12.5", "-12.5", "+3", "-1e5", "a=b"])
def test_ordinary_cells_and_plain_numbers_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_series_matches_the_cell_rule_and_keeps_missing_values():
    cells = ["=1", "ok", None, "-2", "-2-2", "@x"]
    result = neutralise_series(pd.Series(cells, dtype=object))
    assert result.tolist()[:2] == ["'=1", "ok"]
    assert result.iloc[2] is None or pd.isna(result.iloc[2])
    assert result.tolist()[3:] == ["-2", "'-2-2", "'@x"]


def test_frame_neutralises_text_columns_only():
    frame = pd.DataFrame({"id": ["=x", "y"], "minutes": [-5, 3], "flag": [True, False]})
    result = neutralise_frame(frame)
    assert result["id"].tolist() == ["'=x", "y"]
    assert result["minutes"].tolist() == [-5, 3]
    assert frame["id"].tolist() == ["=x", "y"]  # the input is not changed
