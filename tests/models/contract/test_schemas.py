"""Every contract rule, on the hand-built export (tests/fixtures/export.py), one cell changed."""

from __future__ import annotations

import pandas as pd
import pytest

from models.contract.enums import Table
from models.contract.problems import MAX_PROBLEMS, PERSONAL_NOTE, ContractViolation, Problem
from models.contract.schemas import canonical_schema, validate_frames
from models.contract.tables import column_dtypes
from tests.fixtures.export import FIXTURE_TODAY, NIP_ANI, NIP_RETIRED, valid_agency_frames

NOTE = f"; {PERSONAL_NOTE}"  # what a problem line quoting a NIP adds

Frames = dict[Table, pd.DataFrame]


def _sources(frames: Frames) -> dict[Table, str]:
    return {t: f"{t.value}.csv" for t in frames}


def _problems(frames: Frames) -> list[str]:
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is None
    return [str(p) for p in result.problems]


def _with_cell(table: Table, row: int, column: str, value: str) -> Frames:
    frames = valid_agency_frames()
    frame = frames[table].copy()
    frame.loc[row, column] = value
    frames[table] = frame
    return frames


def test_valid_agency_is_accepted_with_canonical_dtypes() -> None:
    frames = valid_agency_frames()
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is not None
    for table, frame in result.data.frames().items():
        assert frame.dtypes.astype(str).to_dict() == column_dtypes(table)


def test_valid_agency_passes_the_canonical_schemas() -> None:
    frames = valid_agency_frames()
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is not None
    for table, frame in result.data.frames().items():
        canonical_schema(table).validate(frame)


def test_history_tables_may_name_departed_people_and_merged_positions() -> None:
    frames = valid_agency_frames()
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is not None
    assert NIP_RETIRED in set(result.data.performance["nip"])
    assert "P0" in set(result.data.transfers["from_position_id"])


def test_missing_trainings_level_gain_defaults_to_one() -> None:
    frames = valid_agency_frames()
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is not None
    assert result.data.trainings["level_gain"].tolist() == [1.0, 1.0]


def test_missing_required_column_is_located_on_the_header_row() -> None:
    frames = valid_agency_frames()
    frames[Table.POSITIONS] = frames[Table.POSITIONS].drop(columns="grade")
    assert _problems(frames) == [
        "positions.csv:1:grade: kolom wajib tidak ada / required column is missing"
    ]


def test_missing_required_table_is_named() -> None:
    frames = valid_agency_frames()
    del frames[Table.TRANSFERS]
    assert _problems(frames) == [
        "transfers.csv: tabel wajib tidak ada: sediakan NAMA.csv, NAMA.parquet atau NAMA.xlsx / "
        "required table is missing: provide NAME.csv, NAME.parquet or NAME.xlsx"
    ]


def test_absent_optional_table_is_accepted_as_empty_with_a_notice() -> None:
    frames = valid_agency_frames()
    del frames[Table.PREFERENCES]
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is not None and result.data.preferences.empty
    assert "preferences: tabel opsional tidak ada" in result.notices[0]


def test_extra_column_is_accepted_with_a_notice_naming_it() -> None:
    frames = valid_agency_frames()
    frames[Table.UNITS] = frames[Table.UNITS].assign(kode_lama="x")
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.data is not None
    assert "kode_lama" not in result.data.units.columns
    assert result.notices[0] == (
        'units.csv: kolom tambahan "kode_lama" diabaikan / extra column "kode_lama" is ignored'
    )


def test_duplicate_key_names_the_first_row() -> None:
    frames = _with_cell(Table.POSITIONS, 3, "position_id", "P1")
    assert _problems(frames)[0] == (
        "positions.csv:5:position_id: nilai ganda, sudah ada di baris 2 / "
        'duplicate value, already on row 2 (got "P1")'
    )


def test_every_repeat_of_a_key_names_its_first_row() -> None:
    frames = _with_cell(Table.TRANSFERS, 1, "transfer_id", "M1")
    frames[Table.TRANSFERS].loc[2, "transfer_id"] = "M1"
    assert _problems(frames) == [
        f"transfers.csv:{row}:transfer_id: nilai ganda, sudah ada di baris 2 / "
        'duplicate value, already on row 2 (got "M1")'
        for row in (3, 4)
    ]


