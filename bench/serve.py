"""Benchmark the serving API over HTTP against a running `mutasi serve`, with a concurrent client.

For each pool size (default 10,000 and 100,000 employees) a demo agency is generated and
ingested; the model is trained once on the first (smallest) world and serves every world (the
bundle scores features, not agencies). Then, against a real `mutasi serve` subprocess:

- shortlist latency for random positions, `--concurrency` clients at once (p50, p99);
- POST /v1/risk with 10,000 random pairs and POST /v1/risk/columns with the same pairs as columns
  (taking turns, median of `--risk-repeats` each), with the trees compiled (the default), and
  the row form again from a server with `MUTASI_COMPILED_SCORING=false` (LightGBM);
- the same 10,000 raw pairs through MLflow's pyfunc as the baseline, feature building included
  (`current_pair_features`, then `mlflow.pyfunc.load_model(...).predict` on the frame), and the
  ratios pyfunc / route for both forms, over HTTP and as CPU in process (TestClient);
- the tree-scoring floor (trees x rows x 0.035 us) next to the measured times;
- overload (`--overload-rates`): shortlists offered at a fixed rate (open loop: each request
  leaves on schedule whether or not earlier ones returned), served rate, 503 rejections with
  Retry-After, and p50/p99 of served and of refused requests;
- in-process medians of one shortlist's ranking and of its whole response (people, reasons,
  suggested trainings), and a cProfile of the response (top functions by cumulative time).

    .venv/bin/python bench/serve.py [--sizes 10000,100000] [--requests 200] [--concurrency 2]
                                    [--workers 2] [--overload-rates 10,30 --overload-seconds 20]
                                    [--reuse-home]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.settings import Settings

OUT = Path(__file__).resolve().parent / "out" / "serve"
MUTASI = str(Path(sys.executable).with_name("mutasi"))
TREE_US = 0.035  # µs per tree per row per core (LightGBM, 2-core x86_64)
SEED = 7


def _run(args: list[str], home: Path) -> str:
    env = {**os.environ, "MUTASI_HOME": str(home)}
    done = subprocess.run([MUTASI, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mutasi {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare_world(home: Path, employees: int, *, train: bool, reuse: bool = False) -> float:
    """Generate and ingest a demo agency (and train on it); return seconds spent. With `reuse`,
    a home prepared by an earlier run keeps its @champion and the snapshot ingested from this
    agency is pinned instead (nothing regenerated, retrained or reingested)."""
    started = time.perf_counter()
    data = home / f"agency-{employees}"
    if reuse:
        _run(["snapshots", "--pin", _snapshot_of(home, data.name)], home)
        return time.perf_counter() - started
    if not data.exists():
        _run(["demo-data", str(data), "--employees", str(employees), "--seed", str(SEED)], home)
    if train:
        _run(["train", "--data", str(data)], home)
    else:
        _run(["ingest", str(data)], home)
    return time.perf_counter() - started


def _snapshot_of(home: Path, folder_name: str) -> str:
    """The newest snapshot ingested from a folder of this name."""
    found = sorted(
        manifest.parent.name
        for manifest in (home / "snapshots").glob("*/manifest.json")
        if Path(json.loads(manifest.read_text())["source_folder"]).name == folder_name
    )
    if not found:
        raise SystemExit(f"--reuse-home: no snapshot of {folder_name} in {home}")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    home: Path, *, workers: int, compiled: bool = True
) -> tuple[subprocess.Popen[bytes], str, float]:
    port = _free_port()
    env = {
        **os.environ,
        "MUTASI_HOME": str(home),
        "MUTASI_COMPILED_SCORING": "true" if compiled else "false",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [MUTASI, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    while time.perf_counter() - started < 600:
        try:
            ready = httpx.get(f"{base}/readyz", timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
            continue
        if ready.status_code == 200:
            return process, base, time.perf_counter() - started
        process.terminate()  # the first load is done before the port opens: it failed
        raise SystemExit(f"server not ready: {ready.json()['reason']}")
    process.terminate()
    raise SystemExit("server not ready after 600 s")


def shortlist_latency(
    base: str, key: str, positions: list[str], *, requests: int, concurrency: int
) -> dict[str, float]:
    rng = np.random.default_rng(SEED)
    chosen = [positions[i] for i in rng.integers(0, len(positions), requests)]
    clients = [httpx.Client(headers={"X-API-Key": key}, timeout=120) for _ in range(concurrency)]

    def one(i: int) -> float:
        started = time.perf_counter()
        response = clients[i % concurrency].get(f"{base}/v1/positions/{chosen[i]}/shortlist")
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    for i in range(min(concurrency * 2, requests)):  # warm-up: connections, caches
        one(i)
    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = sorted(pool.map(one, range(requests)))
    wall = time.perf_counter() - wall
    for client in clients:
        client.close()
    return {
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "mean_ms": float(np.mean(latencies)),
        "throughput_rps": requests / wall,
    }


def overload(
    base: str, key: str, positions: list[str], *, rate: float, seconds: float
) -> dict[str, float]:
    """Offer `rate` shortlists per second for `seconds` (open loop); what the server made of it."""
    rng = np.random.default_rng(SEED + 2)
    count = int(rate * seconds)
    chosen = [positions[i] for i in rng.integers(0, len(positions), count)]
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    outcomes: list[tuple[int, float]] = []
    with (
        httpx.Client(headers={"X-API-Key": key}, timeout=300, limits=limits) as client,
        ThreadPoolExecutor(max_workers=256) as pool,
    ):

        def one(position: str) -> None:
            started = time.perf_counter()
            try:
                status = client.get(f"{base}/v1/positions/{position}/shortlist").status_code
            except httpx.TransportError:
                status = 0
            outcomes.append((status, (time.perf_counter() - started) * 1000))

        wall = time.perf_counter()
        for i, position in enumerate(chosen):
            time.sleep(max(0.0, wall + i / rate - time.perf_counter()))
            pool.submit(one, position)
        pool.shutdown(wait=True)
        wall = time.perf_counter() - wall
    served = sorted(ms for status, ms in outcomes if status == 200)
    refused = sorted(ms for status, ms in outcomes if status == 503)

    def pct(values: list[float], q: float) -> float:
        return float(np.percentile(values, q)) if values else float("nan")

    return {
        "offered_rps": rate,
        "requests": count,
        "served_rps": len(served) / wall,
        "served": len(served),
        "rejected_503": len(refused),
        "other": count - len(served) - len(refused),
        "served_p50_ms": pct(served, 50),
        "served_p99_ms": pct(served, 99),
        "rejected_p50_ms": pct(refused, 50),
        "rejected_p99_ms": pct(refused, 99),
    }


def random_pairs(state_nips: np.ndarray, positions: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(SEED + 1)
    return state_nips[rng.integers(0, len(state_nips), n)], positions[
        rng.integers(0, len(positions), n)
    ]


def risk_body(nips: np.ndarray, pids: np.ndarray) -> bytes:
    """The request as a planner's client sends it: encoded once, before the clock starts."""
    pairs = [{"nip": n, "position_id": p} for n, p in zip(nips, pids, strict=True)]
    return json.dumps({"pairs": pairs}).encode()


