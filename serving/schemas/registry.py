"""The model registry as the API shows it: versions, and the reload answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from serving.schemas.common import (
    Strict,
)


class ModelVersionInfo(Strict):
    version: str = Field(description="Versi terdaftar / Registered version")
    snapshot_id: str | None = Field(description="Snapshot data latih / Training data snapshot")
    metrics: dict[str, float] = Field(description="Metrik validasi / Validation metrics")


class ModelsResponse(Strict):
    model_name: str = Field(description="Nama model terdaftar / Registered model name")
    champion: ModelVersionInfo | None = Field(description="@champion")
    challenger: ModelVersionInfo | None = Field(description="@challenger")
    serving_version: str | None = Field(description="Versi yang sedang dilayani / Being served")
    serving_snapshot_id: str | None = Field(description="Snapshot yang dilayani / Being served")


class ReloadResponse(Strict):
    reloaded: bool = Field(description="Model baru dipasang / New state swapped in")
    model_version: str | None = Field(description="Versi yang dilayani sekarang / Now served")
    snapshot_id: str | None = Field(description="Snapshot yang dilayani sekarang / Now served")
    previous_model_version: str | None = Field(description="Versi sebelumnya / Before reload")
    message: str = Field(description="Hasil / Outcome (Indonesian / English)")
    loaded_at: datetime | None = Field(description="Waktu pemuatan / When the state was loaded")
