"""Only changed cells go to the terminal, and the terminal ends up showing the same screen."""

from __future__ import annotations

import random

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from attn_tui.wire import ScreenDiff

pyte = pytest.importorskip("pyte")

WIDTH, HEIGHT = 30, 6
STYLES = [
    Style.parse("#e0e0e0 on #1e1e1e"),
    Style.parse("bold #e0e0e0 on #1e1e1e"),
    Style.parse("reverse #fea62b on #0c2130"),
    Style.parse("italic underline red on black"),
    Style.parse("dim"),
    None,
]


def random_frame(rng: random.Random) -> list[Strip]:
    lines = []
    for _ in range(HEIGHT):
        segments, width = [], 0
        while width < WIDTH:
            text = rng.choice(["ab", "0.4419", " ", "ω₂₁", "██▊", "│", "界", "x"])
            if width + len(text) > WIDTH or (text == "界" and width + 2 > WIDTH):
                text = " " * (WIDTH - width)
            segments.append(Segment(text, rng.choice(STYLES)))
            width += Segment(text).cell_length
        lines.append(Strip(segments))
    return lines


def screen_after(chunks: list[str]) -> list[list[object]]:
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.Stream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    return [[screen.buffer[y][x] for x in range(WIDTH)] for y in range(HEIGHT)]


@pytest.mark.parametrize("seed", range(5))
def test_the_diff_draws_the_same_screen_with_fewer_bytes(seed):
    rng = random.Random(seed)
    console = Console(color_system="truecolor", force_terminal=True, width=WIDTH)
    diff = ScreenDiff()
    full_output, diff_output = [], []
    frame = random_frame(rng)
    for _ in range(12):
        # Change a few lines, as a key press would.
        for y in rng.sample(range(HEIGHT), rng.randint(0, 3)):
            frame[y] = random_frame(rng)[y]
        update = LayoutUpdate([[strip] for strip in frame], Region(0, 0, WIDTH, HEIGHT))
        full_output.append(update.render_segments(console))
        diff_output.append(diff.diff(update, console, WIDTH, HEIGHT).render_segments(console))
        assert screen_after(diff_output) == screen_after(full_output)
    assert sum(map(len, diff_output)) < sum(map(len, full_output))


def test_an_unchanged_frame_sends_nothing():
    console = Console(color_system="truecolor", force_terminal=True, width=WIDTH)
    frame = random_frame(random.Random(1))
    update = LayoutUpdate([[strip] for strip in frame], Region(0, 0, WIDTH, HEIGHT))
    diff = ScreenDiff()
    assert diff.diff(update, console, WIDTH, HEIGHT).render_segments(console)
    assert diff.diff(update, console, WIDTH, HEIGHT).render_segments(console) == ""
