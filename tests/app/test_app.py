"""The app driven by keys with Textual's Pilot, as a person would use it."""

from __future__ import annotations

import re

import pytest

from textual import events
from textual.coordinate import Coordinate

from attn_tui.ui.app import AttnApp
from attn_tui.ui.torch_loader import TorchLoader
from attn_tui.core.compute import analyse
from attn_tui.core.formatting import format_number
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.help_screen import HelpScreen
from attn_tui.ui.widgets.panels import ScoresPanel
from conftest import help_keys, message, running, widget_text
from oracle import mismatches, simple_attention

NUMBER = re.compile(r"-?\d+\.\d+(e[+-]\d+)?|NaN|-?inf|…")
BOOK_SCORES = ["0.9544", "1.4950", "1.4754", "0.8434", "0.7070", "1.0865"]
BOOK_WEIGHTS = ["0.1385", "0.2379", "0.2333", "0.1240", "0.1082", "0.1581"]
BOOK_CONTEXT = "[0.4419, 0.6515, 0.5683]"


def listed_tokens(app: AttnApp) -> range:
    """The tokens the per-token panels list: all of them, or a window around the query."""
    return app.query_one(ScoresPanel).rows(app.analysis)


def panel_values(app: AttnApp, panel_id: str) -> list[str]:
    """The number column of a per-token panel, one entry per listed token, as displayed."""
    rows = widget_text(app.query_one(f"#{panel_id} .panel-body")).splitlines()
    # The last number on the row: a token may contain spaces, and a bar may follow.
    return [[field for field in row.split() if NUMBER.fullmatch(field)][-1] for row in rows[: len(listed_tokens(app))]]


def context_text(app: AttnApp) -> str:
    # A long vector wraps at its commas' spaces: one line again.
    return widget_text(app.query_one("#context .panel-body")).strip().replace("\n", " ")


def assert_panels_match_fresh_computation(app: AttnApp) -> None:
    """What the panels show equals a fresh computation on the grid's numbers."""
    fresh = analyse(app.scenario).query
    listed = listed_tokens(app)
    assert panel_values(app, "scores") == [format_number(v) for v in fresh.scores.tolist()[listed.start : listed.stop]]
    assert panel_values(app, "weights") == [format_number(v) for v in fresh.weights.tolist()[listed.start : listed.stop]]
    assert context_text(app) == "[" + ", ".join(format_number(v) for v in fresh.context.tolist()) + "]"


def assert_panels_match_oracle(app: AttnApp) -> None:
    """What the panels print equals the independent float64 reference (tests/oracle.py) to the
    printed 4 decimals, within float32's slack: unlike a fresh ``analyse()``, it shares no code
    with the app."""
    scenario = app.scenario
    reference = simple_attention(scenario.embeddings, scenario.query)
    listed = listed_tokens(app)
    context = context_text(app).strip("[]").split(", ")
    wrong = [
        *mismatches("scores", panel_values(app, "scores"), reference.scores[listed.start : listed.stop], reference.score_slack[listed.start : listed.stop]),
        *mismatches("weights", panel_values(app, "weights"), reference.weights[listed.start : listed.stop], reference.weight_slack[listed.start : listed.stop]),
        *mismatches("context", context, reference.context, reference.context_slack),
    ]
    assert not wrong, "\n".join(wrong)


async def test_default_screen_shows_the_books_numbers():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        assert panel_values(app, "scores") == BOOK_SCORES
        assert panel_values(app, "weights") == BOOK_WEIGHTS
        assert context_text(app) == BOOK_CONTEXT
        assert_panels_match_oracle(app)
        assert "ω₂ᵢ = x⁽ⁱ⁾·x⁽²⁾" in str(app.query_one("#scores").border_title)
        assert "α₂ᵢ = exp ω₂ᵢ / Σⱼ exp ω₂ⱼ" in str(app.query_one("#weights").border_title)
        assert "z⁽²⁾ = Σᵢ α₂ᵢ x⁽ⁱ⁾" in str(app.query_one("#context").border_title)


async def test_grid_starts_focused_on_the_first_number_with_the_query_marked():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        assert app.focused is grid
        assert tuple(grid.cursor_coordinate) == (0, 1)
        text = widget_text(grid)
        assert "▶ journey" in text
        assert "0.4300" in text and "0.5500" in text
        assert "journey" in widget_text(app.query_one("#query-bar"))


