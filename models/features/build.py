"""Point-in-time pair features: the public entry points for training, evaluation and serving.

- `transfer_examples(data)`: one row per past transfer, features as of its decree date, labels.
- `pair_features_at(data, pairs)`: features for arbitrary (nip, position_id, as_of) rows.
- `FeatureContext.build(data, as_of)` + `current_pair_features(ctx, nips, position_ids)`: the
  current state precomputed once, then features for many pairs by integer gathers (serving);
  `indexed_pair_features(ctx, rows, codes)` is the same for ids already looked up, and
  `indexed_feature_matrix(ctx, rows, codes, columns=...)` gives it as one float64 matrix in a
  model's column order, without a DataFrame (the batch risk check's path).
- `trained_pair_features(ctx, nip, position_id, training_sets)` and
  `FeatureContext.with_trainings(nip, training_ids)`: features "as if" trainings were completed
  just before as_of (level + level_gain capped at 5, counted as recent trainings).

All three go through `models.features.pair_logic.pair_feature_arrays`, the single pair computation;
the point-in-time rules are in models/features/history.py. Features are float64, NaN when unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from models.contract.enums import InitiatedBy, Resistance
from models.contract.tables import AgencyData
from models.features.catalog import Catalog
from models.features.competencies import training_effects
from models.features.events import post_move_labels, rating_values, year_of
from models.features.history import EmployeeState, employee_state
from models.features.inputs import (
    PairInputError,
    UnknownEmployeeError,
    UnknownTrainingError,
    check_same_length,
    checked_pairs,
)
from models.features.pair_logic import (
    FEATURE_COLUMNS,
    apply_trainings,
    feature_matrix,
    pair_feature_arrays,
)

__all__ = [
    "FEATURE_COLUMNS",
    "FeatureContext",
    "PairInputError",
    "UnknownEmployeeError",
    "UnknownTrainingError",
    "age_band",
    "check_same_length",
    "current_pair_features",
    "indexed_feature_matrix",
    "indexed_pair_features",
    "pair_features_at",
    "trained_pair_features",
    "transfer_examples",
]

_Frozen = TypeVar("_Frozen", Catalog, EmployeeState)

AGE_BANDS: tuple[tuple[float, str], ...] = ((30, "<30"), (40, "30-39"), (50, "40-49"))


def age_band(age: np.ndarray) -> np.ndarray:
    """Fairness-report age band: <30, 30-39, 40-49, 50+ ("" when unknown)."""
    band = np.where(np.isnan(age), "", "50+").astype(object)
    for upper, label in reversed(AGE_BANDS):
        band = np.where(age < upper, label, band)
    return band


def _initiated(values: pd.Series) -> np.ndarray:
    text = values.astype("string")
    return np.where(text.isna(), np.nan, (text == InitiatedBy.EMPLOYEE).astype(float))


def _read_only(value: _Frozen) -> _Frozen:
    """Lock the numpy arrays of a frozen dataclass so that a shared context cannot change."""
    for field in fields(value):
        array = getattr(value, field.name)
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return value


def _frame(arrays: dict[str, np.ndarray], index: pd.Index | None = None) -> pd.DataFrame:
    return pd.DataFrame({name: arrays[name] for name in FEATURE_COLUMNS}, index=index)


@dataclass(frozen=True)
class FeatureContext:
    """Current employee and position state at `as_of`, precomputed for fast pair features."""

    as_of: date
    catalog: Catalog
    state: EmployeeState
    nips: pd.Index  # object dtype (fastest lookups): state row i is employee nips[i]
    position_lookup: pd.Index  # object dtype copy of catalog.position_ids
    training_ids: pd.Index
    training_competency: np.ndarray  # catalog competency code per training (-1 unknown)
    training_gain: np.ndarray

    @classmethod
    def build(cls, data: AgencyData, as_of: date) -> FeatureContext:
        catalog = Catalog.build(data)
        nips = data.employees["nip"].astype("string").reset_index(drop=True)
        rows = pd.DataFrame({"nip": nips, "as_of": pd.Timestamp(as_of)})
        training_ids, training_competency, training_gain = training_effects(data.trainings, catalog)
        return cls(
            as_of=as_of,
            catalog=_read_only(catalog),
            state=_read_only(employee_state(data, catalog, rows)),
            nips=pd.Index(nips.to_numpy(dtype=object), dtype=object),
            position_lookup=pd.Index(catalog.position_ids.to_numpy(dtype=object), dtype=object),
            training_ids=training_ids,
            training_competency=training_competency,
            training_gain=training_gain,
        )

    def employee_index(self, nips: Sequence[str] | np.ndarray | pd.Series) -> np.ndarray:
        """State rows of the NIPs (-1 for people not in service)."""
        return self.nips.get_indexer(pd.Index(np.asarray(nips, dtype=object), dtype=object))

    def position_index(self, position_ids: Sequence[str] | np.ndarray | pd.Series) -> np.ndarray:
        """Catalog codes of positions that exist now (-1 for unknown or historical ones)."""
        codes = self.position_lookup.get_indexer(
            pd.Index(np.asarray(position_ids, dtype=object), dtype=object)
        )
        return np.where((codes >= 0) & self.catalog.pos_known[np.maximum(codes, 0)], codes, -1)

    def _trained_rows(self, row: int, training_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        at = self.training_ids.get_indexer(pd.Index(list(training_ids), dtype=object))
        if (at < 0).any():
            missing = ", ".join(str(t) for t, a in zip(training_ids, at, strict=True) if a < 0)
            raise UnknownTrainingError(
                f"Pelatihan tidak ada di katalog: {missing} / "
                f"Training not in the catalogue: {missing}"
            )
        return apply_trainings(
            self.state.competency_level[row],
            self.state.recent_trainings[row],
            competency=self.training_competency[at],
            gain=self.training_gain[at],
        )

    def _row(self, nip: str) -> int:
        row = int(self.employee_index([nip])[0])
        if row < 0:
            raise UnknownEmployeeError(
                f"NIP {nip} tidak ditemukan di antara pegawai aktif / "
                f"NIP {nip} is not among employees in service"
            )
        return row

    def with_trainings(self, nip: str, training_ids: Sequence[str]) -> FeatureContext:
        """A context in which `nip` has completed `training_ids` just before as_of.

        Copies the two (employees x competencies) matrices: fine for a few scenarios; for many
        scenarios of one pair use `trained_pair_features`, which copies nothing.
        """
        row = self._row(nip)
        level, recent = self._trained_rows(row, training_ids)
        levels = self.state.competency_level.copy()
        trainings = self.state.recent_trainings.copy()
        levels[row], trainings[row] = level, recent
        return replace(self, state=_read_only(self.state.with_competencies(levels, trainings)))

    def take_employees(self, rows: np.ndarray) -> FeatureContext:
        """A context of the employees at `rows` only (their row i here is rows[i] there), with
        every position: what a worker needs to score those people against any target."""
        return replace(
            self,
            state=_read_only(self.state.take(rows)),
            nips=pd.Index(self.nips.to_numpy()[rows], dtype=object),
        )


def current_pair_features(
    ctx: FeatureContext,
    nips: np.ndarray,
    position_ids: np.ndarray,
    *,
    initiated_by_employee: np.ndarray | None = None,
) -> pd.DataFrame:
    """Features (FEATURE_COLUMNS) of each (nips[i], position_ids[i]) at ctx.as_of, in order.

    Unknown NIPs or positions give a row of NaN (the policy flags them). Without
    `initiated_by_employee` (1 = atas permintaan sendiri, 0 = agency) moves are agency-initiated.
    """
    check_same_length(nips, position_ids)
    return indexed_pair_features(
        ctx,
        ctx.employee_index(nips),
        ctx.position_index(position_ids),
        initiated_by_employee=initiated_by_employee,
    )


def indexed_pair_features(
    ctx: FeatureContext,
    employee_rows: np.ndarray,
    position_codes: np.ndarray,
    *,
    initiated_by_employee: np.ndarray | None = None,
) -> pd.DataFrame:
    """`current_pair_features` for pairs already resolved to context rows and position codes.

    `employee_rows` as from `ctx.employee_index`, `position_codes` as from `ctx.position_index`
    (-1 gives a row of NaN): callers that look the ids up once (a shortlist scores one position
    over a pool it already holds as rows) skip hashing the same strings again.
    """
    return _frame(_indexed_arrays(ctx, employee_rows, position_codes, initiated_by_employee))


def indexed_feature_matrix(
    ctx: FeatureContext,
    employee_rows: np.ndarray,
    position_codes: np.ndarray,
    *,
    columns: Sequence[str] = FEATURE_COLUMNS,
    initiated_by_employee: np.ndarray | None = None,
) -> np.ndarray:
    """`indexed_pair_features` as one float64 C-ordered matrix, pairs x `columns` (a model's
    feature order): the same values, without building a DataFrame."""
    arrays = _indexed_arrays(ctx, employee_rows, position_codes, initiated_by_employee)
    return feature_matrix(arrays, columns)


def _indexed_arrays(
    ctx: FeatureContext,
    employee_rows: np.ndarray,
    position_codes: np.ndarray,
    initiated_by_employee: np.ndarray | None,
) -> dict[str, np.ndarray]:
    check_same_length(employee_rows, position_codes)
    return pair_feature_arrays(
        ctx.catalog,
        ctx.state,
        employee_rows,
        position_codes,
        initiated_by_employee=initiated_by_employee,
    )


def trained_pair_features(
    ctx: FeatureContext, nip: str, position_id: str, training_sets: Sequence[Sequence[str]]
) -> pd.DataFrame:
    """One feature row per training set: the pair's features as if that set were completed.

    An empty set gives the pair's current features, so `[[], ["T1"], ["T2"]]` yields the
    baseline and two scenarios for the fit model to compare.
    """
    row = ctx._row(nip)
    scenarios = [ctx._trained_rows(row, ids) for ids in training_sets]
    n = len(scenarios)
    arrays = pair_feature_arrays(
        ctx.catalog,
        ctx.state,
        np.full(n, row),
        np.repeat(ctx.position_index([position_id]), n),
        levels=np.array([s[0] for s in scenarios]).reshape(n, -1),
        trainings=np.array([s[1] for s in scenarios]).reshape(n, -1),
    )
    return _frame(arrays)


def pair_features_at(data: AgencyData, pairs: pd.DataFrame) -> pd.DataFrame:
    """Features of rows (nip, position_id, as_of[, from_position_id, initiated_by]).

    Each row sees only history dated before its own as_of (the point-in-time rules of
    models/features/history.py). Without an initiated_by column moves are agency-initiated. The
    result keeps the index of `pairs`.
    """
    rows = checked_pairs(pairs)
    catalog = Catalog.build(data)
    state = employee_state(data, catalog, rows)
    initiated = _initiated(rows["initiated_by"]) if "initiated_by" in rows else None
    arrays = pair_feature_arrays(
        catalog,
        state,
        np.arange(len(rows)),
        catalog.position_codes(rows["position_id"]),
        initiated_by_employee=initiated,
    )
    return _frame(arrays, index=pairs.index)


def transfer_examples(data: AgencyData) -> pd.DataFrame:
    """One row per past transfer: ids, fairness groups, features at decree date, labels.

    Labels: post_move_rating (1-5) and post_move_score by the contract's definition (NaN when
    none yet) and resisted (resistance other than none).
    """
    transfers = data.transfers.reset_index(drop=True)
    catalog = Catalog.build(data)
    rows = pd.DataFrame(
        {
            "nip": transfers["nip"].astype("string"),
            "as_of": transfers["decree_date"].to_numpy("datetime64[ns]"),
            "from_position_id": transfers["from_position_id"].astype("string"),
        }
    )
    labels = post_move_labels(data)
    state = employee_state(data, catalog, rows, post_move=labels)
    arrays = pair_feature_arrays(
        catalog,
        state,
        np.arange(len(rows)),
        catalog.position_codes(transfers["to_position_id"]),
        initiated_by_employee=_initiated(transfers["initiated_by"]),
    )
    ids = transfers[["transfer_id", "nip", "from_position_id", "to_position_id", "decree_date"]]
    return pd.concat(
        [
            ids.assign(gender=state.gender, age_band=age_band(state.age_years)),
            _frame(arrays),
            pd.DataFrame(
                {
                    "post_move_rating": labels["post_move_rating"].to_numpy(),
                    "post_move_score": labels["post_move_score"].to_numpy(),
                    "resisted": (transfers["resistance"].astype("string") != Resistance.NONE)
                    .fillna(False)
                    .to_numpy(bool),
                }
            ),
        ],
        axis=1,
    )


def in_post_examples(
    data: AgencyData, *, before_year: int, limit: int, random_state: int = 0
) -> pd.DataFrame:
    """Yearly appraisals of people in a post they already held, as extra fit examples.

    A past transfer is one example of how a person does in a post; every year anyone is
    appraised in their own post is another, about the same person and post features, and an
    agency has several times more of them. Each row is an appraisal of year y < before_year in
    post p, with the features of the pair (person, p) as of 1 January of y (the history known
    then, p as the post held: no distance, no grade step) and the year's rating and score as
    labels (decree_date = 1 January of y). Left out: a person's first appraisal on record (no
    history behind it), the years in which the person's transfer took effect (the post held on
    1 January may differ), and the appraisals that are transfers' post-move labels. Kept only
    where the post is plainly the one held: the person's single appraisal of the year, in a
    post in positions.csv, the same post as the year before (so moves missing from
    transfers.csv or without an effective date, duplicate years and merged posts stay out).
    At most `limit` rows, drawn without replacement with `random_state`.
    """
    perf = data.performance.reset_index(drop=True)
    nip = perf["nip"].astype("string").fillna("").to_numpy(dtype=object)
    year = perf["year"].to_numpy(dtype=np.int64)
    post = perf["position_id"].astype("string").fillna("").to_numpy(dtype=object)
    person_year = pd.MultiIndex.from_arrays([nip, year])
    catalog = Catalog.build(data)
    code = catalog.position_codes(perf["position_id"])
    known = (code >= 0) & catalog.pos_known[np.maximum(code, 0)]
    keep = (year < before_year) & (nip != "") & known
    keep &= ~person_year.duplicated(keep=False)  # one appraisal that year, one post
    keep &= pd.MultiIndex.from_arrays([nip, year - 1, post]).isin(
        pd.MultiIndex.from_arrays([nip, year, post])
    )  # in the same post the year before: held, not just arrived
    transfers = data.transfers
    labels = post_move_labels(data)
    effective = year_of(transfers["effective_date"].to_numpy("datetime64[ns]"))
    busy = pd.MultiIndex.from_arrays(
        [
            pd.concat([transfers["nip"], transfers["nip"]]).astype("string").to_numpy(),
            np.r_[effective, labels["post_move_year"].fillna(-1).to_numpy(dtype=np.int64)],
        ]
    )
    keep &= ~person_year.isin(busy)
    rows = np.flatnonzero(keep)
    if len(rows) > limit:
        rng = np.random.default_rng(random_state)
        rows = np.sort(rng.choice(rows, size=limit, replace=False))
    chosen = perf.iloc[rows]
    as_of = pd.to_datetime(chosen["year"].astype(str) + "-01-01").to_numpy("datetime64[ns]")
    pairs = pd.DataFrame(
        {
            "nip": chosen["nip"].astype("string").to_numpy(),
            "position_id": chosen["position_id"].astype("string").to_numpy(),
            "from_position_id": chosen["position_id"].astype("string").to_numpy(),
            "as_of": as_of,
        }
    )
    features = (
        pair_features_at(data, pairs)
        if len(pairs)
        else _frame({name: np.empty(0) for name in FEATURE_COLUMNS})
    )
    return pd.concat(
        [
            features.reset_index(drop=True),
            pd.DataFrame(
                {
                    "post_move_rating": rating_values(chosen["rating"]),
                    "post_move_score": chosen["score"].to_numpy(dtype=float, na_value=np.nan),
                    "decree_date": as_of,
                }
            ),
        ],
        axis=1,
    )
