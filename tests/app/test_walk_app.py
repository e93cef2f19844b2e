"""The walkthrough, the matrix view and the softmax comparison in the app, driven by keys (Pilot)."""

from __future__ import annotations

from textual.coordinate import Coordinate

from attn_tui.ui.app import AttnApp
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.help_screen import HelpScreen
from conftest import help_keys, running, widget_text
from test_app import BOOK_CONTEXT, BOOK_SCORES, BOOK_WEIGHTS, assert_panels_match_fresh_computation, context_text, panel_values

NOT_YET = "…"


def weights_column(app: AttnApp, column: int) -> list[str]:
    """One column of the weights panel during a walk (0 = exp ω, 1 = α), one entry per token."""
    rows = widget_text(app.query_one("#weights .panel-body")).splitlines()[1 : 1 + app.scenario.n_tokens]
    return [row.split()[2 + column] for row in rows]


def words(text: str) -> list[str]:
    """Each line with its runs of spaces folded to one: the numbers in order, whatever the widths."""
    return [" ".join(line.split()) for line in text.splitlines()]


def explanation(app: AttnApp) -> str:
    panel = app.query_one("#explanation")
    return str(panel.border_title) + "\n" + widget_text(panel.query_one(".panel-body"))


def highlighted(app: AttnApp) -> set[tuple[int, int]]:
    grid = app.query_one(EmbeddingGrid)
    return {
        (row, column - 1)
        for row in range(app.scenario.n_tokens)
        for column in range(1, app.scenario.n_dims + 1)
        if "reverse" in str(grid.get_cell_at(Coordinate(row, column)).style)
    }


async def test_w_starts_with_nothing_computed_and_space_reveals_one_score_at_a_time():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        assert not app.query_one("#explanation").display
        await pilot.press("w")
        assert app.walk_position == 0
        assert app.query_one("#explanation").display
        assert panel_values(app, "scores") == [NOT_YET] * 6
        assert weights_column(app, 1) == [NOT_YET] * 6
        assert NOT_YET in context_text(app)
        assert "0/29" in explanation(app)
        assert highlighted(app) == set()

        await pilot.press("space")
        assert panel_values(app, "scores") == ["0.9544"] + [NOT_YET] * 5
        assert "ω₂₁ = x⁽¹⁾·x⁽²⁾ = 0.43×0.55 + 0.15×0.87 + 0.89×0.66 = 0.9544" in explanation(app).replace("\n", " ")
        assert highlighted(app) == {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)}

        await pilot.press("space")
        assert panel_values(app, "scores") == ["0.9544", "1.4950"] + [NOT_YET] * 4
        assert highlighted(app) == {(1, 0), (1, 1), (1, 2)}


async def test_arrows_n_p_and_backspace_step_while_the_grid_cursor_stays():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        cursor = grid.cursor_coordinate
        await pilot.press("w", "right", "right", "n")
        assert app.walk_position == 3
        await pilot.press("left", "p")
        assert app.walk_position == 1
        await pilot.press("backspace", "backspace")  # not below the start
        assert app.walk_position == 0
        assert grid.cursor_coordinate == cursor
        # Without a walk the arrows move the grid's cursor as always.
        await pilot.press("escape", "right")
        assert app.walk_position is None
        assert grid.cursor_coordinate == Coordinate(cursor.row, cursor.column + 1)


async def test_panels_fill_in_stage_by_stage_and_end_shows_everything():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "s")  # stage 1's first step
        assert app.walk_position == 1
        await pilot.press("s")  # stage 2: first exp
        assert panel_values(app, "scores") == BOOK_SCORES
        assert weights_column(app, 0) == ["2.5971"] + [NOT_YET] * 5
        assert weights_column(app, 1) == [NOT_YET] * 6
        await pilot.press(*["space"] * 7)  # the other exps, their sum, α₂₁
        assert weights_column(app, 1) == ["0.1385"] + [NOT_YET] * 5
        assert "18.7453" in widget_text(app.query_one("#weights .panel-body"))
        await pilot.press("s", *["space"] * 5)  # stage 3 to its last step
        assert app.walk_position == 25
        assert weights_column(app, 1) == BOOK_WEIGHTS
        assert BOOK_CONTEXT in context_text(app) and "6 of 6" in context_text(app)
        assert "z⁽²⁾ = [0.4419, 0.6515, 0.5683]" in explanation(app)
        await pilot.press("S")  # back to stage 3's start
        assert app.walk_position == 20
        assert "[0.0596, 0.0208, 0.1233]" in context_text(app)
        await pilot.press("end")
        assert app.walk_position == 29
        await pilot.press("home")
        assert app.walk_position == 0
        assert panel_values(app, "scores") == [NOT_YET] * 6


