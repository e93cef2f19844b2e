"""Drive the installed `attn-tui` in a real terminal (tmux), as a person would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


def find_attn_tui(executable: str = sys.executable) -> str | None:
    """The installed console script: beside the running interpreter first (a virtualenv's bin/,
    often not on PATH when its python is run by path), then on PATH."""
    beside = Path(executable).parent / "attn-tui"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("attn-tui")


def in_ci(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """CI services set CI=true (GitHub, GitLab, …); .ci/run sets it too."""
    return environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_terminal_tools(tmux: str | None, attn_tui: str | None) -> str | None:
    """What the terminal tests lack, in words; None if nothing."""
    missing = [name for name, path in (("tmux", tmux), ("attn-tui (pip install -e '.[test]')", attn_tui)) if path is None]
    return f"needs {' and '.join(missing)}" if missing else None


TMUX = shutil.which("tmux")
ATTN_TUI = find_attn_tui()
MISSING = missing_terminal_tools(TMUX, ATTN_TUI)

# These are the only tests of the real-terminal drawing path (the cell-diff writer never runs
# headless): under CI a missing tool fails every one of them (see _require_terminal_tools) instead
# of skipping them unseen; on a laptop without tmux they skip.
requires_terminal = pytest.mark.skipif(MISSING is not None and not in_ci(), reason=MISSING or "")


def _require_terminal_tools() -> None:
    if MISSING is not None:
        pytest.fail(f"terminal tests {MISSING}; under CI=true they must run, not skip", pytrace=False)


class TmuxSession:
    """One session on its own tmux server.

    A private socket per session keeps tests apart from each other and from anyone else's tmux on
    the machine: on a shared default server, a session created just as the last one is killed can
    fail with "server exited unexpectedly".
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.socket_path = ""

    def tmux(self, *args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.name, *args], check=check, capture_output=capture, text=True)

    def start(self, width: int, height: int, command: str) -> None:
        size = ["-x", str(width), "-y", str(height)]
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", self.name, *size, command)
        # Fix the size: a detached session may otherwise follow the server's default-size.
        self.tmux("set-option", "-t", self.name, "window-size", "manual")
        self.tmux("resize-window", "-t", self.name, *size)
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}", capture=True).stdout.strip()

    def close(self) -> None:
        self.tmux("kill-server", check=False, capture=True)
        # tmux leaves its socket file behind; one per test would pile up in /tmp.
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name, check=False, capture=True).stdout

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def resize(self, width: int, height: int) -> None:
        self.tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        """Wait until every text is on screen; fail with the screen if it never is."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.1)
        pytest.fail(f"{texts} not on screen after {timeout}s. Screen:\n{screen}")

    def wait_until_gone(self, text: str, timeout: float = 30.0) -> str:
        """Wait until ``text`` has left the screen (a dialog closed); fail if it stays."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.1)
        pytest.fail(f"{text!r} still on screen after {timeout}s. Screen:\n{screen}")


@contextmanager
def attn_tui_in_tmux(*args: str, width: int = 100, height: int = 30, env: str = "TERM=xterm-256color") -> Iterator[TmuxSession]:
    """Start `attn-tui ARGS` in a detached tmux session; the pane stays after exit to read it."""
    _require_terminal_tools()
    name = f"attn-tui-test-{uuid.uuid4().hex[:8]}"
    # pytest plugins export COLUMNS/LINES (80×24); an app that inherits them believes it is 80×24.
    command = f"unset COLUMNS LINES; {env} {ATTN_TUI} {' '.join(args)}; echo EXITED:$?; sleep 60"
    session = TmuxSession(name)
    # The size is fixed before the app starts, so its first frame already has it.
    session.start(width, height, "sleep 600")
    try:
        session.tmux("respawn-pane", "-k", "-t", name, command)
        yield session
    finally:
        session.close()


@contextmanager
def shell_in_tmux(width: int = 100, height: int = 30) -> Iterator[TmuxSession]:
    """A plain bash in a detached tmux session, prompt ``PROMPT$``, to start attn-tui from."""
    _require_terminal_tools()
    name = f"attn-tui-shell-{uuid.uuid4().hex[:8]}"
    command = "env -u COLUMNS -u LINES PS1='PROMPT$ ' TERM=xterm-256color bash --norc --noprofile"
    session = TmuxSession(name)
    session.start(width, height, command)
    try:
        yield session
    finally:
        session.close()
