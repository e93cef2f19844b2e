"""The layout shares the rows (attn_tui/ui/layout.py): nothing that matters is pushed off screen."""

from __future__ import annotations

import re

import pytest
from rich.style import Style

from attn_tui.core.scenario import Scenario, seeded_scenario
from attn_tui.ui.app import AttnApp
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.panels import BAR_WIDTH, ContextPanel
from attn_tui.ui.widgets.query_bar import QueryBar
from conftest import message, panel_text, quiet, running, screen_text
from test_app import assert_panels_match_fresh_computation

SENTENCE = "the quick brown fox jumps over the lazy dog and then it sleeps"
BIG = seeded_scenario(512, 768, seed=7)


async def type_sentence(pilot, sentence: str = SENTENCE) -> None:
    await pilot.press("t", *sentence, "enter")
    await pilot.pause()


@pytest.mark.parametrize("tokens", [10, 13])
async def test_a_walk_step_keeps_its_arithmetic_on_screen_at_80x24(tokens):
    async with running(size=(80, 24)) as pilot:
        await type_sentence(pilot, " ".join(SENTENCE.split()[:tokens]))
        await pilot.press("w", "space")
        screen = screen_text(pilot.app)
        assert "ω₂₁ = x⁽¹⁾·x⁽²⁾ =" in screen
        assert "= -0.4608" in screen  # the result: the formula is not cut
        assert "Step 1/" in screen


async def test_a_walk_step_keeps_its_arithmetic_on_screen_with_512_tokens():
    async with running(AttnApp(BIG), size=(80, 24)) as pilot:
        await pilot.press("w", "space")
        app = pilot.app
        screen = screen_text(app)
        result = app.walkthrough.step_at(1).arithmetic[-1].split("=")[-1].strip()
        assert "ω₂₁ = x⁽¹⁾·x⁽²⁾ =" in screen  # the seeded scenario's query is token 2
        assert f"│ = {result}" in screen


async def test_the_context_panel_stays_whole_after_the_overflow_preset_and_compare():
    async with running(size=(80, 24)) as pilot:
        await pilot.press("P", "down", "down", "down", "enter", "c")
        await pilot.pause()
        lines = screen_text(pilot.app).splitlines()
        assert "Context" in lines[-4] and "[5.5000, 8.7000, 6.6000]" in lines[-3]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_long_context_vector_says_how_many_values_are_out_of_sight(size):
    async with running(AttnApp(BIG), size=size) as pilot:
        app = pilot.app
        panel = app.query_one(ContextPanel)
        await pilot.pause()
        screen = screen_text(app)
        assert "Context" in screen
        shown = screen.count(", ", screen.index("Context"))
        subtitle = str(panel.border_subtitle)
        assert subtitle.startswith("… (") and "more)" in subtitle and subtitle in screen
        hidden = int(subtitle[3 : subtitle.index(" more")])
        assert 0 < hidden < 768 and hidden + shown >= 768 - 2
        # Tab to the panel, ↓ scrolls: the count follows.
        panel.focus()
        await pilot.press("down")
        await pilot.pause()
        assert str(panel.border_subtitle) != subtitle


async def test_the_query_bar_says_what_its_counts_are():
    async with running(AttnApp(BIG.with_query(100)), size=(80, 24)) as pilot:
        bar = pilot.app.query_one("#query-bar")
        chips = " ".join(" ".join(bar.render_line(y).text for y in range(bar.content_size.height)).split())
        assert re.fullmatch(r"\d+ more … .*▶t101◀.* … \d+ more", chips), chips
        assert chips.split()[-2] in screen_text(pilot.app)  # the count is on screen, not cut off


async def test_the_message_after_an_import_over_unsaved_work_is_whole(tmp_path):
    (tmp_path / "m64.csv").write_text("\n".join(",".join(f"{(r * 64 + c) % 7 - 3}.5" for c in range(64)) for r in range(64)))
    async with running(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "ctrl+l", *"m64.csv", "enter")
        await pilot.pause()
        width = pilot.app.query_one("#left").outer_size.width
        left_column = " ".join(" ".join(line[:width] for line in screen_text(pilot.app).splitlines()).split())
        assert "Opened m64.csv" in left_column and "u brings back your unsaved work." in left_column


async def test_a_new_event_replaces_an_outdated_hint():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("P", "down", "down", "down", "enter")
        assert "Press c to compare" in message(app)
        await pilot.press("c")
        assert "Press c to compare" not in message(app) and "Comparing" in message(app)
        await pilot.press("ctrl+s", *"x.json", "enter")
        await pilot.pause()
        assert "Saved x.json." in message(app)


