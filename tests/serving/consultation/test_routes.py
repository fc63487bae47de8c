"""The consultation API on the real small world: HR opens and closes rounds and reads who
answered; an employee's key sees only its own eligible offers and answer, and is refused
(403, audited) everywhere else."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.auth import Role
from serving.consultation.service import eligible_positions
from tests.serving.consultation.conftest import open_round

Headers = dict[Role, dict[str, str]]
NOTE = "Merawat orang tua di Kediri"


def _mine(client: TestClient, pegawai: dict[str, str], round_id: str) -> dict[str, Any]:
    response = client.get("/v1/me/consultations", headers=pegawai)
    assert response.status_code == 200, response.text
    (found,) = [r for r in response.json()["rounds"] if r["round"]["id"] == round_id]
    return found


def _answer(client, pegawai, round_id: str, positions: list[str]):
    body = {"consent": True, "positions": positions, "wishes": [], "note": NOTE}
    return client.put(f"/v1/me/consultations/{round_id}", json=body, headers=pegawai)


def test_an_employee_sees_only_the_offers_they_are_eligible_for(
    client: TestClient, headers: Headers, pegawai: dict[str, str], employee: str, world_state
) -> None:
    consultation = open_round(client, headers)
    offers = [o["position_id"] for o in _mine(client, pegawai, consultation["id"])["offers"]]
    assert offers == eligible_positions(world_state, employee, consultation["positions"])
    assert set(offers) < set(consultation["positions"])


def test_an_employee_ranks_three_changes_one_and_cannot_answer_after_close(
    client: TestClient, headers: Headers, pegawai: dict[str, str], employee: str
) -> None:
    round_id = open_round(client, headers)["id"]
    offers = [o["position_id"] for o in _mine(client, pegawai, round_id)["offers"]]
    assert _answer(client, pegawai, round_id, offers[:3]).json()["version"] == 1
    changed = _answer(client, pegawai, round_id, [offers[3], *offers[1:3]]).json()
    assert (changed["positions"], changed["version"]) == ([offers[3], *offers[1:3]], 2)
    sent = client.get(f"/v1/me/consultations/{round_id}", headers=pegawai).json()
    assert (sent["nip"], sent["note"]) == (employee, NOTE)
    client.post(f"/v1/consultations/{round_id}/close", headers=headers[Role.HR])
    assert _answer(client, pegawai, round_id, offers[:1]).status_code == 409


def test_a_position_the_employee_is_not_eligible_for_is_refused(
    client: TestClient, headers: Headers, pegawai: dict[str, str], employee, world_state
) -> None:
    consultation = open_round(client, headers)
    allowed = set(eligible_positions(world_state, employee, consultation["positions"]))
    other = next(p for p in consultation["positions"] if p not in allowed)
    response = _answer(client, pegawai, consultation["id"], [other])
    assert response.status_code == 422
    assert other in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/v1/consultations"),
        ("GET", "/v1/models"),
        ("POST", "/v1/risk"),
        ("GET", "/v1/employees/{other}"),
        ("GET", "/v1/positions/{position}/shortlist"),
    ],
)
def test_an_employee_key_is_refused_and_audited_on_every_other_route(
    client: TestClient, pegawai: dict[str, str], world_state, employee, method: str, url: str
) -> None:
    other = next(str(n) for n in world_state.lookups.employees.index if str(n) != employee)
    position = str(world_state.lookups.positions.index[0])
    path = url.format(other=other, position=position)
    response = client.request(method, path, headers=pegawai)
    assert response.status_code == 403
    last = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (last["role"], last["status"], last["method"]) == ("pegawai", 403, method)


def test_hr_sees_who_answered_without_the_note_and_each_note_read_is_audited(
    client: TestClient, headers: Headers, pegawai: dict[str, str], employee: str
) -> None:
    round_id = open_round(client, headers)["id"]
    offers = [o["position_id"] for o in _mine(client, pegawai, round_id)["offers"]]
    _answer(client, pegawai, round_id, offers[:2])
    answered = client.get(f"/v1/consultations/{round_id}/answers", headers=headers[Role.HR])
    (respondent,) = answered.json()["respondents"]
    assert (respondent["nip"], respondent["has_note"]) == (employee, True)
    assert NOTE not in answered.text
    note = client.get(
        f"/v1/consultations/{round_id}/answers/{employee}/note", headers=headers[Role.HR]
    )
    assert note.json()["note"] == NOTE
    last = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (last["route"].endswith("/note"), last["nips"]) == (True, employee)


def test_staff_keys_cannot_use_the_employee_routes(client: TestClient, headers: Headers) -> None:
    assert client.get("/v1/me/consultations", headers=headers[Role.ADMIN]).status_code == 403


def test_a_plan_with_preference_weight_meets_at_least_as_many_top3_choices_and_shows_the_cost(
    client: TestClient, headers: Headers, pegawai: dict[str, str]
) -> None:
    round_id = open_round(client, headers)["id"]
    offers = [o["position_id"] for o in _mine(client, pegawai, round_id)["offers"]]
    _answer(client, pegawai, round_id, offers[:3])
    met, totals = [], []
    for weight in (0.0, 5.0):
        body = {"consultation_id": round_id, "options": {"preference_weight": weight}}
        response = client.post("/v1/plans", json=body, headers=headers[Role.PLANNER])
        assert response.status_code == 200, response.text
        plan = response.json()
        overall = next(r for r in plan["top_choices"] if r["attribute"] == "all")
        attributes = {r["attribute"] for r in plan["top_choices"]}
        assert attributes == {"all", "unit_id", "gender", "age_band"}
        met.append(overall["top_choice"])
        totals.append((plan["summary"]["total_fit"], plan["summary"]["total_risk"]))
    assert met[1] >= met[0]
    assert all(fit > 0 and risk >= 0 for fit, risk in totals)
