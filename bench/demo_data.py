"""Demo-data benchmark: wall time and peak memory of `generate_agency` at 10k and 100k employees.

Each size runs in a fresh child process so that its peak RSS (ru_maxrss of that child) belongs
to that one generation; the child reports the time inside `generate_agency` (no interpreter
start-up or imports), the CPU time, the rows written and the output size on disk.

    .venv/bin/python bench/demo_data.py                      # 10k and 100k, CSV, 10 years
    .venv/bin/python bench/demo_data.py --sizes 3000 --format parquet
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
from pathlib import Path
from simulator import generate_agency
out, employees, seed, years, file_format = sys.argv[1:6]
wall, cpu = time.perf_counter(), time.process_time()
summary = generate_agency(
    Path(out), employees=int(employees), seed=int(seed), years=int(years), file_format=file_format
)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
print(json.dumps({"seconds": wall, "cpu_seconds": cpu, "rows": sum(summary.rows.values()),
                  "transfers": summary.rows["transfers"], "bytes": size}))
"""


def measure(*, employees: int, seed: int, years: int, file_format: str) -> dict[str, float]:
    """Generate once in a child process; its timings, rows and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="mutasi-bench-demo-") as tmp:
        out = Path(tmp) / "agency"
        args = [str(out), str(employees), str(seed), str(years), file_format]
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"generation of {employees} employees failed")
    result: dict[str, float] = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--format", dest="file_format", default="csv")
    options = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    )
    print(
        "| employees | years | format | wall s | CPU s | peak RSS MiB | rows | transfers "
        "| MiB on disk |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for employees in options.sizes:
        r = measure(
            employees=employees,
            seed=options.seed,
            years=options.years,
            file_format=options.file_format,
        )
        print(
            f"| {employees:,} | {options.years} | {options.file_format} | {r['seconds']:.1f} | "
            f"{r['cpu_seconds']:.1f} | {r['peak_rss_mib']:,.0f} | {int(r['rows']):,} | "
            f"{int(r['transfers']):,} | {r['bytes'] / 2**20:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
