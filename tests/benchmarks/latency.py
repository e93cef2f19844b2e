"""Key press → repainted screen, measured headless (Textual's Pilot), for the latency benchmark."""

from __future__ import annotations

import statistics
import time
import unicodedata
from dataclasses import dataclass
from typing import Awaitable, Callable

from textual import events
from textual.pilot import Pilot


@dataclass(frozen=True)
class Timing:
    """Milliseconds per repetition."""

    samples: tuple[float, ...]

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


async def press_and_repaint(pilot: Pilot, *keys: str) -> float:
    """Send ``keys`` as a terminal would, wait until they and what they caused are handled, then
    paint the screen; the milliseconds it took.

    Textual paints on a 60 Hz timer; this paints at once, so it measures the app's work, not the
    wait for the next frame (at most 16.7 ms, 8 on average, the same for every app).
    """
    app = pilot.app
    start = time.perf_counter()
    for key in keys:
        app._driver.send_message(key_event(key))
    # Several rounds: a key's handler may post messages (EditSubmitted) that post more.
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
