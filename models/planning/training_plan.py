"""Pre-transfer training plan for one (candidate, position) pair.

1. Gaps: competencies the position's standard requires above the candidate's latest assessed
   level (a competency never assessed is planned from level 1, as in the features, and its
   sentence says the level is unknown).
2. Options: catalogue trainings for a gap competency that the candidate has not completed.
3. Effect: the fit model's prediction with the training applied to the candidate's features
   (competency level + gain capped at 5, the recent-training counts) minus the prediction
   without it. Trainings are ranked by that effect, then by the gain they realise (below),
   then by fewer JP hours; those the model expects to lower fit are dropped. A training with
   no effect on the model's fit is kept: it still closes a gap in the position's standard.
   Per gap, the cheapest set of the rest that closes it (models/planning/training_cover.py):
   no second training for a gap the first one closes.

   The gain applied is the one the agency's own history shows where it can: a catalogue's
   `level_gain` is a promise, and some trainings keep it better than others. `realised_gains`
   compares each completion's competency assessment just before with the next one after and
   shrinks the mean towards the promised gain (`prior_weight` pseudo-observations), so a
   training with little evidence keeps about its promise and one that visibly works (or does
   not) moves away from it.
4. The covers of all gaps are applied together for the expected fit after training.

Feature rows come from `models.features.build.trained_pair_features`, the same code path as scoring.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.contract.enums import LEVEL_MIN
from models.contract.errors import MutasiError
from models.contract.tables import AgencyData
from models.features.build import FeatureContext, UnknownEmployeeError, trained_pair_features
from models.planning.training_cover import cheapest_cover
from models.planning.training_history import CompletedTrainings
from models.scoring.compose import PairScorer

GAP_COLUMNS: tuple[str, ...] = ("competency", "current_level", "required_level", "gap")
OPTION_COLUMNS: tuple[str, ...] = (
    "training_id",
    "name",
    "competency",
    "hours",
    "level_gain",
    "expected_gain",
    "effect",
    "fit_after_alone",
)
MIN_EFFECT = -1e-9  # effects below this (the model expects fit to drop) are not suggested


class UnknownPositionError(MutasiError):
    pass


class TrainingPlanConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_trainings: int = Field(
        default=6, ge=1, le=20, description="Trainings returned at most (largest gaps first)."
    )
    prior_weight: float = Field(
        default=5.0,
        ge=0.0,
        description="Pseudo-observations of the promised level_gain when estimating the gain "
        "a training realises from assessments before and after it.",
    )


@dataclass(frozen=True)
class TrainingPlan:
    nip: str
    position_id: str
    gaps: pd.DataFrame  # GAP_COLUMNS
    trainings: pd.DataFrame  # OPTION_COLUMNS + text: per gap its cheapest cover
    fit_before: float
    fit_after: float  # with every returned training completed
    total_hours: float


def completed_trainings(training_history: pd.DataFrame, nip: str, as_of: object) -> set[str]:
    """Training ids the employee completed before `as_of`."""
    mine = training_history.loc[training_history["nip"].astype("string") == nip]
    before = pd.to_datetime(mine["completed_on"]) < pd.Timestamp(as_of)  # type: ignore[arg-type]
    return set(mine.loc[before, "training_id"].astype("string"))


def realised_gains(
    trainings: pd.DataFrame,
    training_history: pd.DataFrame,
    competencies: pd.DataFrame,
    *,
    prior_weight: float = 5.0,
) -> pd.Series:
    """Per training_id: the level gain it realised, shrunk towards its promised level_gain.

    For each completion, the gain is the first assessment of the training's competency after
    it minus the last one before it (completions without both are skipped).
    """
    catalogue = trainings.assign(
        training_id=trainings["training_id"].astype("string"),
        promised=trainings["level_gain"].fillna(1.0).astype(float),
    ).drop_duplicates("training_id")
    done = training_history.assign(training_id=training_history["training_id"].astype("string"))
    done = done.merge(catalogue[["training_id", "competency"]], on="training_id", how="inner")
    done = done.assign(
        nip=done["nip"].astype("string"),
        competency=done["competency"].astype("string"),
        when=pd.to_datetime(done["completed_on"]),
    ).dropna(subset=["when"])
    assessed = competencies.assign(
        nip=competencies["nip"].astype("string"),
        competency=competencies["competency"].astype("string"),
        when=pd.to_datetime(competencies["assessed_on"]),
        level=competencies["level"].astype(float),
    )[["nip", "competency", "when", "level"]].dropna(subset=["when"])
    done, assessed = done.sort_values("when"), assessed.sort_values("when")
    keys = dict(on="when", by=["nip", "competency"], allow_exact_matches=False)
    before = pd.merge_asof(done, assessed, direction="backward", **keys)  # type: ignore[arg-type]
    after = pd.merge_asof(done, assessed, direction="forward", **keys)  # type: ignore[arg-type]
    observed = pd.DataFrame(
        {"training_id": before["training_id"], "gain": after["level"] - before["level"]}
    ).dropna()
    stats = observed.groupby("training_id")["gain"].agg(["sum", "count"])
    stats = stats.reindex(catalogue["training_id"], fill_value=0.0)
    promised = catalogue.set_index("training_id")["promised"]
    gain = (stats["sum"] + prior_weight * promised) / (stats["count"] + prior_weight)
    return gain.clip(lower=0.0).rename("realised_gain")


def with_realised_gains(ctx: FeatureContext, gains: pd.Series) -> FeatureContext:
    """A context whose trainings apply their realised gain instead of the promised one."""
    realised = gains.reindex(pd.Index(ctx.training_ids.astype(object), dtype=object))
    gain = np.where(realised.isna(), ctx.training_gain, realised.to_numpy(dtype=float))
    return replace(ctx, training_gain=gain)


def competency_gaps(ctx: FeatureContext, nip: str, position_id: str) -> pd.DataFrame:
    """Competencies below the position's standard, largest gap first."""
    row, code = _locate(ctx, nip, position_id)
    required = ctx.catalog.pos_required[code].astype(float)
    current = ctx.state.competency_level[row]
    level = np.where(np.isnan(current), float(LEVEL_MIN), current)
    short = (required > 0) & (level < required)
    gaps = pd.DataFrame(
        {
            "competency": ctx.catalog.competencies.to_numpy()[short],
            "current_level": current[short],
            "required_level": required[short],
            "gap": (required - level)[short],
        }
    )
    return gaps.sort_values(["gap", "competency"], ascending=[False, True]).reset_index(drop=True)


