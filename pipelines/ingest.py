"""Ingest: read an export folder, validate it against the contract, write a snapshot.

`read_and_validate` gives callers the canonical data without writing anything;
`ingest_folder` also writes an immutable snapshot and marks it current. On any contract
violation both raise `ContractViolation` carrying every problem, and nothing on disk changes.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Final

import pandas as pd

from models.contract.enums import Table
from models.contract.errors import MutasiError
from models.contract.normalise import normalise_frames
from models.contract.problems import MAX_PROBLEMS, ContractViolation, Problem, ValidationResult
from models.contract.schemas import failing_rows, validate_frames
from models.contract.tables import AgencyData
from pipelines.mapping import ColumnMapping, read_mapping
from pipelines.readers import ReadResult, read_folder
from pipelines.settings import Settings
from pipelines.siasn import is_siasn, map_export, read_export
from pipelines.snapshots import (
    SnapshotInfo,
    content_hash,
    new_snapshot_id,
    reference_date,
    utc_now,
    write_snapshot,
)

logger = logging.getLogger(__name__)


class UnknownLayout(MutasiError):  # noqa: N818
    """`--layout` names no layout Mutasi knows."""


LAYOUTS: Final[tuple[str, ...]] = ("contract", "siasn")
JUNK_SAMPLE_ROWS: Final[int] = 10_000
JUNK = (
    "berhenti memeriksa setelah {rows:,} baris pertama: {bad:,} di antaranya melanggar kontrak, "
    "{rest:,} baris sisanya tidak diperiksa; periksa apakah ini ekspor yang benar / stopped "
    "checking after the first {rows:,} rows: {bad:,} of them break the contract, the other "
    "{rest:,} rows were not checked; check that this is the right export"
)

__all__ = ["ContractViolation", "ingest_folder", "read_and_validate", "validate_folder"]


def validate_folder(
    folder: Path, *, today: date, layout: str | None = None, mapping: Path | None = None
) -> tuple[ValidationResult, dict[Table, str]]:
    """Read, normalise and check a folder: the validation result (problems of reading and of
    values refused by normalisation first, each cell blamed once) and the source files.

    `layout`: "contract" or "siasn" (pipelines/siasn.py); None recognises SIASN by file name.
    `mapping`: a file naming another system's files and columns (pipelines/mapping.py)."""
    read = _read(folder, layout=layout, mapping=read_mapping(mapping) if mapping else None)
    frames, junk = _stop_at_junk(read.frames, sources=read.sources, today=today)
    normal = normalise_frames(frames, sources=read.sources)
    result = validate_frames(normal.frames, sources=read.sources, today=today)
    changes = read.changes + normal.changes
    notices = read.notices + [str(c) for c in changes] + result.notices
    first = read.problems + junk + normal.problems
    if not first:
        return replace(result, notices=notices, normalised=changes), read.sources
    blamed = {(p.file, p.row, p.column) for p in first}
    later = [p for p in result.problems if (p.file, p.row, p.column) not in blamed]
    total = len(first) + result.total_problems - (len(result.problems) - len(later))
    shown = (first + later)[:MAX_PROBLEMS]
    failed = ValidationResult(None, shown, notices, total, result.summary, changes)
    return failed, read.sources


def _read(folder: Path, *, layout: str | None, mapping: ColumnMapping | None) -> ReadResult:
    """The contract tables of a folder in either layout, with what reading them changed."""
    if layout is not None and layout not in LAYOUTS:
        raise UnknownLayout(
            f"Tata letak tidak dikenal: {layout!r} (pilih {', '.join(LAYOUTS)}) / unknown "
            f"layout {layout!r} (choose {', '.join(LAYOUTS)})"
        )
    if layout == "contract" or (layout is None and not (folder.is_dir() and is_siasn(folder))):
        return read_folder(folder, mapping=mapping)
    if not folder.is_dir():
        return read_folder(folder)  # raises FolderNotFound
    found = read_export(folder)
    mapped = map_export(found.export)
    return ReadResult(
        frames=mapped.frames,
        sources=mapped.sources,
        problems=found.problems + mapped.problems,
        changes=found.changes,
        notices=mapped.notices,
    )


def _stop_at_junk(
    frames: dict[Table, pd.DataFrame], *, sources: dict[Table, str], today: date
) -> tuple[dict[Table, pd.DataFrame], list[Problem]]:
    """Tables whose first JUNK_SAMPLE_ROWS rows mostly break the contract are cut to those
    rows (their problems are reported, the rest counted), so that a file of junk is refused
    within the ingest budget instead of collecting millions of problems."""
    kept, problems = dict(frames), []
    for table, frame in frames.items():
        if len(frame) <= JUNK_SAMPLE_ROWS:
            continue
        head = frame.iloc[:JUNK_SAMPLE_ROWS]
        sample = normalise_frames({table: head}, sources=sources).frames[table]
        bad = failing_rows(table, sample, today=today)
        if bad * 2 > len(head):
            kept[table] = head
            rest = len(frame) - len(head)
            text = JUNK.format(rows=len(head), bad=bad, rest=rest)
            problems.append(Problem(sources[table], None, None, text))
    return kept, problems


def read_and_validate(folder: Path, *, today: date, layout: str | None = None) -> AgencyData:
    """The canonical tables of a folder that keeps the contract; raises ContractViolation."""
    result, _ = validate_folder(folder, today=today, layout=layout)
    return _data_or_raise(result, folder=folder)


def _data_or_raise(result: ValidationResult, *, folder: Path) -> AgencyData:
    """The canonical data of a validation that passed; else ContractViolation with its problems."""
    if result.data is None:
        logger.info("%s breaks the contract: %d problems", folder, result.total_problems)
        raise ContractViolation(
            result.problems, total=result.total_problems, summary=result.summary
        )
    return result.data


def ingest_folder(
    folder: Path, *, settings: Settings, layout: str | None = None, mapping: Path | None = None
) -> SnapshotInfo:
    """Validate `folder` and write it as a snapshot marked current (identical content reused)."""
    today = settings.reference_date
    result, sources = validate_folder(folder, today=today, layout=layout, mapping=mapping)
    data = _data_or_raise(result, folder=folder)
    digest = content_hash(data)
    now = utc_now()
    manifest = {
        "id": new_snapshot_id(digest, now=now),
        "created_at": now.isoformat(timespec="microseconds"),
        "source_folder": str(folder.resolve()),
        "source_files": {t.value: name for t, name in sources.items()},
        "row_counts": {t.value: len(frame) for t, frame in data.frames().items()},
        "content_hash": digest,
        "reference_date": reference_date(data, today=today).isoformat(),
        "notices": result.notices,
    }
    return write_snapshot(data, manifest=manifest, settings=settings)
