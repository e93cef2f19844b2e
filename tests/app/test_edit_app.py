"""Editing the scenario in the app, driven by keys with Pilot: rename, insert and delete tokens and
dimensions, type a sentence, randomise, presets, and undo / redo of every kind of change."""

from __future__ import annotations

from typing import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from attn_tui.ui.app import AttnApp
from attn_tui.ui.edit_bindings import EDIT_BINDINGS, HISTORY_BINDINGS
from attn_tui.core.presets import preset
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.core.sentence import randomised, scenario_from_sentence
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.scenario_dialogs import PresetDialog, SeedDialog, SentenceDialog
from conftest import screen_text, help_keys, message, running, widget_text
from test_app import BOOK_SCORES, assert_panels_match_fresh_computation, panel_values


def grid_text(app: AttnApp) -> str:
    return widget_text(app.query_one(EmbeddingGrid))


def cursor(app: AttnApp) -> tuple[int, int]:
    return tuple(app.query_one(EmbeddingGrid).cursor_coordinate)


async def type_into(pilot: Pilot, text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text))


async def clear_input(pilot: Pilot) -> None:
    """Empty the focused Input as a person would: select everything, delete."""
    await pilot.press("end", "shift+home", "backspace")


# --- rename ----------------------------------------------------------------------------------


async def test_r_renames_the_token_under_the_cursor_from_any_column():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("down", "right", "r")  # journey, dimension 2
        assert app.query_one(EmbeddingGrid).editing.column == 0
        assert "Renaming" in message(app)
        await pilot.press(*["backspace"] * 7, *"trip", "enter")
        assert app.scenario.tokens[1] == "trip" and app.scenario.query_token == "trip"
        assert "▶ trip" in grid_text(app)
        assert "trip" in widget_text(app.query_one("#query-bar"))
        assert "Renamed token 2 to 'trip'" in message(app)


async def test_a_refused_rename_keeps_the_typed_text_and_the_old_label():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("r", *["backspace"] * 4, "enter")
        assert "Refused" in message(app) and "empty label" in message(app)
        assert app.scenario.tokens[0] == "Your"
        assert app.query_one(EmbeddingGrid).editing is not None  # still open, to correct
        await pilot.press(*"x" * 41, "enter")
        assert "at most 40" in message(app)
        await pilot.press("escape")
        assert app.scenario == SEED_EXAMPLE


async def test_labels_that_look_like_markup_are_shown_as_typed():
    """A token may be called "[/]" or "[b]x": no view reads it as markup (and none crashes)."""
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("r", *["backspace"] * 4, *"[/]", "enter")
        await pilot.press("down", "r", *["backspace"] * 7, *"[b]x", "enter")
        assert app.scenario.tokens[:2] == ("[/]", "[b]x")
        assert "[/]" in widget_text(app.query_one("#scores .panel-body"))
        assert "[b]x" in widget_text(app.query_one("#query-bar"))
        assert "[b]x" in message(app)
        await pilot.press("m", "c", "w", "end")
        await pilot.press("ctrl+p", *"query")
        await pilot.pause(0.3)
        await pilot.press("escape")
        assert app.is_running


# --- tokens ----------------------------------------------------------------------------------


async def test_i_inserts_a_zero_token_after_the_cursor_and_the_query_follows_journey():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("i")  # cursor on Your: the new token comes second, journey moves to third
        assert app.scenario.tokens == ("Your", "t7", "journey", "starts", "with", "one", "step")
        assert app.scenario.embeddings[1] == (0.0, 0.0, 0.0)
        assert app.scenario.query_token == "journey"
        assert cursor(app) == (1, 1)
        assert "Inserted token t7" in message(app)
        assert "t7" in grid_text(app) and "▶ journey" in grid_text(app)
        assert panel_values(app, "scores")[1] == "0.0000"
        assert_panels_match_fresh_computation(app)


async def test_x_deletes_the_token_under_the_cursor_and_keeps_the_query():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("x")
        assert app.scenario.tokens == ("journey", "starts", "with", "one", "step")
        assert app.scenario.query_token == "journey"
        assert "Deleted token 1 (Your)" in message(app)
        assert_panels_match_fresh_computation(app)


async def test_deleting_the_query_token_moves_the_query_to_its_neighbour():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("down", "x")
        assert app.scenario.query_token == "starts"
        assert "Query x⁽²⁾: starts" in str(app.query_one("#query-bar").border_title)


