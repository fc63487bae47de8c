"""The constraint note, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`).

The key lives in the data home (`consultation.key`, created once with mode 0600, first writer
wins, shared by every worker), like the console's session secret; the database holds only
tokens. Losing the key loses the notes, never the rest of an answer.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from serving.secret_files import home_secret

KEY_FILE = "consultation.key"


class NoteCipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_home(cls, home: Path) -> NoteCipher:
        return cls(home_secret(home, KEY_FILE, lambda: Fernet.generate_key().decode()).encode())

    def encrypt(self, note: str | None) -> str | None:
        if note is None or not note.strip():
            return None
        return self._fernet.encrypt(note.strip().encode("utf-8")).decode("ascii")

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return "[catatan tidak dapat dibuka: kunci berbeda / note unreadable: different key]"
