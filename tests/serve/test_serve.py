"""`attn-tui serve` end to end: a real server on a free loopback port, the real OpenSSH client in
a pseudo-terminal, the screen read with pyte."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ssh_client import NUMBERS, SSH_OPTIONS, Server, children, connected, needs_ssh_tools, require_ssh_tools, session_pids, ssh  # noqa: F401 - an autouse fixture

pytestmark = needs_ssh_tools


PASSPHRASE = "attention is all you need"

KEY_ONLY = ("-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no", "-o", "BatchMode=yes")
"""A client that offers only the key given with -i, and never asks for a password."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def servers(folder) -> dict[str, Server]:
    """Every server the module needs, started at once: each preloads torch for seconds, and the
    starts overlap."""
    allowed, _ = _key(folder, "allowed"), _key(folder, "other")
    (folder / "authorized_keys").write_text(Path(f"{allowed}.pub").read_text())
    (folder / "passphrase").write_text(PASSPHRASE + "\n")
    arguments = {
        "open": ["--no-auth"],
        # A short idle timeout (3 s) where no test waits long: the key server.
        "keys": ["--authorized-keys", str(folder / "authorized_keys"), "--idle-timeout", "0.05"],
        "passphrase": ["--passphrase-file", str(folder / "passphrase")],
        "one seat": ["--no-auth", "--max-sessions", "1"],
    }
    started = {name: Server(*args, state=folder / f"state-{name.replace(' ', '-')}") for name, args in arguments.items()}
    try:
        yield {name: server.wait_ready() for name, server in started.items()}
    finally:
        for server in started.values():
            server.request_stop()
        for server in started.values():
            server.stop()


@pytest.fixture(scope="module")
def open_server(servers) -> Server:
    return servers["open"]


def test_a_student_sees_the_books_numbers(open_server):
    assert "students type:  ssh -t -p" in "".join(open_server.banner)
    with connected(ssh(open_server.port, "-tt")) as student:
        assert student.wait_for(NUMBERS), student.text()
        student.type("\x11")  # Ctrl+Q: a class session has nothing to save, so it leaves at once
        assert student.wait_exit() == 0


def test_two_sessions_are_independent(open_server):
    with connected(ssh(open_server.port, "-tt")) as first, connected(ssh(open_server.port, "-tt")) as second:
        assert first.wait_for(NUMBERS) and second.wait_for(NUMBERS)
        first.type("9\r")  # a new value in the grid's cell under the cursor
        assert first.wait_for("9.0000"), first.text()
        second.pump(0.5)
        assert NUMBERS in second.text() and "9.0000" not in second.text()


def test_a_terminal_size_change_reaches_the_session(open_server):
    with connected(ssh(open_server.port, "-tt"), columns=100, rows=30) as student:
        assert student.wait_for(NUMBERS)
        student.resize(70, 20)
        assert student.wait_for("Terminal too small"), student.text()


