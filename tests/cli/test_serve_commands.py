from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pipelines.settings import get_settings
from serving.auth import verify_key
from serving.db import make_engine

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MUTASI_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_keys_create_prints_a_key_that_verifies() -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "hr", "--name", "hr-desk"])
    key = result.stdout.strip().splitlines()[0]
    found = verify_key(make_engine(get_settings().db_url), key)
    assert found is not None and found.label == "hr-desk"


def test_keys_create_with_unknown_role_fails_with_a_message() -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "boss", "--name", "x"])
    assert result.exit_code != 0 and "Unknown role: boss" in str(result.exception)


def test_keys_list_shows_labels_but_never_the_key() -> None:
    created = runner.invoke(app, ["keys", "create", "--role", "data", "--name", "ds"])
    key = created.stdout.strip().splitlines()[0]
    listed = runner.invoke(app, ["keys", "list"]).stdout
    assert "ds\tdata" in listed and key not in listed


def test_keys_revoke_makes_the_key_fail() -> None:
    created = runner.invoke(app, ["keys", "create", "--role", "hr", "--name", "temp"])
    key = created.stdout.strip().splitlines()[0]
    runner.invoke(app, ["keys", "revoke", "--name", "temp"])
    assert verify_key(make_engine(get_settings().db_url), key) is None


def test_audit_export_writes_csv_with_header(tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = runner.invoke(app, ["audit", "--since", "2020-01-01", "--out", str(out)])
    header = next(csv.reader(io.StringIO(out.read_text())))
    assert result.exit_code == 0 and header[:3] == ["id", "at", "key_label"]


def test_audit_rejects_a_bad_date() -> None:
    result = runner.invoke(app, ["audit", "--since", "yesterday"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in str(result.exception)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_turns_off_uvicorns_access_log_which_would_print_nips(
    workers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: calls.append(options))
    result = runner.invoke(app, ["serve", "--port", "8123", "--workers", workers])
    assert result.exit_code == 0, result.output
    assert [c["access_log"] for c in calls] == [False]


@pytest.mark.parametrize(
    ("host", "expected"), [("127.0.0.1", "true"), ("::1", "true"), ("0.0.0.0", "false")]
)
def test_api_docs_default_to_loopback_only(
    host: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.commands.serve import _decide_api_docs

    monkeypatch.setenv("MUTASI_API_DOCS", "unset")  # restored after the test, then removed
    monkeypatch.delenv("MUTASI_API_DOCS")
    _decide_api_docs(host)
    assert os.environ["MUTASI_API_DOCS"] == expected


def test_an_explicit_api_docs_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.commands.serve import _decide_api_docs

    monkeypatch.setenv("MUTASI_API_DOCS", "true")
    _decide_api_docs("0.0.0.0")
    assert os.environ["MUTASI_API_DOCS"] == "true"


def test_decisions_export_writes_csv_with_header(tmp_path: Path) -> None:
    out = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["decisions", "--since", "2020-01-01", "--out", str(out)])
    header = next(csv.reader(io.StringIO(out.read_text())))
    assert result.exit_code == 0 and header[:3] == ["id", "at", "key_label"]
    assert "reason" in header and "fairness_flags" in header
