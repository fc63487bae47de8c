"""Serving fixtures: a bare app (nothing loaded) and, session-wide, a real trained small world."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from models.errors import MutasiError
from pipelines.settings import Settings
from serving.app import create_app
from serving.auth import Role, create_key
from serving.state import LoadedState

BARE_REASON = "Tidak ada model di tes ini / No model in this test"


def nothing_to_load(_settings: Settings) -> LoadedState:
    raise MutasiError(BARE_REASON)


@pytest.fixture
def bare_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", as_of=date(2025, 6, 30))


@pytest.fixture
def bare_app(bare_settings: Settings) -> FastAPI:
    """The real app whose loader finds nothing: auth, audit and errors without a model."""
    return create_app(bare_settings, loader=nothing_to_load, retry_seconds=3600)


@pytest.fixture
def bare_client(bare_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(bare_app) as client:
        yield client


@pytest.fixture
def bare_keys(bare_app: FastAPI) -> dict[Role, str]:
    return {
        role: create_key(bare_app.state.engine, role=role, label=f"test-{role}") for role in Role
    }
