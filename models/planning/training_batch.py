"""Training plans for many (candidate, position) pairs at once, e.g. every move of a plan.

The same method as models/planning/training_plan.py (gaps, uncompleted trainings for them that
the model does not expect to lower fit, the cheapest cover of each gap, applied together), but
all pairs' scenarios go through one feature computation and one model call per stage, instead
of two per pair. Scenario rows are built with `models.features.pair_logic.apply_trainings` and
`pair_feature_arrays`, the code path `trained_pair_features` uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import LEVEL_MIN
from models.features.build import FEATURE_COLUMNS, FeatureContext
from models.features.pair_logic import apply_trainings, pair_feature_arrays
from models.planning.training_cover import cheapest_cover
from models.planning.training_history import CompletedTrainings
from models.planning.training_plan import MIN_EFFECT, TrainingPlanConfig
from models.scoring.compose import PairScorer

BATCH_COLUMNS: tuple[str, ...] = (
    "nip",
    "position_id",
    "training_ids",
    "hours",
    "fit_before",
    "fit_after",
)

_FEATURE_INDEX = pd.Index(FEATURE_COLUMNS)  # built once: an index of names costs per frame


def _fits(
    ctx: FeatureContext,
    scorer: PairScorer,
    rows: np.ndarray,
    codes: np.ndarray,
    sets: list[np.ndarray],
) -> np.ndarray:
    """Fit of each scenario: employee rows[i] in position codes[i] after trainings sets[i]."""
    if not len(rows):
        return np.zeros(0)
    trained = [
        apply_trainings(
            ctx.state.competency_level[row],
            ctx.state.recent_trainings[row],
            competency=ctx.training_competency[at],
            gain=ctx.training_gain[at],
        )
        for row, at in zip(rows, sets, strict=True)
    ]
    arrays = pair_feature_arrays(
        ctx.catalog,
        ctx.state,
        rows,
        codes,
        levels=np.stack([t[0] for t in trained]),
        trainings=np.stack([t[1] for t in trained]),
    )
    # One float block (the scorer reads floats): a frame of 26 separate arrays costs more to
    # build and to read back than the few dozen scenarios it holds.
    matrix = np.column_stack([np.asarray(arrays[n], dtype=np.float64) for n in FEATURE_COLUMNS])
    return scorer.predict_fit(pd.DataFrame(matrix, columns=_FEATURE_INDEX))


def _choose(
    pair: np.ndarray,
    training: np.ndarray,
    effect: np.ndarray,
    *,
    gap: np.ndarray,
    gain: np.ndarray,
    hours: np.ndarray,
    competency: np.ndarray,
    keep: int,
) -> dict[str, np.ndarray]:
    """Per pair and gap, the cheapest trainings closing it (largest gaps first), at most `keep`
    per pair; trainings the model expects to lower fit are left out. Columns, with `index`: the
    chosen options' positions.

    Options are sorted by pair, gap (largest first) and competency; one pair's options for one
    competency share its gap, so each (pair, competency) is one run of that order.
    """
    columns = {
        "pair": pair,
        "training": training,
        "effect": np.maximum(effect, 0.0),
        "gain": gain,
        "hours": hours,
        "gap": gap,
        "competency": competency,
    }
    kept = np.flatnonzero(effect > MIN_EFFECT)
    kept = kept[np.lexsort((competency[kept], -gap[kept], pair[kept]))]
    run_pair, run_competency = pair[kept], competency[kept]
    starts = np.flatnonzero(
        np.r_[True, (run_pair[1:] != run_pair[:-1]) | (run_competency[1:] != run_competency[:-1])]
    )
    picked = [
        run[cheapest_cover(float(gap[run[0]]), gain[run], hours[run])]
        for run in np.split(kept, starts[1:])
        if len(run)
    ]
    chosen = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    chosen = chosen[np.lexsort((-gap[chosen], pair[chosen]))]  # stable: cheapest first per gap
    chosen_pair = pair[chosen]
    first = np.r_[0, np.flatnonzero(chosen_pair[1:] != chosen_pair[:-1]) + 1]
    rank = np.arange(len(chosen)) - np.repeat(first, np.diff(np.r_[first, len(chosen)]))
    chosen = chosen[rank < keep] if len(chosen) else chosen
    return {"index": chosen} | {name: values[chosen] for name, values in columns.items()}


def _options(
    ctx: FeatureContext, rows: np.ndarray, codes: np.ndarray, completed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair, training, gap) arrays: uncompleted trainings for a competency gap of the pair,
    and the size of that gap."""
    known = (rows >= 0) & (codes >= 0)
    required = ctx.catalog.pos_required[np.maximum(codes, 0)].astype(float)
    current = ctx.state.competency_level[np.maximum(rows, 0)]
    level = np.where(np.isnan(current), float(LEVEL_MIN), current)
    gap = (required > 0) & (level < required) & known[:, None]
    competency = ctx.training_competency
    covers = np.where(competency[None, :] >= 0, gap[:, np.maximum(competency, 0)], False)
    pair_of, training_of = np.nonzero(covers & ~completed)
    size = (required - level)[pair_of, competency[training_of]]
    return pair_of, training_of, size


