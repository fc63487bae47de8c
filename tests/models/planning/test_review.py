"""Post-move review on constructed moves: flags, windows, decision predictions, backcasts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from models.contract.tables import AgencyData
from models.planning.review import (
    COACHING_ONLY,
    ReviewWindowError,
    backcast,
    backcast_features,
    decision_predictions,
    move_flags,
    window_transfers,
    with_suggestions,
)
from pipelines.registry import load_champion
from pipelines.snapshots import load_snapshot
from tests.fixtures.world import World


@pytest.mark.parametrize(
    ("predicted", "actual", "flag"),
    [
        (4.3, 3.0, "below_expectation"),  # one level below baik
        (4.6, 4.0, "below_expectation"),  # predicted sangat_baik, got baik
        (3.2, 3.0, "below_expectation"),  # as predicted, but butuh_perbaikan
        (4.0, 4.0, "as_expected"),
        (4.4, 4.0, "as_expected"),
        (3.6, 5.0, "above_expectation"),
        (4.2, np.nan, "awaiting_skp"),
    ],
)
def test_each_constructed_move_gets_its_flag(predicted: float, actual: float, flag: str) -> None:
    assert move_flags(np.array([predicted]), np.array([actual]))[0] == flag


def _transfers(*decrees: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transfer_id": [f"T{i}" for i in range(len(decrees))],
            "nip": "199001012015011001",
            "to_position_id": "P1",
            "decree_date": pd.to_datetime(list(decrees)),
        }
    )


def test_a_backwards_window_is_refused_in_both_languages() -> None:
    with pytest.raises(ReviewWindowError, match=r"sebelum tanggal awal .* is before --since"):
        window_transfers(_transfers("2024-03-01"), since=date(2025, 1, 1), until=date(2024, 1, 1))


def test_a_window_without_moves_is_refused_in_both_languages() -> None:
    with pytest.raises(ReviewWindowError, match=r"Tidak ada mutasi .* no transfers decreed"):
        window_transfers(_transfers("2024-03-01"), since=date(2025, 1, 1), until=date(2025, 12, 31))


def test_the_prediction_comes_from_the_last_adoption_before_the_decree() -> None:
    moves = _transfers("2024-03-01", "2024-03-01").assign(to_position_id=["P1", "P2"])
    decisions = pd.DataFrame(
        {
            "nip": "199001012015011001",
            "position_id": ["P1", "P1", "P1", "P2"],
            "decision": ["adopted", "adopted", "adopted", "changed"],
            "fit": [3.9, 4.1, 2.0, 4.8],
            "risk": [0.2, 0.3, 0.9, 0.1],
            "at": pd.to_datetime(
                ["2024-01-05", "2024-02-20", "2024-04-01", "2024-02-01"], utc=True
            ),
        }
    )
    found = decision_predictions(moves, decisions)
    assert found.loc[0, "fit"] == pytest.approx(4.1)  # not the later 2.0
    assert np.isnan(found.loc[1, "fit"])  # a changed decision's fit was for another post


def test_below_expectation_without_a_gap_is_coached_and_others_get_nothing() -> None:
    reviewed = pd.DataFrame(
        {
            "nip": ["A", "B", "C"],
            "to_position_id": ["P1", "P2", "P3"],
            "flag": ["below_expectation", "below_expectation", "as_expected"],
            "suggested_trainings": "",
        }
    )
    plans = pd.DataFrame(
        {"nip": ["A", "B"], "position_id": ["P1", "P2"], "training_ids": ["DL001;DL004", ""]}
    )
    suggested = with_suggestions(reviewed, plans)["suggested_trainings"].tolist()
    assert suggested == ["DL001;DL004", COACHING_ONLY, ""]


def _rewrite_after(data: AgencyData, *, year: int, day: pd.Timestamp) -> AgencyData:
    """Every history row dated after the moves (appraisals of `year` and later, anything dated
    after `day`) made different: the worst ratings, other resistance, new assessments."""
    perf = data.performance
    later = perf["year"] >= year
    performance = perf.assign(
        rating=perf["rating"].where(~later, "sangat_kurang"),
        score=perf["score"].where(~later, 5.0),
    )
    transfers = data.transfers
    after = pd.to_datetime(transfers["decree_date"]) > day
    transfers = transfers.assign(resistance=transfers["resistance"].where(~after, "refusal"))
    comps = data.competencies
    assessed_after = pd.to_datetime(comps["assessed_on"]) > day
    competencies = comps.assign(level=comps["level"].where(~assessed_after, 1))
    return replace(data, performance=performance, transfers=transfers, competencies=competencies)


def test_backcasts_are_point_in_time_later_history_changes_nothing(world: World) -> None:
    data = load_snapshot(settings=world.settings).data
    scorer = load_champion(world.settings).scorer
    moves = window_transfers(data.transfers, since=date(2024, 1, 1), until=date(2024, 12, 31))
    last_decree = pd.to_datetime(moves["decree_date"]).max()
    rewritten = _rewrite_after(data, year=2024, day=last_decree)
    before = backcast(backcast_features(data, moves), scorer)
    after = backcast(backcast_features(rewritten, moves), scorer)
    pd.testing.assert_frame_equal(before, after)
    # The rewrite is real: had the appraisals been earlier, the predictions would move.
    earlier = _rewrite_after(data, year=2020, day=last_decree)
    moved = backcast(backcast_features(earlier, moves), scorer)
    assert not np.allclose(moved["fit"], before["fit"])