async def test_escape_leaves_the_walk_for_the_live_view():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "space", "escape")
        assert app.walk_position is None
        assert not app.query_one("#explanation").display
        assert highlighted(app) == set()
        assert panel_values(app, "scores") == BOOK_SCORES
        assert context_text(app) == BOOK_CONTEXT
        await pilot.press("escape")  # nothing to leave: harmless
        assert panel_values(app, "scores") == BOOK_SCORES


async def test_escape_and_arrows_inside_a_cell_edit_belong_to_the_edit():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        await pilot.press("w", "space", "enter")  # edit "Your" · dim 1, pre-filled "0.43"
        await pilot.press("left", "left", "9", "home", "end")
        assert grid.editing.text == "0.943"
        assert app.walk_position == 1
        await pilot.press("escape")  # cancels the edit, the walk goes on
        assert grid.editing is None
        assert app.walk_position == 1
        assert app.scenario == SEED_EXAMPLE
        await pilot.press("escape")
        assert app.walk_position is None


async def test_an_edit_during_the_walk_recomputes_it_at_the_same_position():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "space", "1", "enter")  # Your · dim 1 := 1
        assert app.scenario.embeddings[0][0] == 1.0
        assert app.walk_position == 1
        assert panel_values(app, "scores") == ["1.2679"] + [NOT_YET] * 5
        assert "1×0.55 + 0.15×0.87 + 0.89×0.66 = 1.2679" in explanation(app).replace("\n", " ")
        await pilot.press("end", "escape")
        assert_panels_match_fresh_computation(app)


async def test_a_query_change_during_the_walk_keeps_the_position():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "space", "space", "right_square_bracket")
        assert app.scenario.query == 2
        assert app.walk_position == 2
        assert panel_values(app, "scores") == ["0.9422", "1.4754"] + [NOT_YET] * 4
        assert "ω₃₂ = x⁽²⁾·x⁽³⁾" in explanation(app)
        assert highlighted(app) == {(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)}


async def test_the_matrix_view_shows_every_query_and_follows_the_query_keys():
    async with running(size=(120, 32)) as pilot:
        app = pilot.app
        await pilot.press("m")
        matrix = app.query_one("#matrix")
        assert matrix.display and not app.query_one("#scores").display
        # Compared word by word: the columns widen to name every token in full when there is room.
        rows = words(widget_text(matrix.query_one(".panel-body")))
        assert "▶journey " + " ".join(BOOK_SCORES) in rows
        assert "▶journey " + " ".join(BOOK_WEIGHTS) in rows
        assert "▶journey 0.4419 0.6515 0.5683" in rows
        assert "Your 0.2098 0.2006 0.1981 0.1242 0.1220 0.1452" in rows
        await pilot.press("right_square_bracket")
        text = widget_text(matrix.query_one(".panel-body"))
        assert "▶starts 0.4431 0.6496 0.5671" in words(text) and "▶journey" not in text
        await pilot.press("m")
        assert not matrix.display and app.query_one("#scores").display


async def test_the_walks_matrix_stage_fills_the_matrix_view():
    async with running(size=(120, 32)) as pilot:
        app = pilot.app
        await pilot.press("w", "end", "S")  # the matrix stage's first step
        assert app.walk_position == 26
        matrix = app.query_one("#matrix")
        assert matrix.display
        text = widget_text(matrix.query_one(".panel-body"))
        assert "▶journey " + " ".join(BOOK_SCORES) in words(text)
        assert " ".join(BOOK_WEIGHTS) not in " ".join(words(text)) and text.count(" " + NOT_YET) == 6 * 6 + 6 * 3
        await pilot.press("space", "space", "space")
        assert "equal ✓" in explanation(app)
        await pilot.press("S", "backspace")  # back into stage 3: the single-query panels again
        assert app.walk_position == 25
        assert not matrix.display and app.query_one("#scores").display