def ranked_trainings(
    ctx: FeatureContext,
    scorer: PairScorer,
    pairs: pd.DataFrame,
    *,
    catalogue: pd.DataFrame,
    training_history: pd.DataFrame,
    config: TrainingPlanConfig | None = None,
    completed: CompletedTrainings | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The best trainings of every pair, long format, and each pair's fit without training.

    Columns: pair (row of `pairs`), training (context index), effect, gain, hours, gap,
    competency; per pair the cheapest cover of each gap, largest gap first, at most
    `max_trainings` per pair. A caller that keeps `completed` per snapshot (built from the
    same catalogue and history) passes it; otherwise it is built here.
    """
    columns, fit_before, _, _ = _ranked(
        ctx,
        scorer,
        pairs,
        catalogue=catalogue,
        training_history=training_history,
        config=config,
        completed=completed,
    )
    return pd.DataFrame(columns, index=columns["index"]).drop(columns="index"), fit_before


def _ranked(
    ctx: FeatureContext,
    scorer: PairScorer,
    pairs: pd.DataFrame,
    *,
    catalogue: pd.DataFrame,
    training_history: pd.DataFrame,
    config: TrainingPlanConfig | None,
    completed: CompletedTrainings | None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """`ranked_trainings` with its frame as columns (and `index`: the frame's index), and the
    pairs' state rows and catalog codes."""
    config = config or TrainingPlanConfig()
    nips = pairs["nip"].to_numpy(dtype=object)
    rows = ctx.employee_index(nips)
    codes = ctx.position_index(pairs["position_id"].to_numpy(dtype=object))
    if completed is None:
        completed = CompletedTrainings.build(
            ctx, catalogue=catalogue, training_history=training_history
        )
    known = np.flatnonzero((rows >= 0) & (codes >= 0))
    pair_of, training_of, gap = _options(ctx, rows, codes, completed.mask(nips))
    # One model call for every scenario: each pair untrained, and each option alone.
    empty = np.zeros(0, dtype=np.int64)
    fits = _fits(
        ctx,
        scorer,
        np.concatenate([rows[known], rows[pair_of]]),
        np.concatenate([codes[known], codes[pair_of]]),
        [empty] * len(known) + [np.array([t]) for t in training_of],
    )
    fit_before = np.full(len(rows), np.nan)
    fit_before[known] = fits[: len(known)]
    single = fits[len(known) :]
    chosen = _choose(
        pair_of,
        training_of,
        single - fit_before[pair_of],
        gap=gap,
        gain=ctx.training_gain[training_of],
        hours=completed.hours[training_of],
        competency=ctx.training_competency[training_of],
        keep=config.max_trainings,
    )
    return chosen, fit_before, rows, codes


def plan_trainings(
    ctx: FeatureContext,
    scorer: PairScorer,
    pairs: pd.DataFrame,
    *,
    catalogue: pd.DataFrame,
    training_history: pd.DataFrame,
    config: TrainingPlanConfig | None = None,
    completed: CompletedTrainings | None = None,
) -> pd.DataFrame:
    """One row per pair (nip, position_id), in order: chosen trainings (";"-joined), JP, fits.

    Pairs with an unknown employee or position get no trainings and NaN fits. `completed`: as
    `ranked_trainings`.
    """
    chosen, fit_before, rows, codes = _ranked(
        ctx,
        scorer,
        pairs,
        catalogue=catalogue,
        training_history=training_history,
        config=config,
        completed=completed,
    )
    return _assemble(ctx, scorer, pairs, chosen, fit_before, rows=rows, codes=codes)


def _assemble(
    ctx: FeatureContext,
    scorer: PairScorer,
    pairs: pd.DataFrame,
    chosen: dict[str, np.ndarray],
    fit_before: np.ndarray,
    *,
    rows: np.ndarray,
    codes: np.ndarray,
) -> pd.DataFrame:
    """`chosen` (`_ranked`'s columns) as one row per pair, with the fit after all its
    trainings."""
    ids = ctx.training_ids.astype(str).to_numpy()
    hours = np.asarray(chosen["hours"], dtype=float)
    pair_ids = chosen["pair"]
    with_sets, starts = np.unique(pair_ids, return_index=True)  # chosen is sorted by pair
    sets = np.split(chosen["training"], starts[1:]) if len(with_sets) else []
    hour_sets = np.split(hours, starts[1:]) if len(with_sets) else []
    after = fit_before.copy()
    after[with_sets] = _fits(ctx, scorer, rows[with_sets], codes[with_sets], sets)
    joined = np.full(len(pairs), "", dtype=object)
    total_hours = np.zeros(len(pairs))
    for pair, at, jp in zip(with_sets, sets, hour_sets, strict=True):  # a few trainings each
        joined[pair] = ";".join(ids[at])
        total_hours[pair] = float(jp.sum())
    columns = {
        "nip": pairs["nip"].to_numpy(),
        "position_id": pairs["position_id"].to_numpy(),
        "training_ids": joined,
        "hours": total_hours,
        "fit_before": fit_before,
        "fit_after": after,
    }
    return pd.DataFrame({name: columns[name] for name in BATCH_COLUMNS})  # no list selection
