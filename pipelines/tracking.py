"""Thin MLflow helpers: one experiment per pipeline, runs tagged with code and data versions.

The tracking URI comes from settings (MLFLOW_TRACKING_URI overrides the SQLite default under
the data home) and is set inside these functions, never at import. Artifacts of the experiments
this module creates live under `settings.artifacts_dir`.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import Run
from pydantic import BaseModel

from pipelines.settings import Settings

MAX_PARAM_LENGTH = 6000


def client_for(settings: Settings) -> MlflowClient:
    """Point MLflow at the configured store and return a client for it."""
    uri = settings.tracking_uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_name(settings: Settings, pipeline: str) -> str:
    return f"{settings.model_name}-{pipeline}"


def ensure_experiment(client: MlflowClient, settings: Settings, pipeline: str) -> str:
    """The id of the pipeline's experiment, created with artifacts under the data home."""
    name = experiment_name(settings, pipeline)
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return str(existing.experiment_id)
    location = (settings.artifacts_dir / name).resolve()
    location.mkdir(parents=True, exist_ok=True)
    return str(client.create_experiment(name, artifact_location=location.as_uri()))


def git_commit() -> str:
    """The commit of the code that runs, or "unknown" outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


@contextmanager
def tracked_run(
    settings: Settings, *, pipeline: str, snapshot_id: str, snapshot_hash: str
) -> Iterator[Run]:
    """An active MLflow run in the pipeline's experiment, tagged with commit and snapshot."""
    client = client_for(settings)
    experiment_id = ensure_experiment(client, settings, pipeline)
    tags = {
        "mutasi.pipeline": pipeline,
        "mutasi.git_commit": git_commit(),
        "mutasi.snapshot_id": snapshot_id,
        "mutasi.snapshot_hash": snapshot_hash,
    }
    with mlflow.start_run(experiment_id=experiment_id, tags=tags) as run:
        yield run


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested mapping to dotted keys with string values (MLflow params)."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat |= flatten(value, prefix=f"{name}.")
        else:
            flat[name] = str(value)[:MAX_PARAM_LENGTH]
    return flat


def log_config(config: BaseModel, *, prefix: str = "") -> None:
    """Log a whole pydantic config as params (and as JSON, for exact reuse)."""
    mlflow.log_params(flatten(config.model_dump(mode="json"), prefix=prefix))
    mlflow.log_text(config.model_dump_json(indent=2), f"config/{prefix or 'config.'}json")


def log_metrics(metrics: Mapping[str, float]) -> None:
    """Log finite metrics; NaN ones (e.g. an AUC with one class) are skipped."""
    finite = {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(v)}
    mlflow.log_metrics(finite)


def log_frame(frame: pd.DataFrame, artifact_file: str) -> None:
    """Log a frame as a CSV artifact at `artifact_file` (e.g. "evaluation/table.csv")."""
    path = Path(artifact_file)
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / path.name
        frame.to_csv(local, index=False)
        mlflow.log_artifact(str(local), artifact_path=str(path.parent) or None)
