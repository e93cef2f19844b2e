"""The app's line filters, with the ANSI-to-truecolor one skipped on lines it would not change.

Textual passes every new line it paints through ``ANSIToTruecolor``, which turns the terminal's 16
and 256 colours into the theme's true colours: it rebuilds each segment of the line (and looks its
style up in a cache) whether or not its colours change. attn-tui's own colours are true colours
already. A line in which no segment has a 16- or 256-colour, a dim attribute or a control code is
handed on as it is (what the filter would have returned, segment for segment); any other line
goes through Textual's filter. Measured alternately in one process, this saved 0.2–0.3 ms of a
64-token query change's paint.
"""

from __future__ import annotations

from typing import Sequence

from rich.segment import Segment
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter


def _converted(segments: list[Segment]) -> bool:
    """True if ANSIToTruecolor may change a segment of ``segments`` (else it returns them equal)."""
    for _, style, control in segments:
        if control is not None:
            return True  # the filter drops control codes
        if style is None:
            continue
        color, bgcolor = style.color, style.bgcolor
        if (color is not None and color.triplet is None) or (bgcolor is not None and bgcolor.triplet is None) or style.dim:
            return True
    return False


class TruecolorWhenNeeded(LineFilter):
    """``ANSIToTruecolor``, skipped for a line it would leave as it is (see the module)."""

    def __init__(self, filter: ANSIToTruecolor) -> None:
        super().__init__(enabled=filter.enabled)
        self.filter = filter

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return self.filter.apply(segments, background) if _converted(segments) else segments


class LineFilters:
    """Gives the app's filters with its ANSIToTruecolor wrapped; the same wrapper while the app
    keeps the same filter (strips cache what a filter made of them, by filter)."""

    def __init__(self) -> None:
        self._wrapped: tuple[ANSIToTruecolor, TruecolorWhenNeeded] | None = None

    def wrap(self, filters: Sequence[LineFilter]) -> list[LineFilter]:
        return [self._wrapper(line_filter) if type(line_filter) is ANSIToTruecolor else line_filter for line_filter in filters]

    def _wrapper(self, line_filter: ANSIToTruecolor) -> TruecolorWhenNeeded:
        # A new theme gives the app a new filter: a wrapper for the current one is enough.
        if self._wrapped is None or self._wrapped[0] is not line_filter:
            self._wrapped = (line_filter, TruecolorWhenNeeded(line_filter))
        return self._wrapped[1]
