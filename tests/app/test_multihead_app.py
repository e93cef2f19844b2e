"""Section 3.6 in the app: the book's MultiHeadAttention on screen, H steps through the heads (only
in 3.6), the settings refuse heads that do not divide d_out, the wrapper one W away, the heads side
by side in the matrix view, each head's matrices in the grid, undo."""

from __future__ import annotations

from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.ui.app import AttnApp
from conftest import message, panel_text, running, settled, widget_text


def multihead_app() -> AttnApp:
    return AttnApp(SEED_EXAMPLE.with_mechanism("multihead"))


async def test_3_6_shows_the_books_context_and_h_steps_through_the_heads():
    async with running(multihead_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        assert "multi-head attention · Raschka ch. 3.6" in app.sub_title
        heads = panel_text(app, "context")
        assert "z      [0.2943, 0.3897]" in heads and "concat [-0.5889, 0.0122]" in heads
        assert "Head 1/2 α" in str(app.query_one("#attention").border_title)
        assert "α₂₃ starts      −∞      —" in panel_text(app, "attention")
        await pilot.press("H")
        await settled(pilot)
        assert "Head 2/2" in str(app.query_one("#attention").border_title)
        assert "Head shown: 2 of 2" in message(app)
        assert "α₂₁ Your    -0.0079 0.4988" in panel_text(app, "attention")
        await pilot.press("H")
        await settled(pilot)
        assert app.scenario.parameters["head"] == 1
        await pilot.press("u", "u")
        await settled(pilot)
        assert app.scenario.parameters["head"] == 1 and not app.history.can_undo


async def test_three_heads_are_refused_for_d_out_2_and_one_head_is_fine():
    async with running(multihead_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#setting-heads").value = "3"
        await pilot.press("enter")
        await pilot.pause()
        assert "d_out (2) must be divisible by the number of heads (3)" in widget_text(app.screen.query_one(".dialog-error"))
        app.screen.query_one("#setting-heads").value = "1"
        await pilot.press("enter")
        await settled(pilot)
        assert app.scenario.parameters["heads"] == 1 and "head 2" not in panel_text(app, "context")
        assert "Head 1/1" in str(app.query_one("#attention").border_title)


async def test_the_wrapper_is_one_choice_away_and_its_heads_are_in_the_grid():
    async with running(multihead_app(), size=(100, 30)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("W")
        await pilot.pause()
        await pilot.press("down", "enter")
        await settled(pilot)
        assert app.scenario.parameters["variant"] == "wrapper"
        assert "z      [-0.5874, 0.0058, 0.5891, 0.3257]" in panel_text(app, "context")
        await pilot.press(*["g"] * 4)
        await settled(pilot)
        assert "W_q.2" in str(app.query_one("#grid").border_title)


async def test_the_dropout_keys_act_on_every_head():
    async with running(multihead_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("T")
        await settled(pilot)
        assert "dropout" in panel_text(app, "attention") and "training" in str(app.query_one("#attention").border_subtitle)


async def test_the_matrix_view_puts_the_heads_side_by_side_when_there_is_room():
    async with running(multihead_app(), size=(160, 40)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("m")
        await settled(pilot)
        matrix = panel_text(app, "matrix")
        assert "head 1 weights, — masked" in matrix and "head 2 weights, — masked" in matrix
        assert "▶journey 0.2943 0.3897" in [" ".join(line.split()) for line in matrix.splitlines()]
    async with running(multihead_app(), size=(100, 30)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("m")
        await settled(pilot)
        assert "Head 2: no room beside head 1" in panel_text(app, "matrix")


async def test_the_walk_ends_with_the_heads_concatenated_and_out_proj():
    async with running(multihead_app(), size=(100, 30)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("w", "end")
        await settled(pilot)
        assert "Heads together" in str(app.query_one("#explanation").border_title)
        explanation = " ".join(widget_text(app.query_one("#explanation .panel-body")).split())
        assert "0.1010 + 0.1934 = 0.2943" in explanation
        assert "z      [0.2943, 0.3897]" in panel_text(app, "context")
        await pilot.press("left", "left")
        await settled(pilot)
        assert app.matrix_view  # back in the matrix stage, the matrix view shows every head
