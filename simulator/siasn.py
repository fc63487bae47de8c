"""An agency's contract tables written the way SIASN and its own records hold them.

`siasn_layout(tables)` returns, by file stem, the SIASN forms (data_utama, rw_jabatan, rw_skp22,
rw_skp, rw_diklat) and the tables only the agency keeps (units, positions with the SIASN
`unor_id` and `jabatan_id`, trainings, competencies, position_competencies, preferences, its
transfer records `riwayat_mutasi` and `pegawai_tambahan`), in SIASN's own spelling: NIPs with
spaces, dates DD-MM-YYYY, gender and ranks in words. pipelines/siasn.py maps them back.

What SIASN cannot carry is lost on the way, as for a real agency: an SKP score from 2022 on
(SKP 2022 has a predikat only), and a position held before the first one known (appointments
start at the CPNS date of the NIP).
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from models.contract.enums import Table

SIASN_FORMS: Final[tuple[str, ...]] = (
    "data_utama",
    "rw_jabatan",
    "rw_skp22",
    "rw_skp",
    "rw_diklat",
)
SKP22_FROM_YEAR: Final[int] = 2022
FORMER_UNOR: Final[str] = "U-LAMA"  # the unor of positions that no longer exist
_GENDER: Final[dict[str, str]] = {"L": "Laki-laki", "P": "Perempuan"}
_MARITAL: Final[dict[str, str]] = {
    "married": "Menikah",
    "single": "Belum Menikah",
    "widowed": "Cerai Mati",
}
_EMPLOYEE_EXTRAS: Final[tuple[str, ...]] = (
    "home_region_code",
    "home_lat",
    "home_lon",
    "children",
    "talent_box",
    "on_hold",
)


def _dmy(iso: pd.Series) -> pd.Series:
    """YYYY-MM-DD as DD-MM-YYYY (empty stays empty)."""
    parts = iso.fillna("").astype(str).str.extract(r"^(\d{4})-(\d{2})-(\d{2})$")
    return (parts[2] + "-" + parts[1] + "-" + parts[0]).fillna("")


def _spaced(nip: pd.Series) -> pd.Series:
    return nip.str.replace(r"^(\d{8})(\d{6})(\d)(\d{3})$", r"\1 \2 \3 \4", regex=True)


def _cpns_start(nip: pd.Series) -> pd.Series:
    return nip.str.slice(8, 12) + "-" + nip.str.slice(12, 14) + "-01"


def _pns_ids(tables: dict[Table, pd.DataFrame]) -> dict[str, str]:
    everyone = pd.concat(
        [tables[t]["nip"] for t in (Table.EMPLOYEES, Table.TRANSFERS, Table.PERFORMANCE)]
    ).drop_duplicates()
    return {nip: f"PNS{i:07d}" for i, nip in enumerate(everyone)}


def _data_utama(employees: pd.DataFrame, ids: dict[str, str], unor: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pns_id": employees["nip"].map(ids),
            "nip_baru": _spaced(employees["nip"]),
            "nama": employees["name"],
            "tanggal_lahir": _dmy(employees["birth_date"]),
            "jenis_kelamin": employees["gender"].map(_GENDER),
            "jenis_pegawai_nama": employees["employment_type"].str.upper(),
            "gol_akhir_nama": employees["rank"],
            "tingkat_pendidikan_nama": employees["education_level"],
            "pendidikan_nama": employees["education_field"],
            "unor_id": employees["position_id"].map(unor),
            "jabatan_id": "J" + employees["position_id"],
            "tmt_jabatan": _dmy(employees["position_start"]),
            "tmt_cpns": _dmy(employees["service_start"]),
            "jenis_kawin_nama": employees["marital_status"].map(_MARITAL).fillna(""),
        }
    )


def _appointments(
    tables: dict[Table, pd.DataFrame], ids: dict[str, str], unor: dict[str, str]
) -> pd.DataFrame:
    """rw-jabatan: the first known position from the CPNS date, then one row per move."""
    moves = tables[Table.TRANSFERS]
    moves = moves[moves["effective_date"].fillna("") != ""].sort_values(["nip", "effective_date"])
    first_move = moves.drop_duplicates("nip")[["nip", "from_position_id"]]
    current = tables[Table.EMPLOYEES][["nip", "position_id"]]
    first_skp = tables[Table.PERFORMANCE].sort_values("year").drop_duplicates("nip")
    first = pd.concat(
        [
            first_move.rename(columns={"from_position_id": "position_id"}),
            current,
            first_skp[["nip", "position_id"]],
        ]
    ).drop_duplicates("nip")
    rows = pd.concat(
        [
            first.assign(start=_cpns_start(first["nip"]), nomor_sk="", tanggal_sk=""),
            moves.assign(
                position_id=moves["to_position_id"],
                start=moves["effective_date"],
                nomor_sk="800/" + moves["transfer_id"] + "/SK",
                tanggal_sk=moves["decree_date"],
            )[["nip", "position_id", "start", "nomor_sk", "tanggal_sk"]],
        ]
    ).sort_values(["nip", "start"], kind="stable")
    return pd.DataFrame(
        {
            "id": [f"RJ{i:08d}" for i in range(len(rows))],
            "idPns": rows["nip"].map(ids).to_numpy(),
            "nipBaru": _spaced(rows["nip"]).to_numpy(),
            "unorId": rows["position_id"].map(unor).fillna(FORMER_UNOR).to_numpy(),
            "jabatanFungsionalUmumId": ("J" + rows["position_id"]).to_numpy(),
            "tmtJabatan": _dmy(rows["start"]).to_numpy(),
            "nomorSk": rows["nomor_sk"].to_numpy(),
            "tanggalSk": _dmy(rows["tanggal_sk"]).to_numpy(),
        }
    )


def _agency_transfers(transfers: pd.DataFrame) -> pd.DataFrame:
    """riwayat_mutasi: the agency's record of every transfer (SIASN keeps no resistance)."""
    return transfers.assign(nomor_sk="800/" + transfers["transfer_id"] + "/SK")


