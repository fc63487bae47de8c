"""Model monitoring after the moves: calibration by band, feature drift and a plain verdict.

- Risk: realised resistance rate against the mean predicted risk per risk band (rendah, sedang,
  tinggi by the configured thresholds) and their n-weighted absolute difference (`risk_gap`).
- Fit: mean actual post-move rating against mean predicted fit per fit band, the mean
  absolute error and the mean bias (actual - predicted).
- Drift: the population stability index (PSI) of every feature between a reference frame
  (the champion's training examples) and a current one, on ten quantile bins of the reference
  (plus one bin for missing values): sum((c - r) * ln(c / r)) with shares floored at 1e-4.
- Verdict: "latih ulang / retrain" when a threshold of `MonitoringConfig` is crossed, with the
  figures that crossed it; else "belum perlu / not needed".
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

MONITORING_COLUMNS: Final[tuple[str, ...]] = (
    "section",
    "item",
    "n",
    "predicted",
    "observed",
    "value",
    "note",
)
RETRAIN: Final[str] = "latih ulang / retrain"
NOT_NEEDED: Final[str] = "belum perlu / not needed"
FIT_BANDS: Final[tuple[float, ...]] = (3.5, 4.0, 4.5)
PSI_FLOOR: Final[float] = 1e-4


class MonitoringConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    psi_retrain: float = Field(
        default=0.25, gt=0, description="PSI of one feature that calls for retraining."
    )
    risk_gap_retrain: float = Field(
        default=0.10,
        gt=0,
        description="Weighted |observed - predicted| resistance rate over bands.",
    )
    fit_bias_retrain: float = Field(
        default=0.30, gt=0, description="|mean(actual - predicted)| rating points."
    )
    min_n: int = Field(
        default=30, ge=1, description="Fewest moves with outcomes to judge calibration."
    )


def population_stability(reference: pd.Series, current: pd.Series, *, bins: int = 10) -> float:
    """PSI of one feature (see the module docstring); NaN when either side is empty."""
    ref = reference.to_numpy(dtype=float)
    cur = current.to_numpy(dtype=float)
    if len(ref) == 0 or len(cur) == 0:
        return float("nan")
    known = ref[~np.isnan(ref)]
    quantiles = np.linspace(0, 1, bins + 1)[1:-1]
    edges: np.ndarray = np.unique(np.quantile(known, quantiles)) if len(known) else np.zeros(0)

    def shares(values: np.ndarray) -> np.ndarray:
        index = np.where(np.isnan(values), len(edges) + 1, np.searchsorted(edges, values, "right"))
        counts = np.bincount(index.astype(np.int64), minlength=len(edges) + 2)
        return np.maximum(counts / len(values), PSI_FLOOR)

    r, c = shares(ref), shares(cur)
    return float(np.sum((c - r) * np.log(c / r)))


def feature_drift(
    reference: pd.DataFrame, current: pd.DataFrame, columns: list[str]
) -> pd.DataFrame:
    """PSI per feature, largest first: columns feature, psi."""
    psi = [population_stability(reference[c], current[c]) for c in columns]
    return (
        pd.DataFrame({"feature": columns, "psi": psi})
        .sort_values("psi", ascending=False, na_position="last")
        .reset_index(drop=True)
    )


def risk_calibration(
    reviewed: pd.DataFrame, *, medium_from: float, high_from: float
) -> pd.DataFrame:
    """Per risk band: n, mean predicted risk, observed resistance rate."""
    risk = reviewed["predicted_risk"].to_numpy(dtype=float)
    band = np.where(risk >= high_from, "tinggi", np.where(risk >= medium_from, "sedang", "rendah"))
    frame = pd.DataFrame(
        {"band": band, "predicted": risk, "observed": reviewed["resisted"].astype(float)}
    )
    table = frame.groupby("band").agg(
        n=("predicted", "size"), predicted=("predicted", "mean"), observed=("observed", "mean")
    )
    order = [b for b in ("rendah", "sedang", "tinggi") if b in table.index]
    return table.loc[order].reset_index()


def fit_calibration(reviewed: pd.DataFrame) -> pd.DataFrame:
    """Per predicted-fit band (moves with an actual SKP): n, mean predicted, mean actual."""
    known = reviewed.loc[reviewed["actual_fit"].notna()]
    labels = np.array(["< 3,5", "3,5-4", "4-4,5", ">= 4,5"], dtype=object)
    band = labels[np.digitize(known["predicted_fit"].to_numpy(float), FIT_BANDS)]
    frame = pd.DataFrame(
        {
            "band": band,
            "predicted": known["predicted_fit"].to_numpy(float),
            "observed": known["actual_fit"].to_numpy(float),
        }
    )
    table = frame.groupby("band").agg(
        n=("predicted", "size"), predicted=("predicted", "mean"), observed=("observed", "mean")
    )
    return table.loc[[b for b in labels if b in table.index]].reset_index()


def _weighted_gap(table: pd.DataFrame) -> float:
    if table.empty:
        return float("nan")
    gap = (table["observed"] - table["predicted"]).abs()
    return float(np.average(gap, weights=table["n"]))


def summary_figures(
    risk: pd.DataFrame, fit: pd.DataFrame, drift: pd.DataFrame, reviewed: pd.DataFrame
) -> dict[str, float]:
    """The figures the verdict rests on (also the monitoring run's metrics)."""
    known = reviewed.loc[reviewed["actual_fit"].notna()]
    error = known["actual_fit"].to_numpy(float) - known["predicted_fit"].to_numpy(float)
    return {
        "moves": float(len(reviewed)),
        "moves_with_skp": float(len(known)),
        "risk_gap": _weighted_gap(risk),
        "fit_mae": float(np.abs(error).mean()) if len(error) else float("nan"),
        "fit_bias": float(error.mean()) if len(error) else float("nan"),
        "max_psi": float(drift["psi"].max()) if drift["psi"].notna().any() else float("nan"),
    }


def verdict(
    figures: dict[str, float], drift: pd.DataFrame, config: MonitoringConfig
) -> tuple[str, list[str]]:
    """(verdict, reasons): each reason names the figure and the threshold it crossed."""
    reasons = [
        f"PSI {feature} = {psi:.2f} >= {config.psi_retrain}"
        for feature, psi in zip(drift["feature"], drift["psi"], strict=True)
        if psi >= config.psi_retrain
    ]
    if figures["moves"] >= config.min_n and figures["risk_gap"] >= config.risk_gap_retrain:
        reasons.append(
            f"selisih risiko / risk gap {figures['risk_gap']:.3f} >= {config.risk_gap_retrain}"
        )
    if (
        figures["moves_with_skp"] >= config.min_n
        and abs(figures["fit_bias"]) >= config.fit_bias_retrain
    ):
        reasons.append(
            f"bias kecocokan / fit bias {figures['fit_bias']:+.2f} >= {config.fit_bias_retrain}"
        )
    return (RETRAIN if reasons else NOT_NEEDED), reasons


def _band_rows(section: str, table: pd.DataFrame) -> list[tuple[object, ...]]:
    values = zip(table["band"], table["n"], table["predicted"], table["observed"], strict=True)
    return [
        (section, str(b), int(n), float(p), float(o), float(o - p), "") for b, n, p, o in values
    ]


def monitoring_table(
    reviewed: pd.DataFrame,
    drift: pd.DataFrame,
    *,
    medium_from: float,
    high_from: float,
    config: MonitoringConfig | None = None,
) -> tuple[pd.DataFrame, dict[str, float], str]:
    """monitoring.csv (MONITORING_COLUMNS), the summary figures and the verdict."""
    config = config or MonitoringConfig()
    risk = risk_calibration(reviewed, medium_from=medium_from, high_from=high_from)
    fit = fit_calibration(reviewed)
    figures = summary_figures(risk, fit, drift, reviewed)
    decided, reasons = verdict(figures, drift, config)
    rows = _band_rows("risk_band", risk) + _band_rows("fit_band", fit)
    rows += [
        ("drift", str(f), np.nan, np.nan, np.nan, float(v), "PSI")
        for f, v in zip(drift["feature"], drift["psi"], strict=True)
    ]
    rows += [
        ("summary", name, np.nan, np.nan, np.nan, value, "") for name, value in figures.items()
    ]
    rows.append(("verdict", decided, np.nan, np.nan, np.nan, np.nan, "; ".join(reasons)))
    table = pd.DataFrame(rows, columns=list(MONITORING_COLUMNS))
    return table.round({"predicted": 4, "observed": 4, "value": 4}), figures, decided
