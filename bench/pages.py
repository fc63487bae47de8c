"""Benchmark the console's pages: server time of each page on a demo world (default 10,000).

The world is generated and trained once under `--home` (`mutasi demo-data`, `mutasi train`),
then served in-process by the real app (create_app with the loaded state) through Starlette's
TestClient: each request goes through the whole ASGI stack (session, audit write, rendering)
without a network in between, so the time is the server's. Median and max of `--repeats`
requests per page, after one warm-up. A round plan is timed once on its own (it runs in a
background job while its progress page polls).

    .venv/bin/python bench/pages.py [--employees 10000] [--repeats 7] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from pipelines.settings import Settings
from serving.app import create_app
from serving.auth import Role, create_key
from serving.demo import demo_position
from serving.loading import build_state

MUTASI = str(Path(sys.executable).with_name("mutasi"))
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TOKEN = re.compile(r'name="rekomendasi" value="([^"]+)"')
SEED = 7


def prepare(home: Path, employees: int) -> Settings:
    env = {**os.environ, "MUTASI_HOME": str(home)}
    data = home.parent / f"agency-{employees}"
    if not (home / "mlflow.db").exists():
        for args in (
            ["demo-data", str(data), "--employees", str(employees), "--seed", str(SEED)],
            ["train", "--data", str(data)],
        ):
            subprocess.run([MUTASI, *args], env=env, check=True, capture_output=True)
    return Settings(home=home)


def signed_in(app: object, key: str) -> TestClient:
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = client.get("/masuk").text
    client.post("/masuk", data={"api_key": key, "csrf": CSRF.search(form).group(1)})  # type: ignore[union-attr]
    return client


def timed(
    client: TestClient, method: str, path: str, repeats: int, **kwargs: object
) -> list[float]:
    client.request(method, path, **kwargs)  # type: ignore[arg-type]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: {response.status_code}")
    return times


def run_plan(client: TestClient) -> tuple[str, float]:
    form = client.get("/rencana").text
    started = time.perf_counter()
    answer = client.post(
        "/rencana",
        data={"csrf": CSRF.search(form).group(1), "batas_waktu": "120"},  # type: ignore[union-attr]
        follow_redirects=False,
    )
    job = answer.headers["location"]
    while not (status := client.get(f"{job}/status").json())["done"]:
        time.sleep(0.5)
    if not status["result"]:
        raise SystemExit(f"plan failed: {status['error']}")
    return str(status["result"]), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--home", type=Path, default=Path("bench/out/pages/home"))
    args = parser.parse_args()
    settings = prepare(args.home.resolve(), args.employees)
    state = build_state(settings)
    app = create_app(settings, initial_state=state)
    with TestClient(app):
        keys = {
            r: create_key(app.state.engine, role=r, label=f"bench-{r}-{time.time_ns()}")
            for r in (Role.HR, Role.PLANNER, Role.DATA)
        }
        hr, planner, data = (signed_in(app, keys[r]) for r in (Role.HR, Role.PLANNER, Role.DATA))
        position = demo_position(state)
        nip = str(state.lookups.employees.index[0])
        draft_rows = "".join(
            f"{n};{position}\n" for n in state.lookups.employees.index[:100].astype(str)
        )
        risk_form = planner.get("/cek-risiko").text
        plan_id, plan_seconds = run_plan(planner)
        plan_page = planner.get(f"/rencana/{plan_id}").text
        token = TOKEN.search(plan_page).group(1)  # type: ignore[union-attr]
        name = str(state.lookups.employees.iloc[0]["name"]).split()[0]
        title = str(state.lookups.positions.loc[position, "title"]).split()[0]
        hr_csrf = CSRF.search(hr.get("/").text).group(1)  # type: ignore[union-attr]
        pages = [
            ("GET /", hr, "GET", "/", {}),
            ("GET /jabatan/{id}", hr, "GET", f"/jabatan/{position}", {}),
            ("GET /jabatan/{id}/unduh.xlsx", hr, "GET", f"/jabatan/{position}/unduh.xlsx", {}),
            ("GET /pegawai/{nip}", hr, "GET", f"/pegawai/{nip}", {}),
            ("GET /pegawai/{nip}?jabatan=", hr, "GET", f"/pegawai/{nip}?jabatan={position}", {}),
            (
                "GET /pegawai/{nip}/penjelasan",
                hr,
                "GET",
                f"/pegawai/{nip}/penjelasan?jabatan={position}",
                {},
            ),
            ("GET /cari?q= (position words)", hr, "GET", f"/cari?q={title}", {}),
            (
                "POST /cari/pegawai (a first name)",
                hr,
                "POST",
                "/cari/pegawai",
                {"data": {"csrf": hr_csrf, "nama": name}},
            ),
            (
                "POST /cek-risiko (100 rows)",
                planner,
                "POST",
                "/cek-risiko",
                {
                    "data": {"csrf": CSRF.search(risk_form).group(1)},  # type: ignore[union-attr]
                    "files": {"berkas": ("d.csv", f"nip;position_id\n{draft_rows}".encode())},
                },
            ),
            ("GET /rencana", planner, "GET", "/rencana", {}),
            ("GET /rencana/{id}", planner, "GET", f"/rencana/{plan_id}", {}),
            ("GET /rencana/{id}?halaman=5", planner, "GET", f"/rencana/{plan_id}?halaman=5", {}),
            (
                "POST /rencana/{id}/keputusan (adopt, then 303)",
                planner,
                "POST",
                f"/rencana/{plan_id}/keputusan",
                {
                    "data": {
                        "csrf": CSRF.search(plan_page).group(1),  # type: ignore[union-attr]
                        "rekomendasi": token,
                        "keputusan": "adopted",
                    },
                    "follow_redirects": False,
                },
            ),
            ("GET /rencana/{id}/unduh.xlsx", planner, "GET", f"/rencana/{plan_id}/unduh.xlsx", {}),
            ("GET /rencana/{id}/sk.docx", planner, "GET", f"/rencana/{plan_id}/sk.docx", {}),
            ("GET /model", data, "GET", "/model", {}),
            ("GET /docs", data, "GET", "/docs", {}),
        ]
        print(f"{args.employees} employees, {args.repeats} requests per page (after a warm-up)")
        print("| page | median ms | max ms |\n|---|---:|---:|")
        for label, client, method, path, kwargs in pages:
            times = timed(client, method, path, args.repeats, **kwargs)
            print(f"| `{label}` | {statistics.median(times):.0f} | {max(times):.0f} |")
        print(f"| `POST /rencana` (whole run, until the plan page) | {plan_seconds * 1000:.0f} | |")


if __name__ == "__main__":
    main()
