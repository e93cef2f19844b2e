"""The server's host key: generated once into the user's state directory and reused, so that
students' ssh clients see the same fingerprint lesson after lesson."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh

KEY_NAME = "serve_host_ed25519"


def state_directory() -> Path:
    """attn-tui's folder in the XDG state directory (``~/.local/state/attn-tui`` by default)."""
    state_home = os.environ.get("XDG_STATE_HOME", "")
    # The XDG spec: a relative path in the variable is invalid and must be ignored.
    base = Path(state_home) if os.path.isabs(state_home) else Path.home() / ".local" / "state"
    return base / "attn-tui"


def load_host_key(path: Path | None = None) -> asyncssh.SSHKey:
    """The key in ``path``; without one, the state directory's, generated on first use."""
    if path is not None:
        return asyncssh.read_private_key(path)
    default = state_directory() / KEY_NAME
    if default.is_file():
        return asyncssh.read_private_key(default)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="attn-tui serve")
    default.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written under another name and renamed: a second server started meanwhile never reads half a key.
    partial = default.with_name(f".{KEY_NAME}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key.export_private_key())
    os.replace(partial, default)
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    """As ``ssh`` shows it: ``SHA256:…``."""
    return key.get_fingerprint("sha256")
