"""The model registry: one bundle model (fit + risk), promoted by alias through a quality gate.

New versions get `@challenger`. `@champion` moves only through `promote` (after the gate passed,
or with force) or `rollback`. History lives in version tags: each promoted version records the
champion it replaced (`mutasi.previous_champion`), so rollback can walk back.
Serving loads `@champion` and unwraps the python model (no pyfunc predict on the hot path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as installed_version
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.pyfunc import PythonModel

from models.contract.errors import MutasiError
from models.scoring.estimators import TransferScorer
from pipelines.settings import Settings
from pipelines.tracking import client_for

CHAMPION, CHALLENGER = "champion", "challenger"
TAG_SNAPSHOT = "mutasi.snapshot_id"
TAG_GATE = "mutasi.gate"
TAG_PREVIOUS = "mutasi.previous_champion"
TAG_PROMOTED_AT = "mutasi.promoted_at"
TAG_ROLLED_BACK_AT = "mutasi.rolled_back_at"
_REQUIREMENTS = ("lightgbm", "scikit-learn", "pandas", "numpy", "pydantic", "mlflow")


class RegistryError(MutasiError):
    """A registry operation the user asked for cannot be done as asked."""


class NoChampionError(RegistryError):
    pass


class ScorerBundle(PythonModel):
    """pyfunc wrapper: features in, `fit` and `risk` out. Holds the TransferScorer itself."""

    def __init__(self, scorer: TransferScorer) -> None:
        self.scorer = scorer

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        frame = pd.DataFrame(model_input)
        return pd.DataFrame(
            {"fit": self.scorer.predict_fit(frame), "risk": self.scorer.predict_risk(frame)}
        )


@dataclass(frozen=True)
class LoadedBundle:
    scorer: TransferScorer
    version: str
    snapshot_id: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class VersionSummary:
    version: str
    run_id: str
    snapshot_id: str
    created_at: str
    aliases: tuple[str, ...]
    gate: str
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RegistryStatus:
    model_name: str
    champion: VersionSummary | None
    challenger: VersionSummary | None
    versions: tuple[VersionSummary, ...]


def _example(X: pd.DataFrame, rows: int = 5) -> pd.DataFrame:
    complete = X.dropna()
    return (complete if len(complete) >= rows else X.fillna(0.0)).head(rows).astype(np.float64)


def log_and_register(
    settings: Settings, *, scorer: TransferScorer, features: pd.DataFrame, snapshot_id: str
) -> str:
    """Inside an active run: log the bundle, register a version, point @challenger at it."""
    example = _example(features[scorer.feature_names_])
    bundle = ScorerBundle(scorer)
    info = mlflow.pyfunc.log_model(
        name="bundle",
        python_model=bundle,
        signature=infer_signature(example, bundle.predict(None, example)),
        input_example=example,
        pip_requirements=[f"{p}=={installed_version(p)}" for p in _REQUIREMENTS],
    )
    client = client_for(settings)
    _ensure_registered_model(client, settings.model_name)
    run = mlflow.active_run()
    registered = client.create_model_version(
        settings.model_name,
        source=info.model_uri,
        run_id=run.info.run_id if run else None,
        tags={TAG_SNAPSHOT: snapshot_id, TAG_GATE: "pending"},
    )
    client.set_registered_model_alias(settings.model_name, CHALLENGER, registered.version)
    return str(registered.version)


def _ensure_registered_model(client: MlflowClient, name: str) -> None:
    try:
        client.get_registered_model(name)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        client.create_registered_model(name)


def _by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        if exc.error_code in {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}:
            return None
        raise


def champion_version(settings: Settings) -> str | None:
    found = _by_alias(client_for(settings), settings.model_name, CHAMPION)
    return str(found.version) if found else None


def record_gate(settings: Settings, *, version: str, passed: bool) -> None:
    client_for(settings).set_model_version_tag(
        settings.model_name, version, TAG_GATE, "passed" if passed else "failed"
    )


def promote(settings: Settings, *, version: str | None = None, force: bool = False) -> str:
    """Point @champion at `version` (default: @challenger); refuses a gate failure unless forced."""
    client = client_for(settings)
    name = settings.model_name
    target = _get_version(client, name, version) if version else _by_alias(client, name, CHALLENGER)
    if target is None:
        raise RegistryError("Belum ada model penantang / No challenger model registered yet.")
    gate = target.tags.get(TAG_GATE, "pending")
    if gate != "passed" and not force:
        raise RegistryError(
            f"Versi {target.version} tidak lolos uji kualitas ({gate}); pakai --force / "
            f"version {target.version} did not pass the quality gate ({gate}); use --force."
        )
    current = _by_alias(client, name, CHAMPION)
    if current is not None and current.version == target.version:
        return str(target.version)
    previous = str(current.version) if current else ""
    client.set_model_version_tag(name, target.version, TAG_PREVIOUS, previous)
    client.set_model_version_tag(name, target.version, TAG_PROMOTED_AT, _now())
    client.set_registered_model_alias(name, CHAMPION, target.version)
    return str(target.version)


def rollback(settings: Settings) -> str:
    """Move @champion back to the champion it replaced; returns that version."""
    client = client_for(settings)
    name = settings.model_name
    current = _by_alias(client, name, CHAMPION)
    if current is None:
        raise NoChampionError("Belum ada model juara / No champion model registered yet.")
    previous = current.tags.get(TAG_PREVIOUS, "")
    if not previous:
        raise RegistryError(
            f"Versi {current.version} tidak punya pendahulu / "
            f"version {current.version} has no previous champion to roll back to."
        )
    client.set_model_version_tag(name, current.version, TAG_ROLLED_BACK_AT, _now())
    client.set_registered_model_alias(name, CHAMPION, previous)
    return previous


def _get_version(client: MlflowClient, name: str, version: str) -> ModelVersion:
    try:
        return client.get_model_version(name, version)
    except MlflowException as exc:
        raise RegistryError(
            f"Versi model {version} tidak ada / model version {version} does not exist."
        ) from exc


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_version(settings: Settings, version: str) -> LoadedBundle:
    """Load one registered version's TransferScorer (unwrapped from the pyfunc)."""
    client = client_for(settings)
    found = _get_version(client, settings.model_name, version)
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}/{found.version}")
    bundle = model.unwrap_python_model()
    if not isinstance(bundle, ScorerBundle):
        raise RegistryError(f"Versi {version} bukan bundel Mutasi / not a Mutasi bundle.")
    return LoadedBundle(
        scorer=bundle.scorer,
        version=str(found.version),
        snapshot_id=found.tags.get(TAG_SNAPSHOT, ""),
        metrics=_run_metrics(client, found),
    )


