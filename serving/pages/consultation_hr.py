"""/konsultasi-hr: HR opens, lists and closes consultation rounds and sees who answered.

The page calls the API routes' own functions (serving/consultation/service.py and store.py):
a round opened here is the round `GET /v1/consultations` lists, positions on offer default to
the open slots, and reading a constraint note is one deliberate request per respondent,
audited with that NIP exactly as `GET /v1/consultations/{id}/answers/{nip}/note` is.
Respondent lists never carry a note; names only for the roles the API shows them to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine

from serving.audit import AuditDep, audited
from serving.consultation import store
from serving.consultation.service import (
    constraint_note,
    note_cipher,
    now,
    open_round_for,
    round_response,
    rounds_overview,
)
from serving.consultation.unit_service import employee_name
from serving.deps import EngineDep, StateDep
from serving.errors import ApiError, _validation_message
from serving.pages.render import PageRoute, render
from serving.pages.session import AgencyHrPage, Session, check_csrf
from serving.routers.employees import NAME_ROLES
from serving.schemas.common import NIP_PATTERN
from serving.schemas.consultations import RoundRequest

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

Csrf = Annotated[str, Form(max_length=100)]
RoundId = Annotated[str, Path(min_length=1, max_length=36)]
Moment = Annotated[str, Form(max_length=40)]


def _list_page(
    request: Request, engine: Engine, *, status_code: int = 200, **flags: object
) -> HTMLResponse:
    return render(
        request,
        "consultation_hr.html",
        status_code=status_code,
        rounds=rounds_overview(engine),
        **flags,
    )


@router.get("/konsultasi-hr", response_class=HTMLResponse)
def rounds_page(
    request: Request, session: AgencyHrPage, engine: EngineDep, dibuka: bool = False
) -> HTMLResponse:
    return _list_page(request, engine, opened=dibuka)


def _moment(text: str) -> datetime:
    """A datetime-local field's value, read as UTC (the page says so)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@router.post("/konsultasi-hr", response_class=HTMLResponse)
def open_round_page(
    request: Request,
    session: AgencyHrPage,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
    csrf: Csrf = "",
    dari: Moment = "",
    sampai: Moment = "",
    undangan: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    check_csrf(session, csrf)
    try:
        body = RoundRequest(
            window_from=_moment(dari), window_until=_moment(sampai), invitation=undangan.strip()
        )
        consultation = open_round_for(state, engine, opened_by=_label(session), body=body)
    except ValidationError as exc:
        details = "; ".join(_validation_message(dict(e)) for e in exc.errors())
        error = f"Masukan tidak sah / Invalid input: {details}"
        return _list_page(request, engine, status_code=422, error=error)
    except ValueError:
        return _list_page(request, engine, status_code=422, error=_BAD_MOMENT)
    except ApiError as exc:
        return _list_page(request, engine, status_code=exc.status_code, error=exc.message)
    audit.returned(nips=[], position_ids=consultation.positions)
    return RedirectResponse("/konsultasi-hr?dibuka=1", status_code=303)


def _label(session: Session) -> str:
    assert session.key is not None
    return session.key.label


@router.post("/konsultasi-hr/{round_id}/tutup")
def close_round_page(
    session: AgencyHrPage, engine: EngineDep, round_id: RoundId, csrf: Csrf = ""
) -> Response:
    check_csrf(session, csrf)
    store.close_round(engine, round_id, now=now())
    return RedirectResponse(f"/konsultasi-hr/{round_id}", status_code=303)


@router.get("/konsultasi-hr/{round_id}", response_class=HTMLResponse)
def respondents_page(
    request: Request,
    session: AgencyHrPage,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
    round_id: RoundId,
) -> HTMLResponse:
    consultation = store.get_round(engine, round_id)
    answers = store.round_answers(engine, round_id)
    audit.returned(nips=[a.nip for a in answers])
    assert session.key is not None
    with_name = session.key.role in NAME_ROLES
    return render(
        request,
        "consultation_hr_round.html",
        round=round_response(consultation, now()),
        respondents=[
            {"answer": a, "name": employee_name(state, a.nip) if with_name else None}
            for a in answers
        ],
    )


@router.post("/konsultasi-hr/{round_id}/catatan", response_class=HTMLResponse)
def note_page(
    request: Request,
    session: AgencyHrPage,
    engine: EngineDep,
    audit: AuditDep,
    round_id: RoundId,
    nip: Annotated[str, Form(pattern=NIP_PATTERN)],
    csrf: Csrf = "",
) -> HTMLResponse:
    """One respondent's note: a POST (never prefetched or left in history), audited with the
    NIP like the API's note route."""
    check_csrf(session, csrf)
    note = constraint_note(engine, note_cipher(request), round_id, nip)
    audit.returned(nips=[nip])
    return render(request, "consultation_hr_note.html", round_id=round_id, nip=nip, note=note)


_BAD_MOMENT = (
    "Isi tanggal dan jam buka dan tutup (UTC) / Fill in the opening and closing date and time (UTC)"
)
