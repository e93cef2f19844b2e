"""Run a program in a pseudo-terminal, as a terminal would, reading what it writes (with pyte)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

import pyte


class PtyProgram:
    def __init__(self, argv: list[str], width: int = 80, height: int = 24, env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.written = bytearray()
        self.arrived = 0.0
        """When the last bytes read arrived (time.perf_counter())."""
        environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        environment.update({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, **(env or {}))
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(argv[0], argv, environment)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def read(self, timeout: float) -> bytes:
        """What the program writes within ``timeout`` seconds (returns early once it goes quiet)."""
        chunks = bytearray()
        ready, _, _ = select.select([self.fd], [], [], timeout)
        while ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks += data
            self.arrived = time.perf_counter()
            ready, _, _ = select.select([self.fd], [], [], 0.002)
        self.written += chunks
        self.stream.feed(bytes(chunks))
        return bytes(chunks)

    def wait_for(self, text: str, timeout: float = 60.0) -> float:
        """Seconds from the start until the bytes that put ``text`` on the screen arrived.

        The arrival, not the moment pyte has parsed them: pyte takes milliseconds per frame (a
        real terminal far less), and more for a fuller screen.
        """
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.text():
                return self.arrived - self.start
            self.read(0.01)
        raise TimeoutError(f"{text!r} never appeared:\n{self.text()}")

    def quiet(self, seconds: float = 0.3, timeout: float = 10.0) -> bytes:
        """Read until nothing is written for ``seconds``; everything read."""
        read = bytearray()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            chunk = self.read(seconds)
            if not chunk:
                break
            read += chunk
        return bytes(read)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def python(*code: str) -> list[str]:
    return [sys.executable, *code]
