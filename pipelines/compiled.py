"""Compiled scoring: the bundle's LightGBM boosters as native code (lleaves, LLVM via llvmlite).

LightGBM walks its trees through a generic interpreter; lleaves compiles each booster into one
machine-code function (no C compiler needed: LLVM ships inside llvmlite's wheel). On the demo
bundle that is ~6x faster for 10,000 rows and ~15x for 10 (bench/README.md, "Compiled scoring").

`compile_scorer` returns the scorer predicting through the compiled boosters only after checking,
on the caller's sample rows, that every booster's raw score equals LightGBM's within `TOLERANCE`.
Where lleaves cannot be imported, fails to compile, or disagrees, it returns the scorer unchanged
with the reason: scoring goes on through LightGBM, only slower. The compiled object code is cached
under `<cache_dir>/`, keyed by the booster's text and the compiler and CPU it was built for, so
server workers, reloads and Dask workers compile a bundle once per machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import platform
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from models.features.build import FEATURE_COLUMNS, FeatureContext, indexed_pair_features
from models.scoring.calibration import booster_predict
from models.scoring.estimators import TransferScorer
from pipelines.settings import Settings

logger = logging.getLogger(__name__)
TOLERANCE = 1e-6
SAMPLE_PAIRS = 512
# Rows from which a compiled booster splits its rows over its `threads` (the compiled code drops
# the GIL): a risk check's 10,000 rows or a shortlist's pool, not a shortlist's few hundred,
# where starting the threads would cost more than the walk.
PARALLEL_MIN_ROWS = 2_000


class CompiledBooster:
    """One LightGBM booster as a compiled function: matrix in, raw scores out.

    Picklable (for Dask workers): it travels as the booster's text and is recompiled, or loaded
    from the cache, where it lands. From PARALLEL_MIN_ROWS rows on, a call walks the rows on
    `threads` threads (same output: each row is walked once, by one thread).
    """

    def __init__(self, model_text: str, *, cache_dir: Path | None = None, threads: int = 1) -> None:
        self.model_text, self.cache_dir, self.threads = model_text, cache_dir, threads
        if cache_dir is not None:
            self._compile(cache_dir)
            return
        with tempfile.TemporaryDirectory(prefix="mutasi-lleaves-") as scratch:
            self._compile(Path(scratch))  # the compiled code lives on in memory

    def _compile(self, folder: Path) -> None:
        import lleaves

        folder.mkdir(parents=True, exist_ok=True)
        key = _cache_key(self.model_text)
        text_file, object_file = folder / f"{key}.txt", folder / f"{key}.o"
        _write_once(text_file, self.model_text.encode())
        self._model = lleaves.Model(model_file=str(text_file))
        if object_file.exists():
            self._model.compile(cache=str(object_file), raw_score=True)
            return
        partial = folder / f"{key}.{os.getpid()}.partial"
        self._model.compile(cache=str(partial), raw_score=True)
        os.replace(partial, object_file)  # another process may have won: same bytes

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(matrix, dtype=np.float64)
        if not _splits(self.threads, len(rows)):
            return self._walk(rows)
        # Row blocks of a C-contiguous matrix are contiguous views: no copy. The calling thread
        # walks the first block while kept walker threads walk the rest (lleaves' own n_jobs
        # starts and joins a thread pool on every call, ~1 ms each, far more on a busy machine).
        first, *rest = np.array_split(rows, self.threads)
        others = [_walkers(self.threads - 1).submit(self._walk, block) for block in rest]
        return np.concatenate([self._walk(first), *(other.result() for other in others)])

    def _walk(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self._model.predict(rows, n_jobs=1), dtype=np.float64)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.model_text, self.cache_dir, self.threads))


class CompiledWalks:
    """Every booster of a scorer walked in one call: raw scores, one row per booster.

    From PARALLEL_MIN_ROWS rows on, the rows are split once into `threads` blocks and each
    block walks all the boosters (the calling thread the first block, kept walker threads the
    others): the batch waits for its walkers once, not once per booster. Each row of each
    booster is walked once, by one thread, so the numbers are those of the boosters one by one.
    """

    def __init__(self, boosters: list[CompiledBooster], *, threads: int = 1) -> None:
        self.boosters, self.threads = boosters, threads

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(matrix, dtype=np.float64)
        raw = np.empty((len(self.boosters), len(rows)), dtype=np.float64)
        if not _splits(self.threads, len(rows)):
            self._walk_block(rows, raw, 0, len(rows))
            return raw
        bounds = np.linspace(0, len(rows), self.threads + 1).astype(int)
        blocks = list(itertools.pairwise(bounds.tolist()))
        walkers = _walkers(self.threads - 1)
        others = [walkers.submit(self._walk_block, rows, raw, *block) for block in blocks[1:]]
        self._walk_block(rows, raw, *blocks[0])
        for other in others:
            other.result()
        return raw

    def _walk_block(self, rows: np.ndarray, raw: np.ndarray, start: int, stop: int) -> None:
        for index, booster in enumerate(self.boosters):
            raw[index, start:stop] = booster._walk(rows[start:stop])


_SERIAL = threading.local()


@contextlib.contextmanager
def serial_walks() -> Iterator[None]:
    """Compiled walks on this thread stay on it: for a caller that already splits a batch
    over threads itself (a block of a risk check scored on a helper thread), where splitting
    each block again would only queue more threads on the same cores."""
    before = getattr(_SERIAL, "on", False)
    _SERIAL.on = True
    try:
        yield
    finally:
        _SERIAL.on = before


def _splits(threads: int, rows: int) -> bool:
    return threads > 1 and rows >= PARALLEL_MIN_ROWS and not getattr(_SERIAL, "on", False)


_WALKERS: dict[int, ThreadPoolExecutor] = {}
_WALKERS_LOCK = threading.Lock()


def _walkers(threads: int) -> ThreadPoolExecutor:
    """Threads kept for the compiled walks of large batches; each task walks one row block and
    submits nothing, so callers on any thread cannot deadlock waiting for them. Made once per
    size under a lock (two first calls at once would otherwise each start a pool)."""
    with _WALKERS_LOCK:
        if threads not in _WALKERS:
            _WALKERS[threads] = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix="mutasi-walk"
            )
        return _WALKERS[threads]


def _rebuild(model_text: str, cache_dir: Path | None, threads: int) -> CompiledBooster:
    return CompiledBooster(model_text, cache_dir=cache_dir, threads=threads)


def _cache_key(model_text: str) -> str:
    digest = hashlib.sha256(model_text.encode())
    for package in ("lleaves", "llvmlite"):
        digest.update(_version(package).encode())
    digest.update(platform.machine().encode())
    digest.update(_host_cpu().encode())
    return digest.hexdigest()[:32]


def _version(package: str) -> str:
    try:
        return installed_version(package)
    except PackageNotFoundError:
        return "-"


def _host_cpu() -> str:
    import llvmlite.binding as llvm

    return f"{llvm.get_host_cpu_name()}:{llvm.get_host_cpu_features().flatten()}"


def _write_once(path: Path, content: bytes) -> None:
    if path.exists():
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


@dataclass(frozen=True)
class CompiledScorer:
    """The scorer to predict with and how its trees are walked."""

    scorer: TransferScorer
    compiled: bool
    reason: str  # why not compiled ("" when compiled)


def compile_for_context(
    scorer: TransferScorer, context: FeatureContext, *, settings: Settings, threads: int = 1
) -> CompiledScorer:
    """`compile_scorer` as the settings say (cache in the data home, or off), checked on the
    features of SAMPLE_PAIRS random pairs of the agency's own employees and positions."""
    if not settings.compiled_scoring:
        return CompiledScorer(scorer=scorer, compiled=False, reason="turned off by the settings")
    missing = sorted(set(scorer.feature_names_) - set(FEATURE_COLUMNS))
    if missing:  # a bundle the current features cannot feed: the smoke test reports it
        return _fallback(scorer, f"features the current code does not build: {missing}")
    return compile_scorer(
        scorer,
        sample=feature_sample(context, scorer.feature_names_),
        cache_dir=settings.compiled_dir,
        threads=threads,
    )


