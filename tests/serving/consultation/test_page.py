"""/konsultasi in the console: consent first, only the employee's own eligible offers, answers
sent and changed through the form, and every other page refused to a pegawai session."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role
from serving.consultation.service import eligible_positions
from serving.state import LoadedState
from tests.serving.consultation.conftest import open_round
from tests.serving.pages.conftest import csrf_of, sign_in

Headers = dict[Role, dict[str, str]]
NIP_TEXT = re.compile(r"\b\d{18}\b")


@pytest.fixture
def employee_browser(
    world_app: FastAPI, client: TestClient, pegawai: dict[str, str]
) -> Iterator[TestClient]:
    with TestClient(world_app, base_url="http://127.0.0.1") as browser:
        sign_in(browser, pegawai["X-API-Key"])
        yield browser


def test_signing_in_with_a_pegawai_key_leads_to_the_consultation_page(
    world_app: FastAPI, client: TestClient, pegawai: dict[str, str]
) -> None:
    with TestClient(world_app, base_url="http://127.0.0.1") as browser:
        form = browser.get("/masuk")
        response = browser.post(
            "/masuk",
            data={"api_key": pegawai["X-API-Key"], "csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
    assert response.headers["location"] == "/konsultasi"


def test_the_page_asks_consent_first_and_shows_only_the_own_record_and_eligible_offers(
    client: TestClient,
    headers: Headers,
    employee_browser: TestClient,
    employee: str,
    world_state: LoadedState,
) -> None:
    consultation = open_round(client, headers)
    html = employee_browser.get("/konsultasi").text
    assert html.index("UU No. 27 Tahun 2022") < html.index('action="/konsultasi"')
    assert set(NIP_TEXT.findall(html)) == {employee}
    eligible = set(eligible_positions(world_state, employee, consultation["positions"]))
    shown = set(re.findall(r'<option value="([^"]+)"', html)) - {"region", "sector", "unit"}
    assert shown and shown <= eligible


def _send(browser: TestClient, round_id: str, choices: list[str], *, consent: bool = True):
    page = browser.get("/konsultasi")
    form = {"csrf": csrf_of(page.text), "putaran": round_id, "catatan": "Studi S2 sampai 2027"}
    form |= {f"pilihan_{i}": p for i, p in enumerate(choices, 1)}
    form |= {"jenis_1": "region", "nilai_1": "3573"} | ({"setuju": "ya"} if consent else {})
    return browser.post("/konsultasi", data=form, follow_redirects=False)


def test_an_employee_ranks_three_changes_one_and_downloads_what_was_sent(
    client: TestClient, headers: Headers, employee_browser: TestClient, employee: str, world_state
) -> None:
    consultation = open_round(client, headers)
    offers = eligible_positions(world_state, employee, consultation["positions"])
    assert _send(employee_browser, consultation["id"], offers[:3]).status_code == 303
    changed = [offers[3], offers[1], offers[2]]
    assert _send(employee_browser, consultation["id"], changed).status_code == 303
    download = employee_browser.get(f"/konsultasi/unduh?putaran={consultation['id']}")
    sent = json.loads(download.text)
    assert (sent["positions"], sent["version"], sent["wishes"][0]["value"]) == (changed, 2, "3573")


def test_no_answer_is_saved_without_consent(
    client: TestClient, headers: Headers, employee_browser: TestClient, employee: str, world_state
) -> None:
    consultation = open_round(client, headers)
    offers = eligible_positions(world_state, employee, consultation["positions"])
    response = _send(employee_browser, consultation["id"], offers[:1], consent=False)
    assert response.status_code == 422
    assert (
        employee_browser.get(f"/konsultasi/unduh?putaran={consultation['id']}").status_code == 404
    )


@pytest.mark.parametrize("path", ["/", "/pegawai/{other}", "/rencana", "/model"])
def test_a_pegawai_session_is_refused_every_other_page_and_the_refusal_is_audited(
    client: TestClient, employee_browser: TestClient, employee: str, world_state, path: str
) -> None:
    other = next(str(n) for n in world_state.lookups.employees.index if str(n) != employee)
    response = employee_browser.get(path.format(other=other))
    assert response.status_code == 403
    assert other not in response.text
    last = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (last["role"], last["status"]) == ("pegawai", 403)


def test_a_staff_session_cannot_open_the_employee_page(
    world_app: FastAPI, client: TestClient, keys: dict[Role, str]
) -> None:
    with TestClient(world_app, base_url="http://127.0.0.1") as browser:
        sign_in(browser, keys[Role.HR])
        assert browser.get("/konsultasi").status_code == 403
