"""GET /v1/fairness: the champion's fairness report, aggregates only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from serving.auth import Role
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]


def test_fairness_reports_the_champion_by_gender_and_age_band(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    response = client.get("/v1/fairness", headers=headers[Role.DATA])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == world_state.model_version
    assert {g["attribute"] for g in body["groups"]} == {"gender", "age_band"}
    flagged = [g for g in body["groups"] if g["flagged"]]
    assert all(g["impact_ratio"] < 0.8 and g["pool"] >= 5 for g in flagged)
    assert "nip" not in response.text.lower()


def test_fairness_needs_a_key(client: TestClient) -> None:
    assert client.get("/v1/fairness").status_code == 401
