"""Schemathesis against the app's own OpenAPI spec: no route answers 500 for client input.

Each operation's strategies (schemathesis generates valid and invalid requests from the spec)
drives a hypothesis test that calls the real app, authenticated as admin so that every route
is reached. (schemathesis' lazy `from_fixture` loader does not run on pytest 9, so the
operations are driven from inside one test.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode

from serving.app import create_app
from serving.auth import Role, create_key
from serving.state import LoadedState
from tests.fixtures.world import World

FUZZ_EXAMPLES = 20
# A plan solve can take long on a loaded machine: a deadline that holds, not a timing.
CALL_DEADLINE_SECONDS = 600
SKIPPED = {("POST", "/v1/admin/reload")}  # reloads the model: covered by its own tests


@pytest.fixture(scope="module")
def fuzz_app(world: World, world_state: LoadedState) -> Iterator[FastAPI]:
    app = create_app(world.settings, initial_state=world_state)
    with TestClient(app):  # runs the lifespan: the state is installed
        yield app


def test_no_route_answers_500_for_client_input(fuzz_app: FastAPI) -> None:
    key = create_key(fuzz_app.state.engine, role=Role.ADMIN, label="fuzz-admin")
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tested = []
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=st.one_of([operation.as_strategy(mode) for mode in GenerationMode]))
        def call(case: Case) -> None:
            case.call_and_validate(
                headers={"X-API-Key": key},
                checks=[not_a_server_error],
                timeout=CALL_DEADLINE_SECONDS,
            )

        call()
        tested.append(operation.path)
    assert "/v1/risk" in tested and "/v1/positions/{position_id}/shortlist" in tested