def test_only_an_interactive_terminal_is_served(open_server):
    command = subprocess.run(ssh(open_server.port, command=["ls"]), capture_output=True, text=True, timeout=30)
    assert command.returncode != 0 and command.stdout == ""
    no_terminal = subprocess.run(ssh(open_server.port, "-T"), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert no_terminal.returncode == 1
    assert no_terminal.stdout == "attn-tui serve runs only in a terminal: connect with ssh -t (no command).\n"
    sftp = ["sftp", *SSH_OPTIONS, "-P", str(open_server.port), "-b", "-", "student@127.0.0.1"]
    listing = subprocess.run(sftp, input="ls /\n", capture_output=True, text=True, timeout=30)
    assert listing.returncode != 0 and "subsystem request failed" in listing.stderr


def test_port_forwarding_is_refused(open_server):
    local = _free_port()
    # Forward to the server's own port: if forwarding worked, the server's SSH banner would come back.
    tunnel = subprocess.Popen(
        ssh(open_server.port, "-N", "-L", f"127.0.0.1:{local}:127.0.0.1:{open_server.port}"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        received = _first_bytes_through(local)
    finally:
        tunnel.kill()  # not a test of ssh's own shutdown, which can be slow on a busy machine
        tunnel.wait(30)
    assert not received.startswith(b"SSH-")


def test_remote_forwarding_is_refused(open_server):
    remote = subprocess.run(
        ssh(open_server.port, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:9"),
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert remote.returncode == 255 and "remote port forwarding failed" in remote.stderr, remote


def test_no_process_is_left_after_a_dropped_connection(open_server):
    with connected(ssh(open_server.port, "-tt")) as student:
        assert student.wait_for(NUMBERS)
        sessions = session_pids(open_server)
        assert sessions
        student.process.kill()  # the connection drops: no goodbye from the client
    _all_gone(sessions)


def _all_gone(pids: set[int]) -> None:
    """5 s after a client left, none of ``pids`` is left: not even a zombie."""
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def test_a_dropped_student_gets_their_work_back(open_server):
    with connected(ssh(open_server.port, "-tt", user="ada")) as student:
        assert student.wait_for(NUMBERS)
        student.type("9\r")
        assert student.wait_for("9.0000")
        student.process.kill()  # the connection drops
    time.sleep(1)
    with connected(ssh(open_server.port, "-tt", user="ada")) as again:
        assert again.wait_for("Ctrl+R restores the unsaved work"), again.text()
        again.type("\x12")
        assert again.wait_for("9.0000"), again.text()
    with connected(ssh(open_server.port, "-tt", user="grace")) as someone_else:
        assert someone_else.wait_for(NUMBERS)
        someone_else.pump(0.5)
        assert "Ctrl+R" not in someone_else.text()


def test_a_key_not_in_the_list_is_refused(servers, folder):
    server, allowed, other = servers["keys"], folder / "allowed", folder / "other"
    refused = subprocess.run(ssh(server.port, *KEY_ONLY, "-i", str(other), "-tt"), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert refused.returncode == 255 and "Permission denied" in refused.stderr
    with connected(ssh(server.port, *KEY_ONLY, "-i", str(allowed), "-tt")) as student:
        assert student.wait_for(NUMBERS), student.text()


def test_a_wrong_passphrase_is_refused(servers):
    server = servers["passphrase"]
    password_only = ("-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-o", "KbdInteractiveAuthentication=no")
    with connected(ssh(server.port, *password_only, "-tt")) as wrong:
        assert wrong.wait_for("password:")
        wrong.type("attention is all you want\r")
        assert wrong.wait_exit() == 255
        assert "Permission denied" in wrong.text()
    with connected(ssh(server.port, *password_only, "-tt")) as right:
        assert right.wait_for("password:")
        right.type(PASSPHRASE + "\r")
        assert right.wait_for(NUMBERS), right.text()


def test_a_full_class_says_so_and_ctrl_c_ends_every_session(servers):
    server = servers["one seat"]
    with connected(ssh(server.port, "-tt")) as first:
        assert first.wait_for(NUMBERS)
        with connected(ssh(server.port, "-tt")) as second:
            assert second.wait_for("The class is full (1 sessions)")
            assert second.wait_exit() == 1
        assert server.stop() == 0  # Ctrl+C
        assert first.wait_exit() is not None  # the session ended with the server


def test_an_idle_session_ends(servers, folder):
    with connected(ssh(servers["keys"].port, *KEY_ONLY, "-i", str(folder / "allowed"), "-tt")) as student:
        assert student.wait_for(NUMBERS)
        assert student.wait_for("session ended after 0.05 minutes without a key press", timeout=15), student.text()
        assert student.wait_exit() == 0


def test_a_crashed_session_ends_its_student_only(open_server):
    with connected(ssh(open_server.port, "-tt")) as first:
        assert first.wait_for(NUMBERS)
        before = session_pids(open_server)
        with connected(ssh(open_server.port, "-tt")) as second:
            assert second.wait_for(NUMBERS)
            (crashed,) = session_pids(open_server) - before
            os.kill(crashed, signal.SIGKILL)
            assert second.wait_exit() is not None
        first.type("9\r")
        assert first.wait_for("9.0000"), first.text()
    _all_gone({crashed})


def test_a_dead_zygote_is_replaced_and_logged_and_its_sessions_go_on(open_server):
    with connected(ssh(open_server.port, "-tt")) as student:
        assert student.wait_for(NUMBERS)
        (zygote,) = children(open_server.process.pid)
        sessions = children(zygote)
        os.kill(zygote, signal.SIGKILL)
        with connected(ssh(open_server.port, "-tt")) as newcomer:
            assert newcomer.wait_for(NUMBERS, timeout=60), newcomer.text()
        student.type("9\r")  # its session outlived the zygote that forked it
        assert student.wait_for("9.0000"), student.text()
        student.process.kill()
    # The front adopted the sessions of the dead zygote: it ends and reaps them itself.
    _all_gone(sessions)
    assert "the zygote stopped (exit status -9); starting another" in open_server.log.read_text()


def test_no_auth_is_refused_on_an_address_others_can_reach():
    result = subprocess.run(
        ["python", "-m", "attn_tui", "serve", "--no-auth", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr == "attn-tui serve: error: --no-auth listens only on a loopback address (127.0.0.1 or ::1), not 0.0.0.0\n"


def _key(folder: Path, name: str) -> Path:
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _first_bytes_through(port: int) -> bytes:
    """Connect to the tunnel's local end once it listens; what comes back within a few seconds."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                try:
                    return connection.recv(64)
                except (TimeoutError, ConnectionResetError):
                    return b""
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise AssertionError("the tunnel never listened")
