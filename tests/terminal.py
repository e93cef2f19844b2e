"""Drive the installed `attn-tui` in a real terminal (tmux), as a person would."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest

TMUX = shutil.which("tmux")
ATTN_TUI = shutil.which("attn-tui")

requires_terminal = pytest.mark.skipif(
    TMUX is None or ATTN_TUI is None,
    reason="needs tmux and an installed attn-tui on PATH (pip install -e '.[test]')",
)


class TmuxSession:
    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        )
        return result.stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def resize(self, width: int, height: int) -> None:
        subprocess.run(["tmux", "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)], check=True)

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


@contextmanager
def attn_tui_in_tmux(*args: str, width: int = 100, height: int = 30, env: str = "TERM=xterm-256color") -> Iterator[TmuxSession]:
    """Start `attn-tui ARGS` in a detached tmux session; the pane stays after exit to read it."""
    name = f"attn-tui-test-{uuid.uuid4().hex[:8]}"
    # pytest plugins export COLUMNS/LINES (80×24); an app that inherits them believes it is 80×24.
    command = f"unset COLUMNS LINES; {env} {ATTN_TUI} {' '.join(args)}; echo EXITED:$?; sleep 60"
    size = ["-x", str(width), "-y", str(height)]
    # Fix the size before the app starts: a detached session may otherwise follow the server's
    # default-size (80×24 on some machines) instead of -x/-y.
    subprocess.run(["tmux", "new-session", "-d", "-s", name, *size, "sleep 600"], check=True)
    subprocess.run(["tmux", "set-option", "-t", name, "window-size", "manual"], check=True)
    subprocess.run(["tmux", "resize-window", "-t", name, *size], check=True)
    subprocess.run(["tmux", "respawn-pane", "-k", "-t", name, command], check=True)
    try:
        yield TmuxSession(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)


@contextmanager
def shell_in_tmux(width: int = 100, height: int = 30) -> Iterator[TmuxSession]:
    """A plain bash in a detached tmux session, prompt ``PROMPT$``, to start attn-tui from."""
    name = f"attn-tui-shell-{uuid.uuid4().hex[:8]}"
    size = ["-x", str(width), "-y", str(height)]
    command = "env -u COLUMNS -u LINES PS1='PROMPT$ ' TERM=xterm-256color bash --norc --noprofile"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, *size, command], check=True)
    subprocess.run(["tmux", "set-option", "-t", name, "window-size", "manual"], check=True)
    subprocess.run(["tmux", "resize-window", "-t", name, *size], check=True)
    try:
        yield TmuxSession(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
