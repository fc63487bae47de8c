"""POST /v1/risk/columns: the risk check with one list per column, answered column by column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.auth import Role, create_key
from serving.routers.risk import BLOCK_MIN_PAIRS
from serving.schemas.common import MAX_RISK_PAIRS
from serving.schemas.risk import RiskColumnsResponse
from serving.state import LoadedState
from tests.fixtures.world import World

Headers = dict[Role, dict[str, str]]


@pytest.fixture(scope="module")
def pairs(world_state: LoadedState) -> list[dict[str, str]]:
    nips = world_state.lookups.employees.index[:40].tolist()
    positions = world_state.lookups.positions.index.tolist()
    employee = ["agency", "employee"]
    return [
        {"nip": n, "position_id": positions[i % len(positions)], "initiated_by": employee[i % 2]}
        for i, n in enumerate(nips)
    ]


def _as_columns(pairs: list[dict[str, str]]) -> dict[str, list[str]]:
    return {name: [p[name] for p in pairs] for name in pairs[0]}


def _columns(client: TestClient, headers: Headers, columns: Any) -> Any:
    body = {"columns": columns}
    return client.post("/v1/risk/columns", json=body, headers=headers[Role.PLANNER])


def _rows(client: TestClient, headers: Headers, pairs: list[dict[str, str]]) -> Any:
    return client.post("/v1/risk", json={"pairs": pairs}, headers=headers[Role.PLANNER])


def test_columns_give_what_rows_give(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    by_rows = _rows(client, headers, pairs).json()
    by_columns = _columns(client, headers, _as_columns(pairs)).json()
    columns, texts = by_columns.pop("columns"), by_columns.pop("reason_texts")
    columns["ineligible_reasons"] = [
        [{"code": code, "text": texts[code]} for code in codes]
        for codes in columns["ineligible_reasons"]
    ]
    as_rows = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    assert (by_columns, as_rows) == ({k: by_rows[k] for k in by_columns}, by_rows["results"])


def test_columns_without_initiator_are_agency_moves(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    plain = [{"nip": p["nip"], "position_id": p["position_id"]} for p in pairs]
    columns = _columns(client, headers, _as_columns(plain)).json()["columns"]
    agency = _as_columns(pairs) | {"initiated_by": ["agency"] * len(pairs)}
    assert _columns(client, headers, agency).json()["columns"] == columns


def test_a_large_check_scored_in_blocks_gives_each_pair_what_small_checks_give(
    client: TestClient, headers: Headers, world_state: LoadedState
) -> None:
    rng = np.random.default_rng(4)
    n = 2 * BLOCK_MIN_PAIRS + 1  # scored in blocks side by side; the small checks are not
    columns = {
        "nip": rng.choice(world_state.lookups.employees.index.to_numpy(), n).tolist(),
        "position_id": rng.choice(world_state.lookups.positions.index.to_numpy(), n).tolist(),
        "initiated_by": rng.choice(["agency", "employee"], n).tolist(),
    }
    whole = _columns(client, headers, columns).json()["columns"]
    step = BLOCK_MIN_PAIRS // 2
    parts = [
        _columns(client, headers, {k: v[i : i + step] for k, v in columns.items()}).json()
        for i in range(0, n, step)
    ]
    assert whole == {k: [x for part in parts for x in part["columns"][k]] for k in whole}


def test_columnar_response_follows_its_schema(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    body = _columns(client, headers, _as_columns(pairs)).json()
    checked = RiskColumnsResponse.model_validate(body)  # the route writes it without a check
    assert checked.model_dump(mode="json") == body


def test_bad_values_are_422_naming_column_and_index(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    columns = _as_columns(pairs[:3])
    columns["nip"][1] = "12345"
    columns["initiated_by"][2] = "atasan"
    response = _columns(client, headers, columns)
    message = response.json()["message"]
    assert response.status_code == 422
    assert "columns.nip[1]" in message and "columns.initiated_by[2]" in message
    assert "columns.nip[0]" not in message


def test_a_number_where_a_nip_belongs_is_422_not_a_crash(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    columns: dict[str, list[Any]] = dict(_as_columns(pairs[:2]))
    columns["nip"] = [columns["nip"][0], 198501152010012001]
    response = _columns(client, headers, columns)
    assert response.status_code == 422 and "columns.nip[1]" in response.json()["message"]


def test_many_non_strings_are_reported_once_each_and_counted_once(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    # 30 numbers where NIPs belong: 20 listed and "10 more" as not text, and no second report
    # of the same values as bad NIPs; the summary says how many in Indonesian too.
    columns: dict[str, list[Any]] = dict(_as_columns(pairs[:30]))
    columns["nip"] = list(range(30))
    body = _columns(client, headers, columns).json()
    about_nip = [e for e in body["errors"] if "columns.nip" in e]
    assert len(about_nip) == 21 and all("harus berupa teks" in e for e in about_nip)
    assert "10 nilai lain seperti ini" in about_nip[-1] and "10 more values" in about_nip[-1]


def test_columns_null_is_a_type_error_not_a_missing_field(
    client: TestClient, headers: Headers
) -> None:
    response = client.post(
        "/v1/risk/columns",
        content=b'{"columns": null}',
        headers={**headers[Role.PLANNER], "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        "body 'columns': harus berupa objek / body 'columns': Input should be an object"
    ]


def test_columns_of_different_lengths_are_422(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    columns = _as_columns(pairs[:3]) | {"position_id": [pairs[0]["position_id"]]}
    response = _columns(client, headers, columns)
    assert response.status_code == 422 and "columns.position_id" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b"{}", b'{"columns": []}', b'{"columns": {"nip": "1"}}'],
)
def test_malformed_columnar_body_is_422(client: TestClient, headers: Headers, body: bytes) -> None:
    response = client.post(
        "/v1/risk/columns",
        content=body,
        headers={**headers[Role.PLANNER], "content-type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_more_than_ten_thousand_pairs_is_422_before_any_value_is_read(
    client: TestClient, headers: Headers
) -> None:
    too_many = MAX_RISK_PAIRS + 1  # and every value malformed: only the length is reported
    columns = {"nip": ["x"] * too_many, "position_id": [""] * too_many}
    response = _columns(client, headers, columns)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        "body 'columns.nip': terlalu banyak elemen (max_length=10000) / body 'columns.nip': "
        "List should have at most 10000 items after validation, not 10001"
    ]


def test_unknown_ids_are_one_404_naming_them(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    columns = _as_columns(pairs[:2])
    columns["nip"][1], columns["position_id"][0] = "190001012000011999", "GHOST"
    response = _columns(client, headers, columns)
    message = response.json()["message"]
    assert response.status_code == 404
    assert "190001012000011999" in message and "GHOST" in message


def test_columnar_check_is_audited_with_every_nip_asked(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    _columns(client, headers, _as_columns(pairs))
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (row["route"], row["role"], row["status"]) == ("/v1/risk/columns", "planner", 200)
    assert set(row["nips"].split(";")) == {p["nip"] for p in pairs}


def test_refused_columnar_check_is_audited_without_anyones_nip(
    client: TestClient, headers: Headers, pairs: list[dict[str, str]]
) -> None:
    columns = _as_columns(pairs[:2]) | {"initiated_by": ["atasan", "agency"]}
    _columns(client, headers, columns)
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (row["route"], row["status"], row["nips"]) == ("/v1/risk/columns", 422, None)


@pytest.fixture
def small_limit_client(world: World, world_state: LoadedState, tmp_path: Path) -> Iterator[Any]:
    settings = world.settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'mutasi.db'}", "max_body_bytes": 10_000}
    )
    app = create_app(settings, initial_state=world_state)
    key = create_key(app.state.engine, role=Role.PLANNER, label="t-planner")
    with TestClient(app) as client:
        yield client, {"X-API-Key": key}


def test_oversized_columnar_body_is_refused_with_413_and_audited(
    small_limit_client: tuple[TestClient, dict[str, str]], pairs: list[dict[str, str]]
) -> None:
    client, key = small_limit_client
    columns = _as_columns(pairs * 10)  # 400 pairs: ~16 kB of JSON
    response = client.post("/v1/risk/columns", json={"columns": columns}, headers=key)
    row = client.app.state.audit.rows()[-1]  # type: ignore[attr-defined]
    assert (response.status_code, row["route"], row["status"]) == (413, "/v1/risk/columns", 413)


def test_openapi_documents_the_columnar_body(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/risk/columns"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    columns = schema["properties"]["columns"]
    assert (schema["required"], sorted(columns["required"])) == (
        ["columns"],
        ["nip", "position_id"],
    )
    assert columns["properties"]["nip"]["maxItems"] == MAX_RISK_PAIRS
