"""Exports as spreadsheets and HR systems really write them (issue 9).

What can be read one way only is normalised: the folder ingests to the same content hash as the
contract-clean folder, and the report has one line for the change (file, column, cells, one
example). What would be a guess is refused with its located message, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import typer
from openpyxl import Workbook
from typer.testing import CliRunner

from cli.commands import ingest as ingest_commands
from models.contract.enums import Table
from models.contract.problems import ContractViolation
from pipelines.ingest import ingest_folder, validate_folder
from pipelines.mapping import MappingError
from pipelines.settings import Settings
from pipelines.snapshots import content_hash, current_snapshot_id
from tests.fixtures.export import (
    FIXTURE_TODAY,
    NIP_ANI,
    NIP_RETIRED,
    valid_agency_frames,
    write_agency,
)

Frames = dict[Table, pd.DataFrame]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", as_of=FIXTURE_TODAY)


@pytest.fixture
def clean_hash(tmp_path: Path) -> str:
    result, _ = validate_folder(
        write_agency(valid_agency_frames(), tmp_path / "clean"), today=FIXTURE_TODAY
    )
    assert result.data is not None
    return content_hash(result.data)


def _accepted(folder: Path) -> tuple[str, list[str]]:
    """Content hash and report lines of a folder that must be accepted."""
    result, _ = validate_folder(folder, today=FIXTURE_TODAY)
    assert result.data is not None, [str(p) for p in result.problems]
    return content_hash(result.data), result.notices


def _messy(tmp_path: Path, edit: Callable[[Frames], None]) -> Path:
    frames = valid_agency_frames()
    edit(frames)
    return write_agency(frames, tmp_path / "messy")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _rejected(folder: Path, settings: Settings) -> list[str]:
    """Ingest over a current snapshot; assert nothing on disk changed; the problem lines."""
    good = ingest_folder(
        write_agency(valid_agency_frames(), folder.parent / "good"), settings=settings
    )
    before = _tree(settings.home)
    with pytest.raises(ContractViolation) as caught:
        ingest_folder(folder, settings=settings)
    assert current_snapshot_id(settings) == good.id
    assert _tree(settings.home) == before
    return [str(p) for p in caught.value.problems]


# --- file-level forms -------------------------------------------------------------------


def test_utf8_bom_is_dropped_and_reported(tmp_path: Path, clean_hash: str) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "bom")
    path = folder / "units.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    digest, notices = _accepted(folder)
    assert digest == clean_hash
    assert (
        "units.csv: 1 sel / cells: BOM UTF-8 dibuang / UTF-8 BOM removed (contoh / e.g. "
        '"\\ufeff" → "")'
    ) in notices


def test_windows_1252_is_read_and_blamed_on_the_column_holding_the_byte(tmp_path: Path) -> None:
    frames = valid_agency_frames()
    frames[Table.UNITS].loc[1, "name"] = "Dinas Pendidikan, Pemuda, dan Olahraga Désirée"
    expected, _ = _accepted(write_agency(frames, tmp_path / "utf8"))
    folder = write_agency(frames, tmp_path / "cp1252")
    (folder / "units.csv").write_bytes(frames[Table.UNITS].to_csv(index=False).encode("cp1252"))
    digest, notices = _accepted(folder)
    assert digest == expected
    assert (
        'units.csv:name: 2 sel / cells: Windows-1252 → UTF-8 (contoh / e.g. "0xE9" → "é")'
        in notices
    )


@pytest.mark.parametrize(("separator", "shown"), [(";", ";"), ("\t", "tab")])
def test_semicolon_or_tab_separated_csv_with_decimal_commas(
    tmp_path: Path, clean_hash: str, separator: str, shown: str
) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "excel")
    units = valid_agency_frames()[Table.UNITS]
    units["lat"] = units["lat"].str.replace(".", ",")
    (folder / "units.csv").write_text(units.to_csv(index=False, sep=separator), encoding="utf-8")
    digest, notices = _accepted(folder)
    assert digest == clean_hash
    assert (
        f"units.csv: 1 sel / cells: pemisah kolom {shown} → koma / column separator {shown} → "
        f'comma (contoh / e.g. "{shown}" → ",")'
    ) in notices
    assert (
        "units.csv:lat: 1 sel / cells: koma desimal → titik / decimal comma → point (contoh / "
        'e.g. "-0,3050" → "-0.3050")'
    ) in notices


def test_crlf_trailing_blanks_and_empty_trailing_rows(tmp_path: Path, clean_hash: str) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "crlf")
    trainings = valid_agency_frames()[Table.TRAININGS]
    trainings["name"] = trainings["name"] + "  "
    text = trainings.to_csv(index=False, lineterminator="\r\n") + ",,,,\r\n,,,,\r\n"
    (folder / "trainings.csv").write_bytes(text.encode("utf-8"))
    digest, notices = _accepted(folder)
    assert digest == clean_hash
    assert [n for n in notices if n.startswith("trainings.csv")] == [
        (
            "trainings.csv: 5 sel / cells: akhir baris CRLF → LF / CRLF line ends → LF (contoh / "
            'e.g. "\\r\\n" → "\\n")'
        ),
        (
            "trainings.csv: 2 sel / cells: baris kosong dilewati / empty rows skipped (contoh / "
            'e.g. "" → "")'
        ),
        (
            "trainings.csv:name: 2 sel / cells: spasi di tepi dibuang / blanks trimmed (contoh / "
            'e.g. "Pelatihan Manajemen Puskesmas  " → "Pelatihan Manajemen Puskesmas")'
        ),
    ]


def test_xlsx_header_under_a_title_block(tmp_path: Path, clean_hash: str) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "title")
    (folder / "positions.csv").unlink()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DAFTAR JABATAN PEMERINTAH KOTA BUKITTINGGI"])
    sheet.append(["Keadaan 30 Juni 2025"])
    positions = valid_agency_frames()[Table.POSITIONS]
    sheet.append(list(positions.columns))
    for row in positions.itertuples(index=False):
        sheet.append(list(row))
    workbook.save(folder / "positions.xlsx")
    digest, notices = _accepted(folder)
    assert digest == clean_hash
    assert (
        "positions.xlsx: 2 sel / cells: baris judul di atas tabel dilewati / title rows above "
        'the table skipped (contoh / e.g. "DAFTAR JABATAN PEMERINTAH KOTA BUKITTING" → '
        '"header: baris / row 3")'
    ) in notices


def test_xlsx_header_under_a_title_keeps_spreadsheet_row_numbers(
    tmp_path: Path, settings: Settings
) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "bad")
    (folder / "positions.csv").unlink()
    workbook = Workbook()
    workbook.active.append(["DAFTAR JABATAN"])
    positions = valid_agency_frames()[Table.POSITIONS]
    positions.loc[1, "required_headcount"] = "-3"
    workbook.active.append(list(positions.columns))
    for row in positions.itertuples(index=False):
        workbook.active.append(list(row))
    workbook.save(folder / "positions.xlsx")
    assert _rejected(folder, settings) == [
        'positions.xlsx:4:required_headcount: tidak boleh negatif / must not be negative (got "-3")'
    ]


def test_empty_optional_table_is_absent_with_a_notice(tmp_path: Path) -> None:
    frames = valid_agency_frames()
    del frames[Table.PREFERENCES]
    expected, _ = _accepted(write_agency(frames, tmp_path / "absent"))
    folder = write_agency(frames, tmp_path / "empty")
    (folder / "preferences.csv").write_bytes(b"")
    digest, notices = _accepted(folder)
    assert digest == expected
    assert notices[0] == (
        "preferences.csv: berkas kosong, tabel opsional dianggap tidak ada / empty file, "
        "optional table treated as absent"
    )


# --- cell-level forms -------------------------------------------------------------------


def _set(table: Table, column: str, values: list[str]) -> Callable[[Frames], None]:
    def edit(frames: Frames) -> None:
        frames[table][column] = values

    return edit


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (
            _set(Table.TRANSFERS, "decree_date", ["01-02-2021", "3/6/2019", "10 Januari 2017"]),
            (
                "transfers.csv:decree_date: 3 sel / cells: tanggal → YYYY-MM-DD / date → "
                'YYYY-MM-DD (contoh / e.g. "01-02-2021" → "2021-02-01")'
            ),
        ),
        (
            _set(Table.TRAINING_HISTORY, "completed_on", ["45342"]),
            (
                "training_history.csv:completed_on: 1 sel / cells: tanggal → YYYY-MM-DD / date → "
                'YYYY-MM-DD (contoh / e.g. "45342" → "2024-02-20")'
            ),
        ),
        (
            _set(Table.COMPETENCIES, "assessed_on", ["10 Mei 2023", "10/05/2023", "1 Sep 2022"]),
            (
                "competencies.csv:assessed_on: 3 sel / cells: tanggal → YYYY-MM-DD / date → "
                'YYYY-MM-DD (contoh / e.g. "10 Mei 2023" → "2023-05-10")'
            ),
        ),
        (
            lambda f: f[Table.PERFORMANCE].__setitem__(
                "nip",
                f[Table.PERFORMANCE]["nip"].str.replace(
                    r"^(\d{8})(\d{6})(\d)(\d{3})$", r"\1 \2 \3 \4", regex=True
                ),
            ),
            (
                "performance.csv:nip: 5 sel / cells: NIP berspasi/bertitik → 18 digit / NIP with "
                'spaces or dots → 18 digits (contoh / e.g. "######## ###### # ###" → '
                '"##################")'
            ),
        ),
        (
            lambda f: f[Table.EMPLOYEES].__setitem__(
                "nip",
                f[Table.EMPLOYEES]["nip"].str.replace(r"^(\d{8})(\d{6})", r"\1.\2.", regex=True),
            ),
            (
                "employees.csv:nip: 4 sel / cells: NIP berspasi/bertitik → 18 digit / NIP with "
                'spaces or dots → 18 digits (contoh / e.g. "########.######.####" → '
                '"##################")'
            ),
        ),
        (
            _set(Table.EMPLOYEES, "rank", ["III/C", "III-d", "", "III c"]),
            (
                "employees.csv:rank: 3 sel / cells: golongan → I/a … IV/e / golongan → I/a … IV/e "
                '(contoh / e.g. "III/C" → "III/c")'
            ),
        ),
        (
            _set(Table.EMPLOYEES, "gender", ["Perempuan", "Laki-laki", "2", "l"]),
            (
                "employees.csv:gender: 4 sel / cells: jenis kelamin → L/P / gender → L/P (contoh "
                '/ e.g. "Perempuan" → "P")'
            ),
        ),
        (
            _set(
                Table.PERFORMANCE,
                "rating",
                ["Baik", "Sangat Baik", "BAIK", "Butuh Perbaikan", "kurang"],
            ),
            (
                "performance.csv:rating: 4 sel / cells: nilai → sangat_baik … / values → "
                'sangat_baik … (contoh / e.g. "Baik" → "baik")'
            ),
        ),
        (
            _set(Table.POSITIONS, "min_education", ["s1", "D3", "s1", "S2"]),
            (
                "positions.csv:min_education: 2 sel / cells: nilai → SD … / values → SD … (contoh "
                '/ e.g. "s1" → "S1")'
            ),
        ),
        (
            _set(
                Table.COMPETENCIES,
                "competency",
                ["Integritas", "Teknis Kesehatan", "pengambilan keputusan"],
            ),
            (
                "competencies.csv:competency: 3 sel / cells: kode kompetensi → huruf kecil_ / "
                'competency code → lower_case (contoh / e.g. "Integritas" → "integritas")'
            ),
        ),
        (
            _set(Table.PERFORMANCE, "score", ["82,5", "91", "", "64", "55"]),
            (
                "performance.csv:score: 1 sel / cells: koma desimal → titik / decimal comma → "
                'point (contoh / e.g. "82,5" → "82.5")'
            ),
        ),
    ],
    ids=[
        "day-first",
        "excel-serial",
        "month-names",
        "nip-spaces",
        "nip-dots",
        "golongan",
        "gender",
        "enum-case",
        "education-case",
        "competency",
        "decimal-comma",
    ],
)
def test_cells_written_differently_are_normalised_and_reported(
    tmp_path: Path, clean_hash: str, edit: Callable[[Frames], None], line: str
) -> None:
    digest, notices = _accepted(_messy(tmp_path, edit))
    assert digest == clean_hash
    assert line in notices


# --- refused: a guess, or not a table ---------------------------------------------------


def test_nip_turned_into_a_number_by_excel_is_refused(tmp_path: Path, settings: Settings) -> None:
    folder = _messy(tmp_path, _set(Table.TRAINING_HISTORY, "nip", ["1.98501E+17"]))
    assert _rejected(folder, settings) == [
        "training_history.csv:2:nip: NIP diubah Excel menjadi angka, digit hilang: format kolom "
        "sebagai Teks lalu ekspor ulang / Excel turned the NIP into a number and lost digits: "
        "format the column as Text and export again"
    ]


def test_date_column_mixing_day_first_and_month_first_is_refused(
    tmp_path: Path, settings: Settings
) -> None:
    folder = _messy(
        tmp_path, _set(Table.TRANSFERS, "decree_date", ["02/01/2021", "06/23/2019", "2017-01-10"])
    )
    problems = _rejected(folder, settings)
    assert [p.split(": ")[0] for p in problems] == [
        "transfers.csv:2:decree_date",
        "transfers.csv:3:decree_date",
    ]
    assert problems[0].endswith(
        "kolom memuat tanggal bulan-dulu (MM/DD/YYYY) di samping hari-dulu; tanggal seperti ini "
        "bisa dibaca dua cara: tulis semua sebagai YYYY-MM-DD / the column holds month-first "
        "dates (MM/DD/YYYY) beside day-first ones, so dates like this one read two ways: write "
        "them all as YYYY-MM-DD"
    )


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n1 0 obj", "berkas PDF / a PDF file"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "XLS lama (Excel 97-2003): simpan sebagai XLSX / old XLS: save as XLSX",
        ),
        (b"PK\x03\x04\x14\x00", "berkas ZIP/XLSX bernama .csv / a ZIP or XLSX file named .csv"),
        (bytes(range(256)) * 4, "berkas biner / a binary file"),
    ],
    ids=["pdf", "xls", "zip", "binary"],
)
def test_a_file_that_is_not_a_table_says_what_it_is(
    valid_agency_dir: Path, settings: Settings, content: bytes, what: str
) -> None:
    (valid_agency_dir / "units.csv").write_bytes(content)
    assert _rejected(valid_agency_dir, settings) == [
        f"units.csv: bukan tabel: {what}; ekspor tabelnya sebagai CSV atau XLSX / not a table: "
        f"{what}; export the table as CSV or XLSX"
    ]


def test_empty_required_table_is_refused(valid_agency_dir: Path, settings: Settings) -> None:
    (valid_agency_dir / "employees.csv").write_bytes(b"\r\n \n")
    assert _rejected(valid_agency_dir, settings) == [
        "employees.csv:1: berkas kosong / file is empty"
    ]


def test_a_table_of_other_columns_is_one_problem(
    valid_agency_dir: Path, settings: Settings
) -> None:
    (valid_agency_dir / "units.csv").write_text("kode,uraian\n1,Dinas\n", encoding="utf-8")
    assert _rejected(valid_agency_dir, settings) == [
        "units.csv:1: baris 1 tidak memuat satu pun kolom tabel ini (unit_id, name, agency, "
        "sector, region_code): bukan tabel units? / row 1 holds none of this table's columns "
        "(unit_id, name, agency, sector, region_code): is this the units table?"
    ]


def test_a_whole_agency_written_the_indonesian_excel_way_ingests_to_the_same_snapshot(
    tmp_path: Path, settings: Settings
) -> None:
    clean = ingest_folder(
        write_agency(valid_agency_frames(), tmp_path / "clean"), settings=settings
    )
    folder = write_agency(valid_agency_frames(), tmp_path / "excel")
    for table, frame in valid_agency_frames().items():
        text = frame.to_csv(index=False, sep=";", lineterminator="\r\n")
        (folder / f"{table.value}.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    messy = ingest_folder(folder, settings=settings)
    assert (messy.content_hash, messy.reused) == (clean.content_hash, True)
    assert NIP_ANI not in "\n".join(messy.notices)


def test_a_bad_key_is_one_problem_before_its_consequences(
    tmp_path: Path, settings: Settings
) -> None:
    folder = _messy(tmp_path, lambda f: f[Table.UNITS].__setitem__("unit_id", ["", "U2"]))
    assert _rejected(folder, settings) == [
        "units.csv:2:unit_id: nilai wajib kosong / required value is empty",
        "positions.csv: 2 baris merujuk units.csv yang kolom unit_id-nya bermasalah (lihat di "
        "atas); diperiksa lagi setelah itu diperbaiki / 2 rows refer to units.csv, whose unit_id "
        "column has problems (see above); checked again once those are fixed",
    ]


def test_a_table_of_junk_rows_is_refused_after_a_sample(tmp_path: Path, settings: Settings) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "junk")
    path = folder / "performance.csv"
    junk = "".join(f"x{i},y,z,w,v\n" for i in range(25_000))
    path.write_text(path.read_text(encoding="utf-8") + junk, encoding="utf-8")
    problems = _rejected(folder, settings)
    assert problems[0] == (
        "performance.csv: berhenti memeriksa setelah 10,000 baris pertama: 9,995 di antaranya "
        "melanggar kontrak, 15,005 baris sisanya tidak diperiksa; periksa apakah ini ekspor yang "
        "benar / stopped checking after the first 10,000 rows: 9,995 of them break the contract, "
        "the other 15,005 rows were not checked; check that this is the right export"
    )
    assert len(problems) == 1000


# --- mutasi check ------------------------------------------------------------------------


def _check(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, Path]:
    from pipelines.settings import get_settings

    monkeypatch.setenv("MUTASI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MUTASI_AS_OF", FIXTURE_TODAY.isoformat())
    get_settings.cache_clear()
    cli = typer.Typer()
    ingest_commands.register(cli)
    report = tmp_path / "out" / "laporan.xlsx"
    done = CliRunner().invoke(cli, ["check", str(folder), "--report", str(report)])
    assert not (tmp_path / "home" / "snapshots").exists()
    return done.exit_code, done.output, report


def test_check_of_a_clean_export_exits_0(
    valid_agency_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = valid_agency_frames()
    for table in (Table.PERFORMANCE, Table.TRANSFERS):  # no departed staff: no notice
        frames[table] = frames[table][frames[table]["nip"] != NIP_RETIRED]
    code, output, report = _check(write_agency(frames, tmp_path / "clean"), tmp_path, monkeypatch)
    assert (code, output.splitlines()[-2]) == (0, "hasil / result: bersih / clean")
    assert pd.read_excel(report, engine="calamine").empty


def test_check_of_a_normalised_export_exits_1_with_a_row_per_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _messy(tmp_path, _set(Table.EMPLOYEES, "gender", ["Perempuan", "L", "P", "L"]))
    code, _, report = _check(folder, tmp_path, monkeypatch)
    rows = pd.read_excel(report, dtype=str, engine="calamine").fillna("")
    changed = rows[rows["jenis / kind"] == "dinormalkan / normalised"]
    assert code == 1
    assert changed.iloc[0, 1:].tolist() == [
        "employees.csv",
        "",
        "gender",
        "1",
        "jenis kelamin → L/P / gender → L/P",
        "Perempuan",
        "P",
    ]


def test_check_of_a_rejected_export_exits_2_with_located_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _messy(tmp_path, _set(Table.TRAINING_HISTORY, "nip", ["1.98501E+17"]))
    code, output, report = _check(folder, tmp_path, monkeypatch)
    rows = pd.read_excel(report, dtype=str, engine="calamine").fillna("")
    problem = rows[rows["jenis / kind"] == "masalah / problem"].iloc[0]
    assert code == 2
    assert "training_history.csv:2:nip: NIP diubah Excel menjadi angka" in output
    assert problem[["berkas / file", "baris / row", "kolom / column"]].tolist() == [
        "training_history.csv",
        "2",
        "nip",
    ]
    assert problem["pesan dan petunjuk / message and fix hint"].endswith(
        "format the column as Text and export again"
    )


# --- --mapping FILE: another system's names ----------------------------------------------


def test_a_column_mapping_file_reads_another_systems_names(tmp_path: Path, clean_hash: str) -> None:
    folder = write_agency(valid_agency_frames(), tmp_path / "simpeg")
    (folder / "units.csv").unlink()
    units = valid_agency_frames()[Table.UNITS].rename(
        columns={"unit_id": "Kode OPD", "name": "Nama OPD", "region_code": "Kode Wilayah"}
    )
    units.to_excel(folder / "opd.xlsx", index=False)
    mapping = tmp_path / "pemetaan.csv"
    mapping.write_text(
        "table;file;column;contract_column\n"
        "units;opd.xlsx;Kode OPD;unit_id\n"
        "units;;Nama OPD;name\n"
        "units;;Kode Wilayah;region_code\n",
        encoding="utf-8",
    )
    result, _ = validate_folder(folder, today=FIXTURE_TODAY, mapping=mapping)
    assert result.data is not None
    assert content_hash(result.data) == clean_hash
    assert (
        'opd.xlsx:kode opd: 1 sel / cells: kolom dipetakan / column mapped (contoh / e.g. "kode '
        'opd" → "unit_id")'
    ) in result.notices


def test_a_mapping_to_an_unknown_contract_column_names_its_row(
    valid_agency_dir: Path, tmp_path: Path
) -> None:
    mapping = tmp_path / "pemetaan.csv"
    mapping.write_text(
        "table,file,column,contract_column\nunits,,Kode OPD,unit_id\nunits,,Nama,nama_opd\n"
    )
    with pytest.raises(MappingError) as caught:
        validate_folder(valid_agency_dir, today=FIXTURE_TODAY, mapping=mapping)
    assert caught.value.message == (
        'pemetaan.csv:3: kolom kontrak tidak dikenal "nama_opd" / unknown contract column'
    )
