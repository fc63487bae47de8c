from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from models.contract.enums import GOLONGAN_ORDINAL
from models.scoring.policy import ReasonCode
from serving.auth import Role
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]


def _shortlist(client: TestClient, headers: Headers, position_id: str, **params: Any) -> Any:
    response = client.get(
        f"/v1/positions/{position_id}/shortlist", params=params, headers=headers[Role.HR]
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_shortlist_returns_at_most_k_eligible_candidates(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    body = _shortlist(client, headers, vacant_position, k=5)
    assert 0 < len(body["candidates"]) <= 5 and all(c["eligible"] for c in body["candidates"])


def test_shortlist_is_ranked_by_fit_then_lower_risk(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    candidates = _shortlist(client, headers, vacant_position, k=20)["candidates"]
    fits = [c["fit"] for c in candidates]  # rounded to 2 decimals: ties of rounding may remain
    assert fits == sorted(fits, reverse=True)


def test_shortlist_is_the_best_of_every_eligible_pair(
    client: TestClient, headers: Headers, vacant_position: str, served_state: LoadedState
) -> None:
    from serving.ranking import score_frame

    nips = served_state.lookups.employees.index.to_numpy()
    scored = score_frame(served_state, nips, [vacant_position] * len(nips))
    best = scored[scored["eligible"]].sort_values("fit", ascending=False)["fit"].head(3)
    returned = [c["fit"] for c in _shortlist(client, headers, vacant_position, k=3)["candidates"]]
    assert returned == pytest.approx(best.round(2).tolist(), abs=1e-2)


def test_near_misses_score_as_their_pairs_do(
    client: TestClient, headers: Headers, vacant_position: str, served_state: LoadedState
) -> None:
    from serving.ranking import score_frame

    body = _shortlist(client, headers, vacant_position, k=10, include_ineligible=True)
    near = body["near_misses"]
    nips = [c["nip"] for c in near]
    scored = score_frame(served_state, np.array(nips, dtype=object), [vacant_position] * len(nips))
    codes = [";".join(r["code"] for r in c["ineligible_reasons"]) for c in near]
    assert near and codes == scored["ineligible_reasons"].tolist()
    assert [c["fit"] for c in near] == pytest.approx(scored["fit"].round(2).tolist(), abs=1e-2)
    assert [c["risk"] for c in near] == pytest.approx(scored["risk"].round(3).tolist(), abs=1e-3)


def test_near_misses_are_ordered_by_fewest_failed_rules_then_fit(
    client: TestClient, headers: Headers, vacant_position: str, served_state: LoadedState
) -> None:
    from serving.ranking import failed_rules, score_frame

    near = _shortlist(client, headers, vacant_position, k=30, include_ineligible=True)[
        "near_misses"
    ]
    nips = served_state.lookups.employees.index.to_numpy()
    scored = score_frame(served_state, nips, [vacant_position] * len(nips))
    scored = scored.loc[
        ~scored["eligible"] & ~scored["ineligible_reasons"].str.contains("already_in_position")
    ]
    scored = scored.assign(failed=failed_rules(scored["ineligible_reasons"].to_numpy(object)))
    expected = scored.sort_values(["failed", "fit"], ascending=[True, False]).head(len(near))
    assert scored["failed"].max() > expected["failed"].max()  # far misses exist and were left
    assert [len(c["ineligible_reasons"]) for c in near] == expected["failed"].tolist()
    assert [c["fit"] for c in near] == pytest.approx(expected["fit"].round(2).tolist(), abs=1e-2)


def test_candidates_carry_titles_unit_names_and_risk_in_words(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    body = _shortlist(client, headers, vacant_position, k=3)
    assert body["unit_name"] and body["title"]
    for candidate in body["candidates"]:
        assert candidate["current_position_title"] != "-" and candidate["current_unit_name"]
        assert abs(candidate["risk_percent"] - 100 * candidate["risk"]) <= 0.51
        assert candidate["risk_band"] in ("rendah", "sedang", "tinggi")
        assert candidate["fit"] == round(candidate["fit"], 2)


def test_every_reason_says_which_way_and_how_much(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    candidate = _shortlist(client, headers, vacant_position, k=1)["candidates"][0]
    for reason in candidate["reasons"]:
        english = reason["text"].split(" / ")[1]
        if reason["target"] == "fit":
            assert reason["unit"] == "points"
            assert "expected performance" in english
        else:
            assert reason["unit"] == "percentage_points"
            assert "risk" in english


def test_shortlist_reasons_explain_fit_and_risk_in_both_languages(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    candidate = _shortlist(client, headers, vacant_position, k=1)["candidates"][0]
    targets = {r["target"] for r in candidate["reasons"]}
    assert targets == {"fit", "risk"} and all(" / " in r["text"] for r in candidate["reasons"])


def test_shortlist_reasons_are_those_of_each_shown_pair(
    client: TestClient, headers: Headers, vacant_position: str, served_state: LoadedState
) -> None:
    from models.features.build import current_pair_features
    from serving.explain import explain_pairs

    body = _shortlist(client, headers, vacant_position, k=5, include_ineligible=True)
    shown = [*body["candidates"], *body["near_misses"]]
    nips = np.array([c["nip"] for c in shown], dtype=object)
    positions = np.repeat(vacant_position, len(nips))
    features = current_pair_features(served_state.context, nips, positions)
    risks = served_state.bundle.scorer.predict_risk(features)
    expected = explain_pairs(served_state, nips, features, vacant_position, risks=risks)
    assert body["near_misses"]
    assert [c["reasons"] for c in shown] == [
        [f.model_dump() for f in expected[str(n)]] for n in nips
    ]


def test_shortlist_names_the_model_version(
    client: TestClient, headers: Headers, vacant_position: str, world_state: LoadedState
) -> None:
    body = _shortlist(client, headers, vacant_position, k=2)
    assert body["model_version"] == world_state.model_version


def test_suggested_trainings_come_from_the_catalogue_and_raise_fit(
    client: TestClient, headers: Headers, vacant_position: str, world_state: LoadedState
) -> None:
    candidates = _shortlist(client, headers, vacant_position, k=50)["candidates"]
    suggested = [(c, t) for c in candidates for t in c["suggested_training"]]
    catalogue = set(world_state.data.trainings["training_id"])
    assert suggested, "the demo world has competency gaps that trainings close"
    assert all(t["training_id"] in catalogue and t["expected_fit"] > c["fit"] for c, t in suggested)


def test_near_misses_carry_reason_codes_and_texts(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    near = _shortlist(client, headers, vacant_position, k=10, include_ineligible=True)[
        "near_misses"
    ]
    codes = {r["code"] for c in near for r in c["ineligible_reasons"]}
    assert near and codes <= {c.value for c in ReasonCode} and all(not c["eligible"] for c in near)


def test_without_include_ineligible_there_are_no_near_misses(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    assert _shortlist(client, headers, vacant_position, k=5)["near_misses"] == []


def test_sector_filter_keeps_only_that_sector(
    client: TestClient, headers: Headers, vacant_position: str, world_state: LoadedState
) -> None:
    sector = str(world_state.lookups.employees["sector"].mode().iloc[0])
    candidates = _shortlist(client, headers, vacant_position, k=30, sector=sector)["candidates"]
    assert {c["sector"] for c in candidates} <= {sector}


def test_region_filter_keeps_only_that_region(
    client: TestClient, headers: Headers, vacant_position: str, world_state: LoadedState
) -> None:
    region = str(world_state.lookups.employees["region_code"].mode().iloc[0])
    candidates = _shortlist(client, headers, vacant_position, k=30, region=region)["candidates"]
    assert {c["region_code"] for c in candidates} <= {region}


def test_max_risk_filter_drops_riskier_candidates(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    risks = [c["risk"] for c in _shortlist(client, headers, vacant_position, k=30)["candidates"]]
    ceiling = sorted(risks)[len(risks) // 2]
    kept = _shortlist(client, headers, vacant_position, k=30, max_risk=ceiling)["candidates"]
    assert kept and all(c["risk"] <= ceiling + 1e-4 for c in kept)


def test_min_rank_filter_keeps_that_golongan_or_higher(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    candidates = _shortlist(client, headers, vacant_position, k=30, min_rank="III/c")["candidates"]
    floor = GOLONGAN_ORDINAL["III/c"]
    assert all(GOLONGAN_ORDINAL[c["golongan"]] >= floor for c in candidates)


def test_unknown_position_is_404_naming_it(client: TestClient, headers: Headers) -> None:
    response = client.get("/v1/positions/NO-SUCH-POST/shortlist", headers=headers[Role.HR])
    assert response.status_code == 404 and "NO-SUCH-POST" in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"k": 201}, "'k'"), ({"k": 0}, "'k'"), ({"max_risk": 2}, "'max_risk'")],
)
def test_out_of_range_query_is_422_naming_the_field(
    client: TestClient, headers: Headers, vacant_position: str, params: Any, field: str
) -> None:
    response = client.get(
        f"/v1/positions/{vacant_position}/shortlist", params=params, headers=headers[Role.HR]
    )
    assert response.status_code == 422 and field in response.json()["message"]


@pytest.mark.parametrize("rank", ["III/z", "I/e", "golongan"])
def test_unknown_min_rank_is_422(
    client: TestClient, headers: Headers, vacant_position: str, rank: str
) -> None:
    response = client.get(
        f"/v1/positions/{vacant_position}/shortlist",
        params={"min_rank": rank},
        headers=headers[Role.HR],
    )
    assert response.status_code == 422 and "min_rank" in response.json()["message"]


def test_shortlist_is_audited_with_the_nips_it_returned(
    client: TestClient, headers: Headers, vacant_position: str, world_state: LoadedState
) -> None:
    body = _shortlist(client, headers, vacant_position, k=4)
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (row["route"], row["key_label"], row["position_ids"], row["status"]) == (
        "/v1/positions/{position_id}/shortlist",
        "world-hr",
        vacant_position,
        200,
    )
    assert row["nips"].split(";") == [c["nip"] for c in body["candidates"]]
    assert row["model_version"] == world_state.model_version


def test_audit_never_holds_names(
    client: TestClient, headers: Headers, vacant_position: str, world_state: LoadedState
) -> None:
    _shortlist(client, headers, vacant_position, k=20, include_ineligible=True)
    names = set(world_state.data.employees["name"].dropna())
    rows = client.app.state.audit.rows()  # type: ignore[attr-defined]
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert not any(name in stored for name in names)


def test_personal_data_never_reaches_the_logs(
    client: TestClient,
    headers: Headers,
    vacant_position: str,
    world_state: LoadedState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    body = _shortlist(client, headers, vacant_position, k=5)
    nip = body["candidates"][0]["nip"]
    client.get(f"/v1/employees/{nip}", headers=headers[Role.HR])
    names = set(world_state.data.employees["name"].dropna())
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # not the client
    text = "\n".join(r.getMessage() for r in server_side)
    assert text and not any(name in text for name in names) and nip not in text


def test_every_shortlist_carries_its_fairness_audit(
    client: TestClient, headers: Headers, vacant_position: str
) -> None:
    body = _shortlist(client, headers, vacant_position, k=10)
    groups = body["fairness"]["groups"]
    for attribute in ("gender", "age_band"):
        mine = [g for g in groups if g["attribute"] == attribute]
        assert sum(g["pool"] for g in mine) == body["eligible_count"]
        assert sum(g["selected"] for g in mine) == len(body["candidates"])
        assert max(g["impact_ratio"] for g in mine) == pytest.approx(1.0)
    assert {t["attribute"] for t in body["fairness"]["prefix_tests"]} == {"gender", "age_band"}
    flagged = [g for g in groups if g["flagged"]]
    assert len(body["fairness"]["flags"]) >= len(flagged)
