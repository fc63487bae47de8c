"""Immutable data snapshots under the data home, and which one is in use.

Layout of `settings.snapshots_dir`:

    <id>/manifest.json, <id>/<table>.parquet   one complete snapshot per folder
    CURRENT                                     id of the latest ingested snapshot
    PINNED                                      id of a pinned snapshot (overrides CURRENT)
    .tmp-<id>-<pid>/                            a snapshot being written (ignored, cleaned up)

A snapshot is written into a temporary folder, fsynced, then renamed into place (atomic on one
filesystem); only then is CURRENT replaced, atomically, by os.replace of a fsynced temp file. A
crash at any point leaves either the old CURRENT or the new, complete snapshot in use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from models.contract.enums import Table
from models.contract.errors import MutasiError
from models.contract.tables import AgencyData, column_dtypes
from pipelines.settings import Settings

logger = logging.getLogger(__name__)

MANIFEST: Final[str] = "manifest.json"
CURRENT: Final[str] = "CURRENT"
PINNED: Final[str] = "PINNED"
TMP_PREFIX: Final[str] = ".tmp-"


class NoSnapshot(MutasiError):  # noqa: N818
    """No data has been ingested yet."""


class UnknownSnapshot(MutasiError):  # noqa: N818
    """A snapshot id that is not in the data home."""


class SnapshotWriteError(MutasiError):
    """The disk refused the snapshot; nothing in use changed."""


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    created_at: str
    source_folder: str
    source_files: dict[str, str]
    row_counts: dict[str, int]
    content_hash: str
    reference_date: str
    notices: list[str] = field(default_factory=list)
    is_current: bool = False  # the latest ingested one (CURRENT)
    is_pinned: bool = False
    reused: bool = False  # ingest found identical content and reused this snapshot

    @classmethod
    def from_manifest(
        cls, manifest: dict[str, Any], *, is_current: bool, is_pinned: bool, reused: bool = False
    ) -> SnapshotInfo:
        return cls(
            id=manifest["id"],
            created_at=manifest["created_at"],
            source_folder=manifest["source_folder"],
            source_files=manifest["source_files"],
            row_counts=manifest["row_counts"],
            content_hash=manifest["content_hash"],
            reference_date=manifest["reference_date"],
            notices=manifest.get("notices", []),
            is_current=is_current,
            is_pinned=is_pinned,
            reused=reused,
        )


@dataclass(frozen=True)
class Snapshot:
    id: str
    manifest: dict[str, Any]
    data: AgencyData

    def as_of(self, settings: Settings) -> date:
        """Features are as of MUTASI_AS_OF when set, else the snapshot's export date."""
        return settings.as_of or date.fromisoformat(str(self.manifest["reference_date"]))


def content_hash(data: AgencyData) -> str:
    """sha256 over the canonical tables: per table its name, columns and dtypes, then the
    sorted 64-bit hashes of its rows (pandas' hash_pandas_object of every value). It depends
    on the content only: not on the file format, the layout, the spelling normalised on the
    way in, nor the order of rows."""
    digest = hashlib.sha256()
    for table, frame in data.frames().items():
        digest.update(
            f"{table.value}|{list(frame.columns)}|{list(map(str, frame.dtypes))}".encode()
        )
        rows = pd.util.hash_pandas_object(frame, index=False, categorize=False)
        digest.update(np.sort(rows.to_numpy()).tobytes())
    return digest.hexdigest()


def reference_date(data: AgencyData, *, today: date) -> date:
    """The export date: the latest date the tables hold, or `today` when they hold none."""
    latest = [
        frame[c].max()
        for frame in data.frames().values()
        for c in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[c])
    ]
    seen = [d for d in latest if pd.notna(d)]
    return max(seen).date() if seen else today


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, payload: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def _replace_pointer(root: Path, name: str, snapshot_id: str | None) -> None:
    """Atomically point CURRENT/PINNED at an id (None removes the pointer)."""
    target = root / name
    if snapshot_id is None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    else:
        temp = root / f"{TMP_PREFIX}{name}-{os.getpid()}"
        _write_file(temp, f"{snapshot_id}\n".encode())
        os.replace(temp, target)
    _fsync(root)


def _read_pointer(root: Path, name: str) -> str | None:
    try:
        value = (root / name).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value if value and (root / value / MANIFEST).is_file() else None


