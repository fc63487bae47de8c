from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.planning.staffing import position_balance, position_need, unit_balance


def _positions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "position_id": pd.array(["P1", "P2", "P3", "P4"], dtype="string"),
            "unit_id": pd.array(["U1", "U1", "U2", "U2"], dtype="string"),
            "required_headcount": pd.array([3, 1, None, 2], dtype="Int64"),
            "workload_hours": [3750.0, np.nan, 3000.0, 2000.0],
        }
    )


def _employees() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nip": pd.array([f"N{i}" for i in range(6)], dtype="string"),
            "position_id": pd.array(["P1", "P2", "P2", "P2", "P4", "GONE"], dtype="string"),
        }
    )


def test_need_uses_required_headcount_when_given():
    need = position_need(_positions())
    assert need.tolist()[:2] == [3, 1]


def test_need_rounds_workload_hours_up_when_only_hours_are_given():
    need = position_need(_positions())
    assert need.iloc[2] == math.ceil(3000.0 / 1250.0)


def test_headcount_counts_employees_naming_the_position():
    balance = position_balance(_positions(), _employees()).set_index("position_id")
    assert balance["headcount"].to_dict() == {"P1": 1, "P2": 3, "P3": 0, "P4": 1}


def test_surplus_and_shortage_are_the_two_sides_of_the_gap():
    balance = position_balance(_positions(), _employees()).set_index("position_id")
    assert balance["surplus"].to_dict() == {"P1": 0, "P2": 2, "P3": 0, "P4": 0}
    assert balance["shortage"].to_dict() == {"P1": 2, "P2": 0, "P3": 3, "P4": 1}


def test_effectiveness_ratio_is_hours_over_need_times_1250():
    balance = position_balance(_positions(), _employees()).set_index("position_id")
    assert balance.loc["P1", "effectiveness_ratio"] == pytest.approx(1.0)
    assert balance.loc["P4", "effectiveness_ratio"] == pytest.approx(2000.0 / 2500.0)
    assert np.isnan(balance.loc["P2", "effectiveness_ratio"])


def test_load_ratio_is_nan_for_an_empty_position():
    balance = position_balance(_positions(), _employees()).set_index("position_id")
    assert np.isnan(balance.loc["P3", "load_ratio"])
    assert balance.loc["P1", "load_ratio"] == pytest.approx(3.0)


def test_position_balance_leaves_its_inputs_unchanged():
    positions, employees = _positions(), _employees()
    before = (positions.copy(), employees.copy())
    position_balance(positions, employees)
    pd.testing.assert_frame_equal(positions, before[0])
    pd.testing.assert_frame_equal(employees, before[1])


def test_unit_balance_sums_positions_and_keeps_both_surplus_and_shortage():
    units = unit_balance(position_balance(_positions(), _employees())).set_index("unit_id")
    assert units.loc["U1", ["need", "headcount", "surplus", "shortage", "net"]].tolist() == [
        4,
        4,
        2,
        2,
        0,
    ]
    assert units.loc["U2", "net"] == 1 - 5


def test_unit_effectiveness_ratio_uses_only_positions_with_hours():
    units = unit_balance(position_balance(_positions(), _employees())).set_index("unit_id")
    assert units.loc["U1", "effectiveness_ratio"] == pytest.approx(3750.0 / (3 * 1250.0))
    assert units.loc["U2", "effectiveness_ratio"] == pytest.approx(5000.0 / (5 * 1250.0))