def test_duplicate_composite_key_is_rejected() -> None:
    frames = _with_cell(Table.POSITION_COMPETENCIES, 1, "competency", "integritas")
    assert _problems(frames) == [
        "position_competencies.csv:3:competency: pasangan position_id + competency ganda, sudah "
        "ada di baris 2 / duplicate position_id + competency pair, already on row 2 "
        '(got "integritas")'
    ]


@pytest.mark.parametrize(
    ("table", "column", "parent_file"),
    [
        (Table.POSITIONS, "unit_id", "units.csv"),
        (Table.EMPLOYEES, "position_id", "positions.csv"),
        (Table.POSITION_COMPETENCIES, "position_id", "positions.csv"),
        (Table.TRAINING_HISTORY, "training_id", "trainings.csv"),
    ],
)
def test_dangling_foreign_key_is_rejected(table: Table, column: str, parent_file: str) -> None:
    value = "X404"
    frames = _with_cell(table, 0, column, value)
    assert _problems(frames) == [
        f"{table.value}.csv:2:{column}: tidak ditemukan di {parent_file} / "
        f'not found in {parent_file} (got "{value}"{NOTE if column == "nip" else ""})'
    ]


def test_unit_preference_must_name_a_known_unit() -> None:
    frames = _with_cell(Table.PREFERENCES, 0, "value", "U404")
    assert _problems(frames) == [
        "preferences.csv:2:value: unit tidak ditemukan di units.csv / unit not found in units.csv "
        '(got "U404")'
    ]


@pytest.mark.parametrize(
    "bad_nip", ["19850115201001200", "1985011520100120011", "19850115201001200A"]
)
def test_malformed_nip_is_rejected(bad_nip: str) -> None:
    frames = _with_cell(Table.PERFORMANCE, 0, "nip", bad_nip)
    assert _problems(frames) == [
        "performance.csv:2:nip: NIP harus 18 digit / NIP must have 18 digits "
        f'(got "{bad_nip}"{NOTE})'
    ]


def test_nip_contradicting_birth_date_is_rejected() -> None:
    frames = _with_cell(Table.EMPLOYEES, 0, "birth_date", "1985-01-16")
    assert _problems(frames) == [
        "employees.csv:2:nip: 8 digit pertama NIP harus sama dengan birth_date (YYYYMMDD) / "
        f'the first 8 digits of the NIP must equal birth_date (YYYYMMDD) (got "{NIP_ANI}"{NOTE})'
    ]


def test_nip_contradicting_gender_is_rejected() -> None:
    frames = _with_cell(Table.EMPLOYEES, 0, "gender", "L")
    assert _problems(frames) == [
        "employees.csv:2:nip: digit ke-15 NIP harus 1 untuk gender L atau 2 untuk P / "
        f'digit 15 of the NIP must be 1 for gender L or 2 for P (got "{NIP_ANI}"{NOTE})'
    ]


@pytest.mark.parametrize(
    ("table", "column", "accepted"),
    [
        (Table.POSITIONS, "job_type", "jpt, administrator, pengawas, pelaksana, fungsional"),
        (Table.POSITIONS, "min_rank", "I/a … IV/e"),
        (Table.POSITIONS, "min_education", "SD, SMP, SMA, D1, D2, D3, D4, S1, S2, S3"),
        (Table.EMPLOYEES, "employment_type", "pns, pppk"),
        (Table.EMPLOYEES, "rank", "I/a … IV/e"),
        (Table.EMPLOYEES, "education_level", "SD, SMP, SMA, D1, D2, D3, D4, S1, S2, S3"),
        (Table.PERFORMANCE, "rating", "sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang"),
        (Table.TRANSFERS, "resistance", "none, objection, refusal, return_request, resignation"),
        (Table.TRANSFERS, "initiated_by", "agency, employee"),
        (Table.PREFERENCES, "kind", "unit, sector, region"),
    ],
)
def test_unknown_enum_value_lists_the_accepted_ones(
    table: Table, column: str, accepted: str
) -> None:
    frames = _with_cell(table, 0, column, "lainnya")
    assert _problems(frames) == [
        f"{table.value}.csv:2:{column}: nilai tidak dikenal; yang diterima: {accepted} / "
        f'unknown value; accepted: {accepted} (got "lainnya")'
    ]