def _remove_stale_temps(root: Path) -> None:
    """Remove temp folders/files left by writers that are no longer running."""
    for path in root.glob(f"{TMP_PREFIX}*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_by_hash(settings: Settings, digest: str) -> str | None:
    for info in list_snapshots(settings):
        if info.content_hash == digest:
            return info.id
    return None


def write_snapshot(
    data: AgencyData, *, manifest: dict[str, Any], settings: Settings
) -> SnapshotInfo:
    """Write a complete snapshot, then mark it CURRENT; reuse one with the same content hash.

    A failure of the disk (full, read-only, removed) raises SnapshotWriteError and leaves the
    snapshot in use as it was."""
    root = settings.snapshots_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(root)
        existing = find_by_hash(settings, manifest["content_hash"])
        if existing is not None:
            _replace_pointer(root, CURRENT, existing)
            logger.info("identical content: reusing snapshot %s", existing)
            return _info(settings, existing, reused=True)
        _write_complete(data, manifest=manifest, root=root)
        _replace_pointer(root, CURRENT, manifest["id"])
    except OSError as err:
        raise SnapshotWriteError(
            f"Snapshot tidak bisa ditulis di {root}: {err.strerror or err}; snapshot yang dipakai "
            f"tidak berubah / Cannot write the snapshot in {root}: {err.strerror or err}; the "
            "snapshot in use is unchanged"
        ) from err
    logger.info("snapshot %s written and marked current", manifest["id"])
    return _info(settings, manifest["id"])


def _write_complete(data: AgencyData, *, manifest: dict[str, Any], root: Path) -> None:
    """Write tables and manifest into a temp folder, fsync, and rename it into place."""
    temp = root / f"{TMP_PREFIX}{manifest['id']}-{os.getpid()}"
    temp.mkdir()
    try:
        for table, frame in data.frames().items():
            frame.to_parquet(temp / f"{table.value}.parquet", index=False)
            _fsync(temp / f"{table.value}.parquet")
        _write_file(temp / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        _fsync(temp)
        os.rename(temp, root / manifest["id"])
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _fsync(root)


def new_snapshot_id(digest: str, *, now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S}Z-{digest[:10]}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _read_manifest(settings: Settings, snapshot_id: str) -> dict[str, Any]:
    path = settings.snapshots_dir / snapshot_id / MANIFEST
    if "/" in snapshot_id or snapshot_id.startswith(".") or not path.is_file():
        known = ", ".join(i.id for i in list_snapshots(settings)) or "-"
        raise UnknownSnapshot(
            f"Snapshot {snapshot_id!r} tidak ada; yang ada: {known} / "
            f"Snapshot {snapshot_id!r} does not exist; known: {known}"
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def _info(settings: Settings, snapshot_id: str, *, reused: bool = False) -> SnapshotInfo:
    root = settings.snapshots_dir
    return SnapshotInfo.from_manifest(
        _read_manifest(settings, snapshot_id),
        is_current=_read_pointer(root, CURRENT) == snapshot_id,
        is_pinned=_read_pointer(root, PINNED) == snapshot_id,
        reused=reused,
    )


def current_snapshot_id(settings: Settings) -> str | None:
    """The snapshot in use: the pinned one if any, else the latest ingested (CURRENT)."""
    root = settings.snapshots_dir
    return _read_pointer(root, PINNED) or _read_pointer(root, CURRENT)


def pinned_snapshot_id(settings: Settings) -> str | None:
    """The pinned snapshot, if any."""
    return _read_pointer(settings.snapshots_dir, PINNED)


def list_snapshots(settings: Settings) -> list[SnapshotInfo]:
    """Every complete snapshot, oldest first (by creation time)."""
    root = settings.snapshots_dir
    if not root.is_dir():
        return []
    current, pinned = _read_pointer(root, CURRENT), _read_pointer(root, PINNED)
    infos = [
        SnapshotInfo.from_manifest(
            _read_manifest(settings, p.name),
            is_current=p.name == current,
            is_pinned=p.name == pinned,
        )
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file()
    ]
    return sorted(infos, key=lambda i: (i.created_at, i.id))


def pin_snapshot(snapshot_id: str | None, *, settings: Settings) -> None:
    """Pin a snapshot so that it is used instead of CURRENT; None unpins."""
    if snapshot_id is not None:
        _read_manifest(settings, snapshot_id)  # raises UnknownSnapshot
    settings.snapshots_dir.mkdir(parents=True, exist_ok=True)
    _replace_pointer(settings.snapshots_dir, PINNED, snapshot_id)


def load_snapshot(snapshot_id: str | None = None, *, settings: Settings) -> Snapshot:
    """Load a snapshot (default: the one in use) as canonical `AgencyData`."""
    chosen = snapshot_id or current_snapshot_id(settings)
    if chosen is None:
        raise NoSnapshot(
            "Belum ada data: jalankan `mutasi ingest DIR` dulu / "
            "No data yet: run `mutasi ingest DIR` first"
        )
    manifest = _read_manifest(settings, chosen)
    folder = settings.snapshots_dir / chosen
    frames: dict[Table | str, pd.DataFrame] = {
        table: pd.read_parquet(folder / f"{table.value}.parquet").astype(column_dtypes(table))
        for table in Table
    }
    return Snapshot(id=chosen, manifest=manifest, data=AgencyData.from_frames(frames))
