"""The transfer programme's true effects, for checking the post-move impact estimates.

By default (`Programme()`) a mover's first post-move SKP follows the rating mechanism in the
new post (simulator.outcomes), so the effect of being moved differs from person to person and
has no single true value. A `Programme` with `move_effect` set replaces that with a known
effect: the first post-move expected rating is what the person would have been expected to
score had they stayed in the post they left (the same mechanism, same year, old post) plus
`move_effect` rating points. `pretraining_share` of the moves that change sector get a
pre-transfer training in the target post's technical competency (a `training_history` row
20-120 days before the decree), which adds `pretraining_effect` rating points to that first
post-move year (directly: it does not change assessed levels). On the 0-100 SKP score scale
an effect is `SCORE_PER_RATING` (15) times as large (simulator.outcomes.skp_score).

`Programme(move_effect=0.0, pretraining_effect=0.0, pretraining_share=0.4)` is a world with
no effect at all. The defaults draw no random numbers: worlds without a programme are the same
as before it existed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from simulator.writer import DemoDataError

SCORE_PER_RATING: Final[float] = 15.0
PRETRAINING_DAYS: Final[tuple[int, int]] = (20, 121)


@dataclass(frozen=True)
class Programme:
    """True programme effects (rating points, 1-5 scale); see the module docstring."""

    move_effect: float | None = None
    pretraining_effect: float = 0.0
    pretraining_share: float = 0.0

    def __post_init__(self) -> None:
        effects = [e for e in (self.move_effect, self.pretraining_effect) if e is not None]
        if not 0.0 <= self.pretraining_share <= 1.0 or any(abs(e) > 2.0 for e in effects):
            raise DemoDataError(
                "Efek program harus -2..2 poin predikat dan porsi pelatihan 0..1 / programme "
                "effects must be -2..2 rating points and the training share 0..1"
            )

    def truth(self) -> dict[str, Any]:
        """The effects as `_truth/truth.json` states them, on both scales."""
        return {
            **asdict(self),
            "move_effect_score": None
            if self.move_effect is None
            else self.move_effect * SCORE_PER_RATING,
            "pretraining_effect_score": self.pretraining_effect * SCORE_PER_RATING,
            "scale": "rating points (1-5); *_score on the 0-100 SKP score scale",
        }


def pretraining_picks(
    rng: np.random.Generator,
    *,
    sector_change: np.ndarray,
    technical_trainings: list[np.ndarray],
    target_sector: np.ndarray,
    share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(move rows, catalogue rows) of the pre-transfer trainings given: `share` of the sector
    changes whose target sector has a technical training in the catalogue."""
    has_training = np.array([len(technical_trainings[s]) > 0 for s in target_sector], dtype=bool)
    chosen = np.flatnonzero(sector_change & has_training & (rng.random(len(sector_change)) < share))
    picks = np.array(
        [rng.choice(technical_trainings[target_sector[m]]) for m in chosen], dtype=np.int64
    )
    return chosen, picks


def programme_truth(realised: pd.DataFrame, *, nip: np.ndarray) -> pd.DataFrame:
    """_truth/programme_truth.csv: per first post-move appraisal (nip, year) the effects as
    realised (rating points and SKP score points; the 1-5 bounds make them smaller than the
    parameters for people near 5)."""
    if realised.empty:
        return pd.DataFrame(columns=["nip", "year", "move_effect", "pretraining_effect"])
    return pd.DataFrame(
        {
            "nip": nip[realised["person"].to_numpy()],
            "year": realised["year"].to_numpy(),
            "move_effect": realised["move_effect"].round(4).to_numpy(),
            "pretraining_effect": realised["pretraining_effect"].round(4).to_numpy(),
            "move_effect_score": (SCORE_PER_RATING * realised["move_effect"]).round(3).to_numpy(),
            "pretraining_effect_score": (SCORE_PER_RATING * realised["pretraining_effect"])
            .round(3)
            .to_numpy(),
        }
    )
