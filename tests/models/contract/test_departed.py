"""History of people who left service: kept by validation, counted, and used for training."""

from __future__ import annotations

import pandas as pd

from models.contract.enums import Table
from models.contract.schemas import validate_frames
from models.contract.tables import AgencyData
from models.features.build import transfer_examples
from tests.fixtures.export import FIXTURE_TODAY, NIP_RETIRED, valid_agency_frames

Frames = dict[Table, pd.DataFrame]


def _with_departed_history() -> Frames:
    """The fixture agency where the retired person also has competencies, a training and a
    preference, and moved into P1 (whose standard asks integritas 3, teknis_kesehatan 4)."""
    frames = valid_agency_frames()
    extra = {
        Table.COMPETENCIES: [NIP_RETIRED, "teknis_kesehatan", "2", "2016-05-01"],
        Table.TRAINING_HISTORY: [NIP_RETIRED, "T1", "2016-09-01"],
        Table.PREFERENCES: [NIP_RETIRED, "sector", "kesehatan", "1"],
    }
    for table, row in extra.items():
        frame = frames[table]
        frames[table] = pd.concat(
            [frame, pd.DataFrame([row], columns=frame.columns)], ignore_index=True
        )
    frames[Table.TRANSFERS].loc[2, "to_position_id"] = "P1"
    return frames


def _validated(frames: Frames) -> tuple[AgencyData, list[str]]:
    sources = {t: f"{t.value}.csv" for t in frames}
    result = validate_frames(frames, sources=sources, today=FIXTURE_TODAY)
    assert result.data is not None, [str(p) for p in result.problems]
    return result.data, result.notices


def test_every_history_table_keeps_rows_of_departed_people() -> None:
    data, _ = _validated(_with_departed_history())
    for table in (
        Table.PERFORMANCE,
        Table.TRANSFERS,
        Table.COMPETENCIES,
        Table.TRAINING_HISTORY,
        Table.PREFERENCES,
    ):
        assert NIP_RETIRED in set(data.table(table)["nip"]), table


def test_departed_rows_are_counted_in_the_report() -> None:
    _, notices = _validated(_with_departed_history())
    assert (
        "training_history.csv: 1 baris dari 1 pegawai yang tidak lagi di employees.csv "
        "(pensiun/keluar), disimpan untuk pelatihan model / 1 rows of 1 people no longer in "
        "employees.csv (retired or left), kept for training"
    ) in notices
    assert sum("tidak lagi di employees.csv" in n for n in notices) == 5


def test_departed_trainings_and_competencies_reach_the_training_examples() -> None:
    with_history, _ = _validated(_with_departed_history())
    frames = _with_departed_history()
    for table in (Table.COMPETENCIES, Table.TRAINING_HISTORY):
        frames[table] = frames[table][frames[table]["nip"] != NIP_RETIRED]
    without, _ = _validated(frames)
    kept = transfer_examples(with_history).set_index("transfer_id").loc["M3"]
    dropped = transfer_examples(without).set_index("transfer_id").loc["M3"]
    # Known only from the departed person's own assessment and training.
    assert pd.isna(dropped["competency_shortfall"]) and pd.notna(kept["competency_shortfall"])
    assert (kept["recent_relevant_trainings"], dropped["recent_relevant_trainings"]) == (1, 0)
