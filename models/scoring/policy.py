"""Transfer eligibility: configurable rules with defaults from regulation, stable reason codes.

Rules (each failure adds its code; a pair is eligible when none fails):
- tenure_too_short: fewer than `min_years_in_position` in the current post at the decree date
  (PP 11/2017: 2 years; configurable, e.g. 0.5 for the announced 6-month rule);
- on_hold: `on_hold` is non-empty (discipline or court case, study leave, service bond, ...);
- rank_below_minimum: golongan below the position's `min_rank`, or unknown while one is set
  (PNS only; PPPK have no golongan and are covered by their own rule);
- education_below_minimum: education below `min_education`, or unknown while one is set;
- near_retirement: within `retirement_buffer_months` of the retirement age (BUP: 58; 60 for JPT
  and ahli madya; 65 for ahli utama) of the current or the target post, whichever comes first;
- pppk_not_transferable: PPPK employees, unless `allow_pppk_transfer`;
- freeze_window: the decree date falls in a freeze window (e.g. around regional elections);
- major_not_accepted: the position lists accepted majors (education_fields) and the person's
  major is not among them, or unknown (majors matched tolerantly: models/features/catalog.py
  `normalise_field`);
- promotion_needs_selection: more than `max_grade_step_up` grades up, or from a lower job type
  into JPT, administrator or pengawas: a promotion filled by selection, not by mutasi (unless
  `allow_promotion`, e.g. a planner who runs the selection alongside);
- step_down_needs_reason: more than `max_grade_step_down` grades down; a demotion needs a
  documented reason, so it is never recommended automatically;
- already_in_position, unknown_employee, unknown_position: the pair itself is not a move.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.features.build import FeatureContext, check_same_length
from models.features.history import DAYS_PER_YEAR
from models.features.pair_logic import field_match


class PolicyConfig(BaseModel):
    """An agency's transfer policy; defaults follow the regulations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_years_in_position: float = Field(
        default=2.0, ge=0.0, description="Minimum years in the current position (PP 11/2017)."
    )
    retirement_buffer_months: int = Field(
        default=12, ge=0, description="No move within this many months of retirement age."
    )
    allow_pppk_transfer: bool = Field(
        default=False, description="Whether PPPK employees may be transferred."
    )
    enforce_accepted_majors: bool = Field(
        default=True,
        description="A position that lists accepted majors admits only people with one of them.",
    )
    max_grade_step_up: int = Field(
        default=1, ge=0, description="More grades up than this is a promotion, not a mutasi."
    )
    allow_promotion: bool = Field(
        default=False, description="Whether promotions (by grade or job type) may be planned."
    )
    max_grade_step_down: int = Field(
        default=1, ge=0, description="More grades down than this needs a documented reason."
    )
    freeze_windows: list[tuple[date, date]] = Field(
        default_factory=list,
        description="Inclusive (start, end) date ranges in which no decree may be issued.",
    )

    @model_validator(mode="after")
    def _windows_are_ordered(self) -> PolicyConfig:
        for start, end in self.freeze_windows:
            if end < start:
                raise ValueError(f"freeze window ends ({end}) before it starts ({start})")
        return self


class ReasonCode(StrEnum):
    """Stable codes of failed rules, in the order they are reported."""

    UNKNOWN_EMPLOYEE = "unknown_employee"
    UNKNOWN_POSITION = "unknown_position"
    ALREADY_IN_POSITION = "already_in_position"
    ON_HOLD = "on_hold"
    PPPK_NOT_TRANSFERABLE = "pppk_not_transferable"
    TENURE_TOO_SHORT = "tenure_too_short"
    RANK_BELOW_MINIMUM = "rank_below_minimum"
    EDUCATION_BELOW_MINIMUM = "education_below_minimum"
    NEAR_RETIREMENT = "near_retirement"
    FREEZE_WINDOW = "freeze_window"
    MAJOR_NOT_ACCEPTED = "major_not_accepted"
    PROMOTION_NEEDS_SELECTION = "promotion_needs_selection"
    STEP_DOWN_NEEDS_REASON = "step_down_needs_reason"


