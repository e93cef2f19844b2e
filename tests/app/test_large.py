"""Large scenarios (issue 4 §6): a 512×768 matrix opens, scrolls and edits; views stay bounded."""

from __future__ import annotations

import pytest

from attn_tui.ui.app import AttnApp
from attn_tui.core.compute import analyse
from attn_tui.core.scenario import seeded_scenario
from attn_tui.core.walkthrough import MAX_TERMS, build_walkthrough
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from conftest import running, widget_text
from test_app import assert_panels_match_fresh_computation, assert_panels_match_oracle

BIG = seeded_scenario(512, 768, seed=7)


def test_seeded_scenarios_are_reproducible():
    assert seeded_scenario(4, 3, seed=1) == seeded_scenario(4, 3, seed=1)
    assert seeded_scenario(4, 3, seed=1) != seeded_scenario(4, 3, seed=2)
    assert (BIG.n_tokens, BIG.n_dims) == (512, 768)


def test_one_edit_shares_the_unchanged_rows():
    edited = BIG.with_value(3, 700, 0.5)
    assert edited.embeddings[3][700] == 0.5
    assert all(edited.embeddings[i] is BIG.embeddings[i] for i in range(512) if i != 3)
    assert analyse(edited, analyse(BIG)).inputs[3, 700].item() == 0.5


async def test_a_512x768_matrix_scrolls_and_edits():
    async with running(AttnApp(BIG), size=(100, 30)) as pilot:
        app = pilot.app
        grid = app.query_one(EmbeddingGrid)
        assert "dim 1" in widget_text(grid)
        await pilot.press("end", "ctrl+end")
        assert tuple(grid.cursor_coordinate) == (511, 768)
        text = widget_text(grid)
        assert "dim 768" in text and "t512" in text
        await pilot.press("2", "enter")
        assert app.scenario.embeddings[511][767] == 2.0
        assert "2.0000" in widget_text(grid)
        # Only a window of tokens around the query is listed.
        assert "of 512 · [ ] moves" in widget_text(app.query_one("#scores .panel-body"))
        assert_panels_match_fresh_computation(app)
        assert_panels_match_oracle(app)
        await pilot.press("m")
        assert "tokens 1–12 of 512" in widget_text(app.query_one("#matrix .panel-body"))


async def test_pageup_pagedown_home_move_the_cursor():
    async with running(AttnApp(seeded_scenario(100, 20)), size=(100, 30)) as pilot:
        grid = pilot.app.query_one(EmbeddingGrid)
        await pilot.press("pagedown")
        assert grid.cursor_row > 10
        await pilot.press("home")
        assert grid.cursor_column == 0
        await pilot.press("pageup", "ctrl+home")
        assert grid.cursor_row == 0


def test_walkthrough_lines_stay_short_for_large_d():
    walkthrough = build_walkthrough(analyse(seeded_scenario(40, 768)))
    for step in walkthrough.steps:
        for line in step.arithmetic:
            assert len(line) < 400, line
    first = walkthrough.steps[0].arithmetic[0]
    assert f"… {768 - 6} more …" in first
    assert MAX_TERMS < 768


async def test_without_colour_the_cursor_is_reverse_video(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # read when the App is created
    async with running(AttnApp(), size=(80, 24)) as pilot:
        grid = pilot.app.query_one(EmbeddingGrid)
        assert grid.get_component_rich_style("embedding-grid--cursor").reverse
        strip = grid.render_line(1)  # the first token's row: the cursor is on its first number
        assert any(segment.style and segment.style.reverse and "0.4300" in segment.text for segment in strip)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 50)])
@pytest.mark.parametrize("walking", [False, True])
async def test_many_tokens_leave_the_context_vector_on_screen(size, walking):
    from attn_tui.ui.widgets.panels import ContextPanel, ScoresPanel, WeightsPanel

    async with running(AttnApp(seeded_scenario(64, 64, seed=3)), size=size) as pilot:
        app = pilot.app
        if walking:
            await pilot.press("w", "space", "space")
        await pilot.pause()
        footer_top = size[1] - 1
        for panel in (app.query_one(ScoresPanel), app.query_one(WeightsPanel), app.query_one(ContextPanel)):
            assert panel.region.bottom <= footer_top, (panel, panel.region)
            # Nothing inside the per-token panels is hidden below their borders.
            if not isinstance(panel, ContextPanel):
                assert panel.max_scroll_y == 0, panel
        text = widget_text(app.query_one("#scores .panel-body"))
        assert "of 64 · [ ] moves" in text
        assert app.query_one(ContextPanel).region.height >= 3
