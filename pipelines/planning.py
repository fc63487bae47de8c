"""Plan a transfer round from the command line: read slots, plan, store the plan.

The round itself is models/planning/round.py `plan_round` (the CLI and the API share it);
`make_plan` is the CLI path (current snapshot + @champion). Each plan is stored under
`settings.home / "plans" / <plan_id>` with its inputs (options, pool settings, slots, snapshot
id, model version, reference date) and outputs, so that it can be reproduced and audited.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.features.build import FeatureContext
from models.planning.instance import PlanInputError, PlanOptions
from models.planning.pool import PoolConfig
from models.planning.round import plan_round
from models.scoring.policy import PolicyConfig
from pipelines.batch import read_input_csv
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
) -> StoredPlan:
    """The CLI path: the current snapshot and the @champion model; the plan is stored."""
    snapshot = load_snapshot(settings=settings)
    bundle = load_champion(settings)
    as_of = snapshot.as_of(settings)
    ctx = FeatureContext.build(snapshot.data, as_of)
    slots = read_slots(slots_path) if slots_path is not None else None
    pool = pool or PoolConfig()
    try:
        plan = plan_round(
            snapshot.data,
            ctx,
            bundle.scorer,
            policy=PolicyConfig(),
            slots=slots,
            options=options,
            pool=pool,
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
