"""Failed sign-ins per client address: past the limit in a sliding window, the address waits.

Used by the request guard for failed API-key authentications, and meant for the console's
sign-in form as well (`retry_after(address)` before checking a password, `record_failure`
after a wrong one). Counts live in the worker process: with N workers an address can try
about N times the limit, which still stops guessing at any useful rate.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

# Addresses remembered at most; the oldest are forgotten first (a flood of spoofed addresses
# must not grow the process without bound).
MAX_TRACKED_ADDRESSES = 100_000


class FailedSignIns:
    """A sliding-window count of failed sign-ins per client address."""

    def __init__(
        self,
        *,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.get(address, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return failures

    def retry_after(self, address: str) -> int | None:
        """Whole seconds this address must wait before trying again, or None when it may try."""
        with self._lock:
            now = self._clock()
            failures = self._recent(address, now)
            if len(failures) < self.max_failures:
                return None
            return max(1, math.ceil(failures[0] + self.window_seconds - now))

    def record_failure(self, address: str) -> None:
        with self._lock:
            now = self._clock()
            failures = self._recent(address, now)
            failures.append(now)
            self._failures.pop(address, None)
            self._failures[address] = failures  # most recent last
            while len(self._failures) > MAX_TRACKED_ADDRESSES:
                del self._failures[next(iter(self._failures))]
