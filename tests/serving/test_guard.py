"""What a careless or hostile caller gets (issue 13): refused early, and every refusal on a
personal-data route audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipelines.settings import Settings
from serving.app import create_app
from serving.auth import Role, create_key
from serving.guard import OverloadGuard
from serving.state import LoadedState
from tests.fixtures.world import World
from tests.serving.conftest import nip_of, nothing_to_load

PAIR = b'{"nip": "198501152010012001", "position_id": "P1"}'
LIMIT = 10_000


@pytest.fixture
def guarded(
    world: World, world_state: LoadedState, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[Role, str]]]:
    """The small world served with tight limits and its own key and audit database."""
    settings = world.settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'mutasi.db'}",
            "max_body_bytes": LIMIT,
            "signin_max_failures": 3,
        }
    )
    app = create_app(settings, initial_state=world_state)
    keys = {
        role: create_key(app.state.engine, role=role, label=f"t-{role}", nip=nip_of(role))
        for role in Role
    }
    with TestClient(app) as client:
        yield client, keys


def _audit_rows(client: TestClient) -> list[dict[str, object]]:
    return client.app.state.audit.rows()  # type: ignore[attr-defined,no-any-return]


def _last(client: TestClient) -> tuple[object, object, object]:
    row = _audit_rows(client)[-1]
    return row["route"], row["key_label"], row["status"]


def test_body_that_is_not_utf8_is_audited(guarded: tuple[TestClient, dict[Role, str]]) -> None:
    client, keys = guarded
    response = client.post(
        "/v1/risk", content=b'{"pairs": "\xff\xfe"}', headers={"X-API-Key": keys[Role.ADMIN]}
    )
    assert _last(client) == ("/v1/risk", "t-admin", response.status_code)


def test_malformed_json_is_audited(guarded: tuple[TestClient, dict[Role, str]]) -> None:
    client, keys = guarded
    client.post("/v1/risk", content=b'{"pairs": [', headers={"X-API-Key": keys[Role.ADMIN]})
    assert _last(client) == ("/v1/risk", "t-admin", 422)


def test_plan_request_without_key_is_audited(guarded: tuple[TestClient, dict[Role, str]]) -> None:
    client, _ = guarded
    client.post("/v1/plans", content=b"{}")
    assert _last(client) == ("/v1/plans", None, 401)


def test_truncated_body_without_key_is_401_not_422(
    guarded: tuple[TestClient, dict[Role, str]],
) -> None:
    client, _ = guarded
    assert client.post("/v1/risk", content=b'{"pairs": [').status_code == 401


def test_oversized_body_without_key_is_401(guarded: tuple[TestClient, dict[Role, str]]) -> None:
    client, _ = guarded
    body = b'{"pairs": [' + b",".join([PAIR] * 1000) + b"]}"
    assert client.post("/v1/risk", content=body).status_code == 401


def test_oversized_body_is_refused_with_413_and_audited(
    guarded: tuple[TestClient, dict[Role, str]],
) -> None:
    client, keys = guarded
    body = b'{"pairs": [' + b",".join([PAIR] * 1000) + b"]}"
    client.post("/v1/risk", content=body, headers={"X-API-Key": keys[Role.ADMIN]})
    assert _last(client) == ("/v1/risk", "t-admin", 413)


def test_oversized_streamed_body_is_refused_while_streaming(
    guarded: tuple[TestClient, dict[Role, str]],
) -> None:
    client, keys = guarded
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count as it reads
        yield b'{"pairs": ['
        for _ in range(100_000):
            sent.append(len(PAIR))
            yield PAIR + b","

    response = client.post("/v1/risk", content=chunks(), headers={"X-API-Key": keys[Role.ADMIN]})
    assert (response.status_code, response.json()["code"]) == (413, "http_413")


def test_repeated_wrong_keys_from_one_address_get_429(
    guarded: tuple[TestClient, dict[Role, str]],
) -> None:
    client, keys = guarded
    for _ in range(3):
        client.get("/v1/employees/198501152010012001", headers={"X-API-Key": "mts_wrong_key"})
    # Even the right key waits once the address has failed too often.
    response = client.get("/v1/employees/198501152010012001", headers={"X-API-Key": keys[Role.HR]})
    assert (response.status_code, int(response.headers["Retry-After"]) > 0) == (429, True)


def test_refused_sign_in_is_audited(guarded: tuple[TestClient, dict[Role, str]]) -> None:
    client, _ = guarded
    for _ in range(4):
        client.get("/v1/employees/198501152010012001", headers={"X-API-Key": "mts_wrong_key"})
    assert [row["status"] for row in _audit_rows(client)] == [401, 401, 401, 429]


def test_docs_can_be_turned_off(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", api_docs=False)
    with TestClient(create_app(settings, loader=nothing_to_load, retry_seconds=3600)) as client:
        statuses = [client.get(path).status_code for path in ("/docs", "/openapi.json")]
    assert statuses == [404, 404]


def _blocking_app(release: anyio.Event) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/slow")
    async def slow() -> dict[str, bool]:
        await release.wait()
        return {"done": True}

    return app


async def _overloaded_statuses(*, max_queued: int) -> list[int]:
    release = anyio.Event()
    app = OverloadGuard(_blocking_app(release), max_concurrent=1, max_queued=max_queued,
                        queue_timeout=30)  # fmt: skip
    statuses: list[int] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

        async def call() -> None:
            statuses.append((await http.get("/v1/slow")).status_code)

        async with anyio.create_task_group() as tasks:
            for _ in range(3):
                tasks.start_soon(call)
            while len(statuses) < 3 - 1 - max_queued:  # the refused ones answer at once
                await anyio.sleep(0.01)
            release.set()
    return sorted(statuses)


def test_overload_beyond_the_queue_is_refused_with_503() -> None:
    assert anyio.run(lambda: _overloaded_statuses(max_queued=1)) == [200, 200, 503]


def test_requests_within_the_queue_wait_and_are_served() -> None:
    assert anyio.run(lambda: _overloaded_statuses(max_queued=2)) == [200, 200, 200]
