"""/konsultasi-hr on the real small world: HR opens a round on the page and the API lists it,
closes it, sees who answered without their notes, and each note read is audited with the NIP;
other staff roles are refused and a form without its CSRF token does nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role, create_key
from serving.consultation.service import eligible_positions, open_slot_positions
from serving.state import LoadedState
from tests.serving.consultation.conftest import open_round
from tests.serving.pages.conftest import csrf_of, sign_in

Headers = dict[Role, dict[str, str]]
Console = Callable[[Role], TestClient]
NOTE = "Anak saya bersekolah di Sleman sampai Juni"
INVITATION = "Putaran uji halaman HR <b>tebal</b>"


@pytest.fixture(scope="module")
def respondent(world_app: FastAPI, world_state: LoadedState) -> tuple[str, dict[str, str]]:
    """An employee eligible for some open slot, with a pegawai key bound to their NIP."""
    offered = open_slot_positions(world_state)
    nip = next(
        str(n)
        for n in world_state.lookups.employees.index[:400]
        if eligible_positions(world_state, str(n), offered)
    )
    key = create_key(world_app.state.engine, role=Role.PEGAWAI, label="pegawai-hr-page", nip=nip)
    return nip, {"X-API-Key": key}


def _rounds(client: TestClient, headers: Headers) -> list[dict[str, Any]]:
    response = client.get("/v1/consultations", headers=headers[Role.HR])
    assert response.status_code == 200, response.text
    return list(response.json())


def _open_on_page(hr: TestClient) -> Any:
    start = datetime.now(UTC) - timedelta(minutes=1)
    form = {
        "csrf": csrf_of(hr.get("/konsultasi-hr").text),
        "dari": start.strftime("%Y-%m-%dT%H:%M"),
        "sampai": (start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "undangan": INVITATION,
    }
    return hr.post("/konsultasi-hr", data=form, follow_redirects=False)


def test_hr_opens_a_round_on_the_page_and_the_api_lists_it_then_closes_it(
    console: Console, client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    hr = console(Role.HR)
    before = {r["id"] for r in _rounds(client, headers)}
    response = _open_on_page(hr)
    assert response.status_code == 303, response.text
    (opened,) = [r for r in _rounds(client, headers) if r["id"] not in before]
    assert opened["is_open"] and opened["invitation"] == INVITATION
    assert opened["positions"] == open_slot_positions(world_state)
    page = hr.get("/konsultasi-hr").text
    assert "&lt;b&gt;tebal&lt;/b&gt;" not in page  # the list shows no invitation text
    assert f'action="/konsultasi-hr/{opened["id"]}/tutup"' in page

    closed = hr.post(f"/konsultasi-hr/{opened['id']}/tutup", data={"csrf": csrf_of(page)})
    assert closed.status_code == 200
    assert "&lt;b&gt;tebal&lt;/b&gt;" in closed.text and "<b>tebal</b>" not in closed.text
    (after,) = [r for r in _rounds(client, headers) if r["id"] == opened["id"]]
    assert after["closed_at"] is not None and not after["is_open"]


def _answered_round(
    client: TestClient,
    headers: Headers,
    world_state: LoadedState,
    respondent: tuple[str, dict[str, str]],
    *,
    ranked: int,
    note: str | None,
) -> str:
    """A new round that the respondent answered, ranking `ranked` eligible offers."""
    nip, pegawai = respondent
    round_id = str(open_round(client, headers)["id"])
    offers = eligible_positions(world_state, nip, open_slot_positions(world_state))
    body = {"consent": True, "positions": offers[:ranked], "wishes": [], "note": note}
    sent = client.put(f"/v1/me/consultations/{round_id}", json=body, headers=pegawai)
    assert sent.status_code == 200, sent.text
    return round_id


def test_respondents_are_listed_without_notes_and_a_note_read_is_audited_with_the_nip(
    console: Console,
    client: TestClient,
    headers: Headers,
    world_state: LoadedState,
    respondent: tuple[str, dict[str, str]],
) -> None:
    nip = respondent[0]
    round_id = _answered_round(client, headers, world_state, respondent, ranked=1, note=NOTE)

    hr = console(Role.HR)
    listed = hr.get("/konsultasi-hr").text
    assert f'<a href="/konsultasi-hr/{round_id}">1</a>' in listed
    page = hr.get(f"/konsultasi-hr/{round_id}")
    assert page.status_code == 200
    assert nip in page.text and NOTE not in page.text
    name = world_state.lookups.employees.at[nip, "name"]
    assert str(name) in page.text
    audit = client.app.state.audit  # type: ignore[attr-defined]
    assert audit.rows()[-1]["nips"] == nip

    note = hr.post(
        f"/konsultasi-hr/{round_id}/catatan", data={"csrf": csrf_of(page.text), "nip": nip}
    )
    assert note.status_code == 200 and NOTE in note.text
    last = audit.rows()[-1]
    assert (last["route"], last["nips"]) == ("/konsultasi-hr/{round_id}/catatan", nip)


def test_a_planner_and_an_employee_are_refused_the_page_and_admin_sees_it(
    console: Console, world_app: FastAPI, respondent: tuple[str, dict[str, str]]
) -> None:
    response = console(Role.PLANNER).get("/konsultasi-hr")
    assert response.status_code == 403
    assert "tidak boleh membuka halaman ini" in response.text
    assert 'href="/konsultasi-hr"' not in response.text
    with TestClient(world_app, base_url="http://127.0.0.1") as employee:
        sign_in(employee, respondent[1]["X-API-Key"])
        assert employee.get("/konsultasi-hr").status_code == 403
    admin = console(Role.ADMIN).get("/konsultasi-hr")
    assert admin.status_code == 200 and 'href="/konsultasi-hr"' in admin.text


def test_forms_without_their_csrf_token_change_nothing(
    console: Console, client: TestClient, headers: Headers
) -> None:
    hr = console(Role.HR)
    before = _rounds(client, headers)
    form = {"dari": "2026-01-01T00:00", "sampai": "2026-02-01T00:00", "undangan": "tanpa token"}
    assert hr.post("/konsultasi-hr", data=form).status_code == 403
    open_id = open_round(client, headers)["id"]
    assert hr.post(f"/konsultasi-hr/{open_id}/tutup", data={}).status_code == 403
    (still,) = [r for r in _rounds(client, headers) if r["id"] == open_id]
    assert still["closed_at"] is None
    assert len(_rounds(client, headers)) == len(before) + 1


def test_a_window_that_ends_before_it_starts_is_a_located_error_not_a_round(
    console: Console, client: TestClient, headers: Headers
) -> None:
    hr = console(Role.HR)
    before = len(_rounds(client, headers))
    form = {
        "csrf": csrf_of(hr.get("/konsultasi-hr").text),
        "dari": "2026-03-01T00:00",
        "sampai": "2026-02-01T00:00",
        "undangan": "salah urut",
    }
    response = hr.post("/konsultasi-hr", data=form)
    assert response.status_code == 422 and "setelah awalnya" in response.text
    assert len(_rounds(client, headers)) == before


def test_the_plan_page_shows_the_top3_report_only_for_a_plan_that_heard_a_consultation(
    console: Console,
    client: TestClient,
    headers: Headers,
    world_state: LoadedState,
    respondent: tuple[str, dict[str, str]],
) -> None:
    round_id = _answered_round(client, headers, world_state, respondent, ranked=3, note=None)
    plans = {}
    for heard in (True, False):
        request = {"consultation_id": round_id} if heard else {}
        response = client.post("/v1/plans", json=request, headers=headers[Role.PLANNER])
        assert response.status_code == 200, response.text
        plans[heard] = response.json()

    planner = console(Role.PLANNER)
    page = planner.get(f"/rencana/{plans[True]['plan_id']}").text
    report = page[page.index('id="pilihan-title"') :]
    overall = next(r for r in plans[True]["top_choices"] if r["attribute"] == "all")
    assert f"Total fit {plans[True]['summary']['total_fit']:.1f}" in report
    row = '<td>semua responden / all respondents</td><td>all</td><td class="num">1</td>'
    assert row in report and f'<td class="num">{overall["top_choice"]}</td>' in report
    assert "jenis kelamin / gender" in report and "unit asal / current unit" in report
    plain = planner.get(f"/rencana/{plans[False]['plan_id']}").text
    assert 'id="pilihan-title"' not in plain
