"""Shared helpers for driving the app headless."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager, suppress
from typing import AsyncIterator

import pytest
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerCancelled

from attn_tui.ui.app import AttnApp


def pytest_configure(config: pytest.Config) -> None:
    """Benchmarks time one process on a quiet machine: with them selected (``-m benchmark``), the
    tests are not shared between worker processes (pyproject's ``-n auto``), which would compete
    for the cores, and ``-s`` shows their tables."""
    if "benchmark" in (config.option.markexpr or "").replace("not benchmark", ""):
        config.option.numprocesses = 0
        config.option.dist = "no"
        config.option.tx = []


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Every test runs in its own empty folder: keys that save or export (Ctrl+S, F12 …) write
    there, never into the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _private_state_folder(tmp_path, monkeypatch):
    """Recovery files (attn_tui.core.recovery) go to a folder of the test's own: a test never
    reads or removes the real ~/.local/state, and never sees another test's unsaved work."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def widget_text(widget: Widget) -> str:
    """The text a widget currently paints, line by line (no styles)."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)


def panel_text(app: AttnApp, panel_id: str) -> str:
    """The body of the panel with id ``panel_id`` (e.g. "attention"), as painted."""
    return widget_text(app.query_one(f"#{panel_id} .panel-body"))


async def settled(pilot: Pilot) -> None:
    """Wait until a change is on screen: a mechanism's panels mounted, a new layout painted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def help_keys(pilot: Pilot) -> str:
    """Press ? and return the keys the help screen lists (the help stays open)."""
    from attn_tui.ui.widgets.help_screen import HelpScreen

    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpScreen)
    return widget_text(pilot.app.screen.query_one("#help-keys"))


def message(app: AttnApp) -> str:
    """The message under the grid as one line (it wraps on screen)."""
    return " ".join(widget_text(app.query_one("#message")).split())


async def wait_until_ready(pilot: Pilot) -> None:
    """Wait until torch has loaded in the background and the numbers are on screen."""
    app = pilot.app
    await app.workers.wait_for_complete()
    for _ in range(200):
        if app.is_ready:
            break
        await pilot.pause(0.01)
    assert app.is_ready, "the numbers never appeared"
    await app.workers.wait_for_complete()  # 3.4–3.6 mount their own panels once torch has loaded
    await pilot.pause()


@asynccontextmanager
async def running(app: AttnApp | None = None, size: tuple[int, int] = (80, 24), *, toasts: bool = False) -> AsyncIterator[Pilot]:
    """Run the app headless at ``size`` and wait for its numbers; ``toasts``: show notifications
    on screen (Pilot hides them by default)."""
    app = app or AttnApp()
    async with app.run_test(size=size, notifications=toasts) as pilot:
        await wait_until_ready(pilot)
        yield pilot


_KEY_CHARACTERS = {"enter": "\r", "space": " ", "full_stop": ".", "minus": "-", "tab": "\t", "escape": "\x1b",
                   "left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
                   "greater_than_sign": ">", "less_than_sign": "<", "backspace": "\x7f"}


def key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key`` (a Textual key name, e.g. "enter", "ctrl+end")."""
    character = key if len(key) == 1 else _KEY_CHARACTERS.get(key)
    return events.Key(key, character)


async def send_burst(pilot: Pilot, *keys: str) -> None:
    """Queue ``keys`` all at once, as a terminal delivers a fast typist's or a pasted burst, then
    wait for the screen: unlike ``pilot.press``, no key waits for the one before to be handled."""
    for key in keys:
        pilot.app._driver.send_message(key_event(key))
    await pilot._wait_for_screen()


def _busy(app: AttnApp) -> list[str]:
    """What still has work: a queue of the app or of a widget on the top screen with a message in it
    (a key included), or a widget (a dialog just pushed, say) not mounted yet (composing is not a
    queued message). Screens below the top are left out: a dialog waiting for the one it opened
    (an "overwrite?" question) holds its messages until that one closes, and keys reach only the top."""
    widgets = list(app.screen.walk_children(with_self=True))
    busy = [f"{widget!r} (not mounted)" for widget in widgets if not widget.is_mounted]
    busy += [f"{node!r} (messages queued)" for node in [app, *widgets] if not node._message_queue.empty()]
    return busy


async def quiet(pilot: Pilot, rounds: int = 200) -> None:
    """Wait until the app has nothing left to do: the keys still on their way (a burst's last keys
    can trail behind ``pilot.pause()``, whose wait for idle is a guess from CPU time that a loaded
    machine fools), what they started (workers, messages), the layout all that asked for, and the
    Resize events that layout sent. Waits for these conditions, not for a time."""
    app = pilot.app
    reasons: list[str] = []  # why the last rounds went on: what a failure under load needs to show
    for _ in range(rounds):
        assert app.is_running, "the app has stopped (an exception in it is raised when the test leaves it)"
        await pilot._wait_for_screen()
        for worker in list(app.workers):
            with suppress(WorkerCancelled):  # cancelled is done too (e.g. the palette's searches)
                await worker.wait()
        app.screen._on_timer_update()  # lay out and paint now, as the next frame would
        for _ in range(3):  # keys the driver sent reach the app's queue a turn or two later
            await asyncio.sleep(0)
        if app._resize_timer is not None:  # Textual hands a resize to the screen after a short timer
            reasons = [*reasons[-4:], "a resize pending"]
            await asyncio.sleep(0.01)
            continue
        busy, workers = _busy(app), list(app.workers)
        if not busy and not workers:
            return
        reasons = [*reasons[-4:], f"busy {busy}, workers {workers}"]
    raise AssertionError(
        f"the app was still busy after {rounds} rounds: {_busy(app)}, workers {list(app.workers)}; "
        f"the last rounds: {reasons}; screens {app.screen_stack}, autoplay {getattr(app, 'autoplay', None)}"
    )


def screen_text(app: AttnApp) -> str:
    """What the terminal shows, line by line: a widget cut off by its container is cut here too."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())
