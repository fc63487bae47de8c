"""After the move: every move of a window, predicted against actual, and each unit before/after.

Predicted fit of a move comes from the decision record when an officer adopted the
recommendation of that very post before the decree (`prediction_source = decision`: the fit as
shown); otherwise it is recomputed by the current model from features as of the decree date
(`backcast`: models/features/build.py `pair_features_at`, which sees only history dated before
it). Actual fit is the post-move SKP rating (1-5) by the contract's definition.

Flags compare the actual rating with the rating level of the prediction (the category it falls
in: cuts 1.5 / 2.5 / 3.5 / 4.5): `below_expectation` when the actual is at least one level
below it or is butuh_perbaikan (3) or worse, `above_expectation` at least one level above,
`as_expected` otherwise, `awaiting_skp` while there is no post-move SKP yet.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import SKP_RATING_VALUE, SkpRating
from models.contract.errors import MutasiError
from models.contract.tables import AgencyData
from models.features.build import pair_features_at
from models.features.events import post_move_labels
from models.planning.staffing import position_balance, unit_balance
from models.scoring.compose import PairScorer

MOVE_COLUMNS: Final[tuple[str, ...]] = (
    "transfer_id",
    "nip",
    "to_position_id",
    "decree_date",
    "predicted_fit",
    "prediction_source",
    "actual_fit",
    "gap",
    "flag",
    "suggested_trainings",
)
FLAGS: Final[tuple[str, ...]] = (
    "below_expectation",
    "as_expected",
    "above_expectation",
    "awaiting_skp",
)
COACHING_ONLY: Final[str] = "pendampingan atasan / coaching by the supervisor"
POOR_RATING: Final[int] = SKP_RATING_VALUE[SkpRating.BUTUH_PERBAIKAN]
DECISION_COLUMNS: Final[tuple[str, ...]] = (
    "nip",
    "position_id",
    "decision",
    "fit",
    "risk",
    "at",
)


FIRST_YEAR, LAST_YEAR = 1900, 2200


class ReviewWindowError(MutasiError):
    """The review window is empty or backwards."""


def check_dates(*days: date | None) -> None:
    """Dates a review window may use: from 1900 to 2200."""
    for day in days:
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ReviewWindowError(
                f"Tanggal {day} di luar {FIRST_YEAR}-{LAST_YEAR} / "
                f"date {day} is outside {FIRST_YEAR}-{LAST_YEAR}"
            )


def window_transfers(transfers: pd.DataFrame, *, since: date, until: date) -> pd.DataFrame:
    """Transfers decreed in [since, until]; a backwards or empty window is a user error."""
    check_dates(since, until)
    if until < since:
        raise ReviewWindowError(
            f"Tanggal akhir {until} sebelum tanggal awal {since} / "
            f"--until {until} is before --since {since}"
        )
    decree = pd.to_datetime(transfers["decree_date"])
    inside = (decree >= pd.Timestamp(since)) & (decree <= pd.Timestamp(until))
    if not inside.any():
        raise ReviewWindowError(
            f"Tidak ada mutasi dengan tanggal SK {since} s.d. {until} / "
            f"no transfers decreed between {since} and {until}"
        )
    return transfers.loc[inside.to_numpy()].reset_index(drop=True)


def predicted_level(fit: np.ndarray) -> np.ndarray:
    """The rating level (1-5) a continuous prediction falls in."""
    return np.digitize(fit, [1.5, 2.5, 3.5, 4.5]) + 1


def move_flags(predicted: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """One flag per move from predicted fit and actual post-move rating (NaN: awaiting)."""
    predicted = np.asarray(predicted, dtype=float)
    actual = np.asarray(actual, dtype=float)
    level = predicted_level(predicted)
    below = (actual <= level - 1) | (actual <= POOR_RATING)
    above = actual >= level + 1
    flags = np.where(
        below, "below_expectation", np.where(above, "above_expectation", "as_expected")
    )
    return np.where(np.isnan(actual), "awaiting_skp", flags)


def decision_predictions(moves: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Per move (index kept): fit and risk of the latest adoption of this very post for this
    person recorded on or before the decree date (NaN where there is none)."""
    empty = pd.DataFrame({"fit": np.nan, "risk": np.nan}, index=moves.index)
    if decisions.empty:
        return empty
    adopted = decisions.loc[decisions["decision"] == "adopted", list(DECISION_COLUMNS)]
    at = pd.to_datetime(adopted["at"], utc=True).dt.tz_localize(None).dt.normalize()
    adopted = adopted.assign(at=at, nip=adopted["nip"].astype(str))
    keys = moves[["nip", "to_position_id", "decree_date"]].assign(
        row=moves.index,
        nip=moves["nip"].astype(str),
        to_position_id=moves["to_position_id"].astype(str),
        decree=pd.to_datetime(moves["decree_date"]),
    )
    joined = keys.merge(adopted, left_on=["nip", "to_position_id"], right_on=["nip", "position_id"])
    joined = joined.loc[joined["at"] <= joined["decree"]].sort_values("at")
    latest = joined.drop_duplicates("row", keep="last").set_index("row")
    return empty.assign(fit=latest["fit"], risk=latest["risk"])


