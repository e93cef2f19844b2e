"""Cyclic garbage collection between key presses rather than in the middle of one.

Python collects whenever 700 more container objects exist than at the last collection. A key
press at 64 tokens creates about that many (strips, segments, styles, messages), so a collection
came with nearly every key press (0.3 ms), and with one in ten a collection of the next
generation too (about 2 ms): the largest part of a slow key press's lateness. Most of these objects
are freed by reference counting anyway; collection only finds the cycles among them.

Once start-up's objects are frozen (:func:`attn_tui.ui.torch_loader.freeze_long_lived_objects`),
:class:`IdleCollector` raises the automatic threshold and collects on a timer instead, when no key
has come for a moment (longer than a key press takes to be handled and painted): a collection
triggered by a threshold runs while a key press is being handled, one run from a timer almost
always runs while the user reads the screen. Keys that never pause (a held key) still meet the
raised threshold now and then, so garbage never piles up; and every few timed collections one
covers the oldest generation as well, as Python's own schedule would.
"""

from __future__ import annotations

import gc
from time import monotonic
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

AUTOMATIC_THRESHOLD = 20_000
"""Objects (net) between automatic collections once timed collection runs: about 20 key presses
with no pause between them (each such collection takes a few milliseconds)."""

CHECK_EVERY = 0.1
"""Seconds between looks at whether to collect."""

QUIET_FOR = 0.05
"""Seconds without a key press before a collection: a key press is handled and painted sooner."""

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