def risk_columns_body(nips: np.ndarray, pids: np.ndarray) -> bytes:
    """The same pairs in the columnar form (POST /v1/risk/columns)."""
    return json.dumps({"columns": {"nip": nips.tolist(), "position_id": pids.tolist()}}).encode()


RISK_FORMS = {"rows": ("/v1/risk", risk_body), "columns": ("/v1/risk/columns", risk_columns_body)}


def risk_latency(
    base: str, key: str, nips: np.ndarray, pids: np.ndarray, *, repeats: int
) -> dict[str, float]:
    """Median seconds per form (rows, columns) of the same pairs; the forms take turns, so
    both see the same machine."""
    bodies = {form: (path, encode(nips, pids)) for form, (path, encode) in RISK_FORMS.items()}
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    times: dict[str, list[float]] = {form: [] for form in bodies}
    with httpx.Client(headers=headers, timeout=300) as client:
        for _ in range(repeats):
            for form, (path, body) in bodies.items():
                started = time.perf_counter()
                client.post(f"{base}{path}", content=body).raise_for_status()
                times[form].append(time.perf_counter() - started)
    return {form: statistics.median(values) for form, values in times.items()}


def _trees(model: object) -> int:
    """Trees a prediction walks: a fold ensemble counts all its boosters."""
    if hasattr(model, "num_trees"):
        return int(model.num_trees())
    return int(model.booster_.num_trees())  # type: ignore[attr-defined]


