"""The front's limits seen from inside: logins in progress, the login timeout, a client that reads
nothing.

The front runs in a thread of the test process (its zygote and the sessions are real processes,
as in production), so that a test can read what waits in it for a client and give the login
timeout a test-sized value. The clients: the real OpenSSH client, raw sockets that never finish
a login, and asyncssh for a client that misbehaves in ways OpenSSH never does.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from typing import Any, Callable, Coroutine, Iterator, TypeVar

import pytest

asyncssh = pytest.importorskip("asyncssh")  # else a skip, as without ssh (under CI=true, test_serve.py fails for it)
import pyte  # noqa: E402

from attn_tui.serve.auth import Authenticator  # noqa: E402
from attn_tui.serve.front import Classroom, StudentSession, listen  # noqa: E402
from attn_tui.serve.limits import MAX_LOGINS_IN_PROGRESS, OUTPUT_HIGH_WATER, SCREEN_READ, TURN_AWAY_GRACE  # noqa: E402
from attn_tui.serve.options import ServeOptions  # noqa: E402
from attn_tui.serve.zygote_link import ZygoteLink  # noqa: E402

from ssh_client import NUMBERS, connected, needs_ssh_tools, require_ssh_tools, ssh  # noqa: E402, F401 - an autouse fixture

pytestmark = needs_ssh_tools

LOGIN_TIMEOUT = 8.0
"""The test server's: long enough for a login on a busy machine, short enough to wait for, and
longer than TURN_AWAY_GRACE (else the timeout, not the turning away, would end a silent connection)."""

REPAINTING_PAST_THE_MARK = 5.0
"""Seconds the unread client's screen keeps being repainted once its bytes reached the mark:
without the bound, each second adds about 100 KB (at 300×100) to what waits in the front."""

T = TypeVar("T")


class Front:
    """The front on a loop of its own thread, listening on a free loopback port, without auth."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="front", daemon=True)
        self._thread.start()
        self.zygote = ZygoteLink(None)
        self.classroom = Classroom(
            self.zygote, Authenticator(ServeOptions(no_auth=True)), max_sessions=40, idle_timeout=600, login_timeout=LOGIN_TIMEOUT
        )
        self.port = self.run(self._listen(), timeout=180)

    async def _listen(self) -> int:
        await self.zygote.start()
        self._acceptor = await listen(self.classroom, "127.0.0.1", 0, asyncssh.generate_private_key("ssh-ed25519"))
        return self._acceptor.sockets[0].getsockname()[1]

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coroutine`` on the front's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def read(self, look: Callable[[], T]) -> T:
        """``look()`` on the front's loop: after whatever the loop was doing has finished."""

        async def looked() -> T:
            return look()

        return self.run(looked())

    def session(self, name: str) -> StudentSession:
        return self.read(lambda: next(session for session in self.classroom.live if session.name == name))

    def stop(self) -> None:
        async def stop() -> None:
            self._acceptor.close()
            self.classroom.end_all()
            await self.zygote.stop()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def front(tmp_path_factory) -> Iterator[Front]:
    # The sessions' recovery files go to a folder of the module's (the zygote reads this once).
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("front-state")))
        server = Front()
        try:
            yield server
        finally:
            server.stop()


# --- logins in progress ---


def test_logins_in_progress_are_capped_and_timed_out(front):
    assert front.classroom.logins.limit == MAX_LOGINS_IN_PROGRESS
    with connected(ssh(front.port, "-tt")) as student:  # logged in before the others come
        assert student.wait_for(NUMBERS)
        # Connections that never log in: each has the server's greeting, and so holds a place.
        stalled = [socket.create_connection(("127.0.0.1", front.port), timeout=10) for _ in range(MAX_LOGINS_IN_PROGRESS)]
        try:
            for connection in stalled:
                assert connection.recv(256).startswith(b"SSH-2.0-")
            # One more is turned away, never reaching a session, and ssh says why: every time (a
            # refusal that resets the connection too soon makes ssh say "Broken pipe" instead).
            for _ in range(3):
                refused = subprocess.run(ssh(front.port, "-tt"), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
                assert refused.returncode == 255, refused
                assert "too many logins at once; try again in a moment" in refused.stderr, refused.stderr
            # One that never sends a byte is not left holding a socket either.
            with socket.create_connection(("127.0.0.1", front.port), timeout=TURN_AWAY_GRACE + 30) as silent:
                assert b"too many logins at once" in (_read_to_end(silent) or b"")
            # The login timeout ends each stalled one, which gives its place back.
            for connection in stalled:
                connection.settimeout(LOGIN_TIMEOUT + 30)
                assert _read_to_end(connection) is not None, "a connection that never logged in outlived the login timeout"
        finally:
            for connection in stalled:
                connection.close()
        # The login timeout is for logging in: the student who had, longer ago, is still served.
        student.type("9\r")
        assert student.wait_for("9.0000"), student.text()
    assert front.read(lambda: front.classroom.logins.taken) == 0
    with connected(ssh(front.port, "-tt")) as student:
        assert student.wait_for(NUMBERS), student.text()


def _read_to_end(connection: socket.socket) -> bytes | None:
    """What the server sends until it closes the connection; None if it does not close it in time."""
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


# --- a client that reads nothing ---


class Relay:
    """A TCP relay from a client to the server whose server-to-client direction can stop: the
    network of a client that reads nothing. Its socket to the server has a small receive buffer,
    so that the server's bytes soon wait in the server rather than in the kernel."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream = socket.socket()
        upstream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        upstream.setblocking(False)
        await asyncio.get_running_loop().sock_connect(upstream, ("127.0.0.1", self.target_port))
        server_reader, server_writer = await asyncio.open_connection(sock=upstream, limit=4096)
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer, self.flowing))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, gate: asyncio.Event | None = None) -> None:
        try:
            while True:
                if gate is not None:
                    await gate.wait()
                data = await reader.read(4096)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    def close(self) -> None:
        self._server.close()


class ScreenReader(asyncssh.SSHClientSession):  # type: ignore[misc]
    """The client's side of the session: what arrives, on a pyte screen."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(100, 30)
        self.stream = pyte.ByteStream(self.screen)

    def data_received(self, data: bytes, datatype: object) -> None:
        self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def resize(self, channel: asyncssh.SSHClientChannel, columns: int, rows: int) -> None:
        self.screen.resize(rows, columns)
        channel.change_terminal_size(columns, rows)


async def _until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.05)