async def test_the_matrix_stage_of_the_walk_shows_the_matrix_its_step_is_about():
    async with running(size=(80, 24)) as pilot:
        await pilot.press("w", "end")
        await pilot.pause()
        screen = screen_text(pilot.app)
        assert "Z[2] = [0.4419, 0.6515, 0.5683]" in screen
        assert "Z = A·X" in screen and "▶journey  0.4419 0.6515 0.5683" in screen


async def test_a_large_terminal_gives_the_grid_the_labels_and_the_explanation_room():
    long_label = "an unusually long token label"
    async with running(size=(200, 60)) as pilot:
        app = pilot.app
        await pilot.press("r", *long_label, "enter", "w", "space")
        await pilot.pause()
        assert app.query_one("#left").outer_size.width >= 90
        assert app.query_one("#explanation").outer_size.width >= 90
        screen = screen_text(app)
        assert f"▶ {long_label}" not in screen and f"  {long_label}" in screen  # the grid: in full
        grid_header = next(line for line in screen.splitlines() if "dim 1" in line)
        assert grid_header.index("dim 2") - grid_header.index("dim 1") >= 12  # wider columns
        await pilot.press("escape", "m")
        await pilot.pause()
        assert f" {long_label}" in screen_text(app).split("All queries")[1]  # the matrix view: in full


async def test_a_normal_terminal_keeps_the_compact_layout():
    async with running(size=(80, 24)) as pilot:
        grid_header = next(line for line in screen_text(pilot.app).splitlines() if "dim 1" in line)
        assert grid_header.index("dim 2") - grid_header.index("dim 1") == 8


async def test_panel_symbols_past_9_tokens_separate_their_indices():
    async with running(size=(80, 24)) as pilot:
        await type_sentence(pilot)
        pilot.app.action_select_query(9)  # 13 tokens, query 10
        await pilot.pause()
        scores = screen_text(pilot.app)
        assert "ω₁₀,₁₀" in scores and "ω₁₀₁₀" not in scores


async def test_a_long_vector_step_keeps_its_result_on_screen_with_512_tokens():
    async with running(AttnApp(BIG), size=(80, 24)) as pilot:
        await pilot.press("w", "s", "s", "s", "space")  # the second term of the context vector
        await pilot.pause()
        assert "(after 2 of 512)" in screen_text(pilot.app)


async def test_wrapped_query_chips_keep_their_padding():
    async with running(size=(80, 24)) as pilot:
        screen = screen_text(pilot.app).splitlines()
        top = next(i for i, line in enumerate(screen) if "Query x⁽²⁾" in line)
        assert screen[top + 1].startswith("│  Your ") and screen[top + 2].startswith("│  one ")  # as padded as the first


def bar_lines(bar: QueryBar) -> list[str]:
    """The query bar as drawn, borders included."""
    return [strip.text for strip in bar.render_lines(bar.region.reset_offset)]


def chip_offset(bar: QueryBar, text: str) -> tuple[int, int]:
    """Where ``text`` is drawn in the query bar, relative to the bar (as Pilot's clicks take it)."""
    lines = bar_lines(bar)
    y = next(y for y, line in enumerate(lines) if text in line and y > 0)  # not in the title
    return lines[y].index(text), y


async def test_a_click_on_a_token_makes_it_the_query_and_a_click_between_tokens_does_nothing():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        bar = app.query_one(QueryBar)
        await pilot.click(QueryBar, offset=chip_offset(bar, "one"))
        assert app.scenario.query_token == "one"
        assert "Query x⁽⁵⁾: one" in message(app)
        assert "▶one◀" in "".join(bar_lines(bar))
        x, y = chip_offset(bar, "Your")
        await pilot.click(QueryBar, offset=(x - 2, y))  # the gap before the first chip (padding)
        await pilot.click(QueryBar, offset=(x + len("Your") + 1, y))  # the space after its chip
        assert app.scenario.query_token == "one"
        await pilot.click(QueryBar, offset=(x + len("Your"), y))  # the chip's own trailing space
        assert app.scenario.query_token == "Your"


async def test_a_click_on_a_count_of_hidden_tokens_chooses_none():
    async with running(AttnApp(BIG.with_query(100)), size=(80, 24)) as pilot:
        bar = pilot.app.query_one(QueryBar)
        await pilot.click(QueryBar, offset=chip_offset(bar, "more …"))  # before the first chip
        lines = bar_lines(bar)
        last = max(y for y, line in enumerate(lines) if " more" in line)
        await pilot.click(QueryBar, offset=(lines[last].rindex("… "), last))  # after the last chip
        assert pilot.app.scenario.query == 100
        await pilot.click(QueryBar, offset=chip_offset(bar, " t102 "))
        assert pilot.app.scenario.query == 101


