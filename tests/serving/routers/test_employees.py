from __future__ import annotations

from fastapi.testclient import TestClient

from serving.auth import Role
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]


def _nip(state: LoadedState) -> str:
    named = state.lookups.employees["name"].notna()
    return str(state.lookups.employees.index[named.to_numpy()][0])


def test_summary_shows_current_post_and_tenure(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    nip = _nip(world_state)
    body = client.get(f"/v1/employees/{nip}", headers=headers[Role.HR]).json()
    expected = str(world_state.lookups.employees.at[nip, "position_id"])
    assert body["current_position"]["position_id"] == expected and body["years_in_position"] >= 0


def test_summary_lists_latest_ratings_first(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    nip = _nip(world_state)
    ratings = client.get(f"/v1/employees/{nip}", headers=headers[Role.HR]).json()["last_ratings"]
    years = [r["year"] for r in ratings]
    assert len(ratings) <= 3 and years == sorted(years, reverse=True)


def test_hr_sees_the_name(client: TestClient, headers: Headers, world_state: LoadedState) -> None:
    nip = _nip(world_state)
    body = client.get(f"/v1/employees/{nip}", headers=headers[Role.HR]).json()
    assert body["name"] == world_state.lookups.employees.at[nip, "name"]


def test_planner_gets_the_summary_without_the_name(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    response = client.get(f"/v1/employees/{_nip(world_state)}", headers=headers[Role.PLANNER])
    assert response.status_code == 200 and response.json()["name"] is None


def test_data_role_may_not_read_employees(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    response = client.get(f"/v1/employees/{_nip(world_state)}", headers=headers[Role.DATA])
    assert response.status_code == 403


def test_unknown_nip_is_404_naming_it(client: TestClient, headers: Headers) -> None:
    response = client.get("/v1/employees/190001012000011999", headers=headers[Role.HR])
    assert response.status_code == 404 and "190001012000011999" in response.json()["message"]


def test_malformed_nip_is_422(client: TestClient, headers: Headers) -> None:
    response = client.get("/v1/employees/12345", headers=headers[Role.HR])
    assert response.status_code == 422 and "'nip'" in response.json()["message"]


def test_employee_lookup_is_audited(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    nip = _nip(world_state)
    client.get(f"/v1/employees/{nip}", headers=headers[Role.PLANNER])
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (row["route"], row["nips"], row["role"]) == ("/v1/employees/{nip}", nip, "planner")
