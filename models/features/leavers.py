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
agency): the one nearest in birth date to the leaver (known from the NIP), ties broken by NIP,
so deterministic and independent of the export's row order (a hash draw of the leaver's NIP
only where a birth date is unknown). Colleagues in a post share its grade (their rank) and
its requirements (their education), which is what the features compare with a target post.
Nearest in age because the people who have left are older than those still in service
(retirement), and family and rank go with age: a random holder of the post gave leavers fewer
children and a lower rank than the movers of their own age still in service. The colleague's
rank is taken as it is now: stepping it back to the leaver's age at that date matched the
stayers' ranks better but did not help the models on the design worlds (issue 15 part g note).
Nothing about what happened to the leaver afterwards reaches the features. A leaver's home is
the region of the post held, as for anyone whose home is unknown (models/features/history.py).
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


def _nearest_in_group(
    keys: np.ndarray,
    born: np.ndarray,
    *,
    wanted: np.ndarray,
    wanted_born: np.ndarray,
    tie: np.ndarray,
) -> np.ndarray:
    """For each (wanted key, wanted_born date), the index of an entry of `keys` equal to it
    whose `born` date is nearest (at equal distance: the lower `tie`); -1 where the key is
    negative, the wanted birth is unknown (NaT) or no entry with a known birth has the key.

    One sort of (key, birth day, tie) and a binary search: both neighbours of the wanted birth
    day within its key are the first of their birth day, so the lowest tie among equals."""
    out = np.full(len(wanted), -1, dtype=np.int64)
    usable = np.flatnonzero((keys >= 0) & ~np.isnat(born))
    ask = np.flatnonzero((wanted >= 0) & ~np.isnat(wanted_born))
    if len(usable) == 0 or len(ask) == 0:
        return out
    day = born[usable].astype("datetime64[D]").astype(np.int64)
    ask_day = wanted_born[ask].astype("datetime64[D]").astype(np.int64)
    low_day = min(day.min(), ask_day.min())
    span = max(day.max(), ask_day.max()) - low_day + 1
    combined = keys[usable] * span + (day - low_day)
    order = np.lexsort((tie[usable], combined))
    combined, entry = combined[order], usable[order]
    key_start = wanted[ask] * span
    group_low = np.searchsorted(combined, key_start, side="left")
    group_high = np.searchsorted(combined, key_start + span, side="left")
    after = np.searchsorted(combined, key_start + (ask_day - low_day), side="left")
    last = len(combined) - 1
    before = np.searchsorted(combined, combined[np.clip(after - 1, 0, last)], side="left")
    has_after, has_before = after < group_high, after > group_low
    gap_after = np.where(has_after, combined[np.minimum(after, last)] - key_start, np.inf)
    gap_before = np.where(has_before, combined[np.clip(after - 1, 0, last)] - key_start, -np.inf)
    wanted_offset = ask_day - low_day
    after_idx, before_idx = entry[np.minimum(after, last)], entry[np.clip(before, 0, last)]
    distance_after = gap_after - wanted_offset
    distance_before = wanted_offset - gap_before
    take_before = (distance_before < distance_after) | (
        (distance_before == distance_after) & (tie[before_idx] < tie[after_idx])
    )
    out[ask] = np.where(has_after | has_before, np.where(take_before, before_idx, after_idx), -1)
    return out


def stand_in_colleagues(
    data_employees: pd.DataFrame,
    catalog: Catalog,
    *,
    nips: pd.Series,
    born: np.ndarray,
    position: np.ndarray,
    left: np.ndarray,
) -> np.ndarray:
    """employees.csv row standing in for each `left` row (-1 elsewhere, or with no employees).

    `born` is each row's person's birth date (from the NIP; NaT unknown), `position` the
    catalog code of the post they held at the row's date (-1 unknown). Within the first group
    (post, unit, agency) that has anyone, the colleague nearest in birth date; a hash draw
    where either birth is unknown.
    """
    donor = np.full(len(nips), -1, dtype=np.int64)
    if not left.any() or data_employees.empty:
        return donor
    nip_order = data_employees["nip"].astype("string").fillna("").to_numpy(dtype=object)
    tie = np.argsort(np.argsort(nip_order, kind="stable"), kind="stable")
    colleague_born = data_employees["birth_date"].to_numpy("datetime64[ns]")
    draw = pd.util.hash_array(nips.astype("string").fillna("").to_numpy(dtype=object))
    held = catalog.position_codes(data_employees["position_id"])
    held_unit = np.where(held >= 0, catalog.pos_unit[np.maximum(held, 0)], -1)
    row_unit = np.where(position >= 0, catalog.pos_unit[np.maximum(position, 0)], -1)
    for keys, wanted in (
        (held, position),
        (held_unit, row_unit),
        (np.zeros(len(held), dtype=np.int64), np.zeros(len(nips), dtype=np.int64)),
    ):
        fill = np.flatnonzero(left & (donor < 0))
        if len(fill) == 0:
            break
        nearest = _nearest_in_group(
            keys, colleague_born, wanted=wanted[fill], wanted_born=born[fill], tie=tie
        )
        drawn = _pick_in_group(keys, wanted[fill], draw[fill], tie=tie)
        donor[fill] = np.where(nearest >= 0, nearest, drawn)
    return donor