def test_personal_enum_value_is_not_echoed() -> None:
    frames = _with_cell(Table.EMPLOYEES, 0, "marital_status", "kawin")
    assert _problems(frames) == [
        "employees.csv:2:marital_status: nilai tidak dikenal; yang diterima: single, married, "
        "widowed / unknown value; accepted: single, married, widowed"
    ]


def test_gender_outside_l_and_p_is_rejected() -> None:
    frames = _with_cell(Table.EMPLOYEES, 1, "gender", "M")
    assert _problems(frames) == [
        "employees.csv:3:gender: nilai tidak dikenal; yang diterima: L, P / "
        'unknown value; accepted: L, P (got "M")'
    ]


def test_unparseable_date_asks_for_iso_format() -> None:
    frames = _with_cell(Table.TRANSFERS, 1, "decree_date", "03/06/2019")
    assert _problems(frames) == [
        "transfers.csv:3:decree_date: tanggal tidak terbaca, gunakan format YYYY-MM-DD / "
        'date cannot be read, use the format YYYY-MM-DD (got "03/06/2019")'
    ]


def test_future_date_is_rejected() -> None:
    frames = _with_cell(Table.COMPETENCIES, 2, "assessed_on", "2025-07-01")
    assert _problems(frames) == [
        "competencies.csv:4:assessed_on: tanggal di masa depan (setelah 2025-06-30) / "
        'date is in the future (after 2025-06-30) (got "2025-07-01")'
    ]


def test_date_outside_plausible_range_is_rejected() -> None:
    frames = _with_cell(Table.EMPLOYEES, 0, "position_start", "1850-01-01")
    assert _problems(frames) == [
        "employees.csv:2:position_start: tanggal di luar rentang 1900–2199 / "
        'date outside 1900–2199 (got "1850-01-01")'
    ]


def test_future_appraisal_year_is_rejected() -> None:
    frames = _with_cell(Table.PERFORMANCE, 0, "year", "2026")
    assert _problems(frames) == [
        "performance.csv:2:year: tahun di masa depan (setelah 2025) / year is in the future "
        '(after 2025) (got "2026")'
    ]


def test_effective_date_before_decree_date_is_rejected() -> None:
    frames = _with_cell(Table.TRANSFERS, 0, "effective_date", "2021-01-31")
    assert _problems(frames) == [
        "transfers.csv:2:effective_date: effective_date (TMT) tidak boleh sebelum decree_date "
        "(tanggal SK) / effective_date (TMT) must not be before decree_date (SK date) "
        '(got "2021-01-31")'
    ]


def test_negative_required_headcount_is_rejected() -> None:
    frames = _with_cell(Table.POSITIONS, 2, "required_headcount", "-1")
    assert _problems(frames) == [
        'positions.csv:4:required_headcount: tidak boleh negatif / must not be negative (got "-1")'
    ]


@pytest.mark.parametrize(
    ("table", "column", "value", "bounds"),
    [
        (Table.POSITIONS, "grade", "18", "1 dan 17 / must be between 1 and 17"),
        (Table.POSITIONS, "grade", "0", "1 dan 17 / must be between 1 and 17"),
        (Table.COMPETENCIES, "level", "6", "1 dan 5 / must be between 1 and 5"),
        (Table.POSITION_COMPETENCIES, "required_level", "0", "1 dan 5 / must be between 1 and 5"),
        (Table.EMPLOYEES, "talent_box", "10", "1 dan 9 / must be between 1 and 9"),
        (Table.PERFORMANCE, "score", "100.5", "0 dan 100 / must be between 0 and 100"),
        (Table.UNITS, "lat", "91", "-90 dan 90 / must be between -90 and 90"),
    ],
)
def test_value_outside_its_range_is_rejected(
    table: Table, column: str, value: str, bounds: str
) -> None:
    frames = _with_cell(table, 0, column, value)
    assert _problems(frames) == [
        f'{table.value}.csv:2:{column}: harus antara {bounds} (got "{value}")'
    ]


