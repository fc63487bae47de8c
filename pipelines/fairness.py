"""A model version's fairness report: who its shortlists select, by gender and age band.

At registration the new version shortlists the top k eligible people for up to
`max_positions` posts of the snapshot (the largest ABK shortages first, else the first posts),
and `models/scoring/fairness.py` audits the selection: selection rates and impact ratios
(four-fifths rule). The report is logged to the version's MLflow run (`fairness/groups.csv`,
`fairness/flags.json`, metrics `fairness.min_impact_ratio.<attribute>`); `mutasi fairness` and
`GET /v1/fairness` read it back for the champion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

import mlflow
import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.staffing import position_balance
from models.scoring.compose import PairScorer, fit_pairs
from models.scoring.fairness import FairnessReport, audit_selection
from models.scoring.policy import PolicyConfig, indexed_eligibility
from pipelines import registry, tracking
from pipelines.settings import Settings

GROUPS_ARTIFACT = "fairness/groups.csv"
FLAGS_ARTIFACT = "fairness/flags.json"


def audited_positions(data: AgencyData, *, max_positions: int) -> np.ndarray:
    """The posts a report shortlists: largest shortages first, else the first posts."""
    balance = position_balance(data.positions, data.employees)
    short = balance.loc[balance["shortage"] > 0].sort_values(
        ["shortage", "position_id"], ascending=[False, True]
    )
    ids = short["position_id"] if len(short) else balance["position_id"]
    return ids.head(max_positions).to_numpy(dtype=object)


def shortlist_audit(
    data: AgencyData,
    scorer: PairScorer,
    *,
    as_of: date,
    k: int = 10,
    max_positions: int = 30,
    policy: PolicyConfig | None = None,
) -> FairnessReport:
    """Selection of the top k eligible by fit, over the audited posts, by gender and age band."""
    ctx = FeatureContext.build(data, as_of)
    people = ctx.employee_index(data.employees["nip"].astype(str).to_numpy(dtype=object))
    pools, chosen = [], []
    for position_id in audited_positions(data, max_positions=max_positions):
        codes = np.full(len(people), int(ctx.position_index([position_id])[0]))
        eligible, _ = indexed_eligibility(ctx, people, codes, config=policy or PolicyConfig())
        rows = people[eligible]
        _, fit = fit_pairs(ctx, scorer, rows, codes[eligible])
        top = np.zeros(len(rows), dtype=bool)
        top[np.argsort(-fit, kind="stable")[:k]] = True
        pools.append(rows)
        chosen.append(top)
    if not pools:
        return audit_selection(ctx, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
    return audit_selection(ctx, np.concatenate(pools), np.concatenate(chosen))


def log_fairness(report: FairnessReport) -> None:
    """Log a report to the active MLflow run."""
    tracking.log_frame(report.groups, GROUPS_ARTIFACT)
    mlflow.log_text(json.dumps(report.flags, ensure_ascii=False, indent=2), FLAGS_ARTIFACT)
    for attribute, rows in report.groups.groupby("attribute"):
        mlflow.log_metric(
            f"fairness.min_impact_ratio.{attribute}", float(rows["impact_ratio"].min())
        )


@dataclass(frozen=True)
class VersionFairness:
    version: str
    groups: pd.DataFrame
    flags: list[str]


def champion_fairness(settings: Settings) -> VersionFairness:
    """The fairness report logged with the @champion version."""
    version = registry.champion_version(settings)
    if version is None:
        raise registry.NoChampionError(
            "Belum ada model juara; jalankan `mutasi train` / "
            "no champion model registered yet; run `mutasi train`."
        )
    client = tracking.client_for(settings)
    run_id = client.get_model_version(settings.model_name, version).run_id
    if not run_id:
        raise registry.RegistryError(
            f"Versi {version} tidak punya run MLflow / version {version} has no MLflow run"
        )
    with TemporaryDirectory() as folder:
        groups_file = client.download_artifacts(run_id, GROUPS_ARTIFACT, folder)
        flags_file = client.download_artifacts(run_id, FLAGS_ARTIFACT, folder)
        groups = pd.read_csv(groups_file, dtype={"group": "string"})
        flags = json.loads(Path(flags_file).read_text(encoding="utf-8"))
    return VersionFairness(version=version, groups=groups, flags=flags)
