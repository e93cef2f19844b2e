"""Every private part of Textual and Rich that attn-tui relies on, reached from here only.

Textual is pinned below 9, but a minor release may still rename what is private. Each use below
says why it is needed; ``tests/unit/test_textual_internals.py`` checks that all of them still exist,
so an upgrade that removes one fails there, by name, rather than somewhere in a key press.

- The wire diff hooks :meth:`App._display` (the one place a frame goes to the terminal) and reads
  the app's running state to know when a diff is safe.
- The command palette is subclassed to survive keys that arrive while it opens or closes.
- The header's parts are reused to give the title a repaint that needs no new layout.
- Rich's ``Text._spans`` tells the fast table layout whether a cell is plain, and
  ``Table._calculate_column_widths`` how wide Rich makes each column of a table it shrinks.
- A widget's border title is set without Textual's setter, which repaints the whole widget.
- The segments of a widget's left and right border, drawn beside its content rows when the
  widget paints them itself (``attn_tui/ui/widgets/direct_lines.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.table import Column, Table
from rich.text import Text
from textual import _border, work
from textual._compositor import CompositorUpdate
from textual._node_list import DuplicateIds
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches
from textual.color import Color
from textual.geometry import Region
from textual.style import Style
from textual.widget import Widget
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.timer import Timer

    from attn_tui.terminal.wire import ScreenDiff

__all__ = [
    "CompositorUpdate",
    "DuplicateIds",
    "HeaderClock",
    "HeaderClockSpace",
    "HeaderIcon",
    "HeaderTitle",
    "SafeCommandPalette",
    "DiffedDisplay",
    "column_cells",
    "has_spans",
    "rich_column_widths",
    "is_command_palette",
    "REACHED",
    "set_border_title",
    "side_borders",
]

REACHED: dict[str, tuple[Any, str]] = {
    "App._display": (None, "the hook every frame passes through (the wire diff)"),
    "App._batch_count": (None, "a batch update in progress: no diff until it ends"),
    "App._previous_cursor_position": (None, "skip an empty frame only if the cursor stays"),
    "CommandPalette._gather_commands": (CommandPalette, "a search that finds the palette closed stops quietly"),
    "CommandPalette._GATHER_COMMANDS_GROUP": (CommandPalette, "the same worker group as Textual's own search"),
    "CommandPalette._watch__list_visible": (CommandPalette, "the list may be gone when a search ends"),
    "CommandPalette._start_no_matches_countdown": (CommandPalette, "its timer is guarded by set_timer: the list may be gone when it ends"),
    "Text._spans": (Text, "a cell without styled spans is laid out by the fast path"),
    "Column._cells": (Column, "a table's cells, measured and laid out by the panels in one pass"),
    "Table._calculate_column_widths": (Table, "a table shrunk to a narrow panel is laid out by the fast path"),
    "Widget._border_title": (Widget, "a new border title repaints its border row only"),
    "Widget._border_subtitle": (Widget, "a new border subtitle repaints its border row only"),
    "_border.get_box": (_border, "the left and right border beside a row painted directly"),
}
"""What is reached, and why: the test checks each name still exists."""


def column_cells(column: Column) -> list[RenderableType]:
    """The cells of a Rich table's ``column``, top to bottom (the list itself: a change shows)."""
    return column._cells


def has_spans(text: Text) -> bool:
    """True if ``text`` carries styled spans (not just one style for all of it)."""
    return bool(text._spans)


def set_border_title(widget: Widget, title: str, *, subtitle: bool = False) -> None:
    """Set ``widget``'s border title (its subtitle if ``subtitle``), repainting only the border row
    it is drawn on.

    Textual's setter repaints the whole widget, every row through its styles: a panel's title
    changes with every query, and repainting the panels' rows for it was a third of a query
    change's painting. A widget not on screen gets Textual's setter (its rows are painted anew
    when it shows)."""
    if title == (widget.border_subtitle if subtitle else widget.border_title):
        return
    if not widget.region:
        if subtitle:
            widget.border_subtitle = title
        else:
            widget.border_title = title
        return
    # What Textual's setter stores (see textual.widget._BorderTitle).
    content = widget.render_str(title).expand_tabs(4).split()[0]
    if subtitle:
        widget._border_subtitle = content
    else:
        widget._border_title = content
    # Refresh regions are relative to the content: the border row lies above (or below) it.
    offset = widget.content_offset
    width, height = widget.outer_size
    row = height - 1 if subtitle else 0
    widget.refresh(Region(-offset.x, row - offset.y, width, 1))


