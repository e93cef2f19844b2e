"""Command-palette (Ctrl+P) entries for the app's own actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from attn_tui.presets import PRESETS

if TYPE_CHECKING:
    from attn_tui.app import AttnApp


class AttnCommands(Provider):
    """Query selection, editing, the walkthrough, the views and help, searchable by name."""

    @property
    def _app(self) -> AttnApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        app = self._app
        yield "Next query token", partial(app.action_query_step, 1), "Make the next token the query (])"
        yield "Previous query token", partial(app.action_query_step, -1), "Make the previous token the query ([)"
        yield "Edit cell", app.action_edit_cell, "Edit the number under the grid's cursor (Enter)"
        yield "Show keys", app.action_help, "List every key (?)"
        yield from self._editing_commands()
        yield "Walk through the computation", app.action_walk_start, "Step by step from the first score (w)"
        if app.walking:
            yield "Leave the walkthrough", app.action_walk_leave, "Back to the live view (Esc)"
            yield "Walk: next step", partial(app.action_walk_step, 1), "One step forward (Space, →, n)"
            yield "Walk: previous step", partial(app.action_walk_step, -1), "One step back (Backspace, ←, p)"
            yield "Next walk stage", partial(app.action_walk_stage, 1), "Jump to the next stage (s)"
            yield "Previous walk stage", partial(app.action_walk_stage, -1), "Back to this stage's start or the previous one (S)"
            yield "Walk: start", partial(app.action_walk_to, 0), "Back to the start, nothing computed (Home)"
            yield "Walk: end", partial(app.action_walk_to, -1), "Every step done (End)"
        yield "Autoplay the walkthrough", app.action_autoplay, "Step by itself; any key stops it (a)"
        yield "Autoplay faster", partial(app.action_autoplay_pace, -1), "Fewer seconds per step (>)"
        yield "Autoplay slower", partial(app.action_autoplay_pace, 1), "More seconds per step (<)"
        yield "Toggle matrix view", app.action_toggle_matrix, "Every query at once: ω, A as a heatmap, Z (m)"
        yield "Compare normalisations", app.action_toggle_compare, "ω/Σω, softmax_naive and torch.softmax side by side (c)"
        yield "Save", app.action_save, "Save the scenario as JSON: tokens, embeddings, query, views (Ctrl+S)"
        yield "Save as…", app.action_save_as, "Save the scenario under a new name (F2)"
        yield "Open…", app.action_open, "Open a scenario (.json) or embeddings (.csv, .npy, .pt) (Ctrl+O)"
        yield "Import embeddings…", app.action_import_embeddings, "An n×d matrix from CSV, .npy or .pt becomes n tokens (Ctrl+L)"
        yield "Export Python snippet", app.action_export_snippet, "torch code that prints these numbers: copy or save it (Ctrl+E)"
        yield "Export panels as CSV…", app.action_export_csv, "Scores, weights and context; every query's in the matrix view (Ctrl+T)"
        yield "Save SVG screenshot…", app.action_export_svg, "A picture of the screen as it is now (F12)"
        for index, token in enumerate(app.scenario.tokens):
            yield f"Query: {token} (token {index + 1})", partial(app.action_select_query, index), "Use this token as the query"

    def _editing_commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        app = self._app
        history = app.history
        undo = f"Undo: {history.done[-1].description}" if history.can_undo else "Nothing to undo yet"
        redo = f"Redo: {history.undone[-1].description}" if history.can_redo else "Nothing to redo"
        yield "Undo", app.action_undo, f"{undo} (Ctrl+Z, u)"
        yield "Redo", app.action_redo, f"{redo} (Ctrl+Y, U)"
        yield "Rename token", app.action_rename_token, "Edit the label of the token under the cursor (r)"
        yield "Insert token", app.action_insert_token, "A new token (zeros) below the cursor (i)"
        yield "Delete token", app.action_delete_token, "Delete the token under the cursor (x)"
        yield "Insert dimension", app.action_insert_dimension, "A new dimension (zeros) right of the cursor (I)"
        yield "Delete dimension", app.action_delete_dimension, "Delete the dimension under the cursor (X)"
        yield "Type a sentence", app.action_type_sentence, "Tokens and seeded torch.nn.Embedding vectors (t)"
        yield "Randomise embeddings", app.action_randomise, "New values from a seed; tokens stay (R)"
        yield "Presets", app.action_presets, "Pick the book's example or a teaching case (P)"
        for preset in PRESETS:
            yield f"Preset: {preset.name}", partial(app.action_load_preset, preset.key), preset.lesson

    def _escaped_commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        # The palette reads names and help as markup: a token may be called "[/]".
        for name, action, help_text in self._commands():
            yield escape(name), action, escape(help_text)

    async def discover(self) -> Hits:
        for name, action, help_text in self._escaped_commands():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._escaped_commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
