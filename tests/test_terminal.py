"""The installed `attn-tui` in a real terminal (tmux): what a person sees and types."""

from __future__ import annotations

from terminal import attn_tui_in_tmux, requires_terminal

pytestmark = requires_terminal


def test_shows_the_seeds_numbers_and_follows_an_edit():
    with attn_tui_in_tmux() as tmux:
        screen = tmux.wait_for("0.9544", "1.4950", "0.2379", "0.4419, 0.6515, 0.5683")
        assert "Traceback" not in screen and "Warning" not in screen
        tmux.send("1", "Enter")  # Your, dim 1 := 1
        tmux.wait_for("1.2679")  # x⁽¹⁾·x⁽²⁾ = 1×0.55 + 0.15×0.87 + 0.89×0.66
        tmux.send("]")
        tmux.wait_for("Query x⁽³⁾: starts")


def test_ctrl_q_quits_cleanly():
    with attn_tui_in_tmux() as tmux:
        tmux.wait_for("0.4419")
        tmux.send("C-q")
        screen = tmux.wait_for("EXITED:0")
        assert "Traceback" not in screen


def test_no_color_and_256_colours_still_show_everything():
    with attn_tui_in_tmux(env="TERM=xterm-256color NO_COLOR=1") as tmux:
        screen = tmux.wait_for("0.4419, 0.6515, 0.5683", "▶ journey", "? Help")
        assert "Traceback" not in screen


def test_w_and_space_step_through_the_computation():
    with attn_tui_in_tmux(width=80, height=24) as tmux:
        tmux.wait_for("0.4419, 0.6515, 0.5683")
        tmux.send("w")
        screen = tmux.wait_for("Walkthrough 0/29", "(0 of 6 terms)")
        assert "0.9544" not in screen  # nothing computed yet
        tmux.send("Space")
        screen = tmux.wait_for("Step 1/29", "0.43×0.55")
        assert "ω₂₁ Your    0.9544" in screen and "1.4950" not in screen
        tmux.send("Space")
        tmux.wait_for("Step 2/29", "ω₂₂ journey 1.4950")
        tmux.send("Escape")
        screen = tmux.wait_for("0.4419, 0.6515, 0.5683", "w Walk")
        assert "Traceback" not in screen


def test_matrix_view_without_colour_keeps_numbers_and_the_query_mark():
    with attn_tui_in_tmux(env="TERM=xterm-256color NO_COLOR=1") as tmux:
        tmux.wait_for("0.4419, 0.6515, 0.5683")
        tmux.send("m")
        screen = tmux.wait_for("All queries", "▶journey  0.1385 0.2379 0.2333 0.1240 0.1082 0.1581")
        assert "▶journey  0.4419 0.6515 0.5683" in screen
        tmux.send("]")
        tmux.wait_for("▶starts   0.1390 0.2369")
