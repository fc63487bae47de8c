"""Helper threads beside each request's own: for leaf work that runs without the GIL.

LightGBM's TreeSHAP (pred_contrib) is most of a shortlist's explanation and drops the GIL, so
its five boosters run side by side here. Only leaf tasks are submitted (a task never waits for
another), so the requests that share the pool can queue on it but never deadlock it.
`side_threads` take a request's second line of work, which may wait on helper tasks (never the
reverse): a shortlist's TreeSHAP is started and awaited there while the request thread audits
fairness and suggests trainings. Python work is kept off the side and helper threads where it
can be: two threads running Python at once only take turns on the GIL (each turn up to the
5 ms switch interval), which cost more than the overlap gave. Both made on first use, once per
worker process."""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

HELPER_THREADS = 2  # the machine's cores: more threads would only queue on them
SIDE_THREADS = 4  # requests beyond this many at once queue for their side work


_MAKING = threading.Lock()  # two first calls at once must not make two pools


def helper_threads() -> ThreadPoolExecutor:
    with _MAKING:
        return _pool(HELPER_THREADS, "mutasi-helper")


def side_threads() -> ThreadPoolExecutor:
    with _MAKING:
        return _pool(SIDE_THREADS, "mutasi-side")


@functools.cache
def _pool(workers: int, name: str) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
