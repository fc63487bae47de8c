"""Consultation rounds (role hr) and the employee's own answer (role pegawai)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from models.planning.preferences import MAX_CHOICES
from serving.consultation.store import MAX_WISHES
from serving.schemas.common import Nip, PositionId, Strict, TrainingSuggestion

NOTE_MAX = 2000


class RoundRequest(Strict):
    window_from: AwareDatetime = Field(description="Dibuka mulai / Opens at (with time zone)")
    window_until: AwareDatetime = Field(description="Ditutup pada / Closes at (with time zone)")
    positions: list[PositionId] | None = Field(
        default=None,
        max_length=5000,
        description="Jabatan yang ditawarkan; kosong: semua slot terbuka / Positions on offer; "
        "default: every open slot (shortage)",
    )
    invitation: Annotated[str, StringConstraints(min_length=1, max_length=4000)] = Field(
        description="Teks undangan / Invitation text"
    )


class RoundResponse(Strict):
    id: str = Field(description="ID putaran / Round id")
    opened_by: str = Field(description="Dibuka oleh (label kunci) / Opened by (key label)")
    window_from: datetime
    window_until: datetime
    positions: list[str] = Field(description="Jabatan yang ditawarkan / Positions on offer")
    invitation: str
    closed_at: datetime | None = Field(description="Ditutup / Closed at")
    is_open: bool = Field(description="Menerima jawaban sekarang / Taking answers now")


class WishModel(Strict):
    kind: Literal["unit", "sector", "region"] = Field(description="Jenis / Kind")
    value: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="unit_id, sektor atau kode wilayah / unit_id, sector or region code"
    )
    priority: int = Field(ge=1, le=MAX_WISHES, description="1 = paling diinginkan / 1 = first")


class AnswerRequest(Strict):
    consent: Literal[True] = Field(
        description="Persetujuan pemrosesan data pribadi (UU 27/2022) / Consent to processing"
    )
    positions: list[PositionId] = Field(
        max_length=MAX_CHOICES, description="Jabatan pilihan, urut / Ranked positions, best first"
    )
    wishes: list[WishModel] = Field(default_factory=list, max_length=MAX_WISHES)
    note: Annotated[str, StringConstraints(max_length=NOTE_MAX)] | None = Field(
        default=None,
        description="Kendala dengan kata-kata sendiri; hanya dibaca HR / Constraint in own "
        "words; read only by HR",
    )


class AnswerResponse(Strict):
    round_id: str
    nip: Nip
    positions: list[str]
    wishes: list[WishModel]
    note: str | None = Field(description="Catatan kendala / Constraint note")
    consent_at: datetime
    updated_at: datetime
    version: int = Field(description="Versi jawaban / Answer version")


class Respondent(Strict):
    nip: Nip
    positions: list[str]
    wishes: list[WishModel]
    has_note: bool = Field(description="Ada catatan kendala / Has a constraint note")
    updated_at: datetime
    version: int


class RespondentsResponse(Strict):
    round_id: str
    answered: int
    respondents: list[Respondent]


class NoteResponse(Strict):
    round_id: str
    nip: Nip
    note: str | None


class Offer(Strict):
    position_id: str
    title: str
    unit_id: str
    unit_name: str
    reasons: list[str] = Field(description="Alasan Mutasi / Mutasi's reasons")
    suggested_training: list[TrainingSuggestion]


class MyRound(Strict):
    round: RoundResponse
    offers: list[Offer] = Field(description="Jabatan yang layak bagi Anda / Eligible for you")
    answer: AnswerResponse | None


class MyConsultationResponse(Strict):
    nip: Nip
    rounds: list[MyRound]
