"""An agency's contract tables as an Indonesian-locale Excel and an HR system write them.

`messy_tables(tables)` takes the tables as text and spells them the ways ingest must accept:
NIPs with spaces as on the ID card, dates DD-MM-YYYY, gender and enum values in words and
capitals, golongan as `III-A`, decimal commas; `write_messy_csv` writes them `;`-separated
with a UTF-8 BOM and CRLF line ends, as Excel's "CSV UTF-8" does in that locale. The content
is unchanged: ingest normalises it back to the same snapshot.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.contract.constraints import ENUMS
from models.contract.enums import Table
from models.contract.tables import column_kind

_GENDER = {"L": "Laki-laki", "P": "Perempuan"}


def _messy_column(table: Table, column: str, text: pd.Series) -> pd.Series:
    kind = column_kind(table, column)
    if column == "nip":
        return text.str.replace(r"^(\d{8})(\d{6})(\d)(\d{3})$", r"\1 \2 \3 \4", regex=True)
    if kind == "date":
        return text.str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3-\2-\1", regex=True)
    if kind == "float":
        return text.str.replace(".", ",", regex=False)
    if column == "gender":
        return text.map(_GENDER).fillna(text)
    if column in ("rank", "min_rank"):
        return text.str.upper().str.replace("/", "-", regex=False)
    if column in ENUMS.get(table, {}):
        return text.str.replace("_", " ").str.title()
    return text


def messy_tables(tables: dict[Table, pd.DataFrame]) -> dict[Table, pd.DataFrame]:
    """The same tables (text) as spreadsheets spell them."""
    return {
        table: frame.apply(lambda s, t=table: _messy_column(t, str(s.name), s.fillna("")))
        for table, frame in tables.items()
    }


def write_messy_csv(out_dir: Path, tables: dict[Table, pd.DataFrame]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, frame in messy_tables(tables).items():
        frame.to_csv(
            out_dir / f"{table.value}.csv",
            index=False,
            sep=";",
            encoding="utf-8-sig",
            lineterminator="\r\n",
        )