def _locate(ctx: FeatureContext, nip: str, position_id: str) -> tuple[int, int]:
    row = int(ctx.employee_index([nip])[0])
    if row < 0:
        raise UnknownEmployeeError(
            f"NIP {nip} tidak ditemukan di antara pegawai aktif / "
            f"NIP {nip} is not among employees in service"
        )
    code = int(ctx.position_index([position_id])[0])
    if code < 0:
        raise UnknownPositionError(
            f"Jabatan {position_id} tidak ditemukan / Position {position_id} not found"
        )
    return row, code


def _options(
    ctx: FeatureContext, catalogue: pd.DataFrame, gaps: pd.DataFrame, completed: set[str]
) -> pd.DataFrame:
    """Catalogue trainings for a gap competency, not yet completed, known to the context."""
    ids = catalogue["training_id"].astype("string")
    at = ctx.training_ids.get_indexer(pd.Index(ids.to_numpy(dtype=object), dtype=object))
    useful = catalogue["competency"].astype("string").isin(gaps["competency"])
    keep = (at >= 0) & useful.to_numpy(bool) & ~ids.isin(completed).to_numpy(bool)
    options = catalogue.loc[keep, ["training_id", "name", "competency", "hours", "level_gain"]]
    return options.assign(
        training_id=options["training_id"].astype("string"),
        level_gain=options["level_gain"].fillna(1.0),
        expected_gain=ctx.training_gain[at[keep]],
    ).reset_index(drop=True)


def _covers(options: pd.DataFrame, gaps: pd.DataFrame, *, limit: int) -> pd.DataFrame:
    """Per gap (largest first), the cheapest trainings closing it; at most `limit` in all."""
    chosen = []
    for competency, current, required, gap in zip(
        gaps["competency"].astype(str),
        gaps["current_level"].to_numpy(dtype=float),
        gaps["required_level"].to_numpy(dtype=float),
        gaps["gap"].to_numpy(dtype=float),
        strict=True,
    ):
        own = options.loc[options["competency"] == competency].reset_index(drop=True)
        picked = cheapest_cover(
            gap,
            own["expected_gain"].to_numpy(dtype=float),
            own["hours"].to_numpy(dtype=float),
        )
        reached = float(own["expected_gain"].to_numpy(dtype=float)[picked].sum())
        chosen.append(
            own.iloc[picked].assign(
                text=training_sentence(
                    competency=competency,
                    current=current,
                    required=required,
                    reached=reached,
                    hours=own["hours"].iloc[picked],
                )
            )
        )
    if not chosen:
        return options.iloc[0:0].assign(text=pd.Series(dtype=object))
    return pd.concat(chosen, ignore_index=True).head(limit)


