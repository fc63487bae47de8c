"""/konsultasi-unit: a unit head ranks the people who chose the unit's posts in a round.

The page calls the API's own functions (serving/consultation/unit_service.py): the same
candidates (their own rank, fit, risk band and the shortlist's reasons; never their wishes or
note), the same ranking rules (only people who chose the post, while the round is open), the
same 403 for a key scoped to another unit, and the same audit records.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from serving.audit import AuditDep, audited
from serving.consultation import store
from serving.consultation.service import now
from serving.consultation.unit_service import rank_for_unit, unit_candidates
from serving.deps import EngineDep, StateDep
from serving.errors import ApiError
from serving.pages.render import PageRoute, render
from serving.pages.session import Session, UnitHrPage, check_csrf
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

Csrf = Annotated[str, Form(max_length=100)]
Field200 = Annotated[str, Form(min_length=1, max_length=200)]


def _units(state: LoadedState) -> list[tuple[str, str]]:
    """(unit id, name) of every unit with a position, by name."""
    units = state.lookups.positions[["unit_id", "unit_name"]].astype(str).drop_duplicates("unit_id")
    return sorted(units.itertuples(index=False, name=None), key=lambda u: (u[1], u[0]))


def _choose_round(engine: Engine, asked: str | None) -> tuple[list[store.Round], str | None]:
    """The rounds, and the one to show: the one asked for, else the newest open one."""
    rounds, at = store.list_rounds(engine), now()
    if asked:
        return rounds, asked
    open_now = [r.id for r in rounds if r.is_open(at)]
    return rounds, open_now[0] if open_now else None


def _page(
    request: Request,
    session: Session,
    state: LoadedState,
    engine: Engine,
    audit: AuditDep,
    *,
    round_id: str | None,
    unit_id: str | None,
    status_code: int = 200,
    **flags: object,
) -> HTMLResponse:
    assert session.key is not None
    unit_id = session.key.unit_id or unit_id
    rounds, round_id = _choose_round(engine, round_id)
    view = None
    if round_id and unit_id:
        view = unit_candidates(
            state, engine, key=session.key, round_id=round_id, unit_id=unit_id, at=now()
        )
        audit.returned(  # kept beside what a refused ranking already named
            nips=[*audit.nips, *(c.nip for p in view.positions for c in p.candidates)],
            position_ids=[*audit.position_ids, *(p.position_id for p in view.positions)],
            model_version=state.model_version,
        )
    return render(
        request,
        "consultation_unit.html",
        status_code=status_code,
        rounds=rounds,
        round_id=round_id,
        unit_id=unit_id,
        scoped=session.key.unit_id is not None,
        units=[] if session.key.unit_id else _units(state),
        view=view,
        **flags,
    )


@router.get("/konsultasi-unit", response_class=HTMLResponse)
def unit_page(
    request: Request,
    session: UnitHrPage,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
    putaran: Annotated[str | None, Query(max_length=36)] = None,
    unit: Annotated[str | None, Query(max_length=200)] = None,
    disimpan: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    return _page(
        request, session, state, engine, audit, round_id=putaran, unit_id=unit, saved=disimpan
    )


@router.post("/konsultasi-unit", response_class=HTMLResponse)
def rank_page(
    request: Request,
    session: UnitHrPage,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
    putaran: Annotated[str, Form(min_length=1, max_length=36)],
    unit: Field200,
    jabatan: Field200,
    urutan: Annotated[list[str], Form(max_length=200)] = [],  # noqa: B006 (FastAPI form list)
    csrf: Csrf = "",
) -> Response:
    """Save the unit's ranking of one post: the selects in order, blanks skipped."""
    check_csrf(session, csrf)
    assert session.key is not None
    nips = [n.strip() for n in urutan if n.strip()]
    audit.returned(nips=nips, position_ids=[jabatan])
    try:
        rank_for_unit(
            state,
            engine,
            key=session.key,
            round_id=putaran,
            unit_id=unit,
            position_id=jabatan,
            nips=nips,
            at=now(),
        )
    except ApiError as exc:
        if exc.status_code == 403:
            raise
        return _page(
            request,
            session,
            state,
            engine,
            audit,
            round_id=putaran,
            unit_id=unit,
            status_code=exc.status_code,
            error=exc.message,
        )
    query = urlencode({"putaran": putaran, "unit": unit, "disimpan": jabatan})
    return RedirectResponse(f"/konsultasi-unit?{query}", status_code=303)
