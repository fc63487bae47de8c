"""Feature values as short reasons HR staff can read: Indonesian first, English alongside.

`describe_feature("years_in_target_sector", 12, sector="kesehatan")` gives
"12 tahun pengalaman di sektor kesehatan / 12 years in the health sector". Templates take
{value} (formatted), {abs} (its magnitude), {sector_id} and {sector_en}; a feature may have
separate templates for zero and for negative values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

SECTOR_LABEL: Final[dict[str, tuple[str, str]]] = {
    "pendidikan": ("pendidikan", "education"),
    "kesehatan": ("kesehatan", "health"),
    "keuangan": ("keuangan", "finance"),
    "perencanaan": ("perencanaan", "planning"),
    "perhubungan": ("perhubungan", "transport"),
    "lingkungan_hidup": ("lingkungan hidup", "environment"),
    "pekerjaan_umum": ("pekerjaan umum", "public works"),
    "kependudukan": ("kependudukan", "civil registration"),
    "sosial": ("sosial", "social affairs"),
    "pertanian": ("pertanian", "agriculture"),
    "sekretariat": ("sekretariat", "secretariat"),
}


@dataclass(frozen=True)
class FeatureText:
    """Reason templates of one feature: (Indonesian, English) for positive, zero, negative."""

    label: tuple[str, str]
    positive: tuple[str, str]
    zero: tuple[str, str] | None = None
    negative: tuple[str, str] | None = None
    zero_when_rounded: bool = False  # a value printed as 0 reads as zero ("setara", not "0 poin")

    def render(self, value: float, *, sector: str | None = None) -> str:
        indonesian, english = self.render_pair(value, sector=sector)
        return f"{indonesian} / {english}"

    def render_pair(self, value: float, *, sector: str | None = None) -> tuple[str, str]:
        """(Indonesian, English) sentence of the value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f"{self.label[0]} tidak diketahui", f"{self.label[1]} unknown"
        templates = self.positive
        shown_zero = self.zero_when_rounded and _format(abs(value)) == "0"
        if (value == 0 or shown_zero) and self.zero is not None:
            templates = self.zero
        elif value < 0 and self.negative is not None:
            templates = self.negative
        sector_id, sector_en = SECTOR_LABEL.get(sector or "", (sector or "-",) * 2)
        one = _format(abs(value)) == "1"
        fields = {
            "value": _format(value),
            "abs": _format(abs(value)),
            "priority": _format(round(1.0 / value)) if value > 0 else "-",
            "sector_id": sector_id,
            "sector_en": sector_en,
            "s": "" if one else "s",
            "ies": "y" if one else "ies",
            "child": "child" if one else "children",
        }
        indonesian = {
            **fields,
            "value": _decimal_comma(fields["value"]),
            "abs": _decimal_comma(fields["abs"]),
        }
        return templates[0].format(**indonesian), templates[1].format(**fields)


def _decimal_comma(text: str) -> str:
    """Indonesian writes decimals with a comma: 2,3 tahun."""
    return text.replace(".", ",")


def _format(value: float) -> str:
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _t(
    label: tuple[str, str],
    positive: tuple[str, str],
    zero: tuple[str, str] | None = None,
    negative: tuple[str, str] | None = None,
    *,
    zero_when_rounded: bool = False,
) -> FeatureText:
    return FeatureText(
        label=label,
        positive=positive,
        zero=zero,
        negative=negative,
        zero_when_rounded=zero_when_rounded,
    )


