"""Words for ids the API returns as ids: unit names, position titles, training names."""

from __future__ import annotations

from serving.state import LoadedState


def unit_names(state: LoadedState) -> dict[str, str]:
    units = state.lookups.positions.drop_duplicates("unit_id")
    return dict(zip(units["unit_id"].astype(str), units["unit_name"].astype(str), strict=True))


def position_titles(state: LoadedState) -> dict[str, str]:
    positions = state.lookups.positions
    return dict(zip(positions.index.astype(str), positions["title"].astype(str), strict=True))


def training_names(state: LoadedState) -> dict[str, str]:
    catalogue = state.planner.catalogue
    return dict(
        zip(catalogue["training_id"].astype(str), catalogue["name"].astype(str), strict=True)
    )


# The fairness audit's attributes and the risk bands in words (Indonesian / English).
FAIRNESS_ATTRIBUTES: dict[str, str] = {
    "gender": "jenis kelamin / gender",
    "age_band": "kelompok usia / age band",
}
# The consultation's top-choice report groups by these (models/planning/preferences.py).
CHOICE_ATTRIBUTES: dict[str, str] = {
    "all": "semua responden / all respondents",
    "unit_id": "unit asal / current unit",
    **FAIRNESS_ATTRIBUTES,
}
BAND_WORDS: dict[str, str] = {
    "rendah": "rendah / low",
    "sedang": "sedang / medium",
    "tinggi": "tinggi / high",
}
