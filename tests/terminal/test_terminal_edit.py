"""Editing, undo and redo in the installed `attn-tui` in a real terminal (tmux), at 80×24.

Ctrl+Z is the shell's suspend key in a cooked terminal: these tests prove it reaches the app.
"""

from __future__ import annotations

import time

from attn_tui.core.formatting import format_number
from attn_tui.core.sentence import scenario_from_sentence
from tmux_session import attn_tui_in_tmux, requires_terminal

pytestmark = requires_terminal

BOOK_CONTEXT = "[0.4419, 0.6515, 0.5683]"


def test_ctrl_z_undoes_an_edit_and_ctrl_y_redoes_it():
    with attn_tui_in_tmux(width=80, height=24) as tmux:
        tmux.wait_for(BOOK_CONTEXT)
        tmux.send("1", "Enter")  # Your, dim 1 := 1
        tmux.wait_for("ω₂₁ Your    1.2679", "[0.5441, 0.6271, 0.5839]")
        tmux.send("C-z")
        screen = tmux.wait_for("ω₂₁ Your    0.9544", BOOK_CONTEXT, "Undid: Your · dim 1 = 1.0000")
        assert "Your     0.4300" in screen
        tmux.send("C-y")
        screen = tmux.wait_for("ω₂₁ Your    1.2679", "Redid: Your · dim 1 = 1.0000")
        assert "Your     1.0000" in screen
        assert "EXITED" not in screen and "Traceback" not in screen  # Ctrl+Z did not suspend it


def test_insert_delete_and_undo_with_u_under_no_color():
    with attn_tui_in_tmux(width=80, height=24, env="TERM=xterm-256color NO_COLOR=1") as tmux:
        tmux.wait_for(BOOK_CONTEXT)
        tmux.send("i")  # a zero token after Your
        tmux.wait_for("ω₃₂ t7      0.0000", "Inserted token t7")  # journey, the query, is 3rd now
        tmux.send("j", "x")  # delete journey: the query moves on to starts
        tmux.wait_for("Query x⁽³⁾: starts", "Deleted token 3 (journey)")
        tmux.send("u")
        tmux.wait_for("Query x⁽³⁾: journey", "ω₃₃ journey 1.4950")
        tmux.send("u")
        screen = tmux.wait_for("ω₂₁ Your    0.9544", BOOK_CONTEXT)
        assert "t7" not in screen.split("Undid")[0]
        tmux.send("U")
        tmux.wait_for("ω₃₂ t7      0.0000")


def test_type_a_sentence_then_undo_it():
    with attn_tui_in_tmux(width=80, height=24) as tmux:
        tmux.wait_for(BOOK_CONTEXT)
        tmux.send("t")
        tmux.wait_for("Type a sentence", "6 tokens, 6 distinct")
        tmux.send("-l", "the cat saw the dog")  # replaces the pre-filled, selected sentence
        tmux.wait_for("5 tokens, 4 distinct")
        tmux.send("Enter")
        screen = tmux.wait_for("Query x⁽²⁾: cat", "Sentence of 5 tokens, dimension 3")
        # "the" is vocabulary id 0 both times: one vector, shown twice in the grid.
        vector = scenario_from_sentence("the cat saw the dog", 3, 123).embeddings[0]
        row = "the " + " ".join(format_number(v) for v in vector)
        assert " ".join(screen.split()).count(row) == 2, row
        time.sleep(0.2)
        tmux.send("C-z")
        tmux.wait_for("Query x⁽²⁾: journey", BOOK_CONTEXT)


def test_a_burst_that_deletes_rows_under_an_opening_edit_keeps_the_app_running():
    """Issue 15 §0: "Ctrl+End x x ⏎" in one send-keys (a fast typist, key repeat, a bunching SSH
    link) opened an edit on a row the two x had deleted, and the app died with an IndexError."""
    with attn_tui_in_tmux(width=80, height=24) as tmux:
        tmux.wait_for(BOOK_CONTEXT)
        tmux.send("C-End", "x", "x", "Enter")
        screen = tmux.wait_for("Deleted token 5 (one)", "ω₂₄ with")
        assert "Traceback" not in screen and "EXITED" not in screen
        tmux.send("]")  # still running and still taking keys
        screen = tmux.wait_for("Query x⁽³⁾: starts")
        assert "Traceback" not in screen and "EXITED" not in screen
