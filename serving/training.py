"""Hook for the suggested pre-transfer training of a shortlisted candidate.

Empty until the training planner (issue 5) lands. To connect it, a loader puts a callable
`(state, nip, position_id) -> list[TrainingSuggestion]` in `LoadedState.extras` under
`TRAINING_PLANNER`; the shortlist calls it for the k candidates it returns, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from serving.schemas import TrainingSuggestion

if TYPE_CHECKING:
    from serving.state import LoadedState

TRAINING_PLANNER = "training_planner"

TrainingPlanner = Callable[["LoadedState", str, str], list[TrainingSuggestion]]


def suggest_training(state: LoadedState, nip: str, position_id: str) -> list[TrainingSuggestion]:
    planner: TrainingPlanner | None = state.extras.get(TRAINING_PLANNER)
    return [] if planner is None else planner(state, nip, position_id)
