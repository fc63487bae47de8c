"""A real `mutasi serve` in a subprocess, called over HTTP on a free 127.0.0.1 port."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from serving.state import LoadedState
from tests.fixtures.server import MUTASI, cli_key, free_port, served, wait_ready, world_env
from tests.fixtures.world import World

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[str]:
    with served(world) as base:
        yield base


@pytest.fixture(scope="module")
def admin_key(world: World) -> str:
    return cli_key(world, role="admin", name="integration-admin")


def test_shortlist_over_http(server: str, admin_key: str, vacant_position: str) -> None:
    response = httpx.get(
        f"{server}/v1/positions/{vacant_position}/shortlist",
        params={"k": 5},
        headers={"X-API-Key": admin_key},
        timeout=30,
    )
    assert response.status_code == 200 and len(response.json()["candidates"]) > 0


def test_missing_key_over_http_is_401(server: str, vacant_position: str) -> None:
    response = httpx.get(f"{server}/v1/positions/{vacant_position}/shortlist", timeout=30)
    assert response.status_code == 401


def test_audit_export_holds_the_http_request(
    server: str, admin_key: str, world: World, vacant_position: str, tmp_path: Path
) -> None:
    httpx.get(
        f"{server}/v1/positions/{vacant_position}/shortlist",
        headers={"X-API-Key": admin_key},
        timeout=30,
    )
    out = tmp_path / "audit.csv"
    subprocess.run(
        [MUTASI, "audit", "--since", "2000-01-01", "--out", str(out)],
        env=world_env(world),
        check=True,
        capture_output=True,
    )
    assert "integration-admin" in out.read_text()


def test_no_request_fails_during_reload_swaps(
    server: str, admin_key: str, vacant_position: str, world_state: LoadedState
) -> None:
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(headers={"X-API-Key": admin_key}, timeout=60) as http:
            while not stop.is_set():
                url = f"{server}/v1/positions/{vacant_position}/shortlist"
                statuses.append(http.get(url, params={"k": 3}).status_code)

    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for worker in workers:
        worker.start()
    reloads = [
        httpx.post(
            f"{server}/v1/admin/reload", headers={"X-API-Key": admin_key}, timeout=120
        ).json()["reloaded"]
        for _ in range(2)
    ]
    stop.set()
    for worker in workers:
        worker.join()
    assert reloads == [True, True] and statuses and set(statuses) == {200}


def test_every_worker_follows_a_reload(world: World, admin_key: str) -> None:
    port = free_port()
    process = subprocess.Popen(
        [MUTASI, "serve", "--port", str(port), "--workers", "2"],
        env=world_env(world),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        time.sleep(3)  # both workers up
        reloaded = httpx.post(
            f"{base}/v1/admin/reload", headers={"X-API-Key": admin_key}, timeout=120
        ).json()
        time.sleep(8)  # the other worker polls every 2 s, then loads
        generations = {
            httpx.get(f"{base}/readyz", timeout=30).json()["generation"] for _ in range(20)
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert reloaded["reloaded"] is True and len(generations) == 1 and generations != {0}
