"""The transfer-plan problem in array form, shared by the MILP and the greedy solver.

A plan chooses moves from candidate pairs (nip, from_position_id -> position_id). The model:

- each person moves at most once (exactly once when pinned `must_move`);
- a position ends at most at its target: moves in - moves out <= open_count. Open counts come
  from the slots (default: every shortage). A person who leaves a position opens a seat there,
  so a position with no open slot can still take someone when someone else leaves it: this is
  how vacancy chains arise (A fills X, B fills A's old seat, ...);
- a person who leaves a position that is not over-staffed opens a vacancy in a needed seat.
  Each vacancy opened costs `vacancy_cost` in the objective (default 5, the top of the fit
  scale), whether or not the plan refills it: so someone is pulled out of a needed seat only when
  the seat is refilled by someone who fits it (a chain: k moves earn k fits and pay k - 1
  vacancies), never to leave it empty, and pure rotations (A and B swap seats) never pay;
- no unit ends below `min_unit_share` of its need because of net outflow; a unit already below
  that share may not lose anyone net (its floor is its current headcount);
- ineligible pairs, pairs above `max_move_risk` and people pinned `must_not_move` are excluded;
  `max_total_risk` caps the summed risk; `must_fill` positions get all their open slots filled.

The objective is sum(fit - risk_weight * risk) over moves - vacancy_cost * vacancies opened,
plus `preference_weight` times the bonus of each move to a person's ranked choice when the
pairs carry `choice_rank` (models/planning/preferences.py), plus `unit_preference_weight` times
the unit's score of each move to a post whose unit ranked the person (`unit_score`,
models/planning/two_sided.py); the vacancy cost then grows by the largest bonuses, so that a
wish (of either side) never pays for an emptied needed seat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.contract.errors import MutasiError
from models.planning.preferences import preference_bonus
from models.planning.two_sided import unit_bonus

PAIR_COLUMNS: tuple[str, ...] = ("nip", "from_position_id", "position_id", "fit", "risk")


class PlanInputError(MutasiError):
    """Slots, pairs or options that cannot describe a plan."""


class PlanInfeasibleError(MutasiError):
    """Pins or caps that no plan can satisfy."""


# Most NIPs or position ids one pin list may name (a request larger than any real round).
MAX_PINS = 20_000


class PlanOptions(BaseModel):
    """Options of one planning run; stored with the plan so that it can be reproduced."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    risk_weight: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        alias="lambda",
        description="Weight of risk against fit (lambda).",
    )
    max_move_risk: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Pairs with a higher risk are not considered."
    )
    max_total_risk: float | None = Field(
        default=None, ge=0.0, le=1e9, description="Cap on the summed risk of all moves."
    )
    min_unit_share: float = Field(
        default=0.8,
        ge=0.0,
        le=1.0,
        description="No unit ends below this share of its need because of outflow; a unit "
        "already below it loses nobody net.",
    )
    vacancy_cost: float = Field(
        default=5.0,
        ge=0.0,
        le=100.0,
        description="Cost of each move out of a needed (not over-staffed) seat, in fit units.",
    )
    allow_promotion: bool = Field(
        default=False,
        description="Plan promotions (more than one grade up, or into a higher structural tier) "
        "too; off by default, as promotions are filled by selection, not by mutasi.",
    )
    must_move: tuple[str, ...] = Field(
        default=(), max_length=MAX_PINS, description="NIPs that must be moved."
    )
    must_not_move: tuple[str, ...] = Field(
        default=(), max_length=MAX_PINS, description="NIPs that must stay."
    )
    must_fill: tuple[str, ...] = Field(
        default=(),
        max_length=MAX_PINS,
        description="Position ids whose open slots must all be filled.",
    )
    preference_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=100.0,
        description="Bonus, in fit units, for a move to a person's first choice in a "
        "consultation round (a fifth choice earns a fifth of it); 0: answers are not used.",
    )
    unit_preference_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=100.0,
        description="Bonus, in fit units, for a move to a post whose unit ranked the person "
        "first in a consultation round (its last of n earns 1/n of it); 0: unit rankings are "
        "only reported.",
    )
    time_limit: float = Field(
        default=60.0, gt=0.0, le=86_400.0, description="Solver time limit, seconds."
    )
    mip_rel_gap: float = Field(
        default=0.005, ge=0.0, le=1.0, description="Relative optimality gap to stop at."
    )


