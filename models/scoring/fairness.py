"""Fairness of a selection (merit system, UU 20/2023): selection rates, impact ratios, prefixes.

A shortlist selects its top k from the eligible pool; a plan selects the people it moves from
its candidate pool. For each attribute (gender, age band) `selection_audit` gives every group's
selection rate and its impact ratio (its rate over the highest group's rate; the tests check
them against fairlearn's MetricFrame), flagged below the four-fifths rule (0.8) when the group
has at least `min_group` members and would expect at least `min_expected` selected at the
overall rate (smaller groups and tiny selections are reported, not flagged: their rates are
noise).

`prefix_audit` asks of a ranked list whether any group is under-represented in some top-k
beyond chance: at each prefix length k the count of the group is compared with the
hypergeometric draw of k from the pool (one-sided p-value), with a Bonferroni correction over
the prefixes; a group is flagged when the corrected smallest p-value is below `alpha`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from scipy.stats import hypergeom

from models.features.build import FeatureContext, age_band

AUDIT_COLUMNS: tuple[str, ...] = (
    "attribute",
    "group",
    "pool",
    "selected",
    "selection_rate",
    "impact_ratio",
    "flagged",
)
PREFIX_COLUMNS: tuple[str, ...] = ("attribute", "group", "pool", "min_p_value", "at_k", "flagged")


class FairnessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_impact_ratio: float = Field(default=0.8, gt=0, le=1, description="Four-fifths rule.")
    min_group: int = Field(default=5, ge=1, description="Smaller groups are not flagged.")
    min_expected: float = Field(
        default=2.0,
        ge=0,
        description="A group is flagged only if it would expect at least this many selected at "
        "the overall rate: a top 3 from 60 says nothing about a group of 9.",
    )
    alpha: float = Field(default=0.05, gt=0, lt=1, description="Prefix test significance.")


UNKNOWN_GROUP = "tidak diketahui"


def _labels(values: np.ndarray) -> np.ndarray:
    """Group labels as strings, missing values as UNKNOWN_GROUP."""
    labels = np.asarray(values, dtype=object).copy()
    labels[pd.isna(labels)] = UNKNOWN_GROUP
    return labels.astype(str)


def _group_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted group names and each value's index into them."""
    names, codes = np.unique(_labels(values), return_inverse=True)
    return names, codes.ravel()


