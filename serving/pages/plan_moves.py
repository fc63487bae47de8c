"""/rencana/{plan_id}: a stored plan, a page of its moves at a time, and a decision on each move.

The page reads the plan through the API route's own `get_plan` and audits the moves it shows.
Every move carries a form (adopt, change to another post, reject with a reason) that posts to
`/rencana/{plan_id}/keputusan`, which records it through `record_decision`, the code behind
POST /v1/decisions (source=plan, the plan's id, the recommendation as shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from serving.audit import AuditDep, AuditRecord, audited
from serving.deps import SettingsDep, StateDep
from serving.pages.dashboard import open_positions
from serving.pages.decisions import (
    CHOICES,
    DecisionForm,
    Failed,
    decide,
    decided,
    shown_lines,
    sign_shown,
)
from serving.pages.decree import first_of_next_month
from serving.pages.lookups import (
    BAND_WORDS,
    CHOICE_ATTRIBUTES,
    FAIRNESS_ATTRIBUTES,
    position_titles,
    training_names,
    unit_names,
)
from serving.pages.plans import PlanId, _names
from serving.pages.render import PageRoute, render
from serving.pages.session import PlannerPage, Session
from serving.routers.decisions import get_decision_log
from serving.routers.plans import get_plan
from serving.schemas.plans import PlanMove, PlanResponse
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

MOVES_PER_PAGE = 50
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PostedDecision = Annotated[DecisionForm, Depends(DecisionForm.posted)]


@dataclass(frozen=True)
class MoveRow:
    move: PlanMove
    label: str  # chain.step, as the table shows it
    name: str
    reasons: list[str]
    token: str  # the move as shown, signed (serving/pages/decisions.py)
    decision: dict[str, str] | None


def _page_of(moves: list[PlanMove], failed: Failed | None, page: int) -> int:
    pages = max(1, -(-len(moves) // MOVES_PER_PAGE))
    if failed is not None:
        for index, move in enumerate(moves):
            if (move.nip, move.position_id) == (failed.nip, failed.position_id):
                return index // MOVES_PER_PAGE + 1
    return min(page, pages)


@dataclass(frozen=True)
class TopChoiceRow:
    attribute: str
    group: str
    respondents: int
    moved: int
    top_choice: int
    percent: str


def top_choice_rows(plan: PlanResponse, units: dict[str, str]) -> list[TopChoiceRow]:
    """The plan's top-3 report in words: attribute and group named, the share met as text."""
    return [
        TopChoiceRow(
            attribute=CHOICE_ATTRIBUTES.get(t.attribute, t.attribute),
            group=units.get(t.group, t.group) if t.attribute == "unit_id" else t.group,
            respondents=t.respondents,
            moved=t.moved,
            top_choice=t.top_choice,
            percent=f"{100 * t.top_choice / t.respondents:.0f} %" if t.respondents else "–",
        )
        for t in plan.top_choices or []
    ]


def stable_matching_rows(plan: PlanResponse, units: dict[str, str]) -> list[dict[str, Any]]:
    """The plan's stable-matching check with unit names; 'all' first, as stored."""
    return [
        {
            **s.model_dump(),
            "unit": "Semua / All" if s.unit_id == "all" else units.get(s.unit_id, s.unit_id),
        }
        for s in plan.stable_matching or []
    ]


def _plan_view(
    request: Request,
    *,
    plan_id: str,
    session: Session,
    state: LoadedState,
    settings: SettingsDep,
    audit: AuditRecord,
    page: int,
    failed: Failed | None = None,
) -> HTMLResponse:
    assert session.key is not None
    plan = get_plan(plan_id, session.key, settings, audit)
    page = _page_of(plan.moves, failed, page)
    shown = plan.moves[(page - 1) * MOVES_PER_PAGE : page * MOVES_PER_PAGE]
    audit.returned(  # the page shows (and hands out) only this page's moves
        nips=[m.nip for m in shown],
        position_ids=[m.position_id for m in shown],
        model_version=plan.model_version,
        snapshot_id=plan.snapshot_id,
    )
    names = _names(state, plan, session.key.role)
    units = unit_names(state)
    latest = get_decision_log(request).latest(source="plan", plan_id=plan.plan_id)
    flags = shown_lines(plan.fairness.flags)
    rows = []
    for move in shown:
        label = f"{move.chain_id}.{move.chain_step}"
        reasons = [r for r in move.reasons.split("; ") if r]
        token = sign_shown(
            request,
            source="plan",
            plan_id=plan.plan_id,
            nip=move.nip,
            position_id=move.position_id,
            step=label,
            label=f"Mutasi {label} / Move {label}",
            model_version=plan.model_version,
            snapshot_id=plan.snapshot_id,
            fit=move.fit,
            risk=move.risk,
            reasons=shown_lines(reasons),
            fairness_flags=flags,
        )
        decision = decided(latest.get((move.nip, move.position_id)))
        rows.append(MoveRow(move, label, names.get(move.nip, ""), reasons, token, decision))
    context: dict[str, Any] = {
        "plan": plan,
        "rows": rows,
        "page": page,
        "pages": range(1, max(1, -(-len(plan.moves) // MOVES_PER_PAGE)) + 1),
        "decided_count": len(latest),
        "failed": failed,
        "choices": CHOICES,
        "other_posts": open_positions(state, limit=300),
        "fairness": plan.fairness,
        "titles": position_titles(state),
        "bands": BAND_WORDS,
        "attributes": FAIRNESS_ATTRIBUTES,
        "units": units,
        "top_choices": top_choice_rows(plan, units),
        "stable_matching": stable_matching_rows(plan, units),
        "trainings": training_names(state),
        "effective": first_of_next_month(state.as_of),
    }
    return render(request, "plan.html", status_code=422 if failed else 200, **context)


@router.get("/rencana/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    plan_id: PlanId,
    session: PlannerPage,
    state: StateDep,
    settings: SettingsDep,
    audit: AuditDep,
    halaman: PageNumber = 1,
) -> HTMLResponse:
    return _plan_view(
        request,
        plan_id=plan_id,
        session=session,
        state=state,
        settings=settings,
        audit=audit,
        page=halaman,
    )


@router.post("/rencana/{plan_id}/keputusan")
def plan_decision(
    request: Request,
    plan_id: PlanId,
    session: PlannerPage,
    state: StateDep,
    settings: SettingsDep,
    audit: AuditDep,
    form: PostedDecision,
    halaman: PageNumber = 1,
) -> Response:
    outcome = decide(
        request,
        session=session,
        form=form,
        state=state,
        audit=audit,
        expected={"source": "plan", "plan_id": plan_id},
    )
    if outcome.error is None:
        anchor = "m" + str(outcome.shown["step"]).replace(".", "-")
        return RedirectResponse(f"/rencana/{plan_id}?halaman={halaman}#{anchor}", status_code=303)
    failed = Failed(
        nip=str(outcome.shown["nip"]),
        position_id=str(outcome.shown["position_id"]),
        message=outcome.error,
        reason=form.reason,
        other_post=form.other_post,
    )
    return _plan_view(
        request,
        plan_id=plan_id,
        session=session,
        state=state,
        settings=settings,
        audit=audit,
        page=halaman,
        failed=failed,
    )
