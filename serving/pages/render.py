"""Rendering pages: the Jinja2 environment, and errors answered as Indonesian pages.

Page routers use `PageRoute`: any domain error a view's service call raises (404, 422, 503, a
bad path parameter) becomes the error page with the same status, never a JSON body or a
traceback. Sign-in, role and CSRF failures are handled app-wide (`install_page_handlers`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from models.contract.errors import MutasiError
from serving.errors import _validation_message
from serving.pages.session import CsrfFailed, PageForbidden, SignInRequired

logger = logging.getLogger(__name__)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))

# Nothing loads from outside this server, and no inline script runs.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

NAV: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    # (path, Indonesian, English, roles that see the link; admin sees all)
    ("/", "Dasbor", "Dashboard", frozenset({"hr", "planner", "data"})),
    ("/#lowongan", "Jabatan kosong", "Open positions", frozenset({"hr", "planner"})),
    ("/cek-risiko", "Cek risiko", "Risk check", frozenset({"planner"})),
    ("/rencana", "Rencana mutasi", "Round plan", frozenset({"planner"})),
    ("/model", "Model", "Models", frozenset({"data"})),
    ("/evaluasi", "Evaluasi", "Post-move review", frozenset({"planner", "data"})),
    ("/konsultasi", "Konsultasi", "Consultation", frozenset({"pegawai"})),
    ("/konsultasi-hr", "Konsultasi pegawai", "Employee consultation", frozenset({"hr"})),
    ("/konsultasi-unit", "Peringkat unit", "Unit rankings", frozenset({"hr"})),
)


UNIT_PAGES = frozenset({"/konsultasi-unit"})  # the only pages a unit-scoped session may open


def nav_for(role: str | None, *, scoped: bool = False) -> list[tuple[str, str, str]]:
    """The menu of a role; a unit-scoped hr key sees only its unit's ranking page."""
    if role is None:
        return []
    staff_pages = role == "admin"  # admin sees every staff page, not the employee's own
    return [
        (p, i, e)
        for p, i, e, roles in NAV
        if (role in roles or (staff_pages and "pegawai" not in roles))
        and (not scoped or p in UNIT_PAGES)
    ]


def home_of(key: Any) -> str:
    """Where a session starts: an employee at their consultation, a unit head at the unit's
    rankings, everyone else at the dashboard."""
    if key is None:
        return "/"
    if key.role.value == "pegawai":
        return "/konsultasi"
    return "/konsultasi-unit" if key.unit_id is not None else "/"


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    session = getattr(request.state, "console_session", None)
    key = None if session is None else session.key
    base = {
        "user": key,
        "csrf": None if session is None else session.csrf,
        "nav": nav_for(
            None if key is None else key.role.value,
            scoped=key is not None and key.unit_id is not None,
        ),
        "home": home_of(key),
        "path": getattr(request.scope.get("route"), "path", ""),
    }
    response = TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"  # pages hold personal data
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


def error_page(request: Request, status: int, message: str, details: list[str]) -> HTMLResponse:
    indonesian, _, english = message.partition(" / ")
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        message_id=indonesian,
        message_en=english,
        details=details,
    )


class PageRoute(APIRoute):
    """An APIRoute whose domain and validation errors are answered as the error page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                details = [_validation_message(dict(e)) for e in exc.errors()]
                return error_page(request, 422, "Masukan tidak sah / Invalid input", details)
            except (SignInRequired, PageForbidden, CsrfFailed):
                raise
            except MutasiError as exc:
                status = int(getattr(exc, "status_code", 400))
                return error_page(request, status, exc.message, [])

        return page_handler


async def _on_sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = "/masuk?habis=1" if exc.expired else "/masuk"
    return RedirectResponse(target, status_code=303)


async def _on_forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)
    needed = ", ".join(sorted(r.value for r in exc.allowed))
    message = (
        f"Peran '{exc.role.value}' tidak boleh membuka halaman ini; perlu: {needed} / "
        f"Role '{exc.role.value}' may not open this page; needs: {needed}"
    )
    return error_page(request, 403, message, [])


async def _on_csrf(request: Request, _exc: Exception) -> Response:
    message = (
        "Formulir kedaluwarsa atau bukan dari halaman ini; muat ulang dan coba lagi / "
        "The form expired or did not come from this page; reload and try again"
    )
    return error_page(request, 403, message, [])


def install_page_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
    app.add_exception_handler(PageForbidden, _on_forbidden)
    app.add_exception_handler(CsrfFailed, _on_csrf)
