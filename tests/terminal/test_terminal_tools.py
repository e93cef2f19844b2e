"""The terminal tests never skip unseen in CI (issue 15 §1): a missing tmux or attn-tui fails
them under CI=true; the console script is looked for beside the running interpreter first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tmux_session import find_attn_tui, in_ci, missing_terminal_tools

REPOSITORY = Path(__file__).resolve().parents[2]
A_TERMINAL_TEST = "tests/terminal/test_terminal.py::test_ctrl_q_quits_cleanly"


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_the_console_script_beside_the_interpreter_comes_before_path(tmp_path, monkeypatch):
    beside = _executable(tmp_path / "venv" / "bin" / "attn-tui")
    on_path = _executable(tmp_path / "elsewhere" / "attn-tui")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_attn_tui(str(beside.parent / "python")) == str(beside)
    assert find_attn_tui(str(tmp_path / "bare" / "python")) == str(on_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_attn_tui(str(tmp_path / "bare" / "python")) is None


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("True", True), ("", False), ("false", False), ("0", False)])
def test_ci_is_recognised(value, expected):
    assert in_ci({"CI": value}) is expected
    assert in_ci({}) is False


def test_what_is_missing_is_said():
    assert missing_terminal_tools("/usr/bin/tmux", "/venv/bin/attn-tui") is None
    assert missing_terminal_tools(None, "/venv/bin/attn-tui") == "needs tmux"
    assert "tmux and attn-tui" in missing_terminal_tools(None, None)


def _run_a_terminal_test_without_tmux(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "CI"}
    environ |= {"PATH": str(tmp_path)} | env  # an empty folder: no tmux to be found
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", A_TERMINAL_TEST],
        cwd=REPOSITORY, env=environ, capture_output=True, text=True, timeout=120,
    )


def test_without_tmux_a_terminal_test_fails_under_ci(tmp_path):
    result = _run_a_terminal_test_without_tmux(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout and "needs tmux" in result.stdout, result.stdout


def test_without_tmux_a_terminal_test_skips_on_a_workstation(tmp_path):
    result = _run_a_terminal_test_without_tmux(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout, result.stdout
