"""Profile and time the plan's candidate search, partition by partition, on an ingested agency.

Uses the current snapshot and the @champion of MUTASI_HOME (compiled boosters, as `mutasi plan`
does). Slots: the shortage positions in random order (`--seed`) until `--slots` open slots
(the last position's count cut to fit), written to `--slots-out` for `mutasi plan --slots`.
Partitions are those of the first search round (models/planning/partition.py), default config.

    MUTASI_HOME=... nice -n 10 .venv/bin/python bench/pool.py --partitions 0,5 [--profile]
        [--pool-out pool.pkl] [--slots-out slots.csv]
    MUTASI_HOME=... nice -n 10 .venv/bin/python bench/pool.py --round [--dask-workers 2]
        [--pool-out pool.pkl]

    MUTASI_HOME=... nice -n 10 .venv/bin/python bench/pool.py --slots 10000 --compare 2,1,0
        [--grade-window 2] [--same-job-type]

`--compare` runs the whole `candidate_pool` once per listed runner (a LocalCluster of N workers,
0 = in process) after one setup, and prints per run the wall and CPU time (command and workers),
each process's peak RSS (VmHWM, reset between runs) and whether the pools are equal.
`--round` times the whole `candidate_pool` instead (both search rounds, merge, the pool's full
scoring), in process or on a LocalCluster of `--dask-workers` processes (their CPU counted
once they exit).

Per partition it prints the pairs checked (movers x targets), CPU and wall seconds and CPU µs
per pair; `--profile` prints the cProfile of the partitions run (top 30 by cumulative time).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.features.build import FeatureContext
from models.planning.partition import CandidateSearch, partition_targets
from models.planning.pool import PoolConfig
from models.planning.round import candidate_pool, run_in_process
from models.planning.staffing import position_balance
from models.scoring.policy import PolicyConfig
from pipelines.compiled import compile_for_context
from pipelines.distributed import cluster_client, dask_runner
from pipelines.registry import load_champion
from pipelines.settings import get_settings
from pipelines.snapshots import load_snapshot


def shortage_slots(staffing: pd.DataFrame, *, slots: int, seed: int) -> pd.DataFrame:
    """Shortage positions in random order until `slots` open slots."""
    short = staffing.loc[staffing["shortage"] > 0, ["position_id", "shortage"]]
    short = short.iloc[np.random.default_rng(seed).permutation(len(short))]
    before = short["shortage"].cumsum().to_numpy() - short["shortage"].to_numpy()
    short = short.loc[before < slots]
    counts = np.minimum(short["shortage"].to_numpy(), slots - before[: len(short)])
    return pd.DataFrame({"position_id": short["position_id"].to_numpy(), "open_count": counts})


def _cpu() -> float:
    """CPU seconds of this process and of its exited children (Dask workers)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_rss_gib() -> float:
    """This process's peak RSS since the last `_reset_peak_rss` (VmHWM), GiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _process_usage() -> tuple[float, float]:
    """(CPU s, peak RSS GiB) of the calling process: run on every Dask worker."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime, _peak_rss_gib()


def _pairs_checked(search: CandidateSearch, targets: np.ndarray) -> int:
    """(mover x target) pairs that pass the pre-filter (grade window, job family)."""
    return sum(len(people) * len(group) for people, group in search._groups(targets))


def _compare(args: argparse.Namespace, ctx, scorer, data, staffing, slots) -> None:
    """The whole candidate_pool once per runner in `--compare` (2 = a LocalCluster of two
    workers, 0 = in process), in one process after one setup; pools checked equal."""
    config = PoolConfig(grade_window=args.grade_window, same_job_type=args.same_job_type)
    pools = {}
    for workers in (int(w) for w in args.compare.split(",")):
        _reset_peak_rss()
        cpu, wall = _cpu(), time.perf_counter()
        with contextlib.ExitStack() as stack:
            runner, client = run_in_process, None
            if workers:
                client = stack.enter_context(cluster_client(workers=workers))
                runner = dask_runner(client)
            pool = _pool(ctx, scorer, data, staffing, slots, config, runner)
            usage = client.run(_process_usage) if client else {}
        wall = time.perf_counter() - wall
        command_cpu = _cpu() - cpu - sum(u[0] for u in usage.values())  # exited workers counted
        worker_cpu = sum(u[0] for u in usage.values())
        pools[workers] = pool
        print(
            f"{workers or 'in process'} workers: pool {len(pool):,} pairs; wall {wall:.1f} s; "
            f"CPU command {command_cpu:.1f} s + workers {worker_cpu:.1f} s; peak RSS command "
            f"{_peak_rss_gib():.2f} GiB, workers "
            f"{', '.join(f'{u[1]:.2f}' for u in usage.values()) or '-'} GiB; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            flush=True,
        )
    first, *others = pools.values()
    for other in others:
        pd.testing.assert_frame_equal(other, first)
    print(f"pools equal: {len(pools)} runs", flush=True)


