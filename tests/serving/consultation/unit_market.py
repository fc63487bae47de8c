"""A consultation round in which several employees chose the same post of one unit, and a
unit head's key scoped to that unit (for the unit-ranking API and page tests)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.auth import Role, create_key
from serving.consultation.service import eligible_positions
from serving.state import LoadedState
from tests.serving.consultation.conftest import open_round

NOTE = "Catatan pribadi yang tidak boleh dilihat unit"


def _unit_post(state: LoadedState, offered: list[str]) -> tuple[str, str, list[str]]:
    """A unit, one of its offered posts, and four people eligible for it."""
    people = [str(n) for n in state.lookups.employees.index[:600]]
    for post in offered:
        eligible = [n for n in people if eligible_positions(state, n, [post])]
        if len(eligible) >= 4:
            return str(state.lookups.positions.at[post, "unit_id"]), post, eligible[:4]
    raise AssertionError("no offered post of the small world has four eligible people")


def unit_market(
    client: TestClient,
    app: FastAPI,
    state: LoadedState,
    headers: dict[Role, dict[str, str]],
    *,
    prefix: str,
) -> dict[str, Any]:
    """An open round in which four employees put the same post first (and another eligible
    post second where they have one), each with a private note; and the unit head's key."""
    consultation = open_round(client, headers)
    unit_id, post, people = _unit_post(state, consultation["positions"])
    for i, nip in enumerate(people):
        raw = create_key(app.state.engine, role=Role.PEGAWAI, label=f"{prefix}-p{i}", nip=nip)
        others = eligible_positions(state, nip, consultation["positions"])
        ranked = [post, *[p for p in others if p != post][:1]]
        body = {"consent": True, "positions": ranked, "wishes": [], "note": NOTE}
        response = client.put(
            f"/v1/me/consultations/{consultation['id']}", json=body, headers={"X-API-Key": raw}
        )
        assert response.status_code == 200, response.text
    head = create_key(app.state.engine, role=Role.HR, label=f"{prefix}-kepala", unit=unit_id)
    return {
        "round_id": consultation["id"],
        "unit_id": unit_id,
        "post": post,
        "people": people,
        "head_key": head,
        "head": {"X-API-Key": head},
    }
