"""The preferences in force when the service scores: each employee's newest consultation
answer (from an open or a closed round) over what the export's preferences table says.

An answer counts in risk at once: the ranked positions become unit wishes (priority = rank)
and the region, sector and unit wishes keep their own priorities
(models/planning/preferences.py `stated_preferences`); they replace what the export held for
that person, and feed `preference_match` and `unrequested_sector`, the features through which
the risk model learned from history what a met or an ignored wish does to resistance.

Requests do not reload anything: `AnsweredStates` patches the loaded context's preference rows
of the respondents only (models/features/stated.py) and keeps the patched state while the
loaded state and the answers' version (`store.answers_version`, one aggregate query) stay
the same. The risk route, the shortlist, the plans and every page get it through
`serving.deps.get_state`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine

from models.features.build import FeatureContext
from models.features.stated import with_stated_preferences
from models.planning.preferences import stated_preferences
from serving.consultation import store
from serving.consultation.frames import answer_frames
from serving.state import LoadedState


def answered_context(
    ctx: FeatureContext,
    *,
    existing: pd.DataFrame,
    positions: pd.DataFrame,
    choices: pd.DataFrame,
    wishes: pd.DataFrame,
) -> FeatureContext:
    """`ctx` with each respondent's stated preferences replaced by their answer's."""
    respondents = pd.Series(pd.concat([choices["nip"], wishes["nip"]]).unique(), dtype="string")
    if respondents.empty:
        return ctx
    # Only the respondents' rows are patched, and none of them comes from the export.
    theirs = stated_preferences(existing.iloc[:0], choices, wishes, positions=positions)
    return with_stated_preferences(ctx, respondents, theirs)


def answered_state(state: LoadedState, answers: list[store.Answer]) -> LoadedState:
    """The loaded state scoring with these answers in force (the state itself if none): its
    features and the training planner's (whose fit after training must agree) both patched."""
    choices, wishes = answer_frames(answers)
    stated = {
        "existing": state.data.preferences,
        "positions": state.data.positions,
        "choices": choices,
        "wishes": wishes,
    }
    context = answered_context(state.context, **stated)
    if context is state.context:
        return state
    planner = replace(state.planner, context=answered_context(state.planner.context, **stated))
    return replace(state, context=context, planner=planner)


@dataclass(frozen=True)
class _Kept:
    base: LoadedState
    version: tuple[int, int, str]
    state: LoadedState


class AnsweredStates:
    """The loaded state with the newest answers in force, rebuilt only when either changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: _Kept | None = None

    def state_for(self, base: LoadedState, engine: Engine) -> LoadedState:
        version = store.answers_version(engine)
        kept = self._kept
        if kept is not None and kept.base is base and kept.version == version:
            return kept.state
        if version[1] == 0:
            return base
        with self._lock:  # one rebuild at a time; the others then find it kept
            kept = self._kept
            if kept is None or kept.base is not base or kept.version != version:
                kept = _Kept(base, version, answered_state(base, store.newest_answers(engine)))
                self._kept = kept
        return kept.state
