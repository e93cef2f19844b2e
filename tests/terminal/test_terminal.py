"""The installed `attn-tui` in a real terminal (tmux): what a person sees and types."""

from __future__ import annotations

from tmux_session import ATTN_TUI, attn_tui_in_tmux, requires_terminal, shell_in_tmux

pytestmark = requires_terminal


def test_shows_the_seeds_numbers_and_follows_an_edit():
    with attn_tui_in_tmux() as tmux:
        screen = tmux.wait_for("0.9544", "1.4950", "0.2379", "0.4419, 0.6515, 0.5683")
        assert "Traceback" not in screen and "Warning" not in screen
        tmux.send("1", "Enter")  # Your, dim 1 := 1
        tmux.wait_for("1.2679")  # x⁽¹⁾·x⁽²⁾ = 1×0.55 + 0.15×0.87 + 0.89×0.66
        tmux.send("]")
        tmux.wait_for("Query x⁽³⁾: starts")


def test_mechanism_3_4_on_the_command_line_and_back_to_3_3_by_key():
    with attn_tui_in_tmux("--mechanism", "3.4", width=80, height=24) as tmux:
        screen = tmux.wait_for("trainable self-attention", "0.4306 1.4551", "[0.3061, 0.8210]")
        assert "Traceback" not in screen
        tmux.send("g", "9", "Enter")  # W_q in 1, out 1 := 9
        tmux.wait_for("W_q · in 1, out 1 = 9.0000")
        tmux.send("{")
        tmux.wait_for("simple self-attention", "0.4419, 0.6515, 0.5683")


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
        # Waited for together: the explanation and the panels may reach the terminal in two frames.
        screen = tmux.wait_for("Step 1/29", "0.43×0.55", "ω₂₁ Your    0.9544")
        assert "1.4950" not in screen
        tmux.send("Space")
        tmux.wait_for("Step 2/29", "ω₂₂ journey 1.4950")
        tmux.send("Escape")
        screen = tmux.wait_for("0.4419, 0.6515, 0.5683", "w Walk")
        assert "Traceback" not in screen


def test_matrix_view_without_colour_keeps_numbers_and_the_query_mark():
    with attn_tui_in_tmux(env="TERM=xterm-256color NO_COLOR=1") as tmux:
        tmux.wait_for("0.4419, 0.6515, 0.5683")
        tmux.send("m")
        # Words compared, not spaces: the columns widen to show the tokens' names in full.
        words = " ".join(tmux.wait_for("All queries", "Z = A·X", "0.1581").split())
        assert "▶journey 0.1385 0.2379 0.2333 0.1240 0.1082 0.1581" in words
        assert "▶journey 0.4419 0.6515 0.5683" in words
        tmux.send("]")
        tmux.wait_for("▶starts ")
        assert "▶starts 0.1390 0.2369" in " ".join(tmux.wait_for("0.1390").split())


def test_resizing_the_terminal_redraws_and_a_small_one_shows_the_notice():
    with attn_tui_in_tmux(width=100, height=30) as tmux:
        tmux.wait_for("0.4419, 0.6515, 0.5683")
        tmux.resize(70, 20)
        screen = tmux.wait_for("Terminal too small", "need 80×24")
        assert "0.4419" not in screen
        tmux.resize(120, 32)
        screen = tmux.wait_for("0.4419, 0.6515, 0.5683", "Scores")
        assert "Terminal too small" not in screen
        tmux.send("1", "Enter")
        tmux.wait_for("1.2679")


def test_ctrl_q_gives_back_a_clean_shell_prompt():
    with shell_in_tmux() as tmux:
        tmux.wait_for("PROMPT$")
        tmux.send(f"{ATTN_TUI}", "Enter")
        tmux.wait_for("0.4419, 0.6515, 0.5683")
        tmux.send("C-q")
        screen = tmux.wait_for("PROMPT$ ")
        tmux.send("echo back-$((40+2))", "Enter")
        screen = tmux.wait_for("back-42")
        # The alternate screen is gone and nothing the app wrote is left as text.
        assert "0.4419" not in screen and "Scores" not in screen
        for stray in ("\x1b", "[?", "^[", "\x07"):
            assert stray not in screen, screen
        lines = [line for line in screen.splitlines() if line.strip()]
        assert lines[-1] == "PROMPT$", screen


def test_ctrl_q_while_torch_still_loads_gives_back_the_prompt_at_once():
    with shell_in_tmux() as tmux:
        tmux.wait_for("PROMPT$")
        tmux.send(f"{ATTN_TUI}; echo EXITED:$?", "Enter")
        screen = tmux.wait_for("Embeddings")  # the first frame: torch is imported after it
        tmux.send("C-q")
        screen = tmux.wait_for("EXITED:0")
        assert "Traceback" not in screen and "Error" not in screen, screen
        for stray in ("\x1b", "[?", "^["):
            assert stray not in screen, screen