REASON_TEXT: Final[dict[ReasonCode, str]] = {
    ReasonCode.UNKNOWN_EMPLOYEE: "NIP tidak ditemukan di antara pegawai aktif / "
    "NIP not found among employees in service",
    ReasonCode.UNKNOWN_POSITION: "Jabatan tidak ditemukan / Position not found",
    ReasonCode.ALREADY_IN_POSITION: "Pegawai sudah menduduki jabatan ini / "
    "The employee already holds this position",
    ReasonCode.ON_HOLD: "Pegawai sedang dalam status tertahan (mis. hukuman disiplin, tugas "
    "belajar, ikatan dinas) / The employee is on hold (e.g. discipline, study leave, bond)",
    ReasonCode.PPPK_NOT_TRANSFERABLE: "PPPK tidak dapat dimutasi / PPPK cannot be transferred",
    ReasonCode.TENURE_TOO_SHORT: "Masa kerja di jabatan sekarang belum memenuhi batas minimal / "
    "Time in the current position is below the minimum",
    ReasonCode.RANK_BELOW_MINIMUM: "Golongan di bawah syarat minimal jabatan / "
    "Rank (golongan) below the position's minimum",
    ReasonCode.EDUCATION_BELOW_MINIMUM: "Pendidikan di bawah syarat minimal jabatan / "
    "Education below the position's minimum",
    ReasonCode.NEAR_RETIREMENT: "Mendekati batas usia pensiun / Close to retirement age",
    ReasonCode.FREEZE_WINDOW: "Tanggal SK berada dalam masa larangan mutasi / "
    "The decree date falls in a transfer freeze window",
    ReasonCode.MAJOR_NOT_ACCEPTED: "Jurusan pendidikan tidak termasuk yang diterima jabatan ini / "
    "The field of study is not among those the position accepts",
    ReasonCode.PROMOTION_NEEDS_SELECTION: "Ini promosi (naik lebih dari satu kelas jabatan atau ke "
    "jabatan struktural yang lebih tinggi) yang harus melalui seleksi, bukan mutasi / "
    "This is a promotion (more than one grade up, or into a higher structural post) that needs "
    "selection, not a transfer",
    ReasonCode.STEP_DOWN_NEEDS_REASON: "Turun lebih dari satu kelas jabatan; perlu alasan "
    "tertulis / More than one grade down; needs a documented reason",
}


def _in_freeze_window(config: PolicyConfig, decree: date) -> bool:
    return any(start <= decree <= end for start, end in config.freeze_windows)


def _rule_failures(
    ctx: FeatureContext, e: np.ndarray, p: np.ndarray, *, config: PolicyConfig, decree: date
) -> dict[ReasonCode, np.ndarray]:
    """Boolean failure mask of every rule, for pairs of state rows e and positions p."""
    state, catalog = ctx.state, ctx.catalog
    known_e, known_p = e >= 0, p >= 0
    es, ps = np.maximum(e, 0), np.maximum(p, 0)
    both = known_e & known_p
    current = np.where(known_e, state.position[es], -1)
    shift = (pd.Timestamp(decree) - pd.Timestamp(ctx.as_of)).days / DAYS_PER_YEAR
    pppk = state.pppk[es]
    min_rank, rank = catalog.pos_min_rank[ps], state.rank[es]
    min_education, education = catalog.pos_min_education[ps], state.education[es]
    bup = np.fmin(
        catalog.pos_retirement_age[ps],
        np.where(current >= 0, catalog.pos_retirement_age[np.maximum(current, 0)], np.nan),
    )
    return {
        **_identity_failures(known_e, known_p, both & (current == p)),
        ReasonCode.ON_HOLD: known_e & state.on_hold[es],
        ReasonCode.PPPK_NOT_TRANSFERABLE: known_e & pppk & (not config.allow_pppk_transfer),
        ReasonCode.TENURE_TOO_SHORT: known_e
        & (state.tenure_years[es] + shift < config.min_years_in_position),
        ReasonCode.RANK_BELOW_MINIMUM: both
        & ~pppk
        & ~np.isnan(min_rank)
        & (np.isnan(rank) | (rank < min_rank)),
        ReasonCode.EDUCATION_BELOW_MINIMUM: both
        & ~np.isnan(min_education)
        & (np.isnan(education) | (education < min_education)),
        ReasonCode.NEAR_RETIREMENT: both
        & (state.age_years[es] + shift + config.retirement_buffer_months / 12.0 >= bup),
        ReasonCode.FREEZE_WINDOW: np.full(len(e), _in_freeze_window(config, decree)),
        **_move_failures(ctx, es, ps, current=current, both=both, config=config),
    }


def _identity_failures(
    known_e: np.ndarray, known_p: np.ndarray, same: np.ndarray
) -> dict[ReasonCode, np.ndarray]:
    return {
        ReasonCode.UNKNOWN_EMPLOYEE: ~known_e,
        ReasonCode.UNKNOWN_POSITION: ~known_p,
        ReasonCode.ALREADY_IN_POSITION: same,
    }


