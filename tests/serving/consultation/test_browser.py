"""An employee's consultation in a real browser: Debian's chromium driven by Playwright against
`mutasi serve`, with a pegawai key made by `mutasi keys create --role pegawai --nip`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from serving.consultation.service import eligible_positions
from serving.state import LoadedState
from tests.fixtures.server import MUTASI, cli_key, served, world_env
from tests.fixtures.world import World

pytestmark = pytest.mark.integration
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def server(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(world, tmp_path_factory.mktemp("consultation-server") / "serve.log") as base:
        yield base


def _pegawai_key(world: World, nip: str) -> str:
    command = [MUTASI, "keys", "create", "--role", "pegawai", "--name", "browser-pegawai"]
    result = subprocess.run(
        [*command, "--nip", nip], env=world_env(world), capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[0]


def _open_round(server: str, hr_key: str) -> dict:
    start = datetime.now(UTC) - timedelta(minutes=1)
    body = {
        "window_from": start.isoformat(),
        "window_until": (start + timedelta(days=7)).isoformat(),
        "invitation": "Undangan konsultasi mutasi (uji peramban)",
    }
    response = httpx.post(
        f"{server}/v1/consultations", json=body, headers={"X-API-Key": hr_key}, timeout=60
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_an_employee_ranks_three_positions_changes_one_and_the_round_closes(
    world: World, world_state: LoadedState, server: str, employee: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make browser` (installs Debian's chromium)")
    hr_key = cli_key(world, role="hr", name="browser-consultation-hr")
    consultation = _open_round(server, hr_key)
    offers = eligible_positions(world_state, employee, consultation["positions"])
    titles = world_state.lookups.positions.loc[offers[:4]]
    labels = [f"{t} — {u}" for t, u in zip(titles["title"], titles["unit_name"], strict=True)]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.goto(f"{server}/masuk")
        page.get_by_label("Kunci API").fill(_pegawai_key(world, employee))
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(f"{server}/konsultasi")
        for choice, label in enumerate(labels[:3], 1):
            page.get_by_label(f"Pilihan {choice}").first.select_option(label=label)
        page.get_by_label("Saya telah membaca").first.check()
        page.get_by_role("button", name="Kirim jawaban").first.click()
        page.wait_for_url(f"{server}/konsultasi?tersimpan=1")
        page.get_by_label("Pilihan 2").first.select_option(label=labels[3])
        page.get_by_role("button", name="Kirim jawaban").first.click()
        page.wait_for_url(f"{server}/konsultasi?tersimpan=1")
        page.screenshot(path=str(tmp_path / "konsultasi.png"), full_page=True)
        forbidden = page.goto(f"{server}/rencana")
        assert forbidden is not None and forbidden.status == 403
        browser.close()
    answers = httpx.get(
        f"{server}/v1/consultations/{consultation['id']}/answers",
        headers={"X-API-Key": hr_key},
        timeout=60,
    ).json()
    (mine,) = [r for r in answers["respondents"] if r["nip"] == employee]
    assert (mine["positions"], mine["version"]) == ([offers[0], offers[3], offers[2]], 2)
    closed = httpx.post(
        f"{server}/v1/consultations/{consultation['id']}/close",
        headers={"X-API-Key": hr_key},
        timeout=60,
    ).json()
    assert closed["is_open"] is False
