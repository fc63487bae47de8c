"""Domain vocabulary: enumerations, ordinal scales and table column names, defined once.

Every other module (schemas, features, the CLI, the API's pydantic models) imports its names
from here, so that a column or an enum value is spelled in exactly one place. Domain terms keep
the Indonesian names HR staff use (golongan, skp, abk).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class JobType(StrEnum):
    """Jenis jabatan (UU 20/2023 ASN): structural tiers, executors and functional posts."""

    JPT = "jpt"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    FUNGSIONAL = "fungsional"


class EmploymentType(StrEnum):
    PNS = "pns"
    PPPK = "pppk"


class Gender(StrEnum):
    LAKI_LAKI = "L"
    PEREMPUAN = "P"


class MaritalStatus(StrEnum):
    SINGLE = "single"
    MARRIED = "married"
    WIDOWED = "widowed"


class SkpRating(StrEnum):
    """SKP yearly rating (PermenPANRB 6/2022), best first."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


# The rating scale that `fit` is expressed on: 1 (sangat_kurang) to 5 (sangat_baik).
SKP_RATING_VALUE: Final[dict[str, int]] = {
    SkpRating.SANGAT_KURANG: 1,
    SkpRating.KURANG: 2,
    SkpRating.BUTUH_PERBAIKAN: 3,
    SkpRating.BAIK: 4,
    SkpRating.SANGAT_BAIK: 5,
}


class Resistance(StrEnum):
    """How a past transfer went. Anything but NONE counts as resistance."""

    NONE = "none"
    OBJECTION = "objection"  # keberatan filed, moved anyway
    REFUSAL = "refusal"  # did not move
    RETURN_REQUEST = "return_request"  # asked to go back within 12 months
    RESIGNATION = "resignation"  # left service within 12 months


class InitiatedBy(StrEnum):
    AGENCY = "agency"
    EMPLOYEE = "employee"  # atas permintaan sendiri (APS)


class PreferenceKind(StrEnum):
    UNIT = "unit"
    SECTOR = "sector"
    REGION = "region"


# Pendidikan, lowest to highest; the ordinal value orders min_education checks.
EDUCATION_LEVELS: Final[tuple[str, ...]] = (
    "SD",
    "SMP",
    "SMA",
    "D1",
    "D2",
    "D3",
    "D4",
    "S1",
    "S2",
    "S3",
)
EDUCATION_ORDINAL: Final[dict[str, int]] = {level: i for i, level in enumerate(EDUCATION_LEVELS)}

# Golongan/ruang (pangkat) of PNS, lowest to highest: I/a … IV/e.
GOLONGAN: Final[tuple[str, ...]] = tuple(
    f"{group}/{room}"
    for group, rooms in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for room in rooms
)
GOLONGAN_ORDINAL: Final[dict[str, int]] = {rank: i for i, rank in enumerate(GOLONGAN)}

SECTORS: Final[tuple[str, ...]] = (
    "pendidikan",
    "kesehatan",
    "keuangan",
    "perencanaan",
    "perhubungan",
    "lingkungan_hidup",
    "pekerjaan_umum",
    "kependudukan",
    "sosial",
    "pertanian",
    "sekretariat",
)

MANAGERIAL_COMPETENCIES: Final[tuple[str, ...]] = (
    "integritas",
    "kerjasama",
    "komunikasi",
    "orientasi_hasil",
    "pelayanan_publik",
    "pengembangan_diri",
    "mengelola_perubahan",
    "pengambilan_keputusan",
)
SOCIO_CULTURAL_COMPETENCY: Final[str] = "perekat_bangsa"
TECHNICAL_COMPETENCY_PREFIX: Final[str] = "teknis_"

GRADE_MIN, GRADE_MAX = 1, 17
LEVEL_MIN, LEVEL_MAX = 1, 5
TALENT_BOX_MIN, TALENT_BOX_MAX = 1, 9
NIP_LENGTH: Final[int] = 18

# ABK: one full-time employee works 1,250 effective hours a year (PermenPANRB 1/2020).
ABK_HOURS_PER_FTE: Final[float] = 1250.0


class Table(StrEnum):
    """The tables of an agency export, by file stem (units.csv, units.parquet, units.xlsx)."""

    UNITS = "units"
    POSITIONS = "positions"
    EMPLOYEES = "employees"
    PERFORMANCE = "performance"
    COMPETENCIES = "competencies"
    POSITION_COMPETENCIES = "position_competencies"
    TRAININGS = "trainings"
    TRAINING_HISTORY = "training_history"
    TRANSFERS = "transfers"
    PREFERENCES = "preferences"


REQUIRED_TABLES: Final[tuple[Table, ...]] = (
    Table.UNITS,
    Table.POSITIONS,
    Table.EMPLOYEES,
    Table.PERFORMANCE,
    Table.TRANSFERS,
)

# Columns of each table, as in the data contract: (required columns, optional columns).
# Extra columns in an export are kept on disk but dropped from the in-memory tables.
COLUMNS: Final[dict[Table, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    Table.UNITS: (("unit_id", "name", "agency", "sector", "region_code"), ("lat", "lon")),
    Table.POSITIONS: (
        ("position_id", "unit_id", "title", "job_type", "grade", "required_headcount"),
        ("min_rank", "min_education", "education_fields", "workload_hours"),
    ),
    Table.EMPLOYEES: (
        (
            "nip",
            "birth_date",
            "gender",
            "employment_type",
            "education_level",
            "position_id",
            "position_start",
            "service_start",
        ),
        (
            "name",
            "rank",
            "education_field",
            "home_region_code",
            "home_lat",
            "home_lon",
            "marital_status",
            "children",
            "talent_box",
            "on_hold",
        ),
    ),
    Table.PERFORMANCE: (("nip", "year", "position_id", "rating"), ("score",)),
    Table.COMPETENCIES: (("nip", "competency", "level", "assessed_on"), ()),
    Table.POSITION_COMPETENCIES: (("position_id", "competency", "required_level"), ()),
    Table.TRAININGS: (("training_id", "name", "competency", "hours"), ("level_gain",)),
    Table.TRAINING_HISTORY: (("nip", "training_id", "completed_on"), ()),
    Table.TRANSFERS: (
        (
            "transfer_id",
            "nip",
            "from_position_id",
            "to_position_id",
            "decree_date",
            "resistance",
        ),
        ("effective_date", "initiated_by"),
    ),
    Table.PREFERENCES: (("nip", "kind", "value", "priority"), ()),
}

# Columns holding a NIP: an identifier (it appears in the audit table), but it encodes a birth
# date and gender, so problem lines that quote one say so and can mask it.
NIP_COLUMNS: Final[frozenset[str]] = frozenset({"nip"})

# Personal fields: never logged, never in the audit table, shown only to roles allowed to.
PERSONAL_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "name",
        "birth_date",
        "home_region_code",
        "home_lat",
        "home_lon",
        "marital_status",
        "children",
        "on_hold",
    }
)


def all_columns(table: Table) -> tuple[str, ...]:
    """Every contract column of a table, required first."""
    required, optional = COLUMNS[table]
    return required + optional
