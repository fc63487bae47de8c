"""On a demo world large enough for the risk model to learn what a met wish does (2,000
employees; the 600 of the shared test world teach it nothing), an answer that ranks a position
first lowers that pair's risk through the API, by what the served model learned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipelines.settings import Settings
from serving.app import create_app
from serving.auth import Role, create_key
from serving.loading import build_state
from serving.state import LoadedState
from tests.serving.consultation.test_answers_in_risk import _served_risk, answer_first_offer

pytestmark = pytest.mark.slow

EMPLOYEES, SEED = 2000, 19


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoadedState, dict]]:
    from pipelines.ingest import ingest_folder
    from pipelines.train import run_training
    from simulator import generate_agency

    root = tmp_path_factory.mktemp("learned-world")
    settings = Settings(home=root / "home")
    generate_agency(root / "agency", employees=EMPLOYEES, seed=SEED)
    ingest_folder(root / "agency", settings=settings)
    run_training(settings)
    state = build_state(settings)
    app: FastAPI = create_app(settings, initial_state=state)
    with TestClient(app) as client:
        headers = {
            role: {"X-API-Key": create_key(app.state.engine, role=role, label=f"learned-{role}")}
            for role in (Role.HR, Role.PLANNER)
        }
        yield state, answer_first_offer(client, headers, app, state)


def test_the_served_model_learned_that_a_met_wish_lowers_risk(learned: tuple[Any, Any]) -> None:
    state, answered = learned
    nip, first = answered["nip"], answered["pairs"][0]
    met = _served_risk(state, nip, [first], preference_match=1.0)[0]
    assert met < _served_risk(state, nip, [first])[0]


def test_ranking_a_position_first_lowers_its_risk_to_what_the_model_gives_a_met_wish(
    learned: tuple[Any, Any],
) -> None:
    state, answered = learned
    nip, (first, ignored) = answered["nip"], answered["pairs"]
    assert answered["after"][0] < answered["before"][0]
    met = _served_risk(state, nip, [first], preference_match=1.0)[0]
    not_met = _served_risk(state, nip, [ignored], preference_match=0.0)[0]
    assert answered["after"] == pytest.approx([met, not_met], abs=5e-4)
    assert answered["shortlisted"] == pytest.approx(
        (answered["before"][0], answered["after"][0]), abs=5e-4
    )
