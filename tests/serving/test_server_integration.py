"""A real `mutasi serve` in a subprocess, called over HTTP on a free 127.0.0.1 port."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from serving.state import LoadedState
from tests.fixtures.server import DEADLINE_SECONDS, MUTASI, cli_key, served, world_env
from tests.fixtures.world import World

T = TypeVar("T")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every server of this module writes its log (stdout and stderr)."""
    return tmp_path_factory.mktemp("server-logs")


@contextmanager
def _serving(world: World, logs: Path, *args: str) -> Iterator[str]:
    with served(world, logs / f"serve-{uuid.uuid4().hex[:8]}.log", *args) as base:
        yield base


@pytest.fixture(scope="module")
def server(world: World, server_logs: Path) -> Iterator[str]:
    with _serving(world, server_logs) as base:
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


def test_every_worker_follows_a_reload(world: World, admin_key: str, server_logs: Path) -> None:
    with _serving(world, server_logs, "--workers", "2") as base:
        reloaded = httpx.post(
            f"{base}/v1/admin/reload", headers={"X-API-Key": admin_key}, timeout=DEADLINE_SECONDS
        ).json()
        # The other worker polls every 2 s, then loads: wait until 20 answers in a row agree.
        generations = _wait_for(
            lambda: {
                httpx.get(f"{base}/readyz", timeout=30).json()["generation"] for _ in range(20)
            },
            until=lambda seen: len(seen) == 1 and seen != {0},
            what="every worker to follow the reload",
        )
    assert reloaded["reloaded"] is True and len(generations) == 1


def test_server_logs_hold_no_nip_or_name(
    server: str, admin_key: str, server_logs: Path, world_state: LoadedState
) -> None:
    """Run the personal-data routes, refusals included, then grep every log of this module."""
    employees = world_state.lookups.employees
    nips = [str(nip) for nip in employees.index]
    with httpx.Client(base_url=server, headers={"X-API-Key": admin_key}, timeout=60) as http:
        for nip in nips[:25]:
            http.get(f"/v1/employees/{nip}")
            http.get(f"/v1/employees/{nip}/training-plan", params={"position_id": "nope"})
        http.get("/v1/employees/199912312020121999")  # unknown: 404 naming it to the caller
        http.post("/v1/risk", json={"pairs": [{"nip": nips[0], "position_id": "nope"}]})
        http.post("/v1/risk", content=b'{"pairs": [{"nip": "' + nips[1].encode() + b'"')
        httpx.get(f"{server}/v1/employees/{nips[2]}", headers={"X-API-Key": "mts_wrong"})
    names = [str(name) for name in employees["name"].dropna()]
    logged = "\n".join(path.read_text() for path in server_logs.glob("*.log"))
    leaked = [value for value in [*nips, "199912312020121999", *names] if value in logged]
    assert logged and leaked == []


def _wait_for(probe: Callable[[], T], *, until: Callable[[T], bool], what: str) -> T:
    """Poll `probe` until `until` holds; fail after DEADLINE_SECONDS (a deadline, not a timing)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            value = probe()
            if until(value):
                return value
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"gave up waiting for {what} after {DEADLINE_SECONDS:.0f} s")