FEATURE_TEXT: Final[dict[str, FeatureText]] = {
    "recent_rating_mean": _t(
        ("predikat SKP", "SKP rating"),
        ("rata-rata predikat SKP terakhir {value} dari 5", "recent SKP rating {value} of 5"),
    ),
    "career_rating_mean": _t(
        ("predikat SKP seluruh tahun penilaian tercatat", "SKP rating over every recorded year"),
        (
            "rata-rata predikat SKP seluruh tahun penilaian tercatat {value} dari 5",
            "SKP rating over every recorded appraisal year {value} of 5",
        ),
    ),
    "skp_vs_peers": _t(
        ("SKP dibanding rekan sejawat", "SKP relative to peers"),
        (
            "rata-rata SKP selama tahun penilaian tercatat {value} poin predikat di atas rekan "
            "sejawat dengan tahun penilaian dan lama pengalaman di sektor yang sama",
            "SKP averaged over the years on record {value} rating point{s} above peers of the "
            "same appraisal year with the same length of experience in the sector",
        ),
        (
            "rata-rata SKP selama tahun penilaian tercatat setara rekan sejawat dengan tahun "
            "penilaian dan lama pengalaman di sektor yang sama",
            "SKP averaged over the years on record on a par with peers of the same appraisal "
            "year with the same length of experience in the sector",
        ),
        (
            "rata-rata SKP selama tahun penilaian tercatat {abs} poin predikat di bawah rekan "
            "sejawat dengan tahun penilaian dan lama pengalaman di sektor yang sama",
            "SKP averaged over the years on record {abs} rating point{s} below peers of the "
            "same appraisal year with the same length of experience in the sector",
        ),
        zero_when_rounded=True,
    ),
    "rating_trend": _t(
        ("tren SKP", "SKP trend"),
        ("predikat SKP naik {value} per tahun", "SKP rating rising {value} a year"),
        ("predikat SKP stabil", "SKP rating stable"),
        ("predikat SKP turun {abs} per tahun", "SKP rating falling {abs} a year"),
    ),
    "last_score": _t(
        ("nilai SKP", "SKP score"), ("nilai SKP terakhir {value}", "latest SKP score {value}")
    ),
    "recent_score_mean": _t(
        ("rata-rata nilai SKP", "average SKP score"),
        ("rata-rata nilai SKP 3 tahun terakhir {value}", "average SKP score {value} over 3 years"),
    ),
    "years_in_target_sector": _t(
        ("pengalaman sektor", "sector experience"),
        (
            "{value} tahun pengalaman di sektor {sector_id}",
            "{value} year{s} in the {sector_en} sector",
        ),
        ("belum berpengalaman di sektor {sector_id}", "no experience in the {sector_en} sector"),
    ),
    "sector_change": _t(
        ("perpindahan sektor", "sector change"),
        ("pindah ke sektor lain", "moves to another sector"),
        ("tetap di sektor yang sama", "stays in the same sector"),
    ),
    "competency_shortfall": _t(
        ("kesenjangan kompetensi", "competency gap"),
        (
            "kekurangan {value} level kompetensi dari standar jabatan",
            "{value} competency level{s} short of the position standard",
        ),
        ("kompetensi memenuhi standar jabatan", "competencies meet the position standard"),
    ),
    "competency_gap_count": _t(
        ("kompetensi di bawah standar", "competencies below standard"),
        ("{value} kompetensi di bawah standar", "{value} competenc{ies} below standard"),
        ("tidak ada kompetensi di bawah standar", "no competency below standard"),
    ),
    "recent_relevant_trainings": _t(
        ("pelatihan relevan", "relevant training"),
        (
            "{value} pelatihan relevan dalam 2 tahun terakhir",
            "{value} relevant training{s} in the last 2 years",
        ),
        (
            "belum ada pelatihan relevan dalam 2 tahun terakhir",
            "no relevant training in the last 2 years",
        ),
    ),
    "education_level_gap": _t(
        ("jenjang pendidikan", "education level"),
        (
            "pendidikan {value} jenjang di atas syarat",
            "education {value} level{s} above the minimum",
        ),
        ("pendidikan sesuai syarat minimal", "education at the required minimum"),
        ("pendidikan {abs} jenjang di bawah syarat", "education {abs} level{s} below the minimum"),
    ),
    "education_field_match": _t(
        ("jurusan pendidikan", "field of study"),
        ("jurusan pendidikan sesuai", "field of study matches"),
        ("jabatan tidak mensyaratkan jurusan", "no field of study required"),
        ("jurusan pendidikan tidak sesuai", "field of study does not match"),
    ),
    "grade_step": _t(
        ("kelas jabatan", "job grade"),
        ("naik {value} kelas jabatan", "{value} grade{s} up"),
        ("mutasi setara (kelas jabatan sama)", "lateral move (same grade)"),
        ("turun {abs} kelas jabatan", "{abs} grade{s} down"),
    ),
    "rank_headroom": _t(
        ("golongan", "rank"),
        ("golongan {value} tingkat di atas syarat", "rank {value} step{s} above the minimum"),
        ("golongan tepat di syarat minimal", "rank exactly at the minimum"),
        ("golongan {abs} tingkat di bawah syarat", "rank {abs} step{s} below the minimum"),
    ),
    "distance_home_km": _t(
        ("jarak dari domisili", "distance from home"),
        ("{value} km dari domisili", "{value} km from home"),
    ),
    "distance_move_km": _t(
        ("jarak dari tempat tugas", "distance from the current post"),
        ("{value} km dari tempat tugas sekarang", "{value} km from the current post"),
    ),
    "married": _t(
        ("status perkawinan", "marital status"),
        ("berstatus menikah", "married"),
        ("tidak berstatus menikah", "not married"),
    ),
    "children": _t(
        ("jumlah anak", "children"),
        ("memiliki {value} anak", "{value} {child}"),
        ("tidak memiliki anak", "no children"),
    ),
    "years_to_retirement": _t(
        ("masa menjelang pensiun", "time to retirement"),
        ("{value} tahun menjelang pensiun", "{value} year{s} to retirement"),
        ("sudah mencapai usia pensiun", "at retirement age"),
        ("melewati usia pensiun", "past retirement age"),
    ),
    "tenure_years": _t(
        ("masa di jabatan", "time in position"),
        ("{value} tahun di jabatan sekarang", "{value} year{s} in the current position"),
    ),
    "preference_match": _t(
        ("preferensi pegawai", "employee preference"),
        ("sesuai pilihan ke-{priority} pegawai", "matches the employee's choice no. {priority}"),
        ("tidak sesuai preferensi pegawai", "does not match the employee's preferences"),
    ),
    "unrequested_sector": _t(
        ("sektor yang diminta", "requested sector"),
        ("sektor tujuan tidak diminta pegawai", "target sector not among those requested"),
        ("sektor tujuan sesuai permintaan pegawai", "target sector requested by the employee"),
    ),
    "past_moves": _t(
        ("riwayat mutasi", "transfer history"),
        ("{value} kali mutasi sebelumnya", "{value} earlier transfer{s}"),
        ("belum pernah dimutasi", "never transferred before"),
    ),
    "past_resistance": _t(
        ("riwayat keberatan", "resistance history"),
        ("{value} kali keberatan/penolakan mutasi", "resisted {value} earlier transfer{s}"),
        ("tidak pernah menolak mutasi", "never resisted a transfer"),
    ),
    "past_post_move_mean": _t(
        ("kinerja setelah mutasi", "post-move performance"),
        (
            "kinerja setelah mutasi sebelumnya {value} dari 5",
            "performance after earlier transfers {value} of 5",
        ),
    ),
    "initiated_by_employee": _t(
        ("pengusul mutasi", "initiator"),
        ("atas permintaan sendiri", "requested by the employee"),
        ("atas inisiatif instansi", "initiated by the agency"),
    ),
    "talent_box": _t(
        ("kotak talenta", "talent box"), ("kotak talenta {value} dari 9", "talent box {value} of 9")
    ),
}