async def test_the_last_token_cannot_be_deleted():
    async with running() as pilot:
        app = pilot.app
        await pilot.press(*"x" * 5)
        assert app.scenario.tokens == ("step",)
        await pilot.press("x")
        assert app.scenario.tokens == ("step",)
        assert "Refused" in message(app) and "only token" in message(app)
        assert app.query_one("#message").has_class("-error")


# --- dimensions ------------------------------------------------------------------------------


async def test_shift_i_inserts_a_zero_dimension_and_no_score_changes():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("I")  # cursor on dimension 1: the new one is dimension 2
        assert app.scenario.n_dims == 4
        assert app.scenario.embeddings[0] == (0.43, 0.0, 0.15, 0.89)
        assert cursor(app) == (0, 2)
        await pilot.press("l", "l")  # at 80 columns a 4th dimension scrolls into view with the cursor
        assert "dim 4" in grid_text(app)
        assert panel_values(app, "scores") == BOOK_SCORES


async def test_shift_i_on_a_label_inserts_before_dimension_1():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("left", "I")
        assert app.scenario.embeddings[0] == (0.0, 0.43, 0.15, 0.89)


async def test_shift_x_deletes_the_dimension_under_the_cursor_but_never_the_last():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("X")
        assert app.scenario.embeddings[0] == (0.15, 0.89)
        assert "Deleted dimension 1" in message(app)
        assert_panels_match_fresh_computation(app)
        await pilot.press("X")
        assert app.scenario.n_dims == 1
        await pilot.press("X")
        assert app.scenario.n_dims == 1
        assert "only dimension" in message(app)


async def test_shift_x_on_a_label_says_where_to_go():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("left", "X")
        assert app.scenario == SEED_EXAMPLE
        assert "onto a dimension" in message(app)


# --- type a sentence -------------------------------------------------------------------------


async def test_t_builds_a_scenario_from_a_sentence_with_the_chosen_dimension_and_seed():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("t")
        dialog = app.screen
        assert isinstance(dialog, SentenceDialog)
        sentence = dialog.query_one("#sentence", Input)
        assert sentence.value == "Your journey starts with one step"  # the current tokens to edit
        assert app.focused is sentence
        await clear_input(pilot)
        await type_into(pilot, "the cat saw the dog.")
        assert "6 tokens, 5 distinct" in widget_text(dialog.query_one("#tokens"))
        await pilot.press("tab")
        await clear_input(pilot)
        await pilot.press("4", "tab")
        await clear_input(pilot)
        await pilot.press("7", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, SentenceDialog)
        assert app.scenario == scenario_from_sentence("the cat saw the dog.", 4, 7)
        assert app.scenario.embeddings[0] == app.scenario.embeddings[3]  # "the" twice, one vector
        assert "Sentence of 6 tokens, dimension 4, seed 7" in message(app)
        assert_panels_match_fresh_computation(app)
        # The dialog offers the same settings again.
        await pilot.press("t")
        assert app.screen.query_one("#sentence", Input).value == "the cat saw the dog."
        assert app.screen.query_one("#dim", Input).value == "4"
        assert app.screen.query_one("#seed", Input).value == "7"


async def test_a_hindi_sentence_keeps_its_words_whole_and_the_dialog_names_the_rule():
    """``\\w+`` split नमस्ते into नमस ् त े: the vowel signs are not word characters."""
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("t")
        dialog = app.screen
        assert "the book's chapter 2 tokenizer" in " ".join(widget_text(dialog.query_one("#split-rule")).split())
        # Set, not typed: the Pilot's key names lose the marks (a terminal sends them whole).
        dialog.query_one("#sentence", Input).value = "नमस्ते दुनिया"
        await pilot.pause()
        assert "2 tokens, 2 distinct: नमस्ते │ दुनिया" in widget_text(dialog.query_one("#tokens"))
        await pilot.press("enter")
        await pilot.pause()
        assert app.scenario.tokens == ("नमस्ते", "दुनिया")


