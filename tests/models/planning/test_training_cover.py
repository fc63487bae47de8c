"""The cheapest cover of a gap is the cheapest of all subsets (brute force agrees)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.planning.training_cover import cheapest_cover


def brute_force(gap: float, gains: list[float], hours: list[float]) -> tuple[float, float]:
    """(levels reached, hours) of the best subset: closest to the gap, then fewest hours."""
    best = (0.0, 0.0)
    for size in range(1, len(gains) + 1):
        for subset in combinations(range(len(gains)), size):
            reached = min(sum(gains[i] for i in subset), gap)
            cost = sum(hours[i] for i in subset)
            if reached > best[0] + 1e-9 or (abs(reached - best[0]) <= 1e-9 and cost < best[1]):
                best = (reached, cost)
    return best


options = st.lists(
    st.tuples(st.sampled_from([0.5, 1.0, 1.5, 2.0]), st.integers(min_value=8, max_value=400)),
    min_size=0,
    max_size=7,
)


@given(gap=st.sampled_from([0.5, 1.0, 2.0, 3.0]), options=options)
@settings(max_examples=200, deadline=None)
def test_the_cover_costs_no_more_hours_than_any_subset_reaching_as_far(gap, options):
    gains = [g for g, _ in options]
    hours = [float(h) for _, h in options]
    chosen = cheapest_cover(gap, np.array(gains), np.array(hours))
    reached = min(sum(gains[i] for i in chosen), gap)
    assert (reached, sum(hours[i] for i in chosen)) == brute_force(gap, gains, hours)


def test_one_level_gap_takes_the_short_course_not_both():
    chosen = cheapest_cover(1.0, np.array([1.0, 1.0]), np.array([390.0, 32.0]))
    assert chosen.tolist() == [1]


def test_no_training_for_a_closed_gap_and_none_without_gain():
    assert cheapest_cover(0.0, np.array([1.0]), np.array([10.0])).tolist() == []
    assert cheapest_cover(1.0, np.array([0.0]), np.array([10.0])).tolist() == []