def test_a_client_that_reads_nothing_cannot_make_the_server_buffer_without_bound(front):
    relay = Relay(front.port)
    relay_port = front.run(relay.start())

    async def log_in() -> tuple[asyncssh.SSHClientConnection, asyncssh.SSHClientChannel, ScreenReader]:
        connection = await asyncssh.connect("127.0.0.1", relay_port, username="slow", known_hosts=None, client_keys=None, agent_path=None)
        # Any window a client likes: 1 GiB, so the server's channel holds nothing back and what the
        # client does not read waits in the server's socket buffer (OpenSSH grants 2 MiB).
        channel, reader = await connection.create_session(
            ScreenReader, term_type="xterm-256color", term_size=(100, 30), window=2**30, encoding=None
        )
        await _until(lambda: NUMBERS in reader.text(), 60, "the session never showed its numbers")
        return connection, channel, reader

    connection, channel, reader = front.run(log_in(), timeout=90)
    try:
        session = front.session("user-slow")
        # The kernel's buffers are bounded by the kernel, and large (megabytes on loopback): small
        # here, so that what the session writes soon waits in the front, where the bound is ours.
        session.channel.get_connection().get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        most_waiting = _most_waiting_while_unread(front, session, relay, channel, reader)
        # One read of the screen past the mark, and the ssh packets' framing (a few per cent).
        assert most_waiting <= (OUTPUT_HIGH_WATER + SCREEN_READ) * 1.05, most_waiting

        async def read_again() -> None:
            """The client reads again: nothing was lost, and the session answers."""
            relay.flowing.set()
            reader.resize(channel, 100, 30)
            await _until(lambda: NUMBERS in reader.text(), 60, "the session did not come back at 100×30")
            channel.write(b"]")  # the next query: its context vector replaces the book's
            await _until(lambda: NUMBERS not in reader.text(), 30, "the session did not answer a key")

        front.run(read_again(), timeout=120)
    finally:

        async def leave() -> None:
            relay.flowing.set()
            connection.close()
            await connection.wait_closed()
            relay.close()

        front.run(leave())


def _most_waiting_while_unread(front: Front, session: StudentSession, relay: Relay, channel, reader: ScreenReader) -> int:
    """Resize the unread client's terminal again and again (each a repaint of the whole screen)
    until its bytes reach the high-water mark in the front, then for a while longer, while another
    student works as usual; the most bytes that waited in the front for the unread client."""
    most_waiting = 0
    sizes = [(300, 100), (280, 90)]  # the largest screen the server allows, and another
    generating = True

    async def repaint_unread() -> None:
        nonlocal most_waiting
        relay.flowing.clear()
        turn = 0
        while generating:
            if turn % 5 == 0:
                reader.resize(channel, *sizes[turn // 5 % 2])
            turn += 1
            most_waiting = max(most_waiting, session.output_waiting())
            await asyncio.sleep(0.01)

    repainting = asyncio.run_coroutine_threadsafe(repaint_unread(), front.loop)
    try:
        deadline = time.monotonic() + 90
        while most_waiting <= OUTPUT_HIGH_WATER and time.monotonic() < deadline:
            time.sleep(0.1)
        # Else the test measured nothing: the kernel's buffers took all the session wrote.
        assert most_waiting > OUTPUT_HIGH_WATER, f"only {most_waiting} bytes ever waited"
        with connected(ssh(front.port, "-tt")) as other:
            assert other.wait_for(NUMBERS), other.text()
            other.type("9\r")
            assert other.wait_for("9.0000"), other.text()
        time.sleep(REPAINTING_PAST_THE_MARK)
    finally:
        generating = False
        repainting.result(30)
    return most_waiting