def _codes_in(names: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value's label in the sorted `names` (-1 where it is not there)."""
    labels = _labels(values)
    if not len(names):
        return np.full(len(labels), -1)
    at = np.minimum(names.searchsorted(labels), len(names) - 1)
    return np.where(names[at] == labels, at, -1)


def selection_audit(
    selected: np.ndarray, groups: Mapping[str, np.ndarray], *, config: FairnessConfig
) -> pd.DataFrame:
    """Per attribute and group: pool size, selected, selection rate, impact ratio, flag.

    A selection rate is fairlearn's `selection_rate` per group (the tests check every number
    against fairlearn's MetricFrame); it is counted with integer group codes and `bincount`
    because MetricFrame costs about 30 times as much, on every shortlist.
    """
    coded = {attribute: _group_codes(values) for attribute, values in groups.items()}
    return _frame(_selection_columns(selected, coded, config=config), AUDIT_COLUMNS)


def _frame(columns: Mapping[str, np.ndarray], names: tuple[str, ...]) -> pd.DataFrame:
    if not len(columns["group"]):
        return pd.DataFrame({c: [] for c in names})
    return pd.DataFrame(dict(columns))


def _selection_columns(
    selected: np.ndarray,
    coded: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    config: FairnessConfig,
) -> dict[str, np.ndarray]:
    """`selection_audit` as columns, from each attribute's sorted group names and codes."""
    chosen = np.asarray(selected, dtype=bool)
    columns: dict[str, list[np.ndarray]] = {c: [] for c in AUDIT_COLUMNS}
    for attribute, (names, codes) in coded.items():
        if not len(chosen):
            continue
        pool = np.bincount(codes, minlength=len(names))
        picked = np.bincount(codes, weights=chosen, minlength=len(names)).astype(int)
        rate = picked / pool
        best = float(rate.max())
        ratio = rate / best if best > 0 else np.ones(len(rate))
        expected = pool * float(chosen.mean())
        for column, value in (
            ("attribute", np.full(len(names), attribute, dtype=object)),
            ("group", names.astype(object)),
            ("pool", pool),
            ("selected", picked),
            ("selection_rate", rate),
            ("impact_ratio", ratio),
            (
                "flagged",
                (ratio < config.min_impact_ratio)
                & (pool >= config.min_group)
                & (expected >= config.min_expected),
            ),
        ):
            columns[column].append(value)
    return _joined(columns)


def _joined(columns: Mapping[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    return {c: np.concatenate(v) if v else np.zeros(0) for c, v in columns.items()}


def prefix_audit(
    ranked: Mapping[str, np.ndarray],
    pool: Mapping[str, np.ndarray],
    *,
    config: FairnessConfig,
) -> pd.DataFrame:
    """Per attribute and group: the smallest one-sided p-value of having so few of the group in
    a top-k of the ranked list (k = 1..len), Bonferroni-corrected, and whether it is flagged.

    `ranked[attribute]` holds the group of each ranked row, best first; `pool[attribute]` the
    group of every member of the pool the list was drawn from. Groups come largest first.
    """
    coded = {}
    for attribute, order in ranked.items():
        names, codes = _group_codes(pool[attribute])
        coded[attribute] = (names, codes, _codes_in(names, order))
    return _frame(_prefix_columns(coded, config=config), PREFIX_COLUMNS)


def _prefix_columns(
    coded: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]], *, config: FairnessConfig
) -> dict[str, np.ndarray]:
    """`prefix_audit` as columns, from each attribute's sorted group names, the pool's codes
    and the ranked rows' codes (-1: a group not in the pool)."""
    columns: dict[str, list[np.ndarray]] = {c: [] for c in PREFIX_COLUMNS}
    for attribute, (names, codes, top) in coded.items():
        sizes = np.bincount(codes, minlength=len(names))
        groups = np.argsort(-sizes, kind="stable")
        length = len(top)
        if length:
            ks = np.arange(1, length + 1)
            observed = np.cumsum(top[None, :] == groups[:, None], axis=1)
            p_values = hypergeom.cdf(observed, int(sizes.sum()), sizes[groups, None], ks[None, :])
            at = np.argmin(p_values, axis=1)
            corrected = np.minimum(1.0, p_values[np.arange(len(groups)), at] * length)
        else:
            at, corrected = np.full(len(groups), -1), np.ones(len(groups))
        for column, value in (
            ("attribute", np.full(len(groups), attribute, dtype=object)),
            ("group", names[groups].astype(object)),
            ("pool", sizes[groups]),
            ("min_p_value", corrected),
            ("at_k", at + 1),
            ("flagged", (corrected < config.alpha) & (sizes[groups] >= config.min_group)),
        ):
            columns[column].append(value)
    return _joined(columns)


Columns = pd.DataFrame | Mapping[str, np.ndarray]


def _flagged(frame: Columns, columns: tuple[str, ...]) -> zip[tuple[object, ...]]:
    """The flagged rows' `columns` as tuples (no frame is built: most audits flag nothing)."""
    flagged = np.asarray(frame["flagged"], dtype=bool)
    return zip(*(np.asarray(frame[c])[flagged] for c in columns), strict=True)


def fairness_flags(audit: Columns, prefixes: Columns) -> list[str]:
    """The flagged findings as "Indonesian / English" sentences."""
    flags = []
    for attribute, group, pool, rate, ratio in _flagged(
        audit, ("attribute", "group", "pool", "selection_rate", "impact_ratio")
    ):
        who = f"{attribute} {group}"
        ratio, rate = float(ratio), 100 * float(rate)  # type: ignore[arg-type]
        ratio_id = f"{ratio:.2f}".replace(".", ",")
        flags.append(
            f"{who}: rasio dampak {ratio_id} < 0,8 (tingkat seleksi {rate:.0f} % dari "
            f"{pool}) / {who}: impact ratio {ratio:.2f} below 0.8 (selection rate "
            f"{rate:.0f} % of {pool})"
        )
    for attribute, group, at_k, p_value in _flagged(
        prefixes, ("attribute", "group", "at_k", "min_p_value")
    ):
        who, p_value = f"{attribute} {group}", float(p_value)  # type: ignore[arg-type]
        flags.append(
            f"{who}: kurang terwakili di {at_k} teratas melebihi kebetulan "
            f"(p = {p_value:.3f})".replace(".", ",")
            + f" / {who}: under-represented in the top {at_k} beyond "
            f"chance (p = {p_value:.3f})"
        )
    return flags


def protected_groups(ctx: FeatureContext, employee_rows: np.ndarray) -> dict[str, np.ndarray]:
    """Gender and age band (at ctx.as_of) of context employee rows (-1: unknown), for audits
    only: neither is ever a model feature."""
    rows = np.asarray(employee_rows, dtype=np.int64)
    known = rows >= 0
    at = np.maximum(rows, 0)
    gender = np.asarray(ctx.state.gender[at], dtype=object).copy()
    gender[~known | (gender == "")] = None
    age = np.where(known, ctx.state.age_years[at], np.nan)
    return {"gender": gender, "age_band": age_band(age)}


@dataclass(frozen=True)
class FairnessReport:
    groups: pd.DataFrame  # AUDIT_COLUMNS
    prefixes: pd.DataFrame  # PREFIX_COLUMNS (empty for unranked selections such as plans)
    flags: list[str]


def audit_selection(
    ctx: FeatureContext,
    pool_rows: np.ndarray,
    selected: np.ndarray,
    *,
    ranked_rows: np.ndarray | None = None,
    config: FairnessConfig | None = None,
) -> FairnessReport:
    """The audit of one selection: context employee rows of the pool, which were selected, and
    (for a ranked list) the selected rows best first."""
    config = config or FairnessConfig()
    pool_groups = protected_groups(ctx, pool_rows)
    groups = selection_audit(selected, pool_groups, config=config)
    prefixes = pd.DataFrame(columns=list(PREFIX_COLUMNS))
    if ranked_rows is not None:
        prefixes = prefix_audit(protected_groups(ctx, ranked_rows), pool_groups, config=config)
    return FairnessReport(groups, prefixes, fairness_flags(groups, prefixes))


@dataclass(frozen=True)
class GroupCodes:
    """Every context employee's protected groups as integer codes, built once per context (a
    serving load): an audit per request then counts codes instead of labelling and sorting
    its whole pool. Names are sorted, as `np.unique` sorts a pool's labels."""

    names: Mapping[str, np.ndarray]  # attribute -> every group label, sorted
    codes: Mapping[str, np.ndarray]  # attribute -> code per context employee row; last: row -1

    @classmethod
    def build(cls, ctx: FeatureContext) -> GroupCodes:
        rows = np.r_[np.arange(len(ctx.state.gender)), -1]
        coded = {a: _group_codes(v) for a, v in protected_groups(ctx, rows).items()}
        return cls(
            names={a: names for a, (names, _) in coded.items()},
            codes={a: codes for a, (_, codes) in coded.items()},
        )

    def _of(self, attribute: str, employee_rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(employee_rows, dtype=np.int64)
        codes = self.codes[attribute]
        return codes[np.where(rows >= 0, rows, len(codes) - 1)]

    def ranked_audit(
        self,
        pool_rows: np.ndarray,
        selected: np.ndarray,
        ranked_rows: np.ndarray,
        *,
        config: FairnessConfig | None = None,
    ) -> SelectionAudit:
        """`audit_selection(ctx, pool_rows, selected, ranked_rows=ranked_rows)` as columns,
        the same numbers and flags, counted on the codes."""
        config = config or FairnessConfig()
        pools: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        ranked: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for attribute, every in self.names.items():
            codes, top = self._of(attribute, pool_rows), self._of(attribute, ranked_rows)
            present = np.bincount(codes, minlength=len(every)) > 0  # the pool's groups only
            local = np.cumsum(present) - 1
            pools[attribute] = (every[present], local[codes])
            ranked[attribute] = (*pools[attribute], np.where(present[top], local[top], -1))
        groups = _selection_columns(selected, pools, config=config)
        prefixes = _prefix_columns(ranked, config=config)
        return SelectionAudit(groups, prefixes, fairness_flags(groups, prefixes))


@dataclass(frozen=True)
class SelectionAudit:
    """A `FairnessReport` as columns (arrays), for a response built straight from them."""

    groups: Mapping[str, np.ndarray]  # AUDIT_COLUMNS
    prefixes: Mapping[str, np.ndarray]  # PREFIX_COLUMNS
    flags: list[str]
