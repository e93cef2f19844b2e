"""Shared helpers for driving the app headless."""

from __future__ import annotations

from textual.geometry import Region
from textual.widget import Widget


def widget_text(widget: Widget) -> str:
    """The text a widget currently paints, line by line (no styles)."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)
