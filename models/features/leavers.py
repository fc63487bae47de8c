"""Stand-in attributes for people who left service: colleagues of the post they held.

employees.csv lists the people now in service, so a person who retired, resigned or moved to
another agency has no home, marital status, children, education or rank in the export, although
the agency knew them when it decided that person's transfers. Left as unknown, the gap marks the
rows of people who later left, and one way of leaving is a resistance outcome (resignation
within 12 months of the decree): the model learns that an unknown home means resistance and
that a known one means less resistance than it does, and old years (most movers since gone) look
riskier than recent ones. The gap is look-ahead information, so it must not reach the features.

A leaver's education, family and rank are taken instead from a colleague now in service who
holds the post the leaver held at that date (else one in the same unit, else anyone in the
agency), picked by a hash of the leaver's NIP: deterministic, the same on every run, and
carrying nothing about what happened to the leaver afterwards. Colleagues in a post share its
grade (their rank) and its requirements (their education), which is what the features compare
with a target post. A leaver's home is the region of the post held, as for anyone whose home
is unknown (models/features/history.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.features.catalog import Catalog

# Snapshot attributes a colleague stands in for; dates, positions and flags of the current
# state (position_start, on_hold, talent_box, ...) are never borrowed.
STAND_IN_ATTRIBUTES: tuple[str, ...] = (
    "education",
    "field",
    "married",
    "children",
    "rank_now",
    "pppk",
)


def _pick_in_group(
    keys: np.ndarray, wanted: np.ndarray, draw: np.ndarray, *, tie: np.ndarray
) -> np.ndarray:
    """For each wanted key, the index of one entry of `keys` equal to it, chosen by draw among
    the entries ordered by `tie` (so not by the export's row order); -1 where the key is
    negative or no entry has it."""
    order = np.lexsort((tie, keys))
    sorted_keys = keys[order]
    low = np.searchsorted(sorted_keys, wanted, side="left")
    count = np.searchsorted(sorted_keys, wanted, side="right") - low
    found = (count > 0) & (wanted >= 0)
    at = np.where(found, low + draw % np.maximum(count, 1).astype(np.uint64), 0).astype(np.int64)
    return np.where(found, order[np.minimum(at, len(order) - 1)], -1)


def stand_in_colleagues(
    data_employees: pd.DataFrame,
    catalog: Catalog,
    *,
    nips: pd.Series,
    position: np.ndarray,
    left: np.ndarray,
) -> np.ndarray:
    """employees.csv row standing in for each `left` row (-1 elsewhere, or with no employees).

    `position` is the catalog code of the post each row's person held at its date (-1 unknown).
    """
    donor = np.full(len(nips), -1, dtype=np.int64)
    if not left.any() or data_employees.empty:
        return donor
    nip_order = data_employees["nip"].astype("string").fillna("").to_numpy(dtype=object)
    tie = np.argsort(np.argsort(nip_order, kind="stable"), kind="stable")
    draw = pd.util.hash_array(nips.astype("string").fillna("").to_numpy(dtype=object))
    held = catalog.position_codes(data_employees["position_id"])
    held_unit = np.where(held >= 0, catalog.pos_unit[np.maximum(held, 0)], -1)
    row_unit = np.where(position >= 0, catalog.pos_unit[np.maximum(position, 0)], -1)
    for keys, wanted in (
        (held, position),
        (held_unit, row_unit),
        (np.zeros(len(held), dtype=np.int64), np.zeros(len(nips), dtype=np.int64)),
    ):
        fill = left & (donor < 0)
        if not fill.any():
            break
        donor[fill] = _pick_in_group(keys, wanted[fill], draw[fill], tie=tie)
    return donor
