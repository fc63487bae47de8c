"""An employee's consultation in a real browser: Debian's chromium driven by Playwright against
`mutasi serve`, with a pegawai key made by `mutasi keys create --role pegawai --nip`."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from serving.audit import AuditTrail
from serving.consultation.service import eligible_positions
from serving.db import make_engine
from serving.state import LoadedState
from tests.fixtures.server import MUTASI, cli_key, served, world_env
from tests.fixtures.world import World

pytestmark = pytest.mark.integration
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
BROWSER_NOTE = "Suami bertugas di Malang sampai 2027"
NIP = re.compile(r"(?<!\d)\d{18}(?!\d)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def server(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(world, tmp_path_factory.mktemp("consultation-server") / "serve.log") as base:
        yield base


def _pegawai_key(world: World, nip: str, label: str = "browser-pegawai") -> str:
    command = [MUTASI, "keys", "create", "--role", "pegawai", "--name", label]
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
        offered = page.get_by_label("Pilihan 1").first.locator("option")
        assert offered.evaluate_all("options => options.map(o => o.value)") == ["", *offers]
        assert set(NIP.findall(page.content())) == {employee}  # only their own record
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


def _sign_in(page: object, server: str, key: str) -> None:
    page.goto(f"{server}/masuk")  # type: ignore[attr-defined]
    page.get_by_label("Kunci API").fill(key)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Masuk").click()  # type: ignore[attr-defined]


def _round_with(server: str, hr_key: str, invitation: str) -> dict:
    response = httpx.get(f"{server}/v1/consultations", headers={"X-API-Key": hr_key}, timeout=60)
    (found,) = [r for r in response.json() if r["invitation"] == invitation]
    return dict(found)


def test_hr_opens_a_round_reads_a_note_under_audit_and_closes_the_round(
    world: World, world_state: LoadedState, server: str, employee: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make browser` (installs Debian's chromium)")
    hr_key = cli_key(world, role="hr", name="browser-consultation-hr-page")
    invitation = f"Putaran dari peramban {datetime.now(UTC).isoformat()}"
    start = datetime.now(UTC) - timedelta(minutes=1)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        _sign_in(page, server, hr_key)
        page.get_by_role("link", name="Konsultasi pegawai").click()
        page.wait_for_url(f"{server}/konsultasi-hr")
        page.get_by_label("Dibuka mulai (UTC)").fill(start.strftime("%Y-%m-%dT%H:%M"))
        until = start + timedelta(days=7)
        page.get_by_label("Ditutup pada (UTC)").fill(until.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Teks undangan").fill(invitation)
        page.get_by_role("button", name="Buka putaran").click()
        page.wait_for_url(f"{server}/konsultasi-hr?dibuka=1")
        consultation = _round_with(server, hr_key, invitation)
        assert consultation["is_open"] and consultation["positions"]

        offers = eligible_positions(world_state, employee, consultation["positions"])
        body = {"consent": True, "positions": offers[:2], "wishes": [], "note": BROWSER_NOTE}
        sent = httpx.put(
            f"{server}/v1/me/consultations/{consultation['id']}",
            json=body,
            headers={"X-API-Key": _pegawai_key(world, employee, "browser-pegawai-hr-story")},
            timeout=60,
        )
        assert sent.status_code == 200, sent.text

        row = page.locator(f'tr:has(a[href="/konsultasi-hr/{consultation["id"]}"])')
        page.reload()
        row.get_by_role("link", name="1").click()
        page.wait_for_url(f"{server}/konsultasi-hr/{consultation['id']}")
        assert employee in page.content() and BROWSER_NOTE not in page.content()
        page.get_by_role("button", name="Baca catatan").click()
        page.get_by_text(BROWSER_NOTE).wait_for()
        page.screenshot(path=str(tmp_path / "catatan.png"), full_page=True)
        reads = AuditTrail(make_engine(world.settings.db_url)).rows(since=start)
        note_reads = [r for r in reads if r["route"] == "/konsultasi-hr/{round_id}/catatan"]
        assert [r["nips"] for r in note_reads][-1:] == [employee]

        page.get_by_role("link", name="Kembali ke responden").click()
        page.get_by_role("link", name="Kembali ke putaran").click()
        page.wait_for_url(f"{server}/konsultasi-hr")
        row.get_by_role("button", name="Tutup").click()
        page.wait_for_url(f"{server}/konsultasi-hr/{consultation['id']}")
        assert "ditutup" in page.content()
        browser.close()
    assert _round_with(server, hr_key, invitation)["is_open"] is False
