"""Errors and input checks of the feature entry points (messages in Indonesian / English)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from models.contract.errors import MutasiError


class UnknownEmployeeError(MutasiError):
    """A NIP that is not among the employees in service."""


class UnknownTrainingError(MutasiError):
    """A training id that is not in the training catalogue."""


class PairInputError(MutasiError):
    """Pairs that cannot be read: a missing column, a bad date, mismatched lengths."""


def check_same_length(
    nips: Sequence[str] | np.ndarray, position_ids: Sequence[str] | np.ndarray
) -> None:
    """One position per NIP: a length mismatch is a caller's error, never broadcast."""
    if len(nips) != len(position_ids):
        raise PairInputError(
            f"Jumlah NIP ({len(nips)}) dan jabatan ({len(position_ids)}) berbeda / "
            f"{len(nips)} NIPs but {len(position_ids)} positions"
        )


def checked_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs with as_of parsed; a missing column or an unparseable date is a user error."""
    missing = [c for c in ("nip", "position_id", "as_of") if c not in pairs]
    if missing:
        names = ", ".join(missing)
        raise PairInputError(f"Kolom wajib tidak ada: {names} / Required columns missing: {names}")
    as_of = pd.to_datetime(pairs["as_of"], errors="coerce")
    bad = np.flatnonzero(as_of.isna().to_numpy())
    if len(bad):
        row = int(bad[0]) + 1
        raise PairInputError(
            f"baris {row}, kolom as_of: tanggal tidak valid / "
            f"row {row}, column as_of: not a valid date ({len(bad)} such rows)"
        )
    return pairs.reset_index(drop=True).assign(as_of=as_of.to_numpy())
