"""Command-palette (Ctrl+P) entries for the app's own actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, Iterator

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from attn_tui.core.presets import PRESETS
from attn_tui.ui.mechanism_actions import mechanism_commands
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.help_screen import display_keys

if TYPE_CHECKING:
    from attn_tui.ui.app import AttnApp


Command = tuple[str, Callable[[], object], str, "str | tuple[str, ...]"]
"""A palette entry: its name, what it does, a line of help, and the id(s) of its key binding(s)."""


class AttnCommands(Provider):
    """Query selection, editing, the walkthrough, the views and help, searchable by name."""

    @property
    def _app(self) -> AttnApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> Iterator[Command]:
        app = self._app
        if app.offered_recovery is not None:
            yield "Restore work", app.action_restore_recovered, "The unsaved work kept when the terminal went away", "recovery.restore"
        yield "Next query token", partial(app.action_query_step, 1), "Make the next token the query", "query.next"
        yield "Previous query token", partial(app.action_query_step, -1), "Make the previous token the query", "query.previous"
        yield "Edit cell", app.action_edit_cell, "Edit the number under the grid's cursor", "grid.edit"
        yield "Show keys", app.action_help, "List every key", "app.help"
        yield from self._editing_commands()
        yield "Walk through the computation", app.action_walk_start, "Step by step from the first score", "walk.start"
        if app.walking:
            yield "Leave the walkthrough", app.action_walk_leave, "Back to the live view", "walk.leave"
            yield "Walk: next step", partial(app.action_walk_step, 1), "One step forward", ("walk.forward", "walk.forward_arrow")
            yield "Walk: previous step", partial(app.action_walk_step, -1), "One step back", ("walk.back", "walk.back_arrow")
            yield "Next walk stage", partial(app.action_walk_stage, 1), "Jump to the next stage", "walk.next_stage"
            yield "Previous walk stage", partial(app.action_walk_stage, -1), "Back to this stage's start or the previous one", "walk.previous_stage"
            yield "Walk: start", partial(app.action_walk_to, 0), "Back to the start, nothing computed", "walk.home"
            yield "Walk: end", partial(app.action_walk_to, -1), "Every step done", "walk.end"
        yield "Autoplay the walkthrough", app.action_autoplay, "Step by itself; any key stops it", "walk.autoplay"
        yield "Autoplay faster", partial(app.action_autoplay_pace, -1), "Fewer seconds per step", "walk.faster"
        yield "Autoplay slower", partial(app.action_autoplay_pace, 1), "More seconds per step", "walk.slower"
        yield "Toggle matrix view", app.action_toggle_matrix, "Every query at once: ω, A as a heatmap, Z", "view.matrix"
        yield "Toggle vector plot", app.action_toggle_vector_plot, "The embeddings, the query and z as points in a plane", "view.plot"
        if app.vector_plot_shown:
            yield "Vector plot: next plane", app.action_next_plane, "The next pair of dimensions, projection or space", "view.plot_plane"
            yield "Vector plot: choose axes…", app.action_choose_axes, "Any two dimensions, or the first two principal components", "view.plot_axes"
        yield "Compare", app.action_toggle_compare, app.mechanism.compares.capitalize(), "view.compare"
        yield "Next mechanism", partial(app.action_mechanism_step, 1), "The next section of chapter 3", "mechanism.next"
        yield "Previous mechanism", partial(app.action_mechanism_step, -1), "The previous section of chapter 3", "mechanism.previous"
        yield "Grid: next matrix", app.action_next_grid_matrix, "Show and edit the next matrix (X, W_q, W_k, W_v …)", "grid.next_matrix"
        if app.mechanism.settings:
            yield "Section settings…", app.action_mechanism_settings, "Dropout p, seed, training …: what this section lets you set", "mechanism.settings"
        if app.mechanism.redraw_setting:
            yield "Re-draw (next seed)", app.action_mechanism_redraw, app.mechanism.redraw_note, "mechanism.redraw"
        if app.mechanism.switch_setting:
            yield "Switch training / evaluation", app.action_mechanism_switch, "Dropout acts in training only", "mechanism.switch"
        if app.mechanism.cycle_setting:
            yield "Next head", app.action_mechanism_cycle, "The panels show the next head", "mechanism.cycle"
        for name, mechanism, help_text in mechanism_commands():
            yield name, partial(app.choose_mechanism, mechanism), help_text, ()
        yield "Save", app.action_save, "Save the scenario as JSON: tokens, embeddings, query, views", "file.save"
        yield "Save as…", app.action_save_as, "Save the scenario under a new name", "file.save_as"
        yield "Open…", app.action_open, "Open a scenario (.json) or embeddings (.csv, .npy, .pt)", "file.open"
        yield "Import embeddings…", app.action_import_embeddings, "An n×d matrix from CSV, .npy or .pt becomes n tokens", "file.import"
        yield "Export Python snippet", app.action_export_snippet, "torch code that prints these numbers: copy or save it", "file.export_snippet"
        yield "Export panels as CSV…", app.action_export_csv, "Scores, weights and context; every query's in the matrix view", "file.export_csv"
        yield "Save SVG screenshot…", app.action_export_svg, "A picture of the screen as it is now", "file.export_svg"
        for index, token in enumerate(app.scenario.tokens):
            yield f"Query: {token} (token {index + 1})", partial(app.action_select_query, index), "Use this token as the query", ()

    def _editing_commands(self) -> Iterator[Command]:
        app = self._app
        history = app.history
        undo = f"Undo: {history.done[-1].description}" if history.can_undo else "Nothing to undo yet"
        redo = f"Redo: {history.undone[-1].description}" if history.can_redo else "Nothing to redo"
        yield "Undo", app.action_undo, undo, "history.undo"
        yield "Redo", app.action_redo, redo, "history.redo"
        yield "Rename token", app.action_rename_token, "Edit the label of the token under the cursor", "edit.rename"
        yield "Insert token", app.action_insert_token, "A new token (zeros) below the cursor", "edit.insert_token"
        yield "Delete token", app.action_delete_token, "Delete the token under the cursor", "edit.delete_token"
        yield "Insert dimension", app.action_insert_dimension, "A new dimension (zeros) right of the cursor", "edit.insert_dimension"
        yield "Delete dimension", app.action_delete_dimension, "Delete the dimension under the cursor", "edit.delete_dimension"
        yield "Type a sentence", app.action_type_sentence, "Tokens and seeded torch.nn.Embedding vectors", "edit.sentence"
        yield "Randomise embeddings", app.action_randomise, "New values from a seed; tokens stay", "edit.randomise"
        yield "Presets", app.action_presets, "Pick the book's example or a teaching case", "edit.presets"
        for preset in PRESETS:
            yield f"Preset: {preset.name}", partial(app.action_load_preset, preset.key), preset.lesson, ()

    def _escaped_commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        """Name, action and help with its keys, as the palette shows them."""
        bindings = {binding.id: binding for binding in (*self.app.BINDINGS, *EmbeddingGrid.BINDINGS) if isinstance(binding, Binding)}
        for name, action, help_text, binding_ids in self._commands():
            ids = (binding_ids,) if isinstance(binding_ids, str) else binding_ids
            # The keys come from the bindings themselves, so the palette cannot name a wrong key.
            keys = display_keys(bindings[binding_id] for binding_id in ids)
            if keys:
                help_text = f"{help_text} ({', '.join(keys)})"
            # The palette reads names and help as markup: a token may be called "[/]".
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
            elif (score := matcher.match(help_text)) > 0:
                # Found by the words of its help ("book", "journey", "uniform"): ranked below the
                # entries whose name matches.
                yield Hit(score / 2, name, action, help=matcher.highlight(help_text))
