"""The demo agency: realistic, deterministic, within the contract, with consistent ground truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from models.contract.enums import GOLONGAN_ORDINAL, SECTORS, Table
from models.contract.errors import MutasiError
from models.features.geo import haversine_km
from pipelines.ingest import validate_folder
from simulator import DEFAULT_AS_OF, generate_agency
from simulator.outcomes import expected_post_move_rating, resistance_probability
from simulator.people import ENTRY_RANK, rank_ordinal

EMPLOYEES = 300
AS_OF = pd.Timestamp(DEFAULT_AS_OF)


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "agency"
    generate_agency(out, employees=EMPLOYEES, seed=11)
    return out


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate_agency(tmp_path / name, employees=120, seed=5, years=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert files
    for relative in files:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_demo_differs_between_seeds(tmp_path: Path) -> None:
    generate_agency(tmp_path / "a", employees=120, seed=5, years=3)
    generate_agency(tmp_path / "b", employees=120, seed=6, years=3)
    assert (tmp_path / "a" / "employees.csv").read_bytes() != (
        tmp_path / "b" / "employees.csv"
    ).read_bytes()


def test_generated_folder_passes_the_contract(world_dir: Path) -> None:
    result, _ = validate_folder(world_dir, today=DEFAULT_AS_OF)
    assert [str(p) for p in result.problems] == []
    assert result.ok


def test_parquet_output_passes_the_contract(tmp_path: Path) -> None:
    generate_agency(tmp_path, employees=120, seed=2, years=3, file_format="parquet")
    result, _ = validate_folder(tmp_path, today=DEFAULT_AS_OF)
    assert [str(p) for p in result.problems] == []


def test_employee_count_is_exactly_as_asked(world_dir: Path) -> None:
    assert len(read(world_dir, "employees")) == EMPLOYEES


def test_nip_encodes_birth_date_service_start_and_gender(world_dir: Path) -> None:
    employees = read(world_dir, "employees")
    nip = employees["nip"]
    assert nip.is_unique
    assert (nip.str.len() == 18).all()
    assert (nip.str[:8] == employees["birth_date"].str.replace("-", "")).all()
    assert (nip.str[8:14] == employees["service_start"].str[:7].str.replace("-", "")).all()
    assert (nip.str[14] == employees["gender"].map({"L": "1", "P": "2"})).all()


def test_golongan_follows_entry_rank_by_education_and_service(world_dir: Path) -> None:
    employees = read(world_dir, "employees")
    pns = employees[employees["employment_type"] == "pns"]
    service = (AS_OF - pd.to_datetime(pns["service_start"])).dt.days.to_numpy() / 365.25
    expected = rank_ordinal(pns["education_level"].to_numpy(), service)
    assert (pns["rank"].map(GOLONGAN_ORDINAL).to_numpy() == expected).all()
    new = pns[service < 4]
    assert (new["rank"] == new["education_level"].map(ENTRY_RANK)).all()


def test_pppk_have_no_rank(world_dir: Path) -> None:
    employees = read(world_dir, "employees")
    assert (employees.loc[employees["employment_type"] == "pppk", "rank"] == "").all()


def _bup(posts: pd.DataFrame) -> np.ndarray:
    """Retirement age by post: 58; 60 for JPT and ahli madya; 65 for ahli utama."""
    bup = np.where(posts["title"].str.contains("Ahli Madya"), 60, 58)
    bup = np.where(posts["job_type"] == "jpt", 60, bup)
    return np.where(posts["title"].str.contains("Ahli Utama"), 65, bup)


def test_nobody_is_in_service_past_retirement_age(world_dir: Path) -> None:
    employees = read(world_dir, "employees").merge(read(world_dir, "positions"), on="position_id")
    age = (AS_OF - pd.to_datetime(employees["birth_date"])).dt.days / 365.25
    assert (age < _bup(employees) + 1 / 12).all()


def test_ratings_are_mostly_baik(world_dir: Path) -> None:
    share = read(world_dir, "performance")["rating"].value_counts(normalize=True)
    assert share["baik"] > 0.6
    assert 0.05 < share["sangat_baik"] < 0.3
    assert share.drop(["baik", "sangat_baik"]).sum() < 0.2


def test_workload_analysis_leaves_some_posts_short_and_some_over_staffed(world_dir: Path) -> None:
    positions = read(world_dir, "positions")
    staffed = read(world_dir, "employees")["position_id"].value_counts()
    gap = positions["required_headcount"].astype(int) - positions["position_id"].map(
        staffed
    ).fillna(0)
    assert (gap > 0).any()
    assert (gap < 0).any()


def test_resistance_rate_is_in_a_plausible_range(world_dir: Path) -> None:
    resisted = (read(world_dir, "transfers")["resistance"] != "none").mean()
    assert 0.1 < resisted < 0.3


def test_most_older_transfers_have_a_post_move_label(world_dir: Path) -> None:
    transfers = read(world_dir, "transfers")
    performance = read(world_dir, "performance")
    old = transfers[(transfers["effective_date"] != "") & (transfers["decree_date"] < "2024-01-01")]
    joined = old.merge(
        performance, left_on=["nip", "to_position_id"], right_on=["nip", "position_id"]
    )
    labelled = joined[joined["year"].astype(int) > joined["effective_date"].str[:4].astype(int)]
    assert labelled["transfer_id"].nunique() / len(old) > 0.7


def test_refused_transfers_never_took_effect(world_dir: Path) -> None:
    transfers = read(world_dir, "transfers")
    refused = transfers["resistance"] == "refusal"
    assert refused.any()
    assert (transfers.loc[refused, "effective_date"] == "").all()
    assert (transfers.loc[~refused, "effective_date"] != "").all()


def test_resigned_people_have_left_service(world_dir: Path) -> None:
    transfers = read(world_dir, "transfers")
    resigned = transfers.loc[transfers["resistance"] == "resignation", "nip"]
    assert not resigned.isin(read(world_dir, "employees")["nip"]).any()


def test_no_date_is_after_the_export_date(world_dir: Path) -> None:
    columns = {
        "employees": ["birth_date", "service_start", "position_start"],
        "transfers": ["decree_date", "effective_date"],
        "competencies": ["assessed_on"],
        "training_history": ["completed_on"],
    }
    for table, names in columns.items():
        frame = read(world_dir, table)
        for name in names:
            assert (frame[name].replace("", None).dropna() <= DEFAULT_AS_OF.isoformat()).all()
    assert read(world_dir, "performance")["year"].astype(int).max() < DEFAULT_AS_OF.year


def test_hr_history_is_biased_towards_same_sector_lateral_moves(world_dir: Path) -> None:
    positions = read(world_dir, "positions").merge(read(world_dir, "units"), on="unit_id")
    sector = positions.set_index("position_id")["sector"]
    grade = positions.set_index("position_id")["grade"].astype(int)
    transfers = read(world_dir, "transfers")
    same = transfers["from_position_id"].map(sector) == transfers["to_position_id"].map(sector)
    step = transfers["to_position_id"].map(grade) - transfers["from_position_id"].map(grade)
    assert same.mean() > 0.8
    assert (step.abs() <= 1).mean() > 0.7


def test_units_carry_real_jawa_timur_region_codes(world_dir: Path) -> None:
    units = read(world_dir, "units")
    codes = units["region_code"].astype(int)
    assert codes.between(3501, 3579).all()
    assert set(units["sector"]) == set(SECTORS)


def test_ground_truth_files_agree_with_the_tables(world_dir: Path) -> None:
    truth = world_dir / "_truth"
    transfers_truth = pd.read_csv(truth / "transfers_truth.csv", dtype={"transfer_id": str})
    assert set(transfers_truth["transfer_id"]) == set(read(world_dir, "transfers")["transfer_id"])
    assert transfers_truth["expected_post_move_rating"].between(1, 5).all()
    assert transfers_truth["resistance_probability"].between(0, 1).all()
    trainings = pd.read_csv(truth / "trainings_truth.csv")
    assert set(trainings["training_id"]) == set(read(world_dir, "trainings")["training_id"])
    summary = json.loads((truth / "truth.json").read_text(encoding="utf-8"))
    assert summary["mechanisms"]["resistance_probability"]["coefficients"]


def test_evaluation_pools_mix_typical_and_rare_candidates(world_dir: Path) -> None:
    pools = pd.read_csv(world_dir / "_truth" / "eval_pools.csv", dtype=str)
    assert pools["pool_id"].nunique() == 100
    assert pools.groupby("pool_id").size().median() >= 45
    assert pools["nip"].isin(read(world_dir, "employees")["nip"]).all()
    assert pools["position_id"].isin(read(world_dir, "positions")["position_id"]).all()
    assert set(pools["group"]) == {"hr_typical", "other_sector", "far_from_home", "grade_step"}
    assert (pools["as_of"] == DEFAULT_AS_OF.isoformat()).all()


def test_effective_trainings_deliver_more_than_weak_ones(world_dir: Path) -> None:
    trainings = pd.read_csv(world_dir / "_truth" / "trainings_truth.csv")
    effective = trainings[trainings["effective"]]
    weak = trainings[~trainings["effective"]]
    assert effective["effect"].min() > weak["effect"].max()


def _pairs(**changes: list[float]) -> pd.DataFrame:
    base = {
        "ability": 0.0,
        "years_in_target_sector": 3.0,
        "competency_shortfall": 1.0,
        "education_field_match": 0.0,
        "below_min_education": 0.0,
        "grade_step": 0.0,
        "talent_box": 5.0,
        "distance_home_km": 10.0,
        "distance_move_km": 10.0,
        "married": 1.0,
        "children": 2.0,
        "preference_matched": 0.0,
        "unrequested_sector": 0.0,
        "sector_change": 0.0,
        "years_to_retirement": 15.0,
        "employee_initiated": 0.0,
        "past_resistance": 0.0,
    }
    size = len(next(iter(changes.values())))
    return pd.DataFrame({k: changes.get(k, [v] * size) for k, v in base.items()})


def test_farther_from_home_raises_resistance_probability() -> None:
    risk = resistance_probability(_pairs(distance_home_km=[5.0, 50.0, 150.0, 350.0]))
    assert (np.diff(risk) > 0).all()


def test_more_sector_experience_raises_expected_rating() -> None:
    rating = expected_post_move_rating(_pairs(years_in_target_sector=[0.0, 2.0, 5.0, 12.0]))
    assert (np.diff(rating) > 0).all()


def test_competency_shortfall_lowers_expected_rating() -> None:
    rating = expected_post_move_rating(_pairs(competency_shortfall=[0.0, 2.0, 5.0]))
    assert (np.diff(rating) < 0).all()


def test_employee_initiated_and_preferred_moves_meet_less_resistance() -> None:
    base = resistance_probability(_pairs(employee_initiated=[0.0]))[0]
    assert resistance_probability(_pairs(employee_initiated=[1.0]))[0] < base
    assert resistance_probability(_pairs(preference_matched=[1.0]))[0] < base


def test_family_amplifies_the_distance_effect_on_resistance() -> None:
    far = _pairs(distance_home_km=[10.0, 200.0, 10.0, 200.0], married=[0.0, 0.0, 1.0, 1.0])
    far = far.assign(children=[0.0, 0.0, 3.0, 3.0])
    risk = resistance_probability(far)
    assert risk[3] - risk[2] > risk[1] - risk[0]


def test_too_few_employees_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(MutasiError, match="employees must be"):
        generate_agency(tmp_path, employees=5, seed=1)
    assert not any(tmp_path.iterdir())


def test_cli_demo_data_writes_the_agency(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "demo-data",
            str(tmp_path / "out"),
            "--employees",
            "120",
            "--seed",
            "3",
            "--years",
            "3",
            "--as-of",
            "2025-12-31",
        ],
    )
    assert result.exit_code == 0, result.output
    employees = read(tmp_path / "out", Table.EMPLOYEES.value)
    assert len(employees) == 120
    assert (employees["position_start"] <= date(2025, 12, 31).isoformat()).all()


def _preference_flags(
    folder: Path, nips: np.ndarray, src: pd.DataFrame, dst: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """(preference_matched, unrequested_sector) of each move, from preferences.csv."""
    prefs = read(folder, "preferences")
    asked = set(zip(prefs["nip"], prefs["kind"], prefs["value"], strict=True))
    sector_askers = set(prefs.loc[prefs["kind"] == "sector", "nip"])
    targets = zip(
        nips, dst["unit_id"], dst["sector"], dst["region_code"], src["sector"], strict=True
    )
    matched, unrequested = [], []
    for nip, unit, sector, region, from_sector in targets:
        matched.append(
            {(nip, "unit", unit), (nip, "sector", sector), (nip, "region", region)} & asked != set()
        )
        unrequested.append(
            nip in sector_askers and (nip, "sector", sector) not in asked and sector != from_sector
        )
    return np.array(matched, dtype=float), np.array(unrequested, dtype=float)


def _resistance_inputs_from_tables(folder: Path) -> pd.DataFrame:
    """Rebuild the resistance mechanism's inputs from the exported tables alone."""
    units = read(folder, "units").astype({"lat": float, "lon": float})
    posts = read(folder, "positions").merge(units, on="unit_id", suffixes=("", "_unit"))
    posts = posts.set_index("position_id")
    employees = read(folder, "employees").set_index("nip")
    transfers = read(folder, "transfers").sort_values("decree_date", kind="stable")
    resisted = (transfers["resistance"] != "none").astype(int)
    t = transfers.assign(past_resistance=resisted.groupby(transfers["nip"]).cumsum() - resisted)
    t = t[t["nip"].isin(employees.index)]
    person = employees.loc[t["nip"]]
    src, dst = posts.loc[t["from_position_id"]], posts.loc[t["to_position_id"]]
    birth_month = pd.to_datetime(person["birth_date"]).dt.to_period("M")
    retire = (birth_month + _bup(src) * 12 + 1).dt.to_timestamp().to_numpy()
    matched, unrequested = _preference_flags(folder, t["nip"].to_numpy(), src, dst)
    lat, lon = dst["lat"].to_numpy(), dst["lon"].to_numpy()
    return pd.DataFrame(
        {
            "transfer_id": t["transfer_id"].to_numpy(),
            "distance_home_km": haversine_km(
                person["home_lat"].astype(float).to_numpy(),
                person["home_lon"].astype(float).to_numpy(),
                lat,
                lon,
            ),
            "distance_move_km": haversine_km(
                src["lat"].to_numpy(), src["lon"].to_numpy(), lat, lon
            ),
            "married": (person["marital_status"] == "married").to_numpy(dtype=float),
            "children": person["children"].astype(float).to_numpy(),
            "preference_matched": matched,
            "unrequested_sector": unrequested,
            "sector_change": (dst["sector"].to_numpy() != src["sector"].to_numpy()).astype(float),
            "years_to_retirement": (retire - pd.to_datetime(t["decree_date"]).to_numpy())
            / np.timedelta64(1, "D")
            / 365.25,
            "grade_step": dst["grade"].astype(int).to_numpy() - src["grade"].astype(int).to_numpy(),
            "employee_initiated": (t["initiated_by"] == "employee").to_numpy(dtype=float),
            "past_resistance": t["past_resistance"].to_numpy(dtype=float),
        }
    )


