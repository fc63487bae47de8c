"""`check`: validate and normalise an export folder without writing a snapshot, as a report.

The report lists every problem (located, with its fix hint in the message), every change made
to read the export and every notice; `write_report` saves it as an XLSX sheet, one row per line,
so that a data team can correct its export in the spreadsheet it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from pathlib import Path

import pandas as pd

from models.contract.problems import ValidationResult
from pipelines.ingest import validate_folder

REPORT_COLUMNS = (
    "jenis / kind",
    "berkas / file",
    "baris / row",
    "kolom / column",
    "jumlah / count",
    "pesan dan petunjuk / message and fix hint",
    "contoh sebelum / example before",
    "contoh sesudah / example after",
)


class CheckStatus(IntEnum):
    """Exit codes of `mutasi check`."""

    CLEAN = 0
    NORMALISED = 1  # accepted, with changes or notices to read
    REJECTED = 2


@dataclass(frozen=True)
class CheckReport:
    status: CheckStatus
    result: ValidationResult
    table: pd.DataFrame  # one row per problem, change or notice (REPORT_COLUMNS)


def check_folder(
    folder: Path, *, today: date, layout: str | None = None, mapping: Path | None = None
) -> CheckReport:
    """Validate `folder` as ingest would; nothing is written."""
    result, _ = validate_folder(folder, today=today, layout=layout, mapping=mapping)
    changed = {str(c) for c in result.normalised}
    rows: list[tuple[object, ...]] = [
        ("masalah / problem", p.file, p.row, p.column, 1, p.message, "", "")
        for p in result.problems
    ]
    rows += [
        ("dinormalkan / normalised", c.file, None, c.column, c.count, c.what, c.before, c.after)
        for c in result.normalised
    ]
    rows += [
        ("catatan / notice", "", None, None, None, n, "", "")
        for n in result.notices
        if n not in changed
    ]
    if not result.ok:
        status = CheckStatus.REJECTED
    elif result.notices:
        status = CheckStatus.NORMALISED
    else:
        status = CheckStatus.CLEAN
    table = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    return CheckReport(status, result, table)


def write_report(report: CheckReport, path: Path) -> None:
    """The report as one XLSX sheet (`laporan`), written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    report.table.to_excel(partial, index=False, sheet_name="laporan", engine="openpyxl")
    partial.replace(path)