def backcast_features(data: AgencyData, moves: pd.DataFrame) -> pd.DataFrame:
    """Each move's features as of its decree date (index kept): the point-in-time rules of
    models/features/history.py, so nothing dated on or after the decree enters."""
    pairs = pd.DataFrame(
        {
            "nip": moves["nip"].astype(str).to_numpy(),
            "position_id": moves["to_position_id"].astype(str).to_numpy(),
            "as_of": pd.to_datetime(moves["decree_date"]).to_numpy(),
            "from_position_id": moves["from_position_id"].astype(str).to_numpy(),
            "initiated_by": moves["initiated_by"].to_numpy(),
        }
    )
    return pair_features_at(data, pairs).set_axis(moves.index)


def backcast(features: pd.DataFrame, scorer: PairScorer) -> pd.DataFrame:
    """Fit and risk the model gives each move from its decree-date features."""
    return pd.DataFrame(
        {"fit": scorer.predict_fit(features), "risk": scorer.predict_risk(features)},
        index=features.index,
    )


def review_moves(
    data: AgencyData,
    moves: pd.DataFrame,
    *,
    scorer: PairScorer,
    decisions: pd.DataFrame,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """MOVE_COLUMNS (suggested_trainings empty) plus predicted_risk, resisted, from_position_id
    for the moves of a window (`window_transfers`); `features` as from `backcast_features`."""
    recorded = decision_predictions(moves, decisions)
    if features is None:
        features = backcast_features(data, moves)
    recomputed = backcast(features, scorer)
    from_decision = recorded["fit"].notna()
    predicted = recorded["fit"].where(from_decision, recomputed["fit"])
    risk = recorded["risk"].where(recorded["risk"].notna() & from_decision, recomputed["risk"])
    labels = post_move_labels(data)
    actual = moves[["transfer_id"]].merge(
        data.transfers[["transfer_id"]].assign(actual=labels["post_move_rating"].to_numpy()),
        on="transfer_id",
        how="left",
    )["actual"]
    actual_values = actual.to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "transfer_id": moves["transfer_id"].astype(str),
            "nip": moves["nip"].astype(str),
            "to_position_id": moves["to_position_id"].astype(str),
            "decree_date": pd.to_datetime(moves["decree_date"]).dt.date,
            "predicted_fit": predicted.round(3).to_numpy(),
            "prediction_source": np.where(from_decision, "decision", "backcast"),
            "actual_fit": actual_values,
            "gap": np.round(actual_values - predicted.to_numpy(), 3),
            "flag": move_flags(predicted.to_numpy(), actual_values),
            "suggested_trainings": "",
            "predicted_risk": risk.round(4).to_numpy(),
            "resisted": (moves["resistance"].astype("string") != "none").fillna(False).to_numpy(),
            "from_position_id": moves["from_position_id"].astype(str),
        }
    )


UNIT_COLUMNS: Final[tuple[str, ...]] = (
    "unit_id",
    "need",
    "headcount_before",
    "headcount_after",
    "shortage_before",
    "shortage_after",
    "surplus_before",
    "surplus_after",
    "moves_in",
    "moves_out",
    "skp_mean_before",
    "skp_mean_after",
    "poor_share_before",
    "poor_share_after",
    "resisted",
    "expected_resistance",
)


