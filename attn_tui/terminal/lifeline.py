"""When the terminal goes away: save the unsaved work, then end the process — never hang, never a traceback.

Four ways a session ends without anyone pressing Ctrl+Q, each leading to the same place:

- **SIGHUP** — the SSH connection dropped or the terminal window closed. The terminal is gone:
  nothing can be drawn or restored, so the work is saved and the process ends at once.
- **a lost terminal** — stdin hangs up (POLLHUP/POLLERR) or a write to the screen fails (EIO,
  EPIPE: Python ignores SIGPIPE, so a closed pipe shows up here). The same as SIGHUP; it also
  covers a hangup whose SIGHUP went to another process of the session.
- **SIGTERM** — someone asked the process to stop; the terminal may still be there. The work is
  saved, then the app is asked to exit normally (it restores the terminal and says where the work
  is). If it cannot within :data:`GRACE_SECONDS` (its output is blocked), the process ends anyway.
- **stalled output** — the client is stopped (Ctrl+Z on ssh, a suspended laptop) but the
  connection stays open: writes block and the process would wait forever. A write blocked for
  ``stall_timeout`` seconds (``ATTN_TUI_STALL_SECONDS``, default :data:`DEFAULT_STALL_SECONDS`)
  ends it like a hangup.

The save itself is the caller's (``save_work``): this module knows signals, file descriptors and
threads, not scenarios. Whatever thread notices first does the ending, once.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
import threading
import time
from types import FrameType
from typing import IO, Any, Callable

DEFAULT_STALL_SECONDS = 600.0
"""Ten minutes with a write blocked: long enough for a coffee with the ssh client suspended,
short enough that a dead session does not hold the machine all day."""

STALL_SECONDS_VARIABLE = "ATTN_TUI_STALL_SECONDS"
"""Environment variable overriding :data:`DEFAULT_STALL_SECONDS` (tests use a second or two)."""

GRACE_SECONDS = 5.0
"""After SIGTERM, how long the app has to exit normally before the process ends anyway."""

HANGUP_STATUS = 128 + 1
"""Exit status after a hangup, a lost terminal or a stall: the shell's for "ended by SIGHUP" (1)."""

TERMINATED_STATUS = 128 + 15
"""Exit status after SIGTERM (15), as if the signal had ended the process."""

CHECK_SECONDS = 0.5
"""How often the watcher looks at the terminal."""

SaveWork = Callable[[], "os.PathLike[str] | str | None"]
"""Saves the unsaved work if there is any; returns where, or None when there was nothing to save."""

RequestExit = Callable[[int, str], None]
"""Asks the app to exit with a status and a one-line message (called on the event loop's thread)."""


def stall_seconds_from_environment() -> float:
    """``ATTN_TUI_STALL_SECONDS`` if it is a positive number, else the default."""
    try:
        seconds = float(os.environ.get(STALL_SECONDS_VARIABLE, ""))
    except ValueError:
        return DEFAULT_STALL_SECONDS
    return seconds if seconds > 0 else DEFAULT_STALL_SECONDS


class WatchedOutput:
    """The terminal's output file as the writer thread sees it: records how long a write has been
    blocked, and turns a failed write (the terminal is gone) into a lost terminal, not a traceback."""

    def __init__(self, file: IO[str], lost: Callable[[str], None]) -> None:
        self._file = file
        self._lost = lost
        self.blocked_since: float | None = None
        """When the write in progress began; None between writes."""

    def write(self, text: str) -> int:
        return self._guarded(self._file.write, text) or 0

    def flush(self) -> None:
        self._guarded(self._file.flush)

    def _guarded(self, call: Callable[..., Any], *args: Any) -> Any:
        self.blocked_since = time.monotonic()
        try:
            return call(*args)
        except (OSError, ValueError) as error:  # EIO, EPIPE; ValueError: the file was closed
            self._lost(f"the terminal stopped taking output ({error})")
            return None
        finally:
            self.blocked_since = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)  # fileno, isatty, encoding …


