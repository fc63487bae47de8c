"""Loading what the service serves: the @champion bundle, the current snapshot, lookups.

`build_state(settings)` is the default loader of `create_app`; it runs a smoke prediction
through the same code path as the routes before returning, so a state that cannot score is
never swapped in.
"""

from __future__ import annotations

import copy
import gc
import logging
import traceback
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from models.contract.enums import GOLONGAN_ORDINAL
from models.contract.errors import MutasiError
from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.training_plan import TrainingPlanner
from models.scoring.explain import RiskBands
from models.scoring.fairness import GroupCodes
from models.scoring.policy import PolicyConfig
from pipelines.compiled import compile_for_context
from pipelines.registry import LoadedBundle, load_champion
from pipelines.settings import Settings
from pipelines.snapshots import Snapshot, load_snapshot
from serving.ranking import score_frame
from serving.state import PERSON_COLUMNS, CandidateIndex, LoadedState, Lookups, StateHolder

logger = logging.getLogger(__name__)
SMOKE_PAIRS = 8
Loader = Callable[[Settings], LoadedState]
PREDICT_THREADS = 1
# Compiled boosters split large batches (a risk check's 10,000 pairs, a shortlist's pool) over
# both cores: lleaves' threads run without the GIL and cost nothing below PARALLEL_MIN_ROWS.
COMPILED_THREADS = 2


class SmokeTestError(MutasiError):
    """The newly loaded model could not score a handful of real pairs."""


def build_lookups(data: AgencyData) -> Lookups:
    """Index employees, positions and performance once, for per-request lookups."""
    units = data.units.set_index("unit_id")[["name", "sector", "region_code"]]
    positions = (
        data.positions.join(units.rename(columns={"name": "unit_name"}), on="unit_id")
        .drop_duplicates("position_id")
        .set_index("position_id")
    )
    employees = data.employees.join(
        positions[["title", "unit_id", "unit_name", "sector", "region_code"]].rename(
            columns={"title": "position_title"}
        ),
        on="position_id",
    ).assign(rank_ordinal=lambda f: f["rank"].map(GOLONGAN_ORDINAL).astype("float64"))
    employees = employees.drop_duplicates("nip").set_index("nip")
    performance = data.performance.sort_values(["nip", "year"]).set_index("nip")
    return Lookups(
        employees=employees,
        positions=positions,
        performance=performance,
        position_titles=positions["title"].fillna("-").astype(str).to_numpy(dtype=object),
        position_units=positions["unit_name"].fillna("-").astype(str).to_numpy(dtype=object),
        employee_rows={str(nip): row for row, nip in enumerate(employees.index)},
        position_rows={str(pid): row for row, pid in enumerate(positions.index)},
    )


def build_candidate_index(lookups: Lookups, context: FeatureContext) -> CandidateIndex:
    """Row-aligned arrays of the employees for shortlists (see CandidateIndex)."""
    employees = lookups.employees
    nips = employees.index.to_numpy(dtype=object)
    return CandidateIndex(
        nips=nips,
        context_rows=context.employee_index(nips),
        position_rows=lookups.positions.index.get_indexer(
            pd.Index(employees["position_id"].to_numpy(dtype=object), dtype=object)
        ),
        people={name: employees[name].to_numpy(dtype=object) for name in PERSON_COLUMNS},
        groups=GroupCodes.build(context),
    )


def smoke_test(state: LoadedState) -> None:
    """Score a few real pairs; raise SmokeTestError unless every fit and risk is sane."""
    positions = state.lookups.positions.index[:1]
    nips = state.lookups.employees.index[:SMOKE_PAIRS]
    if len(positions) == 0 or len(nips) == 0:
        raise SmokeTestError(
            "Snapshot tidak berisi pegawai atau jabatan / Snapshot holds no employees or positions"
        )
    try:
        scored = score_frame(state, nips.to_numpy(), np.repeat(positions.to_numpy(), len(nips)))
        state.planner.plan(str(nips[0]), str(positions[0]))  # the training planner answers too
    except (ValueError, KeyError, TypeError, AttributeError, MutasiError) as exc:
        raise SmokeTestError(
            f"Uji prediksi gagal / Smoke prediction failed: {type(exc).__name__}: {exc}"
        ) from exc
    fit, risk = scored["fit"].to_numpy(float), scored["risk"].to_numpy(float)
    sane = np.isfinite(fit).all() and np.isfinite(risk).all() and ((risk >= 0) & (risk <= 1)).all()
    if len(scored) != len(nips) or not sane:
        raise SmokeTestError(
            "Uji prediksi menghasilkan nilai tidak sah (NaN atau di luar rentang) / "
            "Smoke prediction gave invalid values (NaN or out of range)"
        )


