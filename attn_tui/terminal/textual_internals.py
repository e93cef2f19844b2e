"""Every private part of Textual and Rich that attn-tui relies on, reached from here only.

Textual is pinned below 9, but a minor release may still rename what is private. Each use below
says why it is needed; ``tests/unit/test_textual_internals.py`` checks that all of them still exist,
so an upgrade that removes one fails there, by name, rather than somewhere in a key press.

- The wire diff hooks :meth:`App._display` (the one place a frame goes to the terminal) and reads
  the app's running state to know when a diff is safe.
- The command palette is subclassed to survive keys that arrive while it opens or closes.
- The header's parts are reused to give the title a repaint that needs no new layout.
- Rich's ``Text._spans`` tells the fast table layout whether a cell is plain, and
  ``Table._calculate_column_widths`` how Rich shrinks a table wider than its panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual._compositor import CompositorUpdate
from textual._node_list import DuplicateIds
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

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
    "has_spans",
    "rich_column_widths",
    "is_command_palette",
    "REACHED",
]

REACHED: dict[str, tuple[Any, str]] = {
    "App._display": (None, "the hook every frame passes through (the wire diff)"),
    "App._batch_count": (None, "a batch update in progress: no diff until it ends"),
    "App._previous_cursor_position": (None, "skip an empty frame only if the cursor stays"),
    "CommandPalette._gather_commands": (CommandPalette, "a search that finds the palette closed stops quietly"),
    "CommandPalette._GATHER_COMMANDS_GROUP": (CommandPalette, "the same worker group as Textual's own search"),
    "CommandPalette._watch__list_visible": (CommandPalette, "the list may be gone when a search ends"),
    "Text._spans": (Text, "a cell without styled spans is laid out by the fast path"),
    "Table._calculate_column_widths": (Table, "a table wider than its panel is shrunk as Rich would, laid out by the fast path"),
}
"""What is reached, and why: the test checks each name still exists."""


def has_spans(text: Text) -> bool:
    """True if ``text`` carries styled spans (not just one style for all of it)."""
    return bool(text._spans)


def rich_column_widths(table: Table, console: Console, width: int) -> list[int]:
    """The widths, padding included, Rich gives ``table``'s columns when drawn ``width`` cells wide
    (a table without borders: all of the width is the columns')."""
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
