"""What a post-move review produced (pipelines/review.py), as the report and the API read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class ReviewWindow:
    since: date
    until: date


@dataclass(frozen=True)
class ReviewResult:
    window: ReviewWindow
    model_version: str
    snapshot_id: str
    moves: pd.DataFrame  # MOVE_COLUMNS + predicted_risk, resisted, from_position_id
    units: pd.DataFrame
    programme: pd.DataFrame
    monitoring: pd.DataFrame
    figures: dict[str, float]
    verdict: str
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)

    def flag_counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.moves["flag"].value_counts().items()}
