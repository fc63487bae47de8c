"""The rules of the data contract, one `Rule` per check, each with its user-facing message.

A rule is a vectorised test over a parsed column (or, for rules that compare columns, the whole
table) that returns True where a row is valid. `models/contract/schemas.py` turns the rules into
pandera schemas and the failures into located problems; parsing the cells before the rules run is in
`models/contract/parsing.py`. Messages are Indonesian with English alongside, written for an HR
data team; `{ref}` names the referenced file and `{first}` the first row of a duplicated key,
both filled in when a problem is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from models.contract.constraints import COMPETENCY_COLUMNS, ENUMS, FOREIGN_KEYS, RANGES, UNIQUE_KEYS
from models.contract.enums import (
    MANAGERIAL_COMPETENCIES,
    NIP_LENGTH,
    SOCIO_CULTURAL_COMPETENCY,
    TECHNICAL_COMPETENCY_PREFIX,
    Gender,
    PreferenceKind,
    Table,
    all_columns,
)
from models.contract.tables import column_kind

Test = Callable[[pd.Series], pd.Series] | Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Rule:
    """One contract check: `test` returns True where valid; failures are reported on `column`."""

    name: str
    column: str
    test: Test
    message: str
    wide: bool = False  # test takes the whole table (rules that compare columns)
    key: tuple[str, ...] = ()  # for uniqueness rules: the key columns


_NAMED_COMPETENCIES = (*MANAGERIAL_COMPETENCIES, SOCIO_CULTURAL_COMPETENCY)


def isin(series: pd.Series, allowed: pd.Series | tuple[str, ...]) -> pd.Series:
    """Vectorised membership of a string column in a set of strings (Arrow's hash lookup;
    pandas' own isin on Arrow strings converts every allowed value in a Python loop)."""
    values = pa.array(series.astype("string[pyarrow]").array)
    if isinstance(allowed, pd.Series):
        value_set = pa.array(allowed.astype("string[pyarrow]").array)
    else:
        value_set = pa.array(list(allowed), type=pa.string())
    found = pc.is_in(values, value_set=value_set)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index, dtype=bool)


def _enum_text(values: tuple[str, ...]) -> str:
    return f"{values[0]} … {values[-1]}" if len(values) > 10 else ", ".join(values)


def _range_rule(column: str, low: float | None, high: float | None) -> Rule:
    if low is not None and high is not None:
        text = f"harus antara {low} dan {high} / must be between {low} and {high}"
    elif low == 0:
        text = "tidak boleh negatif / must not be negative"
    else:
        text = f"harus paling sedikit {low} / must be at least {low}"
    lo = -np.inf if low is None else low
    hi = np.inf if high is None else high
    return Rule("range", column, lambda s: s.between(lo, hi), text)


def _nip_rules() -> list[Rule]:
    def agrees_with_birth_date(frame: pd.DataFrame) -> pd.Series:
        born = frame["birth_date"].dt.strftime("%Y%m%d")
        differs = (frame["nip"].str.slice(0, 8) != born).fillna(False).astype(bool)
        return ~(differs & _is_nip(frame["nip"]))

    def agrees_with_gender(frame: pd.DataFrame) -> pd.Series:
        digit = frame["nip"].str.slice(14, 15)
        expected = frame["gender"].map({Gender.LAKI_LAKI.value: "1", Gender.PEREMPUAN.value: "2"})
        differs = (digit != expected).fillna(False).astype(bool)
        return ~(differs & _is_nip(frame["nip"]))

    return [
        Rule(
            "nip_birth_date",
            "nip",
            agrees_with_birth_date,
            "8 digit pertama NIP harus sama dengan birth_date (YYYYMMDD) / "
            "the first 8 digits of the NIP must equal birth_date (YYYYMMDD)",
            wide=True,
        ),
        Rule(
            "nip_gender",
            "nip",
            agrees_with_gender,
            "digit ke-15 NIP harus 1 untuk gender L atau 2 untuk P / "
            "digit 15 of the NIP must be 1 for gender L or 2 for P",
            wide=True,
        ),
    ]


def _is_nip(series: pd.Series) -> pd.Series:
    """True where a value is exactly NIP_LENGTH digits (missing values: False)."""
    return series.str.fullmatch(rf"\d{{{NIP_LENGTH}}}").fillna(False).astype(bool)


def nip_format_rule(column: str) -> Rule:
    return Rule(
        "nip_format",
        column,
        _is_nip,
        f"NIP harus {NIP_LENGTH} digit / NIP must have {NIP_LENGTH} digits",
    )


