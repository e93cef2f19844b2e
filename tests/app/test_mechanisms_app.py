"""Choosing the mechanism in the app: { } and the palette switch sections, g cycles the grid through
the weight matrices, edits of a weight recompute and undo, files remember the mechanism."""

from __future__ import annotations

import asyncio
import time
from typing import Callable

import pytest
from textual.coordinate import Coordinate

from attn_tui.core.files import load_file, save_scenario
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.mechanisms import mechanism_named
from attn_tui.ui.app import AttnApp
from conftest import help_keys, message, running, settled, widget_text
from test_fuzz import assert_consistent


async def settle(pilot) -> None:
    """Let a new layout (a matrix of another shape, a new step's text) reach the screen."""
    await pilot.pause()
    await pilot.pause()


async def switched(pilot, key: str = "right_curly_bracket") -> None:
    """Press ``key`` and wait until the new mechanism's panels are mounted and show numbers."""
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def panel(app: AttnApp, panel_id: str) -> str:
    return widget_text(app.query_one(f"#{panel_id} .panel-body"))


async def test_the_next_section_is_3_4_with_the_books_numbers_and_back_is_3_3_as_before():
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        simple_scores, simple_context = panel(app, "scores"), panel(app, "context")
        await switched(pilot)
        assert app.scenario.mechanism == "trainable" and "trainable self-attention · Raschka ch. 3.4" in app.sub_title
        projections = panel(app, "projections")
        assert "q⁽²⁾ =  0.4306 1.4551" in projections
        assert "Your    0.3669 0.7646 │ 0.1855 0.8812" in projections
        attention = panel(app, "attention")
        for score, scaled, weight in [("1.2705", "0.8984", "0.1500"), ("1.8524", "1.3098", "0.2264"), ("1.5440", "1.0918", "0.1820")]:
            assert f"{score} {scaled} {weight}" in attention
        assert "[0.3061, 0.8210]" in panel(app, "context")
        # The tokens, embeddings and query stay.
        assert app.scenario.embeddings == SEED_EXAMPLE.embeddings and app.scenario.query == 1
        await switched(pilot, "left_curly_bracket")
        assert app.scenario == SEED_EXAMPLE
        assert panel(app, "scores") == simple_scores and panel(app, "context") == simple_context
        assert not app.query("#projections")


