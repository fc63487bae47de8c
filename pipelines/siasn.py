"""SIASN layouts → the data contract (see /work/shared/reference-data/siasn/README.md).

An agency that keeps its records in SIASN hands over its "data utama" export and the per-person
history pulls (rw-jabatan, rw-skp22, the older rw-skp, rw-diklat, rw-kursus) as CSV, XLSX or the
web service's JSON, beside the tables only it keeps, written to the contract: units.csv,
positions.csv (with the SIASN `unor_id` and `jabatan_id` of each position), trainings.csv,
competencies.csv, position_competencies.csv, preferences.csv, and optionally
`riwayat_mutasi.csv` (its own transfer records: transfer_id, nip, nomor_sk, from_position_id,
to_position_id, decree_date, initiated_by, resistance; SIASN keeps no resistance) and
`pegawai_tambahan.csv` (nip and the employee columns SIASN lacks: home_region_code, home_lat,
home_lon, children, talent_box, on_hold).

The mapping (column names compared in lower case, as the reader gives them):
- employees ← data utama: nip_baru, nama, tanggal_lahir, jenis_kelamin, jenis_pegawai_nama
  (PPPK → pppk, else pns), gol_akhir_nama, tingkat_pendidikan_nama, pendidikan_nama,
  (unor_id, jabatan_id) → position_id, tmt_jabatan, tmt_cpns, jenis_kawin_nama;
- transfers ← two consecutive appointments of one person in rw-jabatan with different
  positions: nomorSk / tanggalSk the decree, tmtJabatan the effective date; id, initiative and
  resistance from riwayat_mutasi.csv by (nip, nomor_sk), else resistance "none"; agency records
  that match no appointment (refusals: the person never moved) are kept as they are;
- performance ← rw-skp22 (kuadranKinerja → rating) and rw-skp (nilai → score, rating by the
  PP 46/2011 bands); the position is the appointment held longest in that year;
- training_history ← rw-diklat and rw-kursus, matched to trainings.csv by name (and hours).
What cannot be mapped is dropped and counted in the report, with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import Table, all_columns
from models.contract.normalise import as_iso_dates, as_nip
from models.contract.problems import Normalisation, Problem
from pipelines.readers import FORMATS, UNREADABLE, Read, read_file, read_table

# Each SIASN form: the file stem(s) it comes under, and the columns that recognise it.
FORMS: Final[dict[str, tuple[tuple[str, ...], frozenset[str]]]] = {
    "data_utama": (("data_utama", "data-utama"), frozenset({"nip_baru", "unor_id", "tmt_cpns"})),
    "rw_jabatan": (("rw_jabatan", "rw-jabatan"), frozenset({"nipbaru", "unorid", "tmtjabatan"})),
    "rw_skp22": (("rw_skp22", "rw-skp22"), frozenset({"pnsdinilaiid", "tahun", "kuadrankinerja"})),
    "rw_skp": (("rw_skp", "rw-skp"), frozenset({"tahun", "nilaiskp"})),
    "rw_diklat": (("rw_diklat", "rw-diklat"), frozenset({"latihanstrukturalnama", "jumlahjam"})),
    "rw_kursus": (("rw_kursus", "rw-kursus"), frozenset({"namakursus", "jumlahjam"})),
}
AGENCY_RECORDS: Final[tuple[str, ...]] = ("riwayat_mutasi", "pegawai_tambahan")
RATING_OF_QUADRANT: Final[dict[str, str]] = {
    "sangat baik": "sangat_baik",
    "baik": "baik",
    "butuh perbaikan": "butuh_perbaikan",
    "kurang": "kurang",
    "kurang/misconduct": "kurang",
    "kurang / misconduct": "kurang",
    "misconduct": "kurang",
    "sangat kurang": "sangat_kurang",
}
# PP 46/2011 bands of the old SKP score: ≥ 91 sangat baik … ≤ 50 buruk.
SCORE_BANDS: Final[tuple[tuple[float, str], ...]] = (
    (91, "sangat_baik"),
    (76, "baik"),
    (61, "butuh_perbaikan"),
    (51, "kurang"),
    (-np.inf, "sangat_kurang"),
)
EDUCATION_OF_SIASN: Final[dict[str, str]] = {
    "sd": "SD", "smp": "SMP", "sltp": "SMP", "sma": "SMA", "slta": "SMA", "smk": "SMA",
    "d-i": "D1", "d1": "D1", "diploma i": "D1", "d-ii": "D2", "d2": "D2", "diploma ii": "D2",
    "d-iii": "D3", "d3": "D3", "diploma iii": "D3", "d-iv": "D4", "d4": "D4", "diploma iv": "D4",
    "s-1": "S1", "s1": "S1", "s-1/sarjana": "S1", "sarjana": "S1", "s-2": "S2", "s2": "S2",
    "s-3": "S3", "s3": "S3",
}  # fmt: skip
MARITAL_OF_SIASN: Final[dict[str, str]] = {
    "menikah": "married", "kawin": "married", "belum menikah": "single", "belum kawin": "single",
    "janda": "widowed", "duda": "widowed", "cerai": "widowed", "cerai mati": "widowed",
}  # fmt: skip
WHY_LOST: Final[dict[str, tuple[str, str]]] = {
    "position": (
        "unor/jabatan tidak ada di positions.csv, disimpan sebagai jabatan riwayat",
        "unor/jabatan not in positions.csv, kept as history positions",
    ),
    "performance": (
        "NIP atau jabatan pada tahun itu tidak diketahui",
        "NIP or the position held that year unknown",
    ),
    "training": (
        "nama diklat/kursus tidak ada di trainings.csv",
        "training or course name not in trainings.csv",
    ),
}
UNMAPPED = "{file}: {count:,} baris tidak dipetakan: {why} / {count:,} rows not mapped: {why_en}"


@dataclass(frozen=True)
class SiasnExport:
    """The SIASN forms found (frames of strings, lower-case columns) and their file names."""

    forms: dict[str, pd.DataFrame]
    files: dict[str, str]
    agency: dict[Table, pd.DataFrame] = field(default_factory=dict)
    records: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapped:
    frames: dict[Table, pd.DataFrame]
    sources: dict[Table, str]
    notices: list[str]
    problems: list[Problem]


def form_of(path: Path, columns: set[str]) -> str | None:
    """Which SIASN form a file is, by its name or else by its columns."""
    stem = path.stem.lower()
    for form, (stems, _) in FORMS.items():
        if stem in stems:
            return form
    for form, (_, recognised) in FORMS.items():
        if recognised <= columns:
            return form
    return None


def read_json(path: Path) -> pd.DataFrame:
    """The web service's answer: a list of records, or {"data": [...]} (one or many pulls)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("data", [data])
    if isinstance(data, dict):
        data = [data]
    frame = pd.DataFrame.from_records(data).astype("string").fillna("")
    return frame.set_axis([str(c).strip().lower() for c in frame.columns], axis=1)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("").str.strip()


