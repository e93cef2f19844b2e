"""The truecolor filter, skipped where it changes nothing (attn_tui/ui/line_filters.py), paints
exactly what Textual's filter paints: every character, every style, on any line."""

from __future__ import annotations

import random

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import ANSIToTruecolor, Monochrome
from textual.strip import Strip

from attn_tui.ui.line_filters import LineFilters, TruecolorWhenNeeded

COLOURS = [None, "red", "bright_blue", "color(200)", "#ff8800", "rgb(10,20,30)", "default"]


def random_style(rng: random.Random, colours: list[str | None]) -> Style | None:
    if rng.random() < 0.15:
        return None
    style = Style(
        color=rng.choice(colours), bgcolor=rng.choice(colours), bold=rng.random() < 0.3, dim=rng.random() < 0.1, reverse=rng.random() < 0.2
    )
    if rng.random() < 0.3:  # Textual's selection offsets, links
        style += Style.from_meta({"offset": (rng.randrange(80), rng.randrange(24))})
    return style


def random_line(rng: random.Random, colours: list[str | None]) -> list[Segment]:
    line = [Segment(rng.choice(["ab", " ", "日本", "ω₂₁", "█▌"]), random_style(rng, colours)) for _ in range(rng.randrange(0, 12))]
    if rng.random() < 0.05:
        line.append(Segment("", None, [(1,)]))  # a control code: the filter drops it
    return line


def test_it_paints_what_textuals_filter_paints():
    rng = random.Random(11)
    textuals = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    ours = TruecolorWhenNeeded(textuals)
    skipped = 0
    for index in range(3000):
        # Half the lines in true colours only (attn-tui's own), half with anything.
        colours = [None, "#ff8800", "rgb(10,20,30)"] if index % 2 else COLOURS
        line = random_line(rng, colours)
        background = Color(rng.randrange(256), 30, 30)
        expected = textuals.apply(line, background)
        got = ours.apply(line, background)
        skipped += got is line
        assert [(s.text, s.style, s.control) for s in got] == [(s.text, s.style, s.control) for s in expected]
    assert skipped > 1000  # the true-colour lines, most of them (some are dim)


def test_the_apps_filters_keep_their_order_and_one_wrapper_per_filter():
    textuals = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    monochrome = Monochrome()
    filters = LineFilters()
    first = filters.wrap([textuals, monochrome])
    assert isinstance(first[0], TruecolorWhenNeeded) and first[0].filter is textuals and first[1] is monochrome
    assert filters.wrap([textuals, monochrome])[0] is first[0]  # a strip's cache of it keeps hitting
    themed = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)  # a new theme: Textual makes a new filter
    assert filters.wrap([themed])[0].filter is themed


def test_a_strip_filtered_twice_is_filtered_once():
    strip = Strip([Segment("x", Style(color="#102030"))])
    wrapper = TruecolorWhenNeeded(ANSIToTruecolor(DEFAULT_TERMINAL_THEME))
    background = Color(0, 0, 0)
    assert strip.apply_filter(wrapper, background) is strip.apply_filter(wrapper, background)
    assert RichColor.parse("red").triplet is None  # what the test's 16 colours rely on
