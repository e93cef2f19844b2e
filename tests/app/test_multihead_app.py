"""Section 3.6 in the app: the book's MultiHeadAttention on screen, H steps through the heads (only
in 3.6), the settings refuse heads that do not divide d_out, the wrapper one W away, the heads side
by side in the matrix view, each head's matrices in the grid, undo."""

from __future__ import annotations

import pytest

from attn_tui.core.scenario import SEED_EXAMPLE, seeded_scenario
from attn_tui.mechanisms import mechanism_named
from attn_tui.ui.app import AttnApp
from conftest import message, panel_text, running, screen_text, settled, widget_text


def multihead_app() -> AttnApp:
    return AttnApp(SEED_EXAMPLE.with_mechanism("multihead"))


def heads_app(tokens: int, d_out: int, heads: int, head: int = 1) -> AttnApp:
    """3.6 with ``tokens`` tokens and ``heads`` heads of d_out/heads columns, head ``head`` shown."""
    scenario = seeded_scenario(tokens, 3, seed=1).with_parameter("heads", heads).with_parameter("head", head)
    return AttnApp(scenario.with_mechanism("multihead", mechanism_named("3.6").initialise(scenario, "split", 123, d_out)))


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


async def test_at_80x24_the_heads_show_whole_and_a_note_says_where_the_projections_are():
    """The projections' panel needs more rows than 80×24 has beside the weights and the heads:
    hidden, with a note; z is on screen."""
    async with running(multihead_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        screen = screen_text(app)
        assert not app.query_one("#projections").display and "k = x·W_k" not in screen
        for line in ("head 1 [-0.5889]", "head 2 [0.0122]", "concat [-0.5889, 0.0122]", "z      [0.2943, 0.3897]", "q k v: in the walk (w), or 30+ rows"):
            assert line in screen, line
        assert "α₂₆ step        −∞      —" in screen  # every token's weight still listed
        await pilot.press("w", "end")  # the walk's explanation narrows the panels: still one line each
        await settled(pilot)
        screen = screen_text(app)
        assert "z      [0.2943, 0.3897]" in screen and "q k v: in the walk (w), or 30+ rows" in screen


@pytest.mark.parametrize("size", [(100, 30), (120, 40), (200, 60)])
async def test_from_30_rows_the_shown_heads_projections_show(size):
    async with running(multihead_app(), size=size) as pilot:
        app = pilot.app
        await settled(pilot)
        screen = screen_text(app)
        assert app.query_one("#projections").display and "Head 1  k = x·W_k │ v = x·W_v" in screen
        assert "q⁽²⁾ =  -0.3021" in screen and "journey -0.8709 │ -0.7142" in screen  # head 1's column
        assert "z      [0.2943, 0.3897]" in screen and "30+ rows" not in screen
        await pilot.press("H")
        await settled(pilot)
        assert "Head 2  k = x·W_k" in screen_text(app)


@pytest.mark.parametrize("size, tokens", [((80, 24), 6), ((80, 24), 12), ((100, 30), 12)])
async def test_many_heads_list_the_shown_one_and_keep_concat_and_z_on_screen(size, tokens):
    async with running(heads_app(tokens, 16, 8, head=5), size=size) as pilot:
        app = pilot.app
        await settled(pilot)
        region = app.query_one("#context").region  # the heads' panel as on screen, scrolled lines left out
        shown = screen_text(app).splitlines()[region.y : region.bottom]
        lines = [" ".join(line[region.x : region.right].strip("│ ").split()) for line in shown]
        heads = [line for line in lines if line.startswith("head ")]
        assert any(line.startswith("head 5 [") for line in heads) and len(heads) < 8
        assert f"… {8 - len(heads)} more (H next · m all)" in lines
        assert any(line.startswith("concat [") for line in lines) and any(line.startswith("z [") for line in lines)


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
    async with running(multihead_app(), size=(100, 30)) as pilot:  # the grid beside: one head
        app = pilot.app
        await settled(pilot)
        await pilot.press("m")
        await settled(pilot)
        matrix = " ".join(panel_text(app, "matrix").split())
        assert "Head 2 not shown here: each needs 59 columns. H shows the next head below" in matrix


async def test_at_80_columns_two_heads_fit_side_by_side_with_two_decimals_and_the_rest_are_named():
    async with running(multihead_app(), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("m")
        await settled(pilot)
        matrix = [" ".join(line.split()) for line in screen_text(app).splitlines()]
        assert "│ head 1 ◀ shown head 2 │" in matrix
        assert "│ ▶jour… 0.48 0.52 — — — — ▶jour… 0.50 0.50 — — — — │" in matrix  # 0.4776 0.5224 │ 0.4988 0.5012
        assert not any("not shown here" in line for line in matrix)
    async with running(heads_app(6, 8, 4, head=4), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("m")
        await settled(pilot)
        text = " ".join(panel_text(app, "matrix").split())
        assert "head 3 head 4 ◀ shown" in text  # the shown head, and one beside it
        assert "Heads 1–2 not shown here: each needs 38 columns. H shows the next head below" in text


async def test_the_walk_ends_with_the_heads_concatenated_and_out_proj():
    async with running(multihead_app(), size=(100, 30)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("w", "space", "space")  # the keys and values: no context vector yet
        await settled(pilot)
        heads = panel_text(app, "context")
        assert "head 1 …" in heads and "z      …" in heads and "0.5889" not in heads
        await pilot.press("escape")
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


def test_the_heads_left_out_are_named_in_runs():
    from attn_tui.mechanisms.multihead.panels import heads_named

    assert heads_named([1]) == "Head 2"
    assert heads_named([2, 3, 4]) == "Heads 3–5"
    assert heads_named([0, 5, 6]) == "Heads 1, 6–7"


async def test_the_settings_dialog_fits_80x24_its_fields_in_one_column_its_note_on_the_focused_field():
    """3.6 has five settings: with every setting's help at once the dialog was taller than 24
    lines (its last lines cut off), and each field started where its label ended."""
    async with running(AttnApp(SEED_EXAMPLE.with_mechanism("multihead")), size=(80, 24)) as pilot:
        app = pilot.app
        await settled(pilot)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        fields = [field for field in dialog.query("Input, Switch")]
        assert len(fields) == 5 and len({field.region.x for field in fields}) == 1
        assert "u undoes." in screen_text(app) and "Esc cancels" in screen_text(app)  # its last line, its border
        note = lambda: widget_text(dialog.query_one(".dialog-note"))  # noqa: E731
        assert note().startswith("heads: h; MultiHeadAttention needs d_out divisible by h") and "u undoes." in note()
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused.id == "setting-training"
        assert note().startswith("training: on: module.train()")