def _first(frame: pd.DataFrame, *columns: str) -> pd.Series:
    """Per row, the first non-empty value among `columns`."""
    out = pd.Series("", index=frame.index, dtype="string")
    for column in reversed(columns):
        value = _text(frame, column)
        out = value.where(value != "", out)
    return out


def _lookup(text: pd.Series, table: Mapping[str, str]) -> pd.Series:
    return text.str.casefold().str.strip().map(table).astype("string")


def _position_keys(positions: pd.DataFrame) -> dict[tuple[str, str], str]:
    units, jabatan = _text(positions, "unor_id"), _text(positions, "jabatan_id")
    return dict(zip(zip(units, jabatan, strict=True), positions["position_id"], strict=True))


def _positions(
    unor: pd.Series, jabatan: pd.Series, keys: Mapping[tuple[str, str], str]
) -> pd.Series:
    """position_id of each (unor, jabatan); one not in positions.csv (merged or gone) keeps a
    history id `siasn:UNOR:JABATAN`."""
    pairs = pd.Series(list(zip(unor, jabatan, strict=True)), index=unor.index)
    return pairs.map(keys).astype("string").fillna("siasn:" + unor + ":" + jabatan)


def employees_of(utama: pd.DataFrame, *, keys: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    kind = _text(utama, "jenis_pegawai_nama").str.upper()
    pppk = kind.str.contains("PPPK")
    education = _lookup(_text(utama, "tingkat_pendidikan_nama"), EDUCATION_OF_SIASN)
    return pd.DataFrame(
        {
            "nip": as_nip(_text(utama, "nip_baru")),
            "name": _text(utama, "nama"),
            "birth_date": _text(utama, "tanggal_lahir"),
            "gender": _text(utama, "jenis_kelamin"),
            "employment_type": pppk.map({True: "pppk", False: "pns"}),
            "rank": _text(utama, "gol_akhir_nama").where(~pppk, ""),
            "education_level": education.fillna(_text(utama, "tingkat_pendidikan_nama")),
            "education_field": _text(utama, "pendidikan_nama").str.lower(),
            "position_id": _positions(_text(utama, "unor_id"), _text(utama, "jabatan_id"), keys),
            "position_start": _text(utama, "tmt_jabatan"),
            "service_start": _text(utama, "tmt_cpns"),
            "marital_status": _lookup(_text(utama, "jenis_kawin_nama"), MARITAL_OF_SIASN),
        },
        index=utama.index,
    ).fillna("")


def appointments_of(jabatan: pd.DataFrame, *, keys: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """One row per appointment: nip, position_id (empty when not in positions.csv), start
    (tmtJabatan), decree number and date, sorted by person and start."""
    frame = pd.DataFrame(
        {
            "nip": as_nip(_text(jabatan, "nipbaru")),
            "pns_id": _text(jabatan, "idpns"),
            "position_id": _positions(
                _text(jabatan, "unorid"),
                _first(jabatan, "jabatanfungsionalid", "jabatanfungsionalumumid", "jabatanid"),
                keys,
            ),
            "start": pd.to_datetime(as_iso_dates(_text(jabatan, "tmtjabatan")), errors="coerce"),
            "nomor_sk": _text(jabatan, "nomorsk"),
            "tanggal_sk": as_iso_dates(_text(jabatan, "tanggalsk")),
        }
    )
    return frame.sort_values(["nip", "start"], kind="stable").reset_index(drop=True)


def transfers_of(appointments: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Consecutive appointments in different positions, with the agency's own record of each
    (by nip and decree number); agency records matching no appointment are kept as given."""
    before = appointments.groupby("nip", sort=False).shift(1)
    moved = before["position_id"].notna() & (before["position_id"] != appointments["position_id"])
    now = appointments[moved]
    derived = pd.DataFrame(
        {
            "nip": now["nip"],
            "nomor_sk": now["nomor_sk"],
            "from_position_id": before.loc[moved, "position_id"],
            "to_position_id": now["position_id"],
            "decree_date": now["tanggal_sk"],
            "effective_date": now["start"].dt.strftime("%Y-%m-%d"),
        }
    ).reset_index(drop=True)
    own = records.assign(nip=as_nip(_text(records, "nip")), nomor_sk=_text(records, "nomor_sk"))
    kept = ["nip", "nomor_sk", "transfer_id", "initiated_by", "resistance"]
    joined = derived.merge(
        own[[c for c in kept if c in own.columns]], how="left", on=["nip", "nomor_sk"]
    )
    digest = pd.util.hash_pandas_object(joined[["nip", "nomor_sk"]], index=False)
    generated = "siasn-" + pd.Series(digest.to_numpy(), index=joined.index).map("{:016x}".format)
    joined["transfer_id"] = _text(joined, "transfer_id").where(lambda s: s != "", generated)
    joined["resistance"] = _text(joined, "resistance").where(lambda s: s != "", "none")
    matched = pd.MultiIndex.from_frame(derived[["nip", "nomor_sk"]])
    alone = own[~pd.MultiIndex.from_frame(own[["nip", "nomor_sk"]]).isin(matched)]
    columns = list(all_columns(Table.TRANSFERS))
    both = pd.concat(
        [joined.reindex(columns=columns), alone.reindex(columns=columns)], ignore_index=True
    )
    return both.fillna("")


def _nips(frame: pd.DataFrame, ids: Mapping[str, str], *id_columns: str) -> pd.Series:
    """The NIP of each record: its own nip column, else its PNS id looked up in `ids`."""
    own = as_nip(_first(frame, "nipbaru", "nip", "nip_baru"))
    by_id = _first(frame, *id_columns).map(ids).astype("string").fillna("")
    return own.where(own != "", by_id)


def held_longest(records: pd.DataFrame, appointments: pd.DataFrame) -> pd.Series:
    """For records (nip, year), the position of the appointment held longest in that year
    (empty when none is known)."""
    spans = appointments.assign(
        end=appointments.groupby("nip", sort=False)["start"]
        .shift(-1)
        .fillna(pd.Timestamp("2200-01-01"))
    )
    rows = records[["nip", "year"]].reset_index(names="row")
    merged = rows.merge(spans[["nip", "position_id", "start", "end"]], on="nip")
    year = pd.to_numeric(merged["year"], errors="coerce")
    first = pd.to_datetime(year.astype("Int64").astype("string") + "-01-01", errors="coerce")
    last = first + pd.DateOffset(years=1)
    overlap = (merged["end"].clip(upper=last) - merged["start"].clip(lower=first)).dt.days
    merged = merged.assign(overlap=overlap)[overlap > 0]
    best = merged.loc[merged.groupby("row")["overlap"].idxmax()]
    out = pd.Series("", index=rows["row"], dtype="string")
    out[best["row"].to_numpy()] = best["position_id"].to_numpy()
    return out.set_axis(records.index)


def performance_of(
    skp22: pd.DataFrame, skp: pd.DataFrame, *, ids: Mapping[str, str], appointments: pd.DataFrame
) -> pd.DataFrame:
    new = pd.DataFrame(
        {
            "nip": _nips(skp22, ids, "pnsdinilaiid", "idpns"),
            "year": _text(skp22, "tahun"),
            "rating": _lookup(_text(skp22, "kuadrankinerja"), RATING_OF_QUADRANT).fillna(
                _text(skp22, "kuadrankinerja")
            ),
            "score": "",
        }
    )
    score = _text(skp, "nilaiskp")
    value = pd.to_numeric(score.str.replace(",", ".", regex=False), errors="coerce")
    bands = np.select([value >= low for low, _ in SCORE_BANDS], [r for _, r in SCORE_BANDS], "")
    old = pd.DataFrame(
        {
            "nip": _nips(skp, ids, "pnsid", "idpns", "pnsdinilaiid"),
            "year": _text(skp, "tahun"),
            "rating": pd.Series(bands, index=skp.index).where(value.notna(), ""),
            "score": score,
        }
    )
    both = pd.concat([new, old], ignore_index=True).drop_duplicates(["nip", "year"], keep="first")
    return both.assign(position_id=held_longest(both, appointments))


def training_history_of(courses: pd.DataFrame, trainings: pd.DataFrame) -> pd.DataFrame:
    """rw-diklat and rw-kursus rows (nip, name, hours, completed_on) matched to the catalogue by
    name and hours, else by name alone; training_id empty when no match."""
    catalogue = trainings.assign(key=_text(trainings, "name").str.casefold())
    by_name_hours = dict(
        zip(
            zip(catalogue["key"], _text(catalogue, "hours"), strict=True),
            catalogue["training_id"],
            strict=True,
        )
    )
    by_name = dict(zip(catalogue["key"], catalogue["training_id"], strict=True))
    key = courses["name"].str.casefold()
    exact = pd.Series(list(zip(key, courses["hours"], strict=True)), index=courses.index).map(
        by_name_hours
    )
    found = exact.fillna(key.map(by_name)).astype("string").fillna("")
    return pd.DataFrame(
        {"nip": courses["nip"], "training_id": found, "completed_on": courses["completed_on"]}
    )


def _courses(diklat: pd.DataFrame, kursus: pd.DataFrame, ids: Mapping[str, str]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "nip": _nips(form, ids, "idpns"),
                    "name": _first(form, name_column, "nama"),
                    "hours": _text(form, "jumlahjam"),
                    "completed_on": _first(form, "tanggalselesai", "tanggal"),
                }
            )
            for form, name_column in ((diklat, "latihanstrukturalnama"), (kursus, "namakursus"))
        ],
        ignore_index=True,
    )


def _unmapped(file: str, mask: pd.Series, why: str, why_en: str) -> list[str]:
    count = int(mask.sum())
    return [UNMAPPED.format(file=file, count=count, why=why, why_en=why_en)] if count else []


def map_export(export: SiasnExport) -> Mapped:
    """The contract tables of a SIASN export (strings, as a reader gives them) and the report of
    what could not be mapped."""
    forms, files, agency = export.forms, export.files, dict(export.agency)
    empty = pd.DataFrame()
    positions = agency.get(Table.POSITIONS, empty)
    keys = _position_keys(positions) if len(positions) else {}
    utama = forms.get("data_utama", empty)
    appointments = appointments_of(forms.get("rw_jabatan", empty), keys=keys)
    ids = dict(zip(_text(utama, "pns_id"), as_nip(_text(utama, "nip_baru")), strict=True))
    ids |= dict(zip(appointments["pns_id"], appointments["nip"], strict=True))
    ids.pop("", None)
    notices: list[str] = []
    frames: dict[Table, pd.DataFrame] = dict(agency)
    sources = {t: f"{t.value}.csv" for t in agency}
    if len(utama):
        employees = employees_of(utama, keys=keys)
        extra = export.records.get("pegawai_tambahan")
        if extra is not None:
            extra = extra.assign(nip=as_nip(_text(extra, "nip")))
            employees = employees.merge(extra, how="left", on="nip").fillna("")
            employees.index = utama.index
        frames[Table.EMPLOYEES], sources[Table.EMPLOYEES] = employees, files["data_utama"]
    if "rw_jabatan" in forms:
        history = appointments["position_id"].str.startswith("siasn:")
        notices += _unmapped(files["rw_jabatan"], history, *WHY_LOST["position"])
        records = export.records.get("riwayat_mutasi", pd.DataFrame(columns=["nip", "nomor_sk"]))
        frames[Table.TRANSFERS] = transfers_of(appointments, records)
        sources[Table.TRANSFERS] = f"transfers ({files['rw_jabatan']})"
    if "rw_skp22" in forms or "rw_skp" in forms:
        performance = performance_of(
            forms.get("rw_skp22", empty), forms.get("rw_skp", empty), ids=ids,
            appointments=appointments,
        )  # fmt: skip
        file = files.get("rw_skp22", files.get("rw_skp", ""))
        lost = (performance["nip"] == "") | (performance["position_id"] == "")
        frames[Table.PERFORMANCE] = performance[~lost]
        notices += _unmapped(file, lost, *WHY_LOST["performance"])
        sources[Table.PERFORMANCE] = f"performance ({file})"
    if "rw_diklat" in forms or "rw_kursus" in forms:
        courses = _courses(forms.get("rw_diklat", empty), forms.get("rw_kursus", empty), ids)
        done = training_history_of(
            courses,
            agency.get(Table.TRAININGS, pd.DataFrame(columns=["training_id", "name", "hours"])),
        )
        file = files.get("rw_diklat", files.get("rw_kursus", ""))
        lost = (done["training_id"] == "") | (done["nip"] == "")
        frames[Table.TRAINING_HISTORY] = done[~lost]
        notices += _unmapped(file, lost, *WHY_LOST["training"])
        sources[Table.TRAINING_HISTORY] = f"training_history ({file})"
    return Mapped(frames, sources, notices, [])


def is_siasn(folder: Path) -> bool:
    """A folder holding a SIASN form by its file name (other names: `--layout siasn`)."""
    stems = {stem for stems, _ in FORMS.values() for stem in stems}
    return any(p.stem.lower() in stems for p in folder.iterdir() if p.is_file())


@dataclass(frozen=True)
class ReadExport:
    export: SiasnExport
    problems: list[Problem]
    changes: list[Normalisation]


def read_export(folder: Path) -> ReadExport:
    """Every file of a SIASN folder: contract tables the agency keeps, its own records and the
    SIASN forms (recognised by name or columns; JSON as the web service answers)."""
    forms: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    agency: dict[Table, pd.DataFrame] = {}
    records: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    changes: list[Normalisation] = []
    tables = {t.value: t for t in Table}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        suffix, stem = path.suffix.lower(), path.stem.lower()
        if suffix not in (*FORMATS, ".json"):
            continue
        if suffix == ".json":
            read = _read_json(path)
        elif stem in tables:
            read = read_table(path, table=tables[stem])
        else:
            known = next((r for s, r in FORMS.values() if stem in s), frozenset())
            read = read_file(path, required=tuple(sorted(known)))
        problems += read.problems
        changes += read.changes
        if read.frame is None:
            continue
        if stem in tables:
            agency[tables[stem]] = read.frame
        elif stem in AGENCY_RECORDS:
            records[stem] = read.frame
        elif (form := form_of(path, set(read.frame.columns))) is not None:
            forms[form] = (
                pd.concat([forms[form], read.frame], ignore_index=True)
                if form in forms
                else read.frame
            )
            files.setdefault(form, path.name)
    return ReadExport(SiasnExport(forms, files, agency, records), problems, changes)


def _read_json(path: Path) -> Read:
    try:
        return Read(read_json(path))
    except (ValueError, UnicodeDecodeError, TypeError) as err:
        detail = type(err).__name__
        return Read(
            None, [Problem(path.name, None, None, UNREADABLE.format(fmt="JSON", detail=detail))]
        )
