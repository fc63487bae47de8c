"""Scoring for the routes: one position's shortlist, and pairs in bulk.

The shortlist does the least work that gives the exact answer: filters and the eligibility
rules first (cheap, vectorised), fit for the remaining pool, risk only for the best-fit rows
needed to rank and filter, and LightGBM explanations (pred_contrib) only for the k returned,
their tree work running beside the fairness audit and the suggested trainings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.contract.enums import GOLONGAN_ORDINAL
from models.scoring.compose import fit_pairs, score_pairs
from models.scoring.fairness import SelectionAudit
from models.scoring.policy import indexed_eligibility
from serving.explain import contributions_of, explain_pairs
from serving.schemas.common import Factor, TrainingSuggestion
from serving.state import LoadedState
from serving.threads import side_threads
from serving.training import suggest_training

RISK_CHUNK_MIN = 256


@dataclass(frozen=True)
class ShortlistQuery:
    position_id: str
    k: int = 10
    include_ineligible: bool = False
    sector: str | None = None
    region: str | None = None
    max_risk: float | None = None
    min_rank: str | None = None


@dataclass(frozen=True)
class Shortlist:
    """Ranked rows (nip, eligible, ineligible_reasons, fit, risk) with their explanations."""

    pool_size: int
    eligible_count: int
    candidates: pd.DataFrame
    near_misses: pd.DataFrame
    factors: dict[str, list[Factor]]  # nip -> top fit and risk factors
    fairness: SelectionAudit  # of the top k among the eligible pool
    trainings: dict[str, list[TrainingSuggestion]]  # nip -> trainings to take before the move


def score_frame(state: LoadedState, nips: np.ndarray, position_ids: np.ndarray) -> pd.DataFrame:
    """Eligibility, reasons, fit and risk per pair, in order (the batch-scoring code path)."""
    return score_pairs(
        state.context,
        state.bundle.scorer,
        list(nips),
        list(position_ids),
        policy=state.policy,
    )


def candidate_pool(state: LoadedState, query: ShortlistQuery) -> np.ndarray:
    """Rows (of state.candidates) of everyone who could move into the position, after filters."""
    employees = state.lookups.employees
    positions = state.lookups.positions.index
    target = positions.get_indexer(pd.Index([query.position_id]))[0]
    holds = state.candidates.position_rows == target
    keep = ~holds if target >= 0 else np.ones(len(employees), dtype=bool)
    if query.sector is not None:
        keep &= (employees["sector"] == query.sector).fillna(False).to_numpy(bool)
    if query.region is not None:
        keep &= (employees["region_code"] == query.region).fillna(False).to_numpy(bool)
    if query.min_rank is not None:
        floor = GOLONGAN_ORDINAL[query.min_rank]
        keep &= (employees["rank_ordinal"] >= floor).to_numpy(bool)
    return np.flatnonzero(keep)


def failed_rules(reasons: np.ndarray) -> np.ndarray:
    """How many rules each ";"-joined reason string names (0 for ""), counted once per distinct
    combination (a pool of thousands holds a few dozen)."""
    codes, combinations = pd.factorize(np.asarray(reasons, dtype=object), use_na_sentinel=False)
    counts = np.fromiter(
        (r.count(";") + 1 if isinstance(r, str) and r else 0 for r in combinations),
        dtype=np.int64,
        count=len(combinations),
    )
    return counts[codes]


def _rank(frame: pd.DataFrame) -> pd.DataFrame:
    """Fewest failed rules first (near-misses: how near), then fit desc, then risk asc
    (a stable sort: equal rows keep their order)."""
    return frame.iloc[
        _rank_order(
            frame["fit"].to_numpy(dtype=float),
            frame["risk"].to_numpy(dtype=float),
            frame["ineligible_reasons"].to_numpy(dtype=object),
        )
    ]


def _rank_order(fit: np.ndarray, risk: np.ndarray, reasons: np.ndarray) -> np.ndarray:
    """`_rank`'s order of rows given as arrays."""
    return np.lexsort((risk, -fit, failed_rules(reasons)))


def _tied(a: int, b: int, *, fit: np.ndarray, failed: np.ndarray) -> bool:
    return bool(fit[a] == fit[b] and failed[a] == failed[b])