async def until(condition: Callable[[], object], what: str, seconds: float = 5.0) -> None:
    """Return as soon as ``condition()`` holds (checked at every turn of the event loop)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0)


async def test_a_switch_while_the_last_one_removes_the_panels_still_shows_the_new_panels():
    """} then { in quick succession, the second arriving while the first switch's swap awaits the
    removal of 3.3's panels. The second swap used to cancel the first there, and with it the
    panels' own tasks half-way through their removal: they stayed on screen dead, the new panels
    never came, and the app stopped handling keys."""
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        right = app.query_one("#right")
        old_scores = app.query_one("#scores")
        app.action_mechanism_step(1)
        await until(lambda: not old_scores.is_running, "3.3's scores panel stops to be removed")
        assert old_scores.is_attached  # still tearing itself down: the moment that raced
        app.action_mechanism_step(-1)
        await until(lambda: app._panels and list(right.children) == app._panels, "3.3's new panels mounted")
        await asyncio.wait_for(settled(pilot), 10)  # the app still handles messages
        assert app.scenario.mechanism == "simple" and not old_scores.is_attached
        assert [panel.id for panel in right.children] == ["scores", "weights", "context", "matrix"]
        assert_consistent(app)


async def test_the_app_closing_while_the_panels_are_swapped_exits_cleanly():
    """The app exits (e.g. its terminal closes) right after } : the swap went on mounting into the
    closed app and failed looking for the body of a panel that was never mounted, so the exit
    ended in a traceback."""
    app = AttnApp()
    async with running(app):
        old_scores = app.query_one("#scores")
        app.action_mechanism_step(1)
        await until(lambda: not old_scores.is_running, "3.3's scores panel stops to be removed")
        app.exit()
    assert app.return_code == 0


async def test_g_shows_each_weight_matrix_and_an_edit_recomputes_and_undoes():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("g")
        await settle(pilot)
        grid = app.query_one("#grid")
        cells = [str(grid.get_cell_at(Coordinate(row, column))) for row in range(3) for column in range(3)]
        assert "W_q" in str(grid.border_title)
        assert cells == ["in 1", "0.2961", "0.5166", "in 2", "0.2517", "0.6886", "in 3", "0.0740", "0.8665"]
        await pilot.press("g", "g")
        assert "W_v" in str(app.query_one("#grid").border_title)
        await pilot.press("g")
        assert "Embeddings" in str(app.query_one("#grid").border_title)
        await pilot.press("g")  # W_q again: the cursor is on in 1, out 1
        await pilot.press("2", "enter")
        await pilot.pause()
        assert app.scenario.matrix("W_q")[0][0] == 2.0
        assert "W_q · in 1, out 1 = 2.0000" in message(app)
        assert "q⁽²⁾ =  1.3678 1.4551" in panel(app, "projections")  # 0.55×2 + 0.87×0.2517 + 0.66×0.0740
        await pilot.press("u")
        await pilot.pause()
        assert "q⁽²⁾ =  0.4306 1.4551" in panel(app, "projections")
        assert app.scenario.mechanism == "trainable"


async def test_a_refused_weight_keeps_the_typed_text():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("g", "1", "e", "9", "9", "9", "enter")
        await pilot.pause()
        assert "Refused" in message(app) and "not a finite number" in message(app)
        assert app.query_one("#grid").editing is not None and app.query_one("#grid").editing.text == "1e999"


async def test_inserting_a_dimension_gives_every_weight_matrix_a_row():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("I")
        await pilot.pause()
        assert app.scenario.n_dims == 4
        assert all(len(app.scenario.matrix(name)) == 4 for name in ("W_q", "W_k", "W_v"))
        assert "[0.3061, 0.8210]" in panel(app, "context")  # a zero input changes no product


async def test_c_compares_the_weights_with_and_without_the_scaling():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("c")
        await pilot.pause()
        text = panel(app, "attention")
        attention = app.query_one("#attention")
        assert "α no √" in text and "with / without √d_k" in str(attention.border_title)
        assert "α₂₁ Your    0.8984 0.1500 0.1401" in text  # ω/√d_k, α, softmax(ω) unscaled
        assert "max α 0.2264 │ no √d_k 0.2507" in str(attention.border_subtitle)
        assert "one-hot" in message(app)


async def test_new_weights_with_a_seed_and_d_out_and_the_nn_linear_initialisation():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("W")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#d_out").value = "64"
        await pilot.press("enter")  # the first initialisation (torch.rand), seed 123
        await pilot.pause()
        assert len(app.scenario.matrix("W_q")[0]) == 64 and "d_out 64" in message(app)
        await pilot.press("W")
        await pilot.pause()
        app.screen.query_one("#seed").value = "789"
        app.screen.query_one("#d_out").value = "2"
        await pilot.press("down", "enter")  # nn.Linear
        await pilot.pause()
        context = panel(app, "context")
        assert "[-0.0748, 0.0703]" in context  # SelfAttention_v2's row for journey
        await pilot.press("W")
        app.screen.query_one("#d_out").value = "65"
        await pilot.press("tab", "tab", "enter")
        await pilot.pause()
        assert "d_out must be a whole number from 1 to 64" in widget_text(app.screen.query_one(".dialog-error"))


async def test_the_walk_of_3_4_steps_through_q_and_highlights_w_q():
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("g", "w", "space")
        await settle(pilot)
        explanation = " ".join(widget_text(app.query_one("#explanation .panel-body")).split())
        assert "0.4306" in explanation and "1/7 Query" in str(app.query_one("#explanation").border_title)
        grid = app.query_one("#grid")
        assert grid._highlight == {(0, 0), (1, 0), (2, 0)}  # W_q's first column
        await pilot.press("end")
        await pilot.pause()
        assert app.matrix_view and "Z = A·V" in widget_text(app.query_one("#matrix .panel-body"))


async def test_the_mechanism_is_saved_and_reopened(tmp_path):
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        save_scenario(tmp_path / "lesson.json", app.scenario)
    loaded = load_file(tmp_path / "lesson.json").scenario
    assert loaded.mechanism == "trainable" and loaded.matrix("W_k") == app.scenario.matrix("W_k")


async def test_a_scenario_naming_3_4_without_weights_gets_the_books_once_torch_is_loaded():
    """--mechanism 3.4 names the mechanism before torch can draw its weights: they arrive with the
    numbers, as the book's, and count as neither an edit nor unsaved work."""
    async with running(AttnApp(SEED_EXAMPLE.with_mechanism("trainable")), size=(100, 30)) as pilot:
        app = pilot.app
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "W_q" in app.scenario.parameters and not app.unsaved
        assert "[0.3061, 0.8210]" in panel(app, "context")
        assert not app.history.can_undo


@pytest.mark.parametrize("section", ["3.3", "3.4", "3.5", "3.6"])
async def test_every_mechanism_is_a_palette_entry(section):
    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p")
        await pilot.press(*f"mechanism: {section}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.scenario.mechanism == mechanism_named(section).name


async def test_the_help_lists_the_mechanism_keys():
    async with running(size=(100, 30)) as pilot:
        keys = await help_keys(pilot)
        assert "Next mechanism" in keys and "Previous mechanism" in keys and "New weights" in keys and "Show the next matrix" in keys
