"""The embedding grid: one row per token, its label then one column per dimension.

Editing happens inside the grid, in the cell itself. Keeping the keys in one widget keeps them in
order: a fast typist's "0.5⏎" must not race a focus change to a separate input box.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from attn_tui.formatting import format_number
from attn_tui.messages import EditCancelled, EditStarted, EditSubmitted
from attn_tui.scenario import Scenario

LABEL_COLUMN = 0
"""Grid column 0 holds the token labels; dimension k lives in grid column k + 1."""

QUERY_MARK = "▶ "
"""Marks the query row without colour, so it stays visible under NO_COLOR."""

EDIT_START_CHARACTERS = frozenset("0123456789-.+")
"""Typing one of these on a number starts an edit that replaces the value."""


@dataclass(frozen=True)
class CellEdit:
    """Text being typed into one cell, with the caret position."""

    row: int
    column: int
    text: str
    caret: int

    def insert(self, characters: str) -> CellEdit:
        text = self.text[: self.caret] + characters + self.text[self.caret :]
        return replace(self, text=text, caret=self.caret + len(characters))

    def backspace(self) -> CellEdit:
        if self.caret == 0:
            return self
        return replace(self, text=self.text[: self.caret - 1] + self.text[self.caret :], caret=self.caret - 1)

    def delete(self) -> CellEdit:
        return replace(self, text=self.text[: self.caret] + self.text[self.caret + 1 :])

    def move(self, caret: int) -> CellEdit:
        return replace(self, caret=max(0, min(len(self.text), caret)))

    def render(self, style: str) -> Text:
        after = self.text[self.caret :]
        text = Text(self.text[: self.caret], style=style)
        text.append(after[:1] or " ", style="reverse")
        text.append(after[1:])
        return text


class EmbeddingGrid(DataTable[Text]):
    """Token embeddings, spreadsheet-style.

    It edits only its own text: on Enter it posts :class:`EditSubmitted`, and the app decides.
    """

    BINDINGS = [
        Binding("h", "cursor_left", "Left", show=False, id="grid.left"),
        Binding("j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("k", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("l", "cursor_right", "Right", show=False, id="grid.right"),
        Binding("enter", "start_edit", "Edit cell", id="grid.edit"),
        # Shown in the footer only while editing (see check_action); on_key does the work.
        Binding("enter", "commit_edit", "Commit", id="grid.commit"),
        Binding("escape", "cancel_edit", "Cancel edit", id="grid.cancel"),
    ]

    EDIT_KEYS = [
        Binding("enter", "", "Commit the edit (refused unless a finite number)"),
        Binding("escape", "", "Cancel the edit"),
        Binding("left,right,home,end", "", "Move the caret"),
        Binding("backspace,delete", "", "Delete a character"),
    ]
    """Keys the grid handles itself while a cell is being edited (listed in the help screen)."""

    COMPONENT_CLASSES = {"embedding-grid--query", "embedding-grid--editing", "embedding-grid--highlight"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=False, fixed_columns=1)
        self._shown: Scenario | None = None
        self._edit: CellEdit | None = None
        self._highlight: frozenset[tuple[int, int]] = frozenset()

    # --- showing a scenario ---

    def show(self, scenario: Scenario) -> None:
        """Render ``scenario``, touching only the cells that changed."""
        shown = self._shown
        self._shown = scenario
        if shown is None or shown.n_dims != scenario.n_dims or shown.n_tokens != scenario.n_tokens:
            self._rebuild(scenario)
            return
        query_rows = {shown.query, scenario.query} if shown.query != scenario.query else set()
        for row in range(scenario.n_tokens):
            if row in query_rows or shown.tokens[row] != scenario.tokens[row]:
                self._refresh_cell(row, LABEL_COLUMN)
            for dim, value in enumerate(scenario.embeddings[row]):
                if row in query_rows or value != shown.embeddings[row][dim]:
                    self._refresh_cell(row, dim + 1)

    def set_highlight(self, cells: Iterable[tuple[int, int]]) -> None:
        """Emphasise these (token, dimension) cells, 0-based, e.g. the ones a walkthrough step reads.

        An empty iterable clears the emphasis.
        """
        cells = frozenset(cells)
        changed = cells ^ self._highlight
        self._highlight = cells
        if self._shown is None:
            return
        for token, dim in changed:
            if 0 <= token < self._shown.n_tokens and 0 <= dim < self._shown.n_dims:
                self._refresh_cell(token, dim + 1)

    def _rebuild(self, scenario: Scenario) -> None:
        cursor = self.cursor_coordinate
        self._edit = None
        self.clear(columns=True)
        self.add_column("token", key="token")
        for dim in range(scenario.n_dims):
            self.add_column(Text(f"dim {dim + 1}", justify="right"), key=f"dim{dim}")
        for row in range(scenario.n_tokens):
            self.add_row(*(self._cell(row, column) for column in range(scenario.n_dims + 1)), key=f"token{row}")
        if cursor.column == LABEL_COLUMN and cursor.row == 0:
            cursor = Coordinate(0, 1)  # start on the first number, not on a label
        self.cursor_coordinate = Coordinate(min(cursor.row, scenario.n_tokens - 1), min(cursor.column, scenario.n_dims))

    def _refresh_cell(self, row: int, column: int) -> None:
        self.update_cell_at(Coordinate(row, column), self._cell(row, column), update_width=True)

    def _cell(self, row: int, column: int) -> Text:
        scenario = self._shown
        assert scenario is not None
        style = self.get_component_rich_style("embedding-grid--query") if row == scenario.query else Style()
        edit = self._edit
        if edit is not None and (edit.row, edit.column) == (row, column):
            return edit.render(self.get_component_rich_style("embedding-grid--editing"))
        if column == LABEL_COLUMN:
            mark = QUERY_MARK if row == scenario.query else "  "
            return Text(mark + scenario.tokens[row], style=style)
        if (row, column - 1) in self._highlight:
            style += self.get_component_rich_style("embedding-grid--highlight")
        return Text(format_number(scenario.embeddings[row][column - 1]), style=style, justify="right")

    # --- editing ---

    @property
    def editing(self) -> CellEdit | None:
        """The edit in progress, if any."""
        return self._edit

    def start_edit(self, row: int, column: int, text: str | None = None, *, quietly: bool = False) -> None:
        """Edit a cell; ``text`` replaces its value, or None pre-fills the current one.

        ``quietly`` skips the :class:`EditStarted` message (the app re-opening a refused edit).
        """
        scenario = self._shown
        if scenario is None or not (0 <= row < scenario.n_tokens and 0 <= column <= scenario.n_dims):
            return
        self.cancel_edit(quietly=True)
        if text is None:
            text = scenario.tokens[row] if column == LABEL_COLUMN else repr(scenario.embeddings[row][column - 1])
        self.cursor_coordinate = Coordinate(row, column)
        self._set_edit(CellEdit(row, column, text, len(text)))
        if not quietly:
            self.post_message(EditStarted(row, column))

    def cancel_edit(self, *, quietly: bool = False) -> None:
        edit = self._edit
        if edit is None:
            return
        self._set_edit(None, edit)
        if not quietly:
            self.post_message(EditCancelled())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("commit_edit", "cancel_edit"):
            return self._edit is not None
        if action == "start_edit":
            return self._edit is None
        return True

    def action_start_edit(self) -> None:
        self.start_edit(self.cursor_row, self.cursor_column)

    def action_commit_edit(self) -> None:
        if self._edit is not None:
            self._commit_edit()

    def action_cancel_edit(self) -> None:
        self.cancel_edit()

    def _set_edit(self, edit: CellEdit | None, previous: CellEdit | None = None) -> None:
        previous = previous or self._edit
        if (edit is None) != (self._edit is None):
            self.refresh_bindings()  # the footer swaps "Edit cell" for "Commit" / "Cancel edit"
        self._edit = edit
        cell = edit or previous
        if cell is not None:
            self._refresh_cell(cell.row, cell.column)

    def _commit_edit(self) -> None:
        edit = self._edit
        assert edit is not None
        # Leave edit mode now so later keys act on the grid; the app re-opens the edit if it refuses.
        self._set_edit(None, edit)
        self.post_message(EditSubmitted(edit.row, edit.column, edit.text))

    def on_key(self, event: events.Key) -> None:
        # Every key is handled here, synchronously, rather than by bindings: a binding runs later,
        # in the app's queue, so a burst like "↓5⏎" (pasted, or over a slow SSH link) would edit
        # the cell before the cursor moved.
        edit = self._edit
        key = event.key
        if edit is None:
            if key == "enter":
                self.start_edit(self.cursor_row, self.cursor_column)
            elif event.character in EDIT_START_CHARACTERS and self.cursor_column != LABEL_COLUMN:
                self.start_edit(self.cursor_row, self.cursor_column, event.character)
            elif not self._run_own_binding(key):
                return
        elif key == "enter":
            self._commit_edit()
        elif key == "escape":
            self.cancel_edit()
        elif key == "backspace":
            self._set_edit(edit.backspace())
        elif key == "delete":
            self._set_edit(edit.delete())
        elif key == "left":
            self._set_edit(edit.move(edit.caret - 1))
        elif key == "right":
            self._set_edit(edit.move(edit.caret + 1))
        elif key == "home":
            self._set_edit(edit.move(0))
        elif key == "end":
            self._set_edit(edit.move(len(edit.text)))
        elif event.is_printable and event.character:
            self._set_edit(edit.insert(event.character))
        else:
            return  # other keys (F1, Ctrl+…) keep their usual meaning
        event.stop()
        event.prevent_default()

    def _run_own_binding(self, key: str) -> bool:
        """Run this grid's binding for ``key`` (cursor moves, scrolling) now; False if it has none."""
        for binding in self._bindings.key_to_bindings.get(key, ()):
            action = getattr(self, f"action_{binding.action}", None)
            # A disabled binding (Escape with no edit open) leaves the key to the app.
            if action is not None and self.check_action(binding.action, ()):
                action()
                return True
        return False

    def on_paste(self, event: events.Paste) -> None:
        if self._edit is not None:
            event.stop()
            self._set_edit(self._edit.insert(event.text.replace("\n", " ").strip()))

    @on(DataTable.CellSelected)
    def _edit_selected_cell(self, event: DataTable.CellSelected) -> None:
        # A click on the cell under the cursor (Enter is handled in on_key).
        event.stop()
        if self._edit is None:
            self.start_edit(event.coordinate.row, event.coordinate.column)
