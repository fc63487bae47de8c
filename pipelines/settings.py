"""Configuration: one pydantic-settings class behind a cached `get_settings()`.

Nothing is configured at import time; callers ask for settings when they need them.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MUTASI_", extra="ignore")

    home: Path = Field(
        default=Path("var"), description="Data home: snapshots, MLflow store, keys and audit."
    )
    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MLFLOW_TRACKING_URI", "MUTASI_MLFLOW_TRACKING_URI"),
        description="MLflow tracking URI; default a SQLite store under the data home.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL for API keys and the audit trail (e.g. postgresql+psycopg://"
        "user:password@host/db); default SQLite in home.",
    )
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024,
        gt=0,
        description="Largest request body in bytes, enforced while it streams in (413 beyond); "
        "the default holds 10,000 risk pairs with long position ids.",
    )
    api_docs: bool | None = Field(
        default=None,
        description="Serve /docs and /openapi.json; default: only when bound to a loopback "
        "address (127.0.0.1, ::1), off on a network address.",
    )
    max_concurrent_requests: int = Field(
        default=4, gt=0, description="API requests worked on at once per worker process."
    )
    max_queued_requests: int = Field(
        default=32, ge=0, description="API requests waiting per worker; beyond: 503 Retry-After."
    )
    queue_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Longest wait in the queue before a 503 Retry-After."
    )
    signin_max_failures: int = Field(
        default=10, gt=0, description="Failed sign-ins per client address per window, then 429."
    )
    signin_window_seconds: float = Field(
        default=300.0, gt=0, description="Window (seconds) over which failed sign-ins count."
    )
    model_name: str = Field(default="mutasi", description="Registered model name (one bundle).")
    risk_medium_from: float = Field(
        default=0.2, gt=0.0, lt=1.0, description="Risk shown as sedang (medium) from here."
    )
    risk_high_from: float = Field(
        default=0.4, gt=0.0, lt=1.0, description="Risk shown as tinggi (high) from here."
    )
    as_of: date | None = Field(
        default=None, description="Reference date for current scoring; default today."
    )
    consultation_retention_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days after its close that a consultation round (answers and constraint "
        "notes) is kept; `mutasi consultation purge` deletes older rounds.",
    )
    compiled_scoring: bool = Field(
        default=True,
        description="Walk the boosters' trees as compiled code (lleaves) where it loads and "
        "matches LightGBM; false: always LightGBM.",
    )

    @property
    def snapshots_dir(self) -> Path:
        return self.home / "snapshots"

    @property
    def tracking_uri(self) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.home / 'mlflow.db').resolve()}"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "mlartifacts"

    @property
    def compiled_dir(self) -> Path:
        return self.home / "compiled"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'mutasi.db').resolve()}"

    @property
    def reference_date(self) -> date:
        return self.as_of or date.today()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
