"""The console's session: a signed, expiring, HttpOnly, SameSite=Strict cookie, and CSRF.

Signing in with an API key (serving/auth.py `verify_key`, the API's own check) stores only the
key's id, label and role in the cookie, signed with itsdangerous and a secret kept under the data
home (`console.secret`, created once, mode 0600, shared by every worker). Each request looks the
key up again by id, so a revoked key ends its sessions at once. Every form carries the session's
CSRF token; before sign-in, /masuk keeps one in an anonymous session cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from serving.audit import AuditRecord, current_audit
from serving.auth import AGENCY_WIDE_ONLY, UNIT_SCOPED_ONLY, ApiKey, Role, key_of_row
from serving.db import api_keys
from serving.errors import ForbiddenError
from serving.secret_files import home_secret

COOKIE = "mutasi_sesi"
SESSION_SECONDS = 8 * 3600
_SALT = "mutasi-console-session"
_SHOWN_SALT = "mutasi-console-shown"


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the handler sends the browser to /masuk."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("sign-in required")
        self.expired = expired


class PageForbidden(Exception):  # noqa: N818
    """The signed-in role may not see this page: answered 403 with an Indonesian page."""

    def __init__(self, role: Role, allowed: frozenset[Role]) -> None:
        super().__init__("forbidden")
        self.role, self.allowed = role, allowed


class CsrfFailed(Exception):  # noqa: N818
    """A form came back without the session's CSRF token."""


@dataclass(frozen=True)
class Session:
    key: ApiKey | None  # None: anonymous (only a CSRF token, before sign-in)
    csrf: str


def _secret(home: Path) -> str:
    """The signing secret under the data home, created once (first writer wins)."""
    return home_secret(home, "console.secret", lambda: secrets.token_urlsafe(48))


def _serializer(request: Request) -> URLSafeTimedSerializer:
    serializer = getattr(request.app.state, "session_serializer", None)
    if serializer is None:
        secret = _secret(request.app.state.settings.home)
        serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        request.app.state.session_serializer = serializer
    return serializer


def shown_serializer(request: Request) -> URLSafeTimedSerializer:
    """Signs what a page showed (a recommendation) so that its form can post it back intact."""
    serializer = getattr(request.app.state, "shown_serializer", None)
    if serializer is None:
        secret = _secret(request.app.state.settings.home)
        serializer = URLSafeTimedSerializer(secret, salt=_SHOWN_SALT)
        request.app.state.shown_serializer = serializer
    return serializer


def session_seconds(request: Request) -> int:
    return int(getattr(request.app.state, "session_seconds", SESSION_SECONDS))


def _key_by_id(request: Request, key_id: str) -> ApiKey | None:
    query = select(api_keys).where(api_keys.c.key_id == key_id)
    with request.app.state.engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or row.revoked_at is not None:
        return None
    return key_of_row(row)


def read_session(request: Request) -> Session | None:
    """The request's session, None when there is none; SignInRequired(expired) when too old."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=session_seconds(request))
    except SignatureExpired:
        raise SignInRequired(expired=True) from None
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    key_id = data.get("key_id")
    key = _key_by_id(request, key_id) if isinstance(key_id, str) else None
    if isinstance(key_id, str) and key is None:
        return None  # the key was revoked since sign-in
    return Session(key=key, csrf=data["csrf"])


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def write_session(
    request: Request, response: Response, *, key: ApiKey | None, csrf: str | None = None
) -> None:
    """Set a fresh session cookie (a new CSRF token unless one is given)."""
    csrf = csrf or new_csrf()
    payload = {"csrf": csrf, "key_id": None if key is None else key.key_id}
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(payload),
        max_age=session_seconds(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def check_csrf(session: Session | None, submitted: str | None) -> None:
    if session is None or not submitted or not hmac.compare_digest(session.csrf, submitted):
        raise CsrfFailed


# The only pages a pegawai session may open (its own consultation); every other page is 403.
PEGAWAI_PAGES: frozenset[str] = frozenset({"/konsultasi", "/konsultasi/unduh"})
_STAFF = frozenset({Role.HR, Role.PLANNER, Role.DATA, Role.ADMIN})


def signed_in(request: Request) -> Session:
    """Dependency: the signed-in session (its key is set), else a redirect to /masuk.
    A pegawai session outside PEGAWAI_PAGES is refused (403), with an audit record."""
    session = read_session(request)
    if session is None or session.key is None:
        raise SignInRequired
    record = current_audit(request)
    path = getattr(request.scope.get("route"), "path", request.url.path)
    if record is None and session.key.role is Role.PEGAWAI and path not in PEGAWAI_PAGES:
        record = request.state.audit = AuditRecord(method=request.method, route=path)
    if record is not None:
        record.key_label, record.role = session.key.label, session.key.role.value
    request.state.console_session = session
    if session.key.role is Role.PEGAWAI and path not in PEGAWAI_PAGES:
        raise PageForbidden(session.key.role, _STAFF)
    return session


def own_record_page(session: Annotated[Session, Depends(signed_in)]) -> Session:
    """A signed-in pegawai session (bound to a NIP); any other role: 403."""
    assert session.key is not None
    if session.key.role is not Role.PEGAWAI or not session.key.nip:
        raise PageForbidden(session.key.role, frozenset({Role.PEGAWAI}))
    return session


def page_role(*roles: Role, unit_scoped: bool = False) -> object:
    """A dependency admitting a signed-in session whose role is one of `roles` (or admin); a
    unit-scoped session only where `unit_scoped` admits it (see `serving.auth.require_role`)."""
    allowed = frozenset(roles) | {Role.ADMIN}

    def check(session: Annotated[Session, Depends(signed_in)]) -> Session:
        assert session.key is not None
        if session.key.unit_id is not None and not unit_scoped:
            raise ForbiddenError(UNIT_SCOPED_ONLY)
        if session.key.role not in allowed:
            raise PageForbidden(session.key.role, allowed)
        return session

    return Depends(check)


def agency_hr_page(session: Annotated[Session, page_role(Role.HR)]) -> Session:
    """An hr (or admin) session not scoped to one unit: the round-wide consultation pages."""
    assert session.key is not None
    if session.key.unit_id is not None:
        raise ForbiddenError(AGENCY_WIDE_ONLY)
    return session


SessionDep = Annotated[Session, Depends(signed_in)]
HrPage = Annotated[Session, page_role(Role.HR)]
UnitHrPage = Annotated[Session, page_role(Role.HR, unit_scoped=True)]  # a unit head's too
PlannerPage = Annotated[Session, page_role(Role.PLANNER)]
DataPage = Annotated[Session, page_role(Role.DATA)]
EmployeePage = Annotated[Session, page_role(Role.HR, Role.PLANNER)]
PegawaiPage = Annotated[Session, Depends(own_record_page)]
AgencyHrPage = Annotated[Session, Depends(agency_hr_page)]
