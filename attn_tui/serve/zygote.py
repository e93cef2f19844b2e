"""The zygote: one process that imports torch, Textual and the app once, then forks a session per
request.

It stays single-threaded (see ``ZYGOTE_SETTINGS`` in :mod:`.zygote_link`) and never runs an event loop, so that a fork copies a process in a
simple, known state (a fork copies only the thread that calls it; a lock held by another thread
would stay locked forever in the child). It talks to the front over a Unix socket: a request (a
JSON line, see :class:`~.session.SessionRequest`) comes in, a child is forked onto a new
pseudo-terminal, and the pseudo-terminal's master end goes back with the child's pid. It reaps its
children as they end, so that none is left a zombie.

Run as ``python -m attn_tui.serve.zygote FD``; the scenario for every session comes on stdin as
JSON, read once.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
import warnings
from typing import Any

MESSAGE_SIZE = 65536
READY = {"ready": True}


def preload() -> None:
    """Import everything a session needs and run one computation, then freeze the result.

    Frozen objects are left out of every collection: the children then do not touch (and so do
    not copy) the pages that hold them, which keeps each session to a few tens of MiB of its own.
    """
    from attn_tui.core.compute import analyse
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.serve import recovery_link, session  # noqa: F401 - what every child runs (the app, its recovery)
    from attn_tui.ui.widgets import dialogs, help_screen  # noqa: F401 - the first dialog then costs nothing

    analyse(SEED_EXAMPLE)
    warm_up_mechanisms()
    gc.collect()
    gc.freeze()


def warm_up_mechanisms() -> None:
    """Compute and walk once with every mechanism, so that what each imports on first use is in
    the zygote, not in each student's session. A warm-up only: a failure here shows up, with a
    message, in the session that needs that mechanism; it must not stop the zygote."""
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.mechanisms import MECHANISMS

    for mechanism in MECHANISMS:
        try:
            scenario = SEED_EXAMPLE.with_mechanism(mechanism.name, mechanism.default_parameters(SEED_EXAMPLE))
            mechanism.walkthrough(mechanism.analyse(scenario))
            mechanism.python_snippet(scenario)
        except Exception:  # noqa: BLE001 - see above
            continue


class Zygote:
    def __init__(self, channel: socket.socket, scenario_json: str | None) -> None:
        self.channel = channel
        self.scenario_json = scenario_json
        self.children: set[int] = set()
        self.stopping = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    def run(self) -> None:
        from attn_tui.core.files import ViewOptions, scenario_from_json
        from attn_tui.core.scenario import SEED_EXAMPLE

        self.scenario, self.view = scenario_from_json(self.scenario_json) if self.scenario_json else (SEED_EXAMPLE, ViewOptions())
        # A signal only writes a byte to the pipe: the loop below wakes up and does the work.
        signal.set_wakeup_fd(self._wake_write, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the front, which stops everything
        self._send(READY)
        while not self.stopping:
            try:
                readable, _, _ = select.select([self.channel, self._wake_read], [], [], 5.0)
            except InterruptedError:
                continue
            self._drain_wake_pipe()
            self.reap()
            if self.channel in readable and not self._handle_message():
                break  # the front has gone: so do the sessions
        self.end_children()

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def _drain_wake_pipe(self) -> None:
        try:
            while os.read(self._wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def _handle_message(self) -> bool:
        try:
            data = self.channel.recv(MESSAGE_SIZE)
        except OSError:
            return False
        if not data:
            return False
        try:
            message = json.loads(data)
        except ValueError:
            return True
        if "kill" in message:
            self.kill(int(message["kill"]))
        elif "fork" in message:
            self.fork(message)
        return True

    def fork(self, message: dict[str, Any]) -> None:
        from attn_tui.serve.session import SessionRequest, run_session

        request = SessionRequest.from_message(message)
        sys.stdout.flush()
        sys.stderr.flush()  # else the child would write the zygote's pending output on its screen
        try:
            pid, master = os.forkpty()
        except OSError as error:
            self._send({"fork": message["fork"], "error": str(error)})
            return
        if pid == 0:
            run_session(request, self.scenario, self.view, (self.channel.fileno(), self._wake_read, self._wake_write))
        self.children.add(pid)
        try:
            socket.send_fds(self.channel, [json.dumps({"fork": message["fork"], "pid": pid}).encode()], [master])
        except OSError:
            self.kill(pid)
        finally:
            os.close(master)

    def kill(self, pid: int) -> None:
        """End a session that did not leave when its connection closed; only a child of ours."""
        if pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def reap(self) -> None:
        while self.children:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)

    def end_children(self) -> None:
        """Hang up every session, then make sure none outlives the zygote."""
        for signal_number in (signal.SIGHUP, signal.SIGKILL):
            for pid in list(self.children):
                try:
                    os.kill(pid, signal_number)
                except ProcessLookupError:
                    pass
            for _ in range(20):
                self.reap()
                if not self.children:
                    return
                select.select([], [], [], 0.1)

    def _send(self, message: dict[str, Any]) -> None:
        self.channel.send(json.dumps(message).encode())


def main(argv: list[str]) -> int:
    # Nothing may be written around a student's screen; warnings (torch's, numpy's) included.
    warnings.simplefilter("ignore")
    channel = socket.socket(fileno=int(argv[0]))
    scenario_json = sys.stdin.read() or None
    preload()
    Zygote(channel, scenario_json).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
