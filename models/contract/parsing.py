"""Parsing an export's cells: text as read -> each column's canonical kind, with failures.

Before any contract rule (models/contract/checks.py) can run, every cell read as text must parse
to its column's kind (models/contract/tables.py): dates as YYYY-MM-DD, whole numbers, decimal
numbers;
required values must be present. A cell that does not parse becomes a failure record (row index,
column, rule) that models/contract/schemas.py renders with the messages below, which also word its
structural checks (missing tables and columns, empty tables).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from models.contract.enums import COLUMNS, Table, all_columns
from models.contract.tables import column_kind

# Messages of the structural and parsing checks, keyed as failures name them.
MESSAGES: Final[dict[str, str]] = {
    "missing_table": "tabel wajib tidak ada: sediakan NAMA.csv, NAMA.parquet atau NAMA.xlsx / "
    "required table is missing: provide NAME.csv, NAME.parquet or NAME.xlsx",
    "absent_optional": "tabel opsional tidak ada, dianggap kosong / optional table absent, "
    "treated as empty",
    "missing_column": "kolom wajib tidak ada / required column is missing",
    "foreign_table": "baris 1 tidak memuat satu pun kolom tabel ini ({columns}): bukan tabel "
    "{table}? / row 1 holds none of this table's columns ({columns}): is this the {table} table?",
    "extra_column": 'kolom tambahan "{column}" diabaikan / extra column "{column}" is ignored',
    "consequence": "{count} baris merujuk {ref} yang kolom {key}-nya bermasalah (lihat di atas); "
    "diperiksa lagi setelah itu diperbaiki / {count} rows refer to {ref}, whose {key} column has "
    "problems (see above); checked again once those are fixed",
    "no_rows": "tabel tidak berisi baris data / table has no data rows",
    "required_empty": "nilai wajib kosong / required value is empty",
    "not_date": "tanggal tidak terbaca, gunakan format YYYY-MM-DD / date cannot be read, "
    "use the format YYYY-MM-DD",
    "date_out_of_range": "tanggal di luar rentang 1900–2199 / date outside 1900–2199",
    "not_int": "harus bilangan bulat / must be a whole number",
    "not_number": "harus angka dengan titik desimal / must be a number with a decimal point",
}
FAILURE_COLUMNS: Final[list[str]] = ["index", "column", "rule"]
_EARLIEST, _LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31")


def _failures(mask: pd.Series, column: str, rule: str) -> list[pd.DataFrame]:
    """Rows where `mask` holds, as failure records (none: an empty list, built cheaply)."""
    flags = mask.to_numpy(dtype=bool, na_value=False)
    if not flags.any():
        return []
    index = mask.index[flags].astype("int64")
    return [pd.DataFrame({"index": index, "column": column, "rule": rule})]


def _to_float(text: pd.Series) -> pd.Series:
    """Numbers from text: Arrow's cast when every value parses, else pandas marks the misfits."""
    try:
        values = pc.cast(pa.array(text.astype("string[pyarrow]").array), pa.float64())
        return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index)
    except pa.ArrowInvalid:
        number = pd.to_numeric(text, errors="coerce")
        return pd.Series(number.to_numpy(dtype="float64", na_value=np.nan), index=text.index)


def _parse_column(
    table: Table, column: str, text: pd.Series
) -> tuple[pd.Series, list[pd.DataFrame]]:
    """Parse one column of strings to its kind; failures where a present value does not parse."""
    kind = column_kind(table, column)
    if kind == "string":
        return text, []
    present = text.notna()
    if kind == "date":
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        outside = (parsed < _EARLIEST) | (parsed > _LATEST)
        if outside.any():
            parsed = parsed.mask(outside)
        unread = present & parsed.isna() & ~outside
        return parsed.astype("datetime64[ns]"), [
            *_failures(unread, column, "not_date"),
            *_failures(outside, column, "date_out_of_range"),
        ]
    values = _to_float(text)
    if kind == "int":
        bad = present & (values.isna() | (values % 1 != 0))
        return values.mask(bad), _failures(bad, column, "not_int")
    return values, _failures(present & values.isna(), column, "not_number")


def parse_table(table: Table, raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strings as read -> parsed columns (ints as float64 until canonical casting) + failures.

    Cells are stripped; empty cells are missing. Absent optional columns come back empty.
    """
    required = COLUMNS[table][0]
    parsed: dict[str, pd.Series] = {}
    failures: list[pd.DataFrame] = []
    for column in all_columns(table):
        if column in raw.columns:
            stripped = raw[column].astype("string").str.strip()
            text = stripped.where(stripped.str.len() > 0)
        else:
            text = pd.Series(pd.NA, index=raw.index, dtype="string")
        parsed[column], column_failures = _parse_column(table, column, text)
        failures += column_failures
        if column in required:
            failures += _failures(text.isna(), column, "required_empty")
    found = (
        pd.concat(failures, ignore_index=True)
        if failures
        else pd.DataFrame(columns=FAILURE_COLUMNS)
    )
    return pd.DataFrame(parsed, index=raw.index), found
