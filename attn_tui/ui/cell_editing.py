"""A cell edit in the app: what the grid's edit messages mean, and how a commit changes the scenario.

A mixin of :class:`~attn_tui.ui.app.AttnApp`. The grid edits only its own text; every message names
the matrix it was taken from (:mod:`attn_tui.ui.messages`), so a commit that arrives after other
keys changed the grid (a burst over SSH) is applied to the cell it was typed into, or refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.formatting import format_number, token_vector
from attn_tui.core.quoting import quote
from attn_tui.core.scenario import EMBEDDINGS, ScenarioError, parse_number
from attn_tui.ui.messages import EditCancelled, EditStarted, EditSubmitted
from attn_tui.ui.widgets.embedding_grid import LABEL_COLUMN, EmbeddingGrid
from attn_tui.ui.widgets.grid_matrix import GridMatrix

if TYPE_CHECKING:
    from attn_tui.ui.app import AttnApp


class CellEditing:
    """Handlers of the grid's edit messages (mixed into AttnApp)."""

    def on_edit_started(self: AttnApp, event: EditStarted) -> None:
        edit = self.query_one(EmbeddingGrid).editing
        if edit is None or (edit.row, edit.column) != (event.row, event.column):
            return  # a change queued before this message closed the edit (e.g. "x x ⏎" in one burst)
        # The row indexes the matrix the edit started on, whatever keys came since.
        matrix, row = event.matrix, event.row
        if event.column == LABEL_COLUMN:
            self._say(f"Renaming {token_vector(row + 1)} {quote(matrix.row_labels[row])}: Enter commits, Esc cancels.")
        else:
            self._say(f"Editing {_cell_name(matrix, row, event.column)}: Enter commits, Esc cancels.")

    def on_edit_submitted(self: AttnApp, event: EditSubmitted) -> None:
        scenario = self.scenario
        grid = self.query_one(EmbeddingGrid)
        matrix, row, column = event.matrix, event.row, event.column
        if not _same_cell(matrix, self.shown_grid_matrix(), row):
            # Keys that arrived in one burst changed the grid before this commit was handled (e.g.
            # the row was deleted): the cell it names is gone, so nothing is applied anywhere else.
            grid.show(self.shown_grid_matrix())
            self._say(f"Not applied: {quote(event.text.strip())} was typed for {_cell_name(matrix, row, column)}, which has moved since; type it again.", error=True)
            return
        try:
            if column == LABEL_COLUMN:
                updated = scenario.with_label(row, event.text)
                done = f"Renamed token {row + 1} to {quote(updated.tokens[row])}."
            else:
                value = parse_number(event.text)
                updated = scenario.with_matrix_value(matrix.name, row, column - 1, value)
                done = f"{_cell_name(matrix, row, column)} = {format_number(value)}"
        except ScenarioError as error:
            # Re-open the edit with the typed text: nothing the person wrote is lost.
            grid.start_edit(row, column, event.text, quietly=True)
            self._say(f"Refused: {error}. The old value stays; Esc cancels.", error=True)
            return
        if updated == scenario:
            self.show_grid()  # the same value again: no change to show, but the edit must close
        self.change_scenario(updated, done)

    def on_edit_cancelled(self: AttnApp, event: EditCancelled) -> None:
        self._say("Edit cancelled.")

    def action_edit_cell(self: AttnApp) -> None:
        """Edit the cell under the grid's cursor (used by the command palette)."""
        grid = self._visible_grid()
        if grid is None:
            return
        grid.focus()
        grid.start_edit(grid.cursor_row, grid.cursor_column)


def _cell_name(matrix: GridMatrix, row: int, column: int) -> str:
    """How messages name a cell: "journey · dim 2", or "W_q · in 2, out 1" in a weight matrix."""
    if matrix.name == EMBEDDINGS:
        return f"{matrix.row_labels[row]} · dim {column}"
    return f"{matrix.name} · {matrix.row_labels[row]}, {matrix.column_header(column - 1)}"


def _same_cell(before: GridMatrix, now: GridMatrix, row: int) -> bool:
    """True if ``row`` of ``before`` is still the same row of ``now``: the same matrix and shape,
    and the same label on that row."""
    return (
        before.name == now.name
        and before.n_rows == now.n_rows
        and before.n_columns == now.n_columns
        and before.row_labels[row] == now.row_labels[row]
    )
