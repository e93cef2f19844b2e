"""One student's session: what the forked child does, from the fork to its exit.

The child inherits a process that imported torch and Textual and ran no event loop and no thread
(see :mod:`.zygote`); it resets what it inherited that belongs to the zygote (signal handlers,
environment, random state, the zygote's socket), then runs the app on its own terminal and leaves
with ``os._exit``: it must never return into the zygote's loop, nor run the zygote's clean-ups.
"""

from __future__ import annotations

import fcntl
import gc
import os
import random
import signal
import struct
import sys
import termios
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, NoReturn, Sequence

from attn_tui.serve.limits import clamp_size

if TYPE_CHECKING:
    from attn_tui.core.files import ViewOptions
    from attn_tui.core.scenario import Scenario

CLIENT_VARIABLES = ("COLORTERM", "LANG")
"""What a student's ssh client may set (``ssh -o SendEnv=COLORTERM``); nothing else."""

SERVER_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "TZ", "LANG", "LC_ALL", "LC_CTYPE", "XDG_STATE_HOME", "TMPDIR")
"""What a session keeps of the server's environment; nothing else (no tokens, no proxies)."""

FALLBACK_LANG = "C.UTF-8"

PYTHON_SIGNAL_HANDLERS = {
    signal.SIGCHLD: signal.SIG_DFL,
    signal.SIGTERM: signal.SIG_DFL,
    signal.SIGHUP: signal.SIG_DFL,
    signal.SIGINT: signal.default_int_handler,
}
"""What a fresh Python process has for the signals the zygote handles itself (SIGPIPE the zygote
leaves alone: ignored, as Python sets it, so a lost output shows up as an error, not a silent death)."""


@dataclass(frozen=True)
class SessionRequest:
    """What the front asks the zygote for: one session, as the student's client described it."""

    term: str
    columns: int
    rows: int
    client_environment: Mapping[str, str]
    recovery_name: str

    def to_message(self) -> dict[str, object]:
        return {
            "term": self.term,
            "columns": self.columns,
            "rows": self.rows,
            "env": dict(self.client_environment),
            "recovery_name": self.recovery_name,
        }

    @classmethod
    def from_message(cls, message: Mapping[str, object]) -> SessionRequest:
        env = message.get("env")
        return cls(
            term=str(message.get("term") or "xterm-256color"),
            columns=int(message.get("columns") or 80),  # type: ignore[call-overload]
            rows=int(message.get("rows") or 24),  # type: ignore[call-overload]
            client_environment={str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {},
            recovery_name=str(message.get("recovery_name") or "default"),
        )


def session_environment(request: SessionRequest, server: Mapping[str, str]) -> dict[str, str]:
    """The session's whole environment: the whitelisted server variables, TERM from the client,
    and the client's COLORTERM and LANG when it sent them."""
    env = {name: server[name] for name in SERVER_VARIABLES if name in server}
    env.setdefault("LANG", FALLBACK_LANG)
    env["TERM"] = _printable(request.term) or "xterm-256color"
    for name in CLIENT_VARIABLES:
        value = _printable(request.client_environment.get(name, ""))
        if value:
            env[name] = value
    return env


def _printable(value: str) -> str:
    """At most 64 visible ASCII characters: a terminal's name, a locale, "truecolor"."""
    return "".join(c for c in value[:64] if c.isascii() and c.isprintable())


def set_terminal_size(descriptor: int, columns: int, rows: int) -> None:
    columns, rows = clamp_size(columns, rows)
    fcntl.ioctl(descriptor, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def run_session(
    request: SessionRequest,
    scenario: Scenario,
    view: ViewOptions,
    inherited_descriptors: Sequence[int],
) -> NoReturn:
    """Run one student's app on this process's terminal (fds 0-2), then leave."""
    status = 1
    try:
        for number, handler in PYTHON_SIGNAL_HANDLERS.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(-1)
        for descriptor in inherited_descriptors:
            os.close(descriptor)
        environment = session_environment(request, os.environ)
        os.environ.clear()
        os.environ.update(environment)
        set_terminal_size(sys.stdin.fileno(), request.columns, request.rows)
        random.seed()  # else every student's "randomise" gives the zygote's next numbers
        gc.enable()  # the zygote froze its start-up objects; what the session builds is its own

        from attn_tui.serve.recovery_link import run_keeping_work
        from attn_tui.ui.app import AttnApp
        from attn_tui.ui.session_policy import remote_student

        app = AttnApp(scenario, view=view, policy=remote_student(request.recovery_name), torch_preloaded=True)
        run_keeping_work(app)
        status = app.return_code or 0
    except BaseException:  # noqa: BLE001 - a session's failure is its own: no traceback on a student's screen
        status = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)
