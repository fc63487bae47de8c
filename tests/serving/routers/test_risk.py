from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from models.scoring.compose import score_pairs
from serving.auth import Role
from serving.routers.risk import _initiated_by_employee
from serving.schemas.risk import RiskResponse
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]


@pytest.fixture(scope="module")
def pairs(world_state: LoadedState) -> list[dict[str, str]]:
    nips = world_state.lookups.employees.index[:40].tolist()
    positions = world_state.lookups.positions.index.tolist()
    return [{"nip": n, "position_id": positions[i % len(positions)]} for i, n in enumerate(nips)]


def _risk(client: TestClient, headers: Headers, pairs: list[Any]) -> Any:
    return client.post("/v1/risk", json={"pairs": pairs}, headers=headers[Role.PLANNER])


def test_risk_answers_every_pair_in_order(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    results = _risk(client, headers, pairs).json()["results"]
    assert [(r["nip"], r["position_id"]) for r in results] == [
        (p["nip"], p["position_id"]) for p in pairs
    ]


def _batch(state: LoadedState, pairs: list[dict[str, str]], **options: Any) -> pd.DataFrame:
    """The scoring core on the same pairs (what `mutasi score` writes)."""
    nips, positions = [p["nip"] for p in pairs], [p["position_id"] for p in pairs]
    return score_pairs(
        state.context, state.bundle.scorer, nips, positions, policy=state.policy, **options
    )


def test_risk_matches_batch_scoring(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]], served_state: LoadedState
) -> None:
    results = _risk(client, headers, pairs).json()["results"]
    batch = _batch(served_state, pairs)
    assert [r["fit"] for r in results] == pytest.approx(batch["fit"].tolist(), abs=5e-3)
    assert [r["risk"] for r in results] == pytest.approx(batch["risk"].tolist(), abs=5e-4)
    assert [r["eligible"] for r in results] == batch["eligible"].tolist()


def test_risk_is_for_agency_moves_unless_a_pair_says_employee(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]], served_state: LoadedState
) -> None:
    """Served risk is for agency-initiated moves; a pair marked initiated_by=employee gets the
    model's risk for a move at the person's own request, the same as batch scoring gives."""
    mixed = [
        {**p, "initiated_by": "employee"} if i % 2 else {**p, "initiated_by": "agency"}
        for i, p in enumerate(pairs)
    ]
    default = _risk(client, headers, pairs).json()["results"]
    results = _risk(client, headers, mixed).json()["results"]
    employee = [i % 2 for i in range(len(pairs))]
    batch = _batch(served_state, pairs, initiated_by_employee=np.array(employee, dtype=float))
    assert [r["risk"] for r in results] == pytest.approx(batch["risk"].tolist(), abs=5e-4)
    agency = [r["risk"] for r, e in zip(default, employee, strict=True) if not e]
    assert agency == [r["risk"] for r, e in zip(results, employee, strict=True) if not e]
    # what reaches the features (whether the risk moves depends on the agency's history)
    assert _initiated_by_employee(mixed).tolist() == employee  # type: ignore[arg-type,union-attr]
    assert _initiated_by_employee(pairs) is None  # type: ignore[arg-type]


def test_unknown_initiator_is_422(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    response = _risk(client, headers, [{**pairs[0], "initiated_by": "atasan"}])
    assert response.status_code == 422
    assert "initiated_by" in response.text


def test_risk_response_follows_its_schema(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    body = _risk(client, headers, pairs).json()
    checked = RiskResponse.model_validate(body)  # the route assembles it without a check
    assert checked.model_dump(mode="json") == body


def test_ineligible_pairs_carry_their_reasons(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    results = _risk(client, headers, pairs).json()["results"]
    assert all(bool(r["ineligible_reasons"]) != r["eligible"] for r in results)


def test_risk_of_a_person_into_their_own_post_is_flagged(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    nip = str(world_state.lookups.employees.index[0])
    own = str(world_state.lookups.employees.at[nip, "position_id"])
    (result,) = _risk(client, headers, [{"nip": nip, "position_id": own}]).json()["results"]
    assert "already_in_position" in [r["code"] for r in result["ineligible_reasons"]]


def test_unknown_nip_is_404_naming_it(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    ghost = {"nip": "190001012000011999", "position_id": pairs[0]["position_id"]}
    response = _risk(client, headers, [*pairs[:3], ghost])
    assert response.status_code == 404 and "190001012000011999" in response.json()["message"]


def test_unknown_position_is_404_naming_it(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    response = _risk(client, headers, [{"nip": pairs[0]["nip"], "position_id": "GHOST"}])
    assert response.status_code == 404 and "GHOST" in response.json()["message"]


def test_unknown_nip_and_unknown_position_are_named_in_one_answer(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    ghost = {"nip": "190001012000011999", "position_id": "GHOST"}
    response = _risk(client, headers, [*pairs[:2], ghost])
    message = response.json()["message"]
    assert response.status_code == 404
    assert "190001012000011999" in message and "GHOST" in message


def test_results_carry_the_title_unit_and_risk_in_words(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    (result,) = _risk(client, headers, pairs[:1]).json()["results"]
    assert result["position_title"] != "-" and result["unit_name"] != "-"
    assert abs(result["risk_percent"] - 100 * result["risk"]) <= 0.51
    assert result["risk_band"] in ("rendah", "sedang", "tinggi")


def test_malformed_nip_is_422_naming_the_pair(client: TestClient, headers: Headers) -> None:
    response = _risk(client, headers, [{"nip": "12345", "position_id": "P1"}])
    assert response.status_code == 422 and "pairs[0].nip" in response.json()["message"]


def test_more_than_ten_thousand_pairs_is_422(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    response = _risk(client, headers, [pairs[0]] * 10_001)
    assert response.status_code == 422 and "max_length=10000" in response.json()["message"]


def test_empty_pair_list_is_422(client: TestClient, headers: Headers) -> None:
    assert _risk(client, headers, []).status_code == 422


def test_malformed_json_is_422(client: TestClient, headers: Headers) -> None:
    response = client.post(
        "/v1/risk",
        content=b"{not json",
        headers={**headers[Role.PLANNER], "content-type": "application/json"},
    )
    assert response.status_code == 422


def test_risk_is_audited_with_every_nip_asked(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    _risk(client, headers, pairs)
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (row["route"], row["role"]) == ("/v1/risk", "planner")
    assert set(row["nips"].split(";")) == {p["nip"] for p in pairs}
