"""No plan moves anyone into a post whose accepted majors exclude them, or into a promotion.

Hypothesis draws rounds (open slots, counts, risk weight) on the session's trained demo world;
each stored plan is checked against the tables themselves, not against the policy code that
built it: the position's accepted majors, the grade step and the job type's tier.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.contract.tables import AgencyData
from models.features.catalog import JOB_TIER, normalise_field
from models.planning.instance import PlanOptions
from models.planning.staffing import position_balance
from pipelines.planning import make_plan
from pipelines.snapshots import load_snapshot
from tests.fixtures.world import World

pytestmark = pytest.mark.integration


def _accepted(positions: pd.DataFrame) -> dict[str, set[str]]:
    fields = positions.set_index("position_id")["education_fields"].fillna("")
    return {
        str(pid): set(normalise_field(pd.Series([f for f in str(raw).split(";") if f.strip()])))
        for pid, raw in fields.items()
    }


def _breaches(moves: pd.DataFrame, data: AgencyData) -> list[str]:
    positions = data.positions.drop_duplicates("position_id").set_index("position_id")
    employees = data.employees.set_index("nip")
    accepted = _accepted(positions.reset_index())
    majors = normalise_field(employees["education_field"].astype("string")).fillna("")
    grade, tier = positions["grade"], positions["job_type"].map(JOB_TIER)
    found = []
    for move in moves.itertuples():
        to, origin = str(move.position_id), str(move.from_position_id)
        allowed = accepted.get(to, set())
        if allowed and majors.get(str(move.nip), "") not in allowed:
            found.append(f"major: {move.nip} -> {to}")
        step_up = grade[to] - grade[origin] > 1
        higher_tier = tier[to] >= 1 and tier[origin] < tier[to]
        if step_up or higher_tier:
            found.append(f"promotion: {origin} -> {to}")
    return found


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_plan_moves_anyone_into_an_excluded_major_or_a_promotion(
    world: World, data: st.DataObject
) -> None:
    snapshot = load_snapshot(settings=world.settings).data
    balance = position_balance(snapshot.positions, snapshot.employees)
    short = sorted(balance.loc[balance["shortage"] > 0, "position_id"].astype(str))
    chosen = data.draw(st.lists(st.sampled_from(short), min_size=1, max_size=12, unique=True))
    counts = data.draw(st.lists(st.integers(1, 3), min_size=len(chosen), max_size=len(chosen)))
    risk_weight = data.draw(st.sampled_from([0.0, 1.0, 4.0]))
    with tempfile.TemporaryDirectory() as folder:
        slots = Path(folder) / "slots.csv"
        pd.DataFrame({"position_id": chosen, "open_count": counts}).to_csv(slots, index=False)
        stored = make_plan(
            world.settings,
            slots_path=slots,
            options=PlanOptions.model_validate({"time_limit": 30, "lambda": risk_weight}),
        )
    assert _breaches(stored.frames["moves"], snapshot) == []