def describe_feature(name: str, value: float, *, sector: str | None = None) -> str:
    """A reason sentence for a feature value; `sector` is the target position's sector.

    Every name in FEATURE_COLUMNS has a template (a test checks it).
    """
    return FEATURE_TEXT[name].render(value, sector=sector)


def fit_effect(points: float) -> tuple[str, str]:
    """Which way and how much a factor moves expected performance (rating points, 1 decimal)."""
    size = round(abs(float(points)), 1)
    if size == 0:
        return "hampir tidak mengubah perkiraan kinerja", "hardly changes expected performance"
    amount = _format(size)
    unit = "point" if amount == "1" else "points"
    if points > 0:
        return (
            f"menaikkan perkiraan kinerja {_decimal_comma(amount)} poin",
            f"raises expected performance by {amount} {unit}",
        )
    return (
        f"menurunkan perkiraan kinerja {_decimal_comma(amount)} poin",
        f"lowers expected performance by {amount} {unit}",
    )


def risk_effect(percentage_points: float) -> tuple[str, str]:
    """Which way and how much a factor moves the risk of resistance (whole percentage points)."""
    size = round(abs(float(percentage_points)))
    if size == 0:
        return "hampir tidak mengubah risiko", "hardly changes the risk"
    unit = "percentage point" if size == 1 else "percentage points"
    if percentage_points > 0:
        return f"menaikkan risiko {size} poin persen", f"raises risk by {size} {unit}"
    return f"menurunkan risiko {size} poin persen", f"lowers risk by {size} {unit}"


def reason_sentence(name: str, value: float, *, sector: str | None, effect: tuple[str, str]) -> str:
    """ "<value in words>: <direction and size>", Indonesian then English."""
    indonesian, english = FEATURE_TEXT[name].render_pair(value, sector=sector)
    return f"{indonesian}: {effect[0]} / {english}: {effect[1]}"
