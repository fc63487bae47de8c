"""The employee's explanation (UU 27/2022): one page, in Indonesian, of what a recommendation
for a post rests on, as HTML and as DOCX.

The page names the data used, the factors that weighed most and which way they pushed, whether
the rules of a mutasi are met, and how to object (keberatan): the recommendation is advice to
the official who decides, and the employee may object to decisions based on automated
processing (UU 27/2022 on personal data protection, Pasal 10). The HTML and the DOCX are drawn
from one `Explanation`, so the two cannot disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from docx import Document
from jinja2 import Environment, FileSystemLoader, select_autoescape

from models.features.build import current_pair_features
from models.scoring.policy import check_eligibility
from serving.explain import explain_pairs, reason_texts
from serving.state import LoadedState

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

DATA_USED: tuple[str, ...] = (
    "Predikat dan nilai SKP beberapa tahun terakhir",
    "Jabatan, unit dan masa kerja di jabatan sekarang; riwayat mutasi sebelumnya",
    "Hasil asesmen kompetensi dan pelatihan yang telah diikuti",
    "Pendidikan terakhir, jurusan, pangkat/golongan dan kotak talenta",
    "Domisili, status perkawinan dan jumlah anak (untuk jarak dan beban pindah)",
    "Tanggal lahir, hanya untuk menghitung sisa masa kerja sampai batas usia pensiun",
    "Pilihan unit, sektor atau wilayah yang pernah Anda sampaikan",
)
NOT_USED = "Jenis kelamin tidak pernah dipakai oleh model."
OBJECTION: tuple[str, ...] = (
    "Rekomendasi ini adalah saran bagi pejabat yang berwenang; keputusan mutasi diambil oleh "
    "pejabat tersebut, bukan oleh sistem.",
    "Anda berhak mengajukan keberatan atas keputusan yang didasarkan pada pemrosesan otomatis "
    "(UU Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 10), dan berhak meminta "
    "data Anda yang keliru diperbaiki.",
    "Keberatan diajukan secara tertulis kepada unit kepegawaian instansi Anda, dengan menyebut "
    "nomor dokumen ini dan alasan keberatan; unit kepegawaian meneruskannya kepada pejabat yang "
    "berwenang sesuai ketentuan upaya administratif bagi ASN.",
)


@dataclass(frozen=True)
class Explanation:
    nip: str
    name: str
    current_post: str
    target_post: str
    as_of: date
    model_version: str
    snapshot_id: str
    fit: str
    risk: str
    eligible: bool
    rules: list[str]  # failed rules in words; empty when every rule is met
    fit_factors: list[str]
    risk_factors: list[str]
    data_used: tuple[str, ...] = DATA_USED
    not_used: str = NOT_USED
    objection: tuple[str, ...] = OBJECTION

    @property
    def document_id(self) -> str:
        return f"MUTASI-{self.nip}-{self.as_of:%Y%m%d}-{self.model_version}"


def _indonesian(text: str) -> str:
    return text.split(" / ")[0]


def _post(state: LoadedState, position_id: str) -> str:
    row = state.lookups.positions.loc[position_id]
    return f"{row['title']} ({position_id}), {row['unit_name']}"


def build_explanation(state: LoadedState, nip: str, position_id: str) -> Explanation:
    """The explanation of (nip, position_id) from the loaded model and snapshot."""
    ctx = state.context
    nips = np.array([nip], dtype=object)
    features = current_pair_features(ctx, nips, np.array([position_id], dtype=object))
    scorer = state.bundle.scorer
    fit, risk = float(scorer.predict_fit(features)[0]), float(scorer.predict_risk(features)[0])
    factors = explain_pairs(state, nips, features, position_id, risks=np.array([risk]))[nip]
    checked = check_eligibility(ctx, nips, np.array([position_id]), config=state.policy)
    person = state.lookups.employees.loc[nip]
    return Explanation(
        nip=nip,
        name=str(person["name"]),
        current_post=_post(state, str(person["position_id"])),
        target_post=_post(state, position_id),
        as_of=state.as_of,
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
        fit=f"{fit:.1f} dari 5 (perkiraan predikat kinerja setelah pindah)".replace(".", ",", 1),
        risk=_indonesian(state.bands.words(risk)),
        eligible=bool(checked.loc[0, "eligible"]),
        rules=[
            _indonesian(r["text"]) for r in reason_texts(str(checked.loc[0, "ineligible_reasons"]))
        ],
        fit_factors=[_indonesian(f.text) for f in factors if f.target == "fit"],
        risk_factors=[_indonesian(f.text) for f in factors if f.target == "risk"],
    )


_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def render_html(explanation: Explanation) -> str:
    return _TEMPLATES.get_template("explanation.html").render(e=explanation)


def render_docx(explanation: Explanation) -> bytes:
    """The same page as a Word document."""
    e = explanation
    document = Document()
    document.add_heading("Penjelasan rekomendasi mutasi", level=1)
    document.add_paragraph(f"Nomor dokumen: {e.document_id}")
    document.add_paragraph(f"Nama: {e.name}\nNIP: {e.nip}")
    document.add_paragraph(f"Jabatan sekarang: {e.current_post}\nJabatan tujuan: {e.target_post}")
    document.add_paragraph(
        f"Tanggal acuan: {e.as_of:%d-%m-%Y}; versi model {e.model_version}; data {e.snapshot_id}"
    )
    sections: list[tuple[str, list[str] | tuple[str, ...]]] = [
        ("Data yang digunakan", [*e.data_used, e.not_used]),
        ("Perkiraan", [f"Kinerja: {e.fit}", f"Risiko keberatan: {e.risk}"]),
        ("Syarat mutasi", ["Semua syarat terpenuhi"] if e.eligible else e.rules),
        ("Faktor yang paling berpengaruh pada perkiraan kinerja", e.fit_factors),
        ("Faktor yang paling berpengaruh pada risiko", e.risk_factors),
        ("Hak Anda dan cara mengajukan keberatan", e.objection),
    ]
    for heading, lines in sections:
        document.add_heading(heading, level=2)
        for line in lines:
            document.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
