"""Demo-world variants: structurally different latent worlds behind `--variant NAME`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from simulator import VARIANTS, generate_agency
from simulator.outcomes import expected_post_move_rating, resistance_probability
from simulator.variants import UnknownVariantError, variant_named
from tests.simulator.test_demo import _pairs, read

EMPLOYEES = 300


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for name in ("strong_selection", "weak_selection"):
        folders[name] = tmp_path_factory.mktemp(name) / "agency"
        generate_agency(folders[name], employees=EMPLOYEES, seed=11, variant=name)
    return folders


def _same_sector_share(folder: Path) -> float:
    positions = read(folder, "positions").merge(read(folder, "units"), on="unit_id")
    sector = positions.set_index("position_id")["sector"]
    transfers = read(folder, "transfers")
    same = transfers["from_position_id"].map(sector) == transfers["to_position_id"].map(sector)
    return float(same.mean())


def test_there_are_at_least_three_variants_besides_the_default() -> None:
    assert len(set(VARIANTS) - {"default"}) >= 3


def test_unknown_variant_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownVariantError, match="interactions"):
        variant_named("nope")


def test_strong_selection_keeps_moves_in_sector_more_than_weak(worlds: dict[str, Path]) -> None:
    assert (
        _same_sector_share(worlds["strong_selection"])
        > _same_sector_share(worlds["weak_selection"]) + 0.2
    )


def test_truth_records_the_variant_and_its_coefficients(worlds: dict[str, Path]) -> None:
    truth = json.loads((worlds["weak_selection"] / "_truth" / "truth.json").read_text())
    assert truth["variant"]["name"] == "weak_selection"
    resistance = truth["mechanisms"]["resistance_probability"]["coefficients"]
    assert resistance["intercept"] == VARIANTS["weak_selection"].resistance["intercept"]


def test_interactions_variant_makes_experience_pay_off_only_for_able_people() -> None:
    variant = VARIANTS["interactions"]
    pairs = _pairs(years_in_target_sector=[0.0, 10.0, 0.0, 10.0], ability=[-1.5, -1.5, 1.5, 1.5])
    rating = expected_post_move_rating(pairs, variant=variant)
    assert rating[3] - rating[2] > 2 * (rating[1] - rating[0])


def test_weak_selection_variant_has_other_resistance_drivers() -> None:
    pairs = _pairs(sector_change=[0.0, 1.0])
    default_gap = resistance_probability(pairs) @ [-1, 1]
    assert resistance_probability(pairs, variant=VARIANTS["weak_selection"]) @ [-1, 1] > (
        default_gap
    )


def test_cli_demo_data_accepts_a_variant(tmp_path: Path) -> None:
    out = tmp_path / "agency"
    result = CliRunner().invoke(
        app, ["demo-data", str(out), "--employees", "150", "--years", "3", "--variant", "noisy_skp"]
    )
    assert result.exit_code == 0, result.output
    assert not pd.read_csv(out / "transfers.csv").empty
