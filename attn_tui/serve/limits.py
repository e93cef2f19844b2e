"""What one class may take from the server: sessions, logins in progress, time, terminal size,
buffered output. A class is untrusted input; every limit here is a number a teacher can read."""

from __future__ import annotations

from dataclasses import dataclass

MAX_COLUMNS, MAX_ROWS = 300, 100
"""A bigger terminal only costs the server more work per frame; no screen needs more."""

LOGIN_TIMEOUT = 30.0
"""Seconds a connection may take to authenticate."""

MAX_LOGINS_IN_PROGRESS = 30
"""Connections still authenticating at once; more are turned away."""

TURN_AWAY_GRACE = 5.0
"""Seconds a connection turned away (too many logins at once) has to reach its first login
request, where it is told why; then it is closed anyway."""

OUTPUT_HIGH_WATER = 256 * 1024
"""Bytes waiting for a slow client before the session stops reading its screen: the app then
waits on its terminal, as it would on a slow local one, and nothing grows without bound. What
waits for one client is at most this plus one read of the screen (``SCREEN_READ``), counted as
the ssh packets that carry it."""

OUTPUT_LOW_WATER = OUTPUT_HIGH_WATER // 4
"""Bytes still waiting when the session reads its screen again."""

SCREEN_READ = 64 * 1024
"""The most read from a session's screen at once."""

DRAIN_CHECK = 0.05
"""Seconds between looks at a slow client's waiting bytes, while its screen is not read."""

INPUT_HIGH_WATER = 64 * 1024
"""Bytes of typed input waiting for the app before the connection stops reading."""

KILL_GRACE = 3.0
"""Seconds a session's process has, after its connection ends, to save and leave by itself."""


@dataclass
class Seats:
    """A fixed number of places; ``take`` says whether one was free."""

    limit: int
    taken: int = 0

    def take(self) -> bool:
        if self.taken >= self.limit:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken = max(0, self.taken - 1)


def clamp_size(columns: int, rows: int) -> tuple[int, int]:
    """The client's terminal size, within 1…MAX (a client may claim 0 or 65535)."""
    return max(1, min(columns or 80, MAX_COLUMNS)), max(1, min(rows or 24, MAX_ROWS))
