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
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from pipelines.settings import Settings, get_settings
from serving.audit import AuditTrail
from serving.consultation.in_force import AnsweredStates
from serving.db import make_engine
from serving.decisions import DecisionLog
from serving.errors import install_error_handlers
from serving.guard import OverloadGuard, RequestGuard
from serving.loading import Loader, build_state, settle_memory, try_load
from serving.middleware import AccessLogMiddleware, AuditMiddleware
from serving.pages import install_pages
from serving.reloads import follow_reloads, latest_generation
from serving.routers import ROUTERS
from serving.signin_limits import FailedSignIns
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
    docs = settings.api_docs is not False  # `mutasi serve` turns None off on a network address
    app = FastAPI(
        title="Mutasi API",
        version="1",
        description="Daftar pendek, risiko mutasi dan operasi model / "
        "Shortlists, transfer risk and model operations for mutasi ASN.",
        lifespan=lifecycle.lifespan,
        docs_url=None,  # /docs and /redoc from local files: serving/pages/docs.py
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        swagger_ui_parameters={"validatorUrl": None},  # no call to the public validator
    )
    app.state.settings, app.state.engine, app.state.holder = settings, engine, holder
    app.state.loader = loader
    app.state.audit = AuditTrail(engine)
    app.state.decisions = DecisionLog(engine)
    app.state.answered_states = AnsweredStates()  # the state with the answers in force
    routers = [_router(module) for module in ROUTERS]
    for router in routers:
        app.include_router(router)
    routers += install_pages(app, docs=docs)
    install_error_handlers(app)
    # API routes and console pages alike: the guard opens their audit record before anything.
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    _add_middleware(app, settings, routes)
    return app


def _add_middleware(app: FastAPI, settings: Settings, routes: list[APIRoute]) -> None:
    """Outermost last: access log, audit write, route/audit/key guard, overload, body limit."""
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes)
    app.add_middleware(
        OverloadGuard,
        max_concurrent=settings.max_concurrent_requests,
        max_queued=settings.max_queued_requests,
        queue_timeout=settings.queue_timeout_seconds,
    )
    failed = FailedSignIns(
        max_failures=settings.signin_max_failures, window_seconds=settings.signin_window_seconds
    )
    app.state.failed_sign_ins = failed
    app.add_middleware(RequestGuard, routes=routes, engine=app.state.engine, failed_sign_ins=failed)
    app.add_middleware(AuditMiddleware, trail=app.state.audit)
    app.add_middleware(AccessLogMiddleware)