def employees_before(employees: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """Current employees with the posts they held before their first move of the window."""
    taken = moves.loc[moves["effective_date"].notna()].sort_values("decree_date")
    first = taken.drop_duplicates("nip", keep="first").set_index("nip")["from_position_id"]
    before = employees["nip"].astype(str).map(first.rename(index=str))
    return employees.assign(position_id=before.fillna(employees["position_id"]).astype(str))


def _unit_skp(data: AgencyData, year: int) -> pd.DataFrame:
    perf = data.performance.loc[data.performance["year"] == year]
    unit = perf["position_id"].map(data.positions.set_index("position_id")["unit_id"])
    rating = pd.Series(
        perf["rating"].map(SKP_RATING_VALUE).astype(float).to_numpy(), index=perf.index
    )
    grouped = pd.DataFrame({"unit_id": unit, "rating": rating}).groupby("unit_id")["rating"]
    return pd.DataFrame(
        {
            "skp_mean": grouped.mean(),
            "poor_share": grouped.apply(lambda r: (r <= POOR_RATING).mean()),
        }
    )


def unit_review(
    data: AgencyData, moves: pd.DataFrame, reviewed: pd.DataFrame, *, years: tuple[int, int]
) -> pd.DataFrame:
    """UNIT_COLUMNS: ABK balance before and after the window's moves, SKP (1-5) in the year
    before and the year after, moves in and out, resistance seen against the risk predicted."""
    before = unit_balance(position_balance(data.positions, employees_before(data.employees, moves)))
    after = unit_balance(position_balance(data.positions, data.employees))
    unit_of = data.positions.set_index("position_id")["unit_id"]
    flows = reviewed.assign(
        to_unit=reviewed["to_position_id"].map(unit_of),
        from_unit=reviewed["from_position_id"].map(unit_of),
    )
    into = flows.groupby("to_unit").agg(
        moves_in=("transfer_id", "size"),
        resisted=("resisted", "sum"),
        expected_resistance=("predicted_risk", "sum"),
    )
    out = flows.groupby("from_unit").agg(moves_out=("transfer_id", "size"))
    skp_before, skp_after = _unit_skp(data, years[0]), _unit_skp(data, years[1])
    staffing = ["headcount", "shortage", "surplus"]
    frame = (
        before.set_index("unit_id")[["need"]]
        .join(before.set_index("unit_id")[staffing].add_suffix("_before"))
        .join(after.set_index("unit_id")[staffing].add_suffix("_after"))
        .join(into)
        .join(out)
        .join(skp_before.add_suffix("_before"))
        .join(skp_after.add_suffix("_after"))
    )
    counts = ["moves_in", "moves_out", "resisted"]
    frame[counts] = frame[counts].fillna(0).astype(int)
    frame["expected_resistance"] = frame["expected_resistance"].fillna(0.0).round(2)
    return frame.reset_index(names="unit_id")[list(UNIT_COLUMNS)].round(3)


def coaching_pairs(reviewed: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """(nip, position_id) of below-expectation movers still in the post they moved to."""
    below = reviewed.loc[reviewed["flag"] == "below_expectation", ["nip", "to_position_id"]]
    current = employees.assign(nip=employees["nip"].astype(str))[["nip", "position_id"]]
    held = below.merge(current, left_on=["nip", "to_position_id"], right_on=["nip", "position_id"])
    return held[["nip", "position_id"]].drop_duplicates().reset_index(drop=True)


def with_suggestions(reviewed: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """`reviewed` with suggested_trainings from `plans` (nip, position_id, training_ids): the
    trainings ";"-joined, COACHING_ONLY where no competency gap is left, empty for people no
    longer in that post."""
    keyed = plans.set_index(["nip", "position_id"])["training_ids"]
    key = pd.MultiIndex.from_arrays([reviewed["nip"], reviewed["to_position_id"]])
    found = pd.Series(keyed.reindex(key).to_numpy(), index=reviewed.index)
    found = found.replace("", COACHING_ONLY).fillna("")
    return reviewed.assign(
        suggested_trainings=found.where(reviewed["flag"] == "below_expectation", "")
    )
