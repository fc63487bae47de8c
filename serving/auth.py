"""API keys with roles; only a salted hash of each key is stored.

A key looks like `mts_<key id>_<secret>`: the key id finds the row, the secret is checked
against `sha256(salt + secret)` in constant time. Roles: `hr` (shortlists, employees),
`planner` (risk, plans, staffing), `data` (models, reload), `admin` (everything, key management),
`pegawai` (one employee, bound to a NIP: only the routes that depend on `own_record_only`).
An hr key may carry a unit scope (`unit_id`, a unit head's key): in the consultation it sees and
ranks only the candidates for its own unit's posts (`check_unit_scope`) and is refused the
round-wide routes (`agency_wide_only`).

Routes declare who may call them with `require_role(...)` (an Annotated-ready dependency):

    PlannerKey = Annotated[ApiKey, require_role(Role.PLANNER)]
    @router.post("/plans")
    def create_plan(key: PlannerKey, ...): ...

or `dependencies=[require_role(Role.PLANNER)]` on a router. Missing or wrong key: 401; wrong
role: 403; admin passes every role check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from serving.audit import current_audit
from serving.db import api_keys
from serving.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthorizedError,
    error_body,
)

KEY_PREFIX = "mts_"
_KEY_ID_HEX = 12
_MISSING_KEY = "Kunci API tidak ada (header X-API-Key) / Missing API key (X-API-Key header)"
_WRONG_KEY = "Kunci API salah atau dicabut / API key is wrong or revoked"
UNAUTHORIZED_MISSING = error_body(UnauthorizedError.code, _MISSING_KEY)
UNAUTHORIZED_WRONG = error_body(UnauthorizedError.code, _WRONG_KEY)


class Role(StrEnum):
    HR = "hr"
    PLANNER = "planner"
    DATA = "data"
    ADMIN = "admin"
    PEGAWAI = "pegawai"  # an employee, bound to one NIP: only their own consultation


@dataclass(frozen=True)
class ApiKey:
    """The authenticated caller: never the secret, only who and what role."""

    key_id: str
    label: str
    role: Role
    nip: str | None = None  # set for (and only for) role pegawai
    unit_id: str | None = None  # an hr key scoped to one unit (a unit head)


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    label: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    unit_id: str | None = None


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256((salt + secret).encode("utf-8")).hexdigest()


def _split(raw_key: str) -> tuple[str, str] | None:
    if not raw_key.startswith(KEY_PREFIX):
        return None
    body = raw_key[len(KEY_PREFIX) :]
    key_id, sep, secret = body[:_KEY_ID_HEX], body[_KEY_ID_HEX : _KEY_ID_HEX + 1], body[13:]
    if sep != "_" or not secret:
        return None
    return key_id, secret


def _bound_nip(role: Role, nip: str | None) -> str | None:
    """A pegawai key names exactly one NIP (18 digits); no other role names any."""
    nip = None if nip is None else nip.replace(" ", "").strip()
    if role is Role.PEGAWAI and not (nip and nip.isdigit() and len(nip) == 18):
        raise InvalidInputError(
            "Kunci pegawai perlu --nip berisi 18 angka / A pegawai key needs --nip of 18 digits"
        )
    if role is not Role.PEGAWAI and nip:
        raise InvalidInputError(
            "Hanya kunci pegawai yang terikat NIP / Only a pegawai key is bound to a NIP"
        )
    return nip


def _scoped_unit(role: Role, unit: str | None) -> str | None:
    """Only an hr key may be scoped to a unit (one unit id, no spaces, at most 200 characters)."""
    unit = None if unit is None else unit.strip()
    if not unit:
        return None
    if role is not Role.HR:
        raise InvalidInputError(
            "Hanya kunci hr yang dapat dibatasi ke satu unit / "
            "Only an hr key can be scoped to a unit"
        )
    if len(unit) > 200 or any(c.isspace() for c in unit):
        raise InvalidInputError(
            "--unit harus satu unit_id tanpa spasi / --unit must be one unit_id without spaces"
        )
    return unit


def create_key(
    engine: Engine,
    *,
    role: Role | str,
    label: str,
    nip: str | None = None,
    unit: str | None = None,
) -> str:
    """Store a new key (salted hash only) and return the key itself: shown once, never again.
    A `pegawai` key is bound to one employee's `nip`; an `hr` key may be scoped to one `unit`."""
    label = label.strip()
    if not label:
        raise InvalidInputError("Nama kunci wajib diisi / A key label is required")
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInputError(
            f"Peran tidak dikenal: {role}; pilih {allowed} / Unknown role: {role}; pick {allowed}"
        ) from None
    nip = _bound_nip(role, nip)
    unit = _scoped_unit(role, unit)
    key_id, secret, salt = (
        secrets.token_hex(_KEY_ID_HEX // 2),
        secrets.token_urlsafe(32),
        secrets.token_hex(16),
    )
    row = {
        "key_id": key_id,
        "label": label,
        "role": role.value,
        "salt": salt,
        "key_hash": _hash(salt, secret),
        "created_at": datetime.now(UTC),
        "revoked_at": None,
        "nip": nip,
        "unit_id": unit,
    }
    try:
        with engine.begin() as connection:
            connection.execute(insert(api_keys), [row])
    except IntegrityError:
        raise InvalidInputError(
            f"Nama kunci sudah dipakai: {label} / Key label already in use: {label}"
        ) from None
    return f"{KEY_PREFIX}{key_id}_{secret}"


def revoke_key(engine: Engine, *, label: str) -> None:
    """Revoke the key with this label; it fails authentication from the next request on."""
    statement = (
        update(api_keys)
        .where(api_keys.c.label == label, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    with engine.begin() as connection:
        if connection.execute(statement).rowcount == 0:
            raise NotFoundError(
                f"Kunci aktif tidak ditemukan: {label} / No active key with label: {label}"
            )


def list_keys(engine: Engine) -> list[KeyInfo]:
    query = select(api_keys).order_by(api_keys.c.created_at)
    with engine.connect() as connection:
        return [
            KeyInfo(r.key_id, r.label, Role(r.role), r.created_at, r.revoked_at, r.unit_id)
            for r in connection.execute(query)
        ]


def verify_key(engine: Engine, raw_key: str) -> ApiKey | None:
    """The caller behind a raw key, or None when the key is unknown, wrong or revoked."""
    parts = _split(raw_key)
    if parts is None:
        return None
    key_id, secret = parts
    query = select(api_keys).where(api_keys.c.key_id == key_id)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, _hash(row.salt, secret)):
        return None
    return key_of_row(row)


def key_of_row(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row.key_id, label=row.label, role=Role(row.role), nip=row.nip, unit_id=row.unit_id
    )


_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Kunci API dari `mutasi keys create` / API key from `mutasi keys create`",
)


def authenticate(
    request: Request, raw_key: Annotated[str | None, Security(_api_key_header)]
) -> ApiKey:
    """Dependency: the caller's key, or 401.

    Behind `serving.guard.RequestGuard` the key was checked before the body was read and is
    taken from the request state; an app without the guard checks it here.
    """
    checked = getattr(request.state, "api_key", None)
    if isinstance(checked, ApiKey):
        return checked
    if not raw_key:
        raise UnauthorizedError(_MISSING_KEY)
    key = verify_key(request.app.state.engine, raw_key)
    if key is None:
        raise UnauthorizedError(_WRONG_KEY)
    record = current_audit(request)
    if record is not None:
        record.key_label, record.role = key.label, key.role.value
    return key


ApiKeyDep = Annotated[ApiKey, Depends(authenticate)]


def require_role(*roles: Role | str, unit_scoped: bool = False) -> Any:
    """A dependency admitting callers with one of `roles` (admin always passes), else 403.

    A unit-scoped hr key (a unit head's) passes only where `unit_scoped` admits it: the
    consultation's unit routes. Everywhere else it would see other units' people (shortlists
    show who asked for a post), so it is refused like a wrong role."""
    allowed = frozenset(Role(r) for r in roles) | {Role.ADMIN}

    def check_role(key: ApiKeyDep) -> ApiKey:
        if key.unit_id is not None and not unit_scoped:
            raise ForbiddenError(UNIT_SCOPED_ONLY)
        if key.role not in allowed:
            needed = ", ".join(sorted(r.value for r in allowed))
            raise ForbiddenError(
                f"Peran '{key.role.value}' tidak berhak; perlu salah satu dari: {needed} / "
                f"Role '{key.role.value}' is not allowed; needs one of: {needed}"
            )
        return key

    return Depends(check_role)


def own_record_only(key: ApiKeyDep) -> ApiKey:
    """Dependency of the routes a `pegawai` key may call (and only such a key): its own record.

    `serving.guard.RequestGuard` refuses a pegawai key (403, audited) on every route without
    this dependency, API and console alike, before the route runs."""
    if key.role is not Role.PEGAWAI or not key.nip:
        raise ForbiddenError(PEGAWAI_ONLY)
    return key


def check_unit_scope(key: ApiKey, unit_id: str) -> None:
    """403 when a unit-scoped key asks about another unit (the audit record keeps the refusal)."""
    if key.unit_id is not None and key.unit_id != unit_id:
        raise ForbiddenError(
            f"Kunci ini hanya untuk unit {key.unit_id} / This key is only for unit {key.unit_id}"
        )


def agency_wide_only(key: ApiKeyDep) -> ApiKey:
    """Dependency of routes over a whole round (all respondents, notes, opening, closing):
    a unit-scoped key is refused (403)."""
    if key.unit_id is not None:
        raise ForbiddenError(AGENCY_WIDE_ONLY)
    return key


UNIT_SCOPED_ONLY = (
    "Kunci unit hanya untuk peringkat unit dalam konsultasi / "
    "A unit-scoped key is only for its unit's consultation rankings"
)
AGENCY_WIDE_ONLY = (
    "Kunci unit hanya melihat kandidat unitnya sendiri / "
    "A unit-scoped key sees only its own unit's candidates"
)
PEGAWAI_ONLY = (
    "Hanya untuk kunci pegawai (terikat satu NIP) / Only for a pegawai key (bound to one NIP)"
)
OWN_RECORD_ONLY = (
    "Kunci pegawai hanya boleh membuka konsultasinya sendiri / "
    "A pegawai key may open only its own consultation"
)

HrKey = Annotated[ApiKey, require_role(Role.HR)]
UnitHrKey = Annotated[ApiKey, require_role(Role.HR, unit_scoped=True)]  # a unit head's too
PegawaiKey = Annotated[ApiKey, Depends(own_record_only)]
PlannerKey = Annotated[ApiKey, require_role(Role.PLANNER)]
DataKey = Annotated[ApiKey, require_role(Role.DATA)]
AdminKey = Annotated[ApiKey, require_role(Role.ADMIN)]