def _competency_rule(column: str) -> Rule:
    def is_known(series: pd.Series) -> pd.Series:
        return isin(series, _NAMED_COMPETENCIES) | series.str.startswith(
            TECHNICAL_COMPETENCY_PREFIX
        )

    return Rule(
        "competency_code",
        column,
        is_known,
        "kode kompetensi tidak dikenal: pakai kompetensi manajerial, perekat_bangsa, atau awalan "
        "teknis_ / unknown competency code: use a managerial code, perekat_bangsa or the teknis_ "
        "prefix",
    )


def _date_rules(table: Table, *, today: date) -> list[Rule]:
    limit = pd.Timestamp(today)
    text = f"tanggal di masa depan (setelah {today}) / date is in the future (after {today})"
    rules = [
        Rule("future_date", column, lambda s: s <= limit, text)
        for column in _columns_of_kind(table, "date")
    ]
    if table is Table.PERFORMANCE:
        rules.append(
            Rule(
                "future_year",
                "year",
                lambda s: s <= today.year,
                f"tahun di masa depan (setelah {today.year}) / year is in the future "
                f"(after {today.year})",
            )
        )
    if table is Table.TRANSFERS:
        rules.append(
            Rule(
                "effective_before_decree",
                "effective_date",
                lambda f: ~(f["effective_date"] < f["decree_date"]).fillna(False).astype(bool),
                "effective_date (TMT) tidak boleh sebelum decree_date (tanggal SK) / "
                "effective_date (TMT) must not be before decree_date (SK date)",
                wide=True,
            )
        )
    return rules


def _columns_of_kind(table: Table, kind: str) -> list[str]:
    return [c for c in all_columns(table) if column_kind(table, c) == kind]


def value_rules(table: Table, *, today: date) -> list[Rule]:
    """Every rule of a table that needs no other table."""
    rules: list[Rule] = []
    key = UNIQUE_KEYS.get(table)
    if key:
        rules.append(_unique_rule(key))
    if "nip" in all_columns(table):
        rules.append(nip_format_rule("nip"))
    for column, values in ENUMS.get(table, {}).items():
        text = (
            f"nilai tidak dikenal; yang diterima: {_enum_text(values)} / "
            f"unknown value; accepted: {_enum_text(values)}"
        )
        rules.append(Rule("enum", column, lambda s, v=values: isin(s, v), text))
    for column, (low, high) in RANGES.get(table, {}).items():
        rules.append(_range_rule(column, low, high))
    if table in COMPETENCY_COLUMNS:
        rules.append(_competency_rule(COMPETENCY_COLUMNS[table]))
    if table is Table.EMPLOYEES:
        rules.extend(_nip_rules())
    rules.extend(_date_rules(table, today=today))
    return rules


def _unique_rule(key: tuple[str, ...]) -> Rule:
    text = (
        "nilai ganda, sudah ada di baris {first} / duplicate value, already on row {first}"
        if len(key) == 1
        else f"pasangan {' + '.join(key)} ganda, sudah ada di baris {{first}} / "
        f"duplicate {' + '.join(key)} pair, already on row {{first}}"
    )
    return Rule(
        "unique",
        key[-1],
        lambda f: ~(f[list(key)].duplicated(keep="first") & f[list(key)].notna().all(axis=1)),
        text,
        wide=True,
        key=key,
    )


def reference_rules(table: Table, *, keys: Mapping[Table, pd.Series]) -> list[Rule]:
    """Foreign-key rules of a table, given the key values of every parent table."""
    rules = []
    for child, column, parent, _ in FOREIGN_KEYS:
        if child is table:
            parent_keys = keys[parent]
            rules.append(
                Rule(
                    f"fk_{parent.value}",
                    column,
                    lambda s, k=parent_keys: isin(s, k),
                    "tidak ditemukan di {ref} / not found in {ref}",
                )
            )
    if table is Table.PREFERENCES and Table.UNITS in keys:
        unit_ids = keys[Table.UNITS]

        def unit_resolves(frame: pd.DataFrame) -> pd.Series:
            is_unit = frame["kind"] == PreferenceKind.UNIT.value
            return ~(is_unit & ~isin(frame["value"], unit_ids)).fillna(False).astype(bool)

        rules.append(
            Rule(
                "fk_units",
                "value",
                unit_resolves,
                "unit tidak ditemukan di {ref} / unit not found in {ref}",
                wide=True,
            )
        )
    return rules
