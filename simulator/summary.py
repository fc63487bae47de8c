"""What a generated demo agency holds: where it went, its parameters, and its table sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class DemoSummary:
    """What was written: where, for which parameters, and the size of each table."""

    out_dir: Path
    employees: int
    seed: int
    as_of: date
    years: int
    file_format: str
    rows: dict[str, int] = field(default_factory=dict)
    resistance_rate: float = 0.0
    post_move_label_share: float = 0.0
