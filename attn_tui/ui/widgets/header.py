"""Textual's header, with a title that repaints without a new layout."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import Reactive
from textual.visual import VisualType
from textual.widgets import Header
from attn_tui.terminal.textual_internals import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle


class _Title(HeaderTitle):
    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        # The title always fills the header's one line: a new text never changes a size, and
        # laying out every widget again cost a third of a key press that marks changes unsaved.
        super().update(content, layout=layout)


class AppHeader(Header):
    """The header; the sub-title names the file and marks unsaved changes."""

    icon = Reactive("α")
    """Textual's ⭘ is missing from the fonts SVG screenshots are drawn with (a box in the README);
    α is in every font, and is what the app is about."""

    def format_title(self) -> Content:
        # No span starts with a space: an SVG renderer drops it (Textual's own " — " span, two
        # no-break spaces around a dash, was drawn "attn-tui—  simple" in the README).
        title, sub_title = self.screen_title, self.screen_sub_title
        if not sub_title:
            return Content(title)
        return Content.assemble(Content(f"{title} "), Content(f"· {sub_title}").stylize("dim"))

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield _Title()
        yield HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