def _pool(ctx, scorer, data, staffing, slots, config, runner):
    """The round's whole candidate pool under the default policy, on `runner`."""
    return candidate_pool(
        ctx,
        scorer,
        data=data,
        staffing=staffing,
        slots=slots,
        policy=PolicyConfig(),
        config=config,
        runner=runner,
    )


def _round(args: argparse.Namespace, ctx, scorer, data, staffing, slots) -> None:
    """The whole candidate_pool, timed."""
    cpu, wall = _cpu(), time.perf_counter()
    with contextlib.ExitStack() as stack:
        runner = run_in_process
        if args.dask_workers:
            client = stack.enter_context(cluster_client(workers=args.dask_workers))
            runner = dask_runner(client)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        config = PoolConfig(grade_window=args.grade_window, same_job_type=args.same_job_type)
        pool = _pool(ctx, scorer, data, staffing, slots, config, runner)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    print(
        f"candidate_pool ({args.dask_workers or 'in process'} workers): {len(pool):,} pairs; "
        f"CPU {cpu:.1f} s, wall {wall:.1f} s; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; peak RSS (this process) "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB",
        flush=True,
    )
    if args.pool_out:
        pool.to_pickle(args.pool_out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--partitions", default="0", help="Comma-separated indices, or 'all'.")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pool-out", type=Path)
    parser.add_argument("--slots-out", type=Path)
    parser.add_argument("--round", action="store_true")
    parser.add_argument("--dask-workers", type=int, default=0)
    parser.add_argument("--compare", help="Comma-separated worker counts, 0 = in process.")
    parser.add_argument("--grade-window", type=int)
    parser.add_argument("--same-job-type", action="store_true")
    args = parser.parse_args()

    settings = get_settings()
    start = time.perf_counter()
    snapshot = load_snapshot(settings=settings)
    data = snapshot.data
    ctx = FeatureContext.build(data, snapshot.as_of(settings))
    scorer = compile_for_context(load_champion(settings).scorer, ctx, settings=settings).scorer
    staffing = position_balance(data.positions, data.employees)
    slots = shortage_slots(staffing, slots=args.slots, seed=args.seed)
    if args.slots_out:
        slots.to_csv(args.slots_out, index=False)
    surplus = staffing.set_index("position_id")["surplus"]
    people = data.employees[["nip", "position_id"]].astype("string")
    free = people.loc[people["position_id"].map(surplus).fillna(0).to_numpy() > 0, "nip"]
    config = PoolConfig(grade_window=args.grade_window, same_job_type=args.same_job_type)
    search = CandidateSearch.build(
        ctx, scorer, data=data, free_nips=pd.Index(free), policy=PolicyConfig(), config=config
    )
    targets = np.asarray(slots["position_id"].unique(), dtype=object)
    partitions = partition_targets(data, targets, top_m=config.top_m, top_k_free=config.top_k_free)
    movers = len(search.movers)
    print(
        f"setup {time.perf_counter() - start:.1f} s, CPU {_cpu():.1f} s, peak RSS "
        f"{_peak_rss_gib():.2f} GiB: {len(data.employees):,} employees, {movers:,} may move, "
        f"{int(slots['open_count'].sum()):,} slots on {len(targets)} positions, "
        f"{len(partitions)} partitions, {movers * len(targets):,} pairs, "
        f"{_pairs_checked(search, targets):,} after the pre-filter (first round)",
        flush=True,
    )
    if args.round:
        _round(args, ctx, scorer, data, staffing, slots)
        return
    if args.compare:
        del search
        _compare(args, ctx, scorer, data, staffing, slots)
        return
    print("positions per partition:", [len(p.targets) for p in partitions], flush=True)
    chosen = (
        range(len(partitions))
        if args.partitions == "all"
        else [int(i) for i in args.partitions.split(",")]
    )
    profiler = cProfile.Profile() if args.profile else None
    kept, total_pairs, total_cpu = [], 0, 0.0
    for i in chosen:
        partition = partitions[i]
        pairs = movers * len(partition.targets)
        cpu, wall = _cpu(), time.perf_counter()
        if profiler:
            profiler.enable()
        frame = search.candidates(partition)
        if profiler:
            profiler.disable()
        cpu, wall = _cpu() - cpu, time.perf_counter() - wall
        total_pairs, total_cpu = total_pairs + pairs, total_cpu + cpu
        kept.append(frame.assign(partition=i))
        print(
            f"partition {i} {partition.key}: {len(partition.targets)} positions, {pairs:,} "
            f"pairs, kept {len(frame):,}; CPU {cpu:.2f} s, wall {wall:.2f} s, "
            f"{1e6 * cpu / max(pairs, 1):.2f} µs CPU/pair",
            flush=True,
        )
    print(
        f"total: {total_pairs:,} pairs, CPU {total_cpu:.1f} s, "
        f"{1e6 * total_cpu / max(total_pairs, 1):.2f} µs CPU/pair; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB"
    )
    if args.pool_out:
        pd.concat(kept, ignore_index=True).to_pickle(args.pool_out)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
