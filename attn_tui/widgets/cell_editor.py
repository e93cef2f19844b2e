"""The one-line editor under the grid: Enter commits, Escape cancels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label

from attn_tui.messages import EditCancelled, EditSubmitted


class CellEditor(Horizontal):
    """Hidden until :meth:`open` is called; posts :class:`EditSubmitted` or :class:`EditCancelled`."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel edit", priority=True, id="editor.cancel"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._row = 0
        self._column = 0

    def compose(self) -> ComposeResult:
        yield Label(id="editor-label")
        yield Input(id="editor-input", compact=True, select_on_focus=False)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, row: int, column: int, caption: str, text: str, *, select_all: bool) -> None:
        """Show the editor for one cell, pre-filled with ``text``."""
        self._row, self._column = row, column
        self.query_one("#editor-label", Label).update(caption)
        editor = self.query_one("#editor-input", Input)
        editor.value = text
        self.add_class("-open")
        editor.focus()
        if select_all:
            editor.select_all()
        else:
            editor.cursor_position = len(text)

    def close(self) -> None:
        self.remove_class("-open")

    def action_cancel(self) -> None:
        self.post_message(EditCancelled())

    @on(Input.Submitted, "#editor-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(EditSubmitted(self._row, self._column, event.value))
