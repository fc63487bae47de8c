"""What a consultation answer does to risk, as the served model learned it, and what it costs.

On a trained demo agency (current snapshot and @champion under MUTASI_HOME), loaded as the
service loads it (serving/loading.py `build_state`): `--pairs` random (employee, open slot)
pairs that the policy allows, each scored three ways through the service's own answer path
(serving/consultation/in_force.py `answered_context`):
  - nothing stated: the person's answer states nothing and the export's wishes are dropped;
  - met: the person ranked the slot first (a unit wish for its unit, priority 1);
  - not met: the person ranked first a position of another unit instead.
It prints the mean risk of each with the share of pairs where met < nothing and not met >
nothing, beside the history the model learned from (resistance rate of past transfers by
whether the move met a wish the person had stated). Then the cost in the service: patching
`--answers` respondents into the loaded state, and the per-request version query.

    MUTASI_HOME=... .venv/bin/python bench/answers_risk.py [--pairs 20000] [--seed 101]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.features.build import current_pair_features, transfer_examples
from models.features.stated import with_stated_preferences
from models.planning.instance import default_slots
from models.planning.staffing import position_balance
from pipelines.settings import get_settings
from serving.consultation import store
from serving.consultation.in_force import answered_context, answered_state
from serving.db import make_engine
from serving.loading import build_state
from serving.ranking import score_frame
from serving.state import LoadedState

NO_WISHES = pd.DataFrame(columns=["nip", "kind", "value", "priority"])


def eligible_pairs(state: LoadedState, *, pairs: int, seed: int) -> pd.DataFrame:
    """Up to `pairs` people, each with one random open slot the policy lets them take."""
    rng = np.random.default_rng(seed)
    slots = default_slots(position_balance(state.data.positions, state.data.employees))
    nips = state.lookups.employees.index.to_numpy(dtype=object)
    tries = 8  # random slots drawn per person; the first eligible one is kept
    drawn = pd.DataFrame(
        {
            "nip": np.repeat(nips, tries),
            "position_id": rng.choice(
                slots["position_id"].astype(str).to_numpy(), len(nips) * tries
            ),
        }
    )
    scored = score_frame(state, drawn["nip"].to_numpy(), drawn["position_id"].to_numpy())
    kept = drawn.loc[scored["eligible"].to_numpy(bool)].drop_duplicates("nip")
    return kept.sample(frac=1.0, random_state=seed).head(pairs).reset_index(drop=True)


def other_unit_position(state: LoadedState, pairs: pd.DataFrame, *, seed: int) -> np.ndarray:
    """For each pair, a random position of a unit other than the pair's target unit."""
    rng = np.random.default_rng(seed + 1)
    positions = state.lookups.positions
    units = positions["unit_id"].astype(str).to_numpy()
    ids = positions.index.to_numpy(dtype=object)
    target_units = positions.loc[pairs["position_id"], "unit_id"].astype(str).to_numpy()
    picked = rng.integers(0, len(ids), len(pairs))
    clash = units[picked] == target_units
    while clash.any():
        picked[clash] = rng.integers(0, len(ids), int(clash.sum()))
        clash = units[picked] == target_units
    return ids[picked]


def risk_when(state: LoadedState, pairs: pd.DataFrame, ranked: np.ndarray | None) -> np.ndarray:
    """Risk of the pairs when each person ranked `ranked[i]` first (None: stated nothing)."""
    nips = pairs["nip"].astype(str)
    if ranked is None:  # an answer that only withdraws: nothing stated for everyone
        context = with_stated_preferences(state.context, nips.astype("string"), NO_WISHES)
    else:
        choices = pd.DataFrame({"nip": nips, "position_id": ranked.astype(str), "rank": 1})
        context = answered_context(
            state.context,
            existing=state.data.preferences,
            positions=state.data.positions,
            choices=choices,
            wishes=NO_WISHES,
        )
    features = current_pair_features(
        context, nips.to_numpy(dtype=object), pairs["position_id"].to_numpy(dtype=object)
    )
    return np.asarray(state.bundle.scorer.predict_risk(features), dtype=float)


def history_table(state: LoadedState) -> pd.DataFrame:
    examples = transfer_examples(state.data)
    match = examples["preference_match"]
    status = np.where(match.isna(), "nothing stated", np.where(match > 0, "met", "not met"))
    return (
        examples.assign(status=status)
        .groupby("status")["resisted"]
        .agg(transfers="size", resistance_rate="mean")
    )


def patch_cost(state: LoadedState, pairs: pd.DataFrame, *, answers: int) -> tuple[float, int]:
    now = datetime.now(UTC)
    fake = [
        store.Answer(
            round_id="bench",
            nip=str(nip),
            positions=[str(p)],
            wishes=[],
            consent_at=now,
            updated_at=now,
            version=1,
            has_note=False,
        )
        for nip, p in zip(pairs["nip"][:answers], pairs["position_id"][:answers], strict=True)
    ]
    start = time.perf_counter()
    answered_state(state, fake)
    return time.perf_counter() - start, len(fake)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=101)
    args = parser.parse_args()
    state = build_state(get_settings())
    pairs = eligible_pairs(state, pairs=args.pairs, seed=args.seed)
    nothing = risk_when(state, pairs, None)
    met = risk_when(state, pairs, pairs["position_id"].to_numpy(dtype=object))
    not_met = risk_when(state, pairs, other_unit_position(state, pairs, seed=args.seed))
    print(f"{len(pairs)} eligible pairs, model {state.model_version}, seed {args.seed}")
    for name, risk in (
        ("nothing stated", nothing),
        ("met (first wish)", met),
        ("not met", not_met),
    ):
        print(f"  {name:18s} mean risk {risk.mean():.4f}  median {np.median(risk):.4f}")
    print(
        f"  met < nothing: {np.mean(met < nothing):.1%}; "
        f"met > nothing: {np.mean(met > nothing):.1%}"
    )
    print(
        f"  not met > nothing: {np.mean(not_met > nothing):.1%}; "
        f"not met < nothing: {np.mean(not_met < nothing):.1%}"
    )
    print("history (past transfers, preferences as the export states them):")
    print(history_table(state).to_string())
    seconds, count = patch_cost(state, pairs, answers=args.answers)
    print(f"patching {count} answers into the loaded state: {seconds:.3f} s")
    engine = make_engine(get_settings().db_url)
    start = time.perf_counter()
    for _ in range(100):
        store.answers_version(engine)
    print(f"answers' version query: {(time.perf_counter() - start) * 10:.2f} ms per request")


if __name__ == "__main__":
    main()
