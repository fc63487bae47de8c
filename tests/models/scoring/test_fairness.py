"""Fairness audits on constructed selections with known rates, ratios and prefix p-values."""

from __future__ import annotations

from datetime import date
from math import comb

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from hypothesis import given, settings
from hypothesis import strategies as st

from models.features.build import FeatureContext
from models.scoring.fairness import (
    FairnessConfig,
    GroupCodes,
    audit_selection,
    fairness_flags,
    prefix_audit,
    selection_audit,
)
from tests.fixtures.agency import world

CONFIG = FairnessConfig()


def test_selection_rates_and_impact_ratios_are_those_of_the_counts():
    gender = np.array(["L"] * 10 + ["P"] * 10)
    selected = np.array([1] * 5 + [0] * 5 + [1] * 2 + [0] * 8, dtype=bool)
    audit = selection_audit(selected, {"gender": gender}, config=CONFIG).set_index("group")
    assert audit.loc["L", "selection_rate"] == pytest.approx(0.5)
    assert audit.loc["P", "selection_rate"] == pytest.approx(0.2)
    assert audit.loc["P", "impact_ratio"] == pytest.approx(0.4)
    assert audit.loc["L", "impact_ratio"] == pytest.approx(1.0)
    assert audit["flagged"].to_dict() == {"L": False, "P": True}
    assert audit["selected"].to_dict() == {"L": 5, "P": 2}


def test_four_fifths_exactly_is_not_flagged_and_tiny_groups_are_not_flagged():
    band = np.array(["<30"] * 5 + ["50+"] * 5 + ["30-39"] * 2)
    selected = np.array([1] * 5 + [1] * 4 + [0] + [0, 0], dtype=bool)
    audit = selection_audit(selected, {"age_band": band}, config=CONFIG).set_index("group")
    assert audit.loc["50+", "impact_ratio"] == pytest.approx(0.8)
    assert not audit.loc["50+", "flagged"]
    assert audit.loc["30-39", "impact_ratio"] == 0.0 and not audit.loc["30-39", "flagged"]


def test_a_selection_too_small_to_say_anything_is_not_flagged():
    gender = np.array(["L"] * 30 + ["P"] * 9)
    selected = np.zeros(39, dtype=bool)
    selected[:3] = True  # a top 3 of 39: a group of 9 would expect 0.7 selected
    audit = selection_audit(selected, {"gender": gender}, config=CONFIG).set_index("group")
    assert audit.loc["P", "impact_ratio"] == 0.0 and not audit.loc["P", "flagged"]


def test_prefix_test_flags_a_group_missing_from_the_top_beyond_chance():
    pool = np.array(["L"] * 10 + ["P"] * 10)
    ranked = np.array(["L"] * 8)  # eight men first, from a pool of 10 men and 10 women
    prefixes = prefix_audit({"gender": ranked}, {"gender": pool}, config=CONFIG)
    women = prefixes.set_index("group").loc["P"]
    # P(no woman among 8 drawn from 10 + 10) = C(10, 8) / C(20, 8), times 8 prefixes
    assert women["min_p_value"] == pytest.approx(8 * comb(10, 8) / comb(20, 8))
    assert women["at_k"] == 8 and women["flagged"]
    assert not prefixes.set_index("group").loc["L", "flagged"]


def test_an_alternating_ranking_is_not_flagged():
    pool = np.array(["L"] * 10 + ["P"] * 10)
    ranked = np.array(["L", "P"] * 5)
    prefixes = prefix_audit({"gender": ranked}, {"gender": pool}, config=CONFIG)
    assert not prefixes["flagged"].any()


def test_flags_are_sentences_in_both_languages():
    gender = np.array(["L"] * 10 + ["P"] * 10)
    selected = np.array([1] * 5 + [0] * 5 + [1] * 2 + [0] * 8, dtype=bool)
    audit = selection_audit(selected, {"gender": gender}, config=CONFIG)
    prefixes = prefix_audit({"gender": np.array(["L"] * 8)}, {"gender": gender}, config=CONFIG)
    flags = fairness_flags(audit, prefixes)
    assert len(flags) == 2 and all(" / " in f and "gender P" in f for f in flags)
    assert "rasio dampak 0,40" in flags[0] and "impact ratio 0.40" in flags[0]


@given(
    labels=st.lists(st.sampled_from(["L", "P", "<30", "50+"]), min_size=1, max_size=60),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_rates_and_ratios_equal_fairlearns_metricframe(labels, data):
    selected = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(labels), max_size=len(labels)))
    )
    groups = np.array(labels, dtype=object)
    ours = selection_audit(selected, {"g": groups}, config=CONFIG).set_index("group")
    frame = MetricFrame(
        metrics=selection_rate,
        y_true=selected.astype(int),
        y_pred=selected.astype(int),
        sensitive_features=pd.Series(groups, name="group"),
    )
    theirs = frame.by_group
    assert ours["selection_rate"].to_dict() == pytest.approx(theirs.to_dict())
    if theirs.max() > 0:
        ratio = theirs / theirs.max()
        assert ours["impact_ratio"].to_dict() == pytest.approx(ratio.to_dict())


def _context_with_unknowns() -> FeatureContext:
    """The tiny agency with one gender left blank: groups 'tidak diketahui' appear."""
    base = world()
    employees = base.employees.assign(gender=["P", "L", "", "L"])
    return FeatureContext.build(world(employees=employees), date(2025, 6, 30))


@pytest.mark.parametrize("shown", [(), (0,), (2, 4), (4, 1, 3), (3, 2, 1, 0)])
@pytest.mark.parametrize("min_group", [5, 1], ids=["default", "tiny-groups-flagged"])
def test_group_codes_audit_equals_the_label_audit(shown: tuple[int, ...], min_group: int) -> None:
    ctx = _context_with_unknowns()
    config = FairnessConfig(min_group=min_group, min_expected=0.0, alpha=0.99)
    pool = np.array([0, 1, 2, 3, -1, 1][: 5 if 4 in shown else 4])
    ranked = pool[list(shown)] if shown else np.zeros(0, dtype=np.int64)
    selected = np.isin(np.arange(len(pool)), list(shown))
    report = audit_selection(ctx, pool, selected, ranked_rows=ranked, config=config)
    coded = GroupCodes.build(ctx).ranked_audit(pool, selected, ranked, config=config)
    for frame, columns in ((report.groups, coded.groups), (report.prefixes, coded.prefixes)):
        assert list(frame) == list(columns)
        for name in frame:
            assert frame[name].tolist() == np.asarray(columns[name]).tolist(), name
    assert coded.flags == report.flags
    if min_group == 1 and shown == (0,):  # one of five shown: groups flag at alpha 0.99
        assert len(report.flags) > 0
