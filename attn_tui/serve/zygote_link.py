"""The front's side of the zygote: start it, ask it for sessions, restart it if it dies."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import socket
import subprocess
import sys
from typing import Any, Mapping

from attn_tui.serve.session import SERVER_VARIABLES, SessionRequest
from attn_tui.serve.zygote import MESSAGE_SIZE

log = logging.getLogger("attn_tui.serve")

READY_TIMEOUT = 120.0
"""Seconds the zygote may take to import torch and Textual (a cold disk on a slow machine)."""


ZYGOTE_SETTINGS = {
    "PYTHONIOENCODING": "utf-8",  # a session writes UTF-8 to its terminal whatever the server's locale
    # numpy's OpenBLAS starts a thread pool on import: the zygote must have no thread but its own
    # when it forks (a lock held by another thread would stay locked in every child).
    "OPENBLAS_NUM_THREADS": "1",
}


def zygote_environment(server: Mapping[str, str]) -> dict[str, str]:
    """The zygote's whole environment: the server's whitelisted variables, where to find attn_tui,
    and the settings above; nothing else of the server's (tokens, keys) reaches it or its sessions."""
    env = {name: server[name] for name in (*SERVER_VARIABLES, "PYTHONPATH") if name in server}
    return {**env, **ZYGOTE_SETTINGS}


class ZygoteUnavailable(Exception):
    """The zygote could not start a session (it died, or the fork failed)."""


class ZygoteLink:
    def __init__(self, scenario_json: str | None) -> None:
        self._scenario_json = scenario_json
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: socket.socket | None = None
        self._ready: asyncio.Future[None] | None = None
        self._pending: dict[int, asyncio.Future[tuple[int, int]]] = {}
        self._ids = itertools.count(1)
        self._closing = False
        self.restarts = 0

    async def start(self) -> None:
        """Start the zygote and wait until it has preloaded everything."""
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = zygote_environment(os.environ)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "attn_tui.serve.zygote", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl+C in the teacher's terminal reaches the front only
        )
        theirs.close()
        assert self._process.stdin is not None
        self._process.stdin.write((self._scenario_json or "").encode())
        self._process.stdin.close()
        ours.setblocking(False)
        self._channel = ours
        self._ready = loop.create_future()
        loop.add_reader(ours, self._on_readable)
        await asyncio.wait_for(asyncio.shield(self._ready), READY_TIMEOUT)

    async def fork(self, request: SessionRequest) -> tuple[int, int]:
        """A new session: its pid and the master end of its pseudo-terminal (ours to close)."""
        if self._ready is None or self._channel is None:
            raise ZygoteUnavailable("the zygote is not running")
        await asyncio.shield(self._ready)  # a restart under way: wait for it
        number = next(self._ids)
        future: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()
        self._pending[number] = future
        try:
            self._channel.send(json.dumps({"fork": number, **request.to_message()}).encode())
        except OSError as error:
            self._pending.pop(number, None)
            raise ZygoteUnavailable(str(error)) from error
        return await future

    def kill(self, pid: int) -> None:
        """Ask the zygote to end a session that outstayed its connection."""
        if self._channel is not None:
            try:
                self._channel.send(json.dumps({"kill": pid}).encode())
            except OSError:
                pass

    def _on_readable(self) -> None:
        assert self._channel is not None
        try:
            data, descriptors, _, _ = socket.recv_fds(self._channel, MESSAGE_SIZE, 1)
        except BlockingIOError:
            return
        except OSError:
            data, descriptors = b"", []
        if not data:
            self._lost()
            return
        message: dict[str, Any] = json.loads(data)
        if message.get("ready"):
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(None)
            return
        future = self._pending.pop(int(message.get("fork", 0)), None)
        if future is None or future.done():
            for descriptor in descriptors:
                os.close(descriptor)
            return
        if "error" in message or not descriptors:
            future.set_exception(ZygoteUnavailable(str(message.get("error", "no terminal"))))
        else:
            future.set_result((int(message["pid"]), descriptors[0]))

    def _lost(self) -> None:
        """The zygote died: fail what waited on it, log why, start another."""
        self._detach()
        status = self._process.wait() if self._process is not None else None
        if self._ready is not None and not self._ready.done():  # it died while preloading
            self._ready.set_exception(ZygoteUnavailable("the zygote stopped while starting"))
            self._ready.exception()  # retrieved: whoever waits gets it, nobody else logs it
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ZygoteUnavailable("the zygote stopped"))
        self._pending.clear()
        if self._closing:
            return
        log.error("the zygote stopped (exit status %s); starting another", status)
        self.restarts += 1
        asyncio.get_running_loop().create_task(self._restart())

    async def _restart(self) -> None:
        try:
            await self.start()
        except Exception as error:  # noqa: BLE001 - logged; sessions then fail with a clear line
            log.error("the zygote could not be restarted: %s", error)

    def _detach(self) -> None:
        if self._channel is not None:
            asyncio.get_running_loop().remove_reader(self._channel)
            self._channel.close()
            self._channel = None

    async def stop(self) -> None:
        """End the zygote and, through it, every session."""
        self._closing = True
        process = self._process
        self._detach()  # the zygote sees the socket close: it hangs up its sessions and leaves
        if process is None:
            return
        for _ in range(50):
            if process.poll() is not None:
                return
            await asyncio.sleep(0.1)
        process.kill()
        process.wait()
