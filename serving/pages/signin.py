"""/masuk (sign in with an API key) and /keluar (sign out)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from serving.auth import verify_key
from serving.pages.render import PageRoute, home_of, render
from serving.pages.session import (
    Session,
    check_csrf,
    clear_session,
    new_csrf,
    read_session,
    write_session,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _session_or_none(request: Request) -> Session | None:
    try:
        return read_session(request)
    except Exception:  # an expired or foreign cookie: sign-in simply starts afresh
        return None


def _sign_in_page(request: Request, *, status_code: int = 200, **flags: bool) -> HTMLResponse:
    csrf = new_csrf()
    response = render(request, "signin.html", status_code=status_code, csrf=csrf, **flags)
    write_session(request, response, key=None, csrf=csrf)
    return response


@router.get("/masuk", response_class=HTMLResponse)
def sign_in_form(request: Request, habis: bool = False, keluar: bool = False) -> HTMLResponse:
    return _sign_in_page(request, expired=habis, signed_out=keluar)


@router.post("/masuk")
def sign_in(
    request: Request,
    api_key: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(_session_or_none(request), csrf)
    key = verify_key(request.app.state.engine, api_key.strip())
    if key is None:
        return _sign_in_page(request, status_code=401, failed=True)
    home = home_of(key)
    response = RedirectResponse(home, status_code=303)
    write_session(request, response, key=key)
    return response


@router.post("/keluar")
def sign_out(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(_session_or_none(request), csrf)
    response = RedirectResponse("/masuk?keluar=1", status_code=303)
    clear_session(response)
    return response
