"""Real-world ingest benchmark (issue 9): SIASN XLSX at 100k employees, the contract CSV path,
a 1M-row XLSX history table, and a table of junk rows.

Budgets: SIASN XLSX ingest of 100k employees ≤ 90 s and ≤ 4 GiB; contract CSV ≤ 60 s;
a 1M-row XLSX table read ≤ 60 s; a table of junk refused within 60 s and 4 GiB.
The 100k demo agency (contract CSV, 10 years, seed 7) is generated once under `--data-dir`
(bench/ingest.py's cache); its SIASN form is derived from it once (simulator.siasn, XLSX written
with openpyxl's write-only mode). Each measurement runs in a fresh child process.

    nice -n 10 .venv/bin/python bench/ingest_real_world.py
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import ROOT, demo_folder, measure

JUNK_MB = 200


def _write_xlsx(frame: pd.DataFrame, path: Path, *, sheet: str) -> None:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        worksheet.append(list(row))
    workbook.save(path)


def siasn_folder(contract: Path) -> Path:
    """The SIASN XLSX form of a contract CSV agency, derived once."""
    from models.contract.enums import Table
    from simulator.siasn import SIASN_FORMS, siasn_layout

    folder = contract.with_name(contract.name.replace("-csv", "-siasn-xlsx"))
    if (folder / "data_utama.xlsx").is_file():
        return folder
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    text = {
        t: pd.read_csv(contract / f"{t.value}.csv", dtype=str, keep_default_na=False) for t in Table
    }
    for stem, frame in siasn_layout(text).items():
        if stem in SIASN_FORMS:
            _write_xlsx(frame, folder / f"{stem}.xlsx", sheet=stem)
        else:
            frame.to_csv(folder / f"{stem}.csv", index=False)
    print(f"  wrote {folder.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def million_row_folder(contract: Path) -> Path:
    """A folder whose performance table is a 1,000,000-row XLSX (the rest as CSV)."""
    folder = contract.with_name("xlsx-1m")
    if (folder / "performance.xlsx").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    performance = pd.read_csv(contract / "performance.csv", dtype=str, keep_default_na=False)
    rows = pd.concat([performance] * (1_000_000 // len(performance) + 1)).head(1_000_000)
    _write_xlsx(rows, folder / "performance.xlsx", sheet="performance")
    return folder


def junk_folder(contract: Path) -> Path:
    """The agency with employees.csv = its header and JUNK_MB of junk rows of the right width."""
    folder = contract.with_name("junk")
    if (folder / "employees.csv").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for path in contract.glob("*.csv"):
        if path.name != "employees.csv":
            (folder / path.name).symlink_to(path)
    header = (contract / "employees.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    width = header.count(",")
    row = ("zz" + ",zz" * width + "\n").encode()
    with (folder / "employees.csv").open("wb") as out:
        out.write(header.encode() + b"\n")
        out.write(row * (JUNK_MB * 2**20 // len(row)))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {date.today()}; load {load}")
    contract = demo_folder(args.data_dir, employees=args.employees, seed=7, file_format="csv")
    runs = [
        ("contract CSV", "ingest", contract, 60),
        ("SIASN XLSX", "ingest", siasn_folder(contract), 90),
        ("1M-row XLSX read", "read", million_row_folder(contract) / "performance.xlsx", 60),
        (f"junk {JUNK_MB} MB", "validate", junk_folder(contract), 60),
    ]
    print(
        f"{'what':<18} {'mode':>8} {'rows':>10} {'call s':>7} {'wall s':>7} {'peak MiB':>9} budget"
    )
    for what, mode, path, seconds in runs:
        m = measure(mode, path)  # rows < 0: refused, with that many problems
        within = m["wall_s"] <= seconds and m["peak_mib"] <= 4096
        print(
            f"{what:<18} {mode:>8} {int(m['rows']):>10,} {m['call_s']:>7.1f} {m['wall_s']:>7.1f} "
            f"{m['peak_mib']:>9.0f} {'ok' if within else 'OVER'} (≤ {seconds} s, 4 GiB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
