"""Errors the API answers with, and the handlers that turn every failure into readable JSON.

Every error body is `{"code": ..., "message": "Indonesian / English", "errors": [...]}`. Client
input never causes a 500: validation errors become 422 naming the field, domain errors
(`MutasiError`) keep their message, and anything unexpected is logged (without request data)
and answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.contract.errors import MutasiError

logger = logging.getLogger(__name__)


class ApiError(MutasiError):
    """A MutasiError with the HTTP status and machine-readable code the API answers with."""

    status_code = 400
    code = "bad_request"
    headers: ClassVar[dict[str, str] | None] = None


class UnauthorizedError(ApiError):
    status_code = 401
    code = "unauthorized"
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "ApiKey"}


class ForbiddenError(ApiError):
    status_code = 403
    code = "forbidden"


class NotFoundError(ApiError):
    status_code = 404
    code = "not_found"


class ConflictError(ApiError):
    status_code = 409
    code = "conflict"


class InvalidInputError(ApiError):
    status_code = 422
    code = "invalid_input"


class NotReadyError(ApiError):
    status_code = 503
    code = "not_ready"


def not_found(kind_id: str, kind_en: str, ids: Sequence[str], *, shown: int = 20) -> NotFoundError:
    """A 404 naming the unknown ids (at most `shown` of them, with the total)."""
    listed = ", ".join(ids[:shown]) + (f" (+{len(ids) - shown})" if len(ids) > shown else "")
    return NotFoundError(f"{kind_id} tidak ditemukan: {listed} / {kind_en} not found: {listed}")


def not_found_all(unknown: dict[tuple[str, str], list[str]], *, shown: int = 20) -> NotFoundError:
    """A 404 naming every kind of unknown id at once, e.g. the NIPs and the positions."""
    parts_id, parts_en = [], []
    for (kind_id, kind_en), ids in unknown.items():
        if ids:
            listed = ", ".join(ids[:shown]) + (
                f" (+{len(ids) - shown})" if len(ids) > shown else ""
            )
            parts_id.append(f"{kind_id} tidak ditemukan: {listed}")
            parts_en.append(f"{kind_en} not found: {listed}")
    return NotFoundError(f"{'; '.join(parts_id)} / {'; '.join(parts_en)}")


_HTTP_TEXT: dict[int, tuple[str, str]] = {
    404: ("Alamat tidak ditemukan", "Route not found"),
    405: ("Metode tidak diizinkan", "Method not allowed"),
    413: ("Isi permintaan terlalu besar", "Request body too large"),
}


def error_body(code: str, message: str, errors: list[str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or []}


def json_path(parts: Sequence[Any]) -> str:
    """A location as a JSON path: ("slots", 0, "position_id") -> "slots[0].position_id"."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _field_name(loc: Sequence[Any]) -> str:
    parts = list(loc)
    where = str(parts[0]) if parts else "request"
    path = json_path(parts[1:]) or where
    labels = {"query": "parameter", "path": "path", "body": "body", "header": "header"}
    return f"{labels.get(where, where)} '{path}'"


def _validation_message(error: dict[str, Any]) -> str:
    field = _field_name(error.get("loc", ()))
    english = str(error.get("msg", "invalid value"))
    ctx = error.get("ctx") or {}
    bound = {
        k: v for k, v in ctx.items() if k in ("le", "ge", "lt", "gt", "max_length", "min_length")
    }
    indonesian = {
        "missing": "wajib diisi",
        "too_long": "terlalu banyak elemen",
        "too_short": "terlalu sedikit elemen",
        "less_than_equal": "terlalu besar",
        "greater_than_equal": "terlalu kecil",
        "string_pattern_mismatch": "format tidak sah",
        "json_invalid": "JSON tidak sah",
        "length_mismatch": "panjang kolom tidak sama",
        "string_type": "harus berupa teks",
        "string_too_long": "terlalu panjang",
        "string_too_short": "terlalu pendek",
        "literal_error": "nilai tidak dikenal",
        "extra_forbidden": "isian tidak dikenal",
        "list_type": "harus berupa daftar",
        "model_attributes_type": "harus berupa objek",
    }.get(str(error.get("type")), "nilai tidak sah")
    if "more" in ctx:  # a column's summary: how many more values like the ones listed
        indonesian += f" ({ctx['more']} nilai lain seperti ini)"
    suffix = f" ({', '.join(f'{k}={v}' for k, v in bound.items())})" if bound else ""
    return f"{field}: {indonesian}{suffix} / {field}: {english}"


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_validation_message(dict(e)) for e in exc.errors()]
    message = "Masukan tidak sah / Invalid input: " + "; ".join(errors[:10])
    return JSONResponse(status_code=422, content=error_body("invalid_input", message, errors))


async def _on_mutasi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MutasiError)
    status = getattr(exc, "status_code", 400)
    code = getattr(exc, "code", "bad_request")
    headers = getattr(exc, "headers", None)
    return JSONResponse(status_code=status, content=error_body(code, exc.message), headers=headers)


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    indonesian, english = _HTTP_TEXT.get(exc.status_code, ("Permintaan gagal", str(exc.detail)))
    return JSONResponse(
        status_code=exc.status_code,
        content=error_body(f"http_{exc.status_code}", f"{indonesian} / {english}"),
        headers=getattr(exc, "headers", None),
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Only the route template and the exception type are logged: the concrete path may hold a
    # NIP (/v1/employees/{nip}) and request data may be personal.
    route = getattr(request.scope.get("route"), "path", "<unrouted>")
    logger.error("unexpected %s on %s %s", type(exc).__name__, request.method, route)
    message = "Kesalahan internal server / Internal server error"
    return JSONResponse(status_code=500, content=error_body("internal_error", message))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(MutasiError, _on_mutasi_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
