"""POST /v1/decisions: what the officer did with a recommended move, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from serving.schemas.common import Nip, PositionId, Strict

Sentence = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
MIN_REASON_LENGTH = 10


class ShownRecommendation(Strict):
    """The recommendation exactly as the officer saw it."""

    model_version: str = Field(max_length=64, description="Versi model / Model version")
    snapshot_id: str = Field(max_length=128, description="Snapshot data / Data snapshot")
    fit: float | None = Field(default=None, description="Fit yang ditampilkan / Fit shown")
    risk: float | None = Field(
        default=None, ge=0, le=1, description="Risiko yang ditampilkan / Risk shown"
    )
    reasons: list[Sentence] = Field(
        default_factory=list, max_length=20, description="Alasan yang ditampilkan / Reasons"
    )
    fairness_flags: list[Sentence] = Field(
        default_factory=list, max_length=20, description="Tanda keadilan / Fairness flags shown"
    )


class DecisionRequest(Strict):
    source: Literal["shortlist", "plan"] = Field(description="Asal rekomendasi / Where from")
    plan_id: str | None = Field(default=None, max_length=64, description="Rencana / Plan id")
    nip: Nip
    position_id: PositionId = Field(description="Jabatan yang direkomendasikan / Recommended")
    decision: Literal["adopted", "changed", "rejected"] = Field(
        description="Diterima, diubah, atau ditolak / Adopted, changed or rejected"
    )
    chosen_position_id: PositionId | None = Field(
        default=None, description="Jabatan yang dipilih bila diubah / Post chosen when changed"
    )
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Alasan; wajib bila rekomendasi diubah atau ditolak / Reason; mandatory "
        "when the recommendation is changed or rejected",
    )
    shown: ShownRecommendation = Field(description="Rekomendasi yang ditampilkan / As shown")

    @model_validator(mode="after")
    def _overrides_say_why(self) -> DecisionRequest:
        if self.decision != "adopted" and len((self.reason or "").strip()) < MIN_REASON_LENGTH:
            raise ValueError(
                f"alasan wajib (min. {MIN_REASON_LENGTH} huruf) bila rekomendasi diubah atau "
                f"ditolak / a reason (at least {MIN_REASON_LENGTH} characters) is mandatory when "
                "the recommendation is changed or rejected"
            )
        if self.decision == "changed" and self.chosen_position_id is None:
            raise ValueError(
                "chosen_position_id wajib bila diubah / chosen_position_id is mandatory when "
                "the recommendation is changed"
            )
        return self


class DecisionResponse(Strict):
    id: str = Field(description="ID catatan / Record id")
    at: datetime = Field(description="Waktu dicatat (UTC) / Recorded at (UTC)")
    decided_by: str = Field(description="Label kunci API / API key label")
    decision: str = Field(description="Keputusan / Decision")
    nip: str = Field(description="NIP")
    position_id: str = Field(description="Jabatan yang direkomendasikan / Recommended post")
