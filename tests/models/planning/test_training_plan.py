"""Training plans on the tiny feature world, scored by a real (small) TransferScorer."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from models.contract.enums import Table
from models.contract.tables import AgencyData
from models.features.build import FeatureContext, current_pair_features
from models.planning.training_batch import plan_trainings
from models.planning.training_plan import (
    TrainingPlanConfig,
    TrainingPlanner,
    UnknownPositionError,
    competency_gaps,
    completed_trainings,
    plan_training,
    realised_gains,
)
from models.scoring.estimators import GbmParams, ScorerConfig, TransferScorer
from tests.fixtures.agency import ANI, BUDI, table, world

AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def scorer() -> TransferScorer:
    """Fit falls with the competency shortfall (monotone), as in the real models.

    Trained on the world's own feature rows with the shortfall varied, so that the trees see
    feature values like the ones they are asked about.
    """
    rng = np.random.default_rng(0)
    n = 400
    ctx = FeatureContext.build(world(), AS_OF)
    base = current_pair_features(ctx, np.array([ANI, BUDI] * 3), np.array(["P1", "P2", "P3"] * 2))
    X = base.sample(n, replace=True, random_state=0).reset_index(drop=True)
    X["competency_shortfall"] = rng.integers(0, 6, n).astype(float)
    rating = np.clip(5.0 - X["competency_shortfall"], 1, 5)
    resisted = rng.uniform(size=n) < 0.3
    dates = pd.date_range("2019-01-01", periods=n, freq="5D")
    small = GbmParams(n_estimators=60, min_child_samples=5)
    return TransferScorer(ScorerConfig(fit=small, risk=small)).fit(
        X, y_rating=rating, y_resisted=resisted, decree_date=dates
    )


@pytest.fixture(scope="module")
def ctx() -> FeatureContext:
    return FeatureContext.build(world(), AS_OF)


def test_gaps_count_a_never_assessed_competency_from_level_one(ctx):
    gaps = competency_gaps(ctx, ANI, "P2")
    assert gaps[["competency", "required_level", "gap"]].values.tolist() == [
        ["teknis_pengajaran", 4.0, 3.0]
    ]


def test_a_training_that_closes_a_gap_raises_the_expected_fit_it_reports(ctx, scorer):
    plan = plan_training(
        ctx, scorer, nip=ANI, position_id="P2", catalogue=world().trainings, completed=set()
    )
    assert plan.trainings["training_id"].tolist() == ["TR1"]
    assert plan.fit_after > plan.fit_before
    assert plan.total_hours == 40.0


def test_trainings_already_completed_are_skipped(ctx, scorer):
    plan = plan_training(
        ctx, scorer, nip=ANI, position_id="P2", catalogue=world().trainings, completed={"TR1"}
    )
    assert plan.trainings.empty
    assert plan.fit_after == plan.fit_before


def test_trainings_for_competencies_without_a_gap_are_not_suggested(ctx, scorer):
    plan = plan_training(
        ctx, scorer, nip=ANI, position_id="P1", catalogue=world().trainings, completed=set()
    )
    assert plan.gaps.empty and plan.trainings.empty


def test_the_plan_returns_at_most_max_trainings_cheapest_first(scorer):
    extra = table(
        Table.TRAININGS,
        [
            dict(training_id=f"X{i}", name=f"Pengajaran {i}", competency="teknis_pengajaran",
                 hours=10.0 + i, level_gain=1.0)
            for i in range(5)
        ],
    )  # fmt: skip
    data = world(trainings=pd.concat([world().trainings, extra], ignore_index=True))
    ctx = FeatureContext.build(data, AS_OF)
    plan = plan_training(
        ctx,
        scorer,
        nip=ANI,
        position_id="P2",
        catalogue=data.trainings,
        completed=set(),
        config=TrainingPlanConfig(max_trainings=2),
    )
    # the three-level gap's cheapest cover is X0, X1, X2 (33 JP); the cap keeps two of them
    assert plan.trainings["training_id"].tolist() == ["X0", "X1"]


def test_unknown_position_is_a_user_error(ctx, scorer):
    with pytest.raises(UnknownPositionError, match="PX"):
        plan_training(
            ctx, scorer, nip=ANI, position_id="PX", catalogue=world().trainings, completed=set()
        )


def test_completed_trainings_are_those_before_the_reference_date():
    history = world().training_history
    assert completed_trainings(history, BUDI, AS_OF) == {"TR1"}
    assert completed_trainings(history, BUDI, date(2020, 1, 1)) == set()


def test_realised_gain_moves_from_the_promise_towards_what_assessments_show():
    data = world()
    # BUDI took TR1 (teknis_pengajaran, promised +1) on 2020-06-01: assessed 2 before, 4 after.
    after = table(
        Table.COMPETENCIES,
        [dict(nip=BUDI, competency="teknis_pengajaran", level=4, assessed_on="2021-01-10")],
    )
    competencies = pd.concat([data.competencies, after], ignore_index=True)
    gains = realised_gains(data.trainings, data.training_history, competencies, prior_weight=1.0)
    assert gains["TR1"] == pytest.approx((2.0 + 1.0) / 2.0)
    assert gains["TR2"] == pytest.approx(2.0)  # no before/after pair: the promise stands


def test_planner_uses_the_realised_gain_when_ranking(scorer):
    data = world()
    planner = TrainingPlanner.build(FeatureContext.build(data, AS_OF), scorer, data=data)
    plan = planner.plan(ANI, "P2")
    assert plan.trainings["expected_gain"].tolist() == [pytest.approx(1.0)]


def test_batch_plans_agree_with_one_pair_plans(scorer):
    data = world()
    planner = TrainingPlanner.build(FeatureContext.build(data, AS_OF), scorer, data=data)
    pairs = pd.DataFrame(
        {"nip": [ANI, BUDI, ANI, "NOBODY"], "position_id": ["P2", "P1", "P1", "P2"]}
    )
    batch = plan_trainings(
        planner.context,
        scorer,
        pairs,
        catalogue=data.trainings,
        training_history=data.training_history,
    )
    for row in batch.iloc[:3].itertuples(index=False):
        single = planner.plan(row.nip, row.position_id)
        assert row.training_ids == ";".join(single.trainings["training_id"])
        assert row.fit_after == pytest.approx(single.fit_after)
    assert batch.iloc[3]["training_ids"] == "" and np.isnan(batch.iloc[3]["fit_before"])


def with_catalogue(*trainings: dict) -> AgencyData:
    """The world with ANI assessed at teknis_pengajaran 3 (one level short for P2) and a
    catalogue of `trainings` for that competency."""
    assessed = table(
        Table.COMPETENCIES,
        [dict(nip=ANI, competency="teknis_pengajaran", level=3, assessed_on="2024-01-10")],
    )
    return world(
        competencies=pd.concat([world().competencies, assessed], ignore_index=True),
        trainings=table(
            Table.TRAININGS,
            [dict(competency="teknis_pengajaran", level_gain=1.0, **t) for t in trainings],
        ),
    )


def test_a_gap_the_first_training_closes_gets_no_second_training(scorer):
    data = with_catalogue(
        dict(training_id="DL001", name="Diklat Panjang", hours=390.0),
        dict(training_id="DL013", name="Kursus Singkat", hours=32.0),
    )
    plan = plan_training(
        FeatureContext.build(data, AS_OF),
        scorer,
        nip=ANI,
        position_id="P2",
        catalogue=data.trainings,
        completed=set(),
    )
    assert plan.trainings["training_id"].tolist() == ["DL013"]
    assert plan.total_hours == 32.0


def test_every_suggestion_has_a_sentence_and_an_unknown_level_is_said_to_be_unknown(ctx, scorer):
    plan = plan_training(
        ctx, scorer, nip=ANI, position_id="P2", catalogue=world().trainings, completed=set()
    )
    assert np.isnan(plan.gaps.loc[0, "current_level"])  # never assessed
    (text,) = plan.trainings["text"]
    assert "tidak diketahui" in text and "current level unknown" in text
    assert "40 JP" in text and "40 hours" in text


def test_a_known_level_is_named_in_the_sentence(scorer):
    data = with_catalogue(dict(training_id="DL013", name="Kursus Singkat", hours=32.0))
    plan = plan_training(
        FeatureContext.build(data, AS_OF),
        scorer,
        nip=ANI,
        position_id="P2",
        catalogue=data.trainings,
        completed=set(),
    )
    assert plan.trainings.loc[0, "text"].startswith(
        "menutup kesenjangan teknis_pengajaran dari level 3 ke 4"
    )
