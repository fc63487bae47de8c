"""Serving fixtures: a bare app (nothing loaded) and, session-wide, the real trained small world
(`world`, tests/conftest.py) loaded into an app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from models.contract.errors import MutasiError
from pipelines.settings import Settings
from serving.app import create_app
from serving.auth import Role, create_key
from serving.demo import demo_position
from serving.loading import build_state
from serving.state import LoadedState
from tests.fixtures.world import World

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


# The employee a pegawai key is bound to (tests/serving/consultation picks one of the world).
PEGAWAI_NIP = "198501152010012001"


def nip_of(role: Role, nip: str = PEGAWAI_NIP) -> str | None:
    return nip if role is Role.PEGAWAI else None


@pytest.fixture
def bare_keys(bare_app: FastAPI) -> dict[Role, str]:
    engine = bare_app.state.engine
    return {
        role: create_key(engine, role=role, label=f"test-{role}", nip=nip_of(role)) for role in Role
    }


# --- The real small world (tests/conftest.py `world`), loaded and served ---


@pytest.fixture(scope="session")
def world_state(world: World) -> LoadedState:
    return build_state(world.settings)


@pytest.fixture(scope="session")
def world_app(world: World, world_state: LoadedState) -> FastAPI:
    return create_app(world.settings, initial_state=world_state)


@pytest.fixture
def served_state(world_app: FastAPI, world_state: LoadedState) -> LoadedState:
    """The state the app scores with now: the loaded one with every consultation answer saved
    so far (by any test of the session) in force (serving/consultation/in_force.py)."""
    return world_app.state.answered_states.state_for(world_state, world_app.state.engine)


@pytest.fixture(scope="session")
def client(world_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(world_app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def keys(world_app: FastAPI) -> dict[Role, str]:
    engine = world_app.state.engine
    return {
        role: create_key(engine, role=role, label=f"world-{role}", nip=nip_of(role))
        for role in Role
    }


@pytest.fixture(scope="session")
def headers(keys: dict[Role, str]) -> dict[Role, dict[str, str]]:
    return {role: {"X-API-Key": key} for role, key in keys.items()}


@pytest.fixture(scope="session")
def vacant_position(world_state: LoadedState) -> str:
    return demo_position(world_state)
