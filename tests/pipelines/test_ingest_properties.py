"""Random corruption of a valid folder is rejected with located problems or accepted: never a crash.

Corruptions: a cell replaced by arbitrary text, a column dropped, a file truncated at any byte,
random bytes spliced into a file; each on any table, in CSV, Parquet or XLSX. And the ways real
exports differ (issue 9), alone or on top of those: `;` or tab separators with decimal commas,
a BOM, CRLF, Windows-1252, day-first / month-first / Excel-serial dates, NIPs with spaces or
as Excel numbers, a title block above the header.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.contract.enums import Table
from models.contract.problems import ContractViolation
from pipelines.ingest import ingest_folder
from pipelines.settings import Settings
from pipelines.snapshots import current_snapshot_id, load_snapshot
from tests.fixtures.export import FIXTURE_TODAY, valid_agency_frames, write_agency

TABLES = st.sampled_from(list(Table))
FORMATS = st.sampled_from(["csv", "parquet", "xlsx"])
CELL_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=24
) | st.sampled_from(["", "-1", "2099-01-01", "19850115201001200", "nan", "1e400", "III/z"])


@st.composite
def cell_edits(draw: st.DrawFn) -> tuple[str, Table, int, int, str]:
    table = draw(TABLES)
    frame = valid_agency_frames()[table]
    row = draw(st.integers(0, len(frame) - 1))
    column = draw(st.integers(0, frame.shape[1] - 1))
    return ("cell", table, row, column, draw(CELL_TEXT))


REAL_WORLD = st.sampled_from(
    ["semicolon", "tab", "bom", "crlf", "cp1252", "title", "nip_spaces", "nip_excel", "dates"]
)
DATE_FORMS = st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%-d-%-m-%Y", "serial"])


@st.composite
def real_world(draw: st.DrawFn) -> tuple[str, Table, str, str, bytes]:
    return ("real", draw(TABLES), draw(REAL_WORLD), draw(DATE_FORMS), b"")


def _real_world(folder: Path, table: Table, how: str, date_form: str) -> None:
    """Write one table the way a spreadsheet or an HR system would."""
    frame = valid_agency_frames()[table]
    if how in ("nip_spaces", "nip_excel") and "nip" in frame.columns:
        spaced = frame["nip"].str.replace(
            r"^(\d{8})(\d{6})(\d)(\d{3})$", r"\1 \2 \3 \4", regex=True
        )
        frame["nip"] = spaced if how == "nip_spaces" else "1.98501E+17"
    if how == "dates":
        for column in [c for c in frame.columns if c.endswith(("_date", "_on", "_start"))]:
            when = pd.to_datetime(frame[column], errors="coerce")
            days = (when - pd.Timestamp("1899-12-30")).dt.days.astype("Int64").astype("string")
            text = days if date_form == "serial" else when.dt.strftime(date_form)
            frame[column] = text.fillna("")
    path = folder / f"{table.value}.csv"
    if how == "title":
        path.unlink()
        sheet = pd.concat([pd.DataFrame([frame.columns], columns=frame.columns), frame])
        sheet.to_excel(
            folder / f"{table.value}.xlsx",
            index=False,
            header=["DAFTAR", *[""] * (frame.shape[1] - 1)],
        )
        return
    separator = {"semicolon": ";", "tab": "\t"}.get(how, ",")
    text = frame.to_csv(
        index=False, sep=separator, lineterminator="\r\n" if how == "crlf" else "\n"
    )
    if separator != ",":
        text = text.replace(".", ",")
    data = text.encode("cp1252", errors="replace") if how == "cp1252" else text.encode()
    path.write_bytes((b"\xef\xbb\xbf" if how == "bom" else b"") + data)


@st.composite
def file_damage(draw: st.DrawFn) -> tuple[str, Table, int, int, bytes]:
    kind = draw(st.sampled_from(["drop_column", "truncate", "splice"]))
    table = draw(TABLES)
    position = draw(st.integers(0, 4000))
    width = draw(st.integers(0, valid_agency_frames()[table].shape[1] - 1))
    return (kind, table, position, width, draw(st.binary(min_size=1, max_size=8)))


def _corrupt(folder: Path, corruption: tuple, fmt: str) -> None:  # type: ignore[type-arg]
    kind, table, a, b, payload = corruption
    frames = valid_agency_frames()
    if kind == "real":
        write_agency(frames, folder)
        _real_world(folder, table, a, b)
        return
    if kind == "cell":
        frames[table].iloc[a, b] = payload
    elif kind == "drop_column":
        frames[table] = frames[table].drop(columns=frames[table].columns[b])
    write_agency(frames, folder, {table: fmt})
    path = folder / f"{table.value}.{fmt}"
    data = path.read_bytes()
    cut = a % (len(data) + 1)
    if kind == "truncate":
        path.write_bytes(data[:cut])
    elif kind == "splice":
        path.write_bytes(data[:cut] + payload + data[cut:])


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data home holding one snapshot of the valid agency; copied for every example."""
    root = tmp_path_factory.mktemp("template")
    config = Settings(home=root / "home", as_of=FIXTURE_TODAY)
    good = ingest_folder(write_agency(valid_agency_frames(), root / "good"), settings=config)
    return config.home, good.id


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(corruption=cell_edits() | file_damage() | real_world(), fmt=FORMATS)
def test_corrupted_folder_is_rejected_with_located_problems_or_accepted(
    template_home: tuple[Path, str],
    corruption: tuple,  # type: ignore[type-arg]
    fmt: str,
) -> None:
    home, good_id = template_home
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        config = Settings(home=root / "home", as_of=FIXTURE_TODAY)
        shutil.copytree(home, config.home)
        _corrupt(root / "bad", corruption, fmt)
        try:
            info = ingest_folder(root / "bad", settings=config)
        except ContractViolation as violation:
            assert violation.problems
            assert all(p.file.startswith(tuple(t.value for t in Table)) for p in violation.problems)
            assert current_snapshot_id(config) == good_id
        else:
            assert load_snapshot(settings=config).id == info.id
