"""The embedding grid: one row per token, its label then one column per dimension."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from attn_tui.formatting import format_number
from attn_tui.messages import EditRequested
from attn_tui.scenario import Scenario

LABEL_COLUMN = 0
"""Grid column 0 holds the token labels; dimension k lives in grid column k + 1."""

QUERY_MARK = "▶ "
"""Marks the query row without colour, so it stays visible under NO_COLOR."""

EDIT_START_CHARACTERS = frozenset("0123456789-.+")
"""Typing one of these on a number starts an edit that replaces the value."""


class EmbeddingGrid(DataTable[Text]):
    """Token embeddings, spreadsheet-style. Posts :class:`EditRequested`; never edits itself."""

    BINDINGS = [
        Binding("h", "cursor_left", "Left", show=False, id="grid.left"),
        Binding("j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("k", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("l", "cursor_right", "Right", show=False, id="grid.right"),
        Binding("enter", "select_cursor", "Edit cell", id="grid.edit"),
    ]

    COMPONENT_CLASSES = {"embedding-grid--query"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=False, fixed_columns=1)
        self._shown: Scenario | None = None

    def show(self, scenario: Scenario) -> None:
        """Render ``scenario``, touching only the cells that changed."""
        shown = self._shown
        self._shown = scenario
        if shown is None or shown.n_dims != scenario.n_dims or shown.n_tokens != scenario.n_tokens:
            self._rebuild(scenario)
            return
        for row in range(scenario.n_tokens):
            query_changed = row in (shown.query, scenario.query) and shown.query != scenario.query
            if query_changed or shown.tokens[row] != scenario.tokens[row]:
                cell = Coordinate(row, LABEL_COLUMN)
                self.update_cell_at(cell, self._label_cell(scenario, row), update_width=True)
            for dim, value in enumerate(scenario.embeddings[row]):
                if query_changed or value != shown.embeddings[row][dim]:
                    cell = Coordinate(row, dim + 1)
                    self.update_cell_at(cell, self._value_cell(scenario, row, dim), update_width=True)

    def _rebuild(self, scenario: Scenario) -> None:
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        label_width = max(len(QUERY_MARK) + len(t) for t in scenario.tokens)
        self.add_column("token", key="token", width=max(label_width, 5))
        for dim in range(scenario.n_dims):
            self.add_column(Text(f"dim {dim + 1}", justify="right"), key=f"dim{dim}")
        for row in range(scenario.n_tokens):
            self.add_row(
                self._label_cell(scenario, row),
                *(self._value_cell(scenario, row, dim) for dim in range(scenario.n_dims)),
                key=f"token{row}",
            )
        if cursor.column == LABEL_COLUMN and cursor.row == 0:
            cursor = Coordinate(0, 1)  # start on the first number, not on a label
        self.cursor_coordinate = Coordinate(
            min(cursor.row, scenario.n_tokens - 1), min(cursor.column, scenario.n_dims)
        )

    def _query_style(self, scenario: Scenario, row: int) -> str:
        return self.get_component_rich_style("embedding-grid--query") if row == scenario.query else ""

    def _label_cell(self, scenario: Scenario, row: int) -> Text:
        mark = QUERY_MARK if row == scenario.query else "  "
        return Text(mark + scenario.tokens[row], style=self._query_style(scenario, row))

    def _value_cell(self, scenario: Scenario, row: int, dim: int) -> Text:
        return Text(
            format_number(scenario.embeddings[row][dim]),
            style=self._query_style(scenario, row),
            justify="right",
        )

    def on_key(self, event: events.Key) -> None:
        if event.character in EDIT_START_CHARACTERS and self.cursor_column != LABEL_COLUMN:
            event.stop()
            event.prevent_default()
            self.post_message(EditRequested(self.cursor_row, self.cursor_column, event.character))

    @on(DataTable.CellSelected)
    def _request_edit(self, event: DataTable.CellSelected) -> None:
        # Enter, or a click on the cell under the cursor.
        event.stop()
        self.post_message(EditRequested(event.coordinate.row, event.coordinate.column))
