"""Plans, staffing and training-plan routes on the real small world (trained @champion)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from models.planning.instance import MAX_PINS
from models.planning.staffing import position_balance, unit_balance
from models.scoring.policy import PolicyConfig
from serving.auth import Role
from serving.schemas.plans import MAX_PLAN_SLOTS
from serving.state import LoadedState
from serving.training import suggest_training

Headers = dict[Role, dict[str, str]]


@pytest.fixture(scope="module")
def posted_plan(client: TestClient, headers: Headers) -> dict[str, Any]:
    body = {"options": {"lambda": 1.0, "time_limit": 30}, "top_m": 10}
    response = client.post("/v1/plans", json=body, headers=headers[Role.PLANNER])
    assert response.status_code == 200, response.text
    return response.json()


def test_staffing_by_unit_matches_the_balance_of_the_snapshot(
    client: TestClient, headers: Headers, world_state: LoadedState
):
    response = client.get("/v1/staffing", headers=headers[Role.PLANNER])
    expected = unit_balance(
        position_balance(world_state.data.positions, world_state.data.employees)
    )
    rows = response.json()["rows"]
    assert [r["unit_id"] for r in rows] == expected["unit_id"].tolist()
    assert sum(r["shortage"] for r in rows) == int(expected["shortage"].sum())


def test_staffing_by_position_names_positions(client: TestClient, headers: Headers):
    response = client.get("/v1/staffing?by=position", headers=headers[Role.PLANNER])
    assert all(r["position_id"] for r in response.json()["rows"])


def test_staffing_for_an_unknown_unit_is_a_404_naming_it(client: TestClient, headers: Headers):
    response = client.get("/v1/staffing?unit_id=NOPE", headers=headers[Role.PLANNER])
    assert response.status_code == 404 and "NOPE" in response.json()["message"]


def test_staffing_needs_the_planner_role(client: TestClient, headers: Headers):
    assert client.get("/v1/staffing", headers=headers[Role.HR]).status_code == 403
    assert client.get("/v1/staffing").status_code == 401


def test_posted_plan_moves_each_person_at_most_once(posted_plan: dict[str, Any]):
    nips = [m["nip"] for m in posted_plan["moves"]]
    assert posted_plan["method"] == "milp"
    assert len(nips) == len(set(nips)) > 0


def test_posted_plan_never_moves_anyone_into_their_own_position(posted_plan: dict[str, Any]):
    assert all(m["from_position_id"] != m["position_id"] for m in posted_plan["moves"])


def test_posted_plan_unit_headcounts_add_up_the_moves(posted_plan: dict[str, Any]):
    net = {u["unit_id"]: u["headcount_after"] - u["headcount_before"] for u in posted_plan["units"]}
    for move in posted_plan["moves"]:
        net[move["unit_id"]] -= 1
        net[move["from_unit_id"]] += 1
    assert set(net.values()) == {0}


def test_posted_plan_chains_link_each_step_to_the_seat_the_step_before_left(
    posted_plan: dict[str, Any],
):
    by_chain: dict[int, list[str]] = {}
    for move in sorted(posted_plan["moves"], key=lambda m: (m["chain_id"], m["chain_step"])):
        by_chain.setdefault(move["chain_id"], []).append(move["nip"])
    longer = {k: v for k, v in by_chain.items() if len(v) > 1}
    assert {c["chain_id"]: [s["nip"] for s in c["steps"]] for c in posted_plan["chains"]} == longer
    for chain in posted_plan["chains"]:
        for before, after in itertools.pairwise(chain["steps"]):
            assert after["position_id"] == before["from_position_id"]


def test_stored_plan_reads_back_as_posted(
    client: TestClient, headers: Headers, posted_plan: dict[str, Any]
):
    response = client.get(f"/v1/plans/{posted_plan['plan_id']}", headers=headers[Role.PLANNER])
    assert response.status_code == 200
    assert response.json()["moves"] == posted_plan["moves"]
    assert response.json()["chains"] == posted_plan["chains"]


def test_unknown_plan_is_a_404(client: TestClient, headers: Headers):
    response = client.get("/v1/plans/20250101T000000Z-deadbeef", headers=headers[Role.PLANNER])
    assert response.status_code == 404


def test_slots_naming_unknown_positions_are_a_422_with_their_json_paths(
    client: TestClient, headers: Headers, vacant_position: str
):
    slots = [
        {"position_id": "NOPE", "open_count": 1},
        {"position_id": vacant_position, "open_count": 1},
        {"position_id": "GONE", "open_count": 1},
    ]
    body = {"slots": slots, "options": {"time_limit": 5}}
    response = client.post("/v1/plans", json=body, headers=headers[Role.PLANNER])
    message = response.json()["message"]
    assert response.status_code == 422
    assert "slots[0].position_id: NOPE" in message and "slots[2].position_id: GONE" in message
    assert "row" not in message and "baris" not in message


def test_an_unknown_nip_in_must_move_is_a_422_saying_it_is_unknown(
    client: TestClient, headers: Headers
):
    body = {"options": {"must_move": ["199001012015011999"], "time_limit": 5}, "top_m": 5}
    response = client.post("/v1/plans", json=body, headers=headers[Role.PLANNER])
    message = response.json()["message"]
    assert response.status_code == 422 and "199001012015011999" in message
    assert "Unknown ids" in message and "candidate pair" not in message


def test_a_position_listed_twice_in_slots_is_a_422_naming_it(
    client: TestClient, headers: Headers, vacant_position: str
):
    slots = [{"position_id": vacant_position, "open_count": 1}] * 2
    response = client.post("/v1/plans", json={"slots": slots}, headers=headers[Role.PLANNER])
    assert response.status_code == 422 and vacant_position in response.json()["message"]


def test_more_slots_than_the_limit_are_a_422_before_any_solving(
    client: TestClient, headers: Headers
):
    slots = [{"position_id": f"P{i}", "open_count": 1} for i in range(MAX_PLAN_SLOTS + 1)]
    response = client.post("/v1/plans", json={"slots": slots}, headers=headers[Role.PLANNER])
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_more_pins_than_the_limit_are_a_422(client: TestClient, headers: Headers):
    options = {"must_not_move": ["198501152010012001"] * (MAX_PINS + 1)}
    response = client.post("/v1/plans", json={"options": options}, headers=headers[Role.PLANNER])
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_plans_need_the_planner_role(client: TestClient, headers: Headers):
    assert client.post("/v1/plans", json={}, headers=headers[Role.HR]).status_code == 403


def test_training_plan_reports_fit_after_at_least_fit_before(
    client: TestClient, headers: Headers, world_state: LoadedState, vacant_position: str
):
    nip = str(world_state.data.employees["nip"].iloc[0])
    url = f"/v1/employees/{nip}/training-plan?position_id={vacant_position}"
    body = client.get(url, headers=headers[Role.HR]).json()
    assert body["fit_after"] >= body["fit_before"]
    assert all(" / " in t["text"] and "JP" in t["text"] for t in body["trainings"])
    assert all(t["effect"] >= 0 for t in body["trainings"])


def test_training_plan_for_an_unknown_nip_is_a_404(
    client: TestClient, headers: Headers, vacant_position: str
):
    url = f"/v1/employees/199001012015011999/training-plan?position_id={vacant_position}"
    assert client.get(url, headers=headers[Role.HR]).status_code == 404


def test_training_plan_for_a_malformed_nip_is_a_422(client: TestClient, headers: Headers):
    url = "/v1/employees/12345/training-plan?position_id=X"
    assert client.get(url, headers=headers[Role.HR]).status_code == 422


def test_training_plan_needs_the_hr_role(client: TestClient, headers: Headers):
    url = "/v1/employees/199001012015011999/training-plan?position_id=X"
    assert client.get(url, headers=headers[Role.PLANNER]).status_code == 403


def test_shortlist_hook_suggests_the_same_trainings_as_the_route(
    client: TestClient, headers: Headers, served_state: LoadedState, vacant_position: str
):
    """The shortlist's batch of k candidates agrees with the route asked one by one."""
    nips = [str(n) for n in served_state.data.employees["nip"].iloc[:5]]
    batch = suggest_training(served_state, nips, vacant_position)
    compared = 0
    for nip in nips:
        url = f"/v1/employees/{nip}/training-plan?position_id={vacant_position}"
        route = client.get(url, headers=headers[Role.HR]).json()
        assert [s.training_id for s in batch[nip]] == [t["training_id"] for t in route["trainings"]]
        for suggestion in batch[nip]:
            assert suggestion.expected_fit == pytest.approx(route["fit_after"], abs=1e-4)
        compared += len(batch[nip])
    assert compared > 0


