"""The CLI starts fast: `mutasi --help` loads no heavy package (checked in a fresh interpreter,
since this test process has imported everything already)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("mlflow", "lightgbm", "sklearn", "pandas", "scipy", "fastapi", "serving", "simulator")

PROBE = """
import json, sys
sys.argv = ["mutasi", "--help"]
from cli.main import main
try:
    main()
except SystemExit as done:
    code = done.code
loaded = sorted({name.split(".")[0] for name in sys.modules})
sys.stderr.write(json.dumps({"code": code, "loaded": loaded}))
"""


def _help_in_fresh_interpreter() -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def test_help_loads_no_heavy_package() -> None:
    report, _ = _help_in_fresh_interpreter()
    assert set(report["loaded"]).isdisjoint(HEAVY)


def test_help_still_lists_every_command() -> None:
    report, text = _help_in_fresh_interpreter()
    commands = ("demo-data", "ingest", "train", "score", "plan", "serve", "keys", "audit")
    assert report["code"] == 0 and all(command in text for command in commands)
