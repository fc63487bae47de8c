"""The console: server-rendered pages in Bahasa Indonesia over the API's own service functions.

`install_pages(app)` mounts the static files (CSS, JS, all from this package: nothing from a
CDN), adds one router per page module and the handlers that turn sign-in, role and CSRF
failures into a redirect or an Indonesian page.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from serving.pages.docs import ASSETS as DOCS_ASSETS
from serving.pages.render import install_page_handlers

PAGES: tuple[str, ...] = (
    "docs",
    "signin",
    "dashboard",
    "positions",
    "employees",
    "risk",
    "plans",
    "plan_moves",
    "search",
    "models",
    "review",
    "consultation",
    "consultation_hr",
    "consultation_unit",
)


def install_pages(app: FastAPI, *, docs: bool = True) -> list[APIRouter]:
    """The console's pages; `/docs` and `/redoc` (with their local assets) only when `docs`.
    Returns the routers added (the request guard reads their routes)."""
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="console-static")
    if docs:
        assets = Path(fastapi_offline.__file__).with_name("static")
        app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="static-offline-docs")
    routers: list[APIRouter] = []
    for module in PAGES if docs else tuple(p for p in PAGES if p != "docs"):
        router = importlib.import_module(f"serving.pages.{module}").router
        assert isinstance(router, APIRouter)
        app.include_router(router)
        routers.append(router)
    install_page_handlers(app)
    return routers
