"""Does the fit search's winner hold on CV years it was not chosen on? One demo world.

The fit study picks the lowest CV loss of some dozen configurations on the latest CV years;
the one-SE rule then keeps the best start (hand-set or plain) unless the searched best beats it
by more than the paired standard error on those same years, the years that picked it. This look
runs the fit half of `mutasi train --budget 60` (IPW and in-post decisions, then the study),
and for the best start and the searched best prints: the gain and its standard error on the
study's years, the gain and its standard error on the older decision years the study never saw
(an unbiased look at the winner), and each one's fit NDCG@10 vs truth on the held-out pools. A
design look, not a report: rules for keeping the searched best are compared on its records.

    .venv/bin/python bench/fit_decision.py VARIANT EMPLOYEES SEED
"""

from __future__ import annotations

import json

from _worlds import look_from_args, pool_ndcg

from models.scoring.cv import paired_errors, paired_gain_se
from models.scoring.selection import older_years, search_fit, search_years
from pipelines.train import IPW_CHOICES, TrainConfig

BUDGET = 60.0  # bench/quality.py's default: the fit half is 30 s


def main() -> None:
    named, world, history = look_from_args(__doc__)
    train = TrainConfig()
    years, wide = search_years(history, train.cv_folds)
    found = search_fit(
        history,
        years=years,
        wide=wide,
        budget_seconds=BUDGET / 2,
        previous=None,
        seed=train.random_state,
        ipw_choices=IPW_CHOICES["auto"],
    )
    done = found.table[found.table["state"].eq("complete")]
    start_name = str(done.at[done.loc[done["start"].ne(""), "cv_loss"].idxmin(), "start"])
    start, best = found.starts[start_name], found.best
    record = named | {"start": start_name, "trials": len(found.table), "years": years}
    record |= {
        "ndcg_start": round(pool_ndcg(start, world, history), 4),
        "ndcg_best": round(pool_ndcg(best, world, history), 4),
    }
    if best is not start:
        mine, theirs = found.errors.of(start), found.errors.of(best)
        assert mine is not None and theirs is not None
        record |= {
            "gain": round(mine.loss() - theirs.loss(), 5),
            "gain_se": round(paired_gain_se(mine, theirs), 5),
        }
        older = older_years(years, wide)
        arms = paired_errors([start, best], history, older, train.random_state)
        assert arms is not None
        record |= {
            "older_years": older,
            "old_gain": round(arms[0].loss() - arms[1].loss(), 5),
            "old_gain_se": round(paired_gain_se(*arms), 5),
        }
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
