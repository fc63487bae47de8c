"""A consultation answer reaches risk: the stated wish becomes the pair feature the risk model
learned from history (`preference_match`), for the respondent only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from models.features.build import FeatureContext, current_pair_features
from models.planning.preferences import stated_preferences
from serving.state import LoadedState


def test_a_ranked_position_makes_its_pair_a_met_first_wish(world_state: LoadedState) -> None:
    data = world_state.data
    nip = str(data.employees["nip"].iloc[0])
    home_unit = data.positions.set_index("position_id").at[
        data.employees["position_id"].iloc[0], "unit_id"
    ]
    target = str(data.positions.loc[data.positions["unit_id"] != home_unit, "position_id"].iloc[0])
    choices = pd.DataFrame({"nip": [nip], "position_id": [target], "rank": [1]})
    no_wishes = pd.DataFrame(columns=["nip", "kind", "value", "priority"])
    stated = stated_preferences(data.preferences, choices, no_wishes, positions=data.positions)
    ctx = FeatureContext.build(replace(data, preferences=stated), world_state.as_of)
    features = current_pair_features(
        ctx, np.array([nip], dtype=object), np.array([target], dtype=object)
    )
    assert features["preference_match"].iloc[0] == 1.0
