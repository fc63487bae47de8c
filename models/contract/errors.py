"""Errors a user can act on. The CLI and the API show their message, never a traceback."""

from __future__ import annotations


class MutasiError(Exception):
    """Base of every error whose message is meant for the user (Indonesian / English)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