@pytest.mark.parametrize(
    ("field", "text", "problem"),
    [("#dim", "0", "between 1"), ("#dim", "x", "not a whole number"), ("#seed", "-1", "between 0"), ("#sentence", " , ", None), ("#sentence", "  ", "no tokens")],
)
async def test_the_sentence_dialog_explains_bad_input_and_keeps_it(field, text, problem):
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("t")
        dialog = app.screen
        dialog.query_one(field, Input).value = text
        dialog.query_one(field, Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        if problem is None:  # " , " is one token: fine
            assert app.scenario.tokens == (",",)
            return
        assert app.screen is dialog
        error = widget_text(dialog.query_one(".dialog-error"))
        assert "Refused" in error and problem in error
        assert dialog.query_one(field, Input).value == text
        await pilot.press("escape")
        assert app.scenario == SEED_EXAMPLE
        assert "nothing changed" in message(app)


async def test_keys_typed_into_a_dialog_do_not_touch_the_scenario():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("1", "enter")  # one change to undo
        edited = app.scenario
        await pilot.press("t", "ctrl+z", "ctrl+y", *"uUixIXrRP[]w")
        assert isinstance(app.screen, SentenceDialog)
        assert app.screen.query_one("#sentence", Input).value.endswith("uUixIXrRP[]w")
        assert app.scenario == edited and app.walk_position is None
        await pilot.press("escape")
        assert app.scenario == edited


# --- randomise and presets -------------------------------------------------------------------


async def test_shift_r_after_a_sentence_offers_the_seed_after_the_sentences():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("t", "enter")  # the tokens on screen, seed 123
        await pilot.pause()
        typed = app.scenario
        await pilot.press("R")
        assert app.screen.query_one("#seed", Input).value == "124"
        await pilot.press("enter")
        await pilot.pause()
        assert app.scenario != typed  # new numbers, not the sentence's again


async def test_shift_r_randomises_with_a_seed_and_offers_the_next_one():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("R")
        assert isinstance(app.screen, SeedDialog)
        assert app.screen.query_one("#seed", Input).value == "123"
        await pilot.press("enter")
        await pilot.pause()
        assert app.scenario == randomised(SEED_EXAMPLE, 123)
        assert app.scenario.tokens == SEED_EXAMPLE.tokens and app.scenario.query == 1
        assert "seed 123" in message(app)
        assert_panels_match_fresh_computation(app)
        await pilot.press("R")
        assert app.screen.query_one("#seed", Input).value == "124"
        await clear_input(pilot)
        await pilot.press(*"abc", "enter")
        assert isinstance(app.screen, SeedDialog)
        assert "not a whole number" in widget_text(app.screen.query_one(".dialog-error"))
        await pilot.press("escape")
        assert app.scenario == randomised(SEED_EXAMPLE, 123)


async def test_shift_p_picks_a_preset_and_the_book_comes_back_with_one_command():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("P")
        assert isinstance(app.screen, PresetDialog)
        assert app.focused is app.screen.query_one(OptionList)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.scenario == preset("identical").scenario
        assert "Preset: Two identical tokens" in message(app)
        assert_panels_match_fresh_computation(app)
        await pilot.press("P", "escape")
        assert app.scenario == preset("identical").scenario
        await pilot.press("ctrl+p", *"preset your journey")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.scenario == SEED_EXAMPLE
        assert panel_values(app, "scores") == BOOK_SCORES


# --- undo and redo ---------------------------------------------------------------------------


async def _sentence(pilot: Pilot) -> None:
    await pilot.press("t")
    pilot.app.screen.query_one("#sentence", Input).value = "a b a"
    await pilot.press("enter")


async def _preset(pilot: Pilot) -> None:
    await pilot.press("P", "end", "enter")


async def _randomise(pilot: Pilot) -> None:
    await pilot.press("R", "enter")


CHANGES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "cell value": lambda pilot: pilot.press("5", "enter"),
    "label": lambda pilot: pilot.press("r", "end", "backspace", "enter"),
    "insert token": lambda pilot: pilot.press("i"),
    "delete token": lambda pilot: pilot.press("x"),
    "insert dimension": lambda pilot: pilot.press("I"),
    "delete dimension": lambda pilot: pilot.press("X"),
    "sentence": _sentence,
    "preset": _preset,
    "randomise": _randomise,
    "query": lambda pilot: pilot.press("]"),
}


