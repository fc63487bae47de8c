"""What an 18-digit NIP says about its holder: birth date, CPNS start and sex.

A NIP is the birth date (YYYYMMDD, digits 1-8), the month of TMT CPNS (YYYYMM, digits 9-14),
a sex digit (1 male, 2 female) and a three-digit sequence. People who left service are not in
employees.csv, so for them the NIP is the only source of these facts. A part that is not a
real date or sex digit gives NaT / "" (CPNS month "00" included), never an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _text(nips: pd.Series) -> pd.Series:
    return nips.astype("string").fillna("")


def _cpns_month(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.str.slice(8, 14) + "01", format="%Y%m%d", errors="coerce")


def cpns_start(nips: pd.Series) -> np.ndarray:
    """TMT CPNS per NIP: the first day of the month in digits 9-14 (NaT when malformed)."""
    return _cpns_month(_text(nips)).to_numpy("datetime64[ns]")


def nip_facts(nips: pd.Series) -> pd.DataFrame:
    """Birth date, CPNS start and sex encoded in an 18-digit NIP (NaT / "" when malformed)."""
    text = _text(nips)
    birth = pd.to_datetime(text.str.slice(0, 8), format="%Y%m%d", errors="coerce")
    sex = text.str.slice(14, 15).map({"1": "L", "2": "P"}).fillna("")
    return pd.DataFrame(
        {
            "birth_date": birth.to_numpy(),
            "service_start": _cpns_month(text).to_numpy(),
            "gender": sex,
        }
    )
