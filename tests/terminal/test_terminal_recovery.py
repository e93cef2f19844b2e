"""Unsaved work when the terminal goes away, with the installed `attn-tui` in real terminals.

tmux stands in for the SSH connection: killing its server hangs the terminal up (SIGHUP) as a
dropped connection does. A pseudo-terminal nobody reads stands in for a stopped ssh client."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time

import pytest

from attn_tui.core.recovery import CellEditInProgress, read_recovery, recovery_path, write_recovery
from attn_tui.core.scenario import SEED_EXAMPLE
from tmux_session import ATTN_TUI, TmuxSession, attn_tui_in_tmux, requires_terminal

pytestmark = requires_terminal

BOOK_CONTEXT = "[0.4419, 0.6515, 0.5683]"
EDITED = SEED_EXAMPLE.with_value(0, 0, 5.0)
"""Your · dim 1 = 5, committed with Enter: the unsaved work the tests lose and get back."""


def environment() -> str:
    # The state folder conftest gave this test, passed on explicitly: never the real home.
    return f"TERM=xterm-256color XDG_STATE_HOME={os.environ['XDG_STATE_HOME']}"


def app_pid(tmux: TmuxSession) -> int:
    """The attn-tui process in the pane (a child of the pane's shell)."""
    shell = tmux.tmux("display-message", "-p", "-t", tmux.name, "#{pane_pid}", capture=True).stdout.strip()
    children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
    assert len(children) == 1, children
    return int(children[0])


def wait_until_gone(pid: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"attn-tui (pid {pid}) still runs {timeout}s after its terminal went away")


def edit_then_start_another(tmux: TmuxSession) -> None:
    """Commit Your · dim 1 = 5, then leave "7.2" typed into journey · dim 1 without Enter."""
    tmux.wait_for(BOOK_CONTEXT)
    tmux.send("5", "Enter")
    tmux.wait_for("Your     5.0000")
    tmux.send("j", "7", ".", "2")
    tmux.wait_for("Editing journey · dim 1")


def test_a_terminal_that_hangs_up_keeps_the_work_and_the_text_being_typed():
    with attn_tui_in_tmux(width=80, height=24, env=environment()) as tmux:
        edit_then_start_another(tmux)
        pid = app_pid(tmux)
        tmux.close()  # the server goes, and with it the terminal: SIGHUP, as when SSH drops
        wait_until_gone(pid)  # no orphan left behind
    recovered = read_recovery()
    assert recovered is not None, "nothing was saved"
    assert recovered.scenario == EDITED
    assert recovered.cell_edit == CellEditInProgress(1, 0, "7.2")


def test_sigterm_keeps_the_work_and_gives_the_terminal_back_with_a_line_saying_where():
    with attn_tui_in_tmux(width=100, height=30, env=environment()) as tmux:
        edit_then_start_another(tmux)
        os.kill(app_pid(tmux), signal.SIGTERM)
        screen = tmux.wait_for("EXITED:143")
        said = f"attn-tui: stopped by SIGTERM. Your unsaved work is in {recovery_path()}"
        # Compared without spaces: the terminal wraps a long path anywhere (a line break is no space).
        assert "".join(said.split()) in "".join(screen.split())
        assert "Traceback" not in screen and "Scores" not in screen  # the app's screen is gone
    recovered = read_recovery()
    assert recovered.scenario == EDITED and recovered.cell_edit == CellEditInProgress(1, 0, "7.2")


def test_the_next_start_offers_the_work_and_ctrl_r_restores_it():
    write_recovery(EDITED, cell_edit=CellEditInProgress(1, 0, "7.2"))
    with attn_tui_in_tmux(width=80, height=24, env=environment()) as tmux:
        screen = tmux.wait_for(BOOK_CONTEXT, "Ctrl+R restores the unsaved work", "^r Restore work")
        assert "Your     0.4300" in screen  # offered, not yet restored
        tmux.send("C-r")
        tmux.wait_for("Your     5.0000", "7.2", "Restored the unsaved work", "• unsaved")
        tmux.send("Escape", "C-q")  # unsaved work: the quit asks first
        tmux.wait_for("Discard")
        tmux.send("d")
        tmux.wait_for("EXITED:0")
    assert read_recovery() is None  # restored, then a clean quit: nothing left to offer


def test_recover_opens_the_work_directly():
    write_recovery(EDITED)
    with attn_tui_in_tmux("--recover", width=80, height=24, env=environment()) as tmux:
        screen = tmux.wait_for("Your     5.0000", "Restored the unsaved work")
        assert "Ctrl+R" not in screen


def test_a_client_that_stops_reading_ends_the_session_after_the_stall_time(tmp_path):
    """The ssh client is stopped (Ctrl+Z), the connection stays open: output blocks forever.
    With the stall time set to 2 s the work is saved and the process ends."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "ATTN_TUI_STALL_SECONDS": "2", "COLUMNS": "200", "LINES": "60"}
    process = subprocess.Popen([ATTN_TUI], stdin=terminal, stdout=terminal, stderr=terminal, env=env, start_new_session=True)
    os.close(terminal)
    try:
        read_until(controller, b"0.4419", timeout=60)  # the numbers are on screen
        os.write(controller, b"5\r")
        read_until(controller, b"5.0000", timeout=30)
        # From now on nobody reads: keys keep arriving, the app keeps drawing, the terminal fills up.
        os.set_blocking(controller, False)
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                os.write(controller, b"]")
            except BlockingIOError:
                pass  # the app stopped reading too: it is stuck writing
            time.sleep(0.02)
        assert process.poll() == 128 + signal.SIGHUP, "attn-tui did not end with its output blocked"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    recovered = read_recovery()
    assert recovered is not None and recovered.scenario.embeddings == EDITED.embeddings


def read_until(controller: int, wanted: bytes, timeout: float) -> None:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"{wanted!r} never came; last output: {seen[-500:]!r}")
        if select.select([controller], [], [], remaining)[0]:
            seen += os.read(controller, 65536)
