"""A round's candidate search on a Dask cluster: one task per job-family-and-region partition.

`dask_runner` returns a `PartitionRunner` for `plan_round`: the search (scorer, movers, and a
feature context of the movers' rows only: `CandidateSearch.movers_only`) is sent once per round
to every worker (`scatter(broadcast=True)`, shared by both search rounds), then each partition
is a task calling the pure `CandidateSearch.kept` (models/planning/partition.py). Each result
(integer codes, ~26 bytes a pair) is fetched when it is finished and the merge is ready for it,
folded into the round's merge and released, so the client holds the merge and one result, not
every partition's (finished results wait on their workers meanwhile); the merge does not
depend on the order, so the pool equals the in-process one. The compiled boosters
travel as their text and are loaded from the compiled cache (or recompiled) once per worker and
round (pipelines/compiled.py).

`cluster_client` connects to a running scheduler (`--dask-scheduler tcp://host:8786`) or starts
a `LocalCluster` of worker processes on this machine, and closes what it started.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from models.planning.partition import CandidateSearch, KeptPairs, Partition
from models.planning.round import PartitionRunner, run_in_process

logger = logging.getLogger(__name__)

# Below this many (employee x open position) pairs a round runs in process: starting workers and
# shipping the context to them costs more than it saves. On the 100k agency (37M pairs, 2 shared
# cores) the whole pool took 55 s CPU / 179 s wall in process against 103 s CPU / 176 s wall on
# a two-worker LocalCluster (bench/README.md): one machine gains nothing; a national round needs
# a cluster (and its kept rows bounded: bench/README.md, "the 1M-employee national round").
DASK_MIN_PAIRS = 500_000_000

# Dask starts its worker processes with MALLOC_TRIM_THRESHOLD_=65536 (to hand freed memory back
# to the OS). Setting it turns off glibc's adaptive mmap threshold, so every temporary array over
# 128 KiB is mapped and page-faulted afresh: our chunked numpy search then costs 2.5-3x the CPU
# it costs in process (bench/README.md, "Dask on one machine"). The search's memory is
# bounded by its chunks, so our local workers keep glibc's defaults, as the command itself does.
WORKER_MALLOC_SETTING = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"

Progress = Callable[[int, int], None]  # (partitions done, partitions in all)


@contextmanager
def cluster_client(
    scheduler: str | None = None, *, workers: int = 2, processes: bool = True
) -> Iterator[Any]:
    """A `distributed.Client` on `scheduler`, or on a LocalCluster of `workers` single-threaded
    workers (closed on exit)."""
    import dask
    from distributed import Client, LocalCluster

    # The cluster's own INFO lines (workers registering, connections) would bury the command's.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        dask.config.set({WORKER_MALLOC_SETTING: None}),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def dask_runner(client: Any, *, progress: Progress | None = None) -> PartitionRunner:
    """A PartitionRunner that runs each partition as a task on `client`'s cluster."""

    sent: dict[str, Any] = {}  # the search last sent and its future: both rounds share it

    def run(
        search: CandidateSearch, partitions: list[Partition]
    ) -> Iterator[tuple[int, KeptPairs]]:
        if not partitions:
            return
        from distributed import as_completed

        if sent.get("search") is not search:
            sent.clear()  # the previous round's copy is released on the workers
            _warn_on_trimmed_malloc(client)
            sent["search"] = search
            sent["shared"] = client.scatter(search.movers_only(), broadcast=True, hash=False)
        futures = client.map(_kept, partitions, search=sent["shared"], pure=False)
        number = {future.key: i for i, future in enumerate(futures)}
        # as_completed holds each future until it is yielded; with the list dropped, a result
        # is fetched only when the merge takes it (`result()` raises a task's error or its
        # cancellation as itself) and released on its worker once the loop moves on.
        pending = as_completed(futures)
        del futures
        for done, future in enumerate(pending, start=1):
            at, kept = number[future.key], future.result()
            del future
            yield at, kept
            del kept
            if progress is not None:
                progress(done, len(number))
        logger.info("dask: %d partitions on %d workers", len(partitions), _workers(client))

    return run


def local_runner(progress: Progress | None = None) -> PartitionRunner:
    """In process, one partition after another (reporting progress when asked)."""
    if progress is None:
        return run_in_process

    def run(
        search: CandidateSearch, partitions: list[Partition]
    ) -> Iterator[tuple[int, KeptPairs]]:
        for number, partition in enumerate(partitions):
            yield number, search.kept(partition)
            progress(number + 1, len(partitions))

    return run


@contextmanager
def round_runner(
    *,
    scheduler: str | None,
    workers: int | None,
    pairs: int,
    progress: Progress | None = None,
) -> Iterator[PartitionRunner]:
    """Where a round's search runs: on `scheduler` when given; else on a LocalCluster of
    `workers` processes (default: one per core) when `workers` says so or the round has at least
    DASK_MIN_PAIRS (mover x open position) pairs; else in process (`workers=0` forces it)."""
    local = workers == 0 or (workers is None and pairs < DASK_MIN_PAIRS)
    if scheduler is None and local:
        yield local_runner(progress)
        return
    count = workers or os.cpu_count() or 1
    with cluster_client(scheduler, workers=count) as client:
        yield dask_runner(client, progress=progress)


def _warn_on_trimmed_malloc(client: Any) -> None:
    """Workers of a cluster started elsewhere may run with Dask's MALLOC_TRIM_THRESHOLD_: say so
    (README, "Dask"): the search then costs them 2.5-3x the CPU."""
    settings = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    trimmed = sum(value is not None for value in settings.values())
    if trimmed:
        logger.warning(
            "dask: %d of %d workers run with MALLOC_TRIM_THRESHOLD_ set; start them with "
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_: null (README)",
            trimmed,
            len(settings),
        )


def _kept(partition: Partition, *, search: CandidateSearch) -> KeptPairs:
    return search.kept(partition)


def _workers(client: Any) -> int:
    return len(client.scheduler_info().get("workers", {}))
