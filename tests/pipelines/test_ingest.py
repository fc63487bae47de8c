"""Ingest of whole folders: each bad input gives its exact located message and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer
from openpyxl import Workbook
from typer.testing import CliRunner

from cli.commands import ingest as ingest_commands
from models.contract.enums import Table
from models.contract.problems import ContractViolation
from pipelines.ingest import ingest_folder, read_and_validate
from pipelines.readers import read_folder
from pipelines.settings import Settings
from pipelines.snapshots import current_snapshot_id, list_snapshots
from tests.fixtures.export import FIXTURE_TODAY, NIP_ANI, valid_agency_frames, write_agency


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", as_of=FIXTURE_TODAY)


@pytest.fixture
def ingested(valid_agency_dir: Path, settings: Settings) -> str:
    """A data home whose current snapshot is the valid agency; returns its id."""
    return ingest_folder(valid_agency_dir, settings=settings).id


def _cli() -> typer.Typer:
    """The ingest commands on their own app, as `mutasi` registers them."""
    cli = typer.Typer()
    ingest_commands.register(cli)
    return cli


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _rejected(folder: Path, settings: Settings) -> list[str]:
    """Ingest a bad folder; assert nothing on disk changed; return the problem lines."""
    before = _tree(settings.home)
    current = current_snapshot_id(settings)
    with pytest.raises(ContractViolation) as caught:
        ingest_folder(folder, settings=settings)
    assert current_snapshot_id(settings) == current
    assert _tree(settings.home) == before
    return [str(p) for p in caught.value.problems]


def _edited(folder: Path, table: Table, row: int, column: str, value: str) -> Path:
    frames = valid_agency_frames()
    frames[table].loc[row, column] = value
    return write_agency(frames, folder)


def test_ingest_rejects_missing_column(tmp_path: Path, settings: Settings, ingested: str) -> None:
    frames = valid_agency_frames()
    frames[Table.EMPLOYEES] = frames[Table.EMPLOYEES].drop(columns="gender")
    folder = write_agency(frames, tmp_path / "bad")
    assert _rejected(folder, settings) == [
        "employees.csv:1:gender: kolom wajib tidak ada / required column is missing"
    ]


def test_ingest_accepts_extra_column_with_notice(tmp_path: Path, settings: Settings) -> None:
    frames = valid_agency_frames()
    frames[Table.EMPLOYEES] = frames[Table.EMPLOYEES].assign(agama="-")
    info = ingest_folder(write_agency(frames, tmp_path / "extra"), settings=settings)
    assert info.notices[0] == (
        'employees.csv: kolom tambahan "agama" diabaikan / extra column "agama" is ignored'
    )


def test_ingest_rejects_duplicate_key(tmp_path: Path, settings: Settings, ingested: str) -> None:
    folder = _edited(tmp_path / "bad", Table.UNITS, 1, "unit_id", "U1")
    assert _rejected(folder, settings)[0] == (
        "units.csv:3:unit_id: nilai ganda, sudah ada di baris 2 / "
        'duplicate value, already on row 2 (got "U1")'
    )


def test_ingest_rejects_dangling_position(
    tmp_path: Path, settings: Settings, ingested: str
) -> None:
    folder = _edited(tmp_path / "bad", Table.EMPLOYEES, 2, "position_id", "P9")
    assert _rejected(folder, settings) == [
        "employees.csv:4:position_id: tidak ditemukan di positions.csv / not found in "
        'positions.csv (got "P9")'
    ]


def test_ingest_rejects_malformed_nip(tmp_path: Path, settings: Settings, ingested: str) -> None:
    folder = _edited(tmp_path / "bad", Table.TRANSFERS, 0, "nip", "19850115201001200")
    assert _rejected(folder, settings) == [
        "transfers.csv:2:nip: NIP harus 18 digit / NIP must have 18 digits "
        '(got "19850115201001200"; memuat data pribadi / quotes personal data)'
    ]


def test_ingest_rejects_nip_contradicting_birth_date(
    tmp_path: Path, settings: Settings, ingested: str
) -> None:
    folder = _edited(tmp_path / "bad", Table.EMPLOYEES, 0, "birth_date", "1986-01-15")
    assert _rejected(folder, settings) == [
        "employees.csv:2:nip: 8 digit pertama NIP harus sama dengan birth_date (YYYYMMDD) / "
        f'the first 8 digits of the NIP must equal birth_date (YYYYMMDD) (got "{NIP_ANI}"; '
        "memuat data pribadi / quotes personal data)"
    ]


def test_ingest_rejects_nip_contradicting_gender(
    tmp_path: Path, settings: Settings, ingested: str
) -> None:
    folder = _edited(tmp_path / "bad", Table.EMPLOYEES, 0, "gender", "L")
    assert _rejected(folder, settings) == [
        "employees.csv:2:nip: digit ke-15 NIP harus 1 untuk gender L atau 2 untuk P / "
        f'digit 15 of the NIP must be 1 for gender L or 2 for P (got "{NIP_ANI}"; '
        "memuat data pribadi / quotes personal data)"
    ]


def test_ingest_rejects_bad_enum(tmp_path: Path, settings: Settings, ingested: str) -> None:
    folder = _edited(tmp_path / "bad", Table.POSITIONS, 0, "job_type", "struktural")
    assert _rejected(folder, settings) == [
        "positions.csv:2:job_type: nilai tidak dikenal; yang diterima: jpt, administrator, "
        "pengawas, pelaksana, fungsional / unknown value; accepted: jpt, administrator, pengawas, "
        'pelaksana, fungsional (got "struktural")'
    ]


def test_ingest_rejects_unparseable_date(tmp_path: Path, settings: Settings, ingested: str) -> None:
    folder = _edited(tmp_path / "bad", Table.TRAINING_HISTORY, 0, "completed_on", "20-02-24")
    assert _rejected(folder, settings) == [
        "training_history.csv:2:completed_on: tanggal tidak terbaca, gunakan format YYYY-MM-DD / "
        'date cannot be read, use the format YYYY-MM-DD (got "20-02-24")'
    ]


def test_ingest_rejects_future_date(tmp_path: Path, settings: Settings, ingested: str) -> None:
    folder = _edited(tmp_path / "bad", Table.TRANSFERS, 2, "decree_date", "2030-01-01")
    assert _rejected(folder, settings) == [
        "transfers.csv:4:decree_date: tanggal di masa depan (setelah 2025-06-30) / "
        'date is in the future (after 2025-06-30) (got "2030-01-01")'
    ]


def test_ingest_rejects_negative_headcount(
    tmp_path: Path, settings: Settings, ingested: str
) -> None:
    folder = _edited(tmp_path / "bad", Table.POSITIONS, 1, "required_headcount", "-3")
    assert _rejected(folder, settings) == [
        'positions.csv:3:required_headcount: tidak boleh negatif / must not be negative (got "-3")'
    ]


def test_ingest_rejects_empty_file(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    (valid_agency_dir / "performance.csv").write_bytes(b"")
    assert _rejected(valid_agency_dir, settings) == [
        "performance.csv:1: berkas kosong / file is empty"
    ]


def test_ingest_rejects_xlsx_with_the_table_on_another_sheet(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    (valid_agency_dir / "units.csv").unlink()
    workbook = Workbook()
    workbook.active.title = "Petunjuk"
    workbook.active.append(["Isi lembar Unit Kerja"])
    sheet = workbook.create_sheet("Unit Kerja")
    units = valid_agency_frames()[Table.UNITS]
    sheet.append(list(units.columns))
    for row in units.itertuples(index=False):
        sheet.append(list(row))
    workbook.save(valid_agency_dir / "units.xlsx")
    assert _rejected(valid_agency_dir, settings) == [
        'units.xlsx:1:unit_id: lembar pertama "Petunjuk" tidak memuat kolom ini; kolom ada di '
        'lembar "Unit Kerja": jadikan lembar pertama / the first sheet "Petunjuk" lacks this '
        'column; it is on sheet "Unit Kerja": make that the first sheet'
    ]


def test_ingest_rejects_unreadable_xlsx(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    (valid_agency_dir / "trainings.csv").unlink()
    (valid_agency_dir / "trainings.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert _rejected(valid_agency_dir, settings) == [
        "trainings.xlsx: berkas XLSX tidak bisa dibaca (ZipError) / XLSX file cannot be read "
        "(ZipError)"
    ]


def test_ingest_rejects_a_table_in_two_formats(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    valid_agency_frames()[Table.UNITS].to_parquet(valid_agency_dir / "units.parquet")
    assert _rejected(valid_agency_dir, settings) == [
        "units.csv: tabel ini ada dalam lebih dari satu format (units.csv, units.parquet); "
        "sisakan satu / this table comes in more than one format (units.csv, units.parquet); "
        "keep one"
    ]


def test_ingest_rejects_csv_row_with_too_many_fields(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    path = valid_agency_dir / "trainings.csv"
    path.write_text(path.read_text(encoding="utf-8") + "T3,Pelatihan,integritas,8,1,extra\n")
    assert _rejected(valid_agency_dir, settings) == [
        "trainings.csv:4: baris CSV tidak bisa dibaca: Expected 5 fields in line 4, saw 6 / "
        "CSV row cannot be read: Expected 5 fields in line 4, saw 6"
    ]


def test_ingest_rejects_rows_with_one_field_more_than_the_header(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    """pandas would take the first column as the index and read every row shifted by one
    (found by the corrupted-folder property test: a traceback instead of a located problem)."""
    path = valid_agency_dir / "trainings.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *(f"{row},x" for row in rows)]) + "\n", encoding="utf-8")
    assert _rejected(valid_agency_dir, settings) == [
        "trainings.csv:2: baris data memuat 6 kolom, header hanya 5; hapus pemisah di akhir "
        "baris atau lengkapi nama kolom / data rows hold 6 fields but the header has 5; remove "
        "the trailing separator or name every column"
    ]


def test_ingest_rejects_a_column_named_twice(
    valid_agency_dir: Path, settings: Settings, ingested: str
) -> None:
    frames = valid_agency_frames()
    units = frames[Table.UNITS].assign(NAME="Dinas")
    units.to_excel(valid_agency_dir / "units.xlsx", index=False)
    (valid_agency_dir / "units.csv").unlink()
    assert _rejected(valid_agency_dir, settings) == [
        "units.xlsx:1:name: nama kolom muncul dua kali / column name appears twice"
    ]


def test_reader_drops_blank_unnamed_xlsx_columns(tmp_path: Path) -> None:
    workbook = Workbook()
    units = valid_agency_frames()[Table.UNITS]
    workbook.active.append([*units.columns, None])
    for row in units.itertuples(index=False):
        workbook.active.append([*row, None])
    folder = write_agency(valid_agency_frames(), tmp_path / "a")
    (folder / "units.csv").unlink()
    workbook.save(folder / "units.xlsx")
    assert list(read_folder(folder).frames[Table.UNITS].columns) == list(units.columns)


def test_reader_ignores_unknown_files_and_subfolders(valid_agency_dir: Path) -> None:
    (valid_agency_dir / "_truth").mkdir()
    (valid_agency_dir / "_truth" / "units.csv").write_text("garbage")
    (valid_agency_dir / "README.txt").write_text("catatan")
    read = read_folder(valid_agency_dir)
    assert (read.problems, sorted(read.sources)) == ([], sorted(Table))


def test_reader_keeps_leading_zeros_as_text(tmp_path: Path) -> None:
    frames = valid_agency_frames()
    frames[Table.UNITS].loc[0, "region_code"] = "0375"
    read = read_folder(write_agency(frames, tmp_path / "a"))
    assert read.frames[Table.UNITS].loc[0, "region_code"] == "0375"


def test_reader_skips_blank_rows_but_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "a")
    path = folder / "units.csv"
    header, first, second = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{header}\n{first}\n,,,,,,\n{second.replace('U2', 'U1')}\n")
    with pytest.raises(ContractViolation) as caught:
        read_and_validate(folder, today=FIXTURE_TODAY)
    assert str(caught.value.problems[0]).startswith("units.csv:4:unit_id: nilai ganda")


def test_mixed_formats_read_the_same_as_csv(tmp_path: Path) -> None:
    frames = valid_agency_frames()
    as_csv = read_and_validate(write_agency(frames, tmp_path / "csv"), today=FIXTURE_TODAY)
    formats = {t: ("parquet", "xlsx", "csv")[i % 3] for i, t in enumerate(Table)}
    mixed = read_and_validate(
        write_agency(frames, tmp_path / "mixed", formats), today=FIXTURE_TODAY
    )
    for table in Table:
        pd.testing.assert_frame_equal(mixed.table(table), as_csv.table(table))


def test_typed_parquet_reads_the_same_as_csv(tmp_path: Path) -> None:
    frames = valid_agency_frames()
    as_csv = read_and_validate(write_agency(frames, tmp_path / "csv"), today=FIXTURE_TODAY)
    folder = write_agency(frames, tmp_path / "typed")
    (folder / "employees.csv").unlink()
    (folder / "performance.csv").unlink()
    as_csv.employees.to_parquet(folder / "employees.parquet")  # dates, floats with NaN
    as_csv.performance.to_parquet(folder / "performance.parquet")  # int64 year, float score
    typed = read_and_validate(folder, today=FIXTURE_TODAY)
    for table in (Table.EMPLOYEES, Table.PERFORMANCE):
        pd.testing.assert_frame_equal(typed.table(table), as_csv.table(table))


def test_cli_ingest_prints_snapshot_and_counts(
    valid_agency_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_home(monkeypatch, tmp_path)
    result = CliRunner().invoke(_cli(), ["ingest", str(valid_agency_dir)])
    assert result.exit_code == 0
    assert (
        "snapshot: " in result.output
        and "employees                       4 baris / rows" in result.output
    )


def test_cli_ingest_prints_located_problems_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_home(monkeypatch, tmp_path)
    folder = _edited(tmp_path / "bad", Table.POSITIONS, 1, "required_headcount", "-3")
    result = CliRunner().invoke(_cli(), ["ingest", str(folder)])
    assert result.exit_code == 2
    assert "positions.csv:3:required_headcount: tidak boleh negatif" in result.output


def test_cli_snapshots_pins_and_unpins(
    valid_agency_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _use_home(monkeypatch, tmp_path)
    runner = CliRunner()
    first = ingest_folder(valid_agency_dir, settings=settings).id
    extra = valid_agency_frames()
    extra[Table.UNITS].loc[0, "name"] = "Dinas Kesehatan dan KB"
    second = ingest_folder(write_agency(extra, tmp_path / "v2"), settings=settings).id
    pinned = runner.invoke(_cli(), ["snapshots", "--pin", first])
    assert (pinned.exit_code, current_snapshot_id(settings)) == (0, first)
    listing = runner.invoke(_cli(), ["snapshots"]).output.splitlines()
    assert listing[1].startswith(first) and listing[1].endswith("pinned")
    assert listing[2].startswith(second) and listing[2].endswith("current")
    runner.invoke(_cli(), ["snapshots", "--unpin"])
    assert current_snapshot_id(settings) == second


def _use_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    from pipelines.settings import get_settings

    monkeypatch.setenv("MUTASI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MUTASI_AS_OF", FIXTURE_TODAY.isoformat())
    get_settings.cache_clear()
    settings = get_settings()
    assert len(list_snapshots(settings)) == 0
    return settings


@pytest.mark.integration
def test_mutasi_ingest_command_exits_non_zero_with_located_lines(tmp_path: Path) -> None:
    folder = _edited(tmp_path / "bad", Table.UNITS, 0, "sector", "")
    env = {**os.environ, "MUTASI_HOME": str(tmp_path / "home"), "MUTASI_AS_OF": "2025-06-30"}
    mutasi = Path(sys.executable).with_name("mutasi")
    done = subprocess.run(
        [str(mutasi), "ingest", str(folder)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert "units.csv:2:sector: nilai wajib kosong / required value is empty" in done.stderr
    assert "Traceback" not in done.stderr