def _move_failures(
    ctx: FeatureContext,
    es: np.ndarray,
    ps: np.ndarray,
    *,
    current: np.ndarray,
    both: np.ndarray,
    config: PolicyConfig,
) -> dict[ReasonCode, np.ndarray]:
    """The rules of a mutasi itself: accepted majors, promotion, step down."""
    catalog = ctx.catalog
    has_current = both & (current >= 0)
    c = np.maximum(current, 0)
    step = np.where(has_current, catalog.pos_grade[ps] - catalog.pos_grade[c], np.nan)
    tier_from = np.where(has_current, catalog.pos_tier[c], np.nan)
    tier_to = catalog.pos_tier[ps]
    into_higher_tier = (tier_to >= 1) & (np.nan_to_num(tier_from, nan=np.inf) < tier_to)
    promotion = has_current & ((step > config.max_grade_step_up) | into_higher_tier)
    major = field_match(catalog, ctx.state.field[es], ps)
    return {
        ReasonCode.MAJOR_NOT_ACCEPTED: both
        & config.enforce_accepted_majors
        & ~catalog.pos_any_field[ps]
        & ~(major > 0),
        ReasonCode.PROMOTION_NEEDS_SELECTION: promotion & (not config.allow_promotion),
        ReasonCode.STEP_DOWN_NEEDS_REASON: has_current & (step < -config.max_grade_step_down),
    }


def check_eligibility(
    ctx: FeatureContext,
    nips: np.ndarray,
    position_ids: np.ndarray,
    *,
    config: PolicyConfig,
    decree_date: date | None = None,
) -> pd.DataFrame:
    """Eligibility of each (nips[i], position_ids[i]) for a decree on `decree_date`.

    Returns columns `eligible` (bool) and `ineligible_reasons` (";"-joined ReasonCode values in
    ReasonCode order, "" when eligible), one row per pair in input order. The decree date
    defaults to ctx.as_of; tenure and age are advanced to it.
    """
    check_same_length(nips, position_ids)
    eligible, reasons = indexed_eligibility(
        ctx,
        ctx.employee_index(nips),
        ctx.position_index(position_ids),
        config=config,
        decree_date=decree_date,
    )
    return pd.DataFrame({"eligible": eligible, "ineligible_reasons": reasons})


def indexed_eligibility(
    ctx: FeatureContext,
    employee_rows: np.ndarray,
    position_codes: np.ndarray,
    *,
    config: PolicyConfig,
    decree_date: date | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`check_eligibility` for pairs already resolved to context rows and position codes.

    Rows as from `ctx.employee_index`, codes as from `ctx.position_index` (-1: unknown). Returns
    the `eligible` (bool) and `ineligible_reasons` (object) arrays, in input order.
    """
    check_same_length(employee_rows, position_codes)
    failures = _rule_failures(
        ctx, employee_rows, position_codes, config=config, decree=decree_date or ctx.as_of
    )
    codes = list(failures)
    bits = np.zeros(len(employee_rows), dtype=np.int64)
    for bit, code in enumerate(codes):
        bits |= failures[code].astype(np.int64) << bit
    texts = np.full(1 << len(codes), "", dtype=object)  # one text per combination that occurs
    values = [code.value for code in codes]  # read once: an enum's value is a slow property
    for combo in np.flatnonzero(np.bincount(bits, minlength=1)).tolist():
        texts[combo] = ";".join([value for i, value in enumerate(values) if combo >> i & 1])
    return bits == 0, texts[bits]


def eligible_pairs(
    ctx: FeatureContext,
    employee_rows: np.ndarray,
    position_codes: np.ndarray,
    *,
    config: PolicyConfig,
    decree_date: date | None = None,
) -> np.ndarray:
    """`indexed_eligibility`'s `eligible` alone, without the reason texts (the plan's candidate
    search checks tens of millions of pairs and keeps only the eligible ones)."""
    check_same_length(employee_rows, position_codes)
    failures = _rule_failures(
        ctx, employee_rows, position_codes, config=config, decree=decree_date or ctx.as_of
    )
    blocked = np.zeros(len(employee_rows), dtype=bool)
    for failed in failures.values():
        blocked |= failed
    return ~blocked


# Rules that depend on the person alone (near_retirement: at the current post's retirement age,
# which no target raises): failing one, a person is ineligible for every position.
PERSONAL_RULES: Final[tuple[ReasonCode, ...]] = (
    ReasonCode.UNKNOWN_EMPLOYEE,
    ReasonCode.ON_HOLD,
    ReasonCode.PPPK_NOT_TRANSFERABLE,
    ReasonCode.TENURE_TOO_SHORT,
    ReasonCode.NEAR_RETIREMENT,
    ReasonCode.FREEZE_WINDOW,
)


def movable(
    ctx: FeatureContext,
    employee_rows: np.ndarray,
    *,
    config: PolicyConfig,
    decree_date: date | None = None,
) -> np.ndarray:
    """True for the people (context rows) who pass every PERSONAL_RULES rule: the only ones a
    round needs to pair with positions at all (a pre-filter, before any pair is built)."""
    rows = np.asarray(employee_rows)
    current = np.where(rows >= 0, ctx.state.position[np.maximum(rows, 0)], -1)
    failures = _rule_failures(ctx, rows, current, config=config, decree=decree_date or ctx.as_of)
    blocked = np.zeros(len(rows), dtype=bool)
    for code in PERSONAL_RULES:
        blocked |= failures[code]
    return ~blocked
