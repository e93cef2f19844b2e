"""The vector plot (v) in a real terminal: plotext's drawing, at the smallest size and a large input."""

from __future__ import annotations

import numpy as np
from tmux_session import attn_tui_in_tmux, requires_terminal

pytestmark = requires_terminal


def test_v_draws_the_plot_and_an_edit_redraws_it_at_80x24():
    with attn_tui_in_tmux(width=80, height=24, env="TERM=xterm-256color NO_COLOR=1") as tmux:
        tmux.wait_for("0.4419, 0.6515, 0.5683")
        tmux.send("v")
        # starts' point sits just right of the query's: journey's label goes to the left of ◆.
        screen = tmux.wait_for("Vectors: embedding space", "dims 1–2", "journey◆", "★ context z⁽²⁾")
        assert "Traceback" not in screen and "Scores" not in screen  # the plot took the panels' place
        tmux.send("V")
        tmux.wait_for("dims 1–3")
        tmux.send("1", "0", "Enter")  # Your · dim 1 = 10: the x axis reaches past 10
        screen = tmux.wait_for("Your · dim 1 = 10.0000", "10.")
        tmux.send("v")
        screen = tmux.wait_for("Scores", "Vector plot hidden.")
        assert "Traceback" not in screen


def test_the_plot_of_512_tokens_in_768_dimensions_labels_only_the_largest_weights(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "big.csv"
    np.savetxt(path, rng.standard_normal((512, 768)).astype(np.float32), delimiter=",", fmt="%.4f")
    with attn_tui_in_tmux(str(path), width=100, height=30) as tmux:
        tmux.wait_for("imported from big.csv", "Query x⁽¹⁾", timeout=60)
        tmux.send("v")
        screen = tmux.wait_for("principal components 1–2", "PC 1 (", "t1", timeout=60)
        assert "Traceback" not in screen
        tmux.send("V")
        tmux.wait_for("dims 1–2")


def test_capital_a_chooses_two_of_ten_dimensions_at_80x24(tmp_path):
    """12 tokens of 10 dimensions: the plot opens on the principal components; A, "3 7", Enter
    draws dims 3–7 (the dialog fits 80×24); V goes back to the projection."""
    rng = np.random.default_rng(5)
    path = tmp_path / "twelve.csv"
    np.savetxt(path, rng.uniform(-1, 1, (12, 10)).astype(np.float32), delimiter=",", fmt="%.2f")
    with attn_tui_in_tmux(str(path), width=80, height=24) as tmux:
        tmux.wait_for("imported from twelve.csv", "Query x⁽¹⁾")
        tmux.send("v")
        tmux.wait_for("principal components 1–2", "PC 1 (", "V next · A axes")
        tmux.send("A")
        screen = tmux.wait_for("Axes of the vector plot", "has 10 dimensions", "Enter draws · Esc cancels")
        tmux.send("3 7", "Enter")
        screen = tmux.wait_for("dims 3–7", "dim 3", "dim 7", "◆t1")
        assert "Traceback" not in screen and "Axes of the vector plot" not in screen
        tmux.send("V")
        tmux.wait_for("principal components 1–2")


def test_sections_3_5_and_3_6_on_the_plot_without_colour_at_80x24():
    with attn_tui_in_tmux("--mechanism", "3.5", width=80, height=24, env="TERM=xterm-256color NO_COLOR=1") as tmux:
        tmux.wait_for("causal attention", "0.5517")
        tmux.send("v")
        screen = tmux.wait_for("Vectors: query/key space", "○ masked (after the query)", "○one", "◆")
        assert "Traceback" not in screen
    with attn_tui_in_tmux("--mechanism", "3.6", width=80, height=24) as tmux:
        tmux.wait_for("multi-head attention", "head 1 [-0.5889]")
        tmux.send("v")
        tmux.wait_for("Vectors: query/key space, head 1", "token")
        tmux.send("H")
        tmux.wait_for("Vectors: query/key space, head 2")
        tmux.send("V", "V")
        screen = tmux.wait_for("Vectors: output, after out_proj", "★ z⁽²⁾ = concat·W_out + b_out")
        assert "Traceback" not in screen
