"""POST /v1/decisions on the real small world: hr and planner record, overrides need reasons."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from serving.auth import Role
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]


def _body(state: LoadedState, position_id: str, **changes: Any) -> dict[str, Any]:
    nip = str(state.lookups.employees.index[0])
    shown = {
        "model_version": state.model_version,
        "snapshot_id": state.snapshot_id,
        "fit": 4.1,
        "risk": 0.2,
        "reasons": ["naik 1 kelas jabatan: menaikkan perkiraan kinerja 0,1 poin / ..."],
        "fairness_flags": [],
    }
    return {
        "source": "shortlist",
        "nip": nip,
        "position_id": position_id,
        "decision": "adopted",
        "shown": shown,
        **changes,
    }


def _decisions(client: TestClient) -> list[dict[str, Any]]:
    return client.app.state.decisions.rows()  # type: ignore[attr-defined,no-any-return]


def test_hr_and_planner_record_decisions(
    client: TestClient, headers: Headers, world_state: LoadedState, vacant_position: str
) -> None:
    before = len(_decisions(client))
    for role in (Role.HR, Role.PLANNER):
        response = client.post(
            "/v1/decisions", json=_body(world_state, vacant_position), headers=headers[role]
        )
        assert response.status_code == 201, response.text
    rows = _decisions(client)[before:]
    assert [r["role"] for r in rows] == ["hr", "planner"]
    assert rows[0]["model_version"] == world_state.model_version


def test_an_override_without_a_reason_is_refused_and_not_recorded(
    client: TestClient, headers: Headers, world_state: LoadedState, vacant_position: str
) -> None:
    before = len(_decisions(client))
    body = _body(world_state, vacant_position, decision="rejected", reason=" ")
    response = client.post("/v1/decisions", json=body, headers=headers[Role.HR])
    assert response.status_code == 422 and "reason" in response.json()["message"]
    assert len(_decisions(client)) == before


def test_a_changed_decision_records_the_post_chosen_and_why(
    client: TestClient, headers: Headers, world_state: LoadedState, vacant_position: str
) -> None:
    other = str(world_state.lookups.positions.index[1])
    reason = "Kepala dinas memilih jabatan lain yang lebih dekat dengan domisili"
    body = _body(
        world_state, vacant_position, decision="changed", chosen_position_id=other, reason=reason
    )
    response = client.post("/v1/decisions", json=body, headers=headers[Role.PLANNER])
    assert response.status_code == 201, response.text
    row = _decisions(client)[-1]
    assert (row["decision"], row["chosen_position_id"], row["reason"]) == ("changed", other, reason)


def test_decisions_need_the_hr_or_planner_role(
    client: TestClient, headers: Headers, world_state: LoadedState, vacant_position: str
) -> None:
    body = _body(world_state, vacant_position)
    assert client.post("/v1/decisions", json=body, headers=headers[Role.DATA]).status_code == 403


def test_unknown_nip_and_position_are_named_together(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    body = _body(world_state, "GHOST", nip="190001012000011999")
    response = client.post("/v1/decisions", json=body, headers=headers[Role.HR])
    message = response.json()["message"]
    assert response.status_code == 404 and "GHOST" in message and "190001012000011999" in message
