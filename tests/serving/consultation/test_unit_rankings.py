"""The unit's side of a round on the real small world: a unit head's key sees the people who
chose its posts (with fit, risk and reasons, never their note), ranks only them, is refused
(403, audited) for another unit and for the round-wide routes, and the plan's blocking pairs
equal a brute-force count."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from models.planning.instance import default_slots
from models.planning.staffing import position_balance
from serving.auth import Role
from serving.state import LoadedState
from tests.fixtures.matching import count_blocking_pairs
from tests.serving.consultation.unit_market import NOTE, unit_market
from tests.serving.pages.conftest import sign_in

Headers = dict[Role, dict[str, str]]
MOVE_KEYS = ["nip", "from_position_id", "position_id"]


@pytest.fixture(scope="module")
def market(
    client: TestClient, world_app: FastAPI, world_state: LoadedState, headers: Headers
) -> dict[str, Any]:
    return unit_market(client, world_app, world_state, headers, prefix="unit-api")


def _url(market: dict[str, Any], unit_id: str | None = None) -> str:
    return f"/v1/consultations/{market['round_id']}/units/{unit_id or market['unit_id']}"


def _last_audit(client: TestClient) -> dict[str, Any]:
    return client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]


def test_a_unit_head_sees_who_chose_its_post_with_reasons_but_not_their_note(
    client: TestClient, market: dict[str, Any]
) -> None:
    response = client.get(f"{_url(market)}/candidates", headers=market["head"])
    assert response.status_code == 200, response.text
    (position,) = [p for p in response.json()["positions"] if p["position_id"] == market["post"]]
    assert sorted(c["nip"] for c in position["candidates"]) == sorted(market["people"])
    assert all(c["choice_rank"] == 1 and c["factors"] for c in position["candidates"])
    assert NOTE not in response.text and "wishes" not in response.text
    audit = _last_audit(client)
    assert (audit["route"], audit["key_label"], audit["status"]) == (
        "/v1/consultations/{round_id}/units/{unit_id}/candidates",
        "unit-api-kepala",
        200,
    )
    assert set(market["people"]) <= set(audit["nips"].split(";"))


def test_a_unit_ranks_only_people_who_chose_the_post(
    client: TestClient, market: dict[str, Any], world_state: LoadedState
) -> None:
    url = f"{_url(market)}/rankings/{market['post']}"
    stranger = next(
        str(n) for n in world_state.lookups.employees.index if str(n) not in market["people"]
    )
    refused = client.put(
        url, json={"nips": [market["people"][0], stranger]}, headers=market["head"]
    )
    assert refused.status_code == 422
    assert "did not choose this position (places 2)" in refused.json()["message"]
    ranked = client.put(url, json={"nips": market["people"][::-1]}, headers=market["head"])
    assert ranked.status_code == 200, ranked.text
    again = client.put(url, json={"nips": market["people"][::-1]}, headers=market["head"])
    assert (again.json()["ranking"]["version"], again.json()["ranking"]["ranked_by"]) == (
        ranked.json()["ranking"]["version"] + 1,
        "unit-api-kepala",
    )
    audit = _last_audit(client)
    assert (audit["status"], audit["position_ids"]) == (200, market["post"])


def test_a_unit_key_is_refused_another_units_posts_and_the_round_wide_routes(
    client: TestClient, market: dict[str, Any], world_state: LoadedState
) -> None:
    other = next(
        str(u) for u in world_state.lookups.positions["unit_id"].unique() if u != market["unit_id"]
    )
    refused = [
        client.get(f"{_url(market, other)}/candidates", headers=market["head"]),
        client.put(
            f"{_url(market, other)}/rankings/{market['post']}",
            json={"nips": market["people"][:1]},
            headers=market["head"],
        ),
        client.get(f"/v1/consultations/{market['round_id']}/answers", headers=market["head"]),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
    routes = [(r["route"], r["status"]) for r in client.app.state.audit.rows()[-3:]]  # type: ignore[attr-defined]
    assert routes == [
        ("/v1/consultations/{round_id}/units/{unit_id}/candidates", 403),
        ("/v1/consultations/{round_id}/units/{unit_id}/rankings/{position_id}", 403),
        ("/v1/consultations/{round_id}/answers", 403),
    ]


def test_a_unit_key_opens_nothing_outside_its_units_consultation(
    client: TestClient, market: dict[str, Any], world_state: LoadedState
) -> None:
    """A shortlist shows who asked for a post (the preference factors), so a unit head's key
    is refused every hr route but its unit's rankings and the round list: 403, audited."""
    other_post = next(
        str(p)
        for p, u in world_state.lookups.positions["unit_id"].items()
        if str(u) != market["unit_id"]
    )
    person = market["people"][0]
    refused = {
        "/v1/positions/{position_id}/shortlist": client.get(
            f"/v1/positions/{other_post}/shortlist", headers=market["head"]
        ),
        "/v1/employees/{nip}/training-plan": client.get(
            f"/v1/employees/{person}/training-plan",
            params={"position_id": other_post},
            headers=market["head"],
        ),
    }
    for response in refused.values():
        assert response.status_code == 403, response.text
        assert "unit-scoped key is only for" in response.json()["message"]
    rows = client.app.state.audit.rows()[-2:]  # type: ignore[attr-defined]
    assert [(r["route"], r["status"]) for r in rows] == [(route, 403) for route in refused]
    rounds = client.get("/v1/consultations", headers=market["head"])
    assert rounds.status_code == 200, rounds.text


def test_the_plans_blocking_pairs_equal_a_brute_force_count_and_show_on_the_plan_page(
    client: TestClient,
    headers: Headers,
    keys: dict[Role, str],
    world_app: FastAPI,
    market: dict[str, Any],
    world_state: LoadedState,
) -> None:
    order = market["people"][::-1]
    url = f"{_url(market)}/rankings/{market['post']}"
    assert client.put(url, json={"nips": order}, headers=market["head"]).status_code == 200
    answers = client.get(
        f"/v1/consultations/{market['round_id']}/answers", headers=headers[Role.HR]
    ).json()["respondents"]
    choices = pd.DataFrame(
        [(a["nip"], p, r) for a in answers for r, p in enumerate(a["positions"], 1)],
        columns=["nip", "position_id", "rank"],
    )
    slots = default_slots(position_balance(world_state.data.positions, world_state.data.employees))
    open_count = slots.set_index("position_id")["open_count"]
    for weight in (0.0, 5.0):
        body = {
            "consultation_id": market["round_id"],
            "options": {"unit_preference_weight": weight},
        }
        response = client.post("/v1/plans", json=body, headers=headers[Role.PLANNER])
        assert response.status_code == 200, response.text
        plan = response.json()
        report = {row["unit_id"]: row for row in plan["stable_matching"]}
        expected = count_blocking_pairs(
            pd.DataFrame(plan["moves"], columns=MOVE_KEYS),
            choices,
            {market["post"]: order},
            open_count,
        )
        assert report["all"]["blocking_pairs"] == expected
        assert report[market["unit_id"]]["blocking_pairs"] == expected
        assert report["all"]["ranked_pairs"] == len(order)
    planner = TestClient(world_app, base_url="http://127.0.0.1")
    sign_in(planner, keys[Role.PLANNER])
    page = planner.get(f"/rencana/{plan['plan_id']}")
    planner.close()
    assert "Pasangan pemblokir" in page.text and "Blocking pairs" in page.text
    cells = re.findall(r'<td class="num">(\d+)</td></tr>', page.text)
    assert str(report["all"]["blocking_pairs"]) in cells
