"""/evaluasi: the post-move review in the console, the same figures as GET /v1/review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from serving.auth import Role

pytestmark = pytest.mark.integration


def test_planner_sees_the_same_flags_as_the_api(
    console: Callable[[Role], TestClient], client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    api = client.get("/v1/review?since=2024-01-01", headers=headers[Role.PLANNER]).json()
    page = console(Role.PLANNER).get("/evaluasi?sejak=2024-01-01")
    assert page.status_code == 200, page.text
    assert "Evaluasi pascamutasi" in page.text and api["verdict"] in page.text
    below = api["flags"].get("below_expectation", 0)
    assert "Post-move review" in page.text
    assert f"Below expectation: coaching and training ({below})" in page.text
    reliable = any(row["effect"] is not None for row in api["programme"])
    assert page.text.count("data:image/png;base64,") == (2 if reliable else 1)


def test_a_backwards_window_is_told_in_indonesian_on_the_page(
    console: Callable[[Role], TestClient],
) -> None:
    page = console(Role.DATA).get("/evaluasi?sejak=2025-01-01&sampai=2024-01-01")
    assert page.status_code == 422
    assert "sebelum tanggal awal" in page.text


def test_hr_officers_do_not_get_the_review_page(console: Callable[[Role], TestClient]) -> None:
    assert console(Role.HR).get("/evaluasi").status_code == 403