@dataclass(frozen=True)
class PlanInstance:
    """Codes and arrays of one plan problem; pair arrays are aligned with `pairs`."""

    pairs: pd.DataFrame  # candidate pairs kept, with from_unit_id / unit_id / value
    position_ids: np.ndarray  # position code -> id
    unit_ids: np.ndarray  # unit code -> id
    person: np.ndarray  # per pair: person code
    source: np.ndarray  # per pair: from-position code
    target: np.ndarray  # per pair: to-position code
    source_unit: np.ndarray
    target_unit: np.ndarray
    value: np.ndarray  # fit - risk_weight * risk
    risk: np.ndarray
    open_count: np.ndarray  # per position
    surplus: np.ndarray  # per position: people who can leave without emptying a needed seat
    position_unit: np.ndarray  # per position: unit code
    unit_headcount: np.ndarray
    unit_need: np.ndarray
    unit_room: np.ndarray  # per unit: largest net outflow allowed
    must_move: np.ndarray  # person codes
    must_fill: np.ndarray  # position codes
    n_people: int
    pool_counts: pd.DataFrame  # per target position id: eligible / under_cap / kept pairs


def default_slots(staffing: pd.DataFrame) -> pd.DataFrame:
    """Every shortage is an open slot."""
    short = staffing.loc[staffing["shortage"] > 0, ["position_id", "shortage"]]
    return short.rename(columns={"shortage": "open_count"}).reset_index(drop=True)


def check_slots(slots: pd.DataFrame, known: pd.Index) -> None:
    """PlanInputError naming the first slot row (spreadsheet numbering) that is not usable."""
    missing = {"position_id", "open_count"} - set(slots.columns)
    if missing:
        raise PlanInputError(f"slots: kolom hilang / missing columns: {', '.join(sorted(missing))}")
    unknown = ~slots["position_id"].isin(known)
    counts = pd.to_numeric(slots["open_count"], errors="coerce")
    bad = unknown | counts.isna() | (counts < 0)
    if bad.any():
        problems = [
            f"baris {row + 2}, kolom {column}: {slots[column].iloc[row]!r} / "
            f"row {row + 2}, column {column}: {slots[column].iloc[row]!r}"
            for row in np.flatnonzero(bad.to_numpy())[:20]
            for column in ("position_id", "open_count")
            if (column == "position_id") == bool(unknown.iloc[row])
        ]
        raise PlanInputError(
            f"slots: {int(bad.sum())} baris tidak sah (posisi harus ada, open_count bilangan "
            ">= 0) / invalid rows (position must exist, open_count an integer >= 0): "
            + "; ".join(problems)
        )


def check_pins(options: PlanOptions, known_nips: pd.Index, known_positions: pd.Index) -> None:
    """PlanInputError naming every pinned NIP or position the agency does not have."""
    unknown = {
        what: [i for i in ids if i not in index]
        for what, ids, index in (
            ("must_move", options.must_move, known_nips),
            ("must_not_move", options.must_not_move, known_nips),
            ("must_fill", options.must_fill, known_positions),
        )
    }
    if any(unknown.values()):
        listed = "; ".join(f"{what}: {', '.join(ids)}" for what, ids in unknown.items() if ids)
        raise PlanInputError(
            f"ID tidak dikenal / Unknown ids (NIP atau jabatan / NIP or position): {listed}"
        )


