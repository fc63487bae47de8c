"""`mutasi demo-serve`: load once, create an admin key, and print a curl line that works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from pipelines.settings import Settings
from serving.auth import Role, create_key
from serving.db import make_engine
from serving.loading import build_state
from serving.ranking import ShortlistQuery, shortlist
from serving.state import LoadedState


@dataclass(frozen=True)
class DemoPlan:
    state: LoadedState
    key: str
    position_id: str
    lines: list[str]


def vacant_positions(state: LoadedState) -> list[str]:
    """Positions with fewer people than required, most short first (then all others)."""
    positions = state.lookups.positions
    headcount = state.lookups.employees["position_id"].value_counts()
    shortage = positions["required_headcount"] - headcount.reindex(positions.index).fillna(0)
    order = np.argsort(-shortage.to_numpy(float), kind="stable")
    return [str(p) for p in positions.index.to_numpy()[order]]


def demo_position(state: LoadedState, *, tries: int = 20) -> str:
    """A vacant position whose shortlist is not empty."""
    candidates = vacant_positions(state)
    for position_id in candidates[:tries]:
        if len(shortlist(state, ShortlistQuery(position_id=position_id, k=5)).candidates):
            return position_id
    return candidates[0]


def prepare_demo(settings: Settings, *, host: str, port: int) -> DemoPlan:
    state = build_state(settings)
    label = f"demo-admin-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    key = create_key(make_engine(settings.db_url), role=Role.ADMIN, label=label)
    position_id = demo_position(state)
    url = f"http://{host}:{port}/v1/positions/{position_id}/shortlist?k=5"
    lines = [
        f"Model {state.model_version} pada snapshot / on snapshot {state.snapshot_id}",
        f"Kunci admin (sekali tampil) / Admin key (shown once): {key}",
        "Coba / Try:",
        f'  curl -s -H "X-API-Key: {key}" "{url}"',
        f"Konsol / Console: http://{host}:{port}/masuk (masuk dengan kunci di atas / "
        "sign in with the key above)",
        f"API: http://{host}:{port}/v1 · Dokumentasi / Docs: http://{host}:{port}/docs",
    ]
    return DemoPlan(state=state, key=key, position_id=position_id, lines=lines)