def tree_counts(state: object) -> tuple[int, int]:
    scorer = state.bundle.scorer  # type: ignore[attr-defined]
    return _trees(scorer.fit_model_), _trees(scorer.risk_model_)


def pyfunc_baseline(settings: Settings, state: object, nips: np.ndarray, pids: np.ndarray) -> dict:
    """MLflow's own serving path on the same raw pairs: load the pyfunc, build the feature frame
    and predict it (median of 3 of features + predict; each part's median beside it)."""
    import mlflow

    from models.features.build import current_pair_features

    mlflow.set_tracking_uri(settings.tracking_uri)
    started = time.perf_counter()
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@champion")
    load_s = time.perf_counter() - started
    features_times, predict_times = [], []
    for _ in range(3):
        started = time.perf_counter()
        features = current_pair_features(state.context, nips, pids)  # type: ignore[attr-defined]
        features_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.predict(features)
        predict_times.append(time.perf_counter() - started)
    totals = [f + p for f, p in zip(features_times, predict_times, strict=True)]
    return {
        "load_s": load_s,
        "features_s": statistics.median(features_times),
        "predict_s": statistics.median(predict_times),
        "total_s": statistics.median(totals),
    }


def risk_cpu_in_process(
    settings: Settings, state: object, key: str, nips: np.ndarray, pids: np.ndarray
) -> dict:
    """CPU seconds of this process (median of 5) for the route through the app in process
    (TestClient, the request body encoded beforehand; reading the response counted) and for
    MLflow's pyfunc on the same raw pairs (features + predict): a ratio the other sessions'
    load cannot bend. Also, in process, the columnar route's wall and CPU with its pairs
    scored in blocks side by side (as served) and in one piece, and pyfunc's wall."""
    import mlflow
    from fastapi.testclient import TestClient

    from models.features.build import current_pair_features
    from serving.app import create_app
    from serving.routers import risk

    bodies = {form: (path, encode(nips, pids)) for form, (path, encode) in RISK_FORMS.items()}
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    mlflow.set_tracking_uri(settings.tracking_uri)
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@champion")

    def pyfunc() -> None:
        model.predict(current_pair_features(state.context, nips, pids))  # type: ignore[attr-defined]

    app = create_app(settings, initial_state=state)  # type: ignore[arg-type]
    with TestClient(app) as client:

        def route(form: str) -> Callable[[], None]:
            path, body = bodies[form]
            return lambda: client.post(path, content=body, headers=headers).raise_for_status()

        rows_s, columns_s = _median_cpu(route("rows")), _median_cpu(route("columns"))
        pyfunc_s = _median_cpu(pyfunc)
        blocks, served = {}, risk.BLOCK_MIN_PAIRS
        try:
            for label, min_pairs in (("blocks", served), ("one_piece", len(nips) + 1)):
                risk.BLOCK_MIN_PAIRS = min_pairs
                blocks[f"{label}_cpu_s"] = _median_cpu(route("columns"))
                blocks[f"{label}_wall_s"] = _median_ms(route("columns"), repeats=7) / 1000
        finally:
            risk.BLOCK_MIN_PAIRS = served
        pyfunc_wall_s = _median_ms(pyfunc, repeats=5) / 1000
    return {
        "route_cpu_s": rows_s,
        "route_columns_cpu_s": columns_s,
        "pyfunc_cpu_s": pyfunc_s,
        "pyfunc_vs_route": pyfunc_s / rows_s,
        "pyfunc_vs_route_columns": pyfunc_s / columns_s,
        "columns_in_process": {**blocks, "pyfunc_wall_s": pyfunc_wall_s},
    }


