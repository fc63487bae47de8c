"""Programme impact: did being moved, or a pre-transfer training, change the next SKP?

Difference in differences with inverse-propensity weights (ATT). For each decree year Y:

- movers: transfers decreed in Y that took effect, with an SKP in Y-1 and a post-move SKP in
  Y+1 in the post they moved to, and no other decree in Y+1; outcome change = SKP(Y+1) -
  SKP(Y-1);
- comparable stayers: people in the same post in Y-1 and Y+1 with no transfer decreed in
  Y-1..Y+1; the same change.

A logistic propensity model on the SKP before (Y-1 and Y-2, and the Y-1 predikat as
categories: HR picks on it), years in the post and the grade (`COVARIATES`) weights the
stayers by p / (1 - p) so that they look like the movers, within each decree year (weights
sum to the movers of that year). The effect is the movers' mean change
minus the weighted stayers' mean change. Beside it, as a plain baseline, the unweighted
difference in differences against all stayers (`BASELINE_COHORT`). The pre-transfer training
question compares moves that change sector with and without a training in the target post's
technical competency in the year before the decree, the same way.

Scale: the 0-100 SKP score where most appraisals carry one (rows without both scores are left
out), else the 1-5 rating. 95 % intervals by a Poisson bootstrap over people (a person who stays
several years, or moves and stays, carries one weight; one matrix product per estimate; the
propensity model is not refitted per replicate). Fewer than `min_n` treated people: no
number, the row says the estimate is not reliable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.linear_model import LogisticRegression

from models.contract.enums import TECHNICAL_COMPETENCY_PREFIX, InitiatedBy
from models.contract.tables import AgencyData
from models.features.events import rating_values

PROGRAMME_COLUMNS: Final[tuple[str, ...]] = (
    "question",
    "cohort",
    "effect",
    "ci_low",
    "ci_high",
    "n",
    "method",
)
COVARIATES: Final[tuple[str, ...]] = ("pre", "prior", "prior_missing", "tenure", "grade")
NOT_RELIABLE: Final[str] = "tidak andal / not reliable"
BASELINE_COHORT: Final[str] = "semua, tanpa pembobotan / all, unweighted"
BASELINE: Final[str] = "DiD tanpa pembobotan (pembanding) / plain DiD (baseline), vs all stayers"
PRETRAINING_DAYS: Final[int] = 365


class ImpactConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bootstrap: int = Field(default=400, ge=50, le=5000, description="Bootstrap replicates.")
    min_n: int = Field(default=30, ge=1, description="Fewest treated people for an estimate.")
    random_state: int = 0


@dataclass(frozen=True)
class Estimate:
    effect: float
    ci_low: float
    ci_high: float
    n: int


def outcome_scale(performance: pd.DataFrame) -> str:
    """ "score" (0-100) when most appraisals carry a score, else "rating" (1-5)."""
    if len(performance) and performance["score"].notna().mean() >= 0.5:
        return "score"
    return "rating"


def yearly_skp(data: AgencyData, scale: str) -> pd.DataFrame:
    """One row per (nip, year): the post held, the SKP on `scale`, consecutive years in post."""
    perf = data.performance
    value = (
        perf["score"].to_numpy(float, na_value=np.nan)
        if scale == "score"
        else rating_values(perf["rating"])
    )
    frame = pd.DataFrame(
        {
            "nip": perf["nip"].astype(str).to_numpy(),
            "year": perf["year"].to_numpy(np.int64),
            "position_id": perf["position_id"].astype(str).to_numpy(),
            "value": value,
            "rating": rating_values(perf["rating"]),
        }
    ).drop_duplicates(["nip", "year"], keep="last")
    frame = frame.sort_values(["nip", "year"], kind="stable").reset_index(drop=True)
    new_run = (frame["nip"] != frame["nip"].shift()) | (
        frame["position_id"] != frame["position_id"].shift()
    )
    run_id = new_run.cumsum()
    return frame.assign(tenure=frame.groupby(run_id).cumcount() + 1.0)


def _at(skp: pd.DataFrame, keys: pd.DataFrame, offset: int, name: str) -> pd.DataFrame:
    """SKP rows of (nip, decree_year + offset), columns prefixed by `name`."""
    shifted = skp.assign(decree_year=skp["year"] - offset)
    columns = {
        "position_id": f"{name}_position",
        "value": name,
        "tenure": f"{name}_tenure",
        "rating": f"{name}_rating",
    }
    return keys.merge(
        shifted[["nip", "decree_year", *columns]].rename(columns=columns),
        on=["nip", "decree_year"],
        how="left",
    )


def _covariates(frame: pd.DataFrame, grades: pd.Series) -> pd.DataFrame:
    grade = frame["pre_position"].map(grades).astype(float)
    return frame.assign(
        prior_missing=frame["prior"].isna().astype(float),
        prior=frame["prior"].fillna(frame["pre"]),
        tenure=frame["pre_tenure"].fillna(1.0),
        grade=grade.fillna(grade.median() if grade.notna().any() else 0.0),
        change=frame["post"] - frame["pre"],
    )


def _pretrained(data: AgencyData, movers: pd.DataFrame) -> np.ndarray:
    """Per mover: a training in a technical competency of the target post (its standard, or
    `teknis_<sector>` of its unit) completed in the year before the decree."""
    history = data.training_history.merge(
        data.trainings[["training_id", "competency"]], on="training_id"
    )
    history = history.assign(nip=history["nip"].astype(str))
    standard = data.position_competencies[["position_id", "competency"]]
    standard = standard.loc[standard["competency"].str.startswith(TECHNICAL_COMPETENCY_PREFIX)]
    sector = data.positions[["position_id", "unit_id"]].merge(
        data.units[["unit_id", "sector"]], on="unit_id"
    )
    by_sector = sector.assign(competency=TECHNICAL_COMPETENCY_PREFIX + sector["sector"])
    wanted = pd.concat([standard, by_sector[["position_id", "competency"]]]).drop_duplicates()
    wanted = wanted.rename(columns={"position_id": "to_position_id"})
    pairs = movers[["transfer_id", "nip", "to_position_id", "decree_date"]].merge(
        wanted, on="to_position_id"
    )
    hits = pairs.merge(history[["nip", "competency", "completed_on"]], on=["nip", "competency"])
    decree = pd.to_datetime(hits["decree_date"])
    done = pd.to_datetime(hits["completed_on"])
    recent = (done < decree) & (done >= decree - pd.Timedelta(days=PRETRAINING_DAYS))
    return movers["transfer_id"].isin(hits.loc[recent, "transfer_id"]).to_numpy()


def _sectors(data: AgencyData) -> pd.Series:
    units = data.units.set_index("unit_id")["sector"]
    return data.positions.set_index("position_id")["unit_id"].map(units)


def mover_panel(data: AgencyData, skp: pd.DataFrame, decree_years: list[int]) -> pd.DataFrame:
    """Movers of the decree years with SKP before (Y-1, Y-2) and after (Y+1 in the new post)."""
    transfers = data.transfers
    decree = pd.to_datetime(transfers["decree_date"])
    keep = decree.dt.year.isin(decree_years) & transfers["effective_date"].notna()
    moved = transfers.loc[keep].assign(
        nip=lambda t: t["nip"].astype(str), decree_year=decree[keep].dt.year.to_numpy()
    )
    frame = _at(skp, moved, -1, "pre")
    frame = _at(skp, frame, -2, "prior")
    frame = _at(skp, frame, 1, "post")
    moved_again = pd.MultiIndex.from_arrays(
        [transfers["nip"].astype(str), decree.dt.year - 1]
    )  # a later decree in the outcome year: that SKP is not this move's alone
    again = pd.MultiIndex.from_arrays([frame["nip"], frame["decree_year"]]).isin(moved_again)
    frame = frame.loc[
        frame["pre"].notna()
        & frame["post"].notna()
        & (frame["post_position"] == frame["to_position_id"].astype(str))
        & ~again
    ].reset_index(drop=True)
    sectors = _sectors(data)
    positions = data.positions.set_index("position_id")
    return _covariates(frame, positions["grade"]).assign(
        treated=True,
        sector_change=(
            frame["from_position_id"].map(sectors).to_numpy()
            != frame["to_position_id"].map(sectors).to_numpy()
        ),
        employee_initiated=(frame["initiated_by"].astype("string") == InitiatedBy.EMPLOYEE)
        .fillna(False)
        .to_numpy(bool),
        to_unit_id=frame["to_position_id"].map(positions["unit_id"]).astype("string").to_numpy(),
        pretrained=_pretrained(data, frame),
    )


def stayer_panel(data: AgencyData, skp: pd.DataFrame, decree_years: list[int]) -> pd.DataFrame:
    """People in one post from Y-1 to Y+1 with no transfer decreed in Y-1..Y+1."""
    decree_year = pd.to_datetime(data.transfers["decree_date"]).dt.year
    moved = pd.DataFrame({"nip": data.transfers["nip"].astype(str), "year": decree_year})
    keys = pd.MultiIndex.from_product(
        [skp["nip"].unique(), decree_years], names=["nip", "decree_year"]
    ).to_frame(index=False)
    frame = _at(skp, _at(skp, _at(skp, keys, -1, "pre"), -2, "prior"), 1, "post")
    frame = frame.loc[
        frame["pre"].notna()
        & frame["post"].notna()
        & (frame["pre_position"] == frame["post_position"])
    ]
    near = pd.concat([moved.assign(year=moved["year"] + shift) for shift in (-1, 0, 1)])
    near = near.rename(columns={"year": "decree_year"}).drop_duplicates()
    frame = frame.merge(near.assign(near=True), on=["nip", "decree_year"], how="left")
    frame = frame.loc[frame["near"].isna()].drop(columns="near").reset_index(drop=True)
    return _covariates(frame, data.positions.set_index("position_id")["grade"]).assign(
        treated=False
    )


def att_weights(treated: pd.DataFrame, controls: pd.DataFrame, *, random_state: int) -> np.ndarray:
    """Weights of the controls, p / (1 - p) from a logistic propensity model, scaled within each
    decree year to the number of treated people of that year."""
    both = pd.concat([treated, controls], ignore_index=True)
    X = both[list(COVARIATES)].to_numpy(float)
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    years = pd.get_dummies(both["decree_year"].astype(str), dtype=float).to_numpy()
    ratings = pd.get_dummies(both["pre_rating"].astype(str), dtype=float).to_numpy()
    X = np.hstack([X, years, ratings])
    y = np.r_[np.ones(len(treated)), np.zeros(len(controls))]
    model = LogisticRegression(C=1.0, max_iter=500, random_state=random_state).fit(X, y)
    p = np.clip(model.predict_proba(X[len(treated) :])[:, 1], 1e-6, 0.99)
    odds = pd.Series(p / (1.0 - p), index=controls.index)
    year = controls["decree_year"]
    wanted = treated["decree_year"].value_counts()
    scale = year.map(wanted).fillna(0.0) / odds.groupby(year).transform("sum")
    return np.asarray(odds * scale, dtype=float)


def did_estimate(
    treated: pd.DataFrame, controls: pd.DataFrame, config: ImpactConfig, *, weighted: bool = True
) -> Estimate | None:
    """ATT by weighted difference in differences with a Poisson-bootstrap 95 % interval
    (`weighted=False`: the plain difference in differences, the baseline); None when there are
    fewer than `min_n` treated or no controls."""
    if len(treated) < config.min_n or len(controls) == 0:
        return None
    weights = (
        att_weights(treated, controls, random_state=config.random_state)
        if weighted
        else np.ones(len(controls))
    )
    change_t = treated["change"].to_numpy(float)
    change_c = controls["change"].to_numpy(float)
    effect = change_t.mean() - np.average(change_c, weights=weights)
    people, codes = np.unique(
        np.r_[treated["nip"].to_numpy(str), controls["nip"].to_numpy(str)], return_inverse=True
    )
    rng = np.random.default_rng(config.random_state)
    draws = rng.poisson(1.0, (config.bootstrap, len(people))).astype(np.float32)
    # A replicate's weighted sums over rows are its person draws times per-person sums:
    # one (replicates x people) @ (people x 4) product, no (replicates x rows) matrices.
    code_t, code_c = codes[: len(change_t)], codes[len(change_t) :]
    per_person = np.stack(
        [
            np.bincount(code_t, change_t, len(people)),
            np.bincount(code_t, None, len(people)),
            np.bincount(code_c, weights * change_c, len(people)),
            np.bincount(code_c, weights, len(people)),
        ],
        axis=1,
    )
    sums = draws @ per_person
    replicates = sums[:, 0] / np.maximum(sums[:, 1], 1e-9) - sums[:, 2] / np.maximum(
        sums[:, 3], 1e-9
    )
    low, high = np.percentile(replicates, [2.5, 97.5])
    return Estimate(float(effect), float(low), float(high), len(treated))


def _row(question: str, cohort: str, n: int, estimate: Estimate | None, method: str) -> dict:
    if estimate is None:
        return {
            "question": question,
            "cohort": cohort,
            "effect": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "n": n,
            "method": f"{NOT_RELIABLE} (n < 30)" if n else "tidak ada data / no data",
        }
    return {
        "question": question,
        "cohort": cohort,
        "effect": round(estimate.effect, 3),
        "ci_low": round(estimate.ci_low, 3),
        "ci_high": round(estimate.ci_high, 3),
        "n": estimate.n,
        "method": method,
    }


def mover_cohorts(movers: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(cohort label, mask over movers): all, per decree year, sector change, initiative, unit."""
    cohorts: list[tuple[str, pd.Series]] = [("semua / all", movers["treated"])]
    for year in sorted(movers["decree_year"].unique()):
        cohorts.append((f"tahun SK / decree year {year}", movers["decree_year"] == year))
    cohorts += [
        ("pindah sektor / sector change", movers["sector_change"]),
        ("sektor sama / same sector", ~movers["sector_change"]),
        ("prakarsa instansi / agency initiated", ~movers["employee_initiated"]),
        ("atas permintaan sendiri / employee initiated", movers["employee_initiated"]),
    ]
    for unit in sorted(movers["to_unit_id"].dropna().unique()):
        cohorts.append((f"unit {unit}", movers["to_unit_id"] == unit))
    return cohorts