@pytest.mark.parametrize("kind", list(CHANGES))
@pytest.mark.parametrize(("undo", "redo"), [("u", "U"), ("ctrl+z", "ctrl+y")])
async def test_every_kind_of_change_undoes_and_redoes(kind, undo, redo):
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await CHANGES[kind](pilot)
        await pilot.pause()
        changed = app.scenario
        assert changed != SEED_EXAMPLE
        await pilot.press(undo)
        assert app.scenario == SEED_EXAMPLE
        assert message(app).startswith("Undid: ")
        assert panel_values(app, "scores") == BOOK_SCORES
        await pilot.press(undo)
        assert "Nothing to undo" in message(app)
        await pilot.press(redo)
        assert app.scenario == changed
        assert message(app).startswith("Redid: ")
        assert_panels_match_fresh_computation(app)
        await pilot.press(redo)
        assert "Nothing to redo" in message(app)


async def test_undo_says_what_it_undid_and_goes_back_step_by_step():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("1", "enter", "]", "i")
        states = [SEED_EXAMPLE, SEED_EXAMPLE.with_value(0, 0, 1.0)]
        states.append(states[-1].with_query(2))
        states.append(states[-1].with_token_inserted(1))
        assert app.scenario == states[3]
        await pilot.press("u")
        assert app.scenario == states[2] and message(app) == "Undid: Inserted token t7 (zeros) after Your."
        await pilot.press("u")
        assert app.scenario == states[1] and message(app) == "Undid: Query x⁽³⁾: starts."
        await pilot.press("u")
        assert app.scenario == states[0] and message(app) == "Undid: Your · dim 1 = 1.0000"
        await pilot.press("U", "U")
        assert app.scenario == states[2]
        await pilot.press("[")  # a new change forgets the redo
        await pilot.press("U")
        assert "Nothing to redo" in message(app)
        assert app.scenario == states[2].with_query(1)


async def test_ctrl_z_inside_a_cell_edit_cancels_the_edit_first():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("1", "enter", "down", "9")
        assert app.query_one(EmbeddingGrid).editing is not None
        await pilot.press("ctrl+z")
        assert app.query_one(EmbeddingGrid).editing is None
        assert app.scenario.embeddings[0][0] == 1.0  # the committed edit is still there
        assert "Edit cancelled" in message(app)
        await pilot.press("ctrl+z")
        assert app.scenario == SEED_EXAMPLE


async def test_undo_during_the_walk_recomputes_it_at_its_position():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "space", "space", "space")
        await pilot.press("1", "enter")  # Your's dim 1 := 1
        assert app.walk_position == 3
        assert "1.2679" in widget_text(app.query_one("#scores .panel-body"))
        edited = app.scenario
        await pilot.press("u")
        assert app.walking and app.walk_position == 3
        assert app.scenario == SEED_EXAMPLE
        assert "ω₂₁ Your    0.9544" in widget_text(app.query_one("#scores .panel-body"))
        await pilot.press("U")
        assert app.scenario == edited and app.walk_position == 3
        assert "1.2679" in widget_text(app.query_one("#scores .panel-body"))
        await pilot.press("]", "u")  # the query, too
        assert app.scenario == edited and app.walk_position == 3
        assert "Undid: Query x⁽³⁾: starts." in message(app)


async def test_a_shorter_scenario_during_the_walk_clamps_its_position():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "end")
        end = app.walk_position
        await pilot.press("x", "x", "x")
        assert app.walking and app.walk_position == app.walkthrough.end < end
        await pilot.press("p")  # one step back from the (new) end
        assert app.walk_position == app.walkthrough.end - 1
        await pilot.press("u", "u", "u")
        assert app.scenario == SEED_EXAMPLE and app.walking


async def test_the_history_survives_view_switches_and_leaving_the_walk():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("5", "enter", "m", "c", "]", "w", "escape", "m", "c")
        await pilot.press("u")
        assert app.scenario == SEED_EXAMPLE.with_value(0, 0, 5.0)
        await pilot.press("u")
        assert app.scenario == SEED_EXAMPLE


async def test_undo_reaches_back_a_few_hundred_changes():
    async with running() as pilot:
        app = pilot.app
        for _ in range(300):
            app.action_query_step(1)
        await pilot.pause()
        for _ in range(300):
            app.action_undo()
        await pilot.pause()
        assert app.scenario == SEED_EXAMPLE


# --- keys, help and palette ------------------------------------------------------------------


def test_edit_keys_have_ids_and_descriptions_and_collide_with_no_other_key():
    bindings = [*AttnApp.BINDINGS, *EmbeddingGrid.BINDINGS]
    ours = [*EDIT_BINDINGS, *HISTORY_BINDINGS]
    assert all(binding.id and binding.description for binding in ours)
    our_keys = [key for binding in ours for key in binding.key.split(",")]
    assert len(our_keys) == len(set(our_keys))
    others = {key for binding in bindings if binding not in ours for key in binding.key.split(",")}
    assert not set(our_keys) & others, set(our_keys) & others