async def test_typing_a_digit_starts_an_edit_and_enter_commits_it():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("1", "enter")
        assert app.scenario.embeddings[0] == (1.0, 0.15, 0.89)
        # x⁽¹⁾·x⁽²⁾ = 1×0.55 + 0.15×0.87 + 0.89×0.66 = 1.2679
        assert panel_values(app, "scores")[0] == "1.2679"
        assert_panels_match_fresh_computation(app)
        assert "1.0000" in widget_text(app.query_one(EmbeddingGrid))
        assert app.query_one(EmbeddingGrid).editing is None
        assert app.focused is app.query_one(EmbeddingGrid)


async def test_enter_prefills_the_current_value_for_editing():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("down", "right", "enter")  # journey, dim 2 = 0.87
        assert app.query_one(EmbeddingGrid).editing.text == "0.87"
        await pilot.press("end", "backspace", "5", "enter")  # 0.85 (End keeps the selected value to edit)
        assert app.scenario.embeddings[1] == (0.55, 0.85, 0.66)
        assert_panels_match_fresh_computation(app)


async def test_escape_cancels_an_edit():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("7", "7", "escape")
        assert app.scenario == SEED_EXAMPLE
        assert app.query_one(EmbeddingGrid).editing is None
        assert panel_values(app, "scores") == BOOK_SCORES


@pytest.mark.parametrize("bad_text", ["abc", "", "nan", "inf", "1e999", "--1", "1e39"])
async def test_text_that_is_not_a_finite_number_is_refused(bad_text):
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("enter", *["backspace"] * 4)
        for character in bad_text:
            await pilot.press(character)
        await pilot.press("enter")
        message = widget_text(app.query_one("#message"))
        assert "Refused" in message
        assert app.scenario == SEED_EXAMPLE
        assert panel_values(app, "scores") == BOOK_SCORES
        # The typed text stays in the open editor so it can be corrected.
        assert app.query_one(EmbeddingGrid).editing is not None
        assert app.query_one(EmbeddingGrid).editing.text == bad_text
        await pilot.press("escape")
        assert app.query_one(EmbeddingGrid).editing is None


async def test_a_long_refused_value_is_quoted_short_in_the_message():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("enter", *["backspace"] * 4, *"1" * 60, "x", "enter")
        shown = message(app)
        assert "Refused" in shown and "…" in shown and "1" * 60 not in shown
        assert len(shown) < 160


async def test_brackets_change_the_query_and_every_panel_follows():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("right_square_bracket")
        assert app.scenario.query == 2
        assert panel_values(app, "scores")[2] == "1.4570"
        assert "ω₃ᵢ" in str(app.query_one("#scores").border_title)
        assert "▶ starts" in widget_text(app.query_one(EmbeddingGrid))
        assert_panels_match_fresh_computation(app)
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert app.scenario.query_token == "step"  # wraps around
        assert context_text(app) == "[0.4177, 0.6503, 0.5645]"


async def test_hjkl_move_the_cursor():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        await pilot.press("j", "j", "l")
        assert tuple(grid.cursor_coordinate) == (2, 2)
        await pilot.press("k", "h")
        assert tuple(grid.cursor_coordinate) == (1, 1)


async def test_brackets_typed_in_the_editor_are_text_not_query_changes():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("1", "right_square_bracket", "enter")
        assert app.scenario.query == 1
        assert app.scenario == SEED_EXAMPLE
        assert "Refused" in widget_text(app.query_one("#message"))


async def test_renaming_a_token_via_its_label_cell():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("left", "enter", *["backspace"] * 4, "M", "y", "enter")
        assert app.scenario.tokens[0] == "My"
        assert "My" in widget_text(app.query_one("#scores .panel-body"))
        await pilot.press("enter", *["backspace"] * 2, "enter")
        assert "Refused" in widget_text(app.query_one("#message"))
        assert app.scenario.tokens[0] == "My"


async def test_help_lists_every_key_and_closes():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        text = await help_keys(pilot)
        for description in ("Prev query", "Next query", "Edit the cell", "Move the cursor", "Quit", "Cancel the edit", "Commands"):
            assert description in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_the_apps_actions():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p")
        for character in "next query":
            await pilot.press(character)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.scenario.query == 2


