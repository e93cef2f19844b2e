"""Section 3.5 in the app: the book's causal weights on screen (masked tokens shown, never
dropped), the two ways side by side, dropout's settings, re-draw and switch keys (only in 3.5),
the matrix view with −∞ and ×, the walk's mask and dropout stages, undo."""

from __future__ import annotations

from textual.widgets import Switch

from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.ui.app import AttnApp
from conftest import help_keys, message, panel_text, running, settled, widget_text


def causal_app() -> AttnApp:
    return AttnApp(SEED_EXAMPLE.with_mechanism("causal"))


async def test_3_5_shows_the_books_causal_weights_with_the_later_tokens_masked():
    async with running(causal_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        assert "causal attention · Raschka ch. 3.5" in app.sub_title
        attention = panel_text(app, "attention")
        assert "α₂₁ Your    0.3293 0.5517" in attention and "α₂₂ journey 0.1218 0.4483" in attention
        for token in ("starts", "with", "one", "step"):
            assert f"{token:<8}    −∞      —" in attention  # shown as masked, not left out
        assert "Σ                  1.0000" in attention
        assert "evaluation: off (T)" in str(app.query_one("#attention").border_subtitle)
        assert "[-0.0991, 0.0501]" in panel_text(app, "context")


async def test_c_puts_the_two_ways_side_by_side_with_their_largest_difference():
    async with running(causal_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("c")
        await settled(pilot)
        text = panel_text(app, "attention")
        assert "Your    0.2041 0.2041 0.5517 0.5517" in text  # softmax, × tril, ÷ Σ, −∞ first
        assert "starts  0.1662 0.0000      —      —" in text
        assert "Σ       1.0000 0.3700 1.0000 1.0000" in text
        assert "largest difference" in str(app.query_one("#attention").border_subtitle)
        assert "cancels the masked tokens' part" in message(app)


async def test_t_switches_dropout_on_and_the_matrix_view_shows_the_books_matrix():
    async with running(causal_app(), size=(100, 40)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("T")
        await settled(pilot)
        assert app.scenario.parameters["training"] is True
        assert "expected value" in message(app) and "1/(1−p)" in message(app)
        attention = panel_text(app, "attention")
        assert "0.5517 0 (dropped)" in attention and "0.4483 0 (dropped)" in attention
        assert "[0.0000, 0.0000]" in panel_text(app, "context")
        await pilot.press("m")
        await settled(pilot)
        matrix = panel_text(app, "matrix")
        rows = [" ".join(line.split()) for line in matrix.splitlines()]  # words: the label column's width follows the room
        assert any(row.startswith("Your 0.2899 −∞ −∞") for row in rows)  # the masked scores
        assert "▶journey × × — — — —" in rows
        assert any(row.startswith("Your 2.0000 — —") for row in rows)
        assert "starts 0.7599 0.6194 0.6206 — — —" in rows
        await pilot.press("u")
        await settled(pilot)
        assert app.scenario.parameters["training"] is False and "dropout(A)" not in panel_text(app, "matrix")


async def test_d_redraws_the_mask_with_the_next_seed_and_undo_brings_it_back():
    async with running(AttnApp(SEED_EXAMPLE.with_mechanism("causal").with_query(2)), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("T")
        await settled(pilot)
        before = panel_text(app, "attention")
        assert "0.3800  0.7599" in before  # the book's row 3: α₃₁ kept and doubled
        await pilot.press("D")
        await settled(pilot)
        assert app.scenario.parameters["dropout_seed"] == 124 and "new dropout mask" in message(app).lower()
        assert panel_text(app, "attention") != before
        await pilot.press("u")
        await settled(pilot)
        assert panel_text(app, "attention") == before


async def test_the_settings_dialog_sets_p_and_refuses_a_p_out_of_range():
    async with running(causal_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#setting-dropout_p").value = "0.95"
        await pilot.press("enter")
        await pilot.pause()
        assert "dropout p must be from 0 to 0.9" in widget_text(app.screen.query_one(".dialog-error"))
        app.screen.query_one("#setting-dropout_p").value = "0.2"
        app.screen.query_one("#setting-training").value = True
        await pilot.press("enter")
        await settled(pilot)
        assert app.scenario.parameters["dropout_p"] == 0.2 and app.scenario.parameters["training"] is True
        assert "Settings: dropout p 0.2, dropout seed 123, training on." in message(app)
        assert "dropout p 0.2 seed 123 · training" in str(app.query_one("#attention").border_subtitle)


async def test_training_is_a_switch_in_the_dialog_flipped_by_space_and_applied_by_enter():
    async with running(causal_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        switch = dialog.query_one("#setting-training", Switch)
        assert switch.value is False and str(dialog.query_one("#setting-training-state").render()) == "off"
        await pilot.press("tab", "tab")  # dropout p → seed → the switch
        assert dialog.focused is switch
        await pilot.press("space")
        await pilot.pause()
        assert switch.value is True and str(dialog.query_one("#setting-training-state").render()) == "on"
        await pilot.press("space", "space")  # off and on again: Space only flips
        await pilot.press("enter")  # applies, from the switch too
        await settled(pilot)
        assert app.screen is app.screen_stack[0] and app.scenario.parameters["training"] is True
        assert "training on" in message(app)
        await pilot.press("T")  # the main screen's key still switches it
        await settled(pilot)
        assert app.scenario.parameters["training"] is False
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.query_one("#setting-training", Switch).value is False
        await pilot.press("escape")


async def test_the_dropout_keys_do_nothing_outside_3_5_and_the_help_lists_them():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("o", "D", "T")
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and app.scenario == SEED_EXAMPLE
        keys = await help_keys(pilot)
        assert "Settings of the section" in keys and "Re-draw with the next seed" in keys and "training / evaluation" in keys


async def test_the_palette_offers_the_dropout_switch_in_3_5():
    async with running(causal_app(), size=(100, 30)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"switch training")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settled(pilot)
        assert app.scenario.parameters["training"] is True


async def test_the_walk_has_a_mask_and_a_dropout_stage():
    from attn_tui.mechanisms import mechanism_named

    training = mechanism_named("causal").default_parameters(SEED_EXAMPLE).replacing("training", True)
    async with running(AttnApp(SEED_EXAMPLE.with_mechanism("causal", training)), size=(100, 30)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("w", *["s"] * 5)
        await settled(pilot)
        title = str(app.query_one("#explanation").border_title)
        assert "Causal mask" in title
        explanation = " ".join(widget_text(app.query_one("#explanation .panel-body")).split())
        assert "0.3293, 0.1218, −∞, −∞, −∞, −∞" in explanation
        await pilot.press("s", "s")
        await settled(pilot)
        assert "Dropout" in str(app.query_one("#explanation").border_title)
        assert "0 (dropped)" in panel_text(app, "attention")
