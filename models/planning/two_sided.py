"""Two-sided consultation in a round plan: units' rankings of their candidates, their bonus in
the objective and the stable-matching check of the plan.

A unit may rank, for each of its positions on offer, the people who chose that position
(`unit_rankings`: position_id, nip, unit_rank with 1 = best, ranked = how many it ranked for
the position). A pair the unit ranked r of n earns `unit_preference_weight * (n + 1 - r) / n`
in the objective (1 for the unit's first, 1/n for its last), beside the person's own bonus
(models/planning/preferences.py). With weight 0 (the default) the rankings are only reported.

`stable_matching_report` counts the blocking pairs of the plan (preferences.blocking_pairs):
a person and a post that rank each other and would both rather have each other than what the
plan gave them, overall and by the post's unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.planning.preferences import blocking_pairs

UNIT_RANK_COLUMNS: tuple[str, ...] = ("position_id", "nip", "unit_rank", "ranked")
STABILITY_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "ranked_positions",
    "ranked_pairs",
    "matched",
    "blocking_pairs",
)
ALL_UNITS = "all"


def attach_unit_scores(pairs: pd.DataFrame, unit_rankings: pd.DataFrame) -> pd.DataFrame:
    """`pairs` with `unit_score`: (n + 1 - rank) / n for a pair the post's unit ranked r of n,
    NaN for a pair it did not rank."""
    typed = unit_rankings.astype({"nip": "string", "position_id": "string"})
    score = (typed["ranked"] + 1 - typed["unit_rank"]) / typed["ranked"]
    scores = pd.Series(
        score.to_numpy(dtype=np.float64),
        index=pd.MultiIndex.from_frame(typed[["nip", "position_id"]]),
    )
    scores = scores[~scores.index.duplicated()]
    keys = pd.MultiIndex.from_arrays(
        [pairs["nip"].astype("string"), pairs["position_id"].astype("string")]
    )
    return pairs.assign(unit_score=scores.reindex(keys).to_numpy(dtype=np.float64))


def unit_bonus(unit_score: np.ndarray) -> np.ndarray:
    """Per pair: its unit score, 0 where the unit did not rank it."""
    return np.nan_to_num(np.asarray(unit_score, dtype=np.float64), nan=0.0)


def _ordered(frame: pd.DataFrame, key: str, item: str, rank: str) -> dict[str, list[str]]:
    typed = frame.astype({key: str, item: str}).sort_values([key, rank], kind="stable")
    return {str(k): list(group[item]) for k, group in typed.groupby(key, sort=False)}


def plan_blocking_pairs(
    moves: pd.DataFrame,
    choices: pd.DataFrame,
    unit_rankings: pd.DataFrame,
    *,
    slots: pd.DataFrame,
) -> list[tuple[str, str]]:
    """The plan's blocking pairs (nip, position_id) against both sides' rankings.

    Everyone the plan moves holds their new post; a respondent it leaves in place holds none
    of the posts they ranked. A post's capacity is its open slots plus the people the plan
    moves out of it (the seats the plan may fill there).
    """
    movers = moves.astype({"nip": str, "position_id": str, "from_position_id": str})
    assignment: dict[str, str | None] = {str(n): None for n in choices["nip"].astype(str)}
    assignment.update(zip(movers["nip"], movers["position_id"], strict=True))
    open_count = slots.astype({"position_id": str}).groupby("position_id")["open_count"].sum()
    leaving = movers.groupby("from_position_id").size()
    capacity = open_count.add(leaving, fill_value=0).astype(int)
    return blocking_pairs(
        assignment,
        _ordered(choices, "nip", "position_id", "rank"),
        _ordered(unit_rankings, "position_id", "nip", "unit_rank"),
        {str(k): int(v) for k, v in capacity.items()},
    )


def stable_matching_report(
    moves: pd.DataFrame,
    choices: pd.DataFrame,
    unit_rankings: pd.DataFrame,
    *,
    slots: pd.DataFrame,
    position_units: pd.Series,
) -> pd.DataFrame:
    """STABILITY_COLUMNS: overall ("all") then per unit that ranked. `position_units` maps
    position id -> unit id; `matched` counts moves to a post whose unit ranked the person."""
    blocking = plan_blocking_pairs(moves, choices, unit_rankings, slots=slots)
    ranked = unit_rankings.astype({"nip": str, "position_id": str})
    units = position_units.astype(str)
    ranked = ranked.assign(unit_id=ranked["position_id"].map(units).fillna("-").to_numpy())
    moved = pd.MultiIndex.from_frame(moves[["nip", "position_id"]].astype(str))
    ranked = ranked.assign(
        matched=pd.MultiIndex.from_frame(ranked[["nip", "position_id"]]).isin(moved)
    )
    blocked = pd.Series([units.get(post, "-") for _, post in blocking], dtype=object).value_counts()
    per_unit = ranked.groupby("unit_id", sort=True).agg(
        ranked_positions=("position_id", "nunique"),
        ranked_pairs=("nip", "size"),
        matched=("matched", "sum"),
    )
    per_unit = per_unit.assign(blocking_pairs=blocked.reindex(per_unit.index).fillna(0).to_numpy())
    overall = pd.DataFrame(
        [[per_unit[c].sum() for c in STABILITY_COLUMNS[1:-1]] + [len(blocking)]],
        index=pd.Index([ALL_UNITS], name="unit_id"),
        columns=list(STABILITY_COLUMNS[1:]),
    )
    report = pd.concat([overall, per_unit]).reset_index(names="unit_id")
    return report.astype({c: "int64" for c in STABILITY_COLUMNS[1:]})[list(STABILITY_COLUMNS)]
