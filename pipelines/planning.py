"""Plan a transfer round from the command line: read slots, plan, store the plan.

The round itself is models/planning/round.py `plan_round` (the CLI and the API share it);
`make_plan` is the CLI path (current snapshot + @champion). Each plan is stored under
`settings.home / "plans" / <plan_id>` with its inputs (options, pool settings, slots, snapshot
id, model version, reference date) and outputs, so that it can be reproduced and audited.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from models.features.build import FeatureContext
from models.planning.instance import PlanInputError, PlanOptions
from models.planning.pool import PoolConfig
from models.planning.preferences import stated_preferences
from models.planning.round import plan_round
from models.scoring.policy import PolicyConfig
from pipelines.batch import read_input_csv
from pipelines.compiled import compile_for_context
from pipelines.distributed import Progress, round_runner
from pipelines.plan_store import StoredPlan, store_plan
from pipelines.registry import load_champion
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot


def read_slots(path: Path) -> pd.DataFrame:
    """position_id, open_count from a CSV; located errors for bad rows."""
    frame = read_input_csv(path, ("position_id", "open_count"), error=PlanInputError)
    counts = pd.to_numeric(frame["open_count"].str.strip(), errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PlanInputError(
            f"{path}:{row + 2}:open_count: harus bilangan bulat >= 0 / must be an integer >= 0 "
            f"({frame['open_count'].iloc[row]!r})"
        )
    return pd.DataFrame(
        {
            "position_id": frame["position_id"].str.strip().astype("string"),
            "open_count": counts.astype("int64"),
        }
    )


def make_plan(
    settings: Settings,
    *,
    slots_path: Path | None,
    options: PlanOptions,
    pool: PoolConfig | None = None,
    dask_scheduler: str | None = None,
    dask_workers: int | None = None,
    progress: Progress | None = None,
    choices: pd.DataFrame | None = None,
    answers: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    unit_rankings: pd.DataFrame | None = None,
) -> StoredPlan:
    """The CLI path: the current snapshot and the @champion model; the plan is stored.

    The candidate search runs on the Dask scheduler at `dask_scheduler`, on a LocalCluster for
    large rounds (`pipelines/distributed.py` `round_runner`), else in process; `progress` hears
    (partitions done, partitions) of each search round. `choices` (nip, position_id, rank from
    a consultation round) join the pool and, with `options.preference_weight`, the objective.
    `answers` (choices, wishes: each respondent's newest answer over every round, as the
    service reads them in serving/consultation/in_force.py) replace the respondents'
    preferences in the snapshot, so risk is scored on what people last said, as in the API.
    `unit_rankings` (the units' rankings of their candidates) join the objective with
    `options.unit_preference_weight`, and the plan reports its blocking pairs.
    """
    snapshot = load_snapshot(settings=settings)
    bundle = load_champion(settings)
    as_of = snapshot.as_of(settings)
    data = snapshot.data
    if answers is not None:
        stated = stated_preferences(data.preferences, *answers, positions=data.positions)
        data = replace(data, preferences=stated)
    ctx = FeatureContext.build(data, as_of)
    slots = read_slots(slots_path) if slots_path is not None else None
    pool = pool or PoolConfig()
    scorer = compile_for_context(bundle.scorer, ctx, settings=settings).scorer
    open_positions = len(slots) if slots is not None else len(snapshot.data.positions)
    try:
        with round_runner(
            scheduler=dask_scheduler,
            workers=dask_workers,
            pairs=len(snapshot.data.employees) * open_positions,
            progress=progress,
        ) as runner:
            plan = plan_round(
                data,
                ctx,
                scorer,
                policy=PolicyConfig(),
                slots=slots,
                options=options,
                pool=pool,
                runner=runner,
                choices=choices,
                unit_rankings=unit_rankings,
            )
    except PlanInputError as exc:
        raise PlanInputError(f"{slots_path or 'slots'}: {exc.message}") from None
    return store_plan(
        settings,
        plan,
        snapshot_id=snapshot.id,
        model_version=bundle.version,
        as_of=as_of,
        pool=pool,
        options=options,
    )
