"""The console's pages on the real small world: they show what the API answers."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable

import pandas as pd
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role
from tests.serving.pages.conftest import csrf_of


def _shortlist_api(client: TestClient, headers: dict[str, str], position_id: str) -> list[str]:
    response = client.get(
        f"/v1/positions/{position_id}/shortlist",
        params={"k": 10, "include_ineligible": True},
        headers=headers,
    )
    return [c["nip"] for c in response.json()["candidates"]]


def test_dashboard_figures_match_the_staffing_api(
    console: Callable[[Role], TestClient],
    client: TestClient,
    headers: dict[Role, dict[str, str]],
) -> None:
    page = console(Role.PLANNER).get("/")
    found = re.search(r'id="abk-figures">(.*?)</script>', page.text, re.S)
    assert found
    figures = json.loads(found.group(1))
    api = client.get("/v1/staffing", headers=headers[Role.PLANNER]).json()["rows"]
    assert sorted((f["need"], f["headcount"]) for f in figures) == sorted(
        (r["need"], r["headcount"]) for r in api
    )


def test_shortlist_page_lists_the_api_candidates_in_order(
    console: Callable[[Role], TestClient],
    client: TestClient,
    headers: dict[Role, dict[str, str]],
    vacant_position: str,
) -> None:
    page = console(Role.HR).get(f"/jabatan/{vacant_position}")
    expected = _shortlist_api(client, headers[Role.HR], vacant_position)
    shown = re.findall(r'href="/pegawai/(\d{18})\?', page.text)
    assert shown == expected


def test_shortlist_workbook_holds_the_api_candidates_in_order(
    console: Callable[[Role], TestClient],
    client: TestClient,
    headers: dict[Role, dict[str, str]],
    vacant_position: str,
) -> None:
    response = console(Role.HR).get(f"/jabatan/{vacant_position}/unduh.xlsx")
    sheet = pd.read_excel(io.BytesIO(response.content), sheet_name="kandidat", dtype={"nip": str})
    assert sheet["nip"].tolist() == _shortlist_api(client, headers[Role.HR], vacant_position)


def test_shortlist_page_writes_the_audit_record_of_its_nips(
    console: Callable[[Role], TestClient], world_app: FastAPI, vacant_position: str
) -> None:
    console(Role.HR).get(f"/jabatan/{vacant_position}")
    last = world_app.state.audit.rows()[-1]
    assert last["route"] == "/jabatan/{position_id}" and last["nips"] and last["role"] == "hr"


def test_employee_page_hides_the_name_from_a_planner(
    console: Callable[[Role], TestClient], world_app: FastAPI
) -> None:
    state = world_app.state.holder.require()
    nip = str(state.lookups.employees.index[0])
    name = str(state.lookups.employees.loc[nip, "name"])
    hr_page = console(Role.HR).get(f"/pegawai/{nip}").text
    planner_page = console(Role.PLANNER).get(f"/pegawai/{nip}").text
    assert name in hr_page and name not in planner_page


def test_risk_check_locates_the_bad_row_and_scores_the_others(
    console: Callable[[Role], TestClient], world_app: FastAPI, vacant_position: str
) -> None:
    state = world_app.state.holder.require()
    nips = [str(n) for n in state.lookups.employees.index[:2]]
    spaced = f"{nips[0][:4]} {nips[0][4:]}"  # a NIP typed with a space is tidied
    rows = [
        f"{spaced};{vacant_position}",
        f"12345;{vacant_position}",
        f"{nips[1]};{vacant_position}",
    ]
    draft = "nip;position_id\n" + "\n".join(rows) + "\n"
    planner = console(Role.PLANNER)
    form = planner.get("/cek-risiko")
    response = planner.post(
        "/cek-risiko",
        data={"csrf": csrf_of(form.text)},
        files={"berkas": ("draf.csv", draft.encode(), "text/csv")},
    )
    assert "draf.csv:3:nip" in response.text and response.text.count('<td class="num">') >= 2


def test_plan_runs_in_the_background_and_its_page_shows_it(
    console: Callable[[Role], TestClient],
) -> None:
    planner = console(Role.PLANNER)
    form = planner.get("/rencana")
    started = planner.post(
        "/rencana", data={"csrf": csrf_of(form.text), "batas_waktu": "20"}, follow_redirects=False
    )
    progress_url = started.headers["location"]
    for _ in range(240):
        status = planner.get(f"{progress_url}/status").json()
        if status["done"]:
            break
        time.sleep(0.5)
    assert status["result"], status
    page = planner.get(f"/rencana/{status['result']}")
    assert page.status_code == 200 and "Slot tak terisi" in page.text


def test_model_page_shows_the_champion_and_its_figures(
    console: Callable[[Role], TestClient], world_app: FastAPI
) -> None:
    page = console(Role.DATA).get("/model")
    version = world_app.state.holder.require().model_version
    assert "@champion" in page.text and version in page.text and "data:image/png" in page.text


def test_docs_load_their_scripts_from_this_server(client: TestClient) -> None:
    page = client.get("/docs").text
    scripts = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert scripts and all(s.startswith("/") for s in scripts)


TOKEN = re.compile(r'name="rekomendasi" value="([^"]+)"')
_plans: dict[str, str] = {}


def _small_plan(planner: TestClient) -> str:
    """One plan for this module's decision tests (plans are stored under the world's home)."""
    if "id" not in _plans:
        form = planner.get("/rencana")
        started = planner.post(
            "/rencana",
            data={"csrf": csrf_of(form.text), "batas_waktu": "20"},
            follow_redirects=False,
        )
        progress_url = started.headers["location"]
        for _ in range(240):
            status = planner.get(f"{progress_url}/status").json()
            if status["done"]:
                break
            time.sleep(0.5)
        assert status["result"], status
        _plans["id"] = status["result"]
    return _plans["id"]


def _decide(client: TestClient, page: str, action: str, token: int, **fields: str) -> object:
    data = {"csrf": csrf_of(page), "rekomendasi": TOKEN.findall(page)[token], **fields}
    return client.post(action, data=data, follow_redirects=False)


def test_plan_page_records_an_adopted_and_a_rejected_move(
    console: Callable[[Role], TestClient], world_app: FastAPI
) -> None:
    planner = console(Role.PLANNER)
    plan_id = _small_plan(planner)
    page = planner.get(f"/rencana/{plan_id}").text
    action = f"/rencana/{plan_id}/keputusan"
    adopted = _decide(planner, page, action, 0, keputusan="adopted")
    rejected = _decide(
        planner, page, action, 1, keputusan="rejected", alasan="Pegawai sedang tugas belajar"
    )
    assert adopted.status_code == rejected.status_code == 303  # type: ignore[attr-defined]
    records = world_app.state.decisions.latest(source="plan", plan_id=plan_id)
    kinds = sorted((r["decision"], r["reason"]) for r in records.values())
    assert kinds == [("adopted", None), ("rejected", "Pegawai sedang tugas belajar")]


def test_plan_page_shows_each_moves_recorded_decision(
    console: Callable[[Role], TestClient],
) -> None:
    planner = console(Role.PLANNER)
    plan_id = _small_plan(planner)
    page = planner.get(f"/rencana/{plan_id}").text
    _decide(planner, page, f"/rencana/{plan_id}/keputusan", 2, keputusan="adopted")
    again = planner.get(f"/rencana/{plan_id}").text
    assert "diterima / adopted" in again


def test_a_rejection_without_a_reason_is_refused_on_the_page_and_stores_nothing(
    console: Callable[[Role], TestClient], world_app: FastAPI
) -> None:
    planner = console(Role.PLANNER)
    plan_id = _small_plan(planner)
    page = planner.get(f"/rencana/{plan_id}").text
    before = len(world_app.state.decisions.rows())
    refused = _decide(
        planner, page, f"/rencana/{plan_id}/keputusan", 3, keputusan="rejected", alasan="tidak"
    )
    assert refused.status_code == 422  # type: ignore[attr-defined]
    alert = re.search(r"Keputusan tidak dicatat.*?</p>", refused.text, re.S)  # type: ignore[attr-defined]
    assert alert and "alasan wajib" in alert.group(0) and "Mutasi " in alert.group(0)
    assert len(world_app.state.decisions.rows()) == before


def test_a_forged_recommendation_is_refused(console: Callable[[Role], TestClient]) -> None:
    planner = console(Role.PLANNER)
    plan_id = _small_plan(planner)
    page = planner.get(f"/rencana/{plan_id}").text
    data = {"csrf": csrf_of(page), "rekomendasi": "forged.token", "keputusan": "adopted"}
    response = planner.post(f"/rencana/{plan_id}/keputusan", data=data)
    assert response.status_code == 403


def test_shortlist_page_records_a_decision_with_source_shortlist(
    console: Callable[[Role], TestClient], world_app: FastAPI, vacant_position: str
) -> None:
    hr = console(Role.HR)
    page = hr.get(f"/jabatan/{vacant_position}").text
    nip = re.findall(r'href="/pegawai/(\d{18})\?', page)[0]
    answer = _decide(hr, page, f"/jabatan/{vacant_position}/keputusan", 0, keputusan="adopted")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    record = world_app.state.decisions.latest(source="shortlist", position_id=vacant_position)
    assert record[(nip, vacant_position)]["decision"] == "adopted"


def test_shortlist_page_shows_risk_bands_and_the_fairness_box(
    console: Callable[[Role], TestClient], vacant_position: str
) -> None:
    page = console(Role.HR).get(f"/jabatan/{vacant_position}").text
    assert re.search(r"\d+ %<br><span class=\"en\">(rendah|sedang|tinggi) / ", page)
    assert "Keadilan (aturan empat per lima)" in page and "Rasio dampak" in page


def test_position_search_finds_a_position_by_words_of_its_title_and_unit(
    console: Callable[[Role], TestClient], world_app: FastAPI, vacant_position: str
) -> None:
    position = world_app.state.holder.require().lookups.positions.loc[vacant_position]
    words = f"{str(position['title']).split()[0]} {str(position['unit_name']).split()[-1]}"
    page = console(Role.PLANNER).get("/cari", params={"q": words.upper()}).text
    assert f'<span class="id">{vacant_position}</span>' in page


def test_name_search_finds_an_employee_and_audits_the_answer(
    console: Callable[[Role], TestClient], world_app: FastAPI
) -> None:
    state = world_app.state.holder.require()
    nip = str(state.lookups.employees.index[5])
    name = str(state.lookups.employees.loc[nip, "name"])
    hr = console(Role.HR)
    form = hr.get("/cari?q=x")
    page = hr.post("/cari/pegawai", data={"csrf": csrf_of(form.text), "nama": name.lower()})
    last = world_app.state.audit.rows()[-1]
    assert f'href="/pegawai/{nip}"' in page.text
    assert last["route"] == "/cari/pegawai" and nip in last["nips"]


def test_a_planner_may_not_search_employees_by_name(
    console: Callable[[Role], TestClient],
) -> None:
    planner = console(Role.PLANNER)
    form = planner.get("/cari?q=x")
    response = planner.post("/cari/pegawai", data={"csrf": csrf_of(form.text), "nama": "siti"})
    assert response.status_code == 403 and "Akses ditolak" in response.text


def test_employee_page_explanation_is_the_api_document(
    console: Callable[[Role], TestClient],
    client: TestClient,
    headers: dict[Role, dict[str, str]],
    world_app: FastAPI,
    vacant_position: str,
) -> None:
    nip = str(world_app.state.holder.require().lookups.employees.index[0])
    hr = console(Role.HR)
    employee = hr.get(f"/pegawai/{nip}", params={"jabatan": vacant_position}).text
    link = re.search(r'href="(/pegawai/\d+/penjelasan\?jabatan=[^"&]+)"', employee)
    assert link
    page = hr.get(link.group(1))
    api = client.get(
        f"/v1/employees/{nip}/explanation",
        params={"position_id": vacant_position},
        headers=headers[Role.HR],
    )
    assert page.status_code == 200 and page.text == api.text


def test_employee_page_explanation_downloads_as_docx(
    console: Callable[[Role], TestClient], world_app: FastAPI, vacant_position: str
) -> None:
    nip = str(world_app.state.holder.require().lookups.employees.index[0])
    response = console(Role.HR).get(
        f"/pegawai/{nip}/penjelasan", params={"jabatan": vacant_position, "format": "docx"}
    )
    document = Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "Penjelasan rekomendasi mutasi"


def test_a_move_changed_to_another_post_records_the_post_chosen(
    console: Callable[[Role], TestClient], world_app: FastAPI, vacant_position: str
) -> None:
    planner = console(Role.PLANNER)
    plan_id = _small_plan(planner)
    page = planner.get(f"/rencana/{plan_id}").text
    answer = _decide(
        planner,
        page,
        f"/rencana/{plan_id}/keputusan",
        4,
        keputusan="changed",
        jabatan_lain=vacant_position,
        alasan="Lebih dibutuhkan di jabatan yang kosong ini",
    )
    assert answer.status_code == 303  # type: ignore[attr-defined]
    records = world_app.state.decisions.latest(source="plan", plan_id=plan_id).values()
    changed = [r for r in records if r["decision"] == "changed"]
    assert [r["chosen_position_id"] for r in changed] == [vacant_position]


def test_a_change_to_an_unknown_post_is_refused_and_named(
    console: Callable[[Role], TestClient], world_app: FastAPI
) -> None:
    planner = console(Role.PLANNER)
    plan_id = _small_plan(planner)
    page = planner.get(f"/rencana/{plan_id}").text
    before = len(world_app.state.decisions.rows())
    refused = _decide(
        planner,
        page,
        f"/rencana/{plan_id}/keputusan",
        5,
        keputusan="changed",
        jabatan_lain="JB-TIDAK-ADA",
        alasan="Lebih dibutuhkan di jabatan lain",
    )
    assert refused.status_code == 422 and "JB-TIDAK-ADA" in refused.text  # type: ignore[attr-defined]
    assert len(world_app.state.decisions.rows()) == before
