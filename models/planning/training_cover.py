"""The cheapest set of trainings that closes one competency gap.

A gap of g levels is closed by trainings whose expected gains add up to at least g; among the
sets that close it, the one with the fewest JP hours (ties: fewer trainings). No training is
added to a set that already closes the gap, so a second course is never suggested for a gap the
first one closes. When no set closes the gap, the set that comes closest at the fewest hours.

Exact: every subset of the options is compared (a gap has a handful of catalogue courses); past
`MAX_EXACT` options, only the `MAX_EXACT` with the most gain per hour are considered.
"""

from __future__ import annotations

import numpy as np

MAX_EXACT = 16
TOLERANCE = 1e-9


def cheapest_cover(gap: float, gains: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Indices (into gains / hours) of the cheapest set closing `gap`, cheapest first."""
    gains, hours = np.asarray(gains, dtype=float), np.asarray(hours, dtype=float)
    useful = np.flatnonzero(gains > TOLERANCE)
    if gap <= TOLERANCE or not len(useful):
        return np.zeros(0, dtype=np.int64)
    if len(useful) > MAX_EXACT:
        per_hour = gains[useful] / np.maximum(hours[useful], TOLERANCE)
        useful = useful[np.argsort(-per_hour, kind="stable")[:MAX_EXACT]]
    n = len(useful)
    masks = np.arange(1, 1 << n, dtype=np.int64)
    members = (masks[:, None] >> np.arange(n)) & 1
    reached = np.minimum(members @ gains[useful], gap)
    cost = members @ hours[useful]
    size = members.sum(axis=1)
    # closest to closing first, then fewest hours, then fewest trainings
    best = np.lexsort((size, cost, -np.round(reached, 9)))[0]
    chosen = useful[members[best].astype(bool)]
    return chosen[np.argsort(hours[chosen], kind="stable")]
