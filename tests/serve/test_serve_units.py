"""The pieces of `attn-tui serve` that need no network: options, environment, names, limits."""

from __future__ import annotations

import os
from datetime import datetime
import subprocess
import sys

import pytest

from attn_tui.serve.limits import MAX_COLUMNS, MAX_ROWS, Seats, clamp_size
from attn_tui.serve.options import OptionsError, parse_options
from attn_tui.serve.session import SessionRequest, session_environment


def test_serve_help_answers_without_importing_torch_textual_or_asyncssh():
    code = "import sys; from attn_tui.cli import main\ntry: main(['serve', '--help'])\nexcept SystemExit: pass\nprint(sorted(m for m in ('torch', 'textual', 'asyncssh') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "--authorized-keys FILE" in result.stdout
    assert result.stdout.strip().endswith("[]")


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_no_auth_is_allowed_on_loopback(host):
    assert parse_options(["--no-auth", "--host", host]).no_auth


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_no_auth_is_refused_elsewhere(host):
    with pytest.raises(OptionsError, match="loopback"):
        parse_options(["--no-auth", "--host", host])


def test_an_authentication_choice_is_required(capsys):
    with pytest.raises(SystemExit):
        parse_options([])
    assert "one of the arguments --authorized-keys --passphrase-file --no-auth is required" in capsys.readouterr().err


def test_a_missing_key_file_is_said_in_one_line(tmp_path):
    with pytest.raises(OptionsError, match="no such file"):
        parse_options(["--authorized-keys", str(tmp_path / "absent")])


def test_the_idle_timeout_is_given_in_minutes():
    assert parse_options(["--no-auth", "--idle-timeout", "2"]).idle_timeout == 120


def test_a_session_gets_only_whitelisted_variables():
    server = {"PATH": "/usr/bin", "HOME": "/home/t", "AWS_SECRET_ACCESS_KEY": "x", "LANG": "en_GB.UTF-8", "TEXTUAL": "debug"}
    request = SessionRequest(
        term="xterm-kitty",
        columns=100,
        rows=30,
        client_environment={"COLORTERM": "truecolor", "LANG": "de_DE.UTF-8", "LD_PRELOAD": "/tmp/evil.so", "PATH": "/tmp"},
        recovery_name="x",
    )
    assert session_environment(request, server) == {
        "PATH": "/usr/bin",
        "HOME": "/home/t",
        "LANG": "de_DE.UTF-8",
        "TERM": "xterm-kitty",
        "COLORTERM": "truecolor",
    }


def test_control_characters_never_reach_the_environment():
    request = SessionRequest(term="xterm\x1b]0;pwned\x07", columns=80, rows=24, client_environment={"COLORTERM": "\n"}, recovery_name="x")
    env = session_environment(request, {})
    assert env["TERM"] == "xterm]0;pwned" and "COLORTERM" not in env and env["LANG"] == "C.UTF-8"


def test_a_request_survives_the_trip_to_the_zygote():
    request = SessionRequest(term="xterm", columns=120, rows=40, client_environment={"LANG": "C"}, recovery_name="user-ada")
    assert SessionRequest.from_message(request.to_message()) == request


def test_terminal_sizes_are_clamped():
    assert clamp_size(100_000, 65_535) == (MAX_COLUMNS, MAX_ROWS)
    assert clamp_size(0, 0) == (80, 24)
    assert clamp_size(100, 30) == (100, 30)


def test_seats_run_out_and_come_back():
    seats = Seats(2)
    assert seats.take() and seats.take() and not seats.take()
    seats.give_back()
    assert seats.take()


def test_recovery_names_are_safe_file_names():
    from attn_tui.serve.auth import recovery_name

    assert recovery_name("../../etc/passwd", None) == "user-.._.._etc_passwd"
    assert "/" not in recovery_name("a/b", None)


def test_the_passphrase_is_the_files_first_line(tmp_path):
    from attn_tui.serve.auth import read_passphrase

    (tmp_path / "p").write_text("open sesame\nsecond line\n")
    assert read_passphrase(tmp_path / "p") == b"open sesame"
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ValueError, match="empty"):
        read_passphrase(tmp_path / "empty")


def test_the_front_process_imports_neither_torch_nor_textual():
    """The front stays small: torch and Textual live in the zygote and its children only."""
    code = "import sys, attn_tui.serve.command, attn_tui.serve.front\nprint(sorted(m for m in ('torch', 'textual') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_zygote_gets_only_whitelisted_variables_and_one_thread():
    from attn_tui.serve.zygote_link import zygote_environment

    env = zygote_environment({"PATH": "/bin", "PYTHONPATH": "/src", "GITHUB_TOKEN": "x", "OPENBLAS_NUM_THREADS": "8"})
    assert env == {"PATH": "/bin", "PYTHONPATH": "/src", "PYTHONIOENCODING": "utf-8", "OPENBLAS_NUM_THREADS": "1"}


def test_the_preloaded_zygote_has_a_single_thread_to_fork():
    from attn_tui.serve.zygote_link import zygote_environment

    code = "import os\nfrom attn_tui.serve.zygote import preload\npreload()\nprint(len(os.listdir('/proc/self/task')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=zygote_environment(os.environ))
    assert result.stdout.strip() == "1", result.stderr


def test_a_dropped_students_work_is_offered_back_for_an_hour_only():
    import json
    from datetime import timedelta

    from attn_tui.core.recovery import RECOVERY_FIELD, read_recovery, recovery_path, write_recovery
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.serve.recovery_link import KEPT_FOR, forget_if_older

    def written(name: str, minutes_ago: int) -> None:
        path = write_recovery(SEED_EXAMPLE, name=name)
        data = json.loads(path.read_text(encoding="utf-8"))
        stamp = datetime.fromisoformat(data[RECOVERY_FIELD]["written_at"]) - timedelta(minutes=minutes_ago)
        data[RECOVERY_FIELD]["written_at"] = stamp.isoformat()
        path.write_text(json.dumps(data), encoding="utf-8")

    written("user-ada", 59)
    written("user-grace", 61)
    recovery_path("user-alan").parent.mkdir(parents=True, exist_ok=True)
    recovery_path("user-alan").write_text("not json", encoding="utf-8")
    for name in ("user-ada", "user-grace", "user-alan"):
        forget_if_older(name, KEPT_FOR)
    assert read_recovery("user-ada") is not None
    assert not recovery_path("user-grace").exists() and not recovery_path("user-alan").exists()