def programme_effects(
    data: AgencyData, *, decree_years: list[int], config: ImpactConfig | None = None
) -> pd.DataFrame:
    """programme.csv: the effect of being moved (overall and by cohort) and of a pre-transfer
    training on moves that change sector, on the next SKP (PROGRAMME_COLUMNS)."""
    config = config or ImpactConfig()
    scale = outcome_scale(data.performance)
    skp = yearly_skp(data, scale).dropna(subset=["value"])
    movers = mover_panel(data, skp, decree_years)
    stayers = stayer_panel(data, skp, decree_years)
    unit = "skor SKP 0-100 / SKP score 0-100" if scale == "score" else "predikat 1-5 / rating 1-5"
    method = f"DiD berbobot propensitas / propensity-weighted DiD; {unit}"
    rows = []
    for cohort, mask in mover_cohorts(movers):
        treated = movers.loc[mask.to_numpy(bool)]
        controls = stayers.loc[stayers["decree_year"].isin(treated["decree_year"].unique())]
        estimate = did_estimate(treated, controls, config)
        rows.append(_row("moved", cohort, len(treated), estimate, f"{method}, vs stayers"))
    plain = did_estimate(movers, stayers, config, weighted=False)
    rows.insert(1, _row("moved", BASELINE_COHORT, len(movers), plain, f"{BASELINE}; {unit}"))
    changers = movers.loc[movers["sector_change"]]
    trained = changers.loc[changers["pretrained"]]
    estimate = did_estimate(trained, changers.loc[~changers["pretrained"]], config)
    rows.append(
        _row(
            "pretraining_sector_change",
            "pindah sektor / sector change",
            len(trained),
            estimate,
            f"{method}, vs sector changes without the training",
        )
    )
    return pd.DataFrame(rows, columns=list(PROGRAMME_COLUMNS))
