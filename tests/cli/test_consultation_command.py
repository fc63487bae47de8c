"""`mutasi keys create --role pegawai --nip` and `mutasi consultation purge` on a real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pipelines.settings import get_settings
from serving.auth import verify_key
from serving.consultation import store
from serving.db import make_engine

runner = CliRunner()
NIP = "198501152010012001"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MUTASI_HOME", str(tmp_path))
    monkeypatch.setenv("MUTASI_CONSULTATION_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_pegawai_key_is_bound_to_its_nip() -> None:
    result = runner.invoke(
        app, ["keys", "create", "--role", "pegawai", "--name", "budi", "--nip", NIP]
    )
    key = verify_key(make_engine(get_settings().db_url), result.stdout.strip().splitlines()[0])
    assert key is not None and (key.role.value, key.nip) == ("pegawai", NIP)


def test_a_pegawai_key_without_a_nip_is_refused_with_a_message() -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "pegawai", "--name", "budi"])
    assert result.exit_code != 0 and "needs --nip" in str(result.exception)


def test_purge_deletes_the_rounds_past_the_retention_setting() -> None:
    engine = make_engine(get_settings().db_url)
    long_ago = datetime.now(UTC) - timedelta(days=60)
    old = store.open_round(
        engine,
        opened_by="hr",
        window_from=long_ago,
        window_until=long_ago + timedelta(days=7),
        positions=["P1"],
        invitation="lama / old",
    )
    recent = store.open_round(
        engine,
        opened_by="hr",
        window_from=datetime.now(UTC),
        window_until=datetime.now(UTC) + timedelta(days=7),
        positions=["P1"],
        invitation="baru / new",
    )
    result = runner.invoke(app, ["consultation", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 putaran dihapus" in result.stdout
    assert [r.id for r in store.list_rounds(engine)] == [recent.id] != [old.id]


def test_an_hr_key_can_be_scoped_to_one_unit_and_the_list_shows_it() -> None:
    result = runner.invoke(
        app, ["keys", "create", "--role", "hr", "--name", "kepala", "--unit", "U123"]
    )
    key = verify_key(make_engine(get_settings().db_url), result.stdout.strip().splitlines()[0])
    assert key is not None and (key.role.value, key.unit_id) == ("hr", "U123")
    listed = runner.invoke(app, ["keys", "list"])
    assert "kepala\thr\t" in listed.stdout and "unit=U123" in listed.stdout


def test_a_unit_scope_on_a_planner_key_is_refused_with_a_message() -> None:
    result = runner.invoke(
        app, ["keys", "create", "--role", "planner", "--name", "p", "--unit", "U123"]
    )
    assert result.exit_code != 0 and "Only an hr key" in str(result.exception)
