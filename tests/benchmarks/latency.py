"""Key press → repainted screen, measured headless (Textual's Pilot), for the latency benchmark."""

from __future__ import annotations

import asyncio
import statistics
import time
import unicodedata
from dataclasses import dataclass
from typing import Awaitable, Callable

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class Timing:
    """Milliseconds per repetition."""

    samples: tuple[float, ...]
    reference: float = float("nan")
    """The machine's speed while they were taken (test_latency.reference_loop_ms), if measured."""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def key_event(key: str) -> events.Key:
    character = key if len(key) == 1 else {"enter": "\r", "space": " ", "full_stop": "."}.get(key)
    if character is None:
        try:
            character = unicodedata.lookup(key.replace("_", " ").upper())
        except KeyError:
            character = None
    return events.Key(key, character)


def _is_idle(pump: MessagePump) -> bool:
    """Whether ``pump`` has nothing left to do: no message queued or half handled, no callback
    waiting, and its loop parked in the queue's ``get``. (A pump whose loop awaits inside a
    handler has an empty queue but is not idle; it is not parked on the queue's event.)"""
    queue = pump._message_queue
    return (
        queue.empty()
        and pump._pending_message is None
        and not pump._next_callbacks
        and bool(getattr(queue.ready_event, "_waiters", None))
    )


def _pumps(app: App) -> list[MessagePump]:
    return [app, *app.screen.walk_children(with_self=True)]


def _deferred_refresh(pump: MessagePump) -> bool:
    """Whether ``pump`` is a widget holding a refresh it carries out only when next idle (set, for
    instance, while a layout sizes it, with no message to wake it)."""
    return isinstance(pump, Widget) and bool(
        pump._repaint_required
        or pump._layout_required
        or pump._scroll_required
        or pump._refresh_styles_required
    )


async def _until_idle(app: App) -> None:
    """Let the event loop run until the app and every widget of its screen are idle, twice in a
    row (a pump that has just finished may have posted to one checked before it). A widget that
    holds a deferred refresh is woken to carry it out: counting that work errs on the slow side."""
    quiet_rounds = 0
    while quiet_rounds < 2:
        await asyncio.sleep(0)
        pumps = _pumps(app)
        if all(_is_idle(pump) for pump in pumps):
            quiet_rounds += 1
            for pump in pumps:
                if _deferred_refresh(pump):
                    pump.check_idle()
                    quiet_rounds = 0
        else:
            quiet_rounds = 0


def _pending_paint(screen: Screen) -> tuple[bool, bool, bool, bool, frozenset[object]]:
    """What the screen still has to lay out or paint."""
    return (
        screen._layout_required,
        screen._scroll_required,
        screen._repaint_required,
        screen._recompose_required,
        frozenset(screen._dirty_widgets),
    )


async def press_and_repaint(pilot: Pilot, *keys: str) -> float:
    """Send ``keys`` as a terminal would, wait until they and what they caused are handled, then
    paint the screen; the milliseconds it took.

    Textual paints on a 60 Hz timer; this paints at once, so it measures the app's work, not the
    wait for the next frame (at most 16.7 ms, 8 on average, the same for every app).

    The wait watches the message pumps go idle rather than asking each widget for a round trip
    (Pilot's ``_wait_for_screen``, ``press_and_repaint_pilot`` below): those round trips cost
    about 0.2 ms per widget, 7–13 ms for this app's 42 widgets, which no key press in a terminal
    pays. After the timed part, Pilot's own wait runs three times and the sample is refused if it
    brings out anything more to paint, so an early stop cannot go unnoticed.
    """
    app = pilot.app
    start = time.perf_counter()
    for key in keys:
        app._driver.send_message(key_event(key))
    # Paint once every pump is idle, and again while that paint (the events a new layout sends
    # to widgets) or work asked for after it (call_after_refresh, run when the screen is next
    # idle) leaves more to paint: the user waits for the last of these frames.
    await _until_idle(app)
    while True:
        app.screen._on_timer_update()
        if app.screen._callbacks:
            app.screen.check_idle()
        await _until_idle(app)
        if not any(_pending_paint(app.screen)):
            break
    elapsed = (time.perf_counter() - start) * 1000
    left_by_paint = _pending_paint(app.screen)
    for _ in range(3):
        await pilot._wait_for_screen()
    left_after_wait = _pending_paint(app.screen)
    if left_after_wait != left_by_paint:
        raise AssertionError(
            f"the key(s) {keys} left work after the harness saw the app idle: "
            f"{left_by_paint} after the paint, {left_after_wait} after Pilot's wait"
        )
    return elapsed


async def press_and_repaint_pilot(pilot: Pilot, *keys: str) -> float:
    """The earlier harness, Pilot's round trips to every widget (three rounds), for comparison."""
    app = pilot.app
    start = time.perf_counter()
    for key in keys:
        app._driver.send_message(key_event(key))
    for _ in range(3):
        await pilot._wait_for_screen()
    app.screen._on_timer_update()
    return (time.perf_counter() - start) * 1000


async def measure(pilot: Pilot, action: Callable[[], Awaitable[float]], repeat: int) -> Timing:
    samples = [await action() for _ in range(repeat)]
    return Timing(tuple(samples))


def measure_sync(action: Callable[[], object], repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(tuple(samples))