def training_sentence(
    *, competency: str, current: float, required: float, reached: float, hours: pd.Series
) -> list[str]:
    """One "Indonesian / English" sentence per training of a gap's cover; `current` is NaN
    when the level was never assessed, `reached` the levels the cover is expected to add."""
    known = not np.isnan(current)
    start = current if known else float(LEVEL_MIN)
    after, standard = _level(min(start + reached, required)), _level(required)
    closes = start + reached >= required - 1e-9
    if known:
        level_id, level_en = f"dari level {_level(start)}", f"from level {_level(start)}"
    else:
        level_id = "level saat ini tidak diketahui (dihitung dari level 1; asesmen disarankan)"
        level_en = "current level unknown (counted from level 1; an assessment is advised)"
    verb_id, verb_en = ("menutup", "closes") if closes else ("mengurangi", "narrows")
    return [
        f"{verb_id} kesenjangan {competency} {level_id} ke {after} (standar {standard}), "
        f"{_level(jp)} JP / {verb_en} the {competency} gap {level_en} to {after} "
        f"(standard {standard}), {_level(jp)} hours"
        for jp in hours
    ]


def _level(value: float) -> str:
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}".replace(".", ",")


def plan_training(
    ctx: FeatureContext,
    scorer: PairScorer,
    *,
    nip: str,
    position_id: str,
    catalogue: pd.DataFrame,
    completed: set[str],
    config: TrainingPlanConfig | None = None,
) -> TrainingPlan:
    """The trainings that close this candidate's gaps for the position at the fewest hours."""
    config = config or TrainingPlanConfig()
    gaps = competency_gaps(ctx, nip, position_id)
    options = _options(ctx, catalogue, gaps, completed)
    scenarios = [[]] + [[t] for t in options["training_id"]]
    fits = scorer.predict_fit(trained_pair_features(ctx, nip, position_id, scenarios))
    fit_before = float(fits[0])
    options = options.assign(effect=fits[1:] - fit_before, fit_after_alone=fits[1:])
    options = options.loc[options["effect"] > MIN_EFFECT].assign(
        effect=lambda frame: frame["effect"].clip(lower=0.0)
    )
    chosen = _covers(options, gaps, limit=config.max_trainings)
    chosen = chosen[[*OPTION_COLUMNS, "text"]]
    fit_after = fit_before
    if len(chosen):
        together = trained_pair_features(ctx, nip, position_id, [list(chosen["training_id"])])
        fit_after = float(scorer.predict_fit(together)[0])
    return TrainingPlan(
        nip=nip,
        position_id=position_id,
        gaps=gaps,
        trainings=chosen.reset_index(drop=True),
        fit_before=fit_before,
        fit_after=fit_after,
        total_hours=float(chosen["hours"].sum()),
    )


@dataclass(frozen=True)
class TrainingPlanner:
    """Everything a training plan needs for one snapshot, built once, asked many times."""

    context: FeatureContext  # with realised gains
    scorer: PairScorer
    catalogue: pd.DataFrame
    training_history: pd.DataFrame
    config: TrainingPlanConfig

    @classmethod
    def build(
        cls,
        ctx: FeatureContext,
        scorer: PairScorer,
        *,
        data: AgencyData,
        config: TrainingPlanConfig | None = None,
    ) -> TrainingPlanner:
        config = config or TrainingPlanConfig()
        gains = realised_gains(
            data.trainings,
            data.training_history,
            data.competencies,
            prior_weight=config.prior_weight,
        )
        return cls(
            context=with_realised_gains(ctx, gains),
            scorer=scorer,
            catalogue=data.trainings,
            training_history=data.training_history,
            config=config,
        )

    @cached_property
    def catalogue_by_id(self) -> dict[str, dict[Hashable, Any]]:
        """Catalogue rows by training_id (the first row of a repeated id), built on first use."""
        rows = self.catalogue.astype({"training_id": str}).drop_duplicates("training_id")
        return {str(row["training_id"]): row for row in rows.to_dict("records")}

    @cached_property
    def completed(self) -> CompletedTrainings:
        """Everyone's completed trainings and the catalogue's hours as arrays, built on first
        use: a batch of a few people then reads them instead of scanning the history."""
        return CompletedTrainings.build(
            self.context, catalogue=self.catalogue, training_history=self.training_history
        )

    def plan(self, nip: str, position_id: str) -> TrainingPlan:
        completed = completed_trainings(self.training_history, nip, self.context.as_of)
        return plan_training(
            self.context,
            self.scorer,
            nip=nip,
            position_id=position_id,
            catalogue=self.catalogue,
            completed=completed,
            config=self.config,
        )
