"""Labels in any script: the wire diff, replayed, shows Textual's own full frame, and in a terminal
that counts a grapheme's columns otherwise, everything but that grapheme stays where it belongs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from attn_tui.terminal.wire import ScreenDiff

pytest.importorskip("pyte")

from script_terminals import (  # noqa: E402  (pyte first: these are pyte screens)
    LABELS,
    TERMINALS,
    GraphemeScreen,
    cells,
    differences_outside_uncertain,
    replay,
)
from test_wire import chops_update  # noqa: E402

STYLES = [
    None,
    Style.parse("#e0e0e0 on #1e1e1e"),
    Style.parse("bold #fea62b on #1e1e1e"),
    Style.parse("reverse #fea62b on #0c2130"),
    Style.parse("dim on #121212"),
    Style(link="https://example.org/attn"),
]
PIECES = [*LABELS, "0.4419", "│", "╰─", " ", "  ", "ab", "ω₂₁", "█▊"]
"""What the app's lines are made of: labels, numbers, borders, bars."""

Token = tuple[str, "Style | None"]


@st.composite
def tokens_filling(draw, width: int) -> list[Token]:
    """Segments that fill ``width`` cells; now and then a label's last mark in a style of its own,
    as when Textual splits a grapheme between two segments."""
    tokens: list[Token] = []
    used = 0
    while used < width:
        text = draw(st.sampled_from(PIECES))
        if used + cell_len(text) > width:
            text = " " * (width - used)
        style = draw(st.sampled_from(STYLES))
        # (Only where that leaves the width as it was: a variation selector on its own widens nothing.)
        if len(text) > 1 and cell_len(text[-1]) == 0 and cell_len(text[:-1]) == cell_len(text) and draw(st.booleans()):
            tokens += [(text[:-1], style), (text[-1], draw(st.sampled_from(STYLES)))]
        else:
            tokens.append((text, style))
        used += cell_len(text)
    return tokens


@st.composite
def frames(draw):
    """A screen size and a few frames, each a change to some lines: from a column to the line's
    end, as a widget's repaint does."""
    width = draw(st.integers(8, 28))
    height = draw(st.integers(1, 4))
    first = [draw(tokens_filling(width)) for _ in range(height)]
    updates = []
    for _ in range(draw(st.integers(1, 6))):
        update = {}
        for y in draw(st.sets(st.integers(0, height - 1), min_size=1)):
            start = draw(st.integers(0, width - 1))
            update[y] = (start, draw(tokens_filling(width - start)))
        updates.append(update)
    return width, height, first, updates


def layout_update(lines: list[list[Token]], width: int, height: int) -> LayoutUpdate:
    strips = [[Strip([Segment(text, style) for text, style in line])] for line in lines]
    return LayoutUpdate(strips, Region(0, 0, width, height))


def outputs(case, color_system: str) -> tuple[list[str], list[str]]:
    """What Textual would write for each frame, and what the diff writes instead."""
    width, height, first, updates = case
    console = Console(color_system=color_system, force_terminal=True, width=width)
    diff = ScreenDiff()
    renderables = [layout_update(first, width, height), *(chops_update(update, width, height) for update in updates)]
    textual_output, diff_output = [], []
    for renderable in renderables:
        textual_output.append(renderable.render_segments(console))
        diff_output.append(diff.diff(renderable, console, width, height).render_segments(console))
    return textual_output, diff_output


@pytest.mark.parametrize("color_system", ["truecolor", "256"])
@settings(max_examples=100, deadline=None)
@given(case=frames())
def test_a_terminal_that_counts_as_rich_shows_textuals_own_frame(color_system, case):
    width, height, *_ = case
    full, through_diff = GraphemeScreen(width, height), GraphemeScreen(width, height)
    for textual_frame, diff_frame in zip(*outputs(case, color_system)):
        replay(full, textual_frame)
        replay(through_diff, diff_frame)
        assert cells(through_diff) == cells(full)