@lru_cache(maxsize=256)
def side_borders(border: tuple, base_background: Color, background: Color) -> tuple[Segment | None, Segment | None]:
    """The segments Textual draws left and right of a content row of a widget with ``border``
    (``styles.border``) on ``base_background`` in ``background``, at full opacity (as its styles
    cache draws them)."""
    (_, _), (right, right_colour), (_, _), (left, left_colour) = border
    inner, outer = Style(background=base_background + background), Style(background=base_background)
    left_segment = _border.get_box(left, inner, outer, Style(foreground=base_background + left_colour))[1][0] if left else None
    right_segment = _border.get_box(right, inner, outer, Style(foreground=base_background + right_colour))[1][2] if right else None
    return left_segment, right_segment


def rich_column_widths(table: Table, console: Console, width: int) -> list[int]:
    """The widths, padding included, Rich gives ``table``'s columns when drawn in ``width`` cells."""
    return table._calculate_column_widths(console, console.options.update_width(width))


def is_command_palette(screen: object) -> bool:
    return isinstance(screen, CommandPalette)


class SafeCommandPalette(CommandPalette):
    """Textual's command palette, safe against keys that arrive while it opens or closes."""

    def dismiss(self, result: object = None) -> AwaitComplete:
        # Textual 8 dismisses again on a second Enter typed before the palette has closed, and
        # popping a screen that is no longer on top raises ScreenStackError.
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        # The same search, but one that finds the palette closed (a fast Esc) stops quietly.
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)
        except NoMatches:
            if self.query(CommandList):
                raise

    def _watch__list_visible(self) -> None:
        # Its command search may finish after the palette has closed, when the list is gone.
        if self.query(CommandList):
            super()._watch__list_visible()

    def set_timer(self, delay: float, callback: Callable[[], object] | None = None, *args: Any, **kwargs: Any) -> Timer:
        # The palette's timers ("No matches found" after half a second of a fruitless search, the
        # busy indicator) act on its command list. On a loaded machine one can end while the palette
        # closes, its list already removed: Textual's callback raised NoMatches and the app stopped.
        # They act only while the list is there.
        return super().set_timer(delay, None if callback is None else self._while_open(callback), *args, **kwargs)

    def _while_open(self, callback: Callable[[], object]) -> Callable[[], object]:
        def only_while_open() -> object:
            return callback() if self.query(CommandList) else None

        return only_while_open


class DiffedDisplay:
    """A mixin of the app: frames go to the terminal through the wire diff (only changed cells).

    The app provides ``_screen_diff`` (a :class:`~attn_tui.terminal.wire.ScreenDiff`) and calls
    :meth:`frame_written` hooks by overriding it (start-up waits for the first frame).
    """

    _screen_diff: ScreenDiff

    def frame_written(self) -> None:
        """Called after every frame, written or not."""

    def _display(self: Any, screen: Screen, renderable: RenderableType | None) -> None:
        try:
            self._write_frame(screen, renderable)
        finally:
            self.frame_written()

    def _write_frame(self: Any, screen: Screen, renderable: RenderableType | None) -> None:
        # Only the cells that changed go to the terminal (see attn_tui.terminal.wire): a key press
        # costs bytes in proportion to what changed on screen, not to the widgets that repainted.
        app: App = self
        driver = app._driver
        if (
            isinstance(renderable, CompositorUpdate)
            and app._running
            and not app._closed
            and not app.is_headless
            and not app._batch_count
            and driver is not None
            and not driver.is_inline
        ):
            try:
                renderable = self._screen_diff.diff(renderable, app.console, *app.size)
            except Exception:  # never worse than a full repaint
                self._screen_diff.reset()
            else:
                cursor = app.screen.outer_size.clamp_offset(app.cursor_position)
                if not renderable.text and cursor == app._previous_cursor_position:
                    return  # nothing changed: not even a cursor move goes out
        super()._display(screen, renderable)  # type: ignore[misc]
