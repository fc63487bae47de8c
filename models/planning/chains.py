"""Vacancy chains in a plan: A fills an open slot X, B fills A's old seat, C fills B's, ...

In each position the first `open_count` arrivals take its open slots; every further arrival
takes the seat of someone who left that position (the plan guarantees there is one). Linking
each such arrival to the leaver whose seat it takes turns the moves into chains; a chain starts
at a move into an open slot. Moves that only link to each other in a ring (rotations) are
reported as chains too, starting anywhere on the ring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _successors(moves: pd.DataFrame, open_count: pd.Series) -> np.ndarray:
    """Per move: the index of the move that takes its old seat, or -1."""
    frame = moves.reset_index(drop=True)
    arrivals = pd.DataFrame(
        {
            "position_id": frame["position_id"].to_numpy(),
            "arrival": np.arange(len(frame)),
            "rank": frame.groupby("position_id", sort=False).cumcount().to_numpy(),
        }
    )
    opened = arrivals["position_id"].map(open_count).fillna(0).astype(np.int64)
    arrivals = arrivals.assign(seat_rank=arrivals["rank"] - opened)
    arrivals = arrivals.loc[arrivals["seat_rank"] >= 0]
    leavers = pd.DataFrame(
        {
            "position_id": frame["from_position_id"].to_numpy(),
            "leaver": np.arange(len(frame)),
            "seat_rank": frame.groupby("from_position_id", sort=False).cumcount().to_numpy(),
        }
    )
    matched = arrivals.merge(leavers, on=["position_id", "seat_rank"], how="inner")
    successor = np.full(len(frame), -1, dtype=np.int64)
    successor[matched["leaver"].to_numpy()] = matched["arrival"].to_numpy()
    return successor


def find_chains(moves: pd.DataFrame, open_count: pd.Series) -> pd.DataFrame:
    """chain_id and chain_step (1 = the move into the open slot) for every move, in order.

    `moves` needs from_position_id and position_id; `open_count` maps position_id to its open
    slots. Chain ids number the chains 1, 2, ... in the order of their first move.
    """
    successor = _successors(moves, open_count)
    has_predecessor = np.zeros(len(moves), dtype=bool)
    has_predecessor[successor[successor >= 0]] = True
    chain_id = np.zeros(len(moves), dtype=np.int64)
    step = np.zeros(len(moves), dtype=np.int64)
    heads = list(np.flatnonzero(~has_predecessor)) + list(np.flatnonzero(has_predecessor))
    next_id = 0
    for head in heads:  # pointer chasing over moves (thousands at most), each visited once
        if chain_id[head]:
            continue
        next_id += 1
        current, position = int(head), 1
        while current >= 0 and not chain_id[current]:
            chain_id[current], step[current] = next_id, position
            current, position = int(successor[current]), position + 1
    return pd.DataFrame({"chain_id": chain_id, "chain_step": step}, index=moves.index)
