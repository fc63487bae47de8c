"""Consultation fixtures: an employee of the small world eligible for several open slots, with
a pegawai key bound to their NIP, and HR opening a round over the open slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role, create_key
from serving.consultation.service import eligible_positions, open_slot_positions
from serving.state import LoadedState


def _employee_with_offers(state: LoadedState, offered: list[str], *, need: int) -> str:
    for nip in state.lookups.employees.index[:400]:
        if len(eligible_positions(state, str(nip), offered)) >= need:
            return str(nip)
    raise AssertionError("no employee of the small world is eligible for enough open slots")


@pytest.fixture(scope="session")
def employee(world_state: LoadedState) -> str:
    return _employee_with_offers(world_state, open_slot_positions(world_state), need=4)


@pytest.fixture(scope="session")
def pegawai(world_app: FastAPI, employee: str) -> dict[str, str]:
    key = create_key(world_app.state.engine, role=Role.PEGAWAI, label="pegawai-a", nip=employee)
    return {"X-API-Key": key}


def open_round(client: TestClient, headers: dict[Role, dict[str, str]]) -> dict[str, Any]:
    start = datetime.now(UTC) - timedelta(minutes=1)
    body = {
        "window_from": start.isoformat(),
        "window_until": (start + timedelta(days=14)).isoformat(),
        "invitation": "Sampaikan jabatan yang Anda minati",
    }
    response = client.post("/v1/consultations", json=body, headers=headers[Role.HR])
    assert response.status_code == 201, response.text
    return response.json()
