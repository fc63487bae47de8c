"""The console in a real browser: Debian's chromium driven by Playwright, against `mutasi serve`.

One browser for the module, a fresh context (cookies) per story, every request to anything but
127.0.0.1 blocked and recorded. Each story saves a screenshot of its page (1366x768) under the
test's temporary folder and prints the path, for a reviewer to look at.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pandas as pd
import pytest
from docx import Document

from serving.state import LoadedState
from tests.fixtures.server import MUTASI, cli_key, served, world_env
from tests.fixtures.world import World

pytestmark = pytest.mark.integration
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(world, tmp_path_factory.mktemp("browser-server") / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def role_keys(world: World) -> dict[str, str]:
    return {
        role: cli_key(world, role=role, name=f"browser-{role}")
        for role in ("hr", "planner", "data")
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make browser` (installs Debian's chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")


class Visit:
    """One user's browser tab: a fresh context, outside requests blocked and recorded."""

    def __init__(self, browser: object, base: str, screens: Path) -> None:
        self.base, self.screens = base, screens
        self.outside: list[str] = []
        self.context = browser.new_context(viewport=SCREEN, accept_downloads=True)  # type: ignore[attr-defined]
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()

    def _only_local(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    def open(self, path: str) -> object:
        return self.page.goto(self.base + path)

    def sign_in(self, key: str) -> None:
        self.open("/masuk")
        self.page.get_by_label("Kunci API").fill(key)
        self.page.get_by_role("button", name="Masuk").click()
        self.page.wait_for_url(self.base + "/")

    def screenshot(self, name: str) -> Path:
        path = self.screens / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path


@pytest.fixture
def visit(browser: object, server: str, screens: Path) -> Iterator[Callable[[], Visit]]:
    visits: list[Visit] = []

    def new_visit() -> Visit:
        visits.append(Visit(browser, server, screens))
        return visits[-1]

    yield new_visit
    for v in visits:
        v.context.close()
    assert all(not v.outside for v in visits), [v.outside for v in visits]


def _api_nips(server: str, key: str, position_id: str) -> list[str]:
    response = httpx.get(
        f"{server}/v1/positions/{position_id}/shortlist",
        params={"k": 10, "include_ineligible": True},
        headers={"X-API-Key": key},
        timeout=60,
    )
    return [c["nip"] for c in response.json()["candidates"]]


def test_hr_officer_signs_in_and_sees_the_dashboard(
    visit: Callable[[], Visit], role_keys: dict[str, str]
) -> None:
    tab = visit()
    tab.sign_in(role_keys["hr"])
    assert tab.page.get_by_role("heading", name="Dasbor").is_visible()
    assert tab.page.get_by_role("img", name=re.compile("Kebutuhan dan jumlah pegawai")).is_visible()
    tab.screenshot("dasbor")


def test_hr_officer_opens_a_shortlist_that_matches_the_api(
    visit: Callable[[], Visit], role_keys: dict[str, str], server: str, vacant_position: str
) -> None:
    tab = visit()
    tab.sign_in(role_keys["hr"])
    tab.page.get_by_label("Buka jabatan").fill(vacant_position)
    tab.page.get_by_role("button", name="Buka").first.click()
    tab.page.wait_for_url(re.compile(f"/jabatan/{vacant_position}$"))
    table = tab.page.get_by_role("table").first
    hrefs = [a.get_attribute("href") for a in table.get_by_role("link").all()]
    shown = [re.search(r"/pegawai/(\d+)", h or "").group(1) for h in hrefs]  # type: ignore[union-attr]
    tab.screenshot("jabatan")
    assert shown == _api_nips(server, role_keys["hr"], vacant_position)


def test_hr_officer_downloads_a_shortlist_as_excel(
    visit: Callable[[], Visit], role_keys: dict[str, str], server: str, vacant_position: str
) -> None:
    tab = visit()
    tab.sign_in(role_keys["hr"])
    tab.open(f"/jabatan/{vacant_position}")
    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name="Unduh Excel").click()
    sheet = pd.read_excel(download.value.path(), sheet_name="kandidat", dtype={"nip": str})
    assert sheet["nip"].tolist() == _api_nips(server, role_keys["hr"], vacant_position)


def test_hr_officer_reads_an_employee_and_a_training_plan(
    visit: Callable[[], Visit],
    role_keys: dict[str, str],
    world_state: LoadedState,
    vacant_position: str,
) -> None:
    nip = str(world_state.lookups.employees.index[0])
    tab = visit()
    tab.sign_in(role_keys["hr"])
    tab.open(f"/pegawai/{nip}")
    tab.page.get_by_label("Jabatan tujuan").fill(vacant_position)
    tab.page.get_by_role("button", name="Tampilkan").click()
    assert tab.page.get_by_text("Fit sekarang").is_visible()
    tab.screenshot("pegawai")


