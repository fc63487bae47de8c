from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from serving.auth import Role, create_key, list_keys, revoke_key, verify_key
from serving.db import api_keys, make_engine
from serving.errors import InvalidInputError, NotFoundError

EMPLOYEE_URL = "/v1/employees/198501152010012001"


@pytest.fixture
def engine(database_url: str) -> Engine:
    return make_engine(database_url)


def test_create_key_stores_only_a_salted_hash(engine: Engine) -> None:
    key = create_key(engine, role=Role.HR, label="hr-1")
    with engine.connect() as connection:
        row = connection.execute(select(api_keys)).one()
    secret = key.split("_", 2)[2]
    assert all(secret not in str(value) for value in row)


def test_two_keys_get_different_salts(engine: Engine) -> None:
    create_key(engine, role=Role.HR, label="a")
    create_key(engine, role=Role.HR, label="b")
    with engine.connect() as connection:
        salts = connection.execute(select(api_keys.c.salt)).scalars().all()
    assert len(set(salts)) == 2


def test_verify_key_returns_label_and_role(engine: Engine) -> None:
    key = create_key(engine, role=Role.PLANNER, label="planner-1")
    found = verify_key(engine, key)
    assert found is not None
    assert (found.label, found.role) == ("planner-1", Role.PLANNER)


def test_verify_key_rejects_a_changed_secret(engine: Engine) -> None:
    key = create_key(engine, role=Role.HR, label="hr-1")
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert verify_key(engine, tampered) is None


@pytest.mark.parametrize("raw", ["", "mts_", "nonsense", "mts_0123456789ab", "mts_zz_secret"])
def test_verify_key_rejects_malformed_keys(engine: Engine, raw: str) -> None:
    assert verify_key(engine, raw) is None


def test_revoked_key_no_longer_verifies(engine: Engine) -> None:
    key = create_key(engine, role=Role.HR, label="hr-1")
    revoke_key(engine, label="hr-1")
    assert verify_key(engine, key) is None


def test_revoking_an_unknown_label_names_it(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="nobody"):
        revoke_key(engine, label="nobody")


def test_create_key_rejects_unknown_role(engine: Engine) -> None:
    with pytest.raises(InvalidInputError, match="Unknown role: boss"):
        create_key(engine, role="boss", label="x")


def test_create_key_rejects_duplicate_label(engine: Engine) -> None:
    create_key(engine, role=Role.HR, label="same")
    with pytest.raises(InvalidInputError, match="already in use"):
        create_key(engine, role=Role.DATA, label="same")


def test_list_keys_shows_revocation_and_no_secret(engine: Engine) -> None:
    create_key(engine, role=Role.HR, label="keep")
    create_key(engine, role=Role.DATA, label="gone")
    revoke_key(engine, label="gone")
    listed = {info.label: info for info in list_keys(engine)}
    assert listed["keep"].revoked_at is None and listed["gone"].revoked_at is not None


def test_missing_key_answers_401(bare_client: TestClient) -> None:
    response = bare_client.get(EMPLOYEE_URL)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_wrong_key_answers_401(bare_client: TestClient, bare_keys: dict[Role, str]) -> None:
    wrong = bare_keys[Role.HR][:-2] + "xx"
    response = bare_client.get(EMPLOYEE_URL, headers={"X-API-Key": wrong})
    assert response.status_code == 401


def test_revoked_key_answers_401(bare_client: TestClient, bare_keys: dict[Role, str]) -> None:
    revoke_key(bare_client.app.state.engine, label="test-hr")  # type: ignore[attr-defined]
    response = bare_client.get(EMPLOYEE_URL, headers={"X-API-Key": bare_keys[Role.HR]})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("role", "method", "url"),
    [
        (Role.DATA, "GET", EMPLOYEE_URL),
        (Role.PLANNER, "GET", "/v1/positions/P1/shortlist"),
        (Role.HR, "POST", "/v1/risk"),
        (Role.HR, "GET", "/v1/models"),
        (Role.PLANNER, "POST", "/v1/admin/reload"),
    ],
)
def test_wrong_role_answers_403(
    bare_client: TestClient, bare_keys: dict[Role, str], role: Role, method: str, url: str
) -> None:
    response = bare_client.request(method, url, headers={"X-API-Key": bare_keys[role]}, json={})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_forbidden_message_names_the_role_needed(
    bare_client: TestClient, bare_keys: dict[Role, str]
) -> None:
    response = bare_client.post("/v1/risk", headers={"X-API-Key": bare_keys[Role.HR]}, json={})
    assert "planner" in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", EMPLOYEE_URL), ("GET", "/v1/positions/P1/shortlist"), ("POST", "/v1/admin/reload")],
)
def test_admin_passes_every_role_check(
    bare_client: TestClient, bare_keys: dict[Role, str], method: str, url: str
) -> None:
    response = bare_client.request(method, url, headers={"X-API-Key": bare_keys[Role.ADMIN]})
    assert response.status_code not in (401, 403)
