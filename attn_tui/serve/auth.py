"""Who may start a session: a key from the authorized list, the class passphrase, or (on a
loopback address only) anyone. Each successful login has a name that keeps a dropped student's
scenario for their next login: the key's fingerprint, else the username."""

from __future__ import annotations

import hmac
from pathlib import Path

import asyncssh

from attn_tui.serve.options import ServeOptions


class Authenticator:
    def __init__(self, options: ServeOptions) -> None:
        self._keys = asyncssh.read_authorized_keys(str(options.authorized_keys)) if options.authorized_keys else None
        self._passphrase = read_passphrase(options.passphrase_file) if options.passphrase_file else None

    @property
    def required(self) -> bool:
        return self._keys is not None or self._passphrase is not None

    @property
    def accepts_keys(self) -> bool:
        return self._keys is not None

    @property
    def accepts_passphrase(self) -> bool:
        return self._passphrase is not None

    def key_is_authorized(self, key: asyncssh.SSHKey, client_host: str, client_addr: str) -> bool:
        return self._keys is not None and self._keys.validate(key, client_host, client_addr) is not None

    def passphrase_is_right(self, attempt: str) -> bool:
        if self._passphrase is None:
            return False
        # In constant time: how long a refusal takes says nothing about how much was right.
        return hmac.compare_digest(attempt.encode(), self._passphrase)


def read_passphrase(path: Path) -> bytes:
    """The file's first line, without its line ending; an empty one is refused."""
    lines = path.read_text(encoding="utf-8").splitlines()
    passphrase = lines[0] if lines else ""
    if not passphrase:
        raise ValueError(f"{path}: the first line (the passphrase) is empty")
    return passphrase.encode()


def recovery_name(username: str, key: asyncssh.SSHKey | None) -> str:
    """Whose scenario this is, for a dropped connection: the key when there is one (a name can be
    typed by anyone), else the username. Only characters safe in a file name."""
    raw = f"key-{key.get_fingerprint('sha256').removeprefix('SHA256:')}" if key is not None else f"user-{username}"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in raw)[:100]
