"""Pure ASGI middleware that acts before a byte of the request body is read.

`RequestGuard` finds the route, opens the audit record of a personal-data route (so a request
refused later, for a body that is not UTF-8, malformed JSON or a missing key, still leaves its
record: status, route template, key label, never the body), and checks the API key of every
route that needs one: a missing or wrong key gets its 401 before the body is read, and a client
address with too many failed keys in a row gets 429 with Retry-After.
`OverloadGuard` bounds the work a process takes on: at most `max_concurrent` API requests at
once and `max_queued` waiting; beyond that, or after waiting `queue_timeout`, 503 with
Retry-After, so an overloaded server says so at once instead of queueing without limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from serving.audit import AuditRecord, audited
from serving.auth import (
    OWN_RECORD_ONLY,
    UNAUTHORIZED_MISSING,
    UNAUTHORIZED_WRONG,
    Role,
    authenticate,
    own_record_only,
    verify_key,
)
from serving.errors import ForbiddenError, error_body
from serving.middleware import send_json
from serving.signin_limits import FailedSignIns

_TOO_MANY_FAILURES = error_body(
    "too_many_failed_sign_ins",
    "Terlalu banyak kunci salah dari alamat ini; coba lagi nanti / "
    "Too many wrong keys from this address; try again later",
)
_OVERLOADED = error_body(
    "overloaded",
    "Server sedang penuh; coba lagi sebentar lagi / Server is busy; try again shortly",
)


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


class RequestGuard:
    """Route, audit record and key check, all before the body; see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[APIRoute],
        engine: Engine,
        failed_sign_ins: FailedSignIns,
    ) -> None:
        self.app = app
        self.engine = engine
        self.failed_sign_ins = failed_sign_ins
        # (route, audited, needs a key), read from each route's dependencies once; and the
        # routes a pegawai key may call.
        self._routes = [
            (route, audited in calls, authenticate in calls)
            for route in routes
            for calls in [_calls(route.dependant)]
        ]
        self._own_record_routes = {
            id(route) for route in routes if own_record_only in _calls(route.dependant)
        }

    def _route(self, scope: Scope) -> tuple[APIRoute, bool, bool] | None:
        for route, is_audited, needs_key in self._routes:
            if route.matches(scope)[0] == Match.FULL:
                return route, is_audited, needs_key
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._route(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        route, is_audited, needs_key = found
        scope["route"] = route  # the access log names the template even for refused requests
        state = scope.setdefault("state", {})
        if is_audited:
            state["audit"] = AuditRecord(method=scope["method"], route=route.path)
        if needs_key and not await self._authenticated(scope, send, state):
            return
        key = state.get("api_key")
        if needs_key and key.role is Role.PEGAWAI and id(route) not in self._own_record_routes:
            # A pegawai key outside its own routes: 403, audited even where the route keeps
            # no record (a refused look at another record is itself worth recording).
            record = state.get("audit")
            if not isinstance(record, AuditRecord):
                record = state["audit"] = AuditRecord(method=scope["method"], route=route.path)
            record.key_label, record.role = key.label, key.role.value
            await send_json(send, 403, error_body(ForbiddenError.code, OWN_RECORD_ONLY))
            return
        await self.app(scope, receive, send)

    async def _authenticated(self, scope: Scope, send: Send, state: dict[str, Any]) -> bool:
        address = scope["client"][0] if scope.get("client") else "unknown"
        wait = self.failed_sign_ins.retry_after(address)
        if wait is not None:
            await send_json(send, 429, _TOO_MANY_FAILURES, {"Retry-After": str(wait)})
            return False
        raw_key = Headers(scope=scope).get("x-api-key")
        if not raw_key:
            await send_json(send, 401, UNAUTHORIZED_MISSING, {"WWW-Authenticate": "ApiKey"})
            return False
        key = await anyio.to_thread.run_sync(verify_key, self.engine, raw_key)
        if key is None:
            self.failed_sign_ins.record_failure(address)
            await send_json(send, 401, UNAUTHORIZED_WRONG, {"WWW-Authenticate": "ApiKey"})
            return False
        state["api_key"] = key
        record = state.get("audit")
        if isinstance(record, AuditRecord):
            record.key_label, record.role = key.label, key.role.value
        return True


class OverloadGuard:
    """Bounded concurrency and queue for API routes (`/v1/...`); health probes always pass."""

    def __init__(
        self, app: ASGIApp, *, max_concurrent: int, max_queued: int, queue_timeout: float
    ) -> None:
        self.app = app
        self.max_concurrent = max_concurrent
        self.max_queued = max_queued
        self.queue_timeout = queue_timeout
        self.active = 0
        self.waiting = 0
        self._free: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if self._free is None:  # created inside the event loop that uses it
            self._free = anyio.Semaphore(self.max_concurrent)
        if self.active >= self.max_concurrent and self.waiting >= self.max_queued:
            await self._refuse(send)
            return
        if not await self._acquire(self._free):
            await self._refuse(send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
            self._free.release()

    async def _acquire(self, free: anyio.Semaphore) -> bool:
        """A free slot at once, else a place in the queue for at most `queue_timeout`."""
        try:
            free.acquire_nowait()  # no await: counts stay exact between requests
            return True
        except anyio.WouldBlock:
            pass
        acquired = False
        self.waiting += 1
        try:
            with anyio.move_on_after(self.queue_timeout):
                await free.acquire()
                acquired = True
        finally:
            self.waiting -= 1
        return acquired

    async def _refuse(self, send: Send) -> None:
        retry = max(1, round(self.queue_timeout))
        await send_json(send, 503, _OVERLOADED, {"Retry-After": str(retry)})
