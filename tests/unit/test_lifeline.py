"""The lifeline without the app: each way a terminal goes away saves the work once and ends the
process — quickly, with no traceback. Every ending runs in a child process (it calls os._exit)."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from attn_tui.terminal.lifeline import DEFAULT_STALL_SECONDS, STALL_SECONDS_VARIABLE, WatchedOutput, stall_seconds_from_environment

REPO_ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import asyncio, os, signal, sys, time
from pathlib import Path
from attn_tui.terminal.lifeline import Lifeline

saved = Path(sys.argv[1])

def save_work():
    # Appends: a second save (there must never be one) would show as a second line.
    with saved.open("a") as file:
        file.write("saved\\n")
    return saved

class App:
    driver_class = object  # not a terminal driver: nothing to wrap

def request_exit(status, message):
    print(f"exit requested: {status} {message}", flush=True)
    asyncio.get_running_loop().stop()

lifeline = Lifeline(save_work, request_exit, stall_timeout=float(os.environ.get("STALL", "600")))
lifeline.attach(App())
"""


def run_child(tmp_path: Path, body: str, *, stdin=None, env: dict | None = None, timeout: float = 60) -> tuple[subprocess.CompletedProcess, list[str]]:
    saved = tmp_path / "saved.txt"
    code = CHILD + textwrap.dedent(body)
    process = subprocess.run(
        [sys.executable, "-c", code, str(saved)],
        cwd=REPO_ROOT,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return process, saved.read_text().splitlines() if saved.exists() else []


def test_sighup_saves_once_and_ends_the_process_at_once(tmp_path):
    process, saves = run_child(tmp_path, """
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(30)
        print("still running")
    """)
    assert process.returncode == 128 + signal.SIGHUP
    assert saves == ["saved"]
    assert process.stdout == "" and process.stderr == ""


def test_sigterm_saves_then_asks_the_running_app_to_exit(tmp_path):
    process, saves = run_child(tmp_path, """
        async def main():
            loop = asyncio.get_running_loop()
            loop.call_later(0.1, os.kill, os.getpid(), signal.SIGTERM)
            await asyncio.sleep(30)
        try:
            asyncio.run(main())
        except RuntimeError:  # the loop stopped before main() finished: what request_exit does
            pass
        print("after the app", flush=True)
    """)
    assert saves == ["saved"]
    assert process.stdout.splitlines() == [
        f"exit requested: 143 attn-tui: stopped by SIGTERM. Your unsaved work is in {tmp_path / 'saved.txt'}; attn-tui --recover brings it back.",
        "after the app",
    ]
    assert process.returncode == 0 and process.stderr == ""


def test_sigterm_ends_the_process_if_the_app_does_not_exit(tmp_path):
    # The app's exit never comes (its output is blocked): the grace period ends the process.
    process, saves = run_child(tmp_path, """
        import attn_tui.terminal.lifeline as lifeline_module
        lifeline_module.GRACE_SECONDS = 0.5
        async def main():
            lifeline._request_exit = lambda status, message: None
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(30)
        asyncio.run(main())
    """)
    assert process.returncode == 128 + signal.SIGTERM
    assert saves == ["saved"] and process.stderr == ""


def test_sigterm_before_the_app_runs_saves_and_ends(tmp_path):
    process, saves = run_child(tmp_path, """
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
    """)
    assert process.returncode == 128 + signal.SIGTERM
    assert saves == ["saved"] and process.stderr == ""


def test_a_terminal_that_hangs_up_under_stdin_saves_and_ends(tmp_path):
    controller, terminal = pty.openpty()
    try:
        saved = tmp_path / "saved.txt"
        child = subprocess.Popen([sys.executable, "-c", CHILD + "time.sleep(30)\n", str(saved)], cwd=REPO_ROOT, stdin=terminal, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)  # before or after it attached: a terminal that hung up stays so
        os.close(controller)  # the SSH client went away: the terminal hangs up
        controller = -1
        assert child.wait(timeout=30) == 128 + signal.SIGHUP
        assert saved.read_text() == "saved\n" and child.stderr.read() == ""
    finally:
        os.close(terminal)
        if controller >= 0:
            os.close(controller)


def test_output_blocked_past_the_stall_time_saves_and_ends(tmp_path):
    # A pipe nobody reads: the client is stopped, the connection open, writes block.
    process, saves = run_child(tmp_path, """
        reader, writer = os.pipe()
        output = lifeline.watch_output(os.fdopen(writer, "w"))
        started = time.monotonic()
        while True:
            output.write("x" * 4096)
            output.flush()
    """, env={"STALL": "0.5"})
    assert process.returncode == 128 + signal.SIGHUP
    assert saves == ["saved"] and process.stderr == ""


def test_only_stalled_time_the_watcher_saw_counts(tmp_path):
    # A write under way when the whole process was stopped (SIGSTOP) for a long time is not stale
    # the moment it continues: the stall time starts when the watcher sees it.
    process, saves = run_child(tmp_path, """
        output = lifeline.watch_output(sys.stdout)
        output.blocked_since = time.monotonic() - 1000  # began long ago, and is still under way
        time.sleep(0.6)
        print("still running after 0.6 s", flush=True)
        time.sleep(30)
    """, env={"STALL": "1.5"})
    assert process.stdout == "still running after 0.6 s\n"
    assert process.returncode == 128 + signal.SIGHUP and saves == ["saved"]


def test_a_failing_save_still_ends_the_process(tmp_path):
    process, saves = run_child(tmp_path, """
        def broken():
            raise OSError("disk full")
        lifeline._save_work = broken
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(30)
    """)
    assert process.returncode == 128 + signal.SIGHUP and process.stderr == ""


def test_detach_gives_back_the_previous_handlers():
    from attn_tui.terminal.lifeline import Lifeline

    before = signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM)
    # Its own input, open at both ends: pytest's stdin may be a pipe already closed, a hangup
    # that would end the test run.
    reader, writer = os.pipe()
    try:
        lifeline = Lifeline(lambda: None, lambda status, message: None, input_fd=reader)
        lifeline.attach(type("App", (), {"driver_class": object})())
        assert signal.getsignal(signal.SIGHUP) == lifeline._on_signal
        lifeline.detach()
        assert (signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM)) == before
        lifeline._watcher.join(timeout=10)
        assert not lifeline._watcher.is_alive()
    finally:
        os.close(writer)
        os.close(reader)


