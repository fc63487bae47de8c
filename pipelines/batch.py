"""Batch scoring (the contract's `mutasi score`): PAIRS CSV in, scores CSV out, same order."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from models.contract.enums import NIP_LENGTH, InitiatedBy
from models.contract.errors import MutasiError
from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.scoring.compose import score_pairs
from models.scoring.policy import PolicyConfig
from pipelines.ingest import read_and_validate
from pipelines.registry import LoadedBundle, load_champion
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot, reference_date

PAIR_COLUMNS = ("nip", "position_id")
INITIATED_BY = "initiated_by"  # optional column: agency (default when empty) or employee
INITIATORS = tuple(i.value for i in InitiatedBy)
MAX_LISTED_PROBLEMS = 20


class PairsFileError(MutasiError):
    """The PAIRS file cannot be scored as given."""


@dataclass(frozen=True)
class ScoredFile:
    rows: int
    eligible: int
    model_version: str
    as_of: date


def read_input_csv(
    path: Path, columns: tuple[str, ...], *, error: type[MutasiError]
) -> pd.DataFrame:
    """Every cell of an input CSV (PAIRS, slots) as a string; `error`, naming the file, when it
    is missing, is not UTF-8 CSV or lacks one of `columns`."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: berkas tidak ada / file not found") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise error(f"{path}: bukan CSV UTF-8 yang sah / not a valid UTF-8 CSV ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(
            f"{path}:1:{','.join(missing)}: kolom wajib tidak ada / required column missing"
        )
    return frame


def read_pairs(path: Path) -> pd.DataFrame:
    """nip and position_id of every row, as strings; located errors for bad rows."""
    frame = read_input_csv(path, PAIR_COLUMNS, error=PairsFileError)
    columns = [*PAIR_COLUMNS, *([INITIATED_BY] if INITIATED_BY in frame.columns else [])]
    pairs = frame[columns].apply(lambda column: column.str.strip())
    if INITIATED_BY in pairs.columns:
        pairs[INITIATED_BY] = pairs[INITIATED_BY].str.lower()
    problems = _pair_problems(pairs, path)
    if problems:
        shown = "\n".join(problems[:MAX_LISTED_PROBLEMS])
        raise PairsFileError(f"{shown}\n{len(problems)} masalah / problems in {path}")
    return pairs.astype("string")


def initiated_by_employee(pairs: pd.DataFrame) -> np.ndarray | None:
    """1.0 where the optional `initiated_by` column says employee; None without the column
    (risk is then for agency-initiated moves)."""
    if INITIATED_BY not in pairs.columns:
        return None
    return (pairs[INITIATED_BY] == InitiatedBy.EMPLOYEE.value).to_numpy(dtype=float)


def _pair_problems(pairs: pd.DataFrame, path: Path) -> list[str]:
    """`file:row:column: message` for malformed NIPs and empty position ids (row = CSV line)."""
    bad_nip = ~pairs["nip"].str.fullmatch(rf"\d{{{NIP_LENGTH}}}")
    empty_position = pairs["position_id"] == ""
    nip_message = f"NIP harus {NIP_LENGTH} digit / NIP must be {NIP_LENGTH} digits"
    located = [(int(row), "nip", nip_message) for row in pairs.index[bad_nip]]
    located += [(int(row), "position_id", "kosong / empty") for row in pairs.index[empty_position]]
    if INITIATED_BY in pairs.columns:
        bad = ~pairs[INITIATED_BY].isin(["", *INITIATORS])
        message = "harus agency, employee atau kosong / must be agency, employee or empty"
        located += [(int(row), INITIATED_BY, message) for row in pairs.index[bad]]
    return [f"{path}:{row + 2}:{column}: {message}" for row, column, message in sorted(located)]


def agency_data(settings: Settings, data_dir: Path | None) -> tuple[AgencyData, date]:
    """The folder's validated tables (no snapshot written), else the current snapshot."""
    if data_dir is not None:
        data = read_and_validate(data_dir, today=settings.reference_date)
        return data, settings.as_of or reference_date(data, today=settings.reference_date)
    snapshot = load_snapshot(settings=settings)
    return snapshot.data, snapshot.as_of(settings)


def write_scores(scores: pd.DataFrame, out: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    scores.assign(eligible=scores["eligible"].map({True: "true", False: "false"})).to_csv(
        partial, index=False, float_format="%.6f"
    )
    os.replace(partial, out)


def score_file(
    settings: Settings,
    *,
    pairs_path: Path,
    out: Path,
    data_dir: Path | None = None,
    policy: PolicyConfig | None = None,
    bundle: LoadedBundle | None = None,
) -> ScoredFile:
    """Score every pair of PAIRS with the @champion bundle and write OUT in the same order."""
    pairs = read_pairs(pairs_path)
    bundle = bundle or load_champion(settings)
    data, as_of = agency_data(settings, data_dir)
    ctx = FeatureContext.build(data, as_of)
    scores = score_pairs(
        ctx,
        bundle.scorer,
        pairs["nip"].to_numpy(),
        pairs["position_id"].to_numpy(),
        policy=policy or PolicyConfig(),
        initiated_by_employee=initiated_by_employee(pairs),
    )
    write_scores(scores, out)
    return ScoredFile(
        rows=len(scores),
        eligible=int(scores["eligible"].sum()),
        model_version=bundle.version,
        as_of=as_of,
    )
