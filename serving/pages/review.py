"""/evaluasi (roles planner and data): the post-move review in the console, from the same
service function as GET /v1/review (serving/routers/review.py `review_of_state`)."""

from __future__ import annotations

import base64
import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from matplotlib.figure import Figure

from models.planning.review import ReviewWindowError
from pipelines.report import (
    FLAG_WORDS,
    NO_RELIABLE_EFFECT,
    effects_figure,
    predicted_vs_actual_figure,
    reliable_effects,
)
from serving.audit import AuditDep, audited
from serving.auth import Role
from serving.deps import SettingsDep, StateDep
from serving.pages.render import PageRoute, render
from serving.pages.session import Session, page_role
from serving.routers.review import review_of_state

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

ReviewPage = Annotated[Session, page_role(Role.PLANNER, Role.DATA)]
BELOW_SHOWN = 50


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _day(text: str | None) -> date | None:
    """A YYYY-MM-DD field of the form; empty means unset; anything else is a window error."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReviewWindowError(
            f"Tanggal harus YYYY-MM-DD, bukan {text[:20]} / dates are YYYY-MM-DD"
        ) from None


@router.get("/evaluasi", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: ReviewPage,
    state: StateDep,
    settings: SettingsDep,
    audit: AuditDep,
    sejak: Annotated[str | None, Query(max_length=20)] = None,
    sampai: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    try:
        result = review_of_state(request, state, settings, since=_day(sejak), until=_day(sampai))
    except ReviewWindowError as exc:
        return render(
            request,
            "review.html",
            status_code=422,
            problem=exc.message,
            sejak=sejak or "",
            sampai=sampai or "",
        )
    below = result.moves.loc[result.moves["flag"] == "below_expectation"]
    audit.returned(
        nips=below["nip"].head(BELOW_SHOWN),
        position_ids=below["to_position_id"].head(BELOW_SHOWN),
        model_version=result.model_version,
        snapshot_id=result.snapshot_id,
    )
    counts = result.flag_counts()
    reasons = result.monitoring.loc[result.monitoring["section"] == "verdict", "note"]
    return render(
        request,
        "review.html",
        result=result,
        sejak=result.window.since.isoformat(),
        sampai=result.window.until.isoformat(),
        flags=[(FLAG_WORDS[f], counts.get(f, 0)) for f in FLAG_WORDS],
        below=below.head(BELOW_SHOWN).to_dict("records"),
        below_total=len(below),
        programme=[
            {**row, "reliable": row["effect"] == row["effect"]}  # NaN: not reliable
            for row in result.programme.to_dict("records")
        ],
        reasons=str(reasons.iloc[0]) if len(reasons) else "",
        scatter=_png(predicted_vs_actual_figure(result.moves)),
        effects=_png(effects_figure(result.programme))
        if len(reliable_effects(result.programme))
        else None,
        no_effect=NO_RELIABLE_EFFECT,
    )
