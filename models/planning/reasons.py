"""Why an open slot stayed unfilled: the first rule, in order, that explains it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.planning.instance import PlanInstance, PlanOptions

UNFILLED_REASONS: dict[str, str] = {
    "no_eligible_candidate": "tidak ada kandidat yang memenuhi syarat / no eligible candidate",
    "risk_cap": "semua kandidat di atas batas risiko per mutasi / every candidate is over the "
    "per-move risk cap",
    "pinned": "semua kandidat dikunci tidak pindah / every candidate is pinned to stay",
    "candidates_taken": "semua kandidat sudah ditempatkan di posisi lain / every candidate is "
    "placed elsewhere",
    "outflow_limit": "unit asal kandidat tersisa sudah di batas keluar / the remaining "
    "candidates' units are at their outflow limit",
    "total_risk_cap": "batas total risiko tercapai / the total risk cap is reached",
    "not_worth_it": "kandidat tersisa akan mengosongkan jabatan yang dibutuhkan atau bernilai "
    "negatif / the remaining candidates would empty a needed seat or add negative value",
}
UNFILLED_COLUMNS: tuple[str, ...] = (
    "position_id",
    "unit_id",
    "open_count",
    "filled",
    "unfilled",
    "reason",
    "reason_text",
)


def _remaining(inst: PlanInstance, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per position: candidates not moved, and those among them whose unit may still lose one."""
    n_positions = len(inst.position_ids)
    moved = np.zeros(inst.n_people, dtype=bool)
    moved[inst.person[chosen]] = True
    remaining = ~moved[inst.person]
    unit_out = np.bincount(inst.source_unit[chosen], minlength=len(inst.unit_ids))
    unit_in = np.bincount(inst.target_unit[chosen], minlength=len(inst.unit_ids))
    at_limit = (unit_out - unit_in) >= inst.unit_room
    blocked = at_limit[inst.source_unit] & (inst.source_unit != inst.target_unit)
    free = remaining & ~blocked
    return (
        np.bincount(inst.target[remaining], minlength=n_positions),
        np.bincount(inst.target[free], minlength=n_positions),
    )


def unfilled_reasons(
    inst: PlanInstance, chosen: np.ndarray, options: PlanOptions, *, net: np.ndarray
) -> pd.DataFrame:
    """One row per position with open slots left: how many, and why."""
    filled = np.minimum(np.maximum(net, 0), inst.open_count)
    left = inst.open_count - filled
    rows = np.flatnonzero(left > 0)
    ids = inst.position_ids[rows]
    counts = inst.pool_counts.reindex(ids).fillna(0)
    remaining, free = _remaining(inst, chosen)
    risk_used = float(inst.risk[chosen].sum())
    cap = np.inf if options.max_total_risk is None else options.max_total_risk
    cheapest = np.full(len(inst.position_ids), np.inf)
    np.minimum.at(cheapest, inst.target, inst.risk)
    conditions = [
        counts["eligible"].to_numpy() == 0,
        counts["under_cap"].to_numpy() == 0,
        counts["kept"].to_numpy() == 0,
        remaining[rows] == 0,
        free[rows] == 0,
        risk_used + cheapest[rows] > cap,
    ]
    codes = list(UNFILLED_REASONS)
    reason = np.select(conditions, codes[:-1], default=codes[-1])
    return pd.DataFrame(
        {
            "position_id": ids,
            "unit_id": inst.unit_ids[inst.position_unit[rows]],
            "open_count": inst.open_count[rows],
            "filled": filled[rows],
            "unfilled": left[rows],
            "reason": reason,
            "reason_text": [UNFILLED_REASONS[code] for code in reason],
        },
        columns=list(UNFILLED_COLUMNS),
    )
