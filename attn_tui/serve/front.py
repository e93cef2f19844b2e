"""The front: the ssh server students connect to. It authenticates, refuses everything but an
interactive terminal, asks the zygote for a session and relays bytes between the student's
channel and the session's pseudo-terminal, within the limits of :mod:`.limits`."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Any

import asyncssh

from attn_tui.serve.auth import Authenticator, recovery_name
from attn_tui.serve.limits import (
    DRAIN_CHECK,
    INPUT_HIGH_WATER,
    KILL_GRACE,
    LOGIN_TIMEOUT,
    MAX_LOGINS_IN_PROGRESS,
    OUTPUT_HIGH_WATER,
    OUTPUT_LOW_WATER,
    SCREEN_READ,
    TURN_AWAY_GRACE,
    Seats,
    clamp_size,
)
from attn_tui.serve.session import SessionRequest, set_terminal_size
from attn_tui.serve.zygote_link import ZygoteLink, ZygoteUnavailable

log = logging.getLogger("attn_tui.serve")

NEEDS_TERMINAL = "attn-tui serve runs only in a terminal: connect with ssh -t (no command).\r\n"
CLASS_FULL = "The class is full ({} sessions). Try again in a few minutes, or ask your teacher.\r\n"
STARTING = "starting attn-tui…\r\n"
NOT_STARTED = "attn-tui could not start a session just now; try again in a moment.\r\n"
IDLE = "\r\nattn-tui: session ended after {:g} minutes without a key press.\r\n"
TOO_MANY_LOGINS = "too many logins at once; try again in a moment"


class Classroom:
    """What the front shares between connections: the zygote, the limits, the live sessions."""

    def __init__(
        self,
        zygote: ZygoteLink,
        authenticator: Authenticator,
        *,
        max_sessions: int,
        idle_timeout: float,
        login_timeout: float = LOGIN_TIMEOUT,
    ) -> None:
        self.zygote = zygote
        self.authenticator = authenticator
        self.sessions = Seats(max_sessions)
        self.logins = Seats(MAX_LOGINS_IN_PROGRESS)
        self.idle_timeout = idle_timeout
        self.login_timeout = login_timeout
        self.live: set[StudentSession] = set()

    def end_all(self) -> None:
        for session in list(self.live):
            session.end()


class StudentServer(asyncssh.SSHServer):
    """One connection: authentication and the single session it may open."""

    def __init__(self, classroom: Classroom) -> None:
        self.classroom = classroom
        self.connection: asyncssh.SSHServerConnection | None = None
        self.key: asyncssh.SSHKey | None = None
        self.username = ""
        self.logging_in = False
        self.has_session = False
        self._turning_away: asyncio.TimerHandle | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.connection = conn
        self.logging_in = self.classroom.logins.take()
        if not self.logging_in:
            # Too many logins at once. Closed now, the connection would reset under the client's
            # next write, and ssh would say "Broken pipe" rather than why: the reason is given
            # when the client waits for an answer (its first login request, see begin_auth);
            # a client that never gets there is closed after a grace all the same.
            self._turning_away = asyncio.get_running_loop().call_later(TURN_AWAY_GRACE, self._turn_away, conn)

    @staticmethod
    def _turn_away(conn: asyncssh.SSHServerConnection) -> None:
        conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, TOO_MANY_LOGINS)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._turning_away is not None:
            self._turning_away.cancel()
        self._login_over()

    def auth_completed(self) -> None:
        self._login_over()

    def _login_over(self) -> None:
        if self.logging_in:
            self.logging_in = False
            self.classroom.logins.give_back()

    def begin_auth(self, username: str) -> bool:
        if self._turning_away is not None:
            # ssh prints it: "Received disconnect from …: too many logins at once; try again …".
            raise asyncssh.DisconnectError(asyncssh.DISC_TOO_MANY_CONNECTIONS, TOO_MANY_LOGINS)
        self.username = username
        return self.classroom.authenticator.required

    def public_key_auth_supported(self) -> bool:
        return self.classroom.authenticator.accepts_keys

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        assert self.connection is not None
        host, _ = self.connection.get_extra_info("peername", ("", 0))[:2]
        if self.classroom.authenticator.key_is_authorized(key, host, host):
            self.key = key
            return True
        return False

    def password_auth_supported(self) -> bool:
        return self.classroom.authenticator.accepts_passphrase

    def validate_password(self, username: str, password: str) -> bool:
        return self.classroom.authenticator.passphrase_is_right(password)

    def session_requested(self) -> asyncssh.SSHServerSession[bytes] | bool:
        if self._turning_away is not None:
            return False  # never reached: begin_auth ends the connection first
        if self.has_session:
            return False  # one session per connection: a multiplexing client cannot take many seats
        self.has_session = True
        return StudentSession(self.classroom, recovery_name(self.username, self.key))


class StudentSession(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One student's terminal: relays bytes between the ssh channel and the session's pty."""

    def __init__(self, classroom: Classroom, name: str) -> None:
        self.classroom = classroom
        self.name = name
        self.channel: asyncssh.SSHServerChannel[bytes] | None = None
        self.pid: int | None = None
        self.master: int | None = None
        self.has_seat = False
        self.ended = False
        self._reading_screen = False
        self._typed = bytearray()
        self._idle_timer: asyncio.TimerHandle | None = None
        self._loop = asyncio.get_running_loop()

    # --- what the client may ask for ---

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.channel = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False  # `ssh host ls`: only the app runs here

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # sftp, scp's subsystem

    def session_started(self) -> None:
        chan = self.channel
        assert chan is not None
        if chan.get_terminal_type() is None:
            chan.write(NEEDS_TERMINAL.replace("\r\n", "\n").encode())
            chan.exit(1)
            return
        if not self.classroom.sessions.take():
            chan.write(CLASS_FULL.format(self.classroom.sessions.limit).encode())
            chan.exit(1)
            return
        self.has_seat = True
        self.classroom.live.add(self)
        chan.write(STARTING.encode())
        self._loop.create_task(self._start())

    async def _start(self) -> None:
        chan = self.channel
        assert chan is not None
        columns, rows, _, _ = chan.get_terminal_size()
        columns, rows = clamp_size(columns, rows)
        request = SessionRequest(
            term=chan.get_terminal_type() or "xterm-256color",
            columns=columns,
            rows=rows,
            client_environment={k: v for k, v in chan.get_environment().items() if isinstance(v, str)},
            recovery_name=self.name,
        )
        try:
            pid, master = await self.classroom.zygote.fork(request)
        except ZygoteUnavailable as error:
            log.error("no session for %s: %s", self.name, error)
            if not self.ended:
                chan.write(NOT_STARTED.encode())
                chan.exit(1)
            self.end()
            return
        if self.ended:  # the student left while the session was starting
            os.close(master)
            self._kill_later(pid)
            return
        self.pid, self.master = pid, master
        os.set_blocking(master, False)
        set_terminal_size(master, *chan.get_terminal_size()[:2])  # a resize while it was starting
        self._read_screen(True)
        self._restart_idle_timer()

    # --- bytes both ways ---

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._restart_idle_timer()
        self._typed += data
        self._write_typed()

    def _write_typed(self) -> None:
        if self.master is None or self.ended:
            return  # typed before the session started: kept until it has
        try:
            written = os.write(self.master, self._typed) if self._typed else 0
        except BlockingIOError:
            written = 0
        except OSError:
            self.end()
            return
        del self._typed[:written]
        assert self.channel is not None
        if self._typed:
            # The app is not reading: stop reading from the client until it does.
            if len(self._typed) > INPUT_HIGH_WATER:
                self.channel.pause_reading()
            self._loop.call_later(0.02, self._write_typed)
        else:
            self.channel.resume_reading()

    def _screen_readable(self) -> None:
        assert self.master is not None and self.channel is not None
        try:
            data = os.read(self.master, SCREEN_READ)
        except BlockingIOError:
            return
        except OSError:  # EIO: the app has left and its terminal is gone
            data = b""
        if not data:
            self.channel.exit(0)
            self.end()
            return
        self.channel.write(data)
        if self.output_waiting() > OUTPUT_HIGH_WATER:
            # A slow client: the screen is not read until its bytes have gone, so the app waits
            # on its terminal (as on a slow local one) and nothing piles up here.
            self._read_screen(False)
            self._loop.call_later(DRAIN_CHECK, self._read_screen_when_drained)

    def _read_screen_when_drained(self) -> None:
        if self.ended:
            return
        if self.output_waiting() > OUTPUT_LOW_WATER:
            self._loop.call_later(DRAIN_CHECK, self._read_screen_when_drained)
        else:
            self._read_screen(True)

    def output_waiting(self) -> int:
        """Bytes written to this student that have not yet left the front: in the channel (beyond
        the window the client granted) and in the connection's socket buffer (within it).

        The second counts because a client may grant a window of 4 GiB and then read nothing: the
        channel then holds nothing back, and asyncssh (2.24) ignores its transport's
        pause_writing. Its transport has no public name; one session per connection makes that
        buffer this session's."""
        if self.channel is None:
            return 0
        transport = getattr(self.channel.get_connection(), "_transport", None)
        in_socket_buffer = transport.get_write_buffer_size() if transport is not None else 0
        return self.channel.get_write_buffer_size() + in_socket_buffer

    def _read_screen(self, reading: bool) -> None:
        if self.master is None or self.ended or reading == self._reading_screen:
            return
        if reading:
            self._loop.add_reader(self.master, self._screen_readable)
        else:
            self._loop.remove_reader(self.master)
        self._reading_screen = reading

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.master is not None and not self.ended:
            set_terminal_size(self.master, width, height)  # the kernel tells the app (SIGWINCH)

    # --- the end ---

    def _restart_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if not self.ended:
            self._idle_timer = self._loop.call_later(self.classroom.idle_timeout, self._idle)

    def _idle(self) -> None:
        if self.channel is not None and not self.ended:
            self.end()
            self.channel.write(IDLE.format(self.classroom.idle_timeout / 60).encode())
            self.channel.exit(0)

    def eof_received(self) -> bool:
        self.end()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.end()

    def end(self) -> None:
        """Hang up the session's terminal (the app saves and leaves), free the seat. Idempotent."""
        if self.ended:
            return
        self._read_screen(False)
        self.ended = True
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self.master is not None:
            os.close(self.master)  # the kernel sends the app SIGHUP
            self.master = None
        if self.pid is not None:
            self._kill_later(self.pid)
        if self.has_seat:
            self.has_seat = False
            self.classroom.sessions.give_back()
        self.classroom.live.discard(self)

    def _kill_later(self, pid: int) -> None:
        self._loop.call_later(KILL_GRACE, self._kill, pid)

    def _kill(self, pid: int) -> None:
        self.classroom.zygote.kill(pid)
        end_orphan(pid)


def adopt_orphans() -> None:
    """Become the parent of sessions whose zygote died (Linux), rather than init: some inits (a
    container's first process) never reap, and their ended sessions would stay zombies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: init adopts them, as usual


PR_SET_CHILD_SUBREAPER = 36


def end_orphan(pid: int) -> None:
    """If ``pid`` is a session the front adopted (its zygote died), end and reap it; a session of a
    living zygote is not the front's child, and the zygote does that."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return  # not ours
    if done == 0:  # ours and still running: the same pid until reaped, so safe to kill
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


async def listen(classroom: Classroom, host: str, port: int, host_key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
    return await asyncssh.create_server(
        lambda: StudentServer(classroom),
        host,
        port,
        server_host_keys=[host_key],
        login_timeout=classroom.login_timeout,
        # Only a terminal: no agent, X11, scp, sftp; port and socket forwarding are refused by
        # StudentServer's defaults (connection_requested, server_requested … answer False).
        agent_forwarding=False,
        x11_forwarding=False,
        allow_scp=False,
        sftp_factory=None,
        line_editor=False,
        encoding=None,
        keepalive_interval=30,
        keepalive_count_max=4,
    )
