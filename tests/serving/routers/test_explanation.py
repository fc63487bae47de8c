"""The employee's explanation: one Indonesian page, HTML and DOCX telling the same story."""

from __future__ import annotations

import io

import pytest
from docx import Document
from fastapi.testclient import TestClient

from serving.auth import Role
from serving.explanation import build_explanation
from serving.state import LoadedState

Headers = dict[Role, dict[str, str]]


@pytest.fixture(scope="module")
def nip(world_state: LoadedState) -> str:
    return str(world_state.lookups.employees.index[0])


def _get(client: TestClient, headers: Headers, nip: str, position_id: str, **params: str):
    return client.get(
        f"/v1/employees/{nip}/explanation",
        params={"position_id": position_id, **params},
        headers=headers[Role.HR],
    )


def test_the_html_page_names_the_data_the_factors_and_how_to_object(
    client: TestClient,
    headers: Headers,
    nip: str,
    vacant_position: str,
    world_state: LoadedState,
    served_state: LoadedState,
) -> None:
    response = _get(client, headers, nip, vacant_position)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    expected = build_explanation(served_state, nip, vacant_position)
    assert str(world_state.lookups.employees.at[nip, "name"]) in page
    assert "Data yang digunakan" in page and "Jenis kelamin tidak pernah dipakai" in page
    assert "keberatan" in page and "UU Nomor 27 Tahun 2022" in page and "Pasal 10" in page
    assert expected.fit_factors and all(f in page for f in expected.fit_factors)
    assert all(
        ("menaikkan" in f or "menurunkan" in f or "hampir" in f) for f in expected.fit_factors
    )
    assert "raises" not in page and "expected performance" not in page  # Indonesian only


def test_the_docx_holds_the_same_sentences(
    client: TestClient, headers: Headers, nip: str, vacant_position: str, served_state: LoadedState
) -> None:
    response = _get(client, headers, nip, vacant_position, format="docx")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    expected = build_explanation(served_state, nip, vacant_position)
    for line in (*expected.fit_factors, *expected.risk_factors, *expected.objection):
        assert line in text
    assert expected.document_id in text


def test_the_explanation_needs_the_hr_role(
    client: TestClient, headers: Headers, nip: str, vacant_position: str
) -> None:
    response = client.get(
        f"/v1/employees/{nip}/explanation",
        params={"position_id": vacant_position},
        headers=headers[Role.PLANNER],
    )
    assert response.status_code == 403


def test_unknown_nip_and_position_are_named_together(client: TestClient, headers: Headers) -> None:
    response = _get(client, headers, "190001012000011999", "GHOST")
    message = response.json()["message"]
    assert response.status_code == 404 and "190001012000011999" in message and "GHOST" in message
