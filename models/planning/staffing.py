"""Staffing balance from the workload analysis (ABK): need, headcount, surplus and shortage.

Need of a position is its `required_headcount` (the ABK result the agency exports); where that is
missing and only `workload_hours` are given, need is `ceil(workload_hours / ABK_HOURS_PER_FTE)`.
Current headcount is the number of employees whose `position_id` names the position.

Two ratios are reported per position and per unit:

- `effectiveness_ratio = workload_hours / (need * ABK_HOURS_PER_FTE)`: how well the formation
  (need) matches the workload; below 1 the formation is generous, above 1 it is tight.
- `load_ratio = workload_hours / (headcount * ABK_HOURS_PER_FTE)`: the PermenPANRB 1/2020
  "efektivitas jabatan" of the people actually in post (above 1: overloaded).

Both are NaN where hours are missing or the denominator is zero. Everything is vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import ABK_HOURS_PER_FTE

POSITION_BALANCE_COLUMNS: tuple[str, ...] = (
    "position_id",
    "unit_id",
    "need",
    "headcount",
    "surplus",
    "shortage",
    "workload_hours",
    "effectiveness_ratio",
    "load_ratio",
)
UNIT_BALANCE_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "need",
    "headcount",
    "surplus",
    "shortage",
    "net",
    "workload_hours",
    "effectiveness_ratio",
    "load_ratio",
)


def _workload_hours(positions: pd.DataFrame) -> pd.Series:
    """workload_hours as floats, NaN where missing or unparsable (or the column is absent)."""
    if "workload_hours" not in positions.columns:
        return pd.Series(np.nan, index=positions.index, dtype="float64")
    return pd.to_numeric(positions["workload_hours"], errors="coerce").astype("float64")


def position_need(positions: pd.DataFrame) -> pd.Series:
    """Need per position: required_headcount, else ceil(workload_hours / hours per FTE)."""
    required = pd.to_numeric(positions["required_headcount"], errors="coerce").astype("float64")
    from_hours = (_workload_hours(positions) / ABK_HOURS_PER_FTE).apply(np.ceil)
    need = required.where(required.notna(), from_hours).fillna(0.0)
    return need.astype("int64").rename("need")


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is zero or either side is missing."""
    safe = denominator.where(denominator > 0)
    return (numerator / safe).astype("float64")


def position_balance(positions: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """One row per position: need, headcount, surplus, shortage and the ABK ratios."""
    counts = employees["position_id"].astype("string").value_counts()
    position_ids = positions["position_id"].astype("string")
    headcount = position_ids.map(counts).fillna(0).astype("int64")
    need = position_need(positions)
    hours = _workload_hours(positions)
    balance = pd.DataFrame(
        {
            "position_id": position_ids.to_numpy(),
            "unit_id": positions["unit_id"].astype("string").to_numpy(),
            "need": need.to_numpy(),
            "headcount": headcount.to_numpy(),
            "workload_hours": hours.to_numpy(),
        }
    )
    gap = balance["headcount"] - balance["need"]
    return balance.assign(
        surplus=gap.clip(lower=0).astype("int64"),
        shortage=(-gap).clip(lower=0).astype("int64"),
        effectiveness_ratio=_ratio(balance["workload_hours"], balance["need"] * ABK_HOURS_PER_FTE),
        load_ratio=_ratio(balance["workload_hours"], balance["headcount"] * ABK_HOURS_PER_FTE),
    )[list(POSITION_BALANCE_COLUMNS)]


def unit_balance(positions_balance: pd.DataFrame) -> pd.DataFrame:
    """One row per unit, summed over its positions.

    `surplus` and `shortage` add up the positions' own surpluses and shortages (a unit can have
    both: too many clerks and too few analysts); `net` is headcount minus need. The ratios use
    only the positions whose workload hours are known.
    """
    with_hours = positions_balance["workload_hours"].notna()
    frame = positions_balance.assign(
        need_with_hours=positions_balance["need"].where(with_hours, 0),
        headcount_with_hours=positions_balance["headcount"].where(with_hours, 0),
        hours=positions_balance["workload_hours"].fillna(0.0),
        any_hours=with_hours,
    )
    units = frame.groupby("unit_id", sort=True, observed=True).agg(
        need=("need", "sum"),
        headcount=("headcount", "sum"),
        surplus=("surplus", "sum"),
        shortage=("shortage", "sum"),
        workload_hours=("hours", "sum"),
        any_hours=("any_hours", "any"),
        need_with_hours=("need_with_hours", "sum"),
        headcount_with_hours=("headcount_with_hours", "sum"),
    )
    hours = units["workload_hours"].where(units["any_hours"])
    units = units.assign(
        net=units["headcount"] - units["need"],
        workload_hours=hours,
        effectiveness_ratio=_ratio(hours, units["need_with_hours"] * ABK_HOURS_PER_FTE),
        load_ratio=_ratio(hours, units["headcount_with_hours"] * ABK_HOURS_PER_FTE),
    )
    return units.reset_index()[list(UNIT_BALANCE_COLUMNS)]