def load_champion(settings: Settings) -> LoadedBundle:
    """The @champion bundle; NoChampionError (a MutasiError) when none is registered."""
    version = champion_version(settings)
    if version is None:
        raise NoChampionError(
            "Belum ada model juara; jalankan `mutasi train` / "
            "no champion model registered yet; run `mutasi train`."
        )
    return load_version(settings, version)


def _run_metrics(client: MlflowClient, found: ModelVersion) -> dict[str, float]:
    """The metrics of the run that registered `found` (none for a version without a run)."""
    return dict(client.get_run(found.run_id).data.metrics) if found.run_id else {}


def _summary(client: MlflowClient, found: ModelVersion, aliases: dict[str, str]) -> VersionSummary:
    created = datetime.fromtimestamp(found.creation_timestamp / 1000, UTC)
    return VersionSummary(
        version=str(found.version),
        run_id=found.run_id or "",
        snapshot_id=found.tags.get(TAG_SNAPSHOT, ""),
        created_at=created.isoformat(timespec="seconds"),
        aliases=tuple(sorted(a for a, v in aliases.items() if str(v) == str(found.version))),
        gate=found.tags.get(TAG_GATE, "pending"),
        metrics=_run_metrics(client, found),
    )


def registry_status(settings: Settings) -> RegistryStatus:
    """Champion, challenger and every version with its gate result and validation metrics."""
    client = client_for(settings)
    name = settings.model_name
    try:
        aliases = {a: str(v) for a, v in client.get_registered_model(name).aliases.items()}
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        return RegistryStatus(model_name=name, champion=None, challenger=None, versions=())
    found = client.search_model_versions(f"name = '{name}'")
    versions = tuple(
        sorted((_summary(client, v, aliases) for v in found), key=lambda s: int(s.version))
    )
    by_version = {s.version: s for s in versions}
    return RegistryStatus(
        model_name=name,
        champion=by_version.get(aliases.get(CHAMPION, "")),
        challenger=by_version.get(aliases.get(CHALLENGER, "")),
        versions=versions[::-1],
    )
