"""A round's answers as the frames planning reads: ranked choices and contract preferences.

`choices`: nip, position_id, rank (1 = first choice), for models/planning/preferences.py.
`preferences`: the data contract's `preferences` table (nip, kind, value, priority) from the
region, sector and unit wishes, plus `round_id` and `stated_on` (the answer's date), so that
the answers can join an export's own preferences with their round and date. The ranked
positions are not in it: the contract has no position kind.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from models.planning.preferences import CHOICE_COLUMNS
from serving.consultation import store
from serving.db import make_engine

PREFERENCE_COLUMNS: tuple[str, ...] = ("nip", "kind", "value", "priority", "round_id", "stated_on")


def answer_frames(answers: list[store.Answer]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(choices, preferences) of the answers, each row with its own answer's round and date."""
    choices = pd.DataFrame(
        [(a.nip, p, rank) for a in answers for rank, p in enumerate(a.positions, 1)],
        columns=list(CHOICE_COLUMNS),
    )
    preferences = pd.DataFrame(
        [
            (a.nip, w.kind, w.value, w.priority, a.round_id, a.updated_at.date())
            for a in answers
            for w in a.wishes
        ],
        columns=list(PREFERENCE_COLUMNS),
    )
    return choices.astype({"rank": "int64"}), preferences.astype({"priority": "int64"})


def round_frames(engine: Engine, round_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(choices, preferences) of every current answer of the round."""
    store.get_round(engine, round_id)
    return answer_frames(store.round_answers(engine, round_id))


def round_choices(database_url: str, round_id: str) -> pd.DataFrame:
    """The round's ranked choices, read through an engine of its own (for callers without the
    app's engine, such as a plan job in a worker thread)."""
    engine = make_engine(database_url)
    try:
        return round_frames(engine, round_id)[0]
    finally:
        engine.dispose()
