"""Suggested pre-transfer training for the candidates a shortlist returns.

One batch call (models/planning/training_batch.py `plan_trainings`) for the k shown candidates, on
the loaded state's training planner (realised training gains, built once per load by
serving/loading.py), so the shortlist and
GET /v1/employees/{nip}/training-plan agree on which trainings help.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from models.planning.training_batch import plan_trainings
from serving.schemas.common import TrainingSuggestion, records
from serving.state import LoadedState


def suggest_training(
    state: LoadedState, nips: Sequence[str], position_id: str
) -> dict[str, list[TrainingSuggestion]]:
    """nip -> the trainings to take before moving into `position_id` (empty: none needed)."""
    if len(nips) == 0:
        return {}
    planner = state.planner
    pairs = pd.DataFrame({"nip": list(nips), "position_id": position_id})
    plans = plan_trainings(
        planner.context,
        planner.scorer,
        pairs,
        catalogue=planner.catalogue,
        training_history=planner.training_history,
        config=planner.config,
        completed=planner.completed,  # kept per snapshot: no scan of the history per request
    )
    suggested: dict[str, list[TrainingSuggestion]] = {}
    for row in records(plans):
        ids = [t for t in str(row["training_ids"]).split(";") if t]
        suggested[str(row["nip"])] = [_suggestion(planner.catalogue_by_id[t], t, row) for t in ids]
    return suggested


def _suggestion(
    entry: dict[Any, Any], training_id: str, plan: dict[Any, Any]
) -> TrainingSuggestion:
    return TrainingSuggestion(
        training_id=training_id,
        name=str(entry["name"]),
        competency=str(entry["competency"]),
        hours=float(entry["hours"]),
        expected_fit=round(float(plan["fit_after"]), 2),
    )
