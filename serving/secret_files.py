"""Secrets kept as files in the data home: created once with mode 0600, first writer wins."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def home_secret(home: Path, name: str, make: Callable[[], str]) -> str:
    """The secret in `home / name`, written from `make()` when the file does not exist yet."""
    path = home / name
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
    return path.read_text().strip()
