"""Point in time: features of a past moment never depend on what happened afterwards."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from models.contract.enums import Table
from models.contract.tables import AgencyData
from models.features.build import (
    FEATURE_COLUMNS,
    FeatureContext,
    current_pair_features,
    pair_features_at,
    transfer_examples,
)
from tests.fixtures.agency import BUDI, EKO, base_frames, with_rows, world

CUTOFF = pd.Timestamp("2019-05-01")  # decree date of T1 (EKO, P2 -> P1)


def full_world() -> AgencyData:
    """The tiny agency plus a lot of history after the cutoff for the person moved in T1."""
    return world(
        competencies=with_rows(
            Table.COMPETENCIES,
            dict(nip=EKO, competency="integritas", level=5, assessed_on="2019-05-02"),
            dict(nip=EKO, competency="teknis_pengajaran", level=5, assessed_on="2020-01-01"),
        ),
        training_history=with_rows(
            Table.TRAINING_HISTORY,
            dict(nip=EKO, training_id="TR2", completed_on="2019-05-01"),
            dict(nip=EKO, training_id="TR1", completed_on="2020-03-01"),
        ),
        transfers=with_rows(
            Table.TRANSFERS,
            dict(
                transfer_id="T5",
                nip=EKO,
                from_position_id="P1",
                to_position_id="P3",
                decree_date="2020-07-01",
                effective_date="2020-08-01",
                resistance="refusal",
            ),
        ),
    )


def truncated(data: AgencyData, cutoff: pd.Timestamp, *, keep_transfer: str) -> AgencyData:
    """The same agency with every dated record from the cutoff on removed."""
    frames = data.frames()
    perf, transfers = frames[Table.PERFORMANCE], frames[Table.TRANSFERS]
    competencies, trained = frames[Table.COMPETENCIES], frames[Table.TRAINING_HISTORY]
    later_transfer = (transfers["decree_date"] >= cutoff) & (
        transfers["transfer_id"] != keep_transfer
    )
    frames.update(
        {
            Table.PERFORMANCE: perf[perf["year"] < cutoff.year],
            Table.TRANSFERS: transfers[~later_transfer],
            Table.COMPETENCIES: competencies[competencies["assessed_on"] < cutoff],
            Table.TRAINING_HISTORY: trained[trained["completed_on"] < cutoff],
        }
    )
    return AgencyData.from_frames(frames)


def features_of(examples: pd.DataFrame, transfer_id: str) -> pd.Series:
    return examples.set_index("transfer_id").loc[transfer_id, list(FEATURE_COLUMNS)]


def test_a_2019_transfer_has_identical_features_with_or_without_later_history():
    full = full_world()
    short = truncated(full, CUTOFF, keep_transfer="T1")
    assert len(short.performance) < len(full.performance)
    pd.testing.assert_series_equal(
        features_of(transfer_examples(full), "T1"), features_of(transfer_examples(short), "T1")
    )


def test_the_added_history_is_seen_once_it_is_in_the_past():
    """Guards the test above: the later history is real and counts where it is past."""
    full = full_world()
    short = truncated(full, CUTOFF, keep_transfer="T1")
    pairs = pd.DataFrame({"nip": [EKO], "position_id": ["P2"], "as_of": ["2021-01-01"]})
    assert pair_features_at(full, pairs).loc[0, "past_moves"] == 3.0  # T0, T1, T5
    assert pair_features_at(short, pairs).loc[0, "past_moves"] == 2.0


def test_snapshot_position_and_talent_box_do_not_leak_into_a_past_date():
    employees = base_frames()[Table.EMPLOYEES]
    is_budi = employees["nip"] == BUDI
    changed = employees.assign(
        position_id=employees["position_id"].where(~is_budi, "P3"),
        position_start=employees["position_start"].where(~is_budi, pd.Timestamp("2024-01-01")),
        talent_box=employees["talent_box"].where(~is_budi, 9.0),
    )
    pairs = pd.DataFrame({"nip": [BUDI], "position_id": ["P3"], "as_of": ["2019-06-01"]})
    original = pair_features_at(world(), pairs)
    pd.testing.assert_frame_equal(original, pair_features_at(world(employees=changed), pairs))
    assert np.isnan(original.loc[0, "talent_box"])
    assert original.loc[0, "grade_step"] == 2.0  # from P1 (grade 7, held in 2018) to P3


def test_current_state_built_at_a_past_date_ignores_later_history():
    as_of = date(2019, 6, 1)
    full = full_world()
    short = truncated(full, pd.Timestamp(as_of), keep_transfer="")
    nips = np.repeat(full.employees["nip"].to_numpy(dtype=object), 3)
    positions = np.tile(np.array(["P1", "P2", "P3"], dtype=object), len(full.employees))
    pd.testing.assert_frame_equal(
        current_pair_features(FeatureContext.build(full, as_of), nips, positions),
        current_pair_features(FeatureContext.build(short, as_of), nips, positions),
    )


def test_past_resistance_counts_only_once_it_would_have_been_known():
    def resisted_before(as_of: str) -> float:
        pairs = pd.DataFrame({"nip": [EKO], "position_id": ["P3"], "as_of": [as_of]})
        return float(pair_features_at(world(), pairs).loc[0, "past_resistance"])

    assert resisted_before("2014-06-01") == 0.0  # T0's return request: known after 12 months
    assert resisted_before("2015-02-01") == 1.0
    assert resisted_before("2019-06-01") == 1.0  # T1's objection: known 60 days after decree
    assert resisted_before("2019-08-01") == 2.0


@pytest.mark.slow
def test_demo_agency_transfers_before_a_cutoff_ignore_everything_after_it(tmp_path):
    """On a realistic demo agency: cut every dated table at 2021-01-01 and compare."""
    from pipelines.ingest import read_and_validate
    from simulator import generate_agency

    generate_agency(tmp_path, employees=400, seed=3)
    full = read_and_validate(tmp_path, today=date(2026, 7, 1))
    cutoff = pd.Timestamp("2021-01-01")
    short = truncated(full, cutoff, keep_transfer="")
    early = full.transfers.loc[full.transfers["decree_date"] < cutoff, "transfer_id"]
    assert len(early) > 20

    def early_features(data: AgencyData) -> pd.DataFrame:
        examples = transfer_examples(data).set_index("transfer_id")
        return examples.loc[early, list(FEATURE_COLUMNS)]

    pd.testing.assert_frame_equal(early_features(full), early_features(short))
    nips = np.repeat(full.employees["nip"].to_numpy(dtype=object), 2)
    positions = full.positions["position_id"].to_numpy(dtype=object)[: len(nips)]
    positions = np.resize(positions, len(nips))
    pd.testing.assert_frame_equal(
        current_pair_features(FeatureContext.build(full, cutoff.date()), nips, positions),
        current_pair_features(FeatureContext.build(short, cutoff.date()), nips, positions),
    )
