"""The app with labels from many scripts: what the wire diff sends, replayed, is Textual's own
full frame, and in terminals that count a grapheme's width otherwise every other cell stays."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from attn_tui.core.scenario import Scenario
from attn_tui.terminal.wire import ScreenDiff
from attn_tui.ui.app import AttnApp
from conftest import wait_until_ready

pytest.importorskip("pyte")

from script_terminals import LABELS, TERMINALS, GraphemeScreen, cells, differences_outside_uncertain, replay  # noqa: E402

WIDTH, HEIGHT = 80, 24
KEYS = ["right_square_bracket", "left_square_bracket", "down", "up", "m", "c", "w", "space", "escape"]
"""Keys that move the query, the cursor, and switch views: every panel repaints its labels."""

labels = st.lists(
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=3).map("".join),
    min_size=2,
    max_size=7,
    unique=True,
)


async def check_frames(tokens: list[str], keys: list[str]) -> None:
    scenario = Scenario(
        tokens=tuple(tokens),
        embeddings=tuple((0.1 * i, 0.5, -0.25 * i) for i in range(len(tokens))),
        query=0,
    )
    console = Console(color_system="truecolor", force_terminal=True, width=WIDTH)
    diff = ScreenDiff()
    through_diff = {name: GraphemeScreen(WIDTH, HEIGHT, widths) for name, widths in TERMINALS.items()}
    as_rich = GraphemeScreen(WIDTH, HEIGHT)
    app = AttnApp(scenario)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await wait_until_ready(pilot)
        for key in [None, *keys]:
            if key is not None:
                await pilot.press(key)
                await pilot.pause()
            frame = app.screen._compositor.render_full_update()
            full = replay(GraphemeScreen(WIDTH, HEIGHT), frame.render_segments(console))
            sent = diff.diff(frame, console, WIDTH, HEIGHT).render_segments(console)
            replay(as_rich, sent)
            assert cells(as_rich) == cells(full), f"after {key}"
            for name, screen in through_diff.items():
                replay(screen, sent)
                assert differences_outside_uncertain(full, screen) == [], f"{name}, after {key}"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=labels, keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=8))
def test_labels_in_any_script_draw_as_textual_does(tokens, keys):
    asyncio.run(check_frames(tokens, keys))
