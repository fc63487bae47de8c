"""Competency levels and trainings as known before a date (see models/features/history.py).

The level of a competency at as_of is its latest assessment before as_of plus the level_gain
of every training on that competency completed after that assessment and before as_of, capped
at 5 (a training completed since the last assessment is taken to have worked as the catalogue
says). A competency never assessed but trained starts from level 1. This is the same rule that
`models.features.pair_logic.apply_trainings` applies to "as if trained" scenarios.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import LEVEL_MAX, LEVEL_MIN
from models.contract.tables import AgencyData
from models.features.catalog import Catalog
from models.features.events import last_in_group, pairs_by_nip

TRAINING_WINDOW = np.timedelta64(730, "D")  # "trainings in the last two years"


def _latest_assessments(
    competencies: pd.DataFrame, catalog: Catalog, *, nips: pd.Series, as_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(level, assessed_on) matrices of the latest assessment before as_of; any-assessed flag."""
    n, n_comp = len(nips), len(catalog.competencies)
    row, rec = pairs_by_nip(nips, competencies["nip"])
    when = competencies["assessed_on"].to_numpy("datetime64[ns]")[rec]
    comp = catalog.competency_codes(competencies["competency"])[rec]
    keep = (when < as_of[row]) & (comp >= 0)
    row, rec, when, comp = row[keep], rec[keep], when[keep], comp[keep]
    last = last_in_group(row * max(n_comp, 1) + comp, when.astype(np.int64))
    level = np.full((n, n_comp), np.nan)
    level[row[last], comp[last]] = competencies["level"].to_numpy(float)[rec[last]]
    assessed_on = np.full((n, n_comp), np.datetime64("NaT"), dtype="datetime64[ns]")
    assessed_on[row[last], comp[last]] = when[last]
    return level, assessed_on, np.bincount(row, minlength=n) > 0


def training_effects(
    trainings: pd.DataFrame, catalog: Catalog
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The catalogue's training ids, each one's competency code (-1 unknown) and level gain
    (1 when not given): what completing it does, in recorded history and "as if" scenarios."""
    return (
        pd.Index(trainings["training_id"].astype("string")),
        catalog.competency_codes(trainings["competency"]),
        trainings["level_gain"].fillna(1.0).to_numpy(float),
    )


def _completed_trainings(
    data: AgencyData, catalog: Catalog, *, nips: pd.Series, as_of: np.ndarray
) -> pd.DataFrame:
    """Trainings each row's person completed before as_of: row, competency, gain, date."""
    history = data.training_history
    ids, competency, level_gain = training_effects(data.trainings, catalog)
    training = ids.get_indexer(pd.Index(history["training_id"].astype("string")))
    known = training >= 0
    at = np.maximum(training, 0)
    comp = np.where(known, competency[at], -1)
    gain = np.where(known, level_gain[at], 0.0)
    row, rec = pairs_by_nip(nips, history["nip"])
    done = history["completed_on"].to_numpy("datetime64[ns]")[rec]
    keep = (done < as_of[row]) & (comp[rec] >= 0)
    return pd.DataFrame(
        {"row": row[keep], "comp": comp[rec][keep], "gain": gain[rec][keep], "done": done[keep]}
    )


def competency_state(
    data: AgencyData, catalog: Catalog, *, nips: pd.Series, as_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(levels, recent_trainings, assessed) as of each row's date.

    levels: (rows, competencies), NaN where neither assessed nor trained; recent_trainings:
    count of trainings per competency completed in the two years before as_of; assessed: any
    competency assessed before as_of.
    """
    n, n_comp = len(nips), len(catalog.competencies)
    level, assessed_on, assessed = _latest_assessments(
        data.competencies, catalog, nips=nips, as_of=as_of
    )
    done = _completed_trainings(data, catalog, nips=nips, as_of=as_of)
    row, comp = done["row"].to_numpy(), done["comp"].to_numpy()
    when = done["done"].to_numpy("datetime64[ns]")
    since = assessed_on[row, comp]
    after = np.isnat(since) | (when > since)
    gains = np.bincount(
        row[after] * n_comp + comp[after],
        weights=done["gain"].to_numpy()[after],
        minlength=n * n_comp,
    ).reshape(n, n_comp)
    trained = gains > 0
    level = np.where(np.isnan(level) & trained, LEVEL_MIN, level)
    level = np.minimum(level + gains, LEVEL_MAX)
    recent = when >= as_of[row] - TRAINING_WINDOW
    counts = np.bincount(row[recent] * n_comp + comp[recent], minlength=n * n_comp)
    return level, counts.reshape(n, n_comp).astype(float), assessed
