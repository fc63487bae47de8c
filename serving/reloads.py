"""Reloads across worker processes: a successful POST /v1/admin/reload records a generation.

Every process polls the latest generation (one indexed query every few seconds) and, when it
is newer than the one it serves, loads the newest champion and snapshot itself, with the same
smoke test; a failing load keeps its current state.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import anyio
from sqlalchemy import Engine, func, insert, select

from pipelines.settings import Settings
from serving.db import reloads
from serving.loading import Loader, try_load
from serving.state import StateHolder


def latest_generation(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.max(reloads.c.generation))).scalar() or 0)


def record_reload(engine: Engine, *, model_version: str, snapshot_id: str) -> int:
    """Announce a successful reload to the other workers; return its generation."""
    row = {"at": datetime.now(UTC), "model_version": model_version, "snapshot_id": snapshot_id}
    with engine.begin() as connection:
        key = connection.execute(insert(reloads), [row]).inserted_primary_key
    return int(key[0]) if key else latest_generation(engine)


async def follow_reloads(
    holder: StateHolder, settings: Settings, loader: Loader, engine: Engine, *, every: float
) -> None:
    while True:
        await asyncio.sleep(every)
        generation = await anyio.to_thread.run_sync(latest_generation, engine)
        if generation > holder.generation:
            holder.generation = generation  # one attempt per announced reload
            await anyio.to_thread.run_sync(try_load, holder, settings, loader)
