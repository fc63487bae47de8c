"""Downloads: frames as an XLSX workbook (one sheet per frame), answered as an attachment."""

from __future__ import annotations

import io
import re

import pandas as pd
from fastapi.responses import Response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:120]


def attachment(content: bytes, *, filename: str, media_type: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type=media_type, headers=headers)


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            worksheet = writer.sheets[name[:31]]
            for column, header in zip(worksheet.columns, frame.columns, strict=False):
                width = max([len(str(header))] + [len(str(v)) for v in frame[header].head(200)])
                worksheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    return buffer.getvalue()


def xlsx_response(sheets: dict[str, pd.DataFrame], *, filename: str) -> Response:
    return attachment(xlsx_bytes(sheets), filename=filename, media_type=XLSX_TYPE)
