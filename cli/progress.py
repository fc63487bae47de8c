"""Progress of long commands, on stderr so that stdout keeps only results.

On a terminal: rich progress bars (counted steps) or a spinner with the elapsed time (one long
step). Elsewhere (CI logs, pipes, cron): plain lines, a counted step at most every 10 % and at
the end, so logs stay short and free of control characters. Messages are Indonesian / English.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Tick = Callable[[int, int], None]  # (steps done, steps in all)


def _on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def counted(label: str) -> Iterator[Tick]:
    """A `(done, total)` callback drawing `label`'s progress; a new count (done falling back,
    or another total) starts a new bar, e.g. for a second round of the same step."""
    if _on_terminal():
        with _rich_bars(label) as tick:
            yield tick
        return
    yield _plain_lines(label)


@contextmanager
def _rich_bars(label: str) -> Iterator[Tick]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress("{task.description}", *columns, transient=False) as bars:
        current: dict[str, Any] = {"task": None, "total": None, "done": 0, "round": 0}

        def tick(done: int, total: int) -> None:
            if current["task"] is None or total != current["total"] or done < current["done"]:
                current["round"] += 1
                suffix = f" ({current['round']})" if current["round"] > 1 else ""
                current["task"] = bars.add_task(f"{label}{suffix}", total=total)
                current["total"] = total
            current["done"] = done
            bars.update(current["task"], completed=done)

        yield tick


def _plain_lines(label: str) -> Tick:
    shown = {"tenth": -1}

    def tick(done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if done == total or tenth > shown["tenth"] or done == 1:
            print(f"{label}: {done}/{total}", file=sys.stderr, flush=True)
        shown["tenth"] = -1 if done == total else tenth

    return tick


@contextmanager
def step(label: str) -> Iterator[None]:
    """One long step: a spinner with the elapsed time on a terminal; else a line when it
    starts and one with its duration when it ends."""
    started = time.perf_counter()
    if _on_terminal():
        from rich.console import Console

        with Console(stderr=True).status(f"{label} ..."):
            yield
    else:
        print(f"{label} ...", file=sys.stderr, flush=True)
        yield
    seconds = time.perf_counter() - started
    print(f"{label}: selesai / done ({seconds:.1f} s)", file=sys.stderr, flush=True)
