"""A draft SK mutasi (transfer decree) as DOCX, with its lampiran: one row per move.

The body follows the usual shape of a regional decree (Menimbang, Mengingat, MEMUTUSKAN,
Menetapkan); the officials fill in the numbering and signature. Names appear only where the
caller's role may see them, as in the API.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from serving.schemas.plans import PlanResponse

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
LAMPIRAN_COLUMNS = (
    "No", "NIP", "Nama", "Jabatan lama", "Jabatan baru", "TMT", "Alasan",
)  # fmt: skip
NAME_WITHHELD = "(diisi HR)"


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def tanggal(day: date) -> str:
    """A date as Indonesian decrees write it: 1 Juli 2025."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _centred(document: DocxDocument, text: str, *, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = bold


def _body(document: DocxDocument, plan: PlanResponse, effective: date) -> None:
    _centred(document, "DRAF", bold=True)
    _centred(document, "KEPUTUSAN KEPALA BADAN KEPEGAWAIAN DAERAH", bold=True)
    _centred(document, "NOMOR: ....................", bold=False)
    _centred(document, "TENTANG", bold=True)
    _centred(document, "MUTASI PEGAWAI NEGERI SIPIL", bold=True)
    document.add_paragraph(
        "Menimbang: bahwa untuk pemerataan kebutuhan pegawai menurut analisis beban kerja dan "
        "pengembangan karier, perlu memindahkan Pegawai Negeri Sipil yang namanya tercantum dalam "
        "lampiran keputusan ini."
    )
    document.add_paragraph(
        "Mengingat: Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara; Peraturan "
        "Pemerintah Nomor 11 Tahun 2017 tentang Manajemen Pegawai Negeri Sipil sebagaimana telah "
        "diubah dengan Peraturan Pemerintah Nomor 17 Tahun 2020."
    )
    _centred(document, "MEMUTUSKAN:", bold=True)
    document.add_paragraph(
        f"Menetapkan: memindahkan {len(plan.moves)} Pegawai Negeri Sipil yang namanya tercantum "
        f"dalam lampiran dari jabatan lama ke jabatan baru, terhitung mulai tanggal "
        f"{tanggal(effective)}, dengan alasan sebagaimana tercantum dalam lampiran."
    )
    document.add_paragraph(
        f"Rencana {plan.plan_id}, snapshot data {plan.snapshot_id}, model versi "
        f"{plan.model_version}."
    )


def _lampiran(
    document: DocxDocument,
    plan: PlanResponse,
    *,
    titles: dict[str, str],
    names: dict[str, str],
    effective: date,
) -> None:
    document.add_page_break()
    _centred(document, "LAMPIRAN KEPUTUSAN NOMOR ....................", bold=True)
    table = document.add_table(rows=1, cols=len(LAMPIRAN_COLUMNS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, LAMPIRAN_COLUMNS, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].bold = True
    for number, move in enumerate(plan.moves, 1):
        cells = table.add_row().cells
        values = (
            str(number),
            move.nip,
            names.get(move.nip, NAME_WITHHELD),
            f"{titles.get(move.from_position_id, move.from_position_id)} ({move.from_unit_id})",
            f"{titles.get(move.position_id, move.position_id)} ({move.unit_id})",
            tanggal(effective),
            move.reasons,
        )
        for cell, value in zip(cells, values, strict=True):
            cell.text = value


def decree_docx(
    plan: PlanResponse, *, titles: dict[str, str], names: dict[str, str], effective: date
) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(2))
    document.styles["Normal"].font.size = Pt(10)
    _body(document, plan, effective)
    _lampiran(document, plan, titles=titles, names=names, effective=effective)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
