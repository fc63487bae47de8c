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
from python_calamine import CalamineError, CalamineWorkbook

from models.contract.enums import COLUMNS, REQUIRED_TABLES, Table
from models.contract.errors import MutasiError
from models.contract.problems import Normalisation, Problem
from pipelines.mapping import ColumnMapping

FORMATS: Final[tuple[str, ...]] = (".csv", ".parquet", ".xlsx")
# What a damaged file of each format can raise while being opened or parsed.
_XLSX_ERRORS = (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError)
_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError)

EMPTY = "berkas kosong / file is empty"
NOT_UTF8 = (
    "berkas bukan UTF-8 (byte {byte}); simpan ulang sebagai CSV UTF-8 / "
    "file is not UTF-8 (byte {byte}); save it again as CSV UTF-8"
)
NOT_A_TABLE = (
    "bukan tabel: {kind}; ekspor tabelnya sebagai CSV atau XLSX / "
    "not a table: {kind}; export the table as CSV or XLSX"
)
EMPTY_OPTIONAL = (
    "berkas kosong, tabel opsional dianggap tidak ada / empty file, optional table treated as "
    "absent"
)
HEADER_SEARCH_ROWS: Final[int] = 20  # rows of an XLSX searched for the header under a title
_MAGIC: Final[dict[bytes, str]] = {
    b"PK\x03\x04": "berkas ZIP/XLSX bernama .csv / a ZIP or XLSX file named .csv",
    b"\xd0\xcf\x11\xe0": "XLS lama (Excel 97-2003): simpan sebagai XLSX / old XLS: save as XLSX",
    b"%PDF": "berkas PDF / a PDF file",
    b"\x89PNG": "gambar PNG / a PNG image",
    b"\xff\xd8\xff": "gambar JPEG / a JPEG image",
    b"PAR1": "berkas Parquet bernama .csv / a Parquet file named .csv",
}
_CONTROL_BYTES: Final[bytes] = bytes(b for b in range(32) if b not in (9, 10, 13))
DUPLICATE_COLUMN = "nama kolom muncul dua kali / column name appears twice"
BAD_CSV = "baris CSV tidak bisa dibaca: {detail} / CSV row cannot be read: {detail}"
EXTRA_FIELD = (
    "baris data memuat {fields} kolom, header hanya {header}; hapus pemisah di akhir baris atau "
    "lengkapi nama kolom / data rows hold {fields} fields but the header has {header}; remove "
    "the trailing separator or name every column"
)
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
class Read:
    """One file read: its frame of strings (None when unreadable), problems, changes made."""

    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    changes: list[Normalisation] = field(default_factory=list)


