"""Draft decrees as uploaded: normalised where safe, bad rows located, the rest kept."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from pipelines.drafts import DraftFileError, read_draft

NIP = "198503122010011001"


def test_semicolons_title_rows_and_spaced_nips_are_read_and_said() -> None:
    data = b"Draf SK mutasi 2025\nnip;position_id\n1985 0312 2010 01 1 001;JB1\n"
    draft = read_draft("draf.csv", data)
    assert draft.pairs[["row", "nip", "position_id"]].values.tolist() == [[3, NIP, "JB1"]]
    assert len(draft.notices) == 3  # semicolons, a title row, a tidied NIP


def test_a_bad_row_is_located_and_left_out() -> None:
    draft = read_draft("draf.csv", f"nip,position_id\n{NIP},JB1\n123,JB2\n{NIP},\n".encode())
    assert [str(p).split(": ")[0] for p in draft.problems] == [
        "draf.csv:3:nip",
        "draf.csv:4:position_id",
    ]
    assert draft.pairs["row"].tolist() == [2]


def test_an_xlsx_with_numeric_cells_reads_like_the_csv() -> None:
    book = Workbook()
    book.active.append(["NIP", "position_id"])
    book.active.append([NIP, 1234])
    buffer = io.BytesIO()
    book.save(buffer)
    draft = read_draft("draf.xlsx", buffer.getvalue())
    assert draft.pairs[["nip", "position_id"]].values.tolist() == [[NIP, "1234"]]


def test_a_file_without_the_columns_is_refused_with_its_name() -> None:
    with pytest.raises(DraftFileError, match=r"draf\.csv:1"):
        read_draft("draf.csv", b"a,b\n1,2\n")