def _median_cpu(call: Callable[[], object], *, repeats: int = 5) -> float:
    call()
    times = []
    for _ in range(repeats):
        started = time.process_time()
        call()
        times.append(time.process_time() - started)
    return statistics.median(times)


def _median_ms(call: Callable[[], object], *, repeats: int = 10) -> float:
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def profile_shortlist(state: object, position_id: str, out: Path) -> dict:
    """Median in-process time of the ranking alone and of the whole response (people, reasons,
    suggested trainings), and a cProfile of the whole response."""
    from serving.ranking import ShortlistQuery, shortlist
    from serving.routers.shortlist import _response

    query = ShortlistQuery(position_id=position_id, k=10)

    def respond() -> object:
        return _response(state, query, shortlist(state, query))  # type: ignore[arg-type]

    ranking_ms = _median_ms(lambda: shortlist(state, query))  # type: ignore[arg-type]
    response_ms = _median_ms(respond)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        respond()
    profiler.disable()
    with out.open("w") as handle:
        pstats.Stats(profiler, stream=handle).sort_stats("cumulative").print_stats(40)
    return {
        "in_process_median_ms": ranking_ms,
        "in_process_response_median_ms": response_ms,
        "profile": str(out),
    }


def bench_size(home: Path, employees: int, args: argparse.Namespace, *, train: bool) -> dict:
    from serving.loading import build_state

    result: dict = {
        "employees": employees,
        "prepare_s": prepare_world(home, employees, train=train, reuse=args.reuse_home),
    }
    settings = Settings(home=home)
    state = build_state(settings)
    positions = [str(p) for p in state.lookups.positions.index]
    nips, pids = random_pairs(state.lookups.employees.index.to_numpy(), np.array(positions), 10_000)
    key = _run(
        ["keys", "create", "--role", "admin", "--name", f"bench-{employees}-{time.time()}"], home
    )
    key = key.strip().splitlines()[0]
    process, base, ready_s = start_server(home, workers=args.workers)
    time.sleep(ready_s if args.workers > 1 else 0)  # the other workers load as long as the first
    try:
        result["server_ready_s"] = ready_s
        result["shortlist"] = shortlist_latency(
            base, key, positions, requests=args.requests, concurrency=args.concurrency
        )
        risk = risk_latency(base, key, nips, pids, repeats=args.risk_repeats)
        result["risk_10k_s"], result["risk_10k_columns_s"] = risk["rows"], risk["columns"]
        result["overload"] = [
            overload(base, key, positions, rate=float(rate), seconds=args.overload_seconds)
            for rate in filter(None, args.overload_rates.split(","))
        ]
    finally:
        process.terminate()
        process.wait(timeout=60)
    process, base, _ = start_server(home, workers=1, compiled=False)
    try:
        result["risk_10k_lightgbm_s"] = risk_latency(
            base, key, nips, pids, repeats=args.risk_repeats
        )["rows"]
    finally:
        process.terminate()
        process.wait(timeout=60)
    result["pyfunc_10k"] = pyfunc_baseline(settings, state, nips, pids)
    result["pyfunc_vs_route"] = result["pyfunc_10k"]["total_s"] / result["risk_10k_s"]
    result["pyfunc_vs_route_columns"] = (
        result["pyfunc_10k"]["total_s"] / result["risk_10k_columns_s"]
    )
    result["risk_cpu"] = risk_cpu_in_process(settings, state, key, nips, pids)
    fit_trees, risk_trees = tree_counts(state)
    eligible = state.lookups.employees.shape[0]
    result["trees"] = {"fit": fit_trees, "risk": risk_trees}
    result["floor_ms"] = {
        "risk_10k_both_models": 10_000 * (fit_trees + risk_trees) * TREE_US / 1000,
        "shortlist_fit_over_pool": eligible * fit_trees * TREE_US / 1000,
    }
    position = positions[len(positions) // 2]
    result["in_process"] = profile_shortlist(state, position, OUT / f"profile-{employees}.txt")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--risk-repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="`mutasi serve --workers`")
    parser.add_argument("--overload-rates", default="", help="e.g. 10,30 (shortlists/s offered)")
    parser.add_argument("--overload-seconds", type=float, default=20.0)
    parser.add_argument(
        "--reuse-home",
        action="store_true",
        help="keep the model and snapshots of an earlier run's home (pins each size's snapshot)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    home = OUT / "home"
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [bench_size(home, n, args, train=i == 0) for i, n in enumerate(sizes)]
    if args.reuse_home:
        _run(["snapshots", "--unpin"], home)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    for r in results:
        s = r["shortlist"]
        print(
            f"{r['employees']:>7} employees: shortlist p50 {s['p50_ms']:.0f} ms, "
            f"p99 {s['p99_ms']:.0f} ms, {s['throughput_rps']:.1f} req/s "
            f"(in-process {r['in_process']['in_process_median_ms']:.0f} ms, with the response "
            f"{r['in_process']['in_process_response_median_ms']:.0f} ms); "
            f"risk 10k rows {r['risk_10k_s']:.3f} s, columns {r['risk_10k_columns_s']:.3f} s "
            f"(rows with LightGBM {r['risk_10k_lightgbm_s']:.3f} s); "
            f"pyfunc 10k {r['pyfunc_10k']['total_s']:.3f} s (features "
            f"{r['pyfunc_10k']['features_s']:.3f} + predict {r['pyfunc_10k']['predict_s']:.3f})"
            f"; pyfunc / route rows {r['pyfunc_vs_route']:.1f}x, columns "
            f"{r['pyfunc_vs_route_columns']:.1f}x (CPU in process: rows "
            f"{r['risk_cpu']['route_cpu_s']:.3f} s, columns "
            f"{r['risk_cpu']['route_columns_cpu_s']:.3f} s, pyfunc "
            f"{r['risk_cpu']['pyfunc_cpu_s']:.3f} s: {r['risk_cpu']['pyfunc_vs_route']:.1f}x, "
            f"{r['risk_cpu']['pyfunc_vs_route_columns']:.1f}x); trees fit/risk "
            f"{r['trees']['fit']}/{r['trees']['risk']}; floor risk 10k "
            f"{r['floor_ms']['risk_10k_both_models']:.0f} ms, shortlist fit "
            f"{r['floor_ms']['shortlist_fit_over_pool']:.0f} ms"
        )
        c = r["risk_cpu"]["columns_in_process"]
        print(
            f"  columns in process, blocks side by side / one piece: wall "
            f"{c['blocks_wall_s']:.3f} / {c['one_piece_wall_s']:.3f} s, CPU "
            f"{c['blocks_cpu_s']:.3f} / {c['one_piece_cpu_s']:.3f} s; pyfunc wall "
            f"{c['pyfunc_wall_s']:.3f} s ({c['pyfunc_wall_s'] / c['blocks_wall_s']:.1f}x blocks, "
            f"{c['pyfunc_wall_s'] / c['one_piece_wall_s']:.1f}x one piece)"
        )
        for o in r["overload"]:
            print(
                f"  offered {o['offered_rps']:.0f}/s: served {o['served_rps']:.1f}/s "
                f"(p50 {o['served_p50_ms']:.0f} ms, p99 {o['served_p99_ms']:.0f} ms), "
                f"503 {o['rejected_503']}/{o['requests']} (p50 {o['rejected_p50_ms']:.0f} ms), "
                f"other {o['other']}"
            )


if __name__ == "__main__":
    main()
