"""The vector plot in the app (v, V), driven by keys with Pilot."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from textual.pilot import Pilot

from attn_tui.core.plot_data import CONTEXT, PATH, QUERY
from attn_tui.ui.app import AttnApp
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from conftest import help_keys, message, running, widget_text


def plotted(app: AttnApp, index: int = 0):
    """What plane ``index`` of the plot was last handed."""
    from attn_tui.ui.widgets.vector_plot import PlanePlot

    return app.query_one(f"#plane-{index}", PlanePlot)._data


@asynccontextmanager
async def plot_open(mechanism: str) -> AsyncIterator[Pilot]:
    """The book's example in ``mechanism`` (its default weights) at 80×24, the plot open."""
    from attn_tui.core.scenario import SEED_EXAMPLE

    async with running(AttnApp(SEED_EXAMPLE.with_mechanism(mechanism)), size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("v")
        await pilot.pause()
        yield pilot


def marker(data, style):
    (found,) = [m for m in data.markers if m.style == style]
    return found


async def test_v_shows_the_plot_in_the_panels_place_at_80x24_and_v_hides_it():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v")
        await pilot.pause()
        plot = app.query_one("#vector-plot")
        assert plot.display and not app.query_one("#right").display
        data = plotted(app)
        assert data.title == "dims 1–2"
        assert [round(v, 4) for v in (*marker(data, CONTEXT).xs, *marker(data, CONTEXT).ys)] == [0.4419, 0.6515]
        assert marker(data, QUERY).xs[0] == app.analysis.inputs[1][0].item()
        text = widget_text(app.query_one("#plane-0"))
        assert "★" in text and "◆" in text and "journey" in text
        assert "★ context z⁽²⁾" in widget_text(app.query_one("#plot-legend"))
        assert isinstance(app.focused, EmbeddingGrid)
        svg = app.export_screenshot()  # F12 saves the plot like any other view
        assert "Vectors:" in svg and "★" in svg
        await pilot.press("v")
        await pilot.pause()
        assert not plot.display and app.query_one("#right").display


async def test_an_edit_moves_z_on_the_plot():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v")
        await pilot.pause()
        before = marker(plotted(app), CONTEXT)
        await pilot.press("enter", *["backspace"] * 4, "3", "enter")  # Your · dim 1 = 3
        await pilot.pause()
        after = marker(plotted(app), CONTEXT)
        assert after.xs != before.xs
        assert round(after.xs[0], 4) == round(app.analysis.query.context[0].item(), 4)
        await pilot.press("u")  # undo brings it back
        await pilot.pause()
        assert marker(plotted(app), CONTEXT).xs == before.xs


async def test_the_query_keys_move_the_query_marker():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v", "right_square_bracket")
        await pilot.pause()
        query = marker(plotted(app), QUERY)
        assert (round(query.xs[0], 4), round(query.ys[0], 4)) == (0.57, 0.85)  # starts


async def test_capital_v_cycles_the_planes_when_only_one_fits():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v")
        await pilot.pause()
        titles = []
        for _ in range(4):
            titles.append(plotted(app).title)
            await pilot.press("V")
            await pilot.pause()
        assert titles == ["dims 1–2", "dims 1–3", "dims 2–3", "dims 1–2"]


async def test_at_200x60_the_three_planes_sit_beside_the_panels():
    async with running(size=(200, 60)) as pilot:
        app = pilot.app
        await pilot.press("v")
        await pilot.pause()
        assert app.query_one("#right").display and app.query_one("#vector-plot").display
        assert [plotted(app, i).title for i in range(3)] == ["dims 1–2", "dims 1–3", "dims 2–3"]
        assert app.check_action("next_plane", ()) is None  # nothing more to see: V is off


async def test_the_walk_draws_the_running_sum():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v", "w", "s", "s", "s", "space")  # stage 3, two terms added
        await pilot.pause()
        path = marker(plotted(app), PATH)
        assert len(path.xs) == 3  # the origin and two partial sums
        assert not [m for m in plotted(app).markers if m.style == CONTEXT]


async def test_m_brings_the_matrix_view_back_where_the_plot_was():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v", "m")
        await pilot.pause()
        assert not app.vector_plot_shown and app.matrix_view
        assert app.query_one("#matrix").display and not app.query_one("#vector-plot").display


async def test_v_is_in_the_footer_the_help_and_the_palette():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        from textual.widgets._footer import FooterKey

        assert "toggle_vector_plot" in {key.action for key in app.query(FooterKey)}
        keys = await help_keys(pilot)
        assert "Vector plot" in keys and "V" in keys
        await pilot.press("escape", "ctrl+p", *"vector plot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.vector_plot_shown
        assert "Vector plot shown" in message(app)


async def test_an_edit_typed_right_after_v_never_fails():
    """Keys that arrive before the plot's widgets exist (fast typing, or a paste) are shown once they do."""
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        app.action_toggle_vector_plot()
        app.change_scenario(app.scenario.with_value(0, 0, 2.0), "Your · dim 1 = 2.0000")  # before any refresh
        await pilot.pause()
        await pilot.pause()
        assert round(marker(plotted(app), CONTEXT).xs[0], 4) == round(app.analysis.query.context[0].item(), 4)


async def test_the_panels_the_plot_covered_show_the_changes_made_meanwhile():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v", "right_square_bracket", "v")  # the query moves while the plot covers the panels
        await pilot.pause()
        assert "Scores  ω₃ᵢ" in str(app.query_one("#scores").border_title)
        await pilot.press("v", "left_square_bracket")
        await pilot.pause()
        await pilot.resize_terminal(200, 60)  # beside the panels now: they show again, up to date
        await pilot.pause()
        await pilot.pause()
        assert app.query_one("#right").display and "ω₂ᵢ" in str(app.query_one("#scores").border_title)


async def test_in_section_3_4_capital_v_switches_between_the_query_key_and_the_value_space():
    async with plot_open("trainable") as pilot:
        app = pilot.app
        plot = app.query_one("#vector-plot")
        assert plot.border_title == "Vectors: query/key space"
        query = marker(plotted(app), QUERY)
        assert (round(query.xs[0], 4), round(query.ys[0], 4)) == (0.4306, 1.4551)
        await pilot.press("V")
        await pilot.pause()
        assert plot.border_title == "Vectors: value space"
        z = marker(plotted(app), CONTEXT)
        assert (round(z.xs[0], 4), round(z.ys[0], 4)) == (0.3061, 0.8210)
        await pilot.press("left_curly_bracket")  # back to 3.3: its one space
        await pilot.pause()
        assert plot.border_title == "Vectors: embedding space"


def test_the_plotext_private_parts_the_plot_draws_from_still_exist():
    """An upgrade of plotext or textual-plotext that renames them fails here, by name."""
    from plotext._utility import colors_to_ansi
    from textual_plotext.plot import Plot

    plt = Plot()
    plt.plotsize(20, 8)
    plt.scatter([0.0, 1.0], [0.0, 1.0], marker="●")
    plt._set_sizes()
    plt._build_matrix()
    matrix = plt.monitor.matrix
    assert all(len(getattr(matrix, part)) == matrix.rows for part in ("marker", "fullground", "style", "background"))
    assert "●" in "".join("".join(row) for row in matrix.marker)
    assert callable(colors_to_ansi)


def test_the_plots_cell_matrix_starts_as_plotexts_own():
    """The matrix the plot draws in fills its blank matrices faster, with the same cells."""
    from plotext._matrix import matrix_class

    from attn_tui.ui.widgets.vector_plot import _CellMatrix

    for cols, rows, canvas in ((20, 8, (3, 19, 2, 7)), (61, 24, (8, 60, 3, 23)), (5, 3, (0, 9, 0, 9)), (4, 4, (2, 2, 1, 1))):
        matrices = []
        for matrix in (matrix_class(), _CellMatrix()):
            matrix.set_size(cols, rows)
            matrix.set_axes_color("red")
            matrix.set_canvas_area(*canvas)
            matrix.set_canvas_color("blue")
            matrix.set_matrices()
            matrices.append([getattr(matrix, part) for part in ("marker", "fullground", "style", "background")])
        assert matrices[0] == matrices[1]


def border(app: AttnApp) -> tuple[str, str]:
    plot = app.query_one("#vector-plot")
    return str(plot.border_title), str(plot.border_subtitle)


async def test_capital_a_chooses_any_pair_of_ten_dimensions_and_v_goes_back_to_the_projection():
    from attn_tui.core.scenario import seeded_scenario

    scenario = seeded_scenario(12, 10, seed=4)
    async with running(AttnApp(scenario), size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v")
        await pilot.pause()
        assert plotted(app).title == "principal components 1–2"
        assert border(app) == ("Vectors: embedding space", "V next · A axes")  # the plot's keys in its frame
        await pilot.press("A")
        await pilot.pause()
        assert app.screen.query_one("#axes").value == "pc"  # the plane on screen, selected: typing replaces it
        await pilot.press(*"3 7", "enter")
        await pilot.pause()
        data = plotted(app)
        assert (data.title, data.x_axis, data.y_axis) == ("dims 3–7", "dim 3", "dim 7")
        row = scenario.embeddings[scenario.query]
        assert (round(marker(data, QUERY).xs[0], 4), round(marker(data, QUERY).ys[0], 4)) == (row[2], row[6])
        assert app._message_text == "Vector plot: dims 3–7 of the embedding space."  # (message() crops at the wrap)
        await pilot.press("V")
        await pilot.pause()
        assert plotted(app).title == "principal components 1–2"
        await pilot.press("V")
        await pilot.pause()
        assert plotted(app).title == "dims 3–7"  # the chosen pair stays in the cycle
        await pilot.press("enter", *"0", "enter")  # an edit keeps the chosen plane
        await pilot.pause()
        assert plotted(app).title == "dims 3–7"


async def test_axes_typed_wrong_are_refused_in_the_dialog_and_esc_keeps_the_plane():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("v", "A")
        await pilot.pause()
        await pilot.press("ctrl+u", *"2 9", "enter")
        await pilot.pause()
        from attn_tui.ui.widgets.axes_dialog import AxesDialog

        assert isinstance(app.screen, AxesDialog)
        assert "Refused: these vectors have dimensions 1 to 3, not 9" in widget_text(app.screen.query_one(".dialog-error"))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AxesDialog) and plotted(app).title == "dims 1–2"
        await pilot.press("A", "ctrl+u", *"pc", "enter")  # the book's 3-d example: the best 2-d view too
        await pilot.pause()
        assert plotted(app).title == "principal components 1–2"
        await pilot.press("V")
        await pilot.pause()
        assert plotted(app).title == "dims 1–2"


async def test_a_is_in_the_help_and_the_palette_and_off_while_the_plot_is_hidden():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        assert app.check_action("choose_axes", ()) is None  # no plot: nothing to choose
        keys = await help_keys(pilot)
        assert "choose the axes" in keys
        await pilot.press("escape", "v", "ctrl+p", *"choose axes")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        from attn_tui.ui.widgets.axes_dialog import AxesDialog

        assert isinstance(app.screen, AxesDialog)
        assert app.check_action("next_plane", ()) is None  # the plot's keys wait while a dialog is open


async def test_section_3_5_draws_the_masked_keys_apart():
    from attn_tui.core.plot_data import MASKED

    async with plot_open("causal") as pilot:
        app = pilot.app
        assert border(app)[0] == "Vectors: query/key space"
        assert len(marker(plotted(app), MASKED).xs) == 4  # starts, with, one, step come after journey
        assert "○" in widget_text(app.query_one("#plane-0"))
        assert "○ masked (after the query)" in widget_text(app.query_one("#plot-legend"))
        await pilot.press("right_square_bracket", "right_square_bracket")  # query "with": one and step masked
        await pilot.pause()
        assert len(marker(plotted(app), MASKED).xs) == 2


async def test_section_3_6_shows_the_head_h_chose_and_the_output_after_out_proj():
    async with plot_open("multihead") as pilot:
        app = pilot.app
        assert border(app)[0] == "Vectors: query/key space, head 1"
        await pilot.press("H")
        await pilot.pause()
        assert border(app)[0] == "Vectors: query/key space, head 2"
        assert plotted(app).y_axis == "token"  # one column per head: a row per token
        await pilot.press("V", "V")
        await pilot.pause()
        assert border(app)[0] == "Vectors: output, after out_proj"
        z = marker(plotted(app), CONTEXT)
        assert (round(z.xs[0], 4), round(z.ys[0], 4)) == (0.2943, 0.3897)
        await pilot.press("V")
        await pilot.pause()
        assert border(app) == ("Vectors: query/key space, head 2", "V next")  # one number a head: no axes to choose
        assert app.check_action("choose_axes", ()) is None
        app.action_choose_axes()  # as the palette would
        assert "has one dimension" in app._message_text  # (message() crops a character at the wrap)
