"""/rencana's form hears a consultation round: the planner picks a round and a preference
weight, the plan is made by the API route's own function with them, and its page shows the
top-3 report; an unknown round or a weight outside 0-100 is refused on the form, and no plan
is started."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipelines.plan_store import load_plan
from serving.auth import Role, create_key
from serving.consultation.service import eligible_positions, open_slot_positions
from serving.state import LoadedState
from tests.serving.consultation.conftest import open_round
from tests.serving.pages.conftest import csrf_of

Headers = dict[Role, dict[str, str]]
Console = Callable[[Role], TestClient]


@pytest.fixture(scope="module")
def answered_round(
    client: TestClient, headers: Headers, world_app: FastAPI, world_state: LoadedState
) -> str:
    """A round in which one employee ranked two eligible open slots."""
    offered = open_slot_positions(world_state)
    nip, offers = next(
        (str(n), found)
        for n in world_state.lookups.employees.index[200:]
        if len(found := eligible_positions(world_state, str(n), offered)) >= 2
    )
    key = create_key(world_app.state.engine, role=Role.PEGAWAI, label="pegawai-plan", nip=nip)
    round_id = str(open_round(client, headers)["id"])
    body = {"consent": True, "positions": offers[:2], "wishes": [], "note": None}
    sent = client.put(f"/v1/me/consultations/{round_id}", json=body, headers={"X-API-Key": key})
    assert sent.status_code == 200, sent.text
    return round_id


def _start(planner: TestClient, **fields: str):
    form = planner.get("/rencana")
    data = {"csrf": csrf_of(form.text), "batas_waktu": "20", **fields}
    return planner.post("/rencana", data=data, follow_redirects=False)


def _finished(planner: TestClient, progress_url: str) -> str:
    for _ in range(240):
        status = planner.get(f"{progress_url}/status").json()
        if status["done"]:
            break
        time.sleep(0.5)
    assert status["result"], status
    return str(status["result"])


def test_the_form_offers_the_rounds_and_the_usual_weights(
    console: Console, answered_round: str
) -> None:
    page = console(Role.PLANNER).get("/rencana").text
    assert f'<option value="{answered_round}">' in page
    assert all(f'<option value="{w}">' in page for w in ("0.0", "0.5", "1.0", "2.0"))


def test_a_plan_with_a_round_and_a_weight_is_made_with_them_and_shows_the_top3_report(
    console: Console, world_app: FastAPI, answered_round: str
) -> None:
    planner = console(Role.PLANNER)
    started = _start(planner, konsultasi=answered_round, bobot_preferensi="2")
    assert started.status_code == 303, started.text
    plan_id = _finished(planner, started.headers["location"])
    stored = load_plan(world_app.state.settings, plan_id).record
    assert stored["options"]["preference_weight"] == 2.0
    overall = next(r for r in stored["top_choices"] if r["attribute"] == "all")
    assert overall["respondents"] >= 1
    page = planner.get(f"/rencana/{plan_id}").text
    assert 'id="pilihan-title"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"konsultasi": "tidak-ada"}, "Putaran konsultasi tidak ditemukan"),
        ({"bobot_preferensi": "-1"}, "preference_weight"),
        ({"bobot_preferensi": "1e9"}, "preference_weight"),
        ({"bobot_preferensi": "banyak"}, "Bobot preferensi harus angka"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_no_plan_starts(
    console: Console, fields: dict[str, str], message: str
) -> None:
    response = _start(console(Role.PLANNER), **fields)
    assert (response.status_code, response.headers.get("location")) == (422, None)
    assert message in response.text and 'name="bobot_preferensi"' in response.text
