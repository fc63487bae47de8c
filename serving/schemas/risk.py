"""POST /v1/risk: pairs in, eligibility, fit and risk out."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from serving.schemas.common import (
    MAX_RISK_PAIRS,
    Eligible,
    Fit,
    IneligibleReasons,
    Nip,
    PositionId,
    Risk,
    RiskBandField,
    RiskPercent,
    Strict,
)


# Pairs and results are checked dicts, not objects: validating and writing 10,000 of each as
# models cost ~0.1 s per request, as TypedDicts ~0.02 s (bench/README.md, "Compiled scoring").
@with_config(ConfigDict(extra="forbid"))
class RiskPair(TypedDict):
    nip: Nip
    position_id: PositionId
    initiated_by: NotRequired[
        Annotated[
            Literal["agency", "employee"],
            Field(
                description="Prakarsa mutasi: agency (instansi, bawaan) atau employee (atas "
                "permintaan sendiri); risiko dihitung untuk prakarsa ini / Who initiates the "
                "move: agency (default) or employee (at own request); risk is for that case"
            ),
        ]
    ]


class RiskRequest(Strict):
    pairs: list[RiskPair] = Field(
        min_length=1,
        max_length=MAX_RISK_PAIRS,
        description=f"Pasangan (nip, position_id), maksimal {MAX_RISK_PAIRS} / at most that many",
    )


@with_config(ConfigDict(extra="forbid"))
class RiskResult(TypedDict):
    nip: Annotated[str, Field(description="NIP")]
    position_id: Annotated[str, Field(description="position_id")]
    position_title: Annotated[str, Field(description="Nama jabatan / Position title")]
    unit_name: Annotated[str, Field(description="Nama unit jabatan / Unit of the position")]
    eligible: Eligible
    ineligible_reasons: IneligibleReasons
    fit: Fit
    risk: Risk
    risk_percent: RiskPercent
    risk_band: RiskBandField


class RiskResponse(Strict):
    model_version: str = Field(description="Versi model yang dipakai / Model version used")
    snapshot_id: str = Field(description="Snapshot data yang dipakai / Data snapshot used")
    results: list[RiskResult] = Field(description="Satu per pasangan, urutan sama / Same order")


# The columnar form (POST /v1/risk/columns): one list per column, the i-th values of every list
# making the i-th pair, as MLflow's scoring server takes `dataframe_split`. The body is read and
# checked by serving/risk_columns.py (orjson into arrays, vectorised); these models document it
# in the OpenAPI and let tests check real responses.
@with_config(ConfigDict(extra="forbid"))
class RiskPairColumns(TypedDict):
    nip: Annotated[
        list[Nip],
        Field(min_length=1, max_length=MAX_RISK_PAIRS, description="NIP per pasangan / per pair"),
    ]
    position_id: Annotated[
        list[PositionId],
        Field(
            min_length=1,
            max_length=MAX_RISK_PAIRS,
            description="Jabatan tujuan, sepanjang kolom nip / Target position, as long as nip",
        ),
    ]
    initiated_by: NotRequired[
        Annotated[
            list[Literal["agency", "employee"]],
            Field(
                min_length=1,
                max_length=MAX_RISK_PAIRS,
                description="Prakarsa per pasangan (bawaan: agency) / Initiator per pair "
                "(default: agency)",
            ),
        ]
    ]


class RiskColumnsRequest(Strict):
    columns: RiskPairColumns = Field(
        description="Satu daftar per kolom, panjang sama, maks. 10.000 / One list per column, "
        "equal lengths, at most 10,000"
    )


@with_config(ConfigDict(extra="forbid"))
class RiskResultColumns(TypedDict):
    nip: Annotated[list[str], Field(description="NIP")]
    position_id: Annotated[list[str], Field(description="position_id")]
    position_title: Annotated[list[str], Field(description="Nama jabatan / Position title")]
    unit_name: Annotated[list[str], Field(description="Nama unit jabatan / Unit of the position")]
    eligible: list[Eligible]
    ineligible_reasons: Annotated[
        list[list[str]],
        Field(
            description="Kode aturan yang gagal per pasangan; teksnya di reason_texts / Codes of "
            "the failed rules per pair; their texts in reason_texts"
        ),
    ]
    fit: list[Fit]
    risk: list[Risk]
    risk_percent: list[RiskPercent]
    risk_band: list[RiskBandField]


class RiskColumnsResponse(Strict):
    model_version: str = Field(description="Versi model yang dipakai / Model version used")
    snapshot_id: str = Field(description="Snapshot data yang dipakai / Data snapshot used")
    columns: RiskResultColumns = Field(
        description="Satu daftar per kolom, urutan pasangan sama / One list per column, pairs "
        "in the order given"
    )
    reason_texts: dict[str, str] = Field(
        description="Penjelasan setiap kode alasan yang muncul (Indonesia / English) / The text "
        "of every reason code that occurs"
    )
