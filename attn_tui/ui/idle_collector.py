"""Cyclic garbage collection between key presses rather than in the middle of one.

Python collects whenever 700 more container objects exist than at the last collection. A key
press at 64 tokens creates about that many (strips, segments, styles, messages): nearly every key
press paid for a collection of the youngest objects (0.3 ms) and one in ten for the next
generation too (about 2 ms), the largest part of a slow key press's lateness. Most of these
objects are freed by reference counting anyway; collection only finds the cycles among them.

Once start-up's objects are frozen (:func:`attn_tui.ui.torch_loader.freeze_long_lived_objects`),
:class:`IdleCollector` raises the automatic threshold and collects when no key has come for a
moment: the collection happens while the user reads the screen. A stream of keys with no pause
(a held key, a fast typist) still meets the raised threshold now and then, so garbage never
piles up; and every few idle collections one covers the oldest generation as well, as Python's
own schedule would.
"""

from __future__ import annotations

import gc
from time import monotonic
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

AUTOMATIC_THRESHOLD = 20_000
"""Objects (net) between automatic collections once idle collection runs: about 20 key presses."""

CHECK_EVERY = 0.25
"""Seconds between looks at whether to collect."""

QUIET_FOR = 0.2
"""Seconds without a key press before a collection: a typist's keys come closer together."""

AT_LEAST = 1_000
"""Objects (net) since the last collection below which a collection is not worth it."""

FULL_EVERY = 20
"""Every so many idle collections, the oldest generation too."""


class IdleCollector:
    """Collects garbage when the app has been idle for a moment (see the module)."""

    def __init__(self) -> None:
        self.last_activity = monotonic()
        self.collections = 0
        self._running = False

    def start(self, app: App) -> None:
        """Collect from now on between key presses, checking on a timer of ``app``."""
        if self._running:
            return
        self._running = True
        gc.set_threshold(AUTOMATIC_THRESHOLD, *gc.get_threshold()[1:])
        app.set_interval(CHECK_EVERY, self.collect_if_idle, name="idle-collector")

    def note_activity(self) -> None:
        """A key arrived: no collection until the keys pause."""
        self.last_activity = monotonic()

    def collect_if_idle(self) -> None:
        if monotonic() - self.last_activity < QUIET_FOR or gc.get_count()[0] < AT_LEAST:
            return
        self.collections += 1
        gc.collect(2 if self.collections % FULL_EVERY == 0 else 1)
