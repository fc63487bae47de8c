"""`mutasi ingest`: problem lines that quote a NIP say so, and `--mask-personal` hides it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from models.contract.enums import Table
from models.contract.problems import MASKED, PERSONAL_NOTE
from pipelines.settings import get_settings
from tests.fixtures.export import NIP_ANI, valid_agency_frames, write_agency

runner = CliRunner()


@pytest.fixture
def bad_nip_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MUTASI_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    frames = valid_agency_frames()
    frames[Table.EMPLOYEES].loc[0, "gender"] = "L"  # contradicts digit 15 of NIP_ANI
    yield write_agency(frames, tmp_path / "export")
    get_settings.cache_clear()


def test_problem_quoting_a_nip_says_it_quotes_personal_data(bad_nip_folder: Path) -> None:
    result = runner.invoke(app, ["ingest", str(bad_nip_folder)])
    line = next(line for line in result.stderr.splitlines() if "employees.csv:2:nip" in line)
    assert NIP_ANI in line and PERSONAL_NOTE in line


def test_mask_personal_keeps_the_nip_out_of_the_output(bad_nip_folder: Path) -> None:
    result = runner.invoke(app, ["ingest", str(bad_nip_folder), "--mask-personal"])
    assert result.exit_code != 0 and NIP_ANI not in result.output and MASKED in result.stderr
