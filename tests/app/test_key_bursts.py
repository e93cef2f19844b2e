"""Keys that arrive in one burst (a fast typist, key repeat, a paste, an SSH link that bunches
keystrokes): the grid opens and commits edits in its own queue while keys the app handles (``x``
deletes a token) travel behind them, so a message about a cell can arrive after the cell moved.

Each burst is queued at once with ``send_burst``; ``pilot.press`` would wait between keys and never
show the race (issue 15 §0: "Ctrl+End x x ⏎" crashed with an IndexError every time).
"""

from __future__ import annotations

from attn_tui.core.formatting import format_number
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from conftest import message, panel_text, quiet, running, send_burst
from test_fuzz import assert_consistent


async def test_deleting_rows_ahead_of_an_edit_that_opened_on_one_of_them():
    async with running() as pilot:
        app = pilot.app
        await send_burst(pilot, "ctrl+end", "x", "x", "enter")
        await pilot.pause()
        assert app.is_running
        assert app.scenario.tokens == SEED_EXAMPLE.tokens[:4]
        # The edit Enter opened on "step" went with it; nothing claims it is still open.
        assert app.query_one(EmbeddingGrid).editing is None
        assert message(app) == "Deleted token 5 (one). u undoes."
        assert_consistent(app)


async def test_a_value_typed_for_a_deleted_row_lands_nowhere():
    async with running() as pilot:
        app = pilot.app
        await send_burst(pilot, "ctrl+end", "x", "5", "enter")
        await pilot.pause()
        assert app.scenario.tokens == SEED_EXAMPLE.tokens[:5]
        assert app.scenario.embeddings == SEED_EXAMPLE.embeddings[:5]  # not in "one", the row that moved up
        said = message(app)
        assert said.startswith("Not applied") and "dim 1" in said, said  # and says which cell
        assert_consistent(app)


async def test_a_label_typed_for_a_deleted_row_lands_nowhere():
    async with running() as pilot:
        app = pilot.app
        await send_burst(pilot, "ctrl+end", "home", "x", "enter", "z", "enter")
        await pilot.pause()
        assert app.scenario.tokens == SEED_EXAMPLE.tokens[:5]
        assert message(app).startswith("Not applied"), message(app)


async def test_two_fast_edits_of_one_cell_both_land():
    """The second commit was taken from the scenario before the first landed; its cell has not
    moved, so it applies to the current scenario (not refused as stale)."""
    async with running() as pilot:
        app = pilot.app
        await send_burst(pilot, "5", "enter", "6", "enter", "down", "7", "enter")
        await pilot.pause()
        assert app.scenario.embeddings[0][0] == 6.0
        assert app.scenario.embeddings[1][0] == 7.0
        assert message(app) == f"journey · dim 1 = {format_number(7.0)}"
        assert_consistent(app)


async def test_an_edit_across_a_query_move_still_lands():
    async with running() as pilot:
        app = pilot.app
        await send_burst(pilot, "right_square_bracket", "3", "enter")
        await pilot.pause()
        assert app.scenario.query == 2
        assert app.scenario.embeddings[0][0] == 3.0
        assert_consistent(app)


async def test_quiet_waits_for_the_last_keys_of_a_burst():
    """send_burst returns once every queue has handled what it held, but a key still travels on (app,
    focused widget, back up to the app's bindings): the fuzz's settle waits with quiet, or a late c
    would turn the comparison on after settle turned it off (CI: a weights panel with its heading)."""
    async with running() as pilot:
        app = pilot.app
        await send_burst(pilot, "right_square_bracket", "c")
        assert not app.compare_normalisations  # still on its way
        await quiet(pilot)
        assert app.compare_normalisations and app.scenario.query == 2
        assert panel_text(app, "weights").splitlines()[0].split() == ["ω/Σω", "naive", "torch"]
