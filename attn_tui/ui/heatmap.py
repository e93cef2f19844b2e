"""The colour scale of the weight heatmap (Rich styles only; no Textual, no torch).

Viridis: sequential, perceptually even and safe for colour-blind viewers (no red/green contrast),
and its lightness rises steadily, so a 256-colour terminal's approximation and a greyscale
(NO_COLOR) rendering still read as "darker = less". The text colour follows the background's
lightness so the number in each cell stays readable everywhere.
"""

from __future__ import annotations

import math

from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.style import Style

VIRIDIS = (
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3E, 0x4A, 0x89),
    (0x31, 0x68, 0x8E),
    (0x26, 0x82, 0x8E),
    (0x1F, 0x9E, 0x89),
    (0x35, 0xB7, 0x79),
    (0x6D, 0xCD, 0x59),
    (0xB4, 0xDE, 0x2C),
    (0xFD, 0xE7, 0x25),
)
"""Evenly spaced stops of matplotlib's viridis, from low to high."""

DARK_TEXT = Color.from_rgb(0, 0, 0)
LIGHT_TEXT = Color.from_rgb(255, 255, 255)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG contrast ratio, 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def heat_colour(fraction: float) -> tuple[int, int, int]:
    """The scale's colour at ``fraction`` (0 lowest, 1 highest; clamped, NaN counts as 0)."""
    if not fraction > 0.0:  # also NaN
        fraction = 0.0
    position = min(fraction, 1.0) * (len(VIRIDIS) - 1)
    index = min(int(position), len(VIRIDIS) - 2)
    low, high = VIRIDIS[index], VIRIDIS[index + 1]
    t = position - index
    r, g, b = (round(a + (b - a) * t) for a, b in zip(low, high))
    return (r, g, b)


def text_colour(background: tuple[int, int, int]) -> Color:
    """Black or white, whichever contrasts more with ``background``."""
    dark = contrast_ratio(background, (0, 0, 0))
    light = contrast_ratio(background, (255, 255, 255))
    return DARK_TEXT if dark >= light else LIGHT_TEXT


def heat_style(fraction: float) -> Style:
    """Background from the scale with a readable text colour on top."""
    background = heat_colour(fraction)
    return Style(bgcolor=Color.from_triplet(ColorTriplet(*background)), color=text_colour(background))


def scale_fractions(values: list[float]) -> list[float]:
    """Each value's place between the smallest and the largest (all 1.0 when they are equal)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return [0.0 for _ in values]
    low, high = min(finite), max(finite)
    return [scale_fraction(v, low, high) for v in values]


def scale_fraction(value: float, low: float, high: float) -> float:
    """``value``'s place between ``low`` and ``high``, the finite extremes of its matrix
    (1.0 when they are equal; 0.0 for a value that is not finite)."""
    if not math.isfinite(value):
        return 0.0
    if high == low:
        return 1.0
    return (value - low) / (high - low)
