"""Console fixtures: a signed-in TestClient per role on the real small world's app."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> None:
    form = client.get("/masuk")
    response = client.post(
        "/masuk", data={"api_key": key, "csrf": csrf_of(form.text)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def console(
    world_app: FastAPI, client: TestClient, keys: dict[Role, str]
) -> Iterator[Callable[[Role], TestClient]]:
    """console(role): a new browser-like client signed in with that role's key (`client` has
    run the app's lifespan, which installs the world's state)."""
    clients: list[TestClient] = []

    def signed_in_as(role: Role) -> TestClient:
        client = TestClient(world_app, base_url="http://127.0.0.1")
        clients.append(client)
        sign_in(client, keys[role])
        return client

    yield signed_in_as
    for client in clients:
        client.close()