async def test_a_too_small_terminal_shows_a_notice_not_a_broken_layout():
    async with running(size=(60, 20)) as pilot:
        app = pilot.app
        await pilot.pause()
        assert app.query_one("#too-small").display
        assert "need 80×24" in widget_text(app.query_one("#too-small"))
        assert "60×20" in widget_text(app.query_one("#too-small"))  # the size it has now
        assert app.query_one("#main").styles.display == "none"
        await pilot.press("right_square_bracket", "x")  # unseen changes: the keys wait
        assert app.scenario.query == 1 and app.scenario.n_tokens == 6
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.query_one("#main").styles.display != "none"
        assert panel_values(app, "scores") == BOOK_SCORES
        assert app.focused is app.query_one(EmbeddingGrid)  # keys reach the grid again


async def test_a_large_value_still_shows_finite_weights():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("enter", *["backspace"] * 4, *"1e15", "enter")
        weights = [float(v) for v in panel_values(app, "weights")]
        assert all(0.0 <= w <= 1.0 for w in weights)
        assert_panels_match_fresh_computation(app)


async def test_grid_is_on_screen_and_editable_before_torch_has_loaded(monkeypatch):
    monkeypatch.setattr(TorchLoader, "start", lambda self: None)
    app = AttnApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "loading torch…" in widget_text(app.query_one("#scores .panel-body"))
        assert "0.5500" in widget_text(app.query_one(EmbeddingGrid))
        await pilot.press("2", "enter")
        assert app.scenario.embeddings[0][0] == 2.0
        assert not app.is_ready


async def test_w_before_torch_has_loaded_starts_the_walk_when_the_numbers_arrive(monkeypatch):
    """A presenter's first key, pressed while torch loads, is not lost."""
    monkeypatch.setattr(TorchLoader, "start", lambda self: None)
    app = AttnApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        assert not app.walking
        assert message(app) == "The walk starts as soon as the numbers are loaded."
        app._compute_loaded(analyse)  # what the torch loader hands over once torch is imported
        await pilot.pause()
        assert app.walking and app.walk_position == 0
        assert "Walking through the computation" in message(app)


async def test_steps_typed_while_the_walk_waits_for_the_numbers_are_kept(monkeypatch):
    """w then Space (or →) before torch has loaded: the walk starts at the step asked for, not at
    its start with the Space lost (found at 80×24 with 12 tokens, pressed at once)."""
    monkeypatch.setattr(TorchLoader, "start", lambda self: None)
    app = AttnApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w", "space", "right", "left", "space")
        app._compute_loaded(analyse)
        await pilot.pause()
        assert app.walk_position == 2
        assert "Step 2/" in str(app.query_one("#explanation").border_title)


async def test_escape_while_the_walk_waits_for_the_numbers_cancels_it(monkeypatch):
    monkeypatch.setattr(TorchLoader, "start", lambda self: None)
    app = AttnApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w", "escape")
        app._compute_loaded(analyse)
        await pilot.pause()
        assert not app.walking


async def test_fast_typing_loses_no_keys():
    """A terminal delivers "0.5⏎" in one burst: every key must land in the edit, in order."""
    async with running() as pilot:
        app = pilot.app
        for key, character in [("0", "0"), ("full_stop", "."), ("5", "5"), ("enter", "\r"), ("down", None),
                               ("2", "2"), ("enter", "\r")]:
            app.post_message(events.Key(key, character))
        await pilot.pause(0.2)
        assert app.scenario.embeddings[0][0] == 0.5
        assert app.scenario.embeddings[1][0] == 2.0
        assert_panels_match_fresh_computation(app)


async def test_edit_keys_move_the_caret_and_delete():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("enter", "home", "delete", "delete", "3", "end", "backspace", "1", "left", "9", "enter")
        # "0.43" → "43" → "343" → "34" → "341" → "3491"
        assert app.scenario.embeddings[0][0] == 3491.0


async def test_letters_typed_into_a_label_are_text_not_commands():
    async with running() as pilot:
        app = pilot.app
        await pilot.press("left", "enter", *["backspace"] * 4, *"hjkl[]?", "enter")
        assert app.scenario.tokens[0] == "hjkl[]?"
        assert app.scenario.query == 1
        assert app.screen is app.screen_stack[0]


