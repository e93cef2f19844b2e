"""Drive the real OpenSSH client in a pseudo-terminal and read its screen with pyte."""

from __future__ import annotations

import importlib.util
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import fcntl
import termios
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import pyte
import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "terminal"))
from tmux_session import in_ci  # noqa: E402 - the one CI rule for tests that need outside tools

MISSING = [tool for tool in ("ssh", "sftp", "ssh-keygen") if shutil.which(tool) is None]
if importlib.util.find_spec("asyncssh") is None:
    MISSING.append("asyncssh (pip install -e '.[test]')")

NUMBERS = "[0.4419, 0.6515, 0.5683]"
"""The book's context vector for "journey": on screen once a session is up."""

needs_ssh_tools = pytest.mark.skipif(bool(MISSING) and not in_ci(), reason=f"needs {', '.join(MISSING)}")
"""As the terminal tests: on a laptop without an ssh client they skip; under CI=true they must run."""


@pytest.fixture(autouse=True, scope="module")
def require_ssh_tools() -> None:
    """Before any server starts: a clear failure, not a FileNotFoundError from ssh-keygen (a
    module that imports this fixture uses it)."""
    if MISSING:
        pytest.fail(f"tests/serve needs {', '.join(MISSING)}; under CI=true they must run, not skip", pytrace=False)

SSH_OPTIONS = (
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR",
    "-o", "ConnectTimeout=10",
    "-F", "/dev/null",  # the machine's ssh_config (a ControlMaster, a proxy) must not change the test
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _take_terminal() -> None:
    """In the child, after setsid: make the pseudo-terminal (fd 0) its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A program in a pseudo-terminal of ``columns``×``rows``; ``screen`` is what it shows."""

    def __init__(self, argv: Sequence[str], columns: int = 100, rows: int = 30, env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.output = bytearray()
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
            env=env or {**os.environ, "TERM": "xterm-256color"},
            preexec_fn=_take_terminal,  # ssh asks for a password on its controlling terminal
        )
        os.close(slave)
        self.master = master

    def pump(self, seconds: float = 0.05) -> bool:
        """Read what arrived within ``seconds``; False once the program's side is closed."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([self.master], [], [], max(0.0, remaining))
            if not readable:
                return True
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return False
            if not data:
                return False
            self.output += data
            self.stream.feed(data)
            if remaining <= 0:
                return True

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, wanted: str, timeout: float = 20.0) -> bool:
        """Until ``wanted`` is on screen (or in the output, for text that scrolled away)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted in self.text() or wanted.encode() in self.output:
                return True
            if not self.pump(0.05) and not self.process.poll() is None:
                return wanted in self.text() or wanted.encode() in self.output
        return False

    def wait_exit(self, timeout: float = 15.0) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.05)
            if self.process.poll() is not None:
                self.pump(0.05)
                return self.process.returncode
        return None

    def type(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def resize(self, columns: int, rows: int) -> None:
        self.screen.resize(rows, columns)
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.killpg(self.process.pid, signal.SIGWINCH)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self.master)


def ssh(port: int, *extra: str, user: str = "student", command: Sequence[str] = ()) -> list[str]:
    return ["ssh", *SSH_OPTIONS, "-p", str(port), *extra, f"{user}@127.0.0.1", *command]


class Server:
    """`attn-tui serve` as a subprocess on a free loopback port."""

    def __init__(self, *args: str, state: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        state.mkdir(parents=True, exist_ok=True)
        self.log = state / "server.log"
        env = {**os.environ, "XDG_STATE_HOME": str(state)}
        self._log_file = open(self.log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "attn_tui", "serve", "--host", "127.0.0.1", "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=self._log_file, env=env, start_new_session=True,
        )
        self.banner: list[str] = []

    def wait_ready(self) -> Server:
        """Until the banner is out (the zygote has preloaded); start several, then wait for each."""
        assert self.process.stdout is not None
        for line in self.process.stdout:  # the banner comes once the zygote is ready
            self.banner.append(line.decode())
            if line.startswith(b"Ctrl+C"):
                break
        else:
            raise RuntimeError(f"the server did not start: {self.log.read_text()}")
        return self

    def request_stop(self) -> None:
        """Ctrl+C, without waiting: several servers stop at once."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.request_stop()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if not self._log_file.closed:
            self._log_file.close()
        return self.process.returncode


def session_pids(server: Server) -> set[int]:
    """The sessions' processes: the children of the server's zygote (its one child)."""
    return {pid for zygote in children(server.process.pid) for pid in children(zygote)}


def children(parent: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.add(int(stat.parent.name))
    return found


@contextmanager
def serving(*args: str, state: Path) -> Iterator[Server]:
    server = Server(*args, state=state)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@contextmanager
def connected(argv: Sequence[str], columns: int = 100, rows: int = 30, env: dict[str, str] | None = None) -> Iterator[Terminal]:
    terminal = Terminal(argv, columns, rows, env)
    try:
        yield terminal
    finally:
        terminal.close()
