"""Painting a plain widget's rows without Textual's per-line styling pass.

Textual paints every row of a widget through its styles cache: each row is checked for borders,
outlines, padding, hatching, tint and opacity, and rebuilt as a new strip even when it has none of
them. For the panels' bodies, the message line, the walk's explanation, the query bar and the
vector plot (nothing blended, no scroll bar) that pass adds only the background, the padding and
the border's sides: at 64 tokens it took more than half of the time the panels' bodies took to
paint (1.6 ms in a tight loop; 0.6 ms without it, with the notes drawn line by line, see
table_lines.py).

:class:`DirectLines` paints such a widget's content rows itself: each content line widened to
the content's width in the widget's background, padded, between the border's sides, then passed
through the app's line filters (e.g. ``NO_COLOR``'s). A row whose content did not change is the
same strip as before, and so is its filtered copy (cached on it): painting it again costs nothing.
The rows above and below the content (the border's top and bottom, their titles, vertical
padding) are Textual's own. A widget with anything blended or a scroll bar falls back to
Textual's pass; ``tests/app/test_direct_lines.py`` checks that the two paint the same.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Static

from attn_tui.terminal.textual_internals import side_borders


@lru_cache(maxsize=64)
def _inner_style(base_background: Color, background: Color) -> RichStyle:
    """The style a line is widened in: the widget's background over its parent's (as Textual's
    styles cache widens it)."""
    return Style(background=base_background + background).rich_style


def draws_plainly(widget: Widget) -> bool:
    """True if Textual's styling pass would add nothing to ``widget``'s content rows but the
    background, padding and the sides of a border (no outline, tint, hatch, opacity, and no scroll
    bar, which would take the place of a row's right end)."""
    styles = widget.styles
    return (
        not any(edge for edge, _ in styles.outline)
        and not styles.tint.a
        and styles.text_opacity == 1.0
        and (not styles.has_rule("hatch") or styles.hatch == "none")
        and widget.opacity == 1.0
        and not widget.auto_links
        and not (widget.scrollbar_size_vertical or widget.scrollbar_size_horizontal)
    )


class DirectLines:
    """Mixed into a widget class (before it), paints its content rows directly when it draws
    plainly (see the module); its border and padding rows above and below are Textual's. The
    widget draws as any does (``render`` or ``render_line``). Its ``auto_links`` are off: links are
    styled in the pass skipped here, and none of ours has any."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.auto_links = False
        self._framed: dict[int, tuple[Strip, Strip]] = {}
        """Each content row as last painted within the border: (its content, the row)."""
        self._frame: tuple[object, ...] = ()
        """What the framed rows were painted in: width, background, border sides, padding."""

    def render_lines(self: Widget, crop: Region) -> list[Strip]:
        if not self.is_attached:
            # Removed (a mechanism's old panels) but still in the last layout of the screen under a
            # dialog, which draws it as the dialog's background: it is no longer shown, and a
            # Static cannot draw its content without a screen.
            return [Strip.blank(crop.width)] * crop.height
        if not draws_plainly(self):
            return super().render_lines(crop)  # type: ignore[misc]
        styles = self.styles
        width, height = self.outer_size
        top, _, bottom, _ = styles.gutter
        first_row, end_row = crop.y, crop.bottom
        content_start, content_end = max(first_row, top), min(end_row, height - bottom)
        strips: list[Strip] = []
        if first_row < content_start:  # the border's top row, padding: Textual's own (and cached)
            strips.extend(super().render_lines(Region(0, first_row, width, content_start - first_row)))  # type: ignore[misc]
        if content_start < content_end:
            strips.extend(self._content_rows(range(content_start, content_end), top, width))
        if max(content_end, first_row) < end_row:
            start = max(content_end, first_row)
            strips.extend(super().render_lines(Region(0, start, width, end_row - start)))  # type: ignore[misc]
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _content_rows(self: Widget, rows: range, top: int, width: int) -> list[Strip]:
        """The content rows ``rows`` (counted from the widget's top), filtered."""
        base_background, background = self.background_colors
        inner = _inner_style(base_background, background)
        _, pad_right, _, pad_left = self.styles.padding
        left, right = side_borders(self.styles.border, base_background, background)
        render_line = self.render_line
        if left is None and right is None and not (pad_left or pad_right):
            strips = [render_line(y - top).adjust_cell_length(width, inner) for y in rows]
        else:
            strips = self._framed_rows(rows, top, width, inner, left, right, pad_left, pad_right)
        for line_filter in self.get_line_filters():
            strips = [strip.apply_filter(line_filter, background) for strip in strips]
        return strips

    def _framed_rows(
        self, rows: range, top: int, width: int, inner: RichStyle, left: Segment | None, right: Segment | None, pad_left: int, pad_right: int
    ) -> list[Strip]:
        """Content rows with padding and the border's sides, as Textual's pass builds them; a row
        whose content is the same strip as last time is the same row (its filtered copy is cached
        on it)."""
        frame = (width, inner, left, right, pad_left, pad_right)
        if frame != self._frame:
            self._frame, self._framed = frame, {}
        framed = self._framed
        content_width = width - pad_left - pad_right - (left is not None) - (right is not None)
        render_line = self.render_line
        strips = []
        for y in rows:
            content = render_line(y - top)
            kept = framed.get(y)
            if kept is not None and kept[0] is content:
                strips.append(kept[1])
                continue
            segments = list(content.adjust_cell_length(content_width, inner))
            if pad_left:
                segments.insert(0, Segment(" " * pad_left, inner))
            if pad_right:
                segments.append(Segment(" " * pad_right, inner))
            if left is not None:
                segments.insert(0, left)
            if right is not None:
                segments.append(right)
            strip = Strip(segments, width)
            framed[y] = (content, strip)
            strips.append(strip)
        return strips


class DirectStatic(DirectLines, Static):
    """A Static painted directly: the panels' bodies, the message line, the walk's explanation."""
