"""The heatmap's colour scale: sequential, readable numbers on every colour, still ordered at 256 colours."""

from __future__ import annotations

import math

import pytest
from rich.color import Color, ColorSystem

from attn_tui.ui.heatmap import (
    VIRIDIS,
    contrast_ratio,
    heat_colour,
    heat_style,
    relative_luminance,
    scale_fractions,
)

FRACTIONS = [i / 20 for i in range(21)]


def test_lightness_rises_along_the_scale():
    """Sequential: more weight is always lighter, so greyscale (NO_COLOR) keeps the order."""
    luminances = [relative_luminance(heat_colour(f)) for f in FRACTIONS]
    assert luminances == sorted(luminances)
    assert luminances[-1] > 5 * luminances[0]


def test_no_red_green_contrast():
    """Colour-blind safe: the scale runs purple → blue → green → yellow, never through red."""
    for r, g, b in VIRIDIS:
        assert not (r > 200 and g < 100), (r, g, b)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_the_number_in_every_cell_stays_readable(fraction):
    style = heat_style(fraction)
    background = style.bgcolor.get_truecolor()
    text = style.color.get_truecolor()
    assert contrast_ratio(tuple(background), tuple(text)) >= 4.5  # WCAG AA


def test_the_scale_survives_256_colours():
    levels = [Color.from_rgb(*heat_colour(f)).downgrade(ColorSystem.EIGHT_BIT) for f in [0, 0.2, 0.4, 0.6, 0.8, 1.0]]
    assert len({level.number for level in levels}) == 6
    luminances = [relative_luminance(tuple(level.get_truecolor())) for level in levels]
    assert luminances == sorted(luminances)


def test_fractions_span_the_smallest_to_the_largest():
    assert scale_fractions([0.1, 0.2, 0.3]) == pytest.approx([0.0, 0.5, 1.0])
    assert scale_fractions([0.5, 0.5]) == [1.0, 1.0]
    assert scale_fractions([math.nan, 0.2, 0.4]) == [0.0, 0.0, 1.0]
    assert scale_fractions([math.nan]) == [0.0]
    assert heat_colour(math.nan) == heat_colour(0.0)
    assert heat_colour(2.0) == heat_colour(1.0)
