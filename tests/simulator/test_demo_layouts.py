"""`mutasi demo-data` writes the real-world forms too: messy CSV, XLSX and SIASN layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import validate_folder
from pipelines.snapshots import content_hash
from simulator import DEFAULT_AS_OF, generate_agency


def _content(folder: Path) -> str:
    result, _ = validate_folder(folder, today=DEFAULT_AS_OF)
    assert result.data is not None, [str(p) for p in result.problems]
    return content_hash(result.data)


@pytest.fixture(scope="module")
def contract_hash(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("contract") / "agency"
    generate_agency(folder, employees=120, seed=5, years=3)
    return _content(folder)


@pytest.mark.parametrize(
    ("file_format", "messy"), [("xlsx", False), ("csv", True)], ids=["xlsx", "messy-csv"]
)
def test_the_same_agency_in_other_forms_ingests_to_the_same_content(
    tmp_path: Path, contract_hash: str, file_format: str, messy: bool
) -> None:
    folder = tmp_path / "agency"
    generate_agency(folder, employees=120, seed=5, years=3, file_format=file_format, messy=messy)
    assert _content(folder) == contract_hash


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_agency_in_siasn_layouts_ingests(tmp_path: Path, file_format: str) -> None:
    folder = tmp_path / "agency"
    generate_agency(folder, employees=120, seed=5, years=3, file_format=file_format, layout="siasn")
    assert (folder / f"data_utama.{file_format}").is_file()
    assert _content(folder)
