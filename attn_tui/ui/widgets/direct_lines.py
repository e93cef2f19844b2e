"""Painting a plain widget's lines without Textual's per-line styling pass.

Textual paints every line of a widget through its styles cache: each line is checked for borders,
outlines, padding, hatching, tint and opacity, and rebuilt as a new strip even when it has none of
them. For the panels' bodies, the message line and the vector plot (no border, nothing blended)
that pass adds nothing but the background: at 64 tokens it took more than half of the time the
panels' bodies took to paint (1.6 ms in a tight loop; 0.6 ms without it, with the notes drawn line
by line, see table_lines.py).

:class:`DirectLines` paints such a widget's lines as they are: each content line widened to the
widget's width in its background, then the app's line filters (e.g. ``NO_COLOR``'s). The strips
keep their own caches of both, so a line whose content did not change costs nothing to paint
again (padding left and right is added here too). A widget given a border, padding above or below
or anything blended falls back to Textual's pass; ``tests/app/test_direct_lines.py`` checks that
the two paint the same.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style as RichStyle
from textual.color import Color
from textual.geometry import Region, Spacing
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Static

_NO_SPACING = Spacing(0, 0, 0, 0)


@lru_cache(maxsize=64)
def _inner_style(base_background: Color, background: Color) -> RichStyle:
    """The style a line is widened in: the widget's background over its parent's (as Textual's
    styles cache widens it)."""
    return Style(background=base_background + background).rich_style


def draws_plainly(widget: Widget) -> bool:
    """True if Textual's styling pass would add nothing to ``widget``'s content lines but the
    background and padding left and right (no border, outline, tint, hatch or opacity)."""
    styles = widget.styles
    padding = styles.padding
    return (
        not padding.top
        and not padding.bottom
        and styles.border.spacing == _NO_SPACING
        and not any(edge for edge, _ in styles.outline)
        and not styles.tint.a
        and styles.text_opacity == 1.0
        and (not styles.has_rule("hatch") or styles.hatch == "none")
        and widget.opacity == 1.0
        and not widget.auto_links
    )


class DirectLines:
    """Mixed into a widget class (before it), paints its lines directly when it draws plainly
    (see the module). The widget draws as any does (``render`` or ``render_line``). Its
    ``auto_links`` are off: links are styled in the pass skipped here, and none of ours has any."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.auto_links = False

    def render_lines(self: Widget, crop: Region) -> list[Strip]:
        if not draws_plainly(self):
            return super().render_lines(crop)  # type: ignore[misc]
        width = self.region.width  # the content's and the padding's
        _, right, _, left = self.styles.padding
        content_width = width - left - right
        base_background, background = self.background_colors
        inner = _inner_style(base_background, background)
        render_line = self.render_line
        if left or right:
            # A new strip each time: this pass is still cheaper than Textual's (the message line).
            strips = [render_line(y).crop_pad(content_width, left, right, inner) for y in crop.line_range]
        else:
            strips = [render_line(y).adjust_cell_length(width, inner) for y in crop.line_range]
        for line_filter in self.get_line_filters():
            strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips


class DirectStatic(DirectLines, Static):
    """A Static painted directly: the panels' bodies, the message line, the walk's explanation."""