async def test_help_lists_the_editing_keys():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        text = await help_keys(pilot)
        for entry in ("Ctrl+z, u", "Undo", "Ctrl+y, U", "Redo", "Rename the token", "Insert a token",
                      "Delete the token", "Insert a dimension", "Delete the dimension", "Type a sentence",
                      "Randomise", "Presets"):
            assert entry in text, entry


@pytest.mark.parametrize(
    ("command", "check"),
    [
        ("insert token", lambda app: app.scenario.n_tokens == 7),
        ("delete token", lambda app: app.scenario.n_tokens == 5),
        ("insert dimension", lambda app: app.scenario.n_dims == 4),
        ("delete dimension", lambda app: app.scenario.n_dims == 2),
        ("type a sentence", lambda app: isinstance(app.screen, SentenceDialog)),
        ("randomise", lambda app: isinstance(app.screen, SeedDialog)),
        ("presets", lambda app: isinstance(app.screen, PresetDialog)),
        ("preset one-hot", lambda app: app.scenario == preset("one-hot").scenario),
        ("rename token", lambda app: app.query_one(EmbeddingGrid).editing is not None),
    ],
)
async def test_the_palette_offers_each_editing_command(command, check):
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p", *command)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert check(app)


async def test_the_palette_undoes_and_redoes():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("x")
        for command, expected in (("undo", SEED_EXAMPLE), ("redo", SEED_EXAMPLE.with_token_deleted(0))):
            await pilot.press("ctrl+p", *command)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert app.scenario == expected, command



async def test_the_narrow_matrix_view_hides_the_grid_so_grid_edits_wait_and_messages_become_toasts():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("]", "m")
        assert app.grid_hidden
        for key in "rixIX":
            await pilot.press(key)
            assert app.scenario == SEED_EXAMPLE.with_query(2), key
            assert app.query_one(EmbeddingGrid).editing is None
        app.action_edit_cell()  # the palette's "Edit cell"
        await pilot.pause()
        assert app.query_one(EmbeddingGrid).editing is None
        await pilot.press("u")
        assert app.scenario == SEED_EXAMPLE
        await pilot.pause()
        toasts = [notification.message for notification in app._notifications]
        assert any("press m to show it" in toast for toast in toasts)
        assert "Undid: Query x⁽³⁾: starts." in toasts


# --- line editing in a cell (issue 11, item 12) ----------------------------------------------


async def test_typing_replaces_the_prefilled_value():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("enter", *"nan", "enter")
        assert "'nan'" in message(app) and "0.43nan" not in message(app)
        await pilot.press("escape", "enter", "2", "enter")
        assert app.scenario.embeddings[0][0] == 2.0


async def test_a_move_keeps_the_prefilled_value_and_edits_it():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("enter", "end", "1", "enter")  # 0.43 → 0.431
        assert app.scenario.embeddings[0][0] == 0.431
        await pilot.press("enter", "home", "-", "enter")
        assert app.scenario.embeddings[0][0] == -0.431


@pytest.mark.parametrize(
    ("keys", "typed"),
    [
        (["ctrl+u"], ""),
        (["end", "ctrl+u"], ""),
        (["end", "left", "left", "ctrl+u"], "43"),
        (["home", "right", "ctrl+k"], "0"),
        (["end", "ctrl+a", "ctrl+k"], ""),
        (["home", "ctrl+e", "9"], "0.439"),
        (["end", "ctrl+w"], ""),
        (["backspace"], ""),
    ],
)
async def test_the_usual_line_editing_keys_work_in_a_cell(keys, typed):
    async with running() as pilot:
        await pilot.press("enter", *keys)
        assert pilot.app.query_one(EmbeddingGrid).editing.text == typed


async def test_a_long_number_scrolls_inside_its_cell_instead_of_widening_the_grid():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        width = grid.outer_size.width
        await pilot.press("1", *"234567890.123456789")
        await pilot.pause()
        assert grid.outer_size.width == width
        assert "dim 3" in grid_text(app) and "Weights" in screen_text(app)
        assert "56789" in grid_text(app)  # the end of what is typed, where the caret is