async def test_the_token_under_the_mouse_is_highlighted_as_a_link():
    async with running(size=(80, 24)) as pilot:
        bar = pilot.app.query_one(QueryBar)

        def style_of(text: str) -> Style:
            x, y = chip_offset(bar, text)
            painted = bar.render_lines(bar.region.reset_offset)[y]
            return next(segment.style for segment in painted if text in segment.text).clear_meta_and_links()

        plain = style_of("starts")
        assert plain.underline  # as a link
        await pilot.hover(QueryBar, offset=chip_offset(bar, "starts"))
        assert style_of("starts") == plain + bar.link_style_hover.clear_meta_and_links()
        assert style_of("with") == plain
        await pilot.hover("#message")
        assert style_of("starts") == plain


async def test_the_query_bar_shows_all_its_lines_after_the_terminal_narrows():
    """Narrower, the chips take more lines; the layout asks for them before the app shows the bar
    again at its new width (a bar that answered with the rows of the old width lost two)."""
    async with running(AttnApp(seeded_scenario(64, 8, seed=1)), size=(80, 24)) as pilot:
        bar = pilot.app.query_one(QueryBar)
        await pilot.resize_terminal(200, 60)
        await quiet(pilot)
        await pilot.press("right_square_bracket")
        await quiet(pilot)
        assert len(bar_lines(bar)) == 2 + 2  # borders and two lines of chips
        await pilot.resize_terminal(100, 30)
        await quiet(pilot)
        lines = bar_lines(bar)
        assert len(lines) > 4 and "… 40 more" in lines[-2], lines


async def test_a_cursor_moved_while_the_grid_is_hidden_is_scrolled_into_view_when_it_shows():
    """A too small terminal hides the grid. A cursor move then asked to scroll again after every
    refresh until the grid had a size: the app was never idle while the notice showed."""
    async with running(AttnApp(seeded_scenario(40, 4, seed=3)), size=(80, 24)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        await pilot.resize_terminal(60, 20)  # too small: the grid is hidden with the layout
        await quiet(pilot)
        grid.action_last_row()
        await quiet(pilot)  # raised "still busy": the grid kept asking
        await pilot.resize_terminal(80, 24)
        await quiet(pilot)
        visible_rows = grid.scrollable_content_region.height - 1  # under the header row
        assert grid.scroll_y <= grid.cursor_row < grid.scroll_y + visible_rows


@pytest.mark.parametrize("size, keys_panel", [((80, 24), False), ((100, 30), True)])
async def test_long_token_names_in_a_narrow_right_column_shorten_the_bars_not_the_weights(size, keys_panel):
    """A 40-column right column (80×24, or 100×30 beside Textual's keys panel from the palette) and
    a 13-character token: the weights table was wider than its panel, and Rich shrank every
    column, the weights cut to "0.22…" (the long fuzz's IndexError in CI)."""
    scenario = Scenario(tokens=("Tokenization!", "of", "text"), embeddings=((0.1, -1.5, 0.25), (1.0, 0.5, -0.25), (2.0, 1.5, 0.75)), query=1)
    async with running(AttnApp(scenario), size=size) as pilot:
        app = pilot.app
        if keys_panel:
            app.action_show_help_panel()
        await quiet(pilot)
        assert app.query_one("#right").region.width == 40
        assert_panels_match_fresh_computation(app)
        bars = [row.split()[-1] for row in panel_text(app, "weights").splitlines()[:3]]
        assert all(set(bar) <= set("█▏▎▍▌▋▊▉") for bar in bars) and max(map(len, bars)) < BAR_WIDTH


@pytest.mark.parametrize("mechanism", ["trainable", "causal"])
async def test_3_4_and_3_5_count_the_context_values_out_of_sight_too(mechanism):
    """d_out 64 at 80×24: 3.4's and 3.5's context vector (64 values) did not fit and was cut
    with no sign that more followed; it now says how many, as 3.3's does."""
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.mechanisms import mechanism_named

    unit = mechanism_named(mechanism)
    scenario = SEED_EXAMPLE.with_mechanism(mechanism, unit.initialise(SEED_EXAMPLE, "rand", 123, 64))
    async with running(AttnApp(scenario), size=(80, 24)) as pilot:
        app = pilot.app
        await quiet(pilot)
        panel = app.query_one("#context")
        screen = screen_text(app)
        subtitle = str(panel.border_subtitle)
        assert subtitle.startswith("… (") and subtitle in screen
        shown = screen.count(", ", screen.index("Context"))
        hidden = int(subtitle[3 : subtitle.index(" more")])
        assert 0 < hidden < 64 and hidden + shown >= 64 - 2
        # The query's 64 values no longer widen the keys' column until Rich crushes the tokens to "…".
        projections = panel_text(app, "projections").splitlines()
        assert projections[0].startswith("q⁽²⁾ =") and projections[1].startswith("Your ") and projections[2].startswith("journey ")
