"""Long work started from a page (a round plan, a retraining) in a background thread.

The page answers at once with the job's id; its progress page polls the job's status. Jobs live
in this process only (a console behind several workers needs sticky sessions for them); what a
job produces (a stored plan, a registered model version) is on disk for every worker.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from models.contract.errors import MutasiError

logger = logging.getLogger(__name__)

MAX_JOBS_KEPT = 50


@dataclass
class Job:
    job_id: str
    kind: str
    owner: str  # key label of who started it
    expected_seconds: float
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: str | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None

    def status(self) -> dict[str, object]:
        end = self.finished if self.finished is not None else time.monotonic()
        return {
            "job_id": self.job_id,
            "kind": self.kind,
            "done": self.done,
            "elapsed": round(end - self.started, 1),
            "expected": self.expected_seconds,
            "result": self.result,
            "error": self.error,
        }


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(
        self, kind: str, *, owner: str, expected_seconds: float, work: Callable[[], str]
    ) -> Job:
        job = Job(secrets.token_hex(8), kind, owner, expected_seconds)
        with self._lock:
            self._jobs[job.job_id] = job
            for old in list(self._jobs)[:-MAX_JOBS_KEPT]:
                del self._jobs[old]
        threading.Thread(target=self._run, args=(job, work), daemon=True).start()
        return job

    def get(self, job_id: str, *, owner: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    @staticmethod
    def _run(job: Job, work: Callable[[], str]) -> None:
        try:
            job.result = work()
        except MutasiError as exc:
            job.error = exc.message
        except Exception as exc:  # reported on the job's page; the thread ends here
            logger.error("%s job failed: %s", job.kind, type(exc).__name__)
            job.error = "Kesalahan internal server / Internal server error"
        finally:
            job.finished = time.monotonic()