def serving_copy(bundle: LoadedBundle, *, threads: int = PREDICT_THREADS) -> LoadedBundle:
    """The bundle with its LightGBM models predicting on `threads` threads (a copy).

    Each request runs in its own worker thread, so requests already use both cores; OpenMP
    threads inside a prediction only add a wake-up cost (~20 ms per call on a busy 2-core
    machine, measured) that dwarfs scoring a shortlist's few hundred rows.
    """
    scorer = copy.deepcopy(bundle.scorer)
    scorer.fit_model_.set_params(n_jobs=threads)
    scorer.risk_model_.set_params(n_jobs=threads)
    return replace(bundle, scorer=scorer)


def build_state(settings: Settings) -> LoadedState:
    """Load the @champion bundle and the current snapshot, build features, smoke-test."""
    return assemble_state(
        settings, bundle=load_champion(settings), snapshot=load_snapshot(None, settings=settings)
    )


def assemble_state(settings: Settings, *, bundle: LoadedBundle, snapshot: Snapshot) -> LoadedState:
    """A state from a loaded bundle and snapshot; SmokeTestError when it cannot score."""
    as_of = snapshot.as_of(settings)
    context = FeatureContext.build(snapshot.data, as_of)
    bundle = serving_copy(bundle)
    compiled = compile_for_context(
        bundle.scorer, context, settings=settings, threads=COMPILED_THREADS
    )
    bundle = replace(bundle, scorer=compiled.scorer)
    logger.info(
        "trees walked by %s", "compiled code (lleaves)" if compiled.compiled else "LightGBM"
    )
    lookups = build_lookups(snapshot.data)
    state = LoadedState(
        model_version=str(bundle.version),
        snapshot_id=str(snapshot.id),
        as_of=as_of,
        loaded_at=datetime.now(UTC),
        bundle=bundle,
        data=snapshot.data,
        context=context,
        lookups=lookups,
        candidates=build_candidate_index(lookups, context),
        policy=PolicyConfig(),
        planner=TrainingPlanner.build(context, bundle.scorer, data=snapshot.data),
        bands=RiskBands(medium_from=settings.risk_medium_from, high_from=settings.risk_high_from),
    )
    smoke_test(state)
    return state


def settle_memory() -> None:
    """After a load: collect once, then freeze the survivors out of the cyclic GC's view.

    A loaded state holds many long-lived Python objects (MLflow, pandas, LightGBM wrappers);
    left in the GC generations they make every full collection during a request walk them
    (measured: +200 ms CPU on a 10,000-pair risk check). Frozen objects are still freed by
    reference counting when a reload drops the old state.
    """
    gc.collect()
    gc.freeze()


def try_load(holder: StateHolder, settings: Settings, loader: Loader) -> bool:
    """Load a state and swap it in; on failure keep the current one and record why."""
    with holder.reload_lock():
        try:
            state = loader(settings)
        except Exception as exc:  # recorded for /readyz and the 503s, then retried
            holder.record_failure(describe_failure(exc))
            logger.warning("loading failed: %s", holder.reason)
            return False
        holder.swap(state)
        settle_memory()
        logger.info("serving model %s on snapshot %s", state.model_version, state.snapshot_id)
        return True


def describe_failure(exc: BaseException) -> str:
    """A user-facing reason for a failed load (no traceback, no data values).

    An unexpected error leaves its traceback in the server log, as the reason promises: the
    exception type and the stack frames only, since its message may quote data (a NIP).
    """
    if isinstance(exc, MutasiError):
        return exc.message
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("loading failed with %s; traceback:\n%s", type(exc).__name__, frames)
    return (
        f"Gagal memuat model atau snapshot ({type(exc).__name__}); lihat log server / "
        f"Could not load the model or snapshot ({type(exc).__name__}); see the server log"
    )