def test_true_resistance_probability_is_computable_from_the_exported_tables(
    world_dir: Path,
) -> None:
    inputs = _resistance_inputs_from_tables(world_dir)
    truth = pd.read_csv(world_dir / "_truth" / "transfers_truth.csv", dtype={"transfer_id": str})
    expected = inputs[["transfer_id"]].merge(truth, on="transfer_id")["resistance_probability"]
    assert len(inputs) > 50
    assert resistance_probability(inputs) == pytest.approx(expected.to_numpy(), abs=1e-3)


@pytest.mark.slow
def test_outcomes_follow_the_ground_truth_in_a_mid_sized_world(tmp_path: Path) -> None:
    from sklearn.metrics import roc_auc_score

    generate_agency(tmp_path, employees=3000, seed=7)
    transfers = read(tmp_path, "transfers")
    truth = pd.read_csv(tmp_path / "_truth" / "transfers_truth.csv", dtype={"transfer_id": str})
    both = transfers.merge(truth, on="transfer_id")
    bayes_auc = roc_auc_score(both["resistance"] != "none", both["resistance_probability"])
    moved = both[both["effective_date"] != ""]
    labels = moved.merge(
        read(tmp_path, "performance"),
        left_on=["nip", "to_position_id"],
        right_on=["nip", "position_id"],
    )
    labels = labels[labels["year"].astype(int) > labels["effective_date"].str[:4].astype(int)]
    first = labels.sort_values("year").groupby("transfer_id").first()
    value = first["rating"].map(
        {"sangat_kurang": 1, "kurang": 2, "butuh_perbaikan": 3, "baik": 4, "sangat_baik": 5}
    )
    assert bayes_auc > 0.75
    assert np.corrcoef(value, first["expected_post_move_rating"])[0, 1] > 0.6