async def test_the_three_normalisations_side_by_side():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("c")
        rows = widget_text(app.query_one("#weights .panel-body")).splitlines()
        assert rows[0].split() == ["ω/Σω", "naive", "torch"]
        assert rows[1].split()[2:] == ["0.1455", "0.1385", "0.1385"]
        assert rows[7].split() == ["Σ", "1.0000", "1.0000", "1.0000"]
        await pilot.press("c")
        assert panel_values(app, "weights") == BOOK_WEIGHTS


async def test_exp_overflow_shows_nan_in_the_naive_column_and_says_why():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("c", "down", "enter", *["backspace"] * 4, "1", "0", "0", "enter")  # journey · dim 1 := 100
        assert app.scenario.embeddings[1][0] == 100.0
        text = widget_text(app.query_one("#weights .panel-body"))
        journey = text.splitlines()[2].split()
        assert journey[1] == "journey" and journey[3] == "NaN" and journey[4] == "1.0000"
        assert "exp overflows float32" in text and "subtracts the max first" in text.replace("\n", " ")
        torch_column = [row.split()[4] for row in text.splitlines()[1:7]]
        assert all(0.0 <= float(value) <= 1.0 for value in torch_column)


async def test_a_zero_sum_of_scores_says_why_the_first_column_is_nan():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p", *"zero query")
        await pilot.pause(0.3)
        await pilot.press("enter", "c")
        await pilot.pause()
        text = " ".join(widget_text(app.query_one("#weights .panel-body")).split())
        assert "NaN" in text and "divides by Σω = 0" in text


async def test_autoplay_steps_by_itself_and_any_key_stops_it():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        app.autoplay_pace = 0.2
        await pilot.press("a")
        assert app.autoplay and app.walk_position is not None
        assert "autoplay" in str(app.query_one("#explanation").border_subtitle)
        for _ in range(100):
            await pilot.pause(0.05)
            if app.walk_position >= 2:
                break
        assert app.walk_position >= 2
        await pilot.press("space")  # stops autoplay, and does not also step
        assert not app.autoplay
        stopped = app.walk_position
        await pilot.pause(0.2)
        assert app.walk_position == stopped
        await pilot.press("space")
        assert app.walk_position == stopped + 1


async def test_autoplay_pace_is_settable_and_autoplay_stops_at_the_end():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("less_than_sign")
        assert app.autoplay_pace == 2.0
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")
        assert app.autoplay_pace == 0.5
        await pilot.press("w", "end", "a")  # at the end: autoplay restarts the walk
        assert app.walk_position <= 1 and app.autoplay
        await pilot.press("greater_than_sign")  # pace keys do not stop it
        assert app.autoplay and app.autoplay_pace == 0.5
        app.autoplay_pace = 0.01
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.autoplay:
                break
        assert not app.autoplay and app.walk_position == 29


async def test_help_and_command_palette_list_the_new_keys():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        text = await help_keys(pilot)
        for entry in ("Walkthrough", "Space, n, →", "Next step", "Backspace, p, ←", "Previous step", "Exit",
                      "Next stage", "Previous stage", "Autoplay", "Autoplay faster", "Matrix view", "Compare"):
            assert entry in text, entry
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"walk through")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.walk_position == 0
        assert app.query_one("#explanation").display


async def test_walk_keys_leave_dialogs_alone():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("w", "space", "question_mark", "right", "end", "left")
        assert isinstance(app.screen, HelpScreen)
        assert app.walk_position == 1
        await pilot.press("escape")  # closes the help, the walk goes on
        assert not isinstance(app.screen, HelpScreen)
        assert app.walk_position == 1


