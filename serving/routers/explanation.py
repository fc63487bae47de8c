"""GET /v1/employees/{nip}/explanation: the employee's one-page explanation (HTML or DOCX)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from serving.audit import AuditDep, audited
from serving.auth import HrKey
from serving.deps import StateDep
from serving.errors import not_found_all
from serving.explanation import DOCX_MEDIA_TYPE, build_explanation, render_docx, render_html
from serving.schemas.common import NIP_PATTERN, ErrorResponse, PositionId

router = APIRouter(
    prefix="/v1/employees",
    tags=["employees"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


@router.get(
    "/{nip}/explanation",
    response_class=Response,
    summary="Penjelasan untuk pegawai / The employee's explanation",
    description="Satu halaman berbahasa Indonesia untuk pegawai: data yang dipakai, faktor "
    "yang paling berpengaruh dan arahnya, serta cara mengajukan keberatan (UU 27/2022); HTML "
    "atau DOCX. / A one-page document for the employee, in Indonesian: the data used, the "
    "factors that weighed most and which way, and how to object; HTML or DOCX.",
    responses={200: {"content": {"text/html": {}, DOCX_MEDIA_TYPE: {}}}},
)
def employee_explanation(
    nip: Annotated[str, Path(pattern=NIP_PATTERN, description="NIP (18 digit)")],
    position_id: Annotated[PositionId, Query(description="Jabatan tujuan / Target position")],
    key: HrKey,
    state: StateDep,
    audit: AuditDep,
    format: Annotated[
        Literal["html", "docx"], Query(description="html atau docx / html or docx")
    ] = "html",
) -> Response:
    unknown = {
        ("NIP", "NIP"): [] if nip in state.lookups.employees.index else [nip],
        ("Jabatan", "Position"): []
        if position_id in state.lookups.positions.index
        else [position_id],
    }
    if any(unknown.values()):
        raise not_found_all(unknown)
    explanation = build_explanation(state, nip, position_id)
    audit.returned(
        nips=[nip],
        position_ids=[position_id],
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    if format == "docx":
        filename = f"penjelasan-{nip}-{position_id}.docx"
        return Response(
            render_docx(explanation),
            media_type=DOCX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return Response(render_html(explanation), media_type="text/html; charset=utf-8")
