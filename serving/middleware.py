"""Pure ASGI middleware: the audit write before the response, and a personal-data-free access log.

The access log names the route template (`/v1/employees/{nip}`), never the concrete path: a NIP
encodes a birth date and gender, so it stays out of logs (uvicorn's own access log is off).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.audit import AuditRecord, AuditTrail
from serving.errors import error_body

logger = logging.getLogger("mutasi.access")

_AUDIT_FAILED = error_body(
    "audit_unavailable",
    "Jejak audit tidak dapat ditulis; data tidak dikirim / "
    "The audit trail could not be written; no data was sent",
)


def _audit_record(scope: Scope) -> AuditRecord | None:
    record = scope.get("state", {}).get("audit")
    return record if isinstance(record, AuditRecord) else None


class AuditMiddleware:
    """Commits a request's audit record as its response starts; no record, no response."""

    def __init__(self, app: ASGIApp, *, trail: AuditTrail) -> None:
        self.app = app
        self.trail = trail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        blocked = False
        started = False

        async def send_after_audit(message: Message) -> None:
            nonlocal blocked, started
            if message["type"] == "http.response.start":
                started = True
                record = _audit_record(scope)
                if record is not None and not await self._write(record, message["status"]):
                    blocked = True
                    await send_json(send, 503, _AUDIT_FAILED)
                    return
            if not blocked:
                await send(message)

        try:
            await self.app(scope, receive, send_after_audit)
        except Exception:
            record = _audit_record(scope)
            if record is not None and not started:
                await self._write(record, 500)
            raise

    async def _write(self, record: AuditRecord, status: int) -> bool:
        try:
            await anyio.to_thread.run_sync(lambda: self.trail.write(record, status=status))
        except Exception as exc:  # reported as a 503 instead of the data: nothing carries on
            logger.error("audit write failed: %s", type(exc).__name__)
            return False
        return True


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Answer with a small JSON body straight from middleware (outside the exception handlers)."""
    payload = json.dumps(body).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class AccessLogMiddleware:
    """One log line per request: method, route template, status and milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_logging(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_logging)
        finally:
            route = getattr(scope.get("route"), "path", "<unrouted>")
            elapsed = (time.perf_counter() - start) * 1000
            logger.info("%s %s %d %.1fms", scope["method"], route, status, elapsed)