def test_fractional_integer_is_rejected() -> None:
    frames = _with_cell(Table.POSITIONS, 0, "grade", "7.5")
    assert _problems(frames) == [
        'positions.csv:2:grade: harus bilangan bulat / must be a whole number (got "7.5")'
    ]


def test_decimal_comma_is_rejected() -> None:
    frames = _with_cell(Table.PERFORMANCE, 0, "score", "82,5")
    assert _problems(frames) == [
        "performance.csv:2:score: harus angka dengan titik desimal / must be a number with a "
        'decimal point (got "82,5")'
    ]


def test_empty_required_value_is_rejected() -> None:
    frames = _with_cell(Table.UNITS, 1, "sector", "  ")
    assert _problems(frames) == ["units.csv:3:sector: nilai wajib kosong / required value is empty"]


def test_unknown_competency_code_is_rejected() -> None:
    frames = _with_cell(Table.TRAININGS, 0, "competency", "kepemimpinan")
    assert _problems(frames) == [
        "trainings.csv:2:competency: kode kompetensi tidak dikenal: pakai kompetensi manajerial, "
        "perekat_bangsa, atau awalan teknis_ / unknown competency code: use a managerial code, "
        'perekat_bangsa or the teknis_ prefix (got "kepemimpinan")'
    ]


def test_personal_date_value_is_not_echoed() -> None:
    frames = _with_cell(Table.EMPLOYEES, 0, "birth_date", "15-01-1985")
    assert _problems(frames) == [
        "employees.csv:2:birth_date: tanggal tidak terbaca, gunakan format YYYY-MM-DD / "
        "date cannot be read, use the format YYYY-MM-DD"
    ]


def test_empty_required_table_is_rejected() -> None:
    frames = valid_agency_frames()
    frames[Table.UNITS] = frames[Table.UNITS].iloc[0:0]
    assert _problems(frames)[0] == (
        "units.csv:2: tabel tidak berisi baris data / table has no data rows"
    )


def test_problem_renders_file_row_column_message() -> None:
    problem = Problem("employees.csv", 14, "nip", "NIP harus 18 digit / NIP must have 18 digits")
    assert str(problem) == "employees.csv:14:nip: NIP harus 18 digit / NIP must have 18 digits"


def test_many_problems_are_capped_but_counted() -> None:
    frames = valid_agency_frames()
    many = pd.concat([frames[Table.PERFORMANCE]] * 300, ignore_index=True)
    frames[Table.PERFORMANCE] = many.assign(rating="bagus")
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert (len(result.problems), result.total_problems) == (MAX_PROBLEMS, 1500)


def test_many_problems_are_summarised_per_file_column_and_rule() -> None:
    frames = valid_agency_frames()
    many = pd.concat([frames[Table.PERFORMANCE]] * 300, ignore_index=True)
    frames[Table.PERFORMANCE] = many.assign(rating="bagus")
    result = validate_frames(frames, sources=_sources(frames), today=FIXTURE_TODAY)
    assert result.summary == [
        "performance.csv:rating: 1500 baris / rows: nilai tidak dikenal; yang diterima: "
        "sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang / unknown value; accepted: "
        "sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang"
    ]


def test_contract_violation_message_ends_with_the_summary() -> None:
    problems = [Problem("units.csv", i, "unit_id", "x / x") for i in range(2, 82)]
    summary = ["units.csv:unit_id: 80 baris / rows: x / x"]
    message = ContractViolation(problems, total=80, summary=summary).message
    assert message.splitlines()[-2:] == ["Ringkasan per kolom / Summary by column:", summary[0]]


def test_contract_violation_message_shows_fifty_problems_and_the_total() -> None:
    problems = [Problem("units.csv", i, "unit_id", "x / x") for i in range(2, 82)]
    message = ContractViolation(problems, total=1500).message
    lines = message.splitlines()
    assert (len(lines), lines[0], lines[-1]) == (
        52,
        "Data melanggar kontrak: 1500 masalah / Data breaks the contract: 1500 problems",
        "… dan 1450 lagi / … and 1450 more",
    )
