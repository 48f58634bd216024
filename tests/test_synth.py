"""The synthetic district generator."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from app.engine.frames import empty_assessments, empty_roster, empty_usage
from app.feeds import parse_feed
from app.synth import synthesize, write_csv

TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}


@pytest.fixture(scope="module")
def district():
    return synthesize(students=4000, usage_per_student=40, seed=7)


def test_same_seed_gives_the_same_data():
    first = synthesize(students=300, usage_per_student=20, seed=3)
    second = synthesize(students=300, usage_per_student=20, seed=3)
    for name in ("roster", "assessments", "usage"):
        pdt.assert_frame_equal(getattr(first, name), getattr(second, name))


def test_another_seed_gives_other_data():
    first = synthesize(students=300, usage_per_student=20, seed=3)
    second = synthesize(students=300, usage_per_student=20, seed=4)
    assert not first.usage["minutes"].equals(second.usage["minutes"])


def test_written_csv_parses_back_to_the_same_frames(tmp_path):
    data = synthesize(
        students=500, usage_per_student=30, seed=11, assessments=("map_reading", "map_math")
    )
    paths = write_csv(data, tmp_path)
    roster = parse_feed("roster", paths["roster"].read_bytes())
    ids = set(roster.frame["student_id"])
    for name in ("roster", "assessments", "usage"):
        parsed = parse_feed(name, paths[name].read_bytes(), roster_ids=ids, **TERM)
        pdt.assert_frame_equal(parsed.frame, getattr(data, name))


def test_frames_have_the_engine_shape(district):
    for frame, empty in (
        (district.roster, empty_roster()),
        (district.assessments, empty_assessments()),
        (district.usage, empty_usage()),
    ):
        engine = empty.dtypes.to_dict()
        assert {name: frame.dtypes[name] for name in engine} == engine


def test_student_ids_are_opaque_strings_with_leading_zeros(district):
    assert district.roster["student_id"].iloc[123] == "S000123"
    assert district.roster["student_id"].is_unique


def test_grades_and_schools_follow_the_parameters():
    data = synthesize(students=2000, usage_per_student=5, seed=1, grades=(0, 1, 2), schools=3)
    assert set(data.roster["grade"]) == {0, 1, 2}
    assert data.roster["school_id"].nunique() == 3


def test_about_eight_percent_never_log_in(district):
    users = district.usage["student_id"].nunique()
    never = 1 - users / len(district.roster)
    assert 0.06 < never < 0.11


def test_usage_is_skewed_and_averages_the_requested_rows(district):
    rows = district.usage.groupby("student_id").size()
    assert 30 < len(district.usage) / len(district.roster) < 45
    assert rows.max() > 3 * rows.median()


def test_a_student_has_at_most_one_row_per_date_within_the_usage_period(district):
    usage = district.usage
    assert not usage.duplicated(["student_id", "date"]).any()
    assert usage["date"].min() >= pd.Timestamp("2026-09-01")
    assert usage["date"].max() <= pd.Timestamp("2027-05-15")
    assert (usage["date"].dt.day_of_week < 5).all()


def test_about_five_percent_of_tests_are_missing_per_window(district):
    taken = district.assessments.groupby("window").size() / len(district.roster)
    assert ((taken > 0.93) & (taken < 0.97)).all()


def test_growth_target_is_given_on_the_first_window_only(district):
    scores = district.assessments
    first = scores["window"] == "fall-2026"
    assert scores.loc[first, "growth_target"].notna().all()
    assert scores.loc[~first, "growth_target"].isna().all()


def test_scores_are_whole_rit_points_in_a_realistic_range(district):
    scores = district.assessments["score"]
    assert (scores % 1000 == 0).all()
    assert scores.quantile(0.01) > 140_000
    assert scores.quantile(0.99) < 270_000


def test_test_dates_fall_in_the_window_season(district):
    fall = district.assessments.query("window == 'fall-2026'")["test_date"]
    assert fall.dt.month.isin([9]).all()


def test_growth_rises_with_dosage(district):
    scores = district.assessments.pivot_table(index="student_id", columns="window", values="score")
    growth = (scores["spring-2027"] - scores["fall-2026"]).dropna()
    minutes = district.usage.groupby("student_id")["minutes"].sum()
    minutes = minutes.reindex(growth.index, fill_value=0)
    heavy = growth[minutes > minutes.quantile(0.75)].mean()
    none = growth[minutes == 0].mean()
    assert heavy > none + 2000
    assert np.corrcoef(growth, minutes)[0, 1] > 0.1
