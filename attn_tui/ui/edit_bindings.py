"""Keys and actions that change the scenario's shape or replace it, and undo / redo.

:class:`ScenarioEditing` is a mixin of ``action_…`` methods that :class:`~attn_tui.ui.app.AttnApp`
inherits; the pure work happens in scenario.py, sentence.py, presets.py and history.py. Every
change goes through ``AttnApp.change_scenario``, which records it for undo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.coordinate import Coordinate

from attn_tui.core.formatting import token_vector
from attn_tui.core.history import History, scenario_cost
from attn_tui.core.presets import Preset, preset
from attn_tui.core.scenario import Scenario, ScenarioError
from attn_tui.core.sentence import DEFAULT_DIM, DEFAULT_SEED, randomised
from attn_tui.ui.widgets.embedding_grid import LABEL_COLUMN, EmbeddingGrid
from attn_tui.ui.file_actions import UNTITLED
from attn_tui.ui.widgets.scenario_dialogs import PresetDialog, SeedDialog, SentenceChoice, SentenceDialog

if TYPE_CHECKING:
    from attn_tui.ui.app import AttnApp

EDIT_BINDINGS = [
    Binding("r", "rename_token", "Rename the token (edit its label)", show=False, id="edit.rename"),
    Binding("i", "insert_token", "Insert a token below the cursor", show=False, id="edit.insert_token"),
    Binding("x", "delete_token", "Delete the token under the cursor", show=False, id="edit.delete_token"),
    Binding("I", "insert_dimension", "Insert a dimension right of the cursor", show=False, id="edit.insert_dimension"),
    Binding("X", "delete_dimension", "Delete the dimension under the cursor", show=False, id="edit.delete_dimension"),
    Binding("t", "type_sentence", "Type a sentence", show=False, id="edit.sentence"),
    Binding("R", "randomise", "Randomise the embeddings (with a seed)", show=False, id="edit.randomise"),
    Binding("P", "presets", "Presets: the book's example and teaching cases", show=False, id="edit.presets"),
]
"""Changing the tokens and dimensions, or the whole scenario."""

HISTORY_BINDINGS = [
    Binding("ctrl+z,u", "undo", "Undo", key_display="u", id="history.undo"),
    Binding("ctrl+y,U", "redo", "Redo", key_display="U", show=False, id="history.redo"),
]
"""Undo and redo every change of the scenario, the query included."""

SCENARIO_ACTIONS = frozenset(binding.action for binding in (*EDIT_BINDINGS, *HISTORY_BINDINGS))
"""Only on the main screen: a key typed into a dialog must not change the scenario behind it."""


class ScenarioEditing:
    """Actions for :data:`EDIT_BINDINGS` and :data:`HISTORY_BINDINGS` (mixed into AttnApp)."""

    history: History[Scenario] = History(cost=scenario_cost)
    """Every change of the scenario, for undo and redo. Replaced (never mutated) on each change."""

    sentence_settings: tuple[str, int, int] = ("", DEFAULT_DIM, DEFAULT_SEED)
    """The last sentence, dimension and seed typed, offered again by the sentence dialog."""

    next_seed: int = DEFAULT_SEED
    """The seed the randomise dialog offers: one more than the last one used."""

    # --- undo / redo ---

    def action_undo(self: AttnApp) -> None:
        """Go back one change."""
        if self._close_cell_edit("Edit cancelled: nothing changed. Undo again to undo the last change."):
            return
        self.history, change = self.history.undo()
        if change is None:
            self._say("Nothing to undo.")
            return
        self.change_scenario(change.before, f"Undid: {change.description}", record=False)

    def action_redo(self: AttnApp) -> None:
        """Do again what was last undone."""
        self._close_cell_edit()
        self.history, change = self.history.redo()
        if change is None:
            self._say("Nothing to redo.")
            return
        self.change_scenario(change.after, f"Redid: {change.description}", record=False)

    def _close_cell_edit(self: AttnApp, message: str = "") -> bool:
        """Cancel an open cell edit (True if there was one); a change must not land in a cell
        that has moved."""
        grid = self.query_one(EmbeddingGrid)
        if grid.editing is None:
            return False
        grid.cancel_edit(quietly=True)
        if message:
            self._say(message)
        return True

    # --- tokens and dimensions ---

    def _visible_grid(self: AttnApp) -> EmbeddingGrid | None:
        """The grid, whose cursor says which token or dimension to change, with any cell edit
        closed (a change must not land in a cell that has moved); None (and a word why) while the
        matrix view hides it."""
        self._close_cell_edit()
        if self.grid_hidden:
            self._say("The matrix view hides the grid: press m to show it, then edit.", error=True)
            return None
        return self.query_one(EmbeddingGrid)

    def action_rename_token(self: AttnApp) -> None:
        """Edit the label of the token under the cursor."""
        grid = self._visible_grid()
        if grid is None:
            return
        grid.focus()
        grid.start_edit(grid.cursor_row, LABEL_COLUMN)

    def action_insert_token(self: AttnApp) -> None:
        """A new token (zeros) after the one under the cursor; the cursor moves onto it."""
        grid = self._visible_grid()
        if grid is None:
            return
        row, column = grid.cursor_row, grid.cursor_column
        scenario = self.scenario
        updated = scenario.with_token_inserted(row + 1)
        label = updated.tokens[row + 1]
        self.change_scenario(
            updated, f"Inserted token {label} (zeros) after {scenario.tokens[row]}.", hint="r renames it."
        )
        grid.cursor_coordinate = Coordinate(row + 1, max(column, 1))

    def action_delete_token(self: AttnApp) -> None:
        """Delete the token under the cursor (never the last one)."""
        grid = self._visible_grid()
        if grid is None:
            return
        row = grid.cursor_row
        scenario = self.scenario
        try:
            updated = scenario.with_token_deleted(row)
        except ScenarioError as error:
            self._say(f"Refused: {error}.", error=True)
            return
        self.change_scenario(updated, f"Deleted token {row + 1} ({scenario.tokens[row]}).", hint="u undoes.")

    def action_insert_dimension(self: AttnApp) -> None:
        """A new dimension (zeros) after the cursor's column (on a label: before dimension 1)."""
        grid = self._visible_grid()
        if grid is None:
            return
        row, index = grid.cursor_row, grid.cursor_column  # grid column k holds dimension k
        self.change_scenario(
            self.scenario.with_dimension_inserted(index),
            f"Inserted dimension {index + 1}.",
            hint="Zeros: no score changes until you edit them.",
        )
        grid.cursor_coordinate = Coordinate(row, index + 1)

    def action_delete_dimension(self: AttnApp) -> None:
        """Delete the dimension under the cursor (never the last one)."""
        grid = self._visible_grid()
        if grid is None:
            return
        column = grid.cursor_column
        if column == LABEL_COLUMN:
            self._say("Move the cursor onto a dimension's column to delete it.", error=True)
            return
        try:
            updated = self.scenario.with_dimension_deleted(column - 1)
        except ScenarioError as error:
            self._say(f"Refused: {error}.", error=True)
            return
        self.change_scenario(updated, f"Deleted dimension {column}.", hint="u undoes.")

    # --- whole scenarios ---

    def action_type_sentence(self: AttnApp) -> None:
        """Ask for a sentence, a dimension and a seed; embed its tokens."""
        self._close_cell_edit()
        sentence, dim, seed = self.sentence_settings
        self.push_screen(SentenceDialog(sentence or " ".join(self.scenario.tokens), dim, seed), self._sentence_chosen)

    def _sentence_chosen(self: AttnApp, choice: SentenceChoice | None) -> None:
        if choice is None:
            self._say("Sentence cancelled: nothing changed.")
            return
        self.sentence_settings = (choice.sentence, choice.dim, choice.seed)
        # R draws with the same generator: offering the sentence's seed would give the same numbers.
        self.next_seed = choice.seed + 1
        scenario = choice.scenario
        self.switch_document(scenario, UNTITLED)  # the header no longer names the file it replaces
        self.change_scenario(
            scenario,
            f"Sentence of {scenario.n_tokens} tokens, dimension {choice.dim}, seed {choice.seed}.",
            hint=f"Query {token_vector(scenario.query + 1)}: {scenario.query_token}. u undoes.",
        )

    def action_randomise(self: AttnApp) -> None:
        """Ask for a seed; draw new embeddings for the current tokens."""
        self._close_cell_edit()
        scenario = self.scenario
        self.push_screen(SeedDialog(self.next_seed, scenario.n_tokens, scenario.n_dims), self._seed_chosen)

    def _seed_chosen(self: AttnApp, seed: int | None) -> None:
        if seed is None:
            self._say("Randomise cancelled: nothing changed.")
            return
        self.next_seed = seed + 1
        self.change_scenario(randomised(self.scenario, seed), f"Randomised the embeddings with seed {seed}.", hint="u undoes.")

    def action_presets(self: AttnApp) -> None:
        """Pick a ready-made scenario."""
        self._close_cell_edit()
        self.push_screen(PresetDialog(), self._preset_chosen)

    def action_load_preset(self: AttnApp, key: str) -> None:
        """Load the preset called ``key`` (palette entries)."""
        self._close_cell_edit()
        self._preset_chosen(preset(key))

    def _preset_chosen(self: AttnApp, chosen: Preset | None) -> None:
        if chosen is None:
            self._say("Presets closed: nothing changed.")
            return
        self.switch_document(chosen.scenario, UNTITLED)  # the header no longer names the file it replaces
        self.change_scenario(chosen.scenario, f"Preset: {chosen.name}.", hint=chosen.lesson)