# --- the pieces ---


def test_the_stall_time_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(STALL_SECONDS_VARIABLE, raising=False)
    assert stall_seconds_from_environment() == DEFAULT_STALL_SECONDS
    monkeypatch.setenv(STALL_SECONDS_VARIABLE, "2.5")
    assert stall_seconds_from_environment() == 2.5
    for bad in ("", "soon", "0", "-3", "nan"):
        monkeypatch.setenv(STALL_SECONDS_VARIABLE, bad)
        assert stall_seconds_from_environment() == DEFAULT_STALL_SECONDS, bad


class _File:
    def __init__(self, watched: list, fail: bool = False) -> None:
        self.watched, self.fail, self.text = watched, fail, ""

    def write(self, text: str) -> int:
        self.watched.append(self.output.blocked_since is not None)  # the watcher sees the write under way
        if self.fail:
            raise OSError(5, "Input/output error")
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return 42


def test_watched_output_passes_writes_through_and_times_them():
    seen: list = []
    file = _File(seen)
    output = file.output = WatchedOutput(file, lambda reason: pytest.fail(reason))
    assert output.write("abc") == 3 and file.text == "abc"
    assert seen == [True] and output.blocked_since is None  # only while a write is under way
    assert output.fileno() == 42


def test_a_failed_write_is_a_lost_terminal_not_a_traceback():
    lost: list[str] = []
    file = _File([], fail=True)
    output = file.output = WatchedOutput(file, lost.append)
    output.write("abc")
    assert lost == ["the terminal stopped taking output ([Errno 5] Input/output error)"]
    assert output.blocked_since is None
