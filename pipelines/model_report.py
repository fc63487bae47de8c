"""What the console's model page shows of one registered version: its evaluation artifacts.

The gate decision, the held-out comparison with the baselines, and the calibration and
importance figures that training logged to MLflow (pipelines/train.py `log_evaluation`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from mlflow.exceptions import MlflowException

from pipelines.registry import VersionSummary
from pipelines.settings import Settings
from pipelines.tracking import client_for

TABLES = {"gate": "evaluation/gate.csv", "models": "evaluation/models.csv"}
FIGURES = {
    "calibration": "evaluation/calibration_curve.png",
    "importance": "evaluation/feature_importance.png",
}


@dataclass(frozen=True)
class VersionReport:
    version: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)  # PNG bytes


def version_report(settings: Settings, summary: VersionSummary) -> VersionReport:
    """The version's logged tables and figures; an artifact that was not logged is left out."""
    client = client_for(settings)
    report = VersionReport(summary.version)
    with tempfile.TemporaryDirectory() as folder:
        for name, path in {**TABLES, **FIGURES}.items():
            try:
                local = Path(client.download_artifacts(summary.run_id, path, folder))
            except (MlflowException, OSError):
                continue  # e.g. a version trained before this artifact existed
            if name in TABLES:
                report.tables[name] = pd.read_csv(local)
            else:
                report.figures[name] = local.read_bytes()
    return report