def test_hr_officer_opens_the_employees_explanation_for_a_position(
    visit: Callable[[], Visit],
    role_keys: dict[str, str],
    world_state: LoadedState,
    vacant_position: str,
) -> None:
    nip = str(world_state.lookups.employees.index[0])
    tab = visit()
    tab.sign_in(role_keys["hr"])
    tab.open(f"/pegawai/{nip}?jabatan={vacant_position}")
    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name="Unduh penjelasan").click()
    paragraphs = [p.text for p in Document(download.value.path()).paragraphs]
    tab.page.get_by_role("link", name="Penjelasan untuk pegawai").click()
    heading = tab.page.get_by_role("heading", name="Penjelasan rekomendasi mutasi")
    tab.screenshot("penjelasan")
    assert heading.is_visible() and "Penjelasan rekomendasi mutasi" in paragraphs


def test_hr_officer_finds_a_position_by_title_and_an_employee_by_name(
    visit: Callable[[], Visit],
    role_keys: dict[str, str],
    world_state: LoadedState,
    vacant_position: str,
) -> None:
    position = world_state.lookups.positions.loc[vacant_position]
    nip = str(world_state.lookups.employees.index[3])
    name = str(world_state.lookups.employees.loc[nip, "name"])
    tab = visit()
    tab.sign_in(role_keys["hr"])
    tab.page.get_by_role("textbox", name=re.compile("Cari jabatan")).fill(
        f"{position['title']} {position['unit_name']}"
    )
    tab.page.get_by_role("search", name=re.compile("Cari jabatan")).get_by_role("button").click()
    row = tab.page.get_by_role("row").filter(has_text=vacant_position)
    assert row.get_by_role("link").get_attribute("href") == f"/jabatan/{vacant_position}"
    tab.page.get_by_role("textbox", name=re.compile("Nama pegawai")).fill(name.lower())
    tab.page.get_by_role("search", name=re.compile("Cari pegawai")).get_by_role("button").click()
    tab.screenshot("cari")
    assert tab.page.get_by_role("link", name=name).first.is_visible()
    assert name not in tab.page.url


def test_planner_uploads_a_draft_decree_and_sees_the_bad_row_located(
    visit: Callable[[], Visit],
    role_keys: dict[str, str],
    world_state: LoadedState,
    vacant_position: str,
    tmp_path: Path,
) -> None:
    nips = [str(n) for n in world_state.lookups.employees.index[:3]]
    draft = tmp_path / "draf.csv"
    rows = [nips[0], "19850312", nips[1], nips[2]]
    draft.write_text("nip;position_id\n" + "".join(f"{n};{vacant_position}\n" for n in rows))
    tab = visit()
    tab.sign_in(role_keys["planner"])
    tab.page.get_by_role("link", name="Cek risiko").click()
    tab.page.get_by_label("Berkas draf").set_input_files(str(draft))
    tab.page.get_by_role("button", name="Periksa").click()
    assert tab.page.get_by_text("draf.csv:3:nip").is_visible()
    with tab.page.expect_download() as download:
        tab.page.get_by_role("button", name="Unduh hasil").click()
    results = pd.read_excel(download.value.path(), sheet_name="hasil", dtype={"nip": str})
    tab.screenshot("cek-risiko")
    assert results["nip"].tolist() == [nips[0], nips[1], nips[2]]


_plan_urls: list[str] = []


def _run_small_plan(tab: Visit) -> str:
    """Run a small plan from the plan form (once per module) and return its page's URL."""
    if not _plan_urls:
        tab.page.get_by_role("link", name="Rencana mutasi").click()
        tab.page.get_by_label("Batas waktu solver").fill("15")
        tab.page.get_by_role("button", name="Jalankan rencana").click()
        tab.page.wait_for_url(re.compile(r"/rencana/jalan/"))
        tab.screenshot("rencana-berjalan")
        tab.page.wait_for_url(re.compile(r"/rencana/[0-9a-zA-Z_-]+$"), timeout=180_000)
        _plan_urls.append(tab.page.url)
    else:
        tab.page.goto(_plan_urls[0])
    return _plan_urls[0]


def test_planner_runs_a_small_plan_and_downloads_the_draft_decree(
    visit: Callable[[], Visit], role_keys: dict[str, str]
) -> None:
    tab = visit()
    tab.sign_in(role_keys["planner"])
    _run_small_plan(tab)
    summary = tab.page.get_by_text(re.compile(r"^\d+ mutasi · metode")).inner_text()
    moves = int(summary.split()[0])
    tab.screenshot("rencana")
    with tab.page.expect_download() as download:
        tab.page.get_by_role("button", name="Unduh draf SK mutasi").click()
    lampiran = Document(download.value.path()).tables[0]
    assert len(lampiran.rows) - 1 == moves


