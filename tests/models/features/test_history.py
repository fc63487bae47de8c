"""Point-in-time employee state: leavers' stand-in colleagues and service before any appraisal."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from models.contract.enums import GOLONGAN_ORDINAL, Table
from models.features.build import pair_features_at
from models.features.catalog import Catalog
from models.features.history import employee_state
from tests.fixtures.agency import nip, with_rows, world

OLDER = nip("19660301", "199003", 2, 11)  # in P1 now, born 1966
YOUNGER = nip("19950301", "201903", 1, 12)  # in P1 now, born 1995
TWIN = nip("19660301", "199003", 2, 13)  # born the same day as OLDER, a higher NIP


def colleague(person: str, *, born: str, rank: str, children: int, married: bool) -> dict:
    return dict(
        nip=person, birth_date=born, gender="P", employment_type="pns", rank=rank,
        education_level="S1", position_id="P1", position_start="2019-01-01",
        service_start=f"{person[8:12]}-{person[12:14]}-01", home_region_code="1371",
        marital_status="married" if married else "single", children=children,
    )  # fmt: skip


COLLEAGUES = (
    colleague(OLDER, born="1966-03-01", rank="IV/b", children=4, married=True),
    colleague(YOUNGER, born="1995-03-01", rank="II/c", children=0, married=False),
)


def leaver_state(leaver_born: str, *colleagues: dict, as_of: str = "2018-05-01"):
    """The state of a person born `leaver_born` who held P1 at `as_of` and has since left."""
    leaver = nip(leaver_born.replace("-", ""), "199001", 1, 99)
    data = world(employees=with_rows(Table.EMPLOYEES, *colleagues))
    rows = pd.DataFrame(
        {"nip": [leaver], "as_of": [pd.Timestamp(as_of)], "from_position_id": ["P1"]}
    )
    return employee_state(data, Catalog.build(data), rows)


@pytest.mark.parametrize(
    ("leaver_born", "children"),
    [("1965-06-01", 4.0), ("1994-01-01", 0.0), ("1981-01-01", 2.0)],  # OLDER, YOUNGER, ANI
)
def test_a_leavers_stand_in_is_the_holder_of_the_post_nearest_in_birth_date(leaver_born, children):
    # P1 is held now by ANI (born 1980, two children), OLDER and YOUNGER.
    assert leaver_state(leaver_born, *COLLEAGUES).children[0] == children


def test_colleagues_born_the_same_day_stand_in_by_nip_not_by_row_order():
    twin = colleague(TWIN, born="1966-03-01", rank="IV/b", children=1, married=False)
    for colleagues in ((*COLLEAGUES, twin), (twin, *reversed(COLLEAGUES))):
        assert leaver_state("1965-06-01", *colleagues).children[0] == 4.0  # OLDER < TWIN


def test_a_leaver_takes_the_rank_the_nearest_aged_holder_of_the_post_has_now():
    # OLDER (IV/b), not YOUNGER (II/c) nor ANI (III/b); a colleague's rank is not stepped back.
    state = leaver_state("1965-06-01", *COLLEAGUES)
    assert state.rank[0] == GOLONGAN_ORDINAL["IV/b"]


IWAN = nip("19750101", "200001", 1, 21)  # TMT CPNS 2000-01, in P1 (health) since 2010


def veteran_performance() -> pd.DataFrame:
    """The tiny agency's appraisals plus IWAN's, on record from 2019 only, all in P1."""
    return with_rows(
        Table.PERFORMANCE,
        *(
            dict(nip=IWAN, year=y, position_id="P1", rating="baik", score=80.0)
            for y in range(2019, 2025)
        ),
    )


def veteran_years_in(
    position_id: str, as_of: str, *, performance: pd.DataFrame | None = None
) -> float:
    veteran = dict(
        nip=IWAN, birth_date="1975-01-01", gender="L", employment_type="pns", rank="III/c",
        education_level="S1", position_id="P1", position_start="2010-01-01",
        service_start="2000-01-01", home_region_code="1371",
    )  # fmt: skip
    data = world(
        employees=with_rows(Table.EMPLOYEES, veteran),
        performance=veteran_performance() if performance is None else performance,
    )
    pairs = pd.DataFrame({"nip": [IWAN], "position_id": [position_id], "as_of": [as_of]})
    return float(pair_features_at(data, pairs).iloc[0]["years_in_target_sector"])


def test_service_before_the_first_appraisal_on_record_counts_in_the_sector_of_the_post_held():
    # Moved in 2018, before any appraisal on record: 2000-01-01 to 2018-01-01 in health.
    expected = (date(2018, 1, 1) - date(2000, 1, 1)).days / 365.25
    assert veteran_years_in("P1", "2018-07-01") == pytest.approx(expected, abs=1e-9)
    assert veteran_years_in("P2", "2018-07-01") == 0.0


def test_years_in_sector_do_not_jump_when_the_first_appraisal_becomes_known():
    # 2019: no appraisal known yet (the 2019 appraisal is known once 2019 is over); 2020:
    # service to 2019-01-01 plus the 2019 appraisal year. One year apart either way.
    before, after = veteran_years_in("P1", "2019-07-01"), veteran_years_in("P1", "2020-07-01")
    assert after - before == pytest.approx(1.0, abs=0.01)


def test_the_service_credit_at_a_date_ignores_appraisals_dated_after_it():
    performance = veteran_performance()
    elsewhere = performance.assign(
        position_id=performance["position_id"].mask(performance["nip"] == IWAN, "P2")
    )
    assert veteran_years_in("P1", "2018-07-01", performance=elsewhere) == veteran_years_in(
        "P1", "2018-07-01"
    )
