"""Read an agency export folder: each table as NAME.csv, NAME.parquet or NAME.xlsx, any mix.

Every cell is read as a string (NIPs keep their 18 digits; typed Parquet/XLSX cells are written
back the way a CSV would hold them: dates as YYYY-MM-DD, whole numbers without ".0"), so that
models/contract/schemas.py sees one form whatever the format. A file that cannot be read becomes a
located `Problem`, never a traceback. Unknown files and subfolders (such as `_truth/`) are
ignored. Frame index = data row number from 0, so spreadsheet row = index + 2.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from models.contract.enums import COLUMNS, Table
from models.contract.errors import MutasiError
from models.contract.problems import Problem

FORMATS: Final[tuple[str, ...]] = (".csv", ".parquet", ".xlsx")
# What a damaged file of each format can raise while being opened or parsed.
_XLSX_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError)
_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError)

EMPTY = "berkas kosong / file is empty"
NOT_UTF8 = (
    "berkas bukan UTF-8 (byte {byte}); simpan ulang sebagai CSV UTF-8 / "
    "file is not UTF-8 (byte {byte}); save it again as CSV UTF-8"
)
SEMICOLON = (
    "pemisah kolom harus koma (,), bukan titik koma (;) / "
    "columns must be separated by commas (,), not semicolons (;)"
)
DUPLICATE_COLUMN = "nama kolom muncul dua kali / column name appears twice"
BAD_CSV = "baris CSV tidak bisa dibaca: {detail} / CSV row cannot be read: {detail}"
UNREADABLE = "berkas {fmt} tidak bisa dibaca ({detail}) / {fmt} file cannot be read ({detail})"
TWO_FORMATS = (
    "tabel ini ada dalam lebih dari satu format ({files}); sisakan satu / "
    "this table comes in more than one format ({files}); keep one"
)
WRONG_SHEET = (
    'lembar pertama "{first}" tidak memuat kolom ini; kolom ada di lembar "{other}": jadikan '
    'lembar pertama / the first sheet "{first}" lacks this column; it is on sheet "{other}": '
    "make that the first sheet"
)


class FolderNotFound(MutasiError):  # noqa: N818
    pass


@dataclass(frozen=True)
class ReadResult:
    """Tables read as strings, the file name of every table found, and what could not be read."""

    frames: dict[Table, pd.DataFrame] = field(default_factory=dict)
    sources: dict[Table, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_folder(folder: Path) -> ReadResult:
    """Read every contract table found in `folder`; absent tables are simply not in the result."""
    if not folder.is_dir():
        raise FolderNotFound(f"Folder tidak ditemukan: {folder} / Folder not found: {folder}")
    result = ReadResult()
    for table in Table:
        paths = [folder / f"{table.value}{ext}" for ext in FORMATS]
        found = [p for p in paths if p.is_file()]
        if not found:
            continue
        result.sources[table] = found[0].name
        if len(found) > 1:
            files = ", ".join(p.name for p in found)
            result.problems.append(
                Problem(found[0].name, None, None, TWO_FORMATS.format(files=files))
            )
            continue
        frame, problems = read_table(found[0], table=table)
        result.problems.extend(problems)
        if frame is not None:
            result.frames[table] = frame
    return result


def read_table(path: Path, *, table: Table) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One table file as a frame of strings (missing cells empty), or the problems found."""
    readers = {".csv": _read_csv, ".parquet": _read_parquet, ".xlsx": _read_xlsx}
    frame, problems = readers[path.suffix](path, table)
    if frame is None:
        return None, problems
    names = [str(c).strip().lower() for c in frame.columns]
    frame = frame.set_axis(names, axis=1)
    unnamed = [n for n in names if n.startswith("unnamed:") and (frame[n] == "").all()]
    frame = frame.drop(columns=unnamed)  # formatting-only columns without a header
    if frame.shape[1] == 0:
        return None, [Problem(path.name, 1, None, EMPTY)]
    duplicated = sorted({n for n in frame.columns if list(frame.columns).count(n) > 1})
    if duplicated:
        return None, [Problem(path.name, 1, n, DUPLICATE_COLUMN) for n in duplicated]
    blank = (frame == "").all(axis=1)
    return frame[~blank], problems


