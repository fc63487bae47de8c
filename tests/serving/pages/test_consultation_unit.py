"""/konsultasi-unit on the real small world: a unit head signs in with a unit-scoped key, sees
the people who chose the unit's post (never their note), ranks them with the page's form and
the API shows the ranking; the form needs its CSRF token; another unit's page is refused (403,
audited); the scoped session is refused the round-wide HR page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role
from serving.state import LoadedState
from tests.serving.consultation.unit_market import NOTE, unit_market
from tests.serving.pages.conftest import csrf_of, sign_in

Headers = dict[Role, dict[str, str]]


@pytest.fixture(scope="module")
def market(
    client: TestClient, world_app: FastAPI, world_state: LoadedState, headers: Headers
) -> dict[str, Any]:
    return unit_market(client, world_app, world_state, headers, prefix="unit-page")


@pytest.fixture
def head(world_app: FastAPI, client: TestClient, market: dict[str, Any]):
    browser = TestClient(world_app, base_url="http://127.0.0.1")
    sign_in(browser, market["head_key"])
    yield browser
    browser.close()


def _form(market: dict[str, Any], csrf: str, order: list[str]) -> dict[str, Any]:
    return {
        "csrf": csrf,
        "putaran": market["round_id"],
        "unit": market["unit_id"],
        "jabatan": market["post"],
        "urutan": [*order, ""],
    }


def _ranking(client: TestClient, headers: Headers, market: dict[str, Any]) -> list[str] | None:
    url = f"/v1/consultations/{market['round_id']}/units/{market['unit_id']}/candidates"
    response = client.get(url, headers=headers[Role.HR])
    (post,) = [p for p in response.json()["positions"] if p["position_id"] == market["post"]]
    return None if post["ranking"] is None else post["ranking"]["nips"]


def test_a_unit_head_ranks_the_candidates_on_the_page_and_the_api_shows_it(
    head: TestClient, client: TestClient, headers: Headers, market: dict[str, Any]
) -> None:
    page = head.get(f"/konsultasi-unit?putaran={market['round_id']}")
    assert page.status_code == 200, page.text
    assert all(nip in page.text for nip in market["people"])
    assert NOTE not in page.text and "Peringkat unit" in page.text
    assert 'href="/konsultasi-unit"' in page.text and 'href="/konsultasi-hr"' not in page.text
    order = market["people"][1:3]
    saved = head.post(
        "/konsultasi-unit", data=_form(market, csrf_of(page.text), order), follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    assert _ranking(client, headers, market) == order
    shown = head.get(saved.headers["location"])
    assert "Peringkat disimpan" in shown.text and "versi 1" in shown.text


def test_the_ranking_form_without_its_csrf_token_changes_nothing(
    head: TestClient, client: TestClient, headers: Headers, market: dict[str, Any]
) -> None:
    before = _ranking(client, headers, market)
    refused = head.post("/konsultasi-unit", data=_form(market, "", market["people"][::-1]))
    assert refused.status_code == 403
    assert _ranking(client, headers, market) == before


def test_a_ranking_of_someone_who_did_not_choose_the_post_is_shown_as_an_error(
    head: TestClient, market: dict[str, Any], world_state: LoadedState
) -> None:
    stranger = next(
        str(n) for n in world_state.lookups.employees.index if str(n) not in market["people"]
    )
    page = head.get(f"/konsultasi-unit?putaran={market['round_id']}")
    response = head.post("/konsultasi-unit", data=_form(market, csrf_of(page.text), [stranger]))
    assert response.status_code == 422
    assert "did not choose this position" in response.text
    audit = head.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (audit["route"], audit["status"]) == ("/konsultasi-unit", 422)
    assert stranger in audit["nips"].split(";")  # the refused name stays in the record


def test_a_unit_session_is_refused_another_unit_and_the_round_wide_hr_page(
    head: TestClient, client: TestClient, market: dict[str, Any], world_state: LoadedState
) -> None:
    other = next(
        str(u) for u in world_state.lookups.positions["unit_id"].unique() if u != market["unit_id"]
    )
    page = head.get(f"/konsultasi-unit?putaran={market['round_id']}")
    form = {**_form(market, csrf_of(page.text), market["people"][:1]), "unit": other}
    assert head.post("/konsultasi-unit", data=form).status_code == 403
    last = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (last["route"], last["status"], last["key_label"]) == (
        "/konsultasi-unit",
        403,
        "unit-page-kepala",
    )
    assert head.get(f"/konsultasi-hr/{market['round_id']}").status_code == 403