def _best_with_risk(
    state: LoadedState,
    features: pd.DataFrame,
    fit: np.ndarray,
    *,
    failed: np.ndarray,
    k: int,
    max_risk: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the k best by (failed rules asc, fit desc, risk asc) passing max_risk,
    and their risk.

    Risk is computed in chunks of the best rows; a chunk boundary never splits a tie.
    Without max_risk the first k rows (and their ties) are the answer, so the first chunk is k.
    """
    order = np.lexsort((-fit, failed))
    scorer = state.bundle.scorer
    chosen: list[np.ndarray] = []
    risks: list[np.ndarray] = []
    done, found = 0, 0
    chunk = k if max_risk is None else max(4 * k, RISK_CHUNK_MIN)
    while done < len(order) and found < k:
        end = min(done + chunk, len(order))
        while end < len(order) and _tied(order[end], order[end - 1], fit=fit, failed=failed):
            end += 1  # keep ties together so the risk tie-break sees all of them
        rows = order[done:end]
        risk = np.asarray(scorer.predict_risk(features.iloc[rows]), dtype=np.float64)
        passing = np.ones(len(rows), bool) if max_risk is None else risk <= max_risk
        chosen.append(rows[passing])
        risks.append(risk[passing])
        found += int(passing.sum())
        done, chunk = end, chunk * 2
    if not chosen:
        return np.array([], dtype=np.int64), np.array([], dtype=np.float64)
    return np.concatenate(chosen), np.concatenate(risks)


def _top(
    state: LoadedState,
    rows: np.ndarray,
    position_code: int,
    *,
    query: ShortlistQuery,
    reasons: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The query.k best pairs of `rows` (of state.candidates) into the position whose catalog
    code is `position_code`, ranked, with the policy's reasons[i] for rows[i] beside them; and
    the feature rows of those pairs in the same order (explained without rebuilding them)."""
    context_rows = state.candidates.context_rows[rows]
    codes = np.full(len(rows), position_code)
    features, fit = fit_pairs(state.context, state.bundle.scorer, context_rows, codes)
    if len(rows) == 0:
        empty = pd.DataFrame({"nip": [], "fit": [], "risk": []}).astype({"nip": "string"})
        return empty.assign(eligible=True, ineligible_reasons=""), features
    best, risk = _best_with_risk(
        state, features, fit, failed=failed_rules(reasons), k=query.k, max_risk=query.max_risk
    )
    order = _rank_order(fit[best], risk, reasons[best])[: query.k]
    shown = best[order]
    frame = pd.DataFrame(
        {
            "nip": state.candidates.nips[rows[shown]],
            "fit": fit[shown],
            "risk": risk[order],
            "eligible": reasons[shown] == "",
            "ineligible_reasons": reasons[shown],
        }
    )
    return frame, features.iloc[shown]


def shortlist(state: LoadedState, query: ShortlistQuery) -> Shortlist:
    """The ranked eligible candidates (and near-misses) for one position."""
    pool = candidate_pool(state, query)
    code = int(state.context.position_index([query.position_id])[0])
    eligible, reasons = indexed_eligibility(
        state.context,
        state.candidates.context_rows[pool],
        np.full(len(pool), code),
        config=state.policy,
    )
    top, shown_features = _top(state, pool[eligible], code, query=query, reasons=reasons[eligible])
    near = pd.DataFrame(columns=top.columns)
    if query.include_ineligible:
        near, near_features = _top(
            state, pool[~eligible], code, query=query, reasons=reasons[~eligible]
        )
        shown_features = pd.concat([shown_features, near_features])
    shown = np.concatenate([top["nip"].to_numpy(), near["nip"].to_numpy()])
    risks = np.concatenate([top["risk"].to_numpy(float), near["risk"].to_numpy(float)])
    # TreeSHAP (LightGBM, without the GIL) on the helper threads, started from a side thread
    # that only waits for it, while this thread audits and suggests the trainings: the Python
    # work stays on one thread (threads running Python at once only queue for the GIL).
    contributions = side_threads().submit(contributions_of, state, shown_features)
    fairness = _fairness(state, pool[eligible], top["nip"].to_numpy(dtype=object))
    trainings = suggest_training(state, [str(n) for n in shown], query.position_id)
    factors = explain_pairs(
        state,
        shown,
        shown_features,
        query.position_id,
        risks=risks,
        contributions=contributions.result(),
    )
    return Shortlist(
        pool_size=len(pool),
        eligible_count=int(eligible.sum()),
        candidates=top,
        near_misses=near,
        factors=factors,
        fairness=fairness,
        trainings=trainings,
    )


def _fairness(state: LoadedState, eligible_rows: np.ndarray, shown: np.ndarray) -> SelectionAudit:
    """Selection rates by gender and age band of the shown top k within the eligible pool."""
    context_rows = state.candidates.context_rows[eligible_rows]
    ranked = state.context.employee_index(shown)
    selected = np.isin(context_rows, ranked)
    return state.candidates.groups.ranked_audit(context_rows, selected, ranked)
