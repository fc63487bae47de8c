"""Stated preferences patched into a built FeatureContext, for the people who just stated them.

A consultation answer changes one thing about a person the risk model reads: their stated
preferences (`preference_match`, `unrequested_sector`). Rebuilding the whole context for that
costs seconds on a large agency; `with_stated_preferences` recomputes only the preference rows
of the people named, through the same `preference_table` the context was built with, so a
patched context scores exactly as a context built from the merged preferences table would.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from models.features.build import FeatureContext
from models.features.events import preference_table


def _widened(values: np.ndarray, width: int, fill: float) -> np.ndarray:
    """A writable copy of a (rows, k) array padded with `fill` to `width` columns."""
    out = np.full((values.shape[0], max(width, values.shape[1])), fill, dtype=values.dtype)
    out[:, : values.shape[1]] = values
    return out


def with_stated_preferences(
    ctx: FeatureContext, nips: pd.Series, preferences: pd.DataFrame
) -> FeatureContext:
    """`ctx` in which each of `nips` has exactly the rows of `preferences` (nip, kind, value,
    priority) that name them as their stated preferences; everyone else is unchanged.

    A NIP named in `nips` without rows in `preferences` ends with nothing stated. NIPs not in
    service are ignored. Values unknown to the catalogue are dropped, as at build time.
    """
    rows = ctx.employee_index(nips)
    found = rows >= 0
    if not found.any():
        return ctx
    rows = rows[found]
    people = pd.Series(np.asarray(nips, dtype=object)[found], dtype="string")
    codes, priority = preference_table(preferences, ctx.catalog, nips=people)
    width = codes.shape[1]
    all_codes = _widened(ctx.state.pref_codes, width, -1)
    all_priority = _widened(ctx.state.pref_priority, width, np.inf)
    all_codes[rows], all_priority[rows] = -1, np.inf
    all_codes[rows, :width], all_priority[rows, :width] = codes, priority
    all_codes.flags.writeable = all_priority.flags.writeable = False
    state = replace(ctx.state, pref_codes=all_codes, pref_priority=all_priority)
    return replace(ctx, state=state)
