"""Training catalogue of the demo province (pelatihan, bimtek, diklat), with their true effect.

Each training targets one competency, takes some JP (jam pelajaran) and promises a
`level_gain`. Whether it delivers is the generator's secret: an effective training raises the
participant's competency by about its level_gain, a weak one by a fraction of it (`effect`, the
share of the promised gain that materialises). Effects are written to `_truth/trainings_truth.csv`
so that a training recommender can be checked against them.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

# (name, competency, JP hours, level_gain)
CATALOGUE: Final[tuple[tuple[str, str, int, int], ...]] = (
    ("Pelatihan Kepemimpinan Administrator (PKA)", "pengambilan_keputusan", 390, 1),
    ("Pelatihan Kepemimpinan Pengawas (PKP)", "mengelola_perubahan", 300, 1),
    ("Pelatihan Manajemen Perubahan Birokrasi", "mengelola_perubahan", 32, 1),
    ("Pelatihan Integritas dan Antikorupsi", "integritas", 30, 1),
    ("Penyuluhan Kode Etik dan Disiplin ASN", "integritas", 16, 1),
    ("Pelatihan Kolaborasi dan Team Building", "kerjasama", 24, 1),
    ("Pelatihan Komunikasi Efektif dan Public Speaking", "komunikasi", 24, 1),
    ("Pelatihan Penulisan Naskah Dinas", "komunikasi", 20, 1),
    ("Pelatihan Manajemen Kinerja Berbasis SKP", "orientasi_hasil", 24, 1),
    ("Pelatihan Pelayanan Prima", "pelayanan_publik", 40, 1),
    ("Pelatihan Standar Pelayanan Publik dan Survei Kepuasan", "pelayanan_publik", 24, 1),
    ("Pelatihan Coaching dan Mentoring", "pengembangan_diri", 24, 1),
    ("Pelatihan Analisis dan Pengambilan Keputusan Berbasis Data", "pengambilan_keputusan", 32, 1),
    ("Pelatihan Wawasan Kebangsaan dan Bela Negara", "perekat_bangsa", 30, 1),
    ("Pelatihan Implementasi Kurikulum Merdeka", "teknis_pendidikan", 32, 1),
    ("Pendidikan Profesi Guru (PPG) Dalam Jabatan", "teknis_pendidikan", 200, 2),
    ("Pelatihan Pembelajaran Berdiferensiasi", "teknis_pendidikan", 24, 1),
    ("Pelatihan Basic Trauma Cardiac Life Support (BTCLS)", "teknis_kesehatan", 50, 1),
    ("Pelatihan Pencegahan dan Pengendalian Infeksi (PPI)", "teknis_kesehatan", 30, 1),
    ("Pelatihan Akreditasi Rumah Sakit", "teknis_kesehatan", 24, 1),
    ("Bimtek Penatausahaan Keuangan Daerah (SIPD)", "teknis_keuangan", 32, 1),
    ("Pelatihan Akuntansi Berbasis Akrual", "teknis_keuangan", 40, 1),
    ("Pelatihan Pemungutan Pajak Kendaraan Bermotor", "teknis_keuangan", 24, 1),
    ("Pelatihan Perencanaan Pembangunan Daerah", "teknis_perencanaan", 40, 1),
    ("Pelatihan Analisis Kebijakan Publik", "teknis_perencanaan", 48, 1),
    ("Diklat Penguji Kendaraan Bermotor", "teknis_perhubungan", 120, 1),
    ("Pelatihan Manajemen dan Rekayasa Lalu Lintas", "teknis_perhubungan", 40, 1),
    ("Pelatihan Penyusunan Dokumen AMDAL", "teknis_lingkungan_hidup", 60, 1),
    ("Pelatihan Pengendalian Pencemaran Air", "teknis_lingkungan_hidup", 32, 1),
    ("Pelatihan Ahli Teknik Jalan dan Jembatan", "teknis_pekerjaan_umum", 60, 1),
    ("Pelatihan Operasi dan Pemeliharaan Irigasi", "teknis_pekerjaan_umum", 40, 1),
    ("Pelatihan Administrasi Kependudukan (SIAK)", "teknis_kependudukan", 32, 1),
    ("Pelatihan Pengarusutamaan Gender", "teknis_kependudukan", 24, 1),
    ("Pelatihan Pendamping Rehabilitasi Sosial", "teknis_sosial", 40, 1),
    ("Pelatihan Manajemen Penanggulangan Bencana", "teknis_sosial", 32, 1),
    ("Pelatihan Penyuluhan Pertanian Dasar", "teknis_pertanian", 60, 1),
    ("Pelatihan Pengendalian Organisme Pengganggu Tumbuhan", "teknis_pertanian", 40, 1),
    ("Pelatihan Pengadaan Barang/Jasa Pemerintah", "teknis_sekretariat", 40, 1),
    ("Pelatihan Penyusunan Produk Hukum Daerah", "teknis_sekretariat", 32, 1),
    ("Pelatihan Manajemen ASN Berbasis Sistem Merit", "teknis_sekretariat", 24, 1),
)


def build_trainings(rng: np.random.Generator) -> pd.DataFrame:
    """The catalogue with contract columns plus the true `effect` (share of level_gain realised).

    Within each competency with two or more trainings, one is made effective (effect 0.8-1.0)
    and one weak (0.1-0.3); the rest are drawn at random from either kind.
    """
    frame = pd.DataFrame(list(CATALOGUE), columns=["name", "competency", "hours", "level_gain"])
    rank = frame.groupby("competency").cumcount().to_numpy()
    size = frame.groupby("competency")["name"].transform("size").to_numpy()
    # A per-competency coin decides whether the first is effective; the second is the opposite.
    coin = pd.Series(rng.random(len(frame)) < 0.5).where(rank == 0, False)
    first_effective = coin.groupby(frame["competency"]).transform("max").to_numpy(dtype=bool)
    effective = np.where(
        rank == 0,
        first_effective,
        np.where(rank == 1, ~first_effective, rng.random(len(frame)) < 0.5),
    )
    effective = np.where(size == 1, True, effective)
    effect = np.where(
        effective, rng.uniform(0.8, 1.0, len(frame)), rng.uniform(0.1, 0.3, len(frame))
    )
    return frame.assign(
        training_id=[f"DL{i + 1:03d}" for i in range(len(frame))],
        hours=frame["hours"].astype(float),
        level_gain=frame["level_gain"].astype("int64"),
        effective=effective.astype(bool),
        effect=np.round(effect, 3),
    )
