"""The app factory: `create_app(settings)` wires database, state, routers, middleware, errors.

The lifespan loads the @champion bundle and the current snapshot once (in a worker thread).
If that fails the service still starts: scoring routes answer 503 with the reason, /readyz says
why, and a background task retries every `retry_seconds` until a load succeeds. With several
worker processes, a reload done by one is followed by the others (serving/reloads.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from pipelines.settings import Settings, get_settings
from serving.audit import AuditTrail
from serving.db import make_engine
from serving.errors import install_error_handlers
from serving.loading import Loader, build_state, settle_memory, try_load
from serving.middleware import AccessLogMiddleware, AuditMiddleware
from serving.pages import install_pages
from serving.reloads import follow_reloads, latest_generation
from serving.routers import ROUTERS
from serving.state import LoadedState, StateHolder

logger = logging.getLogger(__name__)


async def _retry_until_loaded(
    holder: StateHolder, settings: Settings, loader: Loader, *, every: float
) -> None:
    while holder.state is None:
        await asyncio.sleep(every)
        if holder.state is None:
            await anyio.to_thread.run_sync(try_load, holder, settings, loader)


def _router(module: str) -> APIRouter:
    router = importlib.import_module(f"serving.routers.{module}").router
    assert isinstance(router, APIRouter)
    return router


@dataclass(frozen=True)
class Lifecycle:
    """What the lifespan needs: where to load from, how, and how often to retry or follow."""

    settings: Settings
    loader: Loader
    holder: StateHolder
    engine: Engine
    initial_state: LoadedState | None
    retry_seconds: float
    reload_poll_seconds: float

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        holder, settings, loader = self.holder, self.settings, self.loader
        holder.generation = await anyio.to_thread.run_sync(latest_generation, self.engine)
        if self.initial_state is not None:
            holder.swap(self.initial_state)
            settle_memory()
        else:
            await anyio.to_thread.run_sync(try_load, holder, settings, loader)
        tasks = [
            asyncio.create_task(
                _retry_until_loaded(holder, settings, loader, every=self.retry_seconds)
            ),
            asyncio.create_task(
                follow_reloads(
                    holder, settings, loader, self.engine, every=self.reload_poll_seconds
                )
            ),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.engine.dispose()


def create_app(
    settings: Settings | None = None,
    *,
    loader: Loader = build_state,
    retry_seconds: float = 30.0,
    reload_poll_seconds: float = 2.0,
    initial_state: LoadedState | None = None,
) -> FastAPI:
    """Build the API. `initial_state` skips the first load (the demo has one already)."""
    settings = settings or get_settings()
    engine = make_engine(settings.db_url)
    holder = StateHolder()
    lifecycle = Lifecycle(
        settings, loader, holder, engine, initial_state, retry_seconds, reload_poll_seconds
    )
    # The Swagger UI and ReDoc files fastapi-offline ships; /docs, /redoc: serving/pages/docs.py
    app = FastAPIOffline(
        docs_url=None,
        redoc_url=None,
        title="Mutasi API",
        version="1",
        description="Daftar pendek, risiko mutasi dan operasi model / "
        "Shortlists, transfer risk and model operations for mutasi ASN.",
        lifespan=lifecycle.lifespan,
        swagger_ui_parameters={"validatorUrl": None},  # no call to the public validator
    )
    app.state.settings, app.state.engine, app.state.holder = settings, engine, holder
    app.state.loader = loader
    app.state.audit = AuditTrail(engine)
    for module in ROUTERS:
        app.include_router(_router(module))
    install_pages(app)
    install_error_handlers(app)
    app.add_middleware(AuditMiddleware, trail=app.state.audit)
    app.add_middleware(AccessLogMiddleware)
    return app
