"""/cari: find a position by words of its title or unit, and (hr, admin) an employee by name.

Positions are not personal data: any signed-in role searches them with a GET. Names are: the
name search is a POST (the name never appears in a URL, so no proxy or access log keeps it),
only for the roles the API shows names to, and audited with the NIPs it answers like every
other page of personal data. Matching is case-insensitive; every word typed must appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from models.planning.staffing import position_balance
from serving.audit import AuditDep, audited
from serving.auth import Role
from serving.deps import StateDep
from serving.pages.render import PageRoute, render
from serving.pages.session import HrPage, SessionDep, check_csrf
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_RESULTS = 50
SHORTLIST_ROLES = frozenset({Role.HR, Role.ADMIN})


@dataclass(frozen=True)
class PositionHit:
    position_id: str
    title: str
    unit_name: str
    need: int
    headcount: int


@dataclass(frozen=True)
class EmployeeHit:
    nip: str
    name: str
    title: str
    unit_name: str


def matching(text: pd.Series, query: str) -> np.ndarray:
    """Rows of `text` holding every word of `query` (case-insensitive); none for no words."""
    words = query.casefold().split()
    if not words:
        return np.zeros(len(text), dtype=bool)
    folded = text.fillna("").astype(str).str.casefold()
    found = np.ones(len(text), dtype=bool)
    for word in words:
        found &= folded.str.contains(word, regex=False).to_numpy()
    return found


def find_positions(state: LoadedState, query: str) -> tuple[list[PositionHit], int]:
    """Positions whose id, title or unit name hold every word; the first 50 and the count."""
    positions = state.lookups.positions
    text = positions.index.to_series().astype(str) + " " + positions["title"].astype(str)
    hits = positions.loc[matching(text + " " + positions["unit_name"].astype(str), query)]
    balance = position_balance(state.data.positions, state.data.employees)
    need = dict(zip(balance["position_id"].astype(str), balance["need"], strict=True))
    headcount = dict(zip(balance["position_id"].astype(str), balance["headcount"], strict=True))
    shown = hits.sort_values(["title", "unit_name"], kind="stable").head(MAX_RESULTS)
    return [
        PositionHit(
            position_id=str(position_id),
            title=str(row["title"]),
            unit_name=str(row["unit_name"]),
            need=int(need.get(str(position_id), 0)),
            headcount=int(headcount.get(str(position_id), 0)),
        )
        for position_id, row in shown.iterrows()
    ], len(hits)


def find_employees(state: LoadedState, name: str) -> tuple[list[EmployeeHit], int]:
    """Employees whose name holds every word; the first 50 (by name) and the count."""
    employees = state.lookups.employees
    hits = employees.loc[matching(employees["name"], name)]
    shown = hits.sort_values("name", kind="stable").head(MAX_RESULTS)
    return [
        EmployeeHit(
            nip=str(nip),
            name=str(row["name"]),
            title=str(row["position_title"]) if pd.notna(row["position_title"]) else "-",
            unit_name=str(row["unit_name"]) if pd.notna(row["unit_name"]) else "-",
        )
        for nip, row in shown.iterrows()
    ], len(hits)


@router.get("/cari", response_class=HTMLResponse)
def search_positions(
    request: Request,
    session: SessionDep,
    state: StateDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    assert session.key is not None
    hits, count = find_positions(state, q) if q.strip() else ([], 0)
    return render(
        request,
        "search.html",
        query=q,
        positions=hits,
        position_count=count,
        can_shortlist=session.key.role in SHORTLIST_ROLES,
        can_find_names=session.key.role in SHORTLIST_ROLES,
        name=None,
    )


@router.post("/cari/pegawai", response_class=HTMLResponse, dependencies=[Depends(audited)])
def search_employees(
    request: Request,
    session: HrPage,
    state: StateDep,
    audit: AuditDep,
    csrf: Annotated[str, Form(max_length=100)],
    nama: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    check_csrf(session, csrf)
    hits, count = find_employees(state, nama)
    audit.returned(
        nips=[h.nip for h in hits],
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return render(
        request,
        "search.html",
        query="",
        positions=[],
        position_count=0,
        can_shortlist=True,
        can_find_names=True,
        name=nama,
        employees=hits,
        employee_count=count,
    )
