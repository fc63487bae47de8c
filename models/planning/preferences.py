"""Employees' ranked choices in a round plan: the objective's bonus and the top-choice report.

A consultation (serving/consultation.py) gives each respondent up to `MAX_CHOICES` ranked
positions: `choices` frames hold nip, position_id, rank (1 = first choice). A pair that matches
a person's choice of rank r earns `preference_weight * (MAX_CHOICES + 1 - r) / MAX_CHOICES`
in the plan's objective (1 for a first choice, 0.2 for a fifth), in fit units, beside
fit - risk_weight * risk. With weight 0 (the default) the plan is the plan without answers.

`top_choice_report` says, among the respondents, how many the plan moved and how many of those
got one of their top-`top` choices, overall and by current unit, gender and age band.
`blocking_pairs` is the stable-matching check of a plan against both sides' rankings.
`stated_preferences` puts a round's answers into the contract's `preferences` table, which the
risk features read (`preference_match`): a move that meets a stated wish is scored as history
taught, from the moment the answer is given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_CHOICES = 5
TOP_CHOICES = 3
CHOICE_COLUMNS: tuple[str, ...] = ("nip", "position_id", "rank")
REPORT_COLUMNS: tuple[str, ...] = ("attribute", "group", "respondents", "moved", "top_choice")


def attach_choice_ranks(pairs: pd.DataFrame, choices: pd.DataFrame) -> pd.DataFrame:
    """`pairs` with `choice_rank`: the rank the person gave the pair's position (NaN: none)."""
    typed = choices.astype({"nip": "string", "position_id": "string"})
    ranks = typed.drop_duplicates(["nip", "position_id"]).set_index(["nip", "position_id"])["rank"]
    keys = pd.MultiIndex.from_arrays(
        [pairs["nip"].astype("string"), pairs["position_id"].astype("string")]
    )
    found = ranks.reindex(keys).to_numpy(dtype=np.float64)
    return pairs.assign(choice_rank=found)


def stated_preferences(
    existing: pd.DataFrame,
    choices: pd.DataFrame,
    wishes: pd.DataFrame,
    *,
    positions: pd.DataFrame,
) -> pd.DataFrame:
    """The contract's preferences (nip, kind, value, priority) with each respondent's answer in
    place of what the export held for them: the units of their ranked positions (priority =
    rank) and their region, sector and unit wishes (their own priorities)."""
    respondents = pd.Index(pd.concat([choices["nip"], wishes["nip"]]).astype("string").unique())
    units = positions.drop_duplicates("position_id").set_index("position_id")["unit_id"]
    from_choices = pd.DataFrame(
        {
            "nip": choices["nip"].astype("string"),
            "kind": "unit",
            "value": choices["position_id"].map(units).astype("string"),
            "priority": choices["rank"].astype("int64"),
        }
    ).dropna(subset=["value"])
    columns = ["nip", "kind", "value", "priority"]
    kept = existing.loc[~existing["nip"].astype("string").isin(respondents), columns]
    stated = wishes[columns].astype({"nip": "string", "priority": "int64"})
    merged = pd.concat([kept, from_choices, stated], ignore_index=True)
    return merged.drop_duplicates(["nip", "kind", "value"]).reset_index(drop=True)


def preference_bonus(choice_rank: np.ndarray) -> np.ndarray:
    """Per pair: (MAX_CHOICES + 1 - rank) / MAX_CHOICES for a ranked choice, else 0."""
    rank = np.asarray(choice_rank, dtype=np.float64)
    ranked = np.isfinite(rank) & (rank >= 1) & (rank <= MAX_CHOICES)
    return np.where(ranked, (MAX_CHOICES + 1 - np.where(ranked, rank, 0)) / MAX_CHOICES, 0.0)


def top_choice_report(
    moves: pd.DataFrame,
    choices: pd.DataFrame,
    respondents: pd.DataFrame,
    *,
    top: int = TOP_CHOICES,
) -> pd.DataFrame:
    """REPORT_COLUMNS, overall ("all") then per value of every other column of `respondents`.

    `respondents`: one row per person who ranked positions (nip plus group columns such as
    unit_id, gender, age_band); `moves`: nip, position_id of the plan's moves.
    """
    people = respondents.astype({"nip": "string"}).drop_duplicates("nip")
    moved_to = moves.astype({"nip": "string"}).set_index("nip")["position_id"].astype("string")
    destination = people["nip"].map(moved_to)
    good = choices.loc[choices["rank"] <= top].astype({"nip": "string", "position_id": "string"})
    got = pd.MultiIndex.from_arrays([people["nip"], destination.fillna("")]).isin(
        pd.MultiIndex.from_frame(good[["nip", "position_id"]])
    )
    flags = pd.DataFrame({"respondents": 1, "moved": destination.notna(), "top_choice": got})
    rows = [("all", "all", *flags.sum().astype(int).tolist())]
    for attribute in [c for c in people.columns if c != "nip"]:
        groups = people[attribute].astype("string").fillna("tidak diketahui / unknown")
        for group, sums in flags.groupby(groups.to_numpy(), sort=True).sum().iterrows():
            rows.append((attribute, str(group), *sums.astype(int).tolist()))
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def blocking_pairs(
    assignment: dict[str, str | None],
    person_ranks: dict[str, list[str]],
    post_ranks: dict[str, list[str]],
    capacity: dict[str, int],
) -> list[tuple[str, str]]:
    """Pairs (person, post) that would both rather have each other than what the plan gave.

    `person_ranks[p]`: posts p ranked, best first; `post_ranks[q]`: the people q's unit ranked,
    best first (only ranked people are acceptable to either side). A post with fewer holders
    among the people of `assignment` than its `capacity` wants anyone it ranked; a full post
    wants anyone it ranks above its worst holder.
    """
    holders: dict[str, list[str]] = {q: [] for q in post_ranks}
    for person, post in assignment.items():
        if post is not None and post in holders:
            holders[post].append(person)
    found = []
    for person, ranked in person_ranks.items():
        current = assignment.get(person)
        better = ranked[: ranked.index(current)] if current in ranked else ranked
        for post in better:
            order = post_ranks.get(post, [])
            if person not in order or current == post:
                continue
            taken = holders.get(post, [])
            if len(taken) < capacity.get(post, 0):
                found.append((person, post))
                continue
            if not taken:
                continue
            worst = max((order.index(h) if h in order else len(order)) for h in taken)
            if order.index(person) < worst:
                found.append((person, post))
    return found
