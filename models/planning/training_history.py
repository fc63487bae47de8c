"""Who completed which training before the reference date, and each training's JP hours, as
arrays in the feature context's training order: built once per snapshot, asked per batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.features.build import FeatureContext


@dataclass(frozen=True)
class CompletedTrainings:
    trainings: np.ndarray  # context training indices completed before as_of, grouped by person
    by_nip: Mapping[str, tuple[int, int]]  # nip -> its slice of `trainings`
    hours: np.ndarray  # JP hours per context training (a repeated id: its first row; unknown 0)

    @classmethod
    def build(
        cls, ctx: FeatureContext, *, catalogue: pd.DataFrame, training_history: pd.DataFrame
    ) -> CompletedTrainings:
        history = training_history.loc[
            pd.to_datetime(training_history["completed_on"]) < pd.Timestamp(ctx.as_of)
        ]
        training = pd.Index(ctx.training_ids.astype(str)).get_indexer(
            history["training_id"].astype(str).to_numpy(dtype=object)
        )
        known = training >= 0
        person, people = pd.factorize(history["nip"].astype(str).to_numpy(dtype=object)[known])
        order = np.argsort(person, kind="stable")
        ends = np.cumsum(np.bincount(person, minlength=len(people)))
        starts = ends - np.bincount(person, minlength=len(people))
        return cls(
            trainings=training[known][order],
            by_nip={
                str(nip): (int(start), int(end))
                for nip, start, end in zip(people, starts, ends, strict=True)
            },
            hours=_catalogue_hours(ctx, catalogue),
        )

    def mask(self, nips: Sequence[str] | np.ndarray) -> np.ndarray:
        """(people x context trainings): completed before as_of."""
        done = np.zeros((len(nips), len(self.hours)), dtype=bool)
        for row, nip in enumerate(nips):
            start, end = self.by_nip.get(str(nip), (0, 0))
            done[row, self.trainings[start:end]] = True
        return done


def _catalogue_hours(ctx: FeatureContext, catalogue: pd.DataFrame) -> np.ndarray:
    """JP hours of each training in the context's order (the first row of a repeated id)."""
    ids = catalogue["training_id"].astype(str).to_numpy(dtype=object)
    _, first = np.unique(ids, return_index=True)
    at = pd.Index(ids[first]).get_indexer(ctx.training_ids.astype(str).to_numpy(dtype=object))
    hours = pd.to_numeric(catalogue["hours"]).to_numpy(dtype=float)[first]
    return np.nan_to_num(np.where(at >= 0, hours[np.maximum(at, 0)], np.nan), nan=0.0)
