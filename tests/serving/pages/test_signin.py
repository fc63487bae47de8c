"""Signing in and out of the console: the cookie, CSRF, roles, expiry."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipelines.settings import Settings
from serving.app import create_app
from serving.auth import Role
from serving.pages.session import COOKIE
from serving.state import LoadedState
from tests.fixtures.world import World
from tests.serving.pages.conftest import csrf_of, sign_in


def test_a_page_without_a_session_sends_the_browser_to_sign_in(world_app: FastAPI) -> None:
    with TestClient(world_app) as client:
        response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/masuk"


def test_sign_in_sets_an_httponly_strict_cookie(world_app: FastAPI, keys: dict[Role, str]) -> None:
    with TestClient(world_app, base_url="http://127.0.0.1") as client:
        form = client.get("/masuk")
        response = client.post(
            "/masuk",
            data={"api_key": keys[Role.HR], "csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
    cookie = response.headers["set-cookie"].lower()
    assert all(part in cookie for part in (f"{COOKIE}=", "httponly", "samesite=strict", "max-age"))


def test_a_wrong_key_is_refused_with_a_message(world_app: FastAPI) -> None:
    with TestClient(world_app) as client:
        form = client.get("/masuk")
        response = client.post("/masuk", data={"api_key": "mts_nope", "csrf": csrf_of(form.text)})
    assert response.status_code == 401 and "Kunci API salah" in response.text


def test_sign_in_without_the_csrf_token_is_refused(
    world_app: FastAPI, keys: dict[Role, str]
) -> None:
    with TestClient(world_app) as client:
        client.get("/masuk")
        response = client.post("/masuk", data={"api_key": keys[Role.HR], "csrf": "forged"})
    assert response.status_code == 403


def test_a_planner_gets_an_indonesian_403_page_for_the_model_page(
    console: Callable[[Role], TestClient],
) -> None:
    response = console(Role.PLANNER).get("/model")
    assert response.status_code == 403 and "Akses ditolak" in response.text


def test_sign_out_ends_the_session(console: Callable[[Role], TestClient]) -> None:
    client = console(Role.HR)
    home = client.get("/")
    client.post("/keluar", data={"csrf": csrf_of(home.text)})
    assert client.get("/", follow_redirects=False).headers["location"] == "/masuk"


def test_an_expired_session_cookie_replayed_asks_to_sign_in_again(
    world: World, world_state: LoadedState, keys: dict[Role, str]
) -> None:
    app = create_app(Settings(home=world.settings.home), initial_state=world_state)
    app.state.session_seconds = 1
    with TestClient(app) as client:
        sign_in(client, keys[Role.HR])
        cookie = client.cookies[COOKIE]
        time.sleep(2.1)  # the browser drops the cookie itself; a replayed copy must fail too
        client.cookies.clear()
        response = client.get("/", headers={"Cookie": f"{COOKIE}={cookie}"}, follow_redirects=False)
    assert response.headers["location"] == "/masuk?habis=1"
