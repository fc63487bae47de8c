"""Yearly appraisals in a post already held as extra fit examples (in_post_examples)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import SKP_RATING_VALUE, Table
from models.features.build import FEATURE_COLUMNS, in_post_examples
from tests.fixtures.agency import ANI, BUDI, EKO, base_frames, world


def years_of(examples: pd.DataFrame, nips: pd.Series, who: str) -> list[int]:
    return sorted(examples.loc[nips == who, "decree_date"].dt.year.tolist())


def test_in_post_rows_leave_out_first_years_move_years_and_post_move_labels():
    data = world()
    examples = in_post_examples(data, before_year=2023, limit=1000)
    # Which person each row is: the tiny agency's people have distinct SKP scores.
    score = examples["post_move_score"]
    nips = pd.Series(np.where(score == 90.0, BUDI, np.where(score == 60.0, EKO, ANI)))
    assert years_of(examples, nips, ANI) == list(range(2015, 2023))  # 2014 is the first
    # BUDI: first 2016; T2 took effect in 2021 and 2022 is its post-move label.
    assert years_of(examples, nips, BUDI) == [2017, 2018, 2019, 2020]
    # EKO (left service): first 2015; T1 took effect in 2019, its label is 2020.
    assert years_of(examples, nips, EKO) == [2016, 2017, 2018, 2021]
    assert set(FEATURE_COLUMNS) <= set(examples)


def test_an_in_post_row_is_the_post_held_with_that_years_rating_as_label():
    examples = in_post_examples(world(), before_year=2023, limit=1000)
    ani_2020 = examples[(examples["post_move_score"] == 86.0)].iloc[0]
    assert ani_2020["decree_date"] == pd.Timestamp("2020-01-01")
    assert ani_2020["post_move_rating"] == SKP_RATING_VALUE["baik"]
    assert ani_2020["grade_step"] == 0 and ani_2020["sector_change"] == 0
    assert ani_2020["distance_move_km"] == 0
    assert ani_2020["recent_score_mean"] == np.mean([85.0, 84.0, 83.0])  # 2017-2019 only


def test_the_limit_draws_the_same_rows_every_time_and_nothing_from_later_years():
    data = world()
    first = in_post_examples(data, before_year=2020, limit=5, random_state=3)
    again = in_post_examples(data, before_year=2020, limit=5, random_state=3)
    assert len(first) == 5
    pd.testing.assert_frame_equal(first, again)
    assert first["decree_date"].dt.year.max() < 2020


def test_a_post_not_plainly_held_gives_no_row():
    # ANI: an unrecorded move to P3 in 2019 (no transfer), a second 2017 appraisal, and 2021
    # in a merged post that positions.csv no longer lists.
    perf = base_frames()[Table.PERFORMANCE]
    ani = perf["nip"] == ANI
    perf.loc[ani & perf["year"].between(2019, 2020), "position_id"] = "P3"
    perf.loc[ani & (perf["year"] == 2021), "position_id"] = "P_OLD"
    twice = perf[ani & (perf["year"] == 2017)].assign(score=70.5)
    data = world(performance=pd.concat([perf, twice], ignore_index=True))
    examples = in_post_examples(data, before_year=2023, limit=1000)
    ani_scores = {80.0 + y - 2014: y for y in range(2014, 2023)}  # BUDI 90, EKO 60
    years = sorted(ani_scores[s] for s in examples["post_move_score"] if s in ani_scores)
    # 2017 twice; 2019 arrived in P3; 2021 unknown post; 2022 back in P1 from P_OLD.
    assert years == [2015, 2016, 2018, 2020]