def feature_sample(
    context: FeatureContext, columns: list[str], *, pairs: int = SAMPLE_PAIRS
) -> np.ndarray:
    """Feature rows (in `columns` order) of random (employee, existing position) pairs."""
    rng = np.random.default_rng(0)
    positions = np.flatnonzero(context.catalog.pos_known)
    if len(context.nips) == 0 or len(positions) == 0:
        return np.empty((0, len(columns)))
    rows = rng.integers(0, len(context.nips), pairs)
    codes = positions[rng.integers(0, len(positions), pairs)]
    features = indexed_pair_features(context, rows, codes)
    return features[columns].to_numpy(dtype=np.float64, na_value=np.nan)


def compile_scorer(
    scorer: TransferScorer,
    *,
    sample: np.ndarray,
    cache_dir: Path | None = None,
    threads: int = 1,
) -> CompiledScorer:
    """`scorer` predicting through compiled boosters, checked on `sample` (feature rows in the
    scorer's column order) against LightGBM; else `scorer` itself and the reason."""
    members = [scorer.fit_model_, *scorer.risk_model_.members]
    try:
        walks = [_compile(model, cache_dir=cache_dir, threads=threads) for model in members]
    except ImportError as exc:
        return _fallback(scorer, f"lleaves not available ({exc})")
    except Exception as exc:  # an LLVM or lleaves failure of any kind: LightGBM still scores
        return _fallback(scorer, f"compilation failed ({type(exc).__name__}: {exc})")
    for index, (model, walk) in enumerate(zip(members, walks, strict=True)):
        difference = _largest_difference(model, walk, sample)
        if not difference <= TOLERANCE:
            return _fallback(scorer, f"booster {index} differs from LightGBM by {difference:.3g}")
    together = CompiledWalks(walks, threads=threads)
    compiled = scorer.with_tree_walks(fit=walks[0], risk=walks[1:], together=together)
    return CompiledScorer(scorer=compiled, compiled=True, reason="")


def _compile(model: lgb.LGBMModel, *, cache_dir: Path | None, threads: int) -> CompiledBooster:
    # The text holds the trees LightGBM predicts with (its best iteration when early-stopped).
    return CompiledBooster(model.booster_.model_to_string(), cache_dir=cache_dir, threads=threads)


def _largest_difference(model: lgb.LGBMModel, walk: CompiledBooster, sample: np.ndarray) -> float:
    if len(sample) == 0:
        return 0.0
    reference = booster_predict(model, sample, raw_score=True)
    return float(np.max(np.abs(walk(sample) - reference)))


def _fallback(scorer: TransferScorer, reason: str) -> CompiledScorer:
    logger.warning("compiled scoring off, LightGBM walks the trees: %s", reason)
    return CompiledScorer(scorer=scorer, compiled=False, reason=reason)