class Lifeline:
    """Hooks one app's terminal to ``save_work``; :meth:`attach` before ``app.run()``, :meth:`detach` after."""

    def __init__(
        self,
        save_work: SaveWork,
        request_exit: RequestExit,
        *,
        stall_timeout: float | None = None,
        input_fd: int | None = None,
    ) -> None:
        self._save_work = save_work
        self._request_exit = request_exit
        self.stall_timeout = stall_timeout if stall_timeout is not None else stall_seconds_from_environment()
        self._input_fd = input_fd
        self._output: WatchedOutput | None = None
        self._ending = threading.Lock()
        self.ended_by: str | None = None
        """Why the session ended without a quit (a signal, a lost terminal); None after a clean quit."""
        self._previous_handlers: dict[int, Any] = {}
        self._stop_watching = threading.Event()
        self._watcher: threading.Thread | None = None

    # --- hooking up ---

    def attach(self, app: Any) -> None:
        """Handle SIGHUP and SIGTERM, watch stdin for a hangup, and have the app's terminal
        driver write through :class:`WatchedOutput`. Call from the main thread."""
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)  # Windows has no SIGHUP
            if number is not None:
                self._previous_handlers[number] = signal.signal(number, self._on_signal)
        try:
            from textual.drivers.linux_driver import LinuxDriver  # POSIX terminals only (termios)
        except ImportError:
            pass
        else:
            if isinstance(app.driver_class, type) and issubclass(app.driver_class, LinuxDriver):
                app.driver_class = self._watched_driver(app.driver_class)
        if self._input_fd is None and sys.__stdin__ is not None:
            # Not only while it is a terminal: one that hung up already no longer says it is one.
            self._input_fd = sys.__stdin__.fileno()
        self._watcher = threading.Thread(target=self._watch, name="attn-tui-lifeline", daemon=True)
        self._watcher.start()

    def detach(self) -> None:
        """Back to the signal handlers from before; stop watching."""
        self._stop_watching.set()
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        self._previous_handlers.clear()

    def watch_output(self, file: IO[str]) -> WatchedOutput:
        self._output = WatchedOutput(file, self.terminal_lost)
        return self._output

    def _watched_driver(self, driver_class: type) -> type:
        lifeline = self

        class WatchedDriver(driver_class):  # type: ignore[valid-type, misc]
            """The app's driver, writing through the lifeline and ending calmly on a read error."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._file = lifeline.watch_output(self._file)

            def run_input_thread(self) -> None:
                try:
                    super().run_input_thread()
                except OSError as error:  # EIO: the terminal hung up under the read
                    lifeline.terminal_lost(f"the terminal stopped giving input ({error})")

        return WatchedDriver

    # --- noticing ---

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        if number == signal.SIGTERM:
            self._stop_gracefully(name)
        else:
            self.end(f"{name}: the terminal hung up")

    def terminal_lost(self, reason: str) -> None:
        self.end(reason)

    def _watch(self) -> None:
        poller = select.poll() if self._input_fd is not None else None
        if poller is not None:
            # No events asked for: poll reports only POLLHUP, POLLERR and POLLNVAL, and reading
            # stays the driver's job.
            poller.register(self._input_fd, 0)
        # Stalled time counts only what this thread saw pass: after the whole process was stopped
        # (SIGSTOP) and continued, a write that was under way is not stale, and must not end it.
        stalled_write, stalled_for, last_look = None, 0.0, time.monotonic()
        while not self._stop_watching.is_set():
            if poller is not None:
                if poller.poll(CHECK_SECONDS * 1000):
                    self.terminal_lost("the terminal hung up")
                    return
            else:
                self._stop_watching.wait(CHECK_SECONDS)
            now = time.monotonic()
            step, last_look = min(now - last_look, 2 * CHECK_SECONDS), now
            output = self._output
            blocked_since = output.blocked_since if output is not None else None
            if blocked_since is None or blocked_since != stalled_write:
                stalled_write, stalled_for = blocked_since, 0.0
            else:
                stalled_for += step
            if stalled_for >= self.stall_timeout:
                self.end(f"the terminal took no output for {self.stall_timeout:g} s")
                return

    # --- ending ---

    def end(self, reason: str, status: int = HANGUP_STATUS) -> None:
        """Save the work and end the process now, without touching the terminal (it is gone or stuck).
        Runs once: a second caller (another thread, a second signal) waits and is ended with it."""
        if not self._ending.acquire(blocking=threading.current_thread() is not threading.main_thread()):
            return  # the main thread was interrupted while ending: let that finish
        self.ended_by = reason
        self._save()
        os._exit(status)

    def _stop_gracefully(self, name: str) -> None:
        """SIGTERM: save, then let the app restore the terminal and say where the work is."""
        if not self._ending.acquire(blocking=False):
            return
        self.ended_by = name
        saved = self._save()
        status = TERMINATED_STATUS
        message = f"attn-tui: stopped by {name}."
        if saved is not None:
            message += f" Your unsaved work is in {os.fspath(saved)}; attn-tui --recover brings it back."
        # A fallback first: if the app cannot exit (its output is blocked), the process still ends.
        fallback = threading.Timer(GRACE_SECONDS, os._exit, args=(status,))
        fallback.daemon = True  # a normal exit must not wait for it
        fallback.start()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not running yet, or finished: nothing to restore
            os._exit(status)
        # A signal handler interrupts the loop at any point: schedule the exit, do not run it here.
        loop.call_soon_threadsafe(self._request_exit, status, message)

    def _save(self) -> os.PathLike[str] | str | None:
        try:
            return self._save_work()
        except Exception:  # a full disk must not turn the ending into a hang or a traceback
            return None
