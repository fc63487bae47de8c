"""The SKP record relative to peers (models/features/peers.py) on hand-made appraisal histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.features.catalog import Catalog
from models.features.events import performance_state
from tests.fixtures.agency import nip, world

CATALOG = Catalog.build(world())  # P1 health, P2 education, P3 finance
YEARS = range(2016, 2025)
AS_OF = np.array(["2025-07-01"], dtype="datetime64[ns]")


def people(count: int, *, first: int = 100) -> list[str]:
    return [nip("19800101", "200501", 1, first + i) for i in range(count)]


def records(nips: list[str], rating: str = "baik", position: str = "P1") -> pd.DataFrame:
    rows = [(n, y, position, rating) for n in nips for y in YEARS]
    frame = pd.DataFrame(rows, columns=["nip", "year", "position_id", "rating"])
    return frame.assign(score=np.nan).astype({"nip": "string", "position_id": "string"})


def value(perf: pd.DataFrame, who: list[str], as_of: np.ndarray = AS_OF) -> np.ndarray:
    nips = pd.Series(who, dtype="string")
    dates = np.repeat(as_of, len(who))
    return performance_state(perf, CATALOG, nips=nips, as_of=dates)["skp_vs_peers"]


def test_a_person_rated_above_peers_is_positive_and_more_years_count_more():
    peers = records(people(30))
    star = records(people(1, first=900), rating="sangat_baik")
    brief = star.assign(nip=nip("19800101", "200501", 1, 901)).tail(1)  # one year on record
    perf = pd.concat([peers, star, brief], ignore_index=True)
    many, one = value(perf, [star["nip"].iloc[0], brief["nip"].iloc[0]])
    assert 0 < one < many < 1.0  # a category above peers, shrunk; one year shrunk more
    assert value(perf, [peers["nip"].iloc[0]])[0] < 0


def test_a_year_when_everyone_was_rated_higher_changes_no_one():
    perf = pd.concat(
        [records(people(20)), records(people(10, first=500), rating="butuh_perbaikan")],
        ignore_index=True,
    )
    who = [people(1)[0], people(1, first=500)[0]]
    inflated = perf.copy()
    in_2020 = inflated["year"] == 2020
    inflated.loc[in_2020, "rating"] = inflated.loc[in_2020, "rating"].map(
        {"baik": "sangat_baik", "butuh_perbaikan": "baik"}
    )
    np.testing.assert_allclose(value(inflated, who), value(perf, who))


def test_a_first_year_in_a_new_sector_is_compared_with_other_newcomers():
    # One star for every five people, among stayers and movers alike.
    stayers = pd.concat([records(people(20)), records(people(4, first=200), "sangat_baik")])
    movers = pd.concat(
        [records(people(10, first=300)), records(people(2, first=400), "sangat_baik")]
    )
    first_year_away = (movers["year"] == 2024).to_numpy()
    movers.loc[first_year_away, "position_id"] = "P2"  # education: nobody's sector before
    movers.loc[first_year_away, "rating"] = movers.loc[first_year_away, "rating"].map(
        {"baik": "butuh_perbaikan", "sangat_baik": "baik"}  # every newcomer rated a step lower
    )
    perf = pd.concat([stayers, movers], ignore_index=True)
    mover, stayer = value(perf, [movers["nip"].iloc[0], stayers["nip"].iloc[0]])
    assert mover == pytest.approx(stayer, abs=1e-9) and mover < 0  # below the stars
    career = performance_state(
        perf,
        CATALOG,
        nips=pd.Series([movers["nip"].iloc[0], stayers["nip"].iloc[0]], dtype="string"),
        as_of=np.repeat(AS_OF, 2),
    )["career_rating_mean"]
    assert career[0] < career[1]  # the raw mean holds the sector change against the mover


def test_records_from_the_row_year_on_change_nothing_before_it():
    rng = np.random.default_rng(0)
    perf = records(people(25))
    perf["rating"] = rng.choice(["baik", "sangat_baik", "butuh_perbaikan"], len(perf))
    perf["score"] = rng.uniform(60, 95, len(perf)).round(1)
    later = records(people(25), rating="kurang").assign(year=2025, score=10.0)
    as_of = np.array(["2025-03-01"], dtype="datetime64[ns]")
    who = people(5)
    before = value(perf, who, as_of)
    after = value(pd.concat([perf, later], ignore_index=True), who, as_of)
    np.testing.assert_array_equal(before, after)
    assert np.isfinite(before).all()


def test_no_appraisal_on_record_is_unknown():
    assert np.isnan(value(records(people(5)), [nip("19900101", "201501", 2, 999)])[0])
