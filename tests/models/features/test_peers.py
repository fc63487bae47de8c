"""The SKP record relative to peers (models/features/peers.py) on hand-made appraisal histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from models.features import peers
from models.features.catalog import Catalog
from models.features.events import performance_state
from models.features.pair_logic import FEATURE_COLUMNS
from models.features.peers import _anova_ratio, experience_cells
from models.features.schema import FEATURE_SCHEMA
from models.features.text import describe_feature
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


RATING_NAME = {2: "kurang", 3: "butuh_perbaikan", 4: "baik", 5: "sangat_baik"}


def noisy_world(
    seed: int, count: int = 30, *, first: int = 100, years: range = YEARS, scored: bool = True
) -> pd.DataFrame:
    """People in P1 with a real person effect (a steady level) and noisy years around it."""
    rng = np.random.default_rng(seed)
    level = rng.choice([3, 4, 5], count)
    rows = []
    for i, who in enumerate(people(count, first=first)):
        for year in years:
            rating = int(np.clip(level[i] + rng.choice([-1, 0, 0, 1]), 2, 5))
            score = round(50 + 10 * rating + rng.normal(0, 3), 1) if scored else np.nan
            rows.append((who, year, "P1", RATING_NAME[rating], score))
    frame = pd.DataFrame(rows, columns=["nip", "year", "position_id", "rating", "score"])
    return frame.astype({"nip": "string", "position_id": "string"})


def anova_k(person: np.ndarray, residual: np.ndarray) -> float:
    """Within-person over between-person variance: the textbook one-way ANOVA estimates."""
    frame = pd.DataFrame({"person": person, "r": residual})
    groups = frame.groupby("person")["r"]
    size, m, total = groups.size(), groups.ngroups, len(frame)
    within = ((frame["r"] - groups.transform("mean")) ** 2).sum() / (total - m)
    between_square = (size * (groups.mean() - frame["r"].mean()) ** 2).sum() / (m - 1)
    n0 = (total - (size**2).sum() / total) / (m - 1)
    return float(within / ((between_square - within) / n0))


def value(perf: pd.DataFrame, who: list[str], as_of: np.ndarray = AS_OF) -> np.ndarray:
    nips = pd.Series(who, dtype="string")
    dates = as_of if len(as_of) == len(who) else np.repeat(as_of, len(who))
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
    assert value(perf, who)[0] > 0 > value(perf, who)[1]  # neither unknown nor zero


def test_a_first_year_in_a_new_sector_is_compared_with_other_newcomers():
    # One star for every five people, among stayers and movers alike.
    stayers = pd.concat([records(people(10)), records(people(2, first=200), "sangat_baik")])
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
    # Rows at two cutoffs in one call; everything dated from a row's year on is cut away.
    perf = noisy_world(0, years=range(2016, 2027))
    crowd = noisy_world(5, 20, first=600, years=range(2021, 2027))
    crowd["rating"], crowd["score"] = "kurang", 97.0  # new peers, a tilted score mapping
    full = pd.concat([perf, crowd], ignore_index=True)
    who = people(8)
    cutoffs = np.array(["2022-03-01", "2025-03-01"], dtype="datetime64[ns]")
    together = performance_state(
        full, CATALOG, nips=pd.Series(who * 2, dtype="string"), as_of=np.repeat(cutoffs, len(who))
    )["skp_vs_peers"]
    for i, year in enumerate((2022, 2025)):
        alone = value(full[full["year"] < year], who, cutoffs[i : i + 1])
        np.testing.assert_array_equal(together[i * len(who) : (i + 1) * len(who)], alone)
        assert np.ptp(alone) > 0.1  # real values, not zeros that any leak would keep


def test_the_mean_residual_is_shrunk_by_the_years_on_record():
    perf = noisy_world(1, scored=False)  # one experience cell per year: peers = the year
    rating = perf["rating"].map({v: k for k, v in RATING_NAME.items()}).astype(float)
    by_year = rating.groupby(perf["year"])  # the other records of the record's year
    residual = rating - (by_year.transform("sum") - rating) / (by_year.transform("count") - 1)
    k = anova_k(perf["nip"].to_numpy(), residual.to_numpy())
    assert 0.1 < k < 100  # a real person effect, a real within-person noise
    mean = residual.groupby(perf["nip"]).mean()
    who = list(mean.index[:5])
    expected = mean.loc[who].to_numpy() * len(YEARS) / (len(YEARS) + k)
    np.testing.assert_allclose(value(perf, who), expected, rtol=1e-9)


def test_no_records_or_no_ratings_give_unknown():
    empty = records([])
    assert np.isnan(value(empty, people(2))).all()
    unrated = records(people(5)).assign(rating=pd.NA)
    assert np.isnan(value(unrated, people(2))).all()


def test_no_appraisal_on_record_is_unknown():
    assert np.isnan(value(records(people(5)), [nip("19900101", "201501", 2, 999)])[0])


def cells_of(rows: list[tuple[str, int, str]], employees: pd.DataFrame | None = None) -> list:
    perf = pd.DataFrame(rows, columns=["nip", "year", "position_id"]).astype("string")
    perf = perf.astype({"year": "int64"}).assign(rating="baik", score=np.nan)
    return experience_cells(perf, CATALOG, employees).tolist()


def test_experience_counts_the_service_before_the_first_record_by_the_month():
    december = nip("19900101", "201912", 1, 1)  # CPNS one month before the first appraisal
    veteran = nip("19800101", "200801", 1, 2)
    assert cells_of([(december, 2020, "P1"), (veteran, 2020, "P1")]) == [0, 12]


def test_a_veteran_first_seen_at_a_merged_post_is_credited_there():
    veteran = nip("19700101", "199501", 1, 3)
    rows = [(veteran, 2016, "OLD-9"), (veteran, 2017, "OLD-9")]  # posts not in positions.csv
    rows += [(veteran, 2018, "P1"), (veteran, 2019, "P1")]
    assert cells_of(rows) == [12, 12, 0, 1]  # P1 (health) is a new sector for them


def test_an_impossible_cpns_date_gives_no_credit_and_duplicates_count_once():
    no_cpns = nip("19900101", "000000", 1, 4)
    later = nip("19900101", "202303", 1, 5)  # CPNS after the records: no credit either
    rows = [(no_cpns, 2020, "P1"), (no_cpns, 2020, "P1"), (no_cpns, 2021, "P1")]
    assert cells_of([*rows, (later, 2020, "P1")]) == [0, 0, 1, 0]


def test_the_employees_service_start_wins_over_the_nip():
    person = nip("19900101", "201912", 1, 6)
    employees = pd.DataFrame(
        {
            "nip": pd.Series([person], dtype="string"),
            "service_start": pd.to_datetime(["2010-01-15"]),
        }
    )
    assert cells_of([(person, 2020, "P1")], employees) == [10]
    assert cells_of([(person, 2020, "P1")]) == [0]


def test_k_is_the_one_way_anova_ratio_and_inf_without_evidence():
    residual = np.array([0.5, 0.9, 0.1, 0.4, -0.2, 0.0, -0.6, 0.1, -0.3, -0.8, -0.1, 0.2, 0.7])
    person = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    k = anova_k(person, residual)
    assert _anova_ratio(person, residual) == pytest.approx(k, rel=1e-12)
    gaps = np.array([1, 1, 1, 1, 4, 4, 4, 4, 7, 7, 7, 7, 7])  # codes of the records kept
    assert _anova_ratio(gaps, residual) == pytest.approx(k, rel=1e-12)
    assert _anova_ratio(person[:3], residual[:3]) == np.inf  # one person
    assert _anova_ratio(np.array([0, 1, 2]), residual[:3]) == np.inf  # one record each
    same = np.array([0.3, -0.3, 0.3, -0.3])  # no variance between people
    assert _anova_ratio(np.array([0, 0, 1, 1]), same) == np.inf
    assert _anova_ratio(np.array([], dtype=np.int64), np.array([])) == np.inf  # no records


def test_one_record_each_is_no_evidence_beyond_the_average():
    perf = noisy_world(3, years=range(2023, 2024))
    assert (value(perf, people(30)) == 0).all()


def test_a_record_alone_in_its_cell_is_compared_with_the_rest_of_its_year():
    perf = noisy_world(2)
    newcomer = nip("19950101", "202306", 1, 950)  # seven months of service: cell 0, alone
    alone = records([newcomer], rating="sangat_baik").query("year == 2024")
    got = value(pd.concat([perf, alone], ignore_index=True), [newcomer])[0]
    assert got > 0.1  # above the year's others, not "equal to itself"


def test_rows_of_several_years_in_one_call_decode_the_ratings_once(monkeypatch):
    perf = noisy_world(4)
    who = people(6)
    as_of = np.array([f"{2019 + i}-06-01" for i in range(6)], dtype="datetime64[ns]")
    one_by_one = [value(perf, [w], as_of[i : i + 1])[0] for i, w in enumerate(who)]
    decoded = []
    real = peers.ordinal
    monkeypatch.setattr(peers, "ordinal", lambda *a: decoded.append(1) or real(*a))
    together = value(perf, who, as_of)
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12)
    assert len(decoded) == 1  # the rating strings, once per call, not once per year


@pytest.mark.parametrize(
    ("shown", "indonesian", "english"),
    [
        (0.04, "setara rekan sejawat", "on a par with peers"),
        (-0.04, "setara rekan sejawat", "on a par with peers"),
        (1.0, "tercatat 1 poin predikat di atas", "record 1 rating point above"),
        (0.26, "tercatat 0,3 poin predikat di atas", "record 0.3 rating points above"),
        (-0.3, "tercatat 0,3 poin predikat di bawah", "record 0.3 rating points below"),
    ],
)
def test_the_reason_reads_as_an_average_against_peers(shown, indonesian, english):
    text = describe_feature("skp_vs_peers", shown)
    first, second = text.split(" / ")
    assert first.startswith("rata-rata SKP selama tahun penilaian tercatat")
    assert indonesian in first and english in second
    assert "lama pengalaman di sektor yang sama" in first
    assert "same length of experience in the sector" in second


def test_the_feature_stays_within_the_rating_scale_span():
    perf = noisy_world(6)
    unrated = records([nip("19800101", "200501", 1, 990)]).assign(rating=pd.NA, score=0.0)
    got = value(pd.concat([perf, unrated], ignore_index=True), [unrated["nip"].iloc[0]])[0]
    assert -4.0 <= got < -1.0  # a zero score is the bottom of the scale, not below it
    frame = pd.DataFrame({name: [np.nan] for name in FEATURE_COLUMNS})
    FEATURE_SCHEMA.validate(frame.assign(skp_vs_peers=[-4.0]))
    with pytest.raises(pa.errors.SchemaError):
        FEATURE_SCHEMA.validate(frame.assign(skp_vs_peers=[4.5]))
