"""The same agency in SIASN layouts (data utama, rw-jabatan, rw-skp22/rw-skp, rw-diklat as CSV,
XLSX or the web service's JSON) ingests to the same content as the contract CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from models.contract.enums import Table
from pipelines.ingest import validate_folder
from pipelines.snapshots import content_hash
from simulator.siasn import (
    FORMER_UNOR,
    SIASN_FORMS,
    SKP22_FROM_YEAR,
    siasn_layout,
)
from tests.fixtures.export import FIXTURE_TODAY, valid_agency_frames, write_agency


def _as_siasn_carries_it() -> dict[Table, pd.DataFrame]:
    """The fixture agency with what SIASN cannot carry taken out: SKP 2022 has no score, and a
    position that exists only in history is known by its SIASN unor and jabatan where SIASN is
    the source (the agency's own transfer records keep their ids)."""
    frames = valid_agency_frames()
    performance = frames[Table.PERFORMANCE]
    recent = performance["year"].astype(int) >= SKP22_FROM_YEAR
    frames[Table.PERFORMANCE] = performance.assign(score=performance["score"].where(~recent, ""))
    former = f"siasn:{FORMER_UNOR}:JP0"
    positions = frames[Table.PERFORMANCE]["position_id"]
    frames[Table.PERFORMANCE]["position_id"] = positions.replace("P0", former)
    return frames


def _write(files: dict[str, pd.DataFrame], folder: Path, siasn_format: str) -> Path:
    folder.mkdir(parents=True)
    for stem, frame in files.items():
        if stem in SIASN_FORMS and siasn_format == "xlsx":
            frame.to_excel(folder / f"{stem}.xlsx", index=False)
        elif stem in SIASN_FORMS and siasn_format == "json":
            records = frame.fillna("").astype(str).to_dict(orient="records")
            (folder / f"{stem}.json").write_text(json.dumps({"data": records}), encoding="utf-8")
        else:
            frame.to_csv(folder / f"{stem}.csv", index=False)
    return folder


def _hash(folder: Path, layout: str | None = None) -> tuple[str, list[str]]:
    result, _ = validate_folder(folder, today=FIXTURE_TODAY, layout=layout)
    assert result.data is not None, [str(p) for p in result.problems]
    return content_hash(result.data), result.notices


@pytest.mark.parametrize("siasn_format", ["csv", "xlsx", "json"])
def test_siasn_layout_ingests_to_the_same_content_as_the_contract(
    tmp_path: Path, siasn_format: str
) -> None:
    expected, _ = _hash(write_agency(_as_siasn_carries_it(), tmp_path / "contract"))
    files = siasn_layout(valid_agency_frames())
    digest, _ = _hash(_write(files, tmp_path / "siasn", siasn_format))
    assert digest == expected


def test_siasn_forms_are_recognised_by_their_columns_with_layout_siasn(tmp_path: Path) -> None:
    expected, _ = _hash(write_agency(_as_siasn_carries_it(), tmp_path / "contract"))
    files = siasn_layout(valid_agency_frames())
    renamed = {("tarikan_" + s if s in SIASN_FORMS else s): f for s, f in files.items()}
    renamed["export_bkn"] = renamed.pop("tarikan_data_utama")
    digest, _ = _hash(_write(renamed, tmp_path / "siasn", "csv"), layout="siasn")
    assert digest == expected


def test_what_siasn_cannot_map_is_reported(tmp_path: Path) -> None:
    files = siasn_layout(valid_agency_frames())
    files["rw_diklat"] = pd.concat(
        [files["rw_diklat"], files["rw_diklat"].assign(latihanStrukturalNama="Diklat Lain")]
    )
    _, notices = _hash(_write(files, tmp_path / "siasn", "csv"))
    assert (
        "rw_diklat.csv: 1 baris tidak dipetakan: nama diklat/kursus tidak ada di trainings.csv / "
        "1 rows not mapped: training or course name not in trainings.csv"
    ) in notices
    assert (
        "rw_jabatan.csv: 1 baris tidak dipetakan: unor/jabatan tidak ada di positions.csv, "
        "disimpan sebagai jabatan riwayat / 1 rows not mapped: unor/jabatan not in "
        "positions.csv, kept as history positions"
    ) in notices
