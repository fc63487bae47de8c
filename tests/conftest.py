"""Shared fixtures (the builders themselves live in tests/fixtures/).

`valid_agency_dir` is a folder holding all ten tables of the hand-built export
(tests/fixtures/export.py) as CSV; `world` is, once per session, a real small demo agency
ingested and trained (tests/fixtures/world.py), shared by the planning and serving tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.export import valid_agency_frames, write_agency
from tests.fixtures.world import World, build_world

pytest_plugins = ["tests.databases"]


@pytest.fixture
def valid_agency_dir(tmp_path: Path) -> Path:
    """A folder with all ten tables of a small valid agency, as CSV."""
    return write_agency(valid_agency_frames(), tmp_path / "agency")


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("world"))
