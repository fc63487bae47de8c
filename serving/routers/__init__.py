"""Routers of the API, one module per concern, each exposing `router` (an APIRouter).

To add routes (e.g. plans, staffing), add a module here with `router = APIRouter(prefix="/v1",
tags=[...])`, protect it with `serving.auth.require_role(...)`, audit personal data with
`serving.audit.AuditDep`, and append its module name to ROUTERS.
"""

from __future__ import annotations

ROUTERS: tuple[str, ...] = (
    "health",
    "shortlist",
    "risk",
    "employees",
    "models",
    "plans",
    "staffing",
    "training",
    "decisions",
    "explanation",
    "fairness",
    "review",
    "consultations",
    "unit_rankings",
)
