"""Patching stated preferences into a built context gives the features of a context built from
the merged preferences table, for the people patched and for everyone else."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from models.contract.tables import AgencyData
from models.features.build import FeatureContext, current_pair_features
from models.features.stated import with_stated_preferences

AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def agency() -> AgencyData:
    from simulator import agency_data

    return agency_data(employees=300, seed=3, as_of=AS_OF, years=4)


def _answers(data: AgencyData) -> tuple[pd.Series, pd.DataFrame]:
    """Six people: four state new wishes (more than anyone held), two withdraw theirs."""
    nips = data.employees["nip"].astype("string").iloc[:6].reset_index(drop=True)
    units = data.units["unit_id"].astype("string").tolist()
    sectors = data.units["sector"].dropna().astype("string").unique().tolist()
    region = str(data.units["region_code"].dropna().iloc[-1])  # known to the catalogue
    rows = [
        (nip, kind, value, priority)
        for nip in nips[:4]
        for priority, (kind, value) in enumerate(
            [("unit", u) for u in units[:5]] + [("sector", sectors[0]), ("region", region)], 1
        )
    ]
    return nips, pd.DataFrame(rows, columns=["nip", "kind", "value", "priority"])


def _all_pairs(data: AgencyData) -> tuple[np.ndarray, np.ndarray]:
    nips = data.employees["nip"].astype(str).to_numpy(dtype=object)[:40]
    positions = data.positions["position_id"].astype(str).to_numpy(dtype=object)[:25]
    return np.repeat(nips, len(positions)), np.tile(positions, len(nips))


def test_a_patched_context_scores_as_one_built_from_the_merged_table(agency: AgencyData) -> None:
    nips, stated = _answers(agency)
    kept = agency.preferences.loc[~agency.preferences["nip"].astype("string").isin(nips)]
    merged = pd.concat([kept, stated], ignore_index=True)
    rebuilt = FeatureContext.build(replace(agency, preferences=merged), AS_OF)
    patched = with_stated_preferences(FeatureContext.build(agency, AS_OF), nips, stated)
    pairs = _all_pairs(agency)
    pd.testing.assert_frame_equal(
        current_pair_features(patched, *pairs), current_pair_features(rebuilt, *pairs)
    )


def test_patching_leaves_the_original_context_as_it_was(agency: AgencyData) -> None:
    ctx = FeatureContext.build(agency, AS_OF)
    before = current_pair_features(ctx, *_all_pairs(agency))
    with_stated_preferences(ctx, *_answers(agency))
    pd.testing.assert_frame_equal(current_pair_features(ctx, *_all_pairs(agency)), before)
