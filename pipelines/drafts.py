"""Draft decrees as HR uploads them: a CSV or XLSX with `nip` and `position_id` columns.

Read with the ingest's habits (cells as text, Excel numbers without ".0", BOM and blank rows
dropped) and normalised where that is safe and said: semicolon-separated CSV (Indonesian Excel),
title rows above the header, NIPs typed with spaces or dots. Rows that cannot be read are
located as `file:row:column` (spreadsheet rows, header = its own row) and left out; the rest
come back in file order with their row numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import load_workbook

from models.contract.enums import NIP_LENGTH
from models.contract.errors import MutasiError
from models.contract.problems import Problem
from pipelines.readers import _XLSX_ERRORS, _cell_text

DRAFT_COLUMNS = ("nip", "position_id")
MAX_DRAFT_BYTES = 5 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
_NIP_SEPARATORS = re.compile(r"[\s.\-]")


class DraftFileError(MutasiError):
    """The whole file cannot be read as a draft decree."""


@dataclass(frozen=True)
class DraftPairs:
    pairs: pd.DataFrame  # row (spreadsheet row), nip, position_id
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _csv_rows(name: str, data: bytes) -> tuple[list[list[str]], list[str]]:
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise DraftFileError(
            f"{name}: bukan CSV UTF-8; simpan sebagai 'CSV UTF-8' / not UTF-8 CSV"
        ) from None
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    header = next((line for line in lines if "position_id" in line.lower()), "")
    semicolon = ";" in header and "," not in header
    # The csv module keeps ragged rows (a one-cell title row above the header) as they are.
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if semicolon else ","))
    notices = ["CSV dengan titik koma dibaca / semicolon-separated CSV read"] if semicolon else []
    return rows, notices


def _xlsx_rows(name: str, data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS as exc:
        raise DraftFileError(
            f"{name}: XLSX tidak terbaca / unreadable XLSX ({type(exc).__name__})"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _header_at(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {str(v).strip().lower() for v in row}
        if set(DRAFT_COLUMNS) <= names:
            return i
    return None


def read_draft(name: str, data: bytes) -> DraftPairs:
    """The (nip, position_id) rows of an uploaded draft decree, and what was wrong or fixed."""
    if len(data) > MAX_DRAFT_BYTES:
        raise DraftFileError(f"{name}: lebih dari 5 MB / larger than 5 MB")
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix not in ("csv", "xlsx"):
        raise DraftFileError(f"{name}: hanya .csv atau .xlsx / only .csv or .xlsx files")
    rows, notices = _csv_rows(name, data) if suffix == "csv" else (_xlsx_rows(name, data), [])
    header = _header_at(rows)
    if header is None:
        raise DraftFileError(
            f"{name}:1: kolom nip dan position_id tidak ditemukan / columns nip and position_id "
            "not found in the first rows"
        )
    if header > 0:
        notices.append(f"{header} baris judul dilewati / title rows skipped")
    names = [str(v).strip().lower() for v in rows[header]]
    body = pd.DataFrame(
        [list(r) + [""] * (len(names) - len(r)) for r in rows[header + 1 :]], dtype=str
    )
    body = body.iloc[:, : len(names)].set_axis(names, axis=1).fillna("")
    frame = pd.DataFrame(
        {
            "row": range(header + 2, header + 2 + len(body)),
            "raw_nip": body["nip"].str.strip().to_numpy(),
            "position_id": body["position_id"].str.strip().to_numpy(),
        }
    )
    frame = frame.loc[(frame["raw_nip"] != "") | (frame["position_id"] != "")]
    nip = frame["raw_nip"].str.replace(_NIP_SEPARATORS, "", regex=True)
    fixed = int((nip != frame["raw_nip"]).sum())
    if fixed:
        notices.append(f"{fixed} NIP dengan spasi/titik dirapikan / NIPs with spaces tidied")
    bad_nip = ~nip.str.fullmatch(rf"\d{{{NIP_LENGTH}}}")
    empty = frame["position_id"] == ""
    problems = [
        Problem(name, int(r), "nip", f"NIP harus {NIP_LENGTH} digit / must be {NIP_LENGTH} digits")
        for r in frame.loc[bad_nip, "row"]
    ] + [Problem(name, int(r), "position_id", "kosong / empty") for r in frame.loc[empty, "row"]]
    good = frame.assign(nip=nip).loc[~bad_nip & ~empty, ["row", "nip", "position_id"]]
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return DraftPairs(good.reset_index(drop=True), problems, notices)
