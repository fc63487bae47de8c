"""The console: server-rendered pages in Bahasa Indonesia over the API's own service functions.

`install_pages(app)` mounts the static files (CSS, JS, all from this package: nothing from a
CDN), adds one router per page module and the handlers that turn sign-in, role and CSRF
failures into a redirect or an Indonesian page.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from serving.pages.render import install_page_handlers

PAGES: tuple[str, ...] = (
    "docs",
    "signin",
    "dashboard",
    "positions",
    "employees",
    "risk",
    "plans",
    "models",
)


def install_pages(app: FastAPI) -> None:
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="console-static")
    for module in PAGES:
        router = importlib.import_module(f"serving.pages.{module}").router
        assert isinstance(router, APIRouter)
        app.include_router(router)
    install_page_handlers(app)