def _skp(performance: pd.DataFrame, ids: dict[str, str]) -> dict[str, pd.DataFrame]:
    score = performance["score"].fillna("")
    old = (performance["year"].astype(int) < SKP22_FROM_YEAR) & (score != "")
    new = performance[~old]
    return {
        "rw_skp22": pd.DataFrame(
            {
                "id": [f"S22{i:08d}" for i in range(len(new))],
                "pnsDinilaiId": new["nip"].map(ids).to_numpy(),
                "tahun": new["year"].to_numpy(),
                "kuadranKinerja": new["rating"].str.replace("_", " ").str.title().to_numpy(),
            }
        ),
        "rw_skp": pd.DataFrame(
            {
                "pnsId": performance.loc[old, "nip"].map(ids),
                "tahun": performance.loc[old, "year"],
                "nilaiSkp": score[old].str.replace(".", ",", regex=False),
            }
        ),
    }


def _diklat(history: pd.DataFrame, trainings: pd.DataFrame) -> pd.DataFrame:
    done = history.merge(trainings[["training_id", "name", "hours"]], on="training_id")
    return pd.DataFrame(
        {
            "nipBaru": _spaced(done["nip"]),
            "latihanStrukturalNama": done["name"],
            "jumlahJam": done["hours"],
            "tanggalSelesai": _dmy(done["completed_on"]),
        }
    )


def siasn_layout(tables: dict[Table, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The files (by stem) of an agency in SIASN layouts, from its contract tables (strings)."""
    tables = {t: f.fillna("").astype(str) for t, f in tables.items()}
    positions = tables[Table.POSITIONS]
    unor = dict(zip(positions["position_id"], positions["unit_id"], strict=True))
    ids = _pns_ids(tables)
    employees = tables[Table.EMPLOYEES]
    extras = [c for c in _EMPLOYEE_EXTRAS if c in employees.columns]
    kept = (Table.UNITS, Table.TRAININGS, Table.COMPETENCIES, Table.POSITION_COMPETENCIES)
    files = {t.value: tables[t] for t in (*kept, Table.PREFERENCES) if t in tables}
    return {
        **files,
        "positions": positions.assign(
            unor_id=positions["unit_id"], jabatan_id="J" + positions["position_id"]
        ),
        "data_utama": _data_utama(employees, ids, unor),
        "pegawai_tambahan": employees[["nip", *extras]],
        "rw_jabatan": _appointments(tables, ids, unor),
        "riwayat_mutasi": _agency_transfers(tables[Table.TRANSFERS]),
        **_skp(tables[Table.PERFORMANCE], ids),
        "rw_diklat": _diklat(tables[Table.TRAINING_HISTORY], tables[Table.TRAININGS]),
    }