def test_posted_plan_moves_nobody_into_a_major_it_excludes_or_a_promotion(
    posted_plan: dict[str, Any], world_state: LoadedState
):
    from models.scoring.policy import check_eligibility

    moves = posted_plan["moves"]
    nips = np.array([m["nip"] for m in moves], dtype=object)
    positions = np.array([m["position_id"] for m in moves], dtype=object)
    checked = check_eligibility(world_state.context, nips, positions, config=PolicyConfig())
    assert moves and checked["eligible"].all(), checked["ineligible_reasons"].unique()


def test_posted_plan_rows_carry_titles_unit_names_and_risk_in_words(posted_plan: dict[str, Any]):
    for move in posted_plan["moves"]:
        assert move["position_title"] != "-" and move["from_position_title"] != "-"
        assert move["unit_name"] != "-" and move["from_unit_name"] != "-"
        assert move["risk_band"] in ("rendah", "sedang", "tinggi")
        assert abs(move["risk_percent"] - 100 * move["risk"]) <= 0.51
        assert (
            len(move["training_names"].split("; ")) == len(move["training"]) or not move["training"]
        )
        assert "expected performance" in move["reasons"]


def test_every_plan_carries_its_fairness_audit(posted_plan: dict[str, Any]):
    groups = posted_plan["fairness"]["groups"]
    moved = len({m["nip"] for m in posted_plan["moves"]})
    for attribute in ("gender", "age_band"):
        assert sum(g["selected"] for g in groups if g["attribute"] == attribute) == moved
    assert all(g["impact_ratio"] < 0.8 and g["pool"] >= 5 for g in groups if g["flagged"])