def _decisions_since_today(world: World) -> list[dict[str, str]]:
    result = subprocess.run(
        [MUTASI, "decisions", "--since", datetime.now(UTC).date().isoformat()],
        env=world_env(world),
        capture_output=True,
        text=True,
        check=True,
    )
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_planner_adopts_one_move_and_rejects_another_with_a_reason(
    visit: Callable[[], Visit], role_keys: dict[str, str], world: World
) -> None:
    tab = visit()
    tab.sign_in(role_keys["planner"])
    plan_id = _run_small_plan(tab).rsplit("/", 1)[1]
    forms = tab.page.get_by_role("form", name=re.compile(r"^Keputusan mutasi"))
    forms.nth(0).get_by_role("button", name="Terima").click()
    tab.page.wait_for_load_state()
    second = forms.nth(1)
    second.get_by_role("button", name="Tolak").click()  # no reason yet: refused, located
    alert = tab.page.get_by_role("alert").filter(has_text="Keputusan tidak dicatat").inner_text()
    assert "alasan wajib" in alert and "Mutasi" in alert
    tab.screenshot("rencana-alasan-wajib")
    second = tab.page.get_by_role("form", name=re.compile(r"^Keputusan mutasi")).nth(1)
    second.get_by_role("textbox", name=re.compile("Alasan")).fill("Pegawai sedang tugas belajar")
    second.get_by_role("button", name="Tolak").click()
    tab.page.wait_for_load_state()
    assert tab.page.get_by_text("ditolak / rejected").first.is_visible()
    tab.screenshot("rencana-keputusan")
    recorded = [r for r in _decisions_since_today(world) if r["plan_id"] == plan_id]
    kinds = sorted((r["decision"], r["source"], r["reason"]) for r in recorded)
    assert kinds == [
        ("adopted", "plan", ""),
        ("rejected", "plan", "Pegawai sedang tugas belajar"),
    ]


def test_planner_cannot_open_the_model_page(
    visit: Callable[[], Visit], role_keys: dict[str, str]
) -> None:
    tab = visit()
    tab.sign_in(role_keys["planner"])
    response = tab.open("/model")
    tab.screenshot("model-403")
    assert response.status == 403 and tab.page.get_by_text("Akses ditolak").is_visible()  # type: ignore[attr-defined]


def test_data_team_sees_versions_and_figures(
    visit: Callable[[], Visit], role_keys: dict[str, str]
) -> None:
    tab = visit()
    tab.sign_in(role_keys["data"])
    tab.open("/model")
    assert tab.page.get_by_role("img", name=re.compile("Kurva kalibrasi")).is_visible()
    tab.screenshot("model")


def test_planner_reviews_last_years_moves_and_sees_who_needs_coaching(
    visit: Callable[[], Visit], role_keys: dict[str, str]
) -> None:
    tab = visit()
    tab.sign_in(role_keys["planner"])
    tab.page.get_by_role("link", name=re.compile("Evaluasi")).click()
    tab.page.get_by_label("Tanggal SK sejak").fill("2024-01-01")
    tab.page.get_by_role("button", name=re.compile("Tampilkan")).click()
    assert tab.page.get_by_role("heading", name=re.compile("Di bawah harapan")).is_visible()
    assert tab.page.get_by_role("img", name=re.compile("Perkiraan dan SKP")).is_visible()
    assert tab.page.get_by_text(re.compile("Putusan pemantauan")).is_visible()
    tab.screenshot("evaluasi")


def test_docs_render_with_the_network_cut_off(visit: Callable[[], Visit]) -> None:
    tab = visit()
    tab.open("/docs")
    tab.page.get_by_text("/v1/positions/{position_id}/shortlist").first.wait_for()
    tab.screenshot("docs")
    tab.open("/redoc")
    tab.page.get_by_role("heading", name=re.compile("Mutasi API")).first.wait_for()
    tab.screenshot("redoc")
    assert tab.outside == []


def test_signing_out_returns_to_the_sign_in_page(
    visit: Callable[[], Visit], role_keys: dict[str, str], server: str
) -> None:
    tab = visit()
    tab.sign_in(role_keys["hr"])
    tab.page.get_by_role("button", name="Keluar").click()
    assert tab.page.get_by_text("Anda sudah keluar").is_visible()
    tab.open("/")
    assert tab.page.url == server + "/masuk"
