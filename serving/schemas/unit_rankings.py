"""A unit's side of a consultation round: its candidates and its rankings (role hr, scoped)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from serving.consultation.rankings import MAX_RANKED
from serving.schemas.common import Factor, Nip, Strict


class UnitCandidate(Strict):
    nip: str = Field(description="NIP")
    name: str | None = Field(default=None, description="Nama (hr/admin) / Name (hr/admin)")
    choice_rank: int = Field(description="Urutan pilihan orang ini / The person's own rank, 1-5")
    eligible: bool = Field(description="Layak menurut kebijakan / Eligible under the policy")
    fit: float = Field(description="Perkiraan kinerja / Expected performance (fit)")
    risk: float = Field(description="Risiko penolakan / Resistance risk (0-1)")
    risk_band: str = Field(description="Pita risiko / Risk band")
    factors: list[Factor] = Field(description="Alasan fit dan risiko / Fit and risk reasons")


class RankingModel(Strict):
    nips: list[str] = Field(description="NIP terurut, terbaik dahulu / NIPs, best first")
    version: int = Field(description="Versi / Version")
    ranked_by: str = Field(description="Diperingkat oleh (label kunci) / Ranked by (key label)")
    saved_at: datetime = Field(description="Disimpan / Saved at")


class UnitPosition(Strict):
    position_id: str
    title: str = Field(description="Jabatan / Position title")
    candidates: list[UnitCandidate] = Field(
        description="Yang memilih jabatan ini / The people who chose this position"
    )
    ranking: RankingModel | None = Field(description="Peringkat unit saat ini / Current ranking")


class UnitCandidatesResponse(Strict):
    round_id: str
    unit_id: str
    unit_name: str
    is_open: bool = Field(description="Peringkat dapat diubah / Rankings can be changed")
    positions: list[UnitPosition] = Field(
        description="Jabatan unit ini yang ditawarkan / This unit's positions on offer"
    )


class RankingRequest(Strict):
    nips: list[Nip] = Field(
        max_length=MAX_RANKED,
        description="NIP terurut, terbaik dahulu; hanya yang memilih jabatan ini; kosong: "
        "menarik peringkat / NIPs best first, only people who chose this position; empty: "
        "withdraw the ranking",
    )


class RankingResponse(Strict):
    round_id: str
    unit_id: str
    position_id: str
    ranking: RankingModel
