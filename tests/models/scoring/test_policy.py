"""Eligibility rules: each failed rule yields its stable reason code."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pydantic
import pytest

from models.contract.enums import Table
from models.features.build import FeatureContext
from models.scoring.policy import (
    REASON_TEXT,
    PolicyConfig,
    ReasonCode,
    check_eligibility,
    indexed_eligibility,
)
from tests.fixtures.agency import ANI, BUDI, CITRA, DEDI, base_frames, world

AS_OF = date(2025, 7, 1)

# The tiny world's posts differ by several grades and tiers; tests of the other rules switch
# the rules of the move itself off, so that each test sees only its own rule.
MOVE_RULES_OFF = PolicyConfig(
    enforce_accepted_majors=False, allow_promotion=True, max_grade_step_down=17
)


def relaxed(**changes: object) -> PolicyConfig:
    return PolicyConfig.model_validate({**MOVE_RULES_OFF.model_dump(), **changes})


def reasons(
    nip: str,
    position_id: str,
    *,
    config: PolicyConfig | None = None,
    data=None,
    decree_date: date | None = None,
) -> set[str]:
    ctx = FeatureContext.build(data if data is not None else world(), AS_OF)
    result = check_eligibility(
        ctx,
        np.array([nip]),
        np.array([position_id]),
        config=config or MOVE_RULES_OFF,
        decree_date=decree_date,
    )
    text = result.loc[0, "ineligible_reasons"]
    assert result.loc[0, "eligible"] == (text == "")
    return set(text.split(";")) - {""}


def employees_with(nip: str, **changes: object) -> pd.DataFrame:
    frame = base_frames()[Table.EMPLOYEES]
    for column, value in changes.items():
        frame = frame.assign(**{column: frame[column].where(frame["nip"] != nip, value)})
    return frame


def test_an_eligible_pair_has_no_reasons():
    assert reasons(BUDI, "P1") == set()  # 4 years in P2, III/c >= II/a, S2 >= SMA


def test_short_tenure_is_tenure_too_short_and_the_limit_is_configurable():
    recent = world(employees=employees_with(BUDI, position_start=pd.Timestamp("2024-07-01")))
    assert reasons(BUDI, "P1", data=recent) == {ReasonCode.TENURE_TOO_SHORT}
    six_months = relaxed(min_years_in_position=0.5)
    assert reasons(BUDI, "P1", data=recent, config=six_months) == set()


def test_tenure_is_counted_at_the_decree_date():
    recent = world(employees=employees_with(BUDI, position_start=pd.Timestamp("2024-07-01")))
    assert reasons(BUDI, "P1", data=recent, decree_date=date(2026, 8, 1)) == set()


def test_on_hold_employee_is_on_hold():
    held = world(employees=employees_with(BUDI, on_hold="tugas belajar"))
    assert reasons(BUDI, "P1", data=held) == {ReasonCode.ON_HOLD}


def test_rank_below_the_position_minimum_is_rank_below_minimum():
    assert reasons(BUDI, "P3") == {ReasonCode.RANK_BELOW_MINIMUM}  # III/c < III/d


def test_education_below_the_position_minimum_is_education_below_minimum():
    sma = world(employees=employees_with(BUDI, education_level="SMA", rank="IV/a"))
    assert reasons(BUDI, "P3", data=sma) == {ReasonCode.EDUCATION_BELOW_MINIMUM}


def test_within_twelve_months_of_retirement_age_is_near_retirement():
    # born 1967-09-01 (age comes from the NIP): 57.8 at the decree; BUP 58 for pelaksana P1
    old_nip = "19670901" + BUDI[8:]
    employees = employees_with(BUDI, birth_date=pd.Timestamp("1967-09-01"))
    old = world(employees=employees.assign(nip=employees["nip"].replace(BUDI, old_nip)))
    assert reasons(old_nip, "P1", data=old) == {ReasonCode.NEAR_RETIREMENT}
    assert reasons(old_nip, "P1", data=old, config=relaxed(retirement_buffer_months=0)) == (set())


def test_pppk_is_not_transferable_unless_allowed():
    assert reasons(CITRA, "P1") == {ReasonCode.PPPK_NOT_TRANSFERABLE}
    assert reasons(CITRA, "P1", config=relaxed(allow_pppk_transfer=True)) == set()


def test_a_decree_in_a_freeze_window_is_freeze_window():
    pilkada = relaxed(freeze_windows=[(date(2025, 6, 1), date(2025, 12, 31))])
    assert reasons(BUDI, "P1", config=pilkada) == {ReasonCode.FREEZE_WINDOW}
    assert reasons(BUDI, "P1", config=pilkada, decree_date=date(2026, 1, 2)) == set()


def test_the_current_position_and_unknown_ids_have_their_codes():
    assert reasons(BUDI, "P2") == {ReasonCode.ALREADY_IN_POSITION}
    assert reasons("000000000000000000", "P1") == {ReasonCode.UNKNOWN_EMPLOYEE}
    assert reasons(BUDI, "NOPE") == {ReasonCode.UNKNOWN_POSITION}


def test_several_failures_are_joined_in_reason_code_order():
    ctx = FeatureContext.build(world(), AS_OF)
    result = check_eligibility(
        ctx, np.array([DEDI, ANI]), np.array(["P1", "P3"]), config=MOVE_RULES_OFF
    )
    assert list(result["ineligible_reasons"]) == [
        "on_hold;tenure_too_short;near_retirement",
        "rank_below_minimum",
    ]
    assert not result["eligible"].any()


def test_policy_config_rejects_unknown_fields_and_reversed_windows():
    with pytest.raises(pydantic.ValidationError):
        PolicyConfig(min_years=1)  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        PolicyConfig(freeze_windows=[(date(2025, 2, 1), date(2025, 1, 1))])


def test_every_reason_code_has_indonesian_and_english_text():
    assert set(REASON_TEXT) == set(ReasonCode)
    assert all(" / " in text for text in REASON_TEXT.values())


def test_indexed_eligibility_equals_eligibility_by_id():
    ctx = FeatureContext.build(world(), AS_OF)
    nips = np.array([DEDI, ANI, BUDI, "000000000000000000", BUDI, CITRA])
    positions = np.array(["P1", "P3", "P1", "P1", "NOPE", "P2"])
    by_id = check_eligibility(ctx, nips, positions, config=PolicyConfig())
    eligible, texts = indexed_eligibility(
        ctx, ctx.employee_index(nips), ctx.position_index(positions), config=PolicyConfig()
    )
    assert eligible.tolist() == by_id["eligible"].tolist()
    assert texts.tolist() == by_id["ineligible_reasons"].tolist()


def positions_with(position_id: str, **changes: object) -> pd.DataFrame:
    frame = base_frames()[Table.POSITIONS]
    for column, value in changes.items():
        frame = frame.assign(
            **{column: frame[column].where(frame["position_id"] != position_id, value)}
        )
    return frame


LATERAL = PolicyConfig(max_grade_step_up=20, max_grade_step_down=20, allow_promotion=True)


def test_a_major_the_position_does_not_accept_is_major_not_accepted():
    # P2 accepts "pendidikan;Matematika"; ANI studied kesehatan masyarakat
    assert ReasonCode.MAJOR_NOT_ACCEPTED in reasons(ANI, "P2", config=LATERAL)
    majors_off = LATERAL.model_copy(update={"enforce_accepted_majors": False})
    assert ReasonCode.MAJOR_NOT_ACCEPTED not in reasons(ANI, "P2", config=majors_off)


@pytest.mark.parametrize(
    "spelling",
    ["matematika", "  MATEMATIKA ", "S1 Matematika", "s1-matematika", "Sarjana Matematika"],
)
def test_majors_match_whatever_the_case_spacing_or_degree_prefix(spelling):
    data = world(
        employees=employees_with(ANI, education_field=spelling),
        positions=positions_with("P2", min_rank="III/a"),
    )
    assert ReasonCode.MAJOR_NOT_ACCEPTED not in reasons(ANI, "P2", data=data, config=LATERAL)


def test_older_and_misspelt_names_of_a_major_are_the_same_major():
    data = world(
        employees=employees_with(ANI, education_field="Ilmu Administrasi Negara"),
        positions=positions_with("P2", education_fields="Administrasi Publik;akutansi"),
    )
    assert ReasonCode.MAJOR_NOT_ACCEPTED not in reasons(ANI, "P2", data=data, config=LATERAL)


def test_an_unknown_major_fails_a_position_that_lists_majors():
    data = world(employees=employees_with(ANI, education_field=None))
    assert ReasonCode.MAJOR_NOT_ACCEPTED in reasons(ANI, "P2", data=data, config=LATERAL)
    assert ReasonCode.MAJOR_NOT_ACCEPTED not in reasons(ANI, "P3", data=data, config=LATERAL)


def test_more_than_one_grade_up_is_a_promotion_needing_selection():
    # ANI: P1 (grade 7) -> P2 (grade 11) is four grades up
    assert ReasonCode.PROMOTION_NEEDS_SELECTION in reasons(ANI, "P2", config=PolicyConfig())
    four_up = PolicyConfig(max_grade_step_up=4)
    assert ReasonCode.PROMOTION_NEEDS_SELECTION not in reasons(ANI, "P2", config=four_up)
    allowed = PolicyConfig(allow_promotion=True)
    assert ReasonCode.PROMOTION_NEEDS_SELECTION not in reasons(ANI, "P2", config=allowed)


def test_a_lower_job_type_into_administrator_is_a_promotion_whatever_the_grade():
    # BUDI: fungsional grade 11 -> administrator P3 grade 9 (a lower grade, a higher tier)
    assert ReasonCode.PROMOTION_NEEDS_SELECTION in reasons(BUDI, "P3", config=PolicyConfig())
    same_tier = world(positions=positions_with("P3", job_type="fungsional"))
    config = PolicyConfig(max_grade_step_down=5)
    assert ReasonCode.PROMOTION_NEEDS_SELECTION not in reasons(
        BUDI, "P3", data=same_tier, config=config
    )


def test_more_than_one_grade_down_needs_a_reason():
    # BUDI: P2 (grade 11) -> P1 (grade 7)
    assert reasons(BUDI, "P1", config=PolicyConfig()) == {ReasonCode.STEP_DOWN_NEEDS_REASON}
    assert reasons(BUDI, "P1", config=PolicyConfig(max_grade_step_down=4)) == set()
