"""Consultation rounds: HR opens, closes and reads them; an employee answers their own.

Role hr (and admin) under /v1/consultations: open a round, list, close, see who answered and
read one constraint note (each read audited with the NIP). Role pegawai (a key bound to one
NIP) under /v1/me/consultations: the open rounds with the positions it is eligible for, its
answer (PUT while the round is open) and the answer as sent. A pegawai key is refused on every
other route by serving/guard.py. A unit-scoped hr key lists rounds but is refused the
round-wide routes (respondents, notes, open, close): it works through routers/unit_rankings.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from serving.audit import AuditDep, audited
from serving.auth import HrKey, PegawaiKey, UnitHrKey, agency_wide_only
from serving.consultation import store
from serving.consultation.crypto import NoteCipher
from serving.consultation.service import (
    answer_response,
    constraint_note,
    my_consultation,
    note_cipher,
    now,
    open_round_for,
    round_response,
    submit_answer,
    wishes_of,
)
from serving.deps import EngineDep, StateDep
from serving.errors import NotFoundError
from serving.schemas.common import NIP_PATTERN, ErrorResponse
from serving.schemas.consultations import (
    AnswerRequest,
    AnswerResponse,
    MyConsultationResponse,
    NoteResponse,
    Respondent,
    RespondentsResponse,
    RoundRequest,
    RoundResponse,
)

router = APIRouter(
    prefix="/v1",
    tags=["consultations"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422, 503)},
)

CipherDep = Annotated[NoteCipher, Depends(note_cipher)]
RoundId = Annotated[str, Path(min_length=1, max_length=36, description="ID putaran / Round id")]


@router.post(
    "/consultations",
    response_model=RoundResponse,
    status_code=201,
    summary="Buka putaran konsultasi / Open a consultation round",
    dependencies=[Depends(agency_wide_only)],
)
def open_round(
    body: RoundRequest, key: HrKey, state: StateDep, engine: EngineDep, audit: AuditDep
) -> RoundResponse:
    consultation = open_round_for(state, engine, opened_by=key.label, body=body)
    audit.returned(nips=[], position_ids=consultation.positions)
    return round_response(consultation, now())


@router.get(
    "/consultations",
    response_model=list[RoundResponse],
    summary="Daftar putaran konsultasi / Consultation rounds",
)
def list_rounds(key: UnitHrKey, engine: EngineDep) -> list[RoundResponse]:
    at = now()
    return [round_response(r, at) for r in store.list_rounds(engine)]


@router.post(
    "/consultations/{round_id}/close",
    response_model=RoundResponse,
    summary="Tutup putaran / Close a round",
    dependencies=[Depends(agency_wide_only)],
)
def close_round(round_id: RoundId, key: HrKey, engine: EngineDep) -> RoundResponse:
    at = now()
    return round_response(store.close_round(engine, round_id, now=at), at)


@router.get(
    "/consultations/{round_id}/answers",
    response_model=RespondentsResponse,
    summary="Siapa yang sudah menjawab / Who answered",
    dependencies=[Depends(agency_wide_only)],
    description="Pilihan dan keinginan tiap responden, tanpa catatan kendala. / Each "
    "respondent's choices and wishes, without the constraint note.",
)
def respondents(
    round_id: RoundId, key: HrKey, engine: EngineDep, audit: AuditDep
) -> RespondentsResponse:
    store.get_round(engine, round_id)
    answers = store.round_answers(engine, round_id)
    audit.returned(nips=[a.nip for a in answers])
    return RespondentsResponse(
        round_id=round_id,
        answered=len(answers),
        respondents=[
            Respondent(
                nip=a.nip,
                positions=a.positions,
                wishes=wishes_of(a),
                has_note=a.has_note,
                updated_at=a.updated_at,
                version=a.version,
            )
            for a in answers
        ],
    )


@router.get(
    "/consultations/{round_id}/answers/{nip}/note",
    response_model=NoteResponse,
    summary="Baca catatan kendala (diaudit) / Read a constraint note (audited)",
    dependencies=[Depends(agency_wide_only)],
)
def read_note(
    round_id: RoundId,
    nip: Annotated[str, Path(pattern=NIP_PATTERN)],
    key: HrKey,
    engine: EngineDep,
    cipher: CipherDep,
    audit: AuditDep,
) -> NoteResponse:
    note = constraint_note(engine, cipher, round_id, nip)
    audit.returned(nips=[nip])
    return NoteResponse(round_id=round_id, nip=nip, note=note)


@router.get(
    "/me/consultations",
    response_model=MyConsultationResponse,
    summary="Konsultasi saya / My consultation",
    description="Putaran yang terbuka, jabatan yang layak bagi saya dengan alasan dan pelatihan, "
    "dan jawaban saya. / Open rounds, the positions I am eligible for with reasons and "
    "trainings, and my answer.",
)
def my_rounds(
    key: PegawaiKey, state: StateDep, engine: EngineDep, cipher: CipherDep, audit: AuditDep
) -> MyConsultationResponse:
    assert key.nip is not None
    response = my_consultation(state, engine, cipher, key.nip, now())
    positions = [o.position_id for r in response.rounds for o in r.offers]
    audit.returned(nips=[key.nip], position_ids=positions, model_version=state.model_version)
    return response


@router.put(
    "/me/consultations/{round_id}",
    response_model=AnswerResponse,
    summary="Kirim atau ubah jawaban / Send or change my answer",
)
def answer(
    round_id: RoundId,
    body: AnswerRequest,
    key: PegawaiKey,
    state: StateDep,
    engine: EngineDep,
    cipher: CipherDep,
    audit: AuditDep,
) -> AnswerResponse:
    assert key.nip is not None
    audit.returned(nips=[key.nip], position_ids=body.positions)
    return submit_answer(state, engine, cipher, nip=key.nip, round_id=round_id, body=body, at=now())


@router.get(
    "/me/consultations/{round_id}",
    response_model=AnswerResponse,
    summary="Jawaban saya seperti dikirim / My answer as sent",
)
def my_answer(
    round_id: RoundId, key: PegawaiKey, engine: EngineDep, cipher: CipherDep, audit: AuditDep
) -> AnswerResponse:
    assert key.nip is not None
    found = store.answer_of(engine, cipher, round_id, key.nip, with_note=True)
    if found is None:
        raise NotFoundError(f"Belum ada jawaban / No answer yet: {round_id}")
    audit.returned(nips=[key.nip])
    return answer_response(found)
