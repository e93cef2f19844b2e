"""Only changed cells go to the terminal, and the terminal ends up showing the same screen."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from attn_tui.terminal.wire import ScreenDiff

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


# --- Property: any sequence of Textual updates draws the same screen through the diff -------------

CHARACTERS = ["a", "b", "0", "4", ".", " ", " ", "₃", "█", "▊", "│", "ω", "·", "界", "日"]
"""Narrow ASCII and multi-byte characters, and double-width ones (界, 日)."""
STYLE_POOL = [
    None,
    Style.parse("#e0e0e0 on #1e1e1e"),
    Style.parse("#e1e1e1 on #1e1e1e"),
    Style.parse("bold #e0e0e0 on #1e1e1e"),
    Style.parse("bold #fea62b on #1e1e1e"),
    Style.parse("#fea62b on #272727"),
    Style.parse("dim #a0a0a0 on #121212"),
    Style.parse("on #121212"),
    Style.parse("reverse #fea62b on #0c2130"),
    Style.parse("bold underline reverse #e1e1e1 on #1e1e1e"),
    Style.parse("italic underline red on black"),
    Style.parse("strike blue"),
    Style.parse("bold"),
    Style.parse("dim italic"),
    Style.parse("default on default"),
    Style.parse("bright_green on color(236)"),
    Style(link="https://example.org/attn"),
]
COLOR_SYSTEMS = ["truecolor", "256", "standard"]

Token = tuple[str, "Style | None"]


def token_width(token: Token) -> int:
    return Segment(token[0]).cell_length


@st.composite
def screens_and_updates(draw):
    """A screen size and a list of updates, each {line: (start, tokens)}: one chop per changed line.

    Updates start and end on token boundaries of what the line held, as Textual's chops do, and
    keep most of the old tokens (so there are unchanged gaps, as after a real key press)."""
    width = draw(st.integers(3, 24))
    height = draw(st.integers(1, 5))
    lines: list[list[Token]] = [[(" ", None)] * width for _ in range(height)]
    updates = []
    for _ in range(draw(st.integers(1, 7))):
        update = {}
        for y in draw(st.sets(st.integers(0, height - 1), min_size=1)):
            old = lines[y]
            bounds = [0]
            for token in old:
                bounds.append(bounds[-1] + token_width(token))
            first = draw(st.integers(0, len(old) - 1))
            last = draw(st.integers(first + 1, len(old)))
            start, end = bounds[first], bounds[last]
            keep = draw(st.floats(0, 1))
            old_at = {bounds[index]: token for index, token in enumerate(old)}
            tokens, x = [], start
            while x < end:
                token = old_at.get(x)
                if token is None or not draw(st.booleans().map(lambda b: b or keep < 0.3)) or x + token_width(token) > end:
                    character = draw(st.sampled_from(CHARACTERS))
                    if x + Segment(character).cell_length > end:
                        character = " "
                    token = (character, draw(st.sampled_from(STYLE_POOL)))
                tokens.append(token)
                x += token_width(token)
            lines[y] = old[:first] + tokens + old[last:]
            update[y] = (start, tokens)
        updates.append(update)
    return width, height, updates


def chops_update(update: dict[int, tuple[int, list[Token]]], width: int, height: int):
    from textual._compositor import ChopsUpdate

    chops: list[dict[int, Strip | None]] = [{} for _ in range(height)]
    chop_ends: list[list[int]] = [[] for _ in range(height)]
    spans = []
    for y in sorted(update):
        start, tokens = update[y]
        strip = Strip([Segment(text, style) for text, style in tokens])
        chops[y][start] = strip
        chop_ends[y].append(start + strip.cell_length)
        spans.append((y, start, start + strip.cell_length))
    return ChopsUpdate(chops, spans, chop_ends)


def cells(screen) -> list[list[object]]:
    return [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]


@pytest.mark.parametrize("color_system", COLOR_SYSTEMS)
@settings(max_examples=200, deadline=None)
@given(case=screens_and_updates())
def test_any_updates_draw_what_textual_would_draw(color_system, case):
    width, height, updates = case
    console = Console(color_system=color_system, force_terminal=True, width=width)
    full, through_diff = pyte.Screen(width, height), pyte.Screen(width, height)
    full_stream, diff_stream = pyte.Stream(full), pyte.Stream(through_diff)
    diff = ScreenDiff()
    for update in updates:
        renderable = chops_update(update, width, height)
        textual_output = renderable.render_segments(console)
        diff_output = diff.diff(renderable, console, width, height).render_segments(console)
        full_stream.feed(textual_output)
        diff_stream.feed(diff_output)
        assert cells(through_diff) == cells(full)
        assert len(diff_output.encode()) <= len(textual_output.encode())
        # Every frame leaves the terminal's attributes at their defaults.
        assert through_diff.cursor.attrs == full.cursor.attrs._replace(data=through_diff.cursor.attrs.data)


@settings(max_examples=300, deadline=None)
@given(
    width=st.integers(2, 30),
    height=st.integers(1, 30),
    data=st.data(),
)
def test_every_cursor_move_lands_where_it_should(width, height, data):
    """From a known cell, or from the right edge where a terminal waits to wrap (column unknown)."""
    from attn_tui.terminal.wire import _move

    screen = pyte.Screen(width, height)
    stream = pyte.Stream(screen)
    y = data.draw(st.integers(0, height - 1))
    at_edge = data.draw(st.booleans())
    if at_edge:
        stream.feed(f"\x1b[{y + 1};{width}Hx")  # cursor now waits to wrap: its column is not known
        cursor_x = None
    else:
        cursor_x = data.draw(st.integers(0, width - 1))
        stream.feed(f"\x1b[{y + 1};{cursor_x + 1}H")
    target_x, target_y = data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, height - 1))
    move = _move(cursor_x, y, target_x, target_y)
    stream.feed(move)
    assert (screen.cursor.x, screen.cursor.y) == (target_x, target_y)
    assert len(move) <= len(f"\x1b[{target_y + 1};{target_x + 1}H")


def plain_greedy_order(pieces, width):
    """The greedy order by its definition: each time the first of the pieces cheapest to reach."""
    from attn_tui.terminal.wire import LINK, PLAIN, _cost_into, _cursor_after, _move

    left, order = list(pieces), []
    cursor_x = cursor_y = None
    current = PLAIN
    while left:
        costs = [len(_move(cursor_x, cursor_y, piece.start, piece.y)) + _cost_into(current, piece.look) for piece in left]
        piece = left.pop(costs.index(min(costs)))
        order.append(piece)
        cursor_x, cursor_y = _cursor_after(piece, width), piece.y
        current = PLAIN if piece.look == LINK else piece.look
    return order


@pytest.mark.parametrize("color_system", COLOR_SYSTEMS)
@settings(max_examples=150, deadline=None)
@given(width=st.integers(2, 120), height=st.integers(1, 40), data=st.data())
def test_the_nearest_first_search_finds_the_plain_greedy_order(color_system, width, height, data):
    """Its pruning (by look, cheapest change first) never changes which piece comes next."""
    from rich.color import ColorSystem

    from attn_tui.terminal.wire import Piece, _look, _nearest_first

    system = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT, "standard": ColorSystem.STANDARD}[color_system]
    styles = data.draw(st.lists(st.sampled_from(STYLE_POOL), min_size=1, max_size=6))
    pieces = []
    for y in sorted(data.draw(st.sets(st.integers(0, height - 1), min_size=1, max_size=12))):
        bounds = sorted(data.draw(st.sets(st.integers(0, width), min_size=2, max_size=10)))
        for start, end in zip(bounds[::2], bounds[1::2]):
            style = data.draw(st.sampled_from(styles))
            uncertain = data.draw(st.booleans()) and end - start <= 2
            pieces.append(Piece(y, start, end, _look(style, system), "x" * (end - start), style, uncertain))
    assert _nearest_first(pieces, width) == plain_greedy_order(pieces, width)