def _read_csv(path: Path, table: Table) -> tuple[pd.DataFrame | None, list[Problem]]:
    data = path.read_bytes()
    if not data.strip():
        return None, [Problem(path.name, 1, None, EMPTY)]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, [_not_utf8(path.name, data, err)]
    data = data.removeprefix(b"\xef\xbb\xbf")  # the BOM Excel writes in "CSV UTF-8"
    header = data.split(b"\n", 1)[0]
    if b";" in header and b"," not in header:
        return None, [Problem(path.name, 1, None, SEMICOLON)]
    fast = _read_csv_arrow(data)
    return (fast, []) if fast is not None else _read_csv_pandas(path.name, data)


def _read_csv_arrow(data: bytes) -> pd.DataFrame | None:
    """Arrow's multithreaded reader, every column as text; None when the file needs the slower
    reader that locates problems and keeps blank lines' row numbers."""
    names = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")]), [])
    if len(set(names)) != len(names):
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.column_names != names:
        return None
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _read_csv_pandas(name: str, data: bytes) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        return None, [Problem(name, 1, None, EMPTY)]
    except pd.errors.ParserError as err:
        line = re.search(r"line (\d+)", str(err))
        detail = str(err).split("error:")[-1].strip()
        row = int(line.group(1)) if line else None
        return None, [Problem(name, row, None, BAD_CSV.format(detail=detail))]
    return frame.fillna(""), []


def _not_utf8(name: str, data: bytes, err: UnicodeDecodeError) -> Problem:
    """Locate the first byte that is not UTF-8: its row, and its column by counting commas."""
    row = data.count(b"\n", 0, err.start) + 1
    line_start = data.rfind(b"\n", 0, err.start) + 1
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    names = [h.strip().lower() for h in header.split(",")]
    position = data.count(b",", line_start, err.start)
    column = names[position] if row > 1 and position < len(names) else None
    byte = f"0x{data[err.start]:02X}"
    return Problem(name, row, column, NOT_UTF8.format(byte=byte))


def _arrow_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A typed Parquet column as a CSV would hold it, in Arrow's C++ casts (no Python loop):
    dates as YYYY-MM-DD, whole floats without ".0", missing values (and NaN) empty."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        column = pc.cast(column, pa.date32(), safe=False)
    if pa.types.is_floating(column.type):
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
    if not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.fill_null(column, "")


def _read_parquet(path: Path, table: Table) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        data = pq.read_table(path)
        text = pa.Table.from_arrays([_arrow_text(c) for c in data.columns], names=data.column_names)
    except _PARQUET_ERRORS as err:
        detail = type(err).__name__
        return None, [
            Problem(path.name, None, None, UNREADABLE.format(fmt="Parquet", detail=detail))
        ]
    frame = text.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return frame.reset_index(drop=True), []


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime cells
        return str(value.date())
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, table: Table) -> tuple[pd.DataFrame | None, list[Problem]]:
    """First sheet of a workbook; if it lacks required columns, point at the sheet that has them."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = workbook.worksheets
            first = sheets[0].title if sheets else ""
            rows = list(sheets[0].iter_rows(values_only=True)) if sheets else []
            header = [
                _cell_text(v).strip().lower() or f"unnamed: {i}"
                for i, v in enumerate(rows[0] if rows else ())
            ]
            missing = [c for c in COLUMNS[table][0] if c not in header]
            # Only the header rows of the other sheets, and only when the first lacks columns.
            other = _sheet_with_columns(sheets, table) if sheets and missing else None
        finally:
            workbook.close()
    except _XLSX_ERRORS as err:
        detail = type(err).__name__
        return None, [Problem(path.name, None, None, UNREADABLE.format(fmt="XLSX", detail=detail))]
    if not sheets:
        return None, [Problem(path.name, 1, None, EMPTY)]
    if other is not None and other != first:
        message = WRONG_SHEET.format(first=first, other=other)
        return None, [Problem(path.name, 1, missing[0], message)]
    if not rows:
        return None, [Problem(path.name, 1, None, EMPTY)]
    width = len(header)
    body = [[_cell_text(v) for v in row[:width]] + [""] * (width - len(row)) for row in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str), []


def _sheet_with_columns(sheets: list[Any], table: Table) -> str | None:
    """Title of the first sheet whose header row holds every required column of `table`."""
    for sheet in sheets:
        header_row = next(sheet.iter_rows(max_row=1, values_only=True), None)
        if header_row and _has_columns(header_row, table):
            return str(sheet.title)
    return None


def _has_columns(header_row: tuple[object, ...], table: Table) -> bool:
    names = {_cell_text(v).strip().lower() for v in header_row}
    return set(COLUMNS[table][0]) <= names