@dataclass(frozen=True)
class ReadResult:
    """Tables read as strings, the file name of every table found, what could not be read,
    what was changed to read it and notices (empty optional tables)."""

    frames: dict[Table, pd.DataFrame] = field(default_factory=dict)
    sources: dict[Table, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    changes: list[Normalisation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_folder(folder: Path, *, mapping: ColumnMapping | None = None) -> ReadResult:
    """Read every contract table found in `folder`; absent tables are simply not in the result.
    A `mapping` names other files and columns for the tables (pipelines/mapping.py)."""
    if not folder.is_dir():
        raise FolderNotFound(f"Folder tidak ditemukan: {folder} / Folder not found: {folder}")
    mapping = mapping or ColumnMapping()
    result = ReadResult()
    for table in Table:
        named = mapping.files.get(table)
        paths = [folder / named] if named else [folder / f"{table.value}{ext}" for ext in FORMATS]
        found = [p for p in paths if p.is_file() and p.suffix in FORMATS]
        if not found:
            continue
        if len(found) > 1:
            result.sources[table] = found[0].name
            files = ", ".join(p.name for p in found)
            result.problems.append(
                Problem(found[0].name, None, None, TWO_FORMATS.format(files=files))
            )
            continue
        read = _mapped(found[0], table, mapping)
        if table not in REQUIRED_TABLES and _is_empty(read):
            result.notices.append(f"{found[0].name}: {EMPTY_OPTIONAL}")
            continue
        result.sources[table] = found[0].name
        result.problems.extend(read.problems)
        result.changes.extend(read.changes)
        if read.frame is not None:
            result.frames[table] = read.frame
    return result


def _mapped(path: Path, table: Table, mapping: ColumnMapping) -> Read:
    """A table file read with the mapping's names turned into the contract's (reported)."""
    renames = mapping.columns.get(table, {})
    read = read_file(path, required=mapping.theirs(table, COLUMNS[table][0]))
    if read.frame is None or not renames:
        return read
    found = {k: v for k, v in renames.items() if k in read.frame.columns}
    changes = [
        Normalisation(path.name, theirs, 1, "kolom dipetakan / column mapped", theirs, ours)
        for theirs, ours in found.items()
    ]
    return Read(read.frame.rename(columns=found), read.problems, read.changes + changes)


def _is_empty(read: Read) -> bool:
    """An empty file, or a header without a row."""
    if read.frame is None:
        return [p.message for p in read.problems] == [EMPTY]
    return len(read.frame) == 0


def read_table(path: Path, *, table: Table) -> Read:
    """One table file as a frame of strings (missing cells empty), or the problems found."""
    return read_file(path, required=COLUMNS[table][0])


def read_file(path: Path, *, required: tuple[str, ...]) -> Read:
    """Any CSV, Parquet or XLSX table as a frame of strings; an XLSX header is looked for under a
    title block as the first of the top rows holding every `required` column."""
    readers = {".csv": _read_csv, ".parquet": _read_parquet, ".xlsx": _read_xlsx}
    read = readers[path.suffix](path, required)
    if read.frame is None:
        return read
    frame = read.frame
    names = [str(c).strip().lower() for c in frame.columns]
    frame = frame.set_axis(names, axis=1)
    unnamed = [n for n in names if n.startswith("unnamed:") and (frame[n] == "").all()]
    frame = frame.drop(columns=unnamed)  # formatting-only columns without a header
    if frame.shape[1] == 0:
        return Read(None, [Problem(path.name, 1, None, EMPTY)])
    duplicated = sorted({n for n in frame.columns if list(frame.columns).count(n) > 1})
    if duplicated:
        return Read(None, [Problem(path.name, 1, n, DUPLICATE_COLUMN) for n in duplicated])
    blank = _blank(frame)
    changes = list(read.changes)
    if blank.any():
        what = "baris kosong dilewati / empty rows skipped"
        changes.append(Normalisation(path.name, None, int(blank.sum()), what, "", ""))
    return Read(frame[~blank], read.problems, changes)


def _blank(frame: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is empty or blanks only."""
    empty = pd.Series(True, index=frame.index)
    for column in frame.columns:
        empty &= (frame[column].astype("string").str.strip() == "").fillna(True).to_numpy(bool)
    return empty


def _read_csv(path: Path, required: tuple[str, ...]) -> Read:
    data = path.read_bytes()
    if not data.strip():
        return Read(None, [Problem(path.name, 1, None, EMPTY)])
    kind = not_a_table(data)
    if kind:
        return Read(None, [Problem(path.name, None, None, NOT_A_TABLE.format(kind=kind))])
    data, changes = _as_utf8(path.name, data)
    header = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    delimiter = _delimiter(header)
    if delimiter != ",":
        shown = "tab" if delimiter == "\t" else delimiter
        what = f"pemisah kolom {shown} → koma / column separator {shown} → comma"
        changes.append(Normalisation(path.name, None, 1, what, shown, ","))
    crlf = data.count(b"\r\n")
    if crlf:
        what = "akhir baris CRLF → LF / CRLF line ends → LF"
        changes.append(Normalisation(path.name, None, crlf, what, "\\r\\n", "\\n"))
    fast = _read_csv_arrow(data, header, delimiter)
    if fast is not None:
        return Read(fast, [], changes)
    read = _read_csv_pandas(path.name, data, delimiter)
    return Read(read.frame, read.problems, changes)


def not_a_table(data: bytes) -> str | None:
    """What a file is when it is plainly not a text table (by its first bytes), else None."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text
    controls = sum(head.count(bytes([b])) for b in _CONTROL_BYTES)
    return "berkas biner / a binary file" if controls > len(head) // 100 else None


def _as_utf8(name: str, data: bytes) -> tuple[bytes, list[Normalisation]]:
    """The file's text as UTF-8 bytes, and the change made: BOM dropped, UTF-16 or
    Windows-1252 / Latin-1 re-encoded (the change names the column of the first such byte)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        what = "UTF-16 → UTF-8"
        return text.encode("utf-8"), [Normalisation(name, None, 1, what, "UTF-16", "UTF-8")]
    if data.startswith(b"\xef\xbb\xbf"):  # the BOM Excel writes in "CSV UTF-8"
        what = "BOM UTF-8 dibuang / UTF-8 BOM removed"
        data = data[3:]
        change = [Normalisation(name, None, 1, what, "\\ufeff", "")]
    else:
        change = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return _legacy(data), [*change, _legacy_change(name, data, err)]
    return data, change


def _legacy(data: bytes) -> bytes:
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8")


def _legacy_change(name: str, data: bytes, err: UnicodeDecodeError) -> Normalisation:
    """Windows-1252 / Latin-1 re-encoded: counted by byte, blamed on the column holding the
    first one (found by reading that row as CSV, quotes and all)."""
    encoding = "Windows-1252"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        encoding = "Latin-1"
    line_start = data.rfind(b"\n", 0, err.start) + 1
    header = data.split(b"\n", 1)[0].decode(encoding.replace("Windows-", "cp"), errors="replace")
    delimiter = _delimiter(header.rstrip("\r"))
    prefix = data[line_start : err.start].decode("utf-8", errors="replace")
    names = next(csv.reader([header.rstrip("\r")], delimiter=delimiter), [])
    position = len(next(csv.reader([prefix + "\x00"], delimiter=delimiter), [""])) - 1
    column = names[position].strip().lower() if line_start and position < len(names) else None
    count = sum(1 for b in data if b >= 0x80) if len(data) < 1 << 20 else 0
    byte = data[err.start : err.start + 1]
    what = f"{encoding} → UTF-8"
    char = (
        byte.decode("cp1252", errors="replace") if encoding != "Latin-1" else byte.decode("latin-1")
    )
    return Normalisation(name, column, count or 1, what, f"0x{byte[0]:02X}", char)


def _delimiter(header: str) -> str:
    """The separator of a CSV: of comma, semicolon and tab, the one that splits the header
    (quotes respected) into the most fields."""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _read_csv_arrow(data: bytes, header: str, delimiter: str) -> pd.DataFrame | None:
    """Arrow's multithreaded reader, every column as text; None when the file needs the slower
    reader that locates problems and keeps blank lines' row numbers."""
    names = next(csv.reader([header], delimiter=delimiter), [])
    if len(set(names)) != len(names):
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
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


def _read_csv_pandas(name: str, data: bytes, delimiter: str) -> Read:
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        return Read(None, [Problem(name, 1, None, EMPTY)])
    except pd.errors.ParserError as err:
        line = re.search(r"line (\d+)", str(err))
        detail = str(err).split("error:")[-1].strip()
        row = int(line.group(1)) if line else None
        return Read(None, [Problem(name, row, None, BAD_CSV.format(detail=detail))])
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first column as the index when the first data row has one field
        # more than the header (a stray trailing separator, a missing header name): refused
        # rather than read shifted by one column.
        fields = len(frame.columns)
        problem = EXTRA_FIELD.format(fields=fields + frame.index.nlevels, header=fields)
        return Read(None, [Problem(name, 2, None, problem)])
    return Read(frame.fillna(""), [])


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


def _read_parquet(path: Path, required: tuple[str, ...]) -> Read:
    try:
        data = pq.read_table(path)
        text = pa.Table.from_arrays([_arrow_text(c) for c in data.columns], names=data.column_names)
    except _PARQUET_ERRORS as err:
        detail = type(err).__name__
        return Read(
            None, [Problem(path.name, None, None, UNREADABLE.format(fmt="Parquet", detail=detail))]
        )
    frame = text.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return Read(frame.reset_index(drop=True))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime cells
        return str(value.date())
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, required: tuple[str, ...]) -> Read:
    """First sheet of a workbook (python-calamine, Rust: the whole sheet in one call), its header
    found under a title block; if it lacks required columns, point at the sheet that has them."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            names = workbook.sheet_names
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False) if names else []
            at = _header_row(rows, required)
            # Only the header rows of the other sheets, and only when the first lacks columns.
            other = _sheet_with_columns(workbook, required) if names and at is None else None
        finally:
            workbook.close()
    except _XLSX_ERRORS as err:
        detail = type(err).__name__
        return Read(
            None, [Problem(path.name, None, None, UNREADABLE.format(fmt="XLSX", detail=detail))]
        )
    if not names or not rows:
        return Read(None, [Problem(path.name, 1, None, EMPTY)])
    if other is not None and other != names[0]:
        message = WRONG_SHEET.format(first=names[0], other=other)
        missing = [c for c in required if c not in _names(rows[0])]
        return Read(None, [Problem(path.name, 1, missing[0], message)])
    return _sheet_frame(path.name, rows, at or 0)


def _sheet_frame(name: str, rows: list[list[Any]], at: int) -> Read:
    """The rows under header row `at` as a frame of text; index = spreadsheet row - 2."""
    header = [n or f"unnamed: {i}" for i, n in enumerate(_names(rows[at]))]
    width = len(header)
    body = rows[at + 1 :]
    columns = {
        i: [_cell_text(row[i]) if i < len(row) else "" for row in body] for i in range(width)
    }
    index = pd.RangeIndex(at, at + len(body))
    frame = pd.DataFrame(columns, index=index, dtype=str).set_axis(header, axis=1)
    changes = []
    if at:
        title = next((_cell_text(v) for v in rows[0] if _cell_text(v).strip()), "")
        what = "baris judul di atas tabel dilewati / title rows above the table skipped"
        changes.append(
            Normalisation(name, None, at, what, title[:40], f"header: baris / row {at + 1}")
        )
    return Read(frame, [], changes)


def _names(row: list[Any]) -> list[str]:
    return [_cell_text(v).strip().lower() for v in row]


def _header_row(rows: list[list[Any]], required: tuple[str, ...]) -> int | None:
    """The first of the top rows holding every `required` column (None: none does)."""
    for at, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if set(required) <= set(_names(row)):
            return at
    return None


def _sheet_with_columns(workbook: CalamineWorkbook, required: tuple[str, ...]) -> str | None:
    """Name of the first sheet whose top rows hold every `required` column."""
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        if _header_row(top, required) is not None:
            return str(name)
    return None
