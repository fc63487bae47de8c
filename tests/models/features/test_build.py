"""Behaviour of the pair features on a tiny synthetic agency (tests/fixtures/agency.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pandera.errors
import pytest

from models.contract.enums import EDUCATION_ORDINAL, SKP_RATING_VALUE, Table
from models.contract.tables import AgencyData
from models.features.build import (
    FEATURE_COLUMNS,
    FeatureContext,
    PairInputError,
    UnknownEmployeeError,
    UnknownTrainingError,
    current_pair_features,
    indexed_feature_matrix,
    indexed_pair_features,
    pair_features_at,
    trained_pair_features,
    transfer_examples,
)
from models.features.schema import FEATURE_SCHEMA
from models.features.text import FEATURE_TEXT, describe_feature
from tests.fixtures.agency import ANI, BUDI, CITRA, EKO, base_frames, with_rows, world

AS_OF = date(2025, 7, 1)


def one_pair(data, nip: str, position_id: str, as_of: str = "2025-07-01") -> pd.Series:
    pairs = pd.DataFrame({"nip": [nip], "position_id": [position_id], "as_of": [as_of]})
    return pair_features_at(data, pairs).iloc[0]


def changed_columns(before: pd.Series, after: pd.Series) -> set[str]:
    same = (before == after) | (before.isna() & after.isna())
    return set(before.index[~same])


def test_transfer_examples_has_one_row_per_transfer_with_ids_groups_features_and_labels():
    examples = transfer_examples(world())
    assert list(examples["transfer_id"]) == ["T1", "T2", "T0"]
    expected = {"transfer_id", "nip", "from_position_id", "to_position_id", "decree_date"}
    assert expected | {"gender", "age_band", "post_move_rating", "resisted"} <= set(examples)
    assert set(FEATURE_COLUMNS) <= set(examples)
    assert all(examples[c].dtype == np.float64 for c in FEATURE_COLUMNS)


def test_post_move_rating_is_first_appraisal_after_effective_year_in_the_new_position():
    examples = transfer_examples(world()).set_index("transfer_id")
    assert examples.loc["T2", "post_move_rating"] == 5.0  # BUDI 2022 in P2: sangat_baik
    assert examples.loc["T1", "post_move_score"] == 60.0  # EKO 2020 in P1
    assert examples.loc["T1", "resisted"]
    assert not examples.loc["T2", "resisted"]


def test_post_move_rating_is_nan_without_a_later_appraisal_in_the_new_position():
    later_move = dict(
        transfer_id="T9",
        nip=ANI,
        from_position_id="P1",
        to_position_id="P3",
        decree_date="2024-01-01",
        effective_date="2024-02-01",
        resistance="none",
    )
    examples = transfer_examples(world(transfers=with_rows(Table.TRANSFERS, later_move)))
    assert np.isnan(examples.set_index("transfer_id").loc["T9", "post_move_rating"])


def test_people_who_left_service_get_age_and_gender_from_their_nip():
    row = transfer_examples(world()).set_index("transfer_id").loc["T1"]
    assert row["gender"] == "L"
    # born 1970-01-01, decree 2019-05-01: aged 49.33 in P2 (ahli madya, retirement age 60)
    assert row["years_to_retirement"] == pytest.approx(60 - 49.33, abs=0.01)
    assert row["age_band"] == "40-49"


def test_recent_score_mean_averages_the_last_three_appraisal_years():
    features = one_pair(world(), ANI, "P2")  # scores 80 + year - 2014 for 2022, 2023, 2024
    assert features["recent_score_mean"] == pytest.approx(89.0)
    assert features["last_score"] == 90.0


def test_more_years_in_the_target_sector_raises_only_years_in_target_sector():
    before = one_pair(world(), ANI, "P2")
    performance = base_frames()[Table.PERFORMANCE]
    ani_2016 = (performance["nip"] == ANI) & (performance["year"] == 2016)
    moved = performance.assign(position_id=performance["position_id"].mask(ani_2016, "P2"))
    after = one_pair(world(performance=moved), ANI, "P2")
    assert after["years_in_target_sector"] == before["years_in_target_sector"] + 1
    # The old appraisal also counts in the career-long SKP mean (unchanged if it equals it), and
    # its peers are now those with the same experience in P2's sector.
    changed = changed_columns(before, after)
    assert "years_in_target_sector" in changed
    assert changed <= {"years_in_target_sector", "career_rating_mean", "skp_vs_peers"}


def test_the_career_rating_mean_counts_every_earlier_appraisal_year():
    data = world()
    perf = data.performance
    earlier = perf.loc[(perf["nip"] == ANI) & (perf["year"] < 2025), "rating"]
    values = earlier.map(SKP_RATING_VALUE).astype(float)
    poor = dict(nip=ANI, year=2010, position_id="P2", rating="kurang", score=55.0)
    before = one_pair(data, ANI, "P2")
    after = one_pair(world(performance=with_rows(Table.PERFORMANCE, poor)), ANI, "P2")
    assert len(values) > 0 and before["career_rating_mean"] == pytest.approx(values.mean())
    expected = (values.sum() + SKP_RATING_VALUE["kurang"]) / (len(values) + 1)
    assert after["career_rating_mean"] == pytest.approx(expected)
    assert after["recent_rating_mean"] == before["recent_rating_mean"]  # 2010 is not recent


def test_service_before_the_earliest_appraisal_counts_in_that_appraisals_sector():
    # ANI: TMT CPNS 2005-03-01, appraisals 2014-2024 in P1 (health), none in education
    assert one_pair(world(), ANI, "P1")["years_in_target_sector"] == pytest.approx(
        11 + (date(2014, 1, 1) - date(2005, 3, 1)).days / 365.25
    )
    assert one_pair(world(), ANI, "P2")["years_in_target_sector"] == 0.0


def test_people_who_left_service_take_family_from_a_colleague_and_home_at_their_post():
    row = transfer_examples(world()).set_index("transfer_id").loc["T1"]  # EKO left P2 in 2019
    # BUDI holds P2 now: single, no children; EKO's home stands at P2's region (1375)
    assert (row["married"], row["children"]) == (0.0, 0.0)
    assert row["distance_home_km"] == pytest.approx(row["distance_move_km"], abs=1e-6)
    assert row["education_level_gap"] == EDUCATION_ORDINAL["S2"] - EDUCATION_ORDINAL["SMA"]


def test_farther_home_raises_distance_home_only():
    employees = base_frames()[Table.EMPLOYEES]
    far = employees.assign(home_lat=employees["home_lat"].where(employees["nip"] != ANI, -3.0))
    before, after = one_pair(world(), ANI, "P2"), one_pair(world(employees=far), ANI, "P2")
    assert after["distance_home_km"] > before["distance_home_km"] + 100
    assert changed_columns(before, after) == {"distance_home_km"}


def test_a_leavers_stand_in_does_not_depend_on_the_order_of_employees_rows():
    employees = base_frames()[Table.EMPLOYEES]
    reversed_rows = employees.iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        transfer_examples(world(employees=reversed_rows)), transfer_examples(world())
    )


def test_an_employee_without_any_home_keeps_an_unknown_distance_from_home():
    # Unlike a leaver's, a person in service's missing home is not filled from their post: a
    # reason must say the distance is not known, not give the post's own distance.
    employees = base_frames()[Table.EMPLOYEES]
    ani = employees["nip"] == ANI
    homeless = employees.assign(
        home_lat=employees["home_lat"].mask(ani),
        home_lon=employees["home_lon"].mask(ani),
        home_region_code=employees["home_region_code"].mask(ani),
    )
    features = one_pair(world(employees=homeless), ANI, "P2")
    assert np.isnan(features["distance_home_km"]) and features["distance_move_km"] > 0


def test_missing_home_coordinates_fall_back_to_the_home_region_centroid():
    features = one_pair(world(), BUDI, "P2")  # BUDI lives in 1375 without coordinates
    assert features["distance_home_km"] == pytest.approx(0.0, abs=1e-6)


def test_a_unit_without_coordinates_stands_at_its_region_centroid():
    to_p3 = one_pair(world(), ANI, "P3")  # U3 has no coordinates; 1375's only located unit is U2
    to_p2 = one_pair(world(), ANI, "P2")
    assert to_p3["distance_move_km"] == pytest.approx(to_p2["distance_move_km"], abs=1e-6)
    assert to_p3["distance_move_km"] > 50


def test_competency_shortfall_sums_levels_below_the_standard():
    features = one_pair(world(), ANI, "P2")  # integritas 4 >= 3; teknis unassessed (1) < 4
    assert features["competency_shortfall"] == 3.0
    assert features["competency_gap_count"] == 1.0


def test_grade_step_and_sector_change_compare_target_with_the_current_post():
    features = one_pair(world(), ANI, "P2")  # P1 grade 7 kesehatan -> P2 grade 11 pendidikan
    assert features["grade_step"] == 4.0
    assert features["sector_change"] == 1.0


def test_education_field_match_is_plus_one_accepted_minus_one_not_zero_when_none_listed():
    assert one_pair(world(), BUDI, "P2")["education_field_match"] == 1.0  # "Matematika"
    assert one_pair(world(), ANI, "P2")["education_field_match"] == -1.0
    assert one_pair(world(), ANI, "P3")["education_field_match"] == 0.0  # P3 lists none


def test_preference_match_is_inverse_priority_of_the_best_matched_wish():
    assert one_pair(world(), ANI, "P2")["preference_match"] == 0.5  # region 1375, 2nd choice
    assert np.isnan(one_pair(world(), BUDI, "P1")["preference_match"])  # stated nothing


def test_unrequested_sector_flags_a_target_outside_the_sectors_asked_for():
    assert one_pair(world(), ANI, "P2")["unrequested_sector"] == 1.0  # asked for kesehatan
    assert one_pair(world(), ANI, "P1")["unrequested_sector"] == 0.0
    assert np.isnan(one_pair(world(), BUDI, "P1")["unrequested_sector"])


def test_current_pair_features_keeps_order_and_gives_nan_rows_for_unknowns():
    ctx = FeatureContext.build(world(), AS_OF)
    nips = np.array([BUDI, "000000000000000000", ANI])
    features = current_pair_features(ctx, nips, np.array(["P1", "P1", "NOPE"]))
    assert list(features.columns) == list(FEATURE_COLUMNS)
    # BUDI in health: 2016-2020 appraised, and since TMT CPNS 2010-01-01 before that
    assert features.iloc[0]["years_in_target_sector"] == pytest.approx(5.0 + 6.0, abs=0.01)
    assert features.iloc[1:].isna().all(axis=None)


def test_indexed_pair_features_equal_features_by_id_including_unknowns():
    ctx = FeatureContext.build(world(), AS_OF)
    nips = np.array([BUDI, "000000000000000000", ANI, CITRA])
    positions = np.array(["P1", "P1", "NOPE", "P3"])
    rows, codes = ctx.employee_index(nips), ctx.position_index(positions)
    by_id = current_pair_features(ctx, nips, positions)
    pd.testing.assert_frame_equal(indexed_pair_features(ctx, rows, codes), by_id)


def test_the_feature_matrix_holds_the_frame_values_in_the_asked_column_order():
    ctx = FeatureContext.build(world(), AS_OF)
    rng = np.random.default_rng(3)
    rows = rng.integers(-1, len(ctx.nips), 50)
    codes = rng.integers(-1, len(ctx.catalog.position_ids), 50)
    initiated = (rng.random(50) < 0.5).astype(float)
    columns = list(rng.permutation(FEATURE_COLUMNS))
    matrix = indexed_feature_matrix(
        ctx, rows, codes, columns=columns, initiated_by_employee=initiated
    )
    frame = indexed_pair_features(ctx, rows, codes, initiated_by_employee=initiated)
    assert matrix.dtype == np.float64 and matrix.flags.c_contiguous
    np.testing.assert_array_equal(matrix, frame[columns].to_numpy(dtype=np.float64))


def test_the_feature_matrix_names_columns_the_code_does_not_build():
    ctx = FeatureContext.build(world(), AS_OF)
    with pytest.raises(ValueError, match="no_such_feature"):
        indexed_feature_matrix(ctx, np.array([0]), np.array([0]), columns=["no_such_feature"])


def test_a_context_of_some_employees_gives_their_features_at_their_new_rows():
    ctx = FeatureContext.build(world(), AS_OF)
    kept = ctx.employee_index(np.array([CITRA, BUDI]))
    some = ctx.take_employees(kept)
    positions = np.array(["P1", "P3", "P1", "P2"])
    rows = np.array([0, 1, 1, 0])
    assert list(some.nips) == [CITRA, BUDI] and len(some.state.age_years) == 2
    pd.testing.assert_frame_equal(
        indexed_pair_features(some, rows, some.position_index(positions)),
        indexed_pair_features(ctx, kept[rows], ctx.position_index(positions)),
    )


def test_serving_and_point_in_time_paths_give_identical_features():
    data = world()
    nips = np.array([ANI, BUDI, CITRA, ANI, BUDI])
    positions = np.array(["P2", "P1", "P1", "P3", "P3"])
    served = current_pair_features(FeatureContext.build(data, AS_OF), nips, positions)
    pairs = pd.DataFrame({"nip": nips, "position_id": positions, "as_of": "2025-07-01"})
    pd.testing.assert_frame_equal(served, pair_features_at(data, pairs))


def test_transfer_examples_match_pair_features_at_the_decree_date():
    data = world()
    transfers = data.transfers
    pairs = transfers.rename(columns={"to_position_id": "position_id", "decree_date": "as_of"})
    expected = pair_features_at(data, pairs)
    pd.testing.assert_frame_equal(transfer_examples(data)[list(FEATURE_COLUMNS)], expected)


def test_features_do_not_mutate_the_input_frames():
    data = world()
    copies = {name: frame.copy() for name, frame in data.frames().items()}
    transfer_examples(data)
    FeatureContext.build(data, AS_OF)
    for name, frame in data.frames().items():
        pd.testing.assert_frame_equal(frame, copies[name])


def test_trainings_close_the_competency_gap_and_count_as_recent():
    ctx = FeatureContext.build(world(), AS_OF)
    rows = trained_pair_features(ctx, ANI, "P2", [[], ["TR1"]])
    assert rows.loc[1, "competency_shortfall"] == rows.loc[0, "competency_shortfall"] - 1
    assert rows.loc[1, "recent_relevant_trainings"] == rows.loc[0, "recent_relevant_trainings"] + 1


def integritas_level(ctx: FeatureContext, nip: str) -> float:
    column = ctx.catalog.competencies.get_loc("integritas")
    return float(ctx.state.competency_level[ctx.employee_index([nip])[0], column])


def test_with_trainings_agrees_with_trained_pair_features():
    ctx = FeatureContext.build(world(), AS_OF)
    trained = ctx.with_trainings(ANI, ["TR1", "TR1"])
    via_context = current_pair_features(trained, np.array([ANI]), np.array(["P2"]))
    via_scenario = trained_pair_features(ctx, ANI, "P2", [["TR1", "TR1"]])
    pd.testing.assert_frame_equal(via_context, via_scenario)
    assert via_context.loc[0, "competency_shortfall"] == 1.0  # teknis 1 + 2 gains = 3 of 4


def test_as_if_trained_equals_the_same_trainings_recorded_just_before_as_of():
    done = [dict(nip=ANI, training_id=t, completed_on="2025-06-30") for t in ("TR1", "TR1", "TR2")]
    recorded = FeatureContext.build(
        world(training_history=with_rows(Table.TRAINING_HISTORY, *done)), AS_OF
    )
    scenario = FeatureContext.build(world(), AS_OF).with_trainings(ANI, ["TR1", "TR1", "TR2"])
    nips, positions = np.array([ANI] * 3), np.array(["P1", "P2", "P3"])
    pd.testing.assert_frame_equal(
        current_pair_features(scenario, nips, positions),
        current_pair_features(recorded, nips, positions),
    )


def test_trained_levels_are_capped_at_five_and_the_original_context_is_untouched():
    ctx = FeatureContext.build(world(), date(2023, 1, 1))  # integritas 4, TR2 not yet done
    trained = ctx.with_trainings(ANI, ["TR2", "TR2"])
    assert integritas_level(trained, ANI) == 5.0
    assert integritas_level(ctx, ANI) == 4.0


def test_a_training_completed_since_the_latest_assessment_raises_the_level():
    before = FeatureContext.build(world(), date(2023, 12, 31))
    after = FeatureContext.build(world(), date(2024, 1, 2))  # TR2 (+2) done 2024-01-01
    assert integritas_level(before, ANI) == 4.0
    assert integritas_level(after, ANI) == 5.0


def test_unknown_training_or_employee_is_a_user_error():
    ctx = FeatureContext.build(world(), AS_OF)
    with pytest.raises(UnknownTrainingError, match="TRX"):
        ctx.with_trainings(ANI, ["TRX"])
    with pytest.raises(UnknownEmployeeError, match=EKO):
        trained_pair_features(ctx, EKO, "P1", [[]])


def test_every_feature_has_a_reason_text():
    assert set(FEATURE_TEXT) == set(FEATURE_COLUMNS)


def test_describe_feature_reads_in_indonesian_with_english_alongside():
    text = describe_feature("years_in_target_sector", 12.0, sector="kesehatan")
    assert text == "12 tahun pengalaman di sektor kesehatan / 12 years in the health sector"
    assert describe_feature("grade_step", -2.0) == "turun 2 kelas jabatan / 2 grades down"
    assert describe_feature("talent_box", float("nan")).endswith("talent box unknown")


def test_features_work_when_the_optional_tables_are_absent():
    required = (Table.UNITS, Table.POSITIONS, Table.EMPLOYEES, Table.PERFORMANCE, Table.TRANSFERS)
    data = AgencyData.from_frames({name: base_frames()[name] for name in required})
    features = one_pair(data, ANI, "P2")
    assert np.isnan(features["competency_shortfall"])
    assert np.isnan(features["preference_match"])
    assert features["years_in_target_sector"] == 0.0
    assert len(transfer_examples(data)) == 3


def test_pairs_with_a_bad_date_are_rejected_naming_row_and_column():
    pairs = pd.DataFrame(
        {"nip": [ANI, BUDI], "position_id": ["P2", "P1"], "as_of": ["2025-07-01", "kemarin"]}
    )
    with pytest.raises(PairInputError, match="row 2, column as_of"):
        pair_features_at(world(), pairs)
    with pytest.raises(PairInputError, match="as_of"):
        pair_features_at(world(), pairs.drop(columns="as_of"))


def test_moves_are_agency_initiated_unless_the_employee_asked():
    ctx = FeatureContext.build(world(), AS_OF)
    nips, positions = np.array([ANI, BUDI]), np.array(["P2", "P1"])
    assert list(current_pair_features(ctx, nips, positions)["initiated_by_employee"]) == [0, 0]
    asked = current_pair_features(ctx, nips, positions, initiated_by_employee=np.array([1.0, 0.0]))
    assert list(asked["initiated_by_employee"]) == [1.0, 0.0]


def test_tenure_runs_from_position_start_or_the_last_effective_move():
    assert one_pair(world(), BUDI, "P1", "2022-04-01")["tenure_years"] == pytest.approx(
        1.0, abs=0.01
    )
    left_service = one_pair(world(), EKO, "P3", "2020-06-01")  # moved into P1 on 2019-06-01
    assert left_service["tenure_years"] == pytest.approx(1.0, abs=0.01)


def test_the_post_held_at_a_past_date_comes_from_transfer_history():
    features = one_pair(world(), EKO, "P1", "2018-06-01")  # in P2 (grade 11) since 2014
    assert features["grade_step"] == -4.0
    assert features["sector_change"] == 1.0


def test_every_feature_frame_satisfies_the_feature_schema():
    data = world()
    ctx = FeatureContext.build(data, AS_OF)
    nips = np.repeat(data.employees["nip"].to_numpy(dtype=object), 3)
    positions = np.tile(np.array(["P1", "P2", "P3"], dtype=object), len(data.employees))
    FEATURE_SCHEMA.validate(current_pair_features(ctx, nips, positions))
    FEATURE_SCHEMA.validate(transfer_examples(data))


def test_the_feature_schema_rejects_out_of_range_values():
    ctx = FeatureContext.build(world(), AS_OF)
    frame = current_pair_features(ctx, np.array([ANI]), np.array(["P2"]))
    with pytest.raises(pandera.errors.SchemaError, match="preference_match"):
        FEATURE_SCHEMA.validate(frame.assign(preference_match=2.0))


def test_a_built_context_cannot_be_changed_in_place():
    ctx = FeatureContext.build(world(), AS_OF)
    with pytest.raises(ValueError, match="read-only"):
        ctx.state.competency_level[0, 0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        ctx.catalog.pos_grade[0] = 1.0


def test_nips_and_positions_of_different_lengths_are_rejected():
    ctx = FeatureContext.build(world(), AS_OF)
    with pytest.raises(PairInputError, match="2 NIPs but 1 positions"):
        current_pair_features(ctx, np.array([ANI, BUDI]), np.array(["P1"]))


def test_gender_is_never_a_feature_and_age_only_as_years_to_retirement():
    assert "gender" not in FEATURE_COLUMNS and "age" not in FEATURE_COLUMNS
    frames = base_frames()
    flipped = frames[Table.EMPLOYEES].assign(
        gender=frames[Table.EMPLOYEES]["gender"].map({"L": "P", "P": "L"})
    )
    before, after = one_pair(world(), ANI, "P2"), one_pair(world(employees=flipped), ANI, "P2")
    assert changed_columns(before, after) == set()
