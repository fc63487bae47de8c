"""Snapshots: exact round trip, content hash, pinning, and crash safety of the CURRENT pointer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from models.contract.enums import Table
from pipelines.ingest import ingest_folder, read_and_validate
from pipelines.readers import FolderNotFound
from pipelines.settings import Settings
from pipelines.snapshots import (
    NoSnapshot,
    SnapshotWriteError,
    UnknownSnapshot,
    current_snapshot_id,
    list_snapshots,
    load_snapshot,
    pin_snapshot,
)
from simulator import DEFAULT_AS_OF, generate_agency
from tests.fixtures.export import FIXTURE_TODAY, valid_agency_frames, write_agency

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", as_of=FIXTURE_TODAY)


def _second_version(tmp_path: Path) -> Path:
    frames = valid_agency_frames()
    frames[Table.POSITIONS].loc[1, "required_headcount"] = "3"
    return write_agency(frames, tmp_path / "v2")


def test_snapshot_reads_back_identical_to_the_validated_frames(
    valid_agency_dir: Path, settings: Settings
) -> None:
    info = ingest_folder(valid_agency_dir, settings=settings)
    expected = read_and_validate(valid_agency_dir, today=FIXTURE_TODAY)
    snapshot = load_snapshot(settings=settings)
    assert snapshot.id == info.id
    for table in Table:
        pd.testing.assert_frame_equal(snapshot.data.table(table), expected.table(table))


def test_demo_agency_round_trips_through_a_snapshot_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    generate_agency(folder, employees=120, seed=3, years=3)
    config = Settings(home=tmp_path / "home", as_of=DEFAULT_AS_OF)
    info = ingest_folder(folder, settings=config)
    expected = read_and_validate(folder, today=DEFAULT_AS_OF)
    snapshot = load_snapshot(info.id, settings=config)
    for table in Table:
        pd.testing.assert_frame_equal(snapshot.data.table(table), expected.table(table))


def test_manifest_records_counts_sources_hash_and_reference_date(
    valid_agency_dir: Path, settings: Settings
) -> None:
    manifest = load_snapshot(
        ingest_folder(valid_agency_dir, settings=settings).id, settings=settings
    ).manifest
    assert manifest["row_counts"]["employees"] == 4
    assert manifest["source_files"]["units"] == "units.csv"
    assert len(manifest["content_hash"]) == 64
    assert manifest["reference_date"] == "2024-02-20"  # the latest date in the tables


def test_same_content_in_xlsx_hashes_the_same_and_is_reused(
    valid_agency_dir: Path, tmp_path: Path, settings: Settings
) -> None:
    first = ingest_folder(valid_agency_dir, settings=settings)
    as_xlsx = write_agency(valid_agency_frames(), tmp_path / "x", dict.fromkeys(Table, "xlsx"))
    again = ingest_folder(as_xlsx, settings=settings)
    assert (again.id, again.content_hash, again.reused) == (first.id, first.content_hash, True)
    assert len(list_snapshots(settings)) == 1


def test_new_content_becomes_current(
    valid_agency_dir: Path, tmp_path: Path, settings: Settings
) -> None:
    first = ingest_folder(valid_agency_dir, settings=settings)
    second = ingest_folder(_second_version(tmp_path), settings=settings)
    assert second.content_hash != first.content_hash
    assert current_snapshot_id(settings) == second.id


def test_loading_without_any_snapshot_says_to_ingest(settings: Settings) -> None:
    with pytest.raises(NoSnapshot, match="run `mutasi ingest DIR` first"):
        load_snapshot(settings=settings)


def test_pin_overrides_current_until_unpinned(
    valid_agency_dir: Path, tmp_path: Path, settings: Settings
) -> None:
    first = ingest_folder(valid_agency_dir, settings=settings).id
    pin_snapshot(first, settings=settings)
    second = ingest_folder(_second_version(tmp_path), settings=settings).id
    assert load_snapshot(settings=settings).id == first
    pin_snapshot(None, settings=settings)
    assert load_snapshot(settings=settings).id == second


def test_pinning_an_unknown_snapshot_is_refused(settings: Settings) -> None:
    with pytest.raises(UnknownSnapshot, match="does not exist"):
        pin_snapshot("20990101T000000Z-0000000000", settings=settings)


def test_loading_an_unknown_snapshot_lists_the_known_ones(
    valid_agency_dir: Path, settings: Settings
) -> None:
    known = ingest_folder(valid_agency_dir, settings=settings).id
    with pytest.raises(UnknownSnapshot, match=f"known: {known}"):
        load_snapshot("../../etc", settings=settings)


def test_ingesting_a_missing_folder_names_it(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(FolderNotFound, match=r"Folder not found: .*nowhere"):
        ingest_folder(tmp_path / "nowhere", settings=settings)


def test_failure_before_current_is_replaced_keeps_the_old_snapshot(
    valid_agency_dir: Path, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest_folder(valid_agency_dir, settings=settings).id

    def power_cut(*_: object) -> None:
        raise OSError("simulated power cut")

    with monkeypatch.context() as patch:
        patch.setattr("pipelines.snapshots.os.replace", power_cut)
        with pytest.raises(SnapshotWriteError, match="simulated power cut"):
            ingest_folder(_second_version(tmp_path), settings=settings)
    assert load_snapshot(settings=settings).id == first


def test_failure_while_writing_tables_leaves_no_snapshot_behind(
    valid_agency_dir: Path, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest_folder(valid_agency_dir, settings=settings).id
    with monkeypatch.context() as patch:
        patch.setattr("pipelines.snapshots.os.rename", lambda *_: (_ for _ in ()).throw(OSError))
        with pytest.raises(SnapshotWriteError, match="snapshot in use is unchanged"):
            ingest_folder(_second_version(tmp_path), settings=settings)
    assert [i.id for i in list_snapshots(settings)] == [first]
    assert not [p for p in settings.snapshots_dir.iterdir() if p.name.startswith(".tmp-")]
    assert current_snapshot_id(settings) == first


_CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import pipelines.snapshots as snapshots
    from pipelines.ingest import ingest_folder
    from pipelines.settings import Settings

    folder, home, today, pause_at = sys.argv[1:5]
    seen = {"count": 0, "renamed": False}
    real = {"fsync": snapshots._fsync, "rename": os.rename, "replace": os.replace}

    def step(name):
        seen["count"] += 1
        event = name + ("-after-rename" if seen["renamed"] and name == "fsync" else "")
        if event == pause_at or (pause_at == "fsync-1" and seen["count"] == 1):
            print("PAUSED", flush=True)
            time.sleep(120)

    def fsync(path):
        step("fsync"); real["fsync"](path)

    def rename(a, b):
        step("rename"); real["rename"](a, b); seen["renamed"] = True

    def replace(a, b):
        step("replace"); real["replace"](a, b)

    snapshots._fsync, snapshots.os.rename, snapshots.os.replace = fsync, rename, replace
    ingest_folder(Path(folder), settings=Settings(home=Path(home), as_of=today))
    print("PAUSED", flush=True)
    time.sleep(120)
    """
)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("pause_at", "new_is_current"),
    [
        ("fsync-1", False),  # first table written, nothing renamed yet
        ("rename", False),  # snapshot complete in its temp folder
        ("fsync-after-rename", False),  # snapshot in place, CURRENT still old
        ("replace", False),  # CURRENT's temp file written, not yet swapped
        ("done", True),  # everything done
    ],
)
def test_kill_9_mid_ingest_never_marks_a_partial_snapshot_current(
    pause_at: str,
    new_is_current: bool,
    valid_agency_dir: Path,
    tmp_path: Path,
    settings: Settings,
) -> None:
    first = ingest_folder(valid_agency_dir, settings=settings).id
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(_second_version(tmp_path)),
            str(settings.home),
            FIXTURE_TODAY.isoformat(),
            pause_at,
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "PAUSED"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    in_use = load_snapshot(settings=settings)  # complete, whichever it is
    assert (in_use.id != first) == new_is_current
    again = ingest_folder(_second_version(tmp_path), settings=settings)
    assert current_snapshot_id(settings) == again.id
    assert not [p for p in settings.snapshots_dir.iterdir() if p.name.startswith(".tmp-")]
