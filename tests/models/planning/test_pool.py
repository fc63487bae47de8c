from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from models.planning.pool import union_membership

# Arrays of distinct codes, as the pool gives them (row indices or mover x target pair codes).
codes = st.lists(st.integers(0, 40), unique=True).map(lambda c: np.array(c, dtype=np.int64))


def test_union_membership_flags_the_first_items_and_the_extra_ones():
    # 7 is in both: kept once, in its first place, flagged as from first and in extra.
    added, in_first, in_extra = union_membership(np.array([3, 7, 1]), np.array([7, 9, 0]))
    assert added.tolist() == [False, True, True]  # union: 3, 7, 1, 9, 0
    assert in_first.tolist() == [True, True, True, False, False]
    assert in_extra.tolist() == [False, True, False, True, True]


def test_union_membership_of_nothing_is_empty_flags():
    empty = np.zeros(0, dtype=np.int64)
    added, in_first, in_extra = union_membership(empty, empty)
    assert (len(added), len(in_first), len(in_extra)) == (0, 0, 0)
    assert in_first.dtype == bool and in_extra.dtype == bool


@given(first=codes, extra=codes)
def test_union_membership_is_the_plain_ordered_union(first: np.ndarray, extra: np.ndarray):
    added, in_first, in_extra = union_membership(first, extra)
    union = np.concatenate([first, extra[added]])
    expected = [*first.tolist(), *(c for c in extra.tolist() if c not in set(first.tolist()))]
    assert union.tolist() == expected
    assert in_first.tolist() == [i < len(first) for i in range(len(expected))]
    assert in_extra.tolist() == [c in set(extra.tolist()) for c in expected]
