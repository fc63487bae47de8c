"""The facts an 18-digit NIP encodes (models/features/nip.py); NaT or "" where malformed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.features.nip import cpns_start, nip_facts
from tests.fixtures.agency import nip

VALID = nip("19850312", "201003", 2, 1)
CPNS_MONTH_00 = nip("19850312", "201000", 1, 2)


def test_cpns_start_is_the_first_day_of_the_nip_month_and_nat_when_malformed():
    nips = pd.Series([VALID, CPNS_MONTH_00, "1985", None], dtype="string")
    expected = np.array(["2010-03-01", "NaT", "NaT", "NaT"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(cpns_start(nips), expected)


def test_nip_facts_reads_birth_date_cpns_start_and_sex_and_agrees_with_cpns_start():
    nips = pd.Series([VALID, CPNS_MONTH_00, "abc"], dtype="string")
    facts = nip_facts(nips)
    assert list(facts["birth_date"]) == [pd.Timestamp("1985-03-12")] * 2 + [pd.NaT]
    assert list(facts["gender"]) == ["P", "L", ""]
    np.testing.assert_array_equal(
        facts["service_start"].to_numpy("datetime64[ns]"), cpns_start(nips)
    )
