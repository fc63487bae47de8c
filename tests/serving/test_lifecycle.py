"""Readiness, the background retry, model listing and the reload swap."""

from __future__ import annotations

import copy
import time
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from models.contract.errors import MutasiError
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot
from serving.app import create_app
from serving.auth import Role, create_key
from serving.loading import assemble_state, build_state
from serving.state import LoadedState
from tests.serving.conftest import BARE_REASON, World

Headers = dict[Role, dict[str, str]]


def test_healthz_answers_while_nothing_is_loaded(bare_client: TestClient) -> None:
    assert bare_client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_503_with_the_reason(bare_client: TestClient) -> None:
    response = bare_client.get("/readyz")
    assert (response.status_code, response.json()["reason"]) == (503, BARE_REASON)


def test_scoring_routes_answer_503_with_the_reason(
    bare_client: TestClient, bare_keys: dict[Role, str]
) -> None:
    response = bare_client.get(
        "/v1/positions/P1/shortlist", headers={"X-API-Key": bare_keys[Role.HR]}
    )
    assert response.status_code == 503 and BARE_REASON in response.json()["message"]


def test_readyz_says_no_champion_on_an_empty_home(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path), retry_seconds=3600)
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and "mutasi" in response.json()["reason"]


def test_background_retry_loads_once_loading_works(
    world_state: LoadedState, tmp_path: Path
) -> None:
    attempts: list[int] = []

    def flaky(_settings: Settings) -> LoadedState:
        attempts.append(1)
        if len(attempts) < 2:
            raise MutasiError("Belum / Not yet")
        return world_state

    settings = Settings(home=tmp_path, as_of=world_state.as_of)
    app = create_app(settings, loader=flaky, retry_seconds=0.05)
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/readyz").json()["model_version"] == world_state.model_version


def test_readyz_reports_the_served_model(client: TestClient, world_state: LoadedState) -> None:
    body = client.get("/readyz").json()
    assert (body["ready"], body["model_version"], body["snapshot_id"]) == (
        True,
        world_state.model_version,
        world_state.snapshot_id,
    )


def test_models_lists_champion_and_its_metrics(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    body = client.get("/v1/models", headers=headers[Role.DATA]).json()
    assert body["champion"]["version"] == body["serving_version"] == world_state.model_version
    assert body["champion"]["metrics"]


def _broken_loader(settings: Settings) -> LoadedState:
    """A champion trained on a feature the current code no longer builds: cannot score."""
    good = build_state(settings)
    scorer = copy.copy(good.bundle.scorer)
    scorer.feature_names_ = [*scorer.feature_names_, "retired_feature"]
    bundle = replace(good.bundle, scorer=scorer, version="999")
    return assemble_state(settings, bundle=bundle, snapshot=load_snapshot(None, settings=settings))


def test_reload_with_a_failing_smoke_test_keeps_the_old_model(
    world: World, world_state: LoadedState, vacant_position: str
) -> None:
    app = create_app(world.settings, loader=_broken_loader, initial_state=world_state)
    key = create_key(app.state.engine, role=Role.DATA, label="reload-broken")
    with TestClient(app) as client:
        body = client.post("/v1/admin/reload", headers={"X-API-Key": key}).json()
        ready = client.get("/readyz").json()
    assert (body["reloaded"], ready["model_version"]) == (False, world_state.model_version)
    assert "Smoke prediction failed" in body["message"]


def test_reload_swaps_in_the_newest_champion(world: World, world_state: LoadedState) -> None:
    app = create_app(world.settings, initial_state=world_state)
    key = create_key(app.state.engine, role=Role.ADMIN, label="reload-good")
    with TestClient(app) as client:
        body = client.post("/v1/admin/reload", headers={"X-API-Key": key}).json()
        assert body["reloaded"] is True
        assert app.state.holder.state is not world_state
