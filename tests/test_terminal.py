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