@pytest.mark.parametrize("terminal", sorted(TERMINALS))
@settings(max_examples=100, deadline=None)
@given(case=frames())
def test_a_terminal_that_counts_otherwise_keeps_every_other_cell(terminal, case):
    """Numbers and borders stay whole wherever a terminal disagrees about a grapheme's width;
    Textual's own frame, drawn in the same terminal, would shift the rest of the line."""
    width, height, *_ = case
    ideal, disagreeing = GraphemeScreen(width, height), GraphemeScreen(width, height, TERMINALS[terminal])
    for textual_frame, diff_frame in zip(*outputs(case, "truecolor")):
        replay(ideal, textual_frame)
        replay(disagreeing, diff_frame)
        assert differences_outside_uncertain(ideal, disagreeing) == []


def test_a_devanagari_label_leaves_the_numbers_after_it_whole():
    """The issue's case: the diff counted a vowel sign as a column, and the numbers after shifted."""
    width = 24
    label = "│ हिन्दी "
    line = [(label, None), ("0.5500", Style(bold=True)), (" 0.8700 │", None), (" " * (width - 22), None)]
    case = (width, 1, [line], [{0: (cell_len(label), [("0.1234", Style(bold=True))])}])
    textual_output, diff_output = outputs(case, "truecolor")
    for widths in [None, *TERMINALS.values()]:
        screen = GraphemeScreen(width, 1) if widths is None else GraphemeScreen(width, 1, widths)
        text = "".join(cell.data for cell in cells(replay(screen, *diff_output))[0])
        assert text.rstrip().endswith("0.1234 0.8700 │")


def test_a_mark_at_the_start_of_a_repaint_does_not_pile_up_on_the_cell_before():
    """A label that starts with a combining mark: the mark joins the border before it once."""
    console = Console(color_system="truecolor", force_terminal=True, width=6)
    diff = ScreenDiff()
    diff.diff(layout_update([[("│", None), ("\u0301ab  ", None)]], 6, 1), console, 6, 1)
    for _ in range(3):
        repaint = chops_update({0: (1, [("\u0301ab  ", Style(bold=True))])}, 6, 1)
        diff.diff(repaint, console, 6, 1)
    assert diff._cells[0][0][0] == "│\u0301"


def test_the_characters_taken_as_agreed_without_wcwidth_agree():
    """may_disagree answers narrow characters below U+1F000 without asking wcwidth (kept off the
    start-up path): for every such code point, Rich's width and wcwidth's are the same. A new
    version of either table that differs fails here."""
    import unicodedata

    from rich.cells import get_character_cell_size
    from wcwidth import wcwidth

    from attn_tui.terminal.clusters import NARROW, SETTLED_BELOW, may_disagree

    taken = [
        chr(cp)
        for cp in range(0x80, SETTLED_BELOW)
        if unicodedata.category(chr(cp)) not in ("Mn", "Mc", "Me", "Cf", "Cc", "Cs", "Co", "Cn") and unicodedata.east_asian_width(chr(cp)) in NARROW
    ]
    assert len(taken) > 10_000
    assert [c for c in taken if wcwidth(c) != get_character_cell_size(c)] == []
    assert not any(may_disagree(c) for c in "╭─│▶◀·…√Σαω⁽²⁾₂ᵢ−∞×○")
    assert may_disagree("\U0001F1E6")  # a lone regional indicator: the tables disagree


def test_an_ascii_screen_does_not_import_wcwidth():
    """wcwidth (23 modules) is imported when a label or a character needs it, not at start-up."""
    import subprocess
    import sys

    code = (
        "import sys; import attn_tui.cli, attn_tui.ui.app; "
        "from attn_tui.core.graphemes import clip; from attn_tui.terminal.clusters import may_disagree; "
        "clip('journey', 5); [may_disagree(c) for c in '╭─│▶·x⁽²⁾']; "
        "print([m for m in sys.modules if m.startswith('wcwidth')])"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
