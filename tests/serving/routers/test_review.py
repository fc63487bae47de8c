"""GET /v1/review: the post-move review for planners and data teams, audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from serving.auth import Role
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("role", [Role.PLANNER, Role.DATA])
def test_planners_and_data_teams_get_every_move_with_its_flag(
    client: TestClient, headers: Headers, world_state: LoadedState, role: Role
) -> None:
    response = client.get("/v1/review?since=2024-01-01", headers=headers[role])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == world_state.model_version
    assert body["since"] == "2024-01-01"
    assert sum(body["flags"].values()) == len(body["moves"]) > 0
    assert body["verdict"] in {"latih ulang / retrain", "belum perlu / not needed"}
    first = body["programme"][0]
    assert first["question"] == "moved"
    assert (first["effect"] is None) == (first["n"] < 30)


def test_hr_officers_may_not_read_the_review(client: TestClient, headers: Headers) -> None:
    assert client.get("/v1/review", headers=headers[Role.HR]).status_code == 403


def test_a_backwards_window_is_a_422_in_both_languages(
    client: TestClient, headers: Headers
) -> None:
    response = client.get(
        "/v1/review?since=2025-01-01&until=2024-01-01", headers=headers[Role.PLANNER]
    )
    assert response.status_code == 422
    assert "sebelum tanggal awal" in response.json()["message"]
    assert "is before --since" in response.json()["message"]


def test_a_window_without_moves_is_a_422(client: TestClient, headers: Headers) -> None:
    response = client.get(
        "/v1/review?since=2030-01-01&until=2030-12-31", headers=headers[Role.DATA]
    )
    assert response.status_code == 422
    assert "no transfers decreed" in response.json()["message"]


def test_the_review_is_audited_with_the_nips_it_returned(
    client: TestClient, headers: Headers
) -> None:
    body = client.get("/v1/review?since=2025-01-01", headers=headers[Role.DATA]).json()
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (row["route"], row["role"]) == ("/v1/review", "data")
    assert set(row["nips"].split(";")) == {m["nip"] for m in body["moves"]}


def test_a_date_out_of_range_is_a_422(client: TestClient, headers: Headers) -> None:
    response = client.get("/v1/review?until=0001-01-01", headers=headers[Role.DATA])
    assert response.status_code == 422
    assert "outside 1900-2200" in response.json()["message"]


def test_a_second_look_is_the_same_review_and_a_new_decision_makes_a_new_one(
    client: TestClient, headers: Headers, world_state: LoadedState, vacant_position: str
) -> None:
    from serving.routers import review
    from tests.serving.routers.test_decisions import _body

    first = client.get("/v1/review?since=2024-01-01", headers=headers[Role.DATA]).json()
    kept = dict(review._REVIEWS)
    again = client.get("/v1/review?since=2024-01-01", headers=headers[Role.DATA]).json()
    assert again == first and dict(review._REVIEWS) == kept  # served from the kept review
    decided = client.post(
        "/v1/decisions", json=_body(world_state, vacant_position), headers=headers[Role.HR]
    )
    assert decided.status_code == 201, decided.text
    client.get("/v1/review?since=2024-01-01", headers=headers[Role.DATA])
    assert len(set(review._REVIEWS) - set(kept)) == 1  # the decision record changed the key