def _unit_arrays(staffing: pd.DataFrame, unit_ids: np.ndarray, share: float) -> tuple:
    codes = pd.Index(unit_ids).get_indexer(staffing["unit_id"])
    headcount = np.bincount(codes, weights=staffing["headcount"], minlength=len(unit_ids))
    need = np.bincount(codes, weights=staffing["need"], minlength=len(unit_ids))
    floor = np.minimum(headcount, np.ceil(share * need - 1e-9))
    return headcount.astype(np.int64), need.astype(np.int64), (headcount - floor).astype(np.int64)


def _filter_pairs(pairs: pd.DataFrame, options: PlanOptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairs a plan may choose, and per target position how many passed each filter."""
    moving = pairs["from_position_id"] != pairs["position_id"]
    eligible = moving & pairs["eligible"].astype(bool) if "eligible" in pairs.columns else moving
    under_cap = eligible.copy()
    if options.max_move_risk is not None:
        under_cap &= pairs["risk"] <= options.max_move_risk
    keep = under_cap.copy()
    if options.must_not_move:
        keep &= ~pairs["nip"].isin(list(options.must_not_move))
    counts = (
        pd.DataFrame({"eligible": eligible, "under_cap": under_cap, "kept": keep})
        .groupby(pairs["position_id"].astype("string").to_numpy())
        .sum()
    )
    columns = [*PAIR_COLUMNS, *(c for c in ("choice_rank", "unit_score") if c in pairs.columns)]
    kept = pairs.loc[keep, columns]
    return kept.drop_duplicates(["nip", "position_id"]).reset_index(drop=True), counts


def _check_pairs(pairs: pd.DataFrame) -> None:
    missing = set(PAIR_COLUMNS) - set(pairs.columns)
    if missing:
        raise PlanInputError(
            f"pasangan kandidat: kolom hilang / candidate pairs: missing columns: "
            f"{', '.join(sorted(missing))}"
        )


def _open_counts(slots: pd.DataFrame, positions: pd.Index) -> np.ndarray:
    open_count = np.zeros(len(positions), dtype=np.int64)
    slot_codes = positions.get_indexer(pd.Index(slots["position_id"].astype("string")))
    np.add.at(open_count, slot_codes, pd.to_numeric(slots["open_count"]).astype(np.int64))
    return open_count


def build_instance(
    pairs: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    slots: pd.DataFrame | None,
    options: PlanOptions,
) -> PlanInstance:
    """Validate the inputs and turn them into integer codes and arrays."""
    _check_pairs(pairs)
    positions = pd.Index(staffing["position_id"].astype("string"))
    slots = default_slots(staffing) if slots is None else slots
    check_slots(slots, positions)
    kept, pool_counts = _filter_pairs(pairs, options)
    known = kept["position_id"].isin(positions) & kept["from_position_id"].isin(positions)
    kept = kept.loc[known].reset_index(drop=True)
    unit_ids = np.asarray(pd.unique(staffing["unit_id"].astype("string")), dtype=object)
    position_unit = pd.Index(unit_ids).get_indexer(staffing["unit_id"])
    source = positions.get_indexer(pd.Index(kept["from_position_id"]))
    target = positions.get_indexer(pd.Index(kept["position_id"]))
    people, person = np.unique(kept["nip"].astype("string").to_numpy(), return_inverse=True)
    open_count = _open_counts(slots, positions)
    headcount, need, room = _unit_arrays(staffing, unit_ids, options.min_unit_share)
    value = (kept["fit"] - options.risk_weight * kept["risk"]).to_numpy(dtype=np.float64)
    value = value + consultation_bonus(kept, options)
    kept = kept.assign(
        from_unit_id=unit_ids[position_unit[source]], unit_id=unit_ids[position_unit[target]]
    ).assign(value=value)
    return PlanInstance(
        pairs=kept,
        position_ids=positions.to_numpy(dtype=object),
        unit_ids=unit_ids,
        person=person.astype(np.int64),
        source=source,
        target=target,
        source_unit=position_unit[source],
        target_unit=position_unit[target],
        value=value,
        risk=kept["risk"].to_numpy(dtype=np.float64),
        open_count=open_count,
        surplus=staffing["surplus"].to_numpy(dtype=np.int64),
        position_unit=position_unit,
        unit_headcount=headcount,
        unit_need=need,
        unit_room=room,
        must_move=_codes_of(people, options.must_move, what="must_move"),
        must_fill=_must_fill_codes(positions, open_count, options.must_fill),
        n_people=len(people),
        pool_counts=pool_counts,
    )


def _codes_of(people: np.ndarray, nips: tuple[str, ...], *, what: str) -> np.ndarray:
    codes = pd.Index(people).get_indexer(pd.Index(list(nips), dtype=object))
    if (codes < 0).any():
        listed = ", ".join(nips[i] for i in np.flatnonzero(codes < 0))
        raise PlanInfeasibleError(
            f"{what}: NIP {listed} tidak punya pasangan kandidat yang layak (eligible, di bawah "
            f"batas risiko, tidak dikunci) / NIP {listed} has no eligible candidate pair "
            "(eligible, under the risk cap, not pinned to stay)"
        )
    return codes.astype(np.int64)


def _must_fill_codes(
    positions: pd.Index, open_count: np.ndarray, ids: tuple[str, ...]
) -> np.ndarray:
    codes = positions.get_indexer(pd.Index(list(ids), dtype="string"))
    for position_id, code in zip(ids, codes, strict=True):
        if code < 0 or open_count[code] == 0:
            raise PlanInfeasibleError(
                f"must_fill: posisi {position_id} tidak punya slot terbuka / position "
                f"{position_id} has no open slot"
            )
    return codes.astype(np.int64)


def vacancies_opened(inst: PlanInstance, chosen: np.ndarray) -> np.ndarray:
    """Per position: departures from needed seats, max(0, out - surplus)."""
    moves_out = np.bincount(inst.source[chosen], minlength=len(inst.position_ids))
    return np.maximum(0, moves_out - inst.surplus)


def empty_seats(inst: PlanInstance, chosen: np.ndarray) -> np.ndarray:
    """Per position: needed seats left empty after the plan, max(0, out - in - surplus)."""
    n_positions = len(inst.position_ids)
    moves_in = np.bincount(inst.target[chosen], minlength=n_positions)
    moves_out = np.bincount(inst.source[chosen], minlength=n_positions)
    return np.maximum(0, moves_out - moves_in - inst.surplus)


def consultation_bonus(pairs: pd.DataFrame, options: PlanOptions) -> np.ndarray:
    """Per pair, what the consultation adds to its value: the person's ranked choice and the
    unit's ranking, each times its weight (zero without answers or with weight 0)."""
    bonus = np.zeros(len(pairs))
    if "choice_rank" in pairs.columns and options.preference_weight > 0:
        bonus += options.preference_weight * preference_bonus(pairs["choice_rank"].to_numpy())
    if "unit_score" in pairs.columns and options.unit_preference_weight > 0:
        bonus += options.unit_preference_weight * unit_bonus(pairs["unit_score"].to_numpy())
    return bonus


def vacancy_cost_of(options: PlanOptions) -> float:
    """The cost of a vacancy opened: `vacancy_cost` plus the largest preference bonuses (the
    person's and the unit's), so that no move's value (fit + bonuses) pays for emptying a needed
    seat it does not refill."""
    return options.vacancy_cost + options.preference_weight + options.unit_preference_weight


def objective_of(inst: PlanInstance, chosen: np.ndarray, options: PlanOptions) -> float:
    """sum(value) - the vacancy cost * vacancies opened, for any plan."""
    value = float(inst.value[chosen].sum())
    return value - vacancy_cost_of(options) * float(vacancies_opened(inst, chosen).sum())
