"""Writing the demo agency: contract tables as CSV, Parquet or XLSX, and the ground truth."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Final

import pandas as pd

from models.contract.enums import Table, all_columns
from models.contract.errors import MutasiError
from pipelines.readers import FORMATS
from simulator.messy import write_messy_csv
from simulator.siasn import SIASN_FORMS, siasn_layout

# The formats ingest reads, without the dot: what the demo writes, ingest can read.
FILE_FORMATS: Final[tuple[str, ...]] = tuple(ext.removeprefix(".") for ext in FORMATS)
EXCEL_MAX_ROWS: Final[int] = 1_048_575  # one header row
TRUTH_DIR: Final[str] = "_truth"
LAYOUTS: Final[tuple[str, ...]] = ("contract", "siasn")


class DemoDataError(MutasiError):
    """The demo agency cannot be written as asked."""


def check_format(file_format: str) -> None:
    if file_format not in FILE_FORMATS:
        raise DemoDataError(
            f"Format tidak dikenal: {file_format!r} (pilih csv, parquet, xlsx) / "
            f"unknown format {file_format!r} (choose csv, parquet, xlsx)"
        )


def _typed(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Contract columns in contract order; identifiers and text as strings."""
    return frame[list(all_columns(table))].reset_index(drop=True)


def check_output_folder(out_dir: Path, *, file_format: str) -> None:
    """Refuse a file path, or a folder holding the tables in another format (ingest would
    see both); checked before any work is done."""
    check_format(file_format)
    if out_dir.exists() and not out_dir.is_dir():
        raise DemoDataError(
            f"{out_dir} adalah berkas, bukan folder / {out_dir} is a file, not a folder"
        )
    others = sorted(
        path.name
        for table in Table
        for fmt in FILE_FORMATS
        if fmt != file_format and (path := out_dir / f"{table.value}.{fmt}").exists()
    )
    if others:
        raise DemoDataError(
            f"{out_dir} sudah berisi tabel format lain ({', '.join(others)}); pakai folder "
            f"kosong / {out_dir} already holds tables in another format ({', '.join(others)}); "
            "use an empty folder"
        )


def as_text(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """A table's contract columns as a CSV holds them (every cell text, missing empty)."""
    data = _typed(table, frame).to_csv(index=False)
    return pd.read_csv(io.StringIO(data), dtype=str, keep_default_na=False)


def write_layout(
    out_dir: Path,
    tables: dict[Table, pd.DataFrame],
    *,
    file_format: str,
    layout: str = "contract",
    messy: bool = False,
) -> None:
    """The tables in the contract layout (as `file_format`, or as messy `;` CSV) or in SIASN
    layouts (SIASN forms as `file_format`, the agency's own tables as CSV)."""
    if layout not in LAYOUTS:
        raise DemoDataError(
            f"Tata letak tidak dikenal: {layout!r} (pilih {', '.join(LAYOUTS)}) / "
            f"unknown layout {layout!r} (choose {', '.join(LAYOUTS)})"
        )
    if layout == "contract" and not messy:
        write_tables(out_dir, tables, file_format=file_format)
        return
    check_output_folder(out_dir, file_format=file_format)
    text = {t: as_text(t, f) for t, f in tables.items()}
    if layout == "contract":
        write_messy_csv(out_dir, text)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, frame in siasn_layout(text).items():
        if stem in SIASN_FORMS and file_format == "xlsx":
            frame.to_excel(out_dir / f"{stem}.xlsx", index=False, sheet_name=stem)
        else:
            frame.to_csv(out_dir / f"{stem}.csv", index=False)


def write_tables(out_dir: Path, tables: dict[Table, pd.DataFrame], *, file_format: str) -> None:
    """One file per table; XLSX refuses tables longer than a worksheet."""
    if file_format == "xlsx":
        too_long = [t.value for t, f in tables.items() if len(f) > EXCEL_MAX_ROWS]
        if too_long:
            raise DemoDataError(
                f"Tabel terlalu panjang untuk XLSX: {', '.join(too_long)}; pakai csv/parquet / "
                f"tables too long for XLSX: {', '.join(too_long)}; use csv or parquet"
            )
    check_output_folder(out_dir, file_format=file_format)
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        data = _typed(table, frame)
        path = out_dir / f"{table.value}.{file_format}"
        if file_format == "csv":
            data.to_csv(path, index=False, encoding="utf-8")
        elif file_format == "parquet":
            data.to_parquet(path, index=False)
        else:
            data.to_excel(path, index=False, sheet_name=table.value)


def write_truth(
    out_dir: Path,
    *,
    transfers: pd.DataFrame,
    pools: pd.DataFrame,
    trainings: pd.DataFrame,
    summary: dict[str, Any],
) -> None:
    """`_truth/`: per-transfer truth, evaluation pools, training effects and truth.json."""
    truth_dir = out_dir / TRUTH_DIR
    truth_dir.mkdir(parents=True, exist_ok=True)
    transfers.to_csv(truth_dir / "transfers_truth.csv", index=False)
    pools.to_csv(truth_dir / "eval_pools.csv", index=False)
    trainings.to_csv(truth_dir / "trainings_truth.csv", index=False)
    (truth_dir / "truth.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
