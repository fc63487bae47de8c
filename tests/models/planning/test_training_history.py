"""CompletedTrainings: who completed which training before the reference date, as arrays."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from models.contract.enums import Table
from models.features.build import FeatureContext
from models.planning.training_history import CompletedTrainings
from tests.fixtures.agency import ANI, BUDI, table, world

AS_OF = date(2025, 6, 30)


def _completed() -> tuple[CompletedTrainings, list[str]]:
    later = table(
        Table.TRAINING_HISTORY, [dict(nip=ANI, training_id="TR1", completed_on="2025-07-15")]
    )
    data = world(training_history=pd.concat([world().training_history, later], ignore_index=True))
    ctx = FeatureContext.build(data, AS_OF)
    completed = CompletedTrainings.build(
        ctx, catalogue=data.trainings, training_history=data.training_history
    )
    return completed, [str(t) for t in ctx.training_ids]


def test_only_completions_before_the_reference_date_count() -> None:
    completed, ids = _completed()
    mask = completed.mask([ANI, BUDI, "NOBODY", ANI])
    done = [{ids[t] for t in np.flatnonzero(row)} for row in mask]
    assert done == [{"TR2"}, {"TR1"}, set(), {"TR2"}]  # ANI's TR1 comes after AS_OF


def test_hours_follow_the_context_training_order() -> None:
    completed, ids = _completed()
    assert dict(zip(ids, completed.hours.tolist(), strict=True)) == {"TR1": 40.0, "TR2": 20.0}
