"""/konsultasi: the employee's own consultation page (role pegawai, a key bound to one NIP).

Consent (UU 27/2022) comes first; then the positions on offer the person is eligible for, with
Mutasi's reasons and the trainings that would prepare them (the API's own service functions,
serving/consultation/service.py); up to five ranked choices, region/sector/unit wishes in order
and a note in their own words; changed as often as they like until the round closes, and the
answer as sent downloadable as JSON. Nothing about any other employee is ever shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.planning.preferences import MAX_CHOICES
from serving.audit import AuditDep, AuditRecord, audited
from serving.consultation import store
from serving.consultation.service import (
    answer_response,
    my_consultation,
    note_cipher,
    now,
    submit_answer,
)
from serving.deps import EngineDep, StateDep
from serving.errors import ApiError, NotFoundError
from serving.pages.render import PageRoute, render
from serving.pages.session import PegawaiPage, Session, check_csrf
from serving.schemas.consultations import NOTE_MAX, AnswerRequest, WishModel
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

WISH_ROWS = 3
WISH_KINDS = (
    ("region", "Wilayah", "Region"),
    ("sector", "Sektor", "Sector"),
    ("unit", "Unit", "Unit"),
)
Field = Annotated[str, Form(max_length=200)]


def _page(
    request: Request,
    session: Session,
    state: LoadedState,
    engine: EngineDep,
    audit: AuditRecord,
    *,
    status_code: int = 200,
    **flags: object,
) -> HTMLResponse:
    nip = session.key.nip if session.key else None
    assert nip is not None
    mine = my_consultation(state, engine, note_cipher(request), nip, now())
    positions = [o.position_id for r in mine.rounds for o in r.offers]
    audit.returned(nips=[nip], position_ids=positions, model_version=state.model_version)
    return render(
        request,
        "consultation.html",
        status_code=status_code,
        mine=mine,
        choices=range(1, MAX_CHOICES + 1),
        wish_rows=range(1, WISH_ROWS + 1),
        wish_kinds=WISH_KINDS,
        note_max=NOTE_MAX,
        **flags,
    )


@router.get("/konsultasi", response_class=HTMLResponse)
def consultation_page(
    request: Request,
    session: PegawaiPage,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
    tersimpan: bool = False,
) -> HTMLResponse:
    return _page(request, session, state, engine, audit, saved=tersimpan)


@router.post("/konsultasi", response_class=HTMLResponse)
async def send_answer(
    request: Request,
    session: PegawaiPage,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
    putaran: Field,
    csrf: Annotated[str, Form(max_length=100)] = "",
    setuju: Annotated[str, Form(max_length=10)] = "",
    catatan: Annotated[str, Form(max_length=NOTE_MAX)] = "",
) -> Response:
    check_csrf(session, csrf)
    form = await request.form()
    ranked = [str(form.get(f"pilihan_{i}") or "").strip() for i in range(1, MAX_CHOICES + 1)]
    wishes = [
        WishModel(kind=kind, value=value, priority=i)  # type: ignore[arg-type]
        for i in range(1, WISH_ROWS + 1)
        for kind, value in [(str(form.get(f"jenis_{i}") or ""), str(form.get(f"nilai_{i}") or ""))]
        if kind in {k for k, _, _ in WISH_KINDS} and value.strip()
    ]
    if setuju != "ya":
        return _page(request, session, state, engine, audit, status_code=422, error=_NO_CONSENT)
    body = AnswerRequest(
        consent=True,
        positions=[p for p in ranked if p][:MAX_CHOICES],
        wishes=wishes,
        note=catatan.strip() or None,
    )
    nip = session.key.nip if session.key else None
    assert nip is not None
    try:
        submit_answer(
            state, engine, note_cipher(request), nip=nip, round_id=putaran, body=body, at=now()
        )
    except ApiError as exc:
        status = exc.status_code
        return _page(request, session, state, engine, audit, status_code=status, error=exc.message)
    return RedirectResponse("/konsultasi?tersimpan=1", status_code=303)


@router.get("/konsultasi/unduh")
def download_answer(
    request: Request,
    session: PegawaiPage,
    engine: EngineDep,
    audit: AuditDep,
    putaran: Annotated[str, Query(min_length=1, max_length=36)],
) -> Response:
    """The answer as sent, as a JSON file (the API's own answer model)."""
    nip = session.key.nip if session.key else None
    assert nip is not None
    found = store.answer_of(engine, note_cipher(request), putaran, nip, with_note=True)
    if found is None:
        raise NotFoundError("Belum ada jawaban / No answer yet")
    audit.returned(nips=[nip])
    body = answer_response(found).model_dump_json(indent=2)
    headers = {"Content-Disposition": f'attachment; filename="konsultasi-{putaran[:8]}.json"'}
    return Response(body, media_type="application/json", headers=headers)


_NO_CONSENT = (
    "Jawaban hanya dapat dikirim setelah Anda menyetujui pemrosesan data pribadi / "
    "Your answer can be sent only after you consent to the processing of personal data"
)
