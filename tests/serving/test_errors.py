from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from models.contract.errors import MutasiError
from serving.errors import NotFoundError, install_error_handlers, not_found


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/items")
    def items(k: Annotated[int, Query(le=200)] = 10) -> dict[str, int]:
        return {"k": k}

    @app.get("/missing")
    def missing() -> None:
        raise NotFoundError("Jabatan tidak ditemukan: P9 / Position not found: P9")

    @app.get("/domain")
    def domain() -> None:
        raise MutasiError("Data salah / Bad data")

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError("198501152010012001 Ani")  # data in a message must not leak out

    return TestClient(app, raise_server_exceptions=False)


def test_validation_error_is_422_naming_the_field_and_bound(client: TestClient) -> None:
    body = client.get("/items", params={"k": 500}).json()
    assert "parameter 'k'" in body["message"] and "le=200" in body["message"]


def test_validation_message_is_indonesian_and_english(client: TestClient) -> None:
    message = client.get("/items", params={"k": 500}).json()["message"]
    assert "terlalu besar" in message and "less than or equal to 200" in message


def test_not_found_error_keeps_its_message(client: TestClient) -> None:
    response = client.get("/missing")
    assert (response.status_code, response.json()["message"]) == (
        404,
        "Jabatan tidak ditemukan: P9 / Position not found: P9",
    )


def test_plain_mutasi_error_is_a_400_with_its_message(client: TestClient) -> None:
    response = client.get("/domain")
    assert (response.status_code, response.json()["message"]) == (400, "Data salah / Bad data")


def test_unknown_route_is_a_readable_404(client: TestClient) -> None:
    body = client.get("/nowhere").json()
    assert body["message"] == "Alamat tidak ditemukan / Route not found"


def test_unexpected_error_is_a_generic_500_without_data(client: TestClient) -> None:
    response = client.get("/bug")
    assert response.status_code == 500 and "198501152010012001" not in response.text


def test_not_found_lists_at_most_twenty_ids_and_the_rest_count() -> None:
    error = not_found("NIP", "NIP", [f"{i:018d}" for i in range(25)])
    assert error.message.count("(+5)") == 2
