"""Leavers' stand-in attributes vs the movers still in service, at the same age band (a look).

A past mover who has left service is not in employees.csv; their education, family and rank
come from a colleague now in service (models/features/leavers.py). Per age band at the decree
this prints, for the moves of leavers (from their stand-ins) and of movers still in service
(their own values): mean children, share married, mean education ordinal and rank ordinal, and
the band-weighted gap (leavers minus stayers, weighted by the leavers' count per band). It
also prints the mean years in the target sector per decree year, split by whether an
appraisal is known before the decree; `--appraisals-from YEAR` drops the appraisals before
YEAR first (an export whose appraisal history starts later). What issue 15 part g was
designed on, never a report.

    .venv/bin/python bench/stand_in_gap.py VARIANT EMPLOYEES SEED [--appraisals-from YEAR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from models.contract.enums import Table
from models.contract.tables import AgencyData
from models.features.build import transfer_examples
from models.features.catalog import Catalog
from models.features.events import performance_state
from models.features.history import employee_state
from pipelines.ingest import ingest_folder
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot
from simulator import generate_agency

ATTRIBUTES = ("children", "married", "education", "rank")
BANDS = [0, 30, 40, 50, 200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant")
    parser.add_argument("employees", type=int)
    parser.add_argument("seed", type=int)
    parser.add_argument("--appraisals-from", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-stand-in-") as home:
        settings = Settings(home=Path(home))
        folder = Path(home) / "demo"
        generate_agency(folder, employees=args.employees, seed=args.seed, variant=args.variant)
        data = load_snapshot(ingest_folder(folder, settings=settings).id, settings=settings).data
    kept = data.performance[data.performance["year"] >= args.appraisals_from]
    data = AgencyData.from_frames({**data.frames(), Table.PERFORMANCE: kept})
    transfers = data.transfers.reset_index(drop=True)
    rows = pd.DataFrame(
        {
            "nip": transfers["nip"].astype("string"),
            "as_of": transfers["decree_date"].to_numpy("datetime64[ns]"),
            "from_position_id": transfers["from_position_id"].astype("string"),
        }
    )
    catalog = Catalog.build(data)
    state = employee_state(data, catalog, rows)
    table = pd.DataFrame({name: getattr(state, name) for name in ATTRIBUTES}).assign(
        left=~rows["nip"].isin(data.employees["nip"].astype("string")).to_numpy(),
        band=pd.cut(state.age_years, BANDS, right=False, labels=["<30", "30-39", "40-49", "50+"]),
    )
    means = table.groupby(["band", "left"], observed=True)[list(ATTRIBUTES)].mean().unstack()
    counts = table.groupby(["band", "left"], observed=True).size().unstack().fillna(0)
    weight = counts[True] / counts[True].sum()
    gap = {
        name: round(float(((means[name][True] - means[name][False]) * weight).sum()), 3)
        for name in ATTRIBUTES
    }
    as_of = rows["as_of"].to_numpy("datetime64[ns]")
    known = performance_state(data.performance, catalog, nips=rows["nip"], as_of=as_of)
    no_appraisal = known["first_year"] < 0
    sector_years = transfer_examples(data)["years_in_target_sector"].to_numpy()
    by_year = pd.DataFrame(
        {
            "decree_year": transfers["decree_date"].dt.year,
            "appraisal_known": ~no_appraisal,
            "years_in_target_sector": sector_years,
        }
    )
    print(by_year.groupby(["decree_year", "appraisal_known"]).mean().round(2).unstack().to_string())
    print(means.round(3).to_string())
    print(counts.astype(int).to_string())
    print(
        json.dumps(
            vars(args)
            | {f"gap_{k}": v for k, v in gap.items()}
            | {
                "moves_without_appraisal": int(no_appraisal.sum()),
                "target_sector_years_without_appraisal": round(
                    float(np.mean(sector_years[no_appraisal])), 2
                ),
                "target_sector_years_with_appraisal": round(
                    float(np.mean(sector_years[~no_appraisal])), 2
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
