"""Progress off a terminal (CI logs, pipes): a few plain lines, no control characters."""

from __future__ import annotations

import pytest

from cli.progress import counted, step


def test_counted_progress_writes_at_most_a_line_per_tenth_and_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with counted("search") as tick:
        for done in range(1, 201):
            tick(done, 200)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "search: 200/200" and len(lines) <= 12


def test_a_second_count_is_reported_from_its_start(capsys: pytest.CaptureFixture[str]) -> None:
    with counted("search") as tick:
        for total in (3, 2):
            for done in range(1, total + 1):
                tick(done, total)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["search: 1/3", "search: 2/3", "search: 3/3", "search: 1/2", "search: 2/2"]


def test_a_step_says_when_it_starts_and_how_long_it_took(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with step("ingest"):
        pass
    err = capsys.readouterr().err
    assert err.startswith("ingest ...\n") and "ingest: selesai / done (" in err
    assert "\x1b" not in err