async def test_highlighted_cells_are_emphasised_and_cleared():
    async with running() as pilot:
        grid = pilot.app.query_one(EmbeddingGrid)
        grid.set_highlight({(0, 0), (1, 2)})
        await pilot.pause()
        assert "reverse" in str(grid.get_cell_at(Coordinate(0, 1)).style)
        assert "reverse" in str(grid.get_cell_at(Coordinate(1, 3)).style)
        grid.set_highlight(())
        await pilot.pause()
        assert "reverse" not in str(grid.get_cell_at(Coordinate(0, 1)).style)


@pytest.mark.parametrize("walking", [False, True])
async def test_the_footer_shows_every_key_in_full_at_80_columns(walking):
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey, FooterLabel

    async with running(size=(80, 24)) as pilot:
        if walking:
            await pilot.press("w")
        await pilot.pause()
        footer = pilot.app.query_one(Footer)
        palette = footer.query_one(".-command-palette")
        entries = [w for w in footer.query("FooterKey, FooterLabel") if w is not palette]
        shown = {w.description for w in entries if isinstance(w, FooterKey)} | {str(w.render()) for w in entries if isinstance(w, FooterLabel)}
        expected = {"Quit", "Query", "Help", "Views", "Undo", "Exit" if walking else "Walk"}
        assert expected <= shown, shown
        # Nothing is cut off by the palette's key at the right.
        assert all(w.region.right <= palette.region.x for w in entries), [(w, w.region) for w in entries]


async def test_a_commit_never_shows_the_old_value_in_between():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        await pilot.press("1")
        grid.action_commit_edit()  # as Enter does; the app has not handled it yet
        assert "0.4300" not in grid.render_line(1).text  # the typed value stays until the new one is shown
        assert "     1 " in grid.render_line(1).text
        await pilot.pause()
        assert "1.0000" in grid.render_line(1).text and app.scenario.embeddings[0][0] == 1.0
        # The same value again changes nothing, and the edit still closes.
        await pilot.press("1", "enter")
        assert grid.editing is None and "1.0000" in grid.render_line(1).text
        assert not any(segment.style and segment.style.reverse and segment.text == " " for segment in grid.render_line(1))


async def palette_entries(pilot, query: str) -> str:
    """The command palette's entries for ``query``, as text (the palette stays open)."""
    from textual.command import CommandList

    await pilot.press("ctrl+p", *query)
    await pilot.pause(0.5)
    command_list = pilot.app.screen.query_one(CommandList)
    return "\n".join(str(command_list.get_option_at_index(i).prompt) for i in range(command_list.option_count))


@pytest.mark.parametrize("query", ["book", "journey", "uniform"])
async def test_the_palette_finds_presets_by_their_words(query):
    async with running(size=(100, 30)) as pilot:
        entries = await palette_entries(pilot, query)
        assert "Preset:" in entries, entries


async def test_the_svg_header_has_no_span_an_svg_renderer_squeezes_and_an_icon_every_font_has():
    import re

    async with running(size=(80, 24)) as pilot:
        svg = pilot.app.export_screenshot()
    header = re.findall(r'line-0\)">([^<]*)</text>', svg)
    assert header[0] == "α"
    assert not any(span.startswith("&#160;") for span in header), header  # rsvg drops a leading space
    assert "attn-tui · simple self-attention" in "".join(header).replace("&#160;", " ")


async def test_the_palettes_no_matches_countdown_ending_as_it_closes_is_harmless():
    """A search with no match shows "No matches found" after half a second (a timer); on a loaded
    machine that timer could end while the palette closed, its list gone: Textual raised NoMatches
    and the app stopped (found by the long fuzz)."""
    from textual.command import CommandList

    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p", *"qqqqzzzz")
        palette = app.screen
        await app.workers.wait_for_complete()  # the search, which starts the countdown when it finds nothing
        countdown = palette._no_matches_timer
        assert countdown is not None
        await palette.query_one(CommandList).remove()  # as when the palette is being removed
        countdown._callback()  # the countdown ends now
        await pilot.pause()
        assert app.is_running and app._exception is None
