"""GET /v1/review: the post-move review of a window (moves predicted vs actual, programme
impact, units, monitoring), for planners and data teams; audited (it returns NIPs)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from models.planning.review import MOVE_COLUMNS, ReviewWindowError
from pipelines.review import default_window, review_loaded
from pipelines.review_result import ReviewResult
from pipelines.settings import Settings
from serving.audit import AuditDep, audited
from serving.auth import ApiKey, Role, require_role
from serving.decisions import DecisionLog
from serving.deps import SettingsDep, StateDep
from serving.errors import InvalidInputError
from serving.schemas.common import ErrorResponse, Strict, StrictModel, rows_as
from serving.state import LoadedState

router = APIRouter(
    prefix="/v1",
    tags=["review"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 422, 503)},
)

ReviewerKey = Annotated[ApiKey, require_role(Role.PLANNER, Role.DATA)]


class MoveRow(Strict):
    transfer_id: str
    nip: str
    to_position_id: str
    decree_date: date
    predicted_fit: float | None = Field(description="Perkiraan / Predicted fit (1-5)")
    prediction_source: str = Field(description="decision | backcast")
    actual_fit: float | None = Field(description="SKP sesudah pindah / Post-move rating (1-5)")
    gap: float | None = Field(description="actual_fit - predicted_fit")
    flag: str = Field(
        description="below_expectation | as_expected | above_expectation | awaiting_skp"
    )
    suggested_trainings: str = Field(description="Pelatihan / Trainings (;) or coaching")


class ProgrammeRow(Strict):
    question: str = Field(description="moved | pretraining_sector_change")
    cohort: str
    effect: float | None = Field(description="Kosong bila tidak andal / Empty when not reliable")
    ci_low: float | None
    ci_high: float | None
    n: int
    method: str


class UnitRow(Strict):
    unit_id: str
    need: float
    headcount_before: float
    headcount_after: float
    shortage_before: float
    shortage_after: float
    surplus_before: float
    surplus_after: float
    moves_in: int
    moves_out: int
    skp_mean_before: float | None
    skp_mean_after: float | None
    poor_share_before: float | None
    poor_share_after: float | None
    resisted: int
    expected_resistance: float


class MonitoringRow(Strict):
    section: str = Field(description="risk_band | fit_band | drift | summary | verdict")
    item: str
    n: float | None
    predicted: float | None
    observed: float | None
    value: float | None
    note: str


class ReviewResponse(Strict):
    since: date = Field(description="Tanggal SK sejak / Decreed since")
    until: date = Field(description="Tanggal SK sampai / Decreed until")
    model_version: str = Field(description="Versi model / Model version")
    snapshot_id: str = Field(description="Snapshot data / Data snapshot")
    verdict: str = Field(description="Putusan pemantauan / Monitoring verdict")
    flags: dict[str, int] = Field(description="Jumlah per penanda / Moves per flag")
    moves: list[MoveRow] = Field(description="Mutasi / Moves")
    programme: list[ProgrammeRow] = Field(description="Dampak program / Programme impact")
    units: list[UnitRow] = Field(description="Unit sebelum dan sesudah / Units before and after")
    monitoring: list[MonitoringRow] = Field(description="Pemantauan model / Model monitoring")


def _rows(model: type[StrictModel], frame: pd.DataFrame) -> list[StrictModel]:
    """One `model` per row; NaN becomes null."""
    return rows_as(model, frame.astype(object).where(frame.notna(), None))


def _decisions(request: Request) -> pd.DataFrame:
    log: DecisionLog = request.app.state.decisions
    return pd.DataFrame(log.rows())


# Reviews recently computed, by what they depend on: the served snapshot and model, the window
# and the decision record. A review of a 10k agency takes ~30 s; the second look is free.
_REVIEWS: OrderedDict[tuple[object, ...], ReviewResult] = OrderedDict()
_REVIEWS_KEPT = 4
_REVIEWS_LOCK = threading.Lock()


def decisions_fingerprint(decisions: pd.DataFrame) -> int:
    """Changes whenever a decision is added (the record is append-only, so rows only grow)."""
    if decisions.empty:
        return 0
    return int(pd.util.hash_pandas_object(decisions.astype(str), index=False).sum())


def review_of_state(
    request: Request,
    state: LoadedState,
    settings: Settings,
    *,
    since: date | None,
    until: date | None,
) -> ReviewResult:
    """The review of the served snapshot and model: the one service the API route and the
    console's /evaluasi page both call (ReviewWindowError for a bad window). Kept for the
    next look while the snapshot, model, window and decision record stay the same."""
    window = default_window(state.as_of, since=since, until=until)
    decisions = _decisions(request)
    key = (
        state.snapshot_id,
        state.model_version,
        window.since,
        window.until,
        decisions_fingerprint(decisions),
    )
    with _REVIEWS_LOCK:
        if key in _REVIEWS:
            _REVIEWS.move_to_end(key)
            return _REVIEWS[key]
    result = review_loaded(
        settings,
        data=state.data,
        snapshot_id=state.snapshot_id,
        as_of=state.as_of,
        bundle=state.bundle,
        window=window,
        decisions=decisions,
    )
    with _REVIEWS_LOCK:
        _REVIEWS[key] = result
        while len(_REVIEWS) > _REVIEWS_KEPT:
            _REVIEWS.popitem(last=False)
    return result


def _response(result: ReviewResult) -> ReviewResponse:
    return ReviewResponse(
        since=result.window.since,
        until=result.window.until,
        model_version=result.model_version,
        snapshot_id=result.snapshot_id,
        verdict=result.verdict,
        flags=result.flag_counts(),
        moves=_rows(MoveRow, result.moves[list(MOVE_COLUMNS)]),
        programme=_rows(ProgrammeRow, result.programme),
        units=_rows(UnitRow, result.units),
        monitoring=_rows(MonitoringRow, result.monitoring),
    )


@router.get(
    "/review",
    response_model=ReviewResponse,
    summary="Evaluasi pascamutasi / Post-move review",
    description="Setiap mutasi dalam jendela: perkiraan saat diputuskan (atau dihitung ulang "
    "pada tanggal SK) dibanding SKP sesudahnya, dampak program dengan selang kepercayaan 95 %, "
    "unit sebelum dan sesudah, dan pemantauan model. / Every move of the window: the "
    "prediction when decided (or backcast at the decree date) against the SKP after, programme "
    "impact with 95 % intervals, units before and after, and model monitoring.",
)
def get_review(
    key: ReviewerKey,
    state: StateDep,
    settings: SettingsDep,
    audit: AuditDep,
    request: Request,
    since: Annotated[date | None, Query(description="YYYY-MM-DD")] = None,
    until: Annotated[date | None, Query(description="YYYY-MM-DD")] = None,
) -> ReviewResponse:
    try:
        result = review_of_state(request, state, settings, since=since, until=until)
    except ReviewWindowError as exc:
        raise InvalidInputError(exc.message) from None
    audit.returned(
        nips=result.moves["nip"],
        position_ids=result.moves["to_position_id"],
        model_version=result.model_version,
        snapshot_id=result.snapshot_id,
    )
    return _response(result)
