"""Once the numbers are on screen, garbage is collected while the keys pause (idle_collector.py)."""

from __future__ import annotations

import asyncio
import gc

from attn_tui.ui.app import AttnApp
from attn_tui.ui.idle_collector import AT_LEAST, AUTOMATIC_THRESHOLD, CHECK_EVERY, QUIET_FOR
from conftest import running, settled


async def test_garbage_is_collected_when_the_keys_pause():
    async with running(AttnApp(), size=(80, 24)) as pilot:
        await settled(pilot)
        app = pilot.app
        collector = app._idle_collector
        assert gc.isenabled() and gc.get_threshold()[0] == AUTOMATIC_THRESHOLD
        before = collector.collections
        cycles = [[] for _ in range(AT_LEAST * 2)]
        for cycle in cycles:
            cycle.append(cycle)  # garbage only the cyclic collector frees
        del cycles
        await pilot.press("right_square_bracket")
        assert collector.collections == before  # not right after a key
        await asyncio.sleep(QUIET_FOR + 3 * CHECK_EVERY)
        assert collector.collections > before