async def test_the_footer_offers_walk_then_leave():
    async with running(size=(120, 32)) as pilot:
        app = pilot.app
        shown = {binding.id for _, binding, enabled, _ in app.screen.active_bindings.values() if binding.show and enabled}
        assert "walk.start" in shown and "walk.leave" not in shown
        await pilot.press("w")
        shown = {binding.id for _, binding, enabled, _ in app.screen.active_bindings.values() if binding.show and enabled}
        assert "walk.leave" in shown and "walk.start" not in shown


async def test_walk_and_matrix_view_at_80x24_under_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # Textual reads it when the App is created
    app = AttnApp()
    assert app.no_color
    async with running(app, size=(80, 24)) as pilot:
        await pilot.press("w", "space", "space")
        assert panel_values(app, "scores") == ["0.9544", "1.4950"] + [NOT_YET] * 4
        assert app.query_one("#explanation").region.height >= 5
        await pilot.press("escape", "m")
        body = app.query_one("#matrix .panel-body")
        text = " ".join(widget_text(body).split())
        assert "0.1385 0.2379" in text  # numbers, not colour, carry the heatmap
        # The query's row is marked without colour: ▶ and reverse video.
        lines = body.render_lines(body.region.reset_offset)
        styles = [segment.style for line in lines for segment in line if "▶journey" in segment.text]
        assert styles and all(style.reverse and style.bold for style in styles)


async def test_at_80_columns_the_matrix_view_takes_the_whole_width_and_gives_the_grid_back():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("m")
        grid, matrix = app.query_one(EmbeddingGrid), app.query_one("#matrix")
        assert not app.query_one("#left").display and app.focused is matrix
        text = " ".join(widget_text(matrix.query_one(".panel-body")).split())
        assert "▶journey " + " ".join(BOOK_WEIGHTS) in text  # all six columns fit
        assert "Your journey starts with one step" in text  # and their names in full
        await pilot.press("right_square_bracket")
        assert app.scenario.query == 2
        await pilot.press("m")
        assert app.query_one("#left").display and app.focused is grid
        await pilot.press("m")
        await pilot.resize_terminal(120, 32)
        await pilot.pause()
        assert app.query_one("#left").display and app.focused is grid  # wide: grid beside the matrix


async def test_every_palette_entry_names_the_keys_of_its_bindings():
    from attn_tui.ui.commands import AttnCommands

    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        for walking in (False, True):
            if walking:
                await pilot.press("w")
            helps = {name: help_text for name, _, help_text in AttnCommands(app.screen)._escaped_commands()}
            assert helps["Next query token"].endswith("(])")
            assert helps["Undo"].endswith("(Ctrl+z, u)")
            assert helps["Toggle matrix view"].endswith("(m)")
            if walking:
                assert helps["Walk: next step"].endswith("(Space, n, →)")
                assert helps["Leave the walkthrough"].endswith("(Esc)")


async def test_the_walks_column_headings_stay_in_place_as_values_fill_in():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("w")
        heading = widget_text(app.query_one("#weights .panel-body")).splitlines()[0]
        for _ in range(14):  # through the scores and the normalisation
            await pilot.press("space")
            assert widget_text(app.query_one("#weights .panel-body")).splitlines()[0] == heading


async def test_steps_a_line_longer_or_shorter_keep_the_explanations_box_and_the_grids_cap():
    """A new layout costs a step several times its repaint (issue 5): through the first three
    stages the steps' texts differ by a line or two, and neither the explanation's text box nor
    the grid's height cap moves, whether the text overflows the panel (100×30) or fits (120×32)."""
    for size, overflows in (((100, 30), True), ((120, 32), False)):
        async with running(size=size) as pilot:
            app = pilot.app
            await pilot.press("w", "space")
            panel = app.query_one("#explanation")
            text_lines = set()
            boxes = set()
            for _ in range(24):  # steps 2-25
                await pilot.press("space")
                text_lines.add(len(widget_text(panel.query_one(".panel-body")).rstrip("\n").splitlines()))
                boxes.add((panel.virtual_size, app.query_one(EmbeddingGrid).styles.max_height))
                assert panel.show_vertical_scrollbar == overflows
            assert len(text_lines) > 1, "the texts' lengths differ: nothing was tested"
            assert len(boxes) == 1
