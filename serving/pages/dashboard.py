"""/ (dasbor): ABK balance per unit, open positions, and the champion model's quality."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.contract.enums import NIP_LENGTH
from models.planning.staffing import position_balance, unit_balance
from serving.auth import Role
from serving.deps import StateDep
from serving.pages.charts import need_vs_headcount
from serving.pages.lookups import unit_names
from serving.pages.render import PageRoute, render
from serving.pages.session import SessionDep, signed_in
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OPEN_POSITIONS_SHOWN = 30
# Validation metrics shown on the dashboard, with their words (Indonesian, English).
QUALITY: tuple[tuple[str, str, str], ...] = (
    ("fit_ndcg10_outcome", "Ketepatan urutan fit (NDCG@10)", "Fit ranking quality (NDCG@10)"),
    ("fit_mae", "Galat rata-rata fit (MAE)", "Fit mean absolute error"),
    ("risk_auc", "Daya beda risiko (AUC)", "Risk discrimination (AUC)"),
    ("risk_ece", "Galat kalibrasi risiko (ECE)", "Risk calibration error (ECE)"),
)


@dataclass(frozen=True)
class OpenPosition:
    position_id: str
    title: str
    unit_name: str
    need: int
    headcount: int
    shortage: int


_last_open: list[tuple[LoadedState, list[OpenPosition]]] = []  # of the state last served


def open_positions(state: LoadedState, *, limit: int = OPEN_POSITIONS_SHOWN) -> list[OpenPosition]:
    """Positions short of their ABK need, most short first (ties: position_id). A loaded state
    never changes, so its list is computed once (50 ms on 10k employees) until a reload."""
    if not _last_open or _last_open[0][0] is not state:
        _last_open[:] = [(state, _open_positions(state))]
    return _last_open[0][1][:limit]


def _open_positions(state: LoadedState) -> list[OpenPosition]:
    balance = position_balance(state.data.positions, state.data.employees)
    short = balance.loc[balance["shortage"] > 0].sort_values(
        ["shortage", "position_id"], ascending=[False, True], kind="stable"
    )
    positions = state.lookups.positions
    return [
        OpenPosition(
            position_id=str(row["position_id"]),
            title=str(positions.at[row["position_id"], "title"]),
            unit_name=str(positions.at[row["position_id"], "unit_name"]),
            need=int(row["need"]),
            headcount=int(row["headcount"]),
            shortage=int(row["shortage"]),
        )
        for row in short.to_dict("records")
    ]


def _unit_names(state: LoadedState) -> dict[str, str]:
    positions = state.lookups.positions
    return dict(
        zip(positions["unit_id"].astype(str), positions["unit_name"].astype(str), strict=True)
    )


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, state: StateDep) -> HTMLResponse:
    assert session.key is not None
    role = session.key.role
    units = unit_balance(position_balance(state.data.positions, state.data.employees))
    names = unit_names(state)
    ordered = units.assign(gap=units["headcount"] - units["need"]).sort_values(
        ["gap", "unit_id"], kind="stable"
    )
    rows = [
        (names.get(str(u), str(u)), int(n), int(h))
        for u, n, h in ordered[["unit_id", "need", "headcount"]].itertuples(index=False)
    ]
    table = [
        {**r, "unit_name": names.get(str(r["unit_id"]), str(r["unit_id"]))}
        for r in ordered.loc[(ordered["shortage"] > 0) | (ordered["surplus"] > 0)].to_dict(
            "records"
        )
    ]
    chart = need_vs_headcount(rows)
    metrics = state.bundle.metrics
    quality = [(i, e, metrics[k]) for k, i, e in QUALITY if k in metrics]
    return render(
        request,
        "dashboard.html",
        chart=chart,
        chart_figures=chart.figures(),
        balance=table,
        open_positions=open_positions(state),
        can_shortlist=role in (Role.HR, Role.ADMIN),
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
        as_of=state.as_of,
        quality=quality,
        nip_length=NIP_LENGTH,
    )


@router.get("/pegawai", dependencies=[Depends(signed_in)])
def find_employee(nip: str = "") -> Response:
    """The dashboard's "open an employee" form: a NIP typed with spaces still opens the page."""
    return RedirectResponse("/pegawai/" + quote("".join(nip.split()), safe=""), status_code=303)


@router.get("/jabatan", dependencies=[Depends(signed_in)])
def find_position(position_id: str = "") -> Response:
    return RedirectResponse("/jabatan/" + quote(position_id.strip(), safe=""), status_code=303)
