"""Normalise what real exports write differently, report each change, refuse what is a guess.

Runs on the tables as read (every cell text) before models/contract/schemas.py validates them.
Each change is one `Normalisation` (file, column, cells changed, one example before → after);
each value that cannot be read without guessing is a located `Problem` with a fix hint. Only
changes with one possible reading are made:

- NIP with spaces or dots (`19850101 201001 1 001`) → 18 digits; a NIP that Excel turned into
  a number (`1.98501E+17`) lost digits and is refused;
- dates `DD-MM-YYYY`, `DD/MM/YYYY`, `D-M-YYYY`, `1 Januari 2020`, Excel serial numbers
  (1920–2199 only, so a bare year is never taken for a serial) → `YYYY-MM-DD`; a column that
  also holds month-first dates (`03/25/2020`) is refused: its other dates could be either;
- decimal commas (`82,5`, `1.250,5`) in numeric columns → `82.5`, `1250.5`;
- golongan `III/A`, `III-a`, `III a`, `3/a` → `III/a`; gender `Laki-laki`/`Perempuan`,
  `L`/`P`, `1`/`2` → `L`/`P`; enum values in any case, with spaces or hyphens for underscores;
  competency codes likewise;
- leading and trailing blanks are counted (parsing strips them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from models.contract.constraints import COMPETENCY_COLUMNS, ENUMS
from models.contract.enums import (
    GOLONGAN,
    NIP_LENGTH,
    PERSONAL_FIELDS,
    Gender,
    Table,
    all_columns,
)
from models.contract.problems import Normalisation, Problem
from models.contract.tables import column_kind

EXCEL_NIP = (
    "NIP diubah Excel menjadi angka, digit hilang: format kolom sebagai Teks lalu ekspor ulang / "
    "Excel turned the NIP into a number and lost digits: format the column as Text and export "
    "again"
)
MIXED_DATES = (
    "kolom memuat tanggal bulan-dulu (MM/DD/YYYY) di samping hari-dulu; tanggal seperti ini bisa "
    "dibaca dua cara: tulis semua sebagai YYYY-MM-DD / the column holds month-first dates "
    "(MM/DD/YYYY) beside day-first ones, so dates like this one read two ways: write them all as "
    "YYYY-MM-DD"
)
BLANKS = "spasi di tepi dibuang / blanks trimmed"
MAX_LOCATED: Final[int] = 20  # located problems per column and kind; the rest are counted

_MONTHS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            "januari jan january",
            "februari pebruari feb february",
            "maret mar march",
            "april apr",
            "mei may",
            "juni jun june",
            "juli jul july",
            "agustus agu agt ags aug august",
            "september sep sept",
            "oktober okt oct october",
            "november nov nop",
            "desember des dec december",
        ),
        start=1,
    )
    for name in names.split()
}
_GENDER: Final[dict[str, str]] = {
    **dict.fromkeys(("l", "laki-laki", "laki laki", "lakilaki", "pria", "1"), Gender.LAKI_LAKI),
    **dict.fromkeys(("p", "perempuan", "wanita", "2"), Gender.PEREMPUAN),
}
_ROMAN: Final[dict[str, str]] = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_RANGE = (7306, 109574)  # 1920-01-01 … 2199-12-31


@dataclass(frozen=True)
class Normalised:
    frames: dict[Table, pd.DataFrame]
    changes: list[Normalisation]
    problems: list[Problem]


def _key(values: pd.Series) -> pd.Series:
    """Case- and separator-insensitive form of enum-like text."""
    return values.str.strip().str.casefold().str.replace(r"[\s\-]+", "_", regex=True)


def _enum(text: pd.Series, allowed: tuple[str, ...]) -> pd.Series:
    lookup = {_key(pd.Series([v])).iloc[0]: v for v in allowed}
    return _key(text).map(lookup)


def _golongan(text: pd.Series) -> pd.Series:
    parts = text.str.strip().str.extract(r"^(?i:(IV|III|II|I|[1-4]))\s*[/\-. ]?\s*([a-eA-E])$")
    roman = parts[0].str.upper().replace(_ROMAN)
    rank = roman + "/" + parts[1].str.lower()
    return rank.where(rank.isin(GOLONGAN))


def _gender(text: pd.Series) -> pd.Series:
    return text.str.strip().str.casefold().map(_GENDER)


def _nip(text: pd.Series) -> pd.Series:
    digits = text.str.replace(r"[\s.]", "", regex=True)
    spaced = text.str.fullmatch(r"[\d\s.]+") & digits.str.fullmatch(rf"\d{{{NIP_LENGTH}}}")
    return digits.where(spaced.fillna(False).astype(bool))


def _decimal(text: pd.Series) -> pd.Series:
    plain = text.str.strip()
    comma = plain.str.fullmatch(r"-?\d+,\d+").fillna(False).astype(bool)
    grouped = plain.str.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+").fillna(False).astype(bool)
    fixed = plain.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return fixed.where(comma | grouped)


def _dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(ISO text of non-ISO dates read day-first, mask of the dates that could be month-first:
    `03/25/2020` and `03/04/2020`, refused when the column holds any of the first kind)."""
    plain = text.str.strip()
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    stamp = plain.str.extract(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
    has_stamp = stamp[0].notna() & ~plain.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    out = out.mask(has_stamp.fillna(False).astype(bool), _iso(stamp[0], stamp[1], stamp[2]))
    dmy = plain.str.extract(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
    first, second = pd.to_numeric(dmy[0]), pd.to_numeric(dmy[1])
    could_swap = (first <= 12) & (second <= 31)
    if not ((second > 12) & could_swap).any():
        could_swap = could_swap & False
    out = out.mask(dmy[0].notna(), _iso(dmy[2], dmy[1], dmy[0]))
    named = plain.str.extract(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")
    month = named[1].str.casefold().map(_MONTHS)
    by_name = _iso(named[2], month.astype("Int64").astype("string"), named[0])
    out = out.mask(month.notna().to_numpy(bool), by_name)
    serial = pd.to_numeric(plain.where(plain.str.fullmatch(r"\d{4,6}(?:\.0+)?").fillna(False)))
    in_range = serial.between(*_SERIAL_RANGE).fillna(False).astype(bool)
    days = pd.to_timedelta(serial.where(in_range), unit="D")
    out = out.mask(in_range, (_EXCEL_EPOCH + days).dt.strftime("%Y-%m-%d").astype("string"))
    return out, could_swap.fillna(False).astype(bool)


def as_iso_dates(text: pd.Series) -> pd.Series:
    """Dates of any form `_dates` reads, as YYYY-MM-DD text (others unchanged); day-first."""
    iso, _ = _dates(text.astype("string"))
    return iso.fillna(text.astype("string"))


def as_nip(text: pd.Series) -> pd.Series:
    """NIPs with spaces or dots as 18 digits (others unchanged)."""
    text = text.astype("string")
    return _nip(text).fillna(text.str.strip())


def _iso(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    return (year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)).astype("string")


Fix = Callable[[pd.Series], pd.Series]
Clean = Callable[[pd.Series], pd.Series]


def _matches(pattern: str) -> Clean:
    return lambda s: s.str.fullmatch(pattern)


def _one_of(values: tuple[str, ...]) -> Clean:
    return lambda s: s.isin(values)


def _fixers(table: Table, column: str) -> list[tuple[str, Fix, Clean]]:
    """(description, fix, already-clean test) of each change that applies to a column, in
    order; a fix runs only on the cells that are not clean already (the hot path is a test)."""
    kind = column_kind(table, column)
    fixers: list[tuple[str, Fix, Clean]] = []
    if column == "nip":
        what = "NIP berspasi/bertitik → 18 digit / NIP with spaces or dots → 18 digits"
        fixers.append((what, _nip, _matches(rf"\d{{{NIP_LENGTH}}}")))
    if kind in ("float", "int"):
        what = "koma desimal → titik / decimal comma → point"
        fixers.append((what, _decimal, lambda s: ~s.str.contains(",", regex=False)))
    if column in ("rank", "min_rank"):
        what = "golongan → I/a … IV/e / golongan → I/a … IV/e"
        fixers.append((what, _golongan, _one_of(GOLONGAN)))
    elif column == "gender":
        what = "jenis kelamin → L/P / gender → L/P"
        fixers.append((what, _gender, _one_of(tuple(Gender))))
    elif column in ENUMS.get(table, {}):
        values = ENUMS[table][column]
        what = f"nilai → {values[0]} … / values → {values[0]} …"
        fixers.append((what, lambda s: _enum(s, values), _one_of(values)))
    if COMPETENCY_COLUMNS.get(table) == column:
        what = "kode kompetensi → huruf kecil_ / competency code → lower_case"
        fixers.append((what, _key, _matches(r"[a-z0-9_]+")))
    return fixers


def _odd(value: pd.Series, clean: Clean) -> pd.Series:
    """Present values that are not in the contract's form already."""
    return (value.notna() & ~clean(value).fillna(False).astype(bool)).astype(bool)


def _example(table: Table, column: str, before: str, after: str) -> tuple[str, str]:
    """An example for the report; personal values and NIPs show their shape only."""
    if (table is Table.EMPLOYEES and column in PERSONAL_FIELDS) or column == "nip":
        return _shape(before), _shape(after)
    return before, after


def _shape(value: str) -> str:
    return "".join("#" if c.isdigit() else ("x" if c.isalpha() else c) for c in value)


def _change(
    where: tuple[Table, str, str], what: str, before: pd.Series, after: pd.Series
) -> Normalisation | None:
    """The report line of a change from `before` to `after` in (table, file, column)."""
    table, file, column = where
    changed = after.notna() & (after != before).fillna(False)
    count = int(changed.sum())
    if not count:
        return None
    first = changed.idxmax()
    shown = _example(table, column, str(before.at[first]), str(after.at[first]))
    return Normalisation(file, column, count, what, *shown)


def _located(file: str, column: str, mask: pd.Series, message: str) -> list[Problem]:
    rows = mask.index[mask.to_numpy(dtype=bool)]
    problems = [Problem(file, int(i) + 2, column, message) for i in rows[:MAX_LOCATED]]
    if len(rows) > MAX_LOCATED:
        more = len(rows) - MAX_LOCATED
        problems.append(
            Problem(file, None, None, f"{column}: … dan {more} lagi / … and {more} more")
        )
    return problems


def _column(
    table: Table, column: str, text: pd.Series, file: str
) -> tuple[pd.Series, list[Normalisation], list[Problem]]:
    where = (table, file, column)
    changes: list[Normalisation] = []
    problems: list[Problem] = []
    # strip() == itself: one Arrow kernel per column (a `^\s|\s$` regex fell back to Python's re
    # for every cell: three quarters of the time of normalising clean tables).
    padded = text[_odd(text, lambda s: s.str.strip() == s)]
    value = text.mask(text.index.isin(padded.index), padded.str.strip()) if len(padded) else text
    if len(padded):
        changes.append(_change(where, BLANKS, padded, padded.str.strip()))  # type: ignore[arg-type]
    if column == "nip":
        excel = value.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+").fillna(False).astype(bool)
        problems += _located(file, column, excel, EXCEL_NIP)
    if column_kind(table, column) == "date":
        odd = value[_odd(value, _matches(r"\d{4}-\d{2}-\d{2}"))]
        iso, either_way = _dates(odd)
        if either_way.any():
            problems += _located(file, column, either_way, MIXED_DATES)
        elif len(odd):
            found = _change(where, "tanggal → YYYY-MM-DD / date → YYYY-MM-DD", odd, iso)
            changes += [found] if found else []
            value = value.mask(value.index.isin(odd.index), iso.reindex(value.index).fillna(value))
    for what, fix, clean in _fixers(table, column):
        odd = value[_odd(value, clean)]
        if not len(odd):
            continue
        fixed = fix(odd)
        found = _change(where, what, odd, fixed)
        if found:
            changes.append(found)
            value = value.mask(
                value.index.isin(odd.index), fixed.reindex(value.index).fillna(value)
            )
    return value, changes, problems


def normalise_frames(
    raw: Mapping[Table, pd.DataFrame], *, sources: Mapping[Table, str]
) -> Normalised:
    """Every table with its cells normalised, the changes made and the values refused."""
    frames: dict[Table, pd.DataFrame] = {}
    changes: list[Normalisation] = []
    problems: list[Problem] = []
    for table, frame in raw.items():
        file = sources.get(table, f"{table.value}.csv")
        columns = {}
        for column in frame.columns:
            text = frame[column].astype("string")
            if column not in all_columns(table):
                columns[column] = text
                continue
            columns[column], found, refused = _column(table, column, text, file)
            changes += found
            problems += refused
        frames[table] = pd.DataFrame(columns, index=frame.index)
    return Normalised(frames, changes, problems)
