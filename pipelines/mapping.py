"""`--mapping FILE`: another HR system's file and column names → the contract, without code.

The mapping file is a CSV (comma or semicolon, UTF-8) with a header and the columns
`table` (a contract table), `file` (the system's file for it; empty: NAME.csv/.xlsx/.parquet),
`column` (the system's column) and `contract_column` (ours). A row may name only a file.

    table,file,column,contract_column
    employees,pegawai.xlsx,NIP,nip
    employees,,Tgl Lahir,birth_date

Column names compare case-insensitively, as the reader gives them in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from models.contract.enums import Table, all_columns
from models.contract.errors import MutasiError

NEEDED = ("table", "file", "column", "contract_column")


class MappingError(MutasiError):
    """The mapping file cannot be used; its message names the row."""


@dataclass(frozen=True)
class ColumnMapping:
    files: dict[Table, str] = field(default_factory=dict)
    columns: dict[Table, dict[str, str]] = field(default_factory=dict)  # theirs → ours

    def theirs(self, table: Table, ours: tuple[str, ...]) -> tuple[str, ...]:
        """Contract column names of a table as the system spells them."""
        back = {v: k for k, v in self.columns.get(table, {}).items()}
        return tuple(back.get(c, c) for c in ours)


def _fail(path: Path, row: int | None, text: str) -> MappingError:
    where = f"{path.name}:{row}" if row else path.name
    return MappingError(f"{where}: {text}")


def read_mapping(path: Path) -> ColumnMapping:
    """The mapping in `path`; MappingError naming the row of anything it cannot use."""
    if not path.is_file():
        raise _fail(path, None, "berkas pemetaan tidak ada / mapping file not found")
    try:
        rows = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        text = f"tidak terbaca ({type(err).__name__}) / cannot be read"
        raise _fail(path, None, text) from None
    rows = rows.set_axis([str(c).strip().lower() for c in rows.columns], axis=1)
    missing = [c for c in NEEDED if c not in rows.columns]
    if missing:
        text = f"kolom wajib tidak ada: {', '.join(missing)} / required columns missing"
        raise _fail(path, 1, text)
    mapping = ColumnMapping()
    for number, row in enumerate(rows.itertuples(index=False), start=2):
        table_name, file, theirs, ours = (str(getattr(row, c)).strip() for c in NEEDED)
        if table_name not in {t.value for t in Table}:
            raise _fail(path, number, f'tabel tidak dikenal "{table_name}" / unknown table')
        table = Table(table_name)
        if file:
            mapping.files[table] = file
        if theirs or ours:
            if ours not in all_columns(table):
                text = f'kolom kontrak tidak dikenal "{ours}" / unknown contract column'
                raise _fail(path, number, text)
            mapping.columns.setdefault(table, {})[theirs.lower()] = ours
    return mapping
