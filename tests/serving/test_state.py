from __future__ import annotations

import pytest

from serving.errors import ConflictError, NotReadyError
from serving.state import StateHolder


def test_require_without_a_state_is_503_with_the_recorded_reason() -> None:
    holder = StateHolder()
    holder.record_failure("Belum ada model juara / no champion")
    with pytest.raises(NotReadyError, match="no champion"):
        holder.require()


def test_a_second_reload_while_one_runs_is_a_conflict() -> None:
    holder = StateHolder()
    lock = holder.try_reload_lock()
    try:
        with pytest.raises(ConflictError, match="already running"):
            holder.try_reload_lock()
    finally:
        lock.release()


def test_reload_lock_is_free_again_after_release() -> None:
    holder = StateHolder()
    holder.try_reload_lock().release()
    lock = holder.try_reload_lock()
    assert lock.locked()
    lock.release()
