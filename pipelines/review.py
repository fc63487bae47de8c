"""Post-move review: snapshot + champion + decision record -> moves, units, programme impact,
monitoring (logged to MLflow as a monitoring run) and the leaders' report.

The maths is in models/planning/review.py (moves, units), models/scoring/impact.py (programme)
and models/scoring/monitoring.py (calibration, drift, verdict); this module reads, wires and
writes. The decision record is read here by URL (a read-only SELECT of the `decisions` table
that serving/decisions.py appends to) or handed in as a frame by the caller.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import mlflow
import pandas as pd
from sqlalchemy import create_engine, inspect, text

from models.contract.tables import AgencyData
from models.features.build import FeatureContext, transfer_examples
from models.planning.review import (
    DECISION_COLUMNS,
    MOVE_COLUMNS,
    backcast_features,
    check_dates,
    coaching_pairs,
    review_moves,
    unit_review,
    window_transfers,
    with_suggestions,
)
from models.planning.training_batch import plan_trainings
from models.planning.training_plan import TrainingPlanner
from models.scoring.impact import programme_effects
from models.scoring.monitoring import feature_drift, monitoring_table
from pipelines import tracking
from pipelines.registry import LoadedBundle, load_champion
from pipelines.report import write_report
from pipelines.review_result import ReviewResult, ReviewWindow
from pipelines.settings import Settings
from pipelines.snapshots import UnknownSnapshot, load_snapshot

log = logging.getLogger(__name__)
PIPELINE = "monitoring"
REVIEW_YEARS = 3  # default window: the last three decree years up to the snapshot's date


def read_decisions(database_url: str) -> pd.DataFrame:
    """The decision record's rows (DECISION_COLUMNS) by URL; empty when there is none yet."""
    engine = create_engine(database_url)
    try:
        if not inspect(engine).has_table("decisions"):
            return pd.DataFrame(columns=list(DECISION_COLUMNS))
        query = text(f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions")
        with engine.connect() as connection:
            return pd.DataFrame(
                connection.execute(query).mappings().all(), columns=list(DECISION_COLUMNS)
            )
    finally:
        engine.dispose()


def default_window(as_of: date, *, since: date | None, until: date | None) -> ReviewWindow:
    """Unset ends: until the data's reference date, since 1 January of the third decree year
    back."""
    check_dates(since, until)
    end = until or as_of
    return ReviewWindow(since=since or date(end.year - REVIEW_YEARS + 1, 1, 1), until=end)


def _reference_features(
    settings: Settings, bundle: LoadedBundle, *, snapshot_id: str, data: AgencyData, since: date
) -> pd.DataFrame:
    """Features of the champion's training examples (its snapshot; the current one if gone)
    decreed in the REVIEW_YEARS years before the window: the population the model learnt
    most recently (the whole history drifts with the history window itself); all of them when
    there are none."""
    if bundle.snapshot_id != snapshot_id:
        try:
            data = load_snapshot(bundle.snapshot_id, settings=settings).data
        except UnknownSnapshot:
            log.warning("training snapshot of the champion is gone; drift against the current one")
    examples = transfer_examples(data)
    decree = pd.to_datetime(examples["decree_date"])
    start = pd.Timestamp(since)
    recent = (decree < start) & (decree >= start - pd.DateOffset(years=REVIEW_YEARS))
    return examples.loc[recent] if recent.any() else examples


def _with_training(
    data: AgencyData, reviewed: pd.DataFrame, *, bundle: LoadedBundle, as_of: date
) -> pd.DataFrame:
    pairs = coaching_pairs(reviewed, data.employees)
    if pairs.empty:
        return with_suggestions(
            reviewed, pd.DataFrame(columns=["nip", "position_id", "training_ids"])
        )
    planner = TrainingPlanner.build(FeatureContext.build(data, as_of), bundle.scorer, data=data)
    plans = plan_trainings(
        planner.context,
        planner.scorer,
        pairs,
        catalogue=planner.catalogue,
        training_history=planner.training_history,
        config=planner.config,
    )
    return with_suggestions(reviewed, plans)


def _outcome_years(data: AgencyData, window: ReviewWindow) -> tuple[int, int]:
    last = int(data.performance["year"].max()) if len(data.performance) else window.until.year
    return window.since.year - 1, min(window.until.year + 1, last)


def review_loaded(
    settings: Settings,
    *,
    data: AgencyData,
    snapshot_id: str,
    as_of: date,
    bundle: LoadedBundle,
    window: ReviewWindow,
    decisions: pd.DataFrame,
) -> ReviewResult:
    """The review over data and a model already loaded (the API's state, or `review`)."""
    started = time.perf_counter()
    moves = window_transfers(data.transfers, since=window.since, until=window.until)
    features = backcast_features(data, moves)
    reviewed = review_moves(
        data, moves, scorer=bundle.scorer, decisions=decisions, features=features
    )
    reviewed = _with_training(data, reviewed, bundle=bundle, as_of=as_of)
    units = unit_review(data, moves, reviewed, years=_outcome_years(data, window))
    years = list(range(window.since.year, window.until.year + 1))
    programme = programme_effects(data, decree_years=years)
    reference = _reference_features(
        settings, bundle, snapshot_id=snapshot_id, data=data, since=window.since
    )
    drift = feature_drift(reference, features, list(bundle.scorer.feature_names_))
    monitoring, figures, verdict = monitoring_table(
        reviewed, drift, medium_from=settings.risk_medium_from, high_from=settings.risk_high_from
    )
    return ReviewResult(
        window=window,
        model_version=bundle.version,
        snapshot_id=snapshot_id,
        moves=reviewed,
        units=units,
        programme=programme,
        monitoring=monitoring,
        figures=figures,
        verdict=verdict,
        seconds=time.perf_counter() - started,
    )


def review(
    settings: Settings,
    *,
    since: date | None = None,
    until: date | None = None,
    decisions: pd.DataFrame | None = None,
) -> ReviewResult:
    """Every move of the window predicted against actual, units, programme and monitoring,
    for the snapshot in use and the @champion."""
    snapshot = load_snapshot(settings=settings)
    as_of = snapshot.as_of(settings)
    window = default_window(as_of, since=since, until=until)
    window_transfers(snapshot.data.transfers, since=window.since, until=window.until)  # fail early
    return review_loaded(
        settings,
        data=snapshot.data,
        snapshot_id=snapshot.id,
        as_of=as_of,
        bundle=load_champion(settings),
        window=window,
        decisions=read_decisions(settings.db_url) if decisions is None else decisions,
    )


def log_monitoring_run(settings: Settings, result: ReviewResult, *, snapshot_hash: str = "") -> str:
    """The monitoring run in MLflow: window, model version, figures, verdict, the tables."""
    with tracking.tracked_run(
        settings, pipeline=PIPELINE, snapshot_id=result.snapshot_id, snapshot_hash=snapshot_hash
    ) as run:
        mlflow.set_tags(
            {"mutasi.model_version": result.model_version, "mutasi.verdict": result.verdict}
        )
        mlflow.log_params(
            {
                "since": result.window.since.isoformat(),
                "until": result.window.until.isoformat(),
                "model_version": result.model_version,
            }
        )
        tracking.log_metrics(
            result.figures | {f"flag.{k}": v for k, v in result.flag_counts().items()}
        )
        tracking.log_frame(result.monitoring, "monitoring/monitoring.csv")
        tracking.log_frame(result.programme, "monitoring/programme.csv")
        tracking.log_frame(result.units, "monitoring/units.csv")
        return str(run.info.run_id)


def write_review(result: ReviewResult, out_dir: Path) -> list[Path]:
    """moves.csv, units.csv, programme.csv, monitoring.csv, report.xlsx and report.html."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "moves.csv": result.moves[list(MOVE_COLUMNS)],
        "units.csv": result.units,
        "programme.csv": result.programme,
        "monitoring.csv": result.monitoring,
    }
    paths = []
    for name, frame in tables.items():
        frame.to_csv(out_dir / name, index=False)
        paths.append(out_dir / name)
    return paths + write_report(result, out_dir)


def run_review(
    settings: Settings,
    *,
    out_dir: Path,
    since: date | None = None,
    until: date | None = None,
) -> ReviewResult:
    """`mutasi review`: compute, write the files, log the monitoring run."""
    result = review(settings, since=since, until=until)
    files = write_review(result, out_dir)
    snapshot_hash = str(
        load_snapshot(result.snapshot_id, settings=settings).manifest.get("content_hash", "")
    )
    log_monitoring_run(settings, result, snapshot_hash=snapshot_hash)
    return replace(result, files=files)
