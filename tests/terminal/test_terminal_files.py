"""The installed `attn-tui` with files, in a real terminal (tmux)."""

from __future__ import annotations

from attn_tui.core.files import ViewOptions, save_scenario
from attn_tui.core.scenario import Scenario
from tmux_session import attn_tui_in_tmux, requires_terminal

pytestmark = requires_terminal

LESSON = Scenario(
    tokens=("cats", "chase", "mice"),
    embeddings=((1.0, 0.0), (0.5, 0.5), (0.0, 2.0)),
    query=2,
)
"""Query "mice": scores 0, 1, 4; weights softmax(0, 1, 4) = 0.0171 0.0466 0.9362; context [0.0405, 1.8958]."""


def test_opens_a_saved_file_and_shows_its_numbers(tmp_path):
    path = tmp_path / "lesson.json"
    save_scenario(path, LESSON, ViewOptions())
    with attn_tui_in_tmux(str(path), width=80, height=24) as tmux:
        screen = tmux.wait_for("lesson.json", "Query x⁽³⁾: mice", "0.9362", "[0.0405, 1.8958]")
        assert "4.0000" in screen and "0.0466" in screen
        tmux.send("Down", "Down", "3", "Enter")  # mice, dim 1 := 3
        tmux.wait_for("lesson.json · ch. 3.3 • unsaved")
        tmux.send("C-s")
        tmux.wait_for("Saved")
        tmux.send("C-q")
        tmux.wait_for("EXITED:0")
    assert '[3.0, 2.0]' in path.read_text(encoding="utf-8")


def test_an_embeddings_file_is_named_in_the_header_and_saved_as_new_json(tmp_path):
    path = tmp_path / "emb.csv"
    path.write_text("cats,1,0\nchase,0.5,0.5\nmice,0,2\n", encoding="utf-8")
    with attn_tui_in_tmux(str(path), width=80, height=24) as tmux:
        tmux.wait_for("imported from emb.csv", "cats", "mice")
        tmux.send("C-s")
        tmux.wait_for("Save scenario as")  # a CSV is never overwritten with JSON
        tmux.send("Escape")
        tmux.send("C-q")
        tmux.wait_for("EXITED:0")
    assert path.read_text(encoding="utf-8").startswith("cats,1,0")


def test_query_option_counts_from_1(tmp_path):
    path = tmp_path / "lesson.json"
    save_scenario(path, LESSON)
    with attn_tui_in_tmux("--load", str(path), "--query", "1", width=80, height=24) as tmux:
        tmux.wait_for("Query x⁽¹⁾: cats")


def test_a_bad_file_is_one_line_and_status_2_before_any_screen(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 1, "tokens": [', encoding="utf-8")
    with attn_tui_in_tmux(str(path), width=200, height=24) as tmux:
        screen = tmux.wait_for("EXITED:2")
        assert f"attn-tui: error: {path}: invalid JSON at line 1" in screen
        assert "Traceback" not in screen and "Embeddings" not in screen


def test_quitting_with_unsaved_changes_asks_first():
    with attn_tui_in_tmux(width=80, height=24) as tmux:
        tmux.wait_for("0.4419")
        tmux.send("1", "Enter")
        tmux.wait_for("• unsaved")
        tmux.send("C-q")
        tmux.wait_for("Unsaved changes", "Discard (d)")
        # Escape on its own (followed at once by a key, a terminal reads ESC as Alt+that key).
        tmux.send("Escape")
        tmux.wait_until_gone("Unsaved changes")  # the first dialog has closed
        tmux.send("C-q")
        tmux.wait_for("Unsaved changes", "Discard (d)")  # so this is the second one
        tmux.send("Escape")
        tmux.wait_until_gone("Unsaved changes")  # one Escape closed it: there were not two
        # `u` acts only on the main screen: once "Undid" shows, no dialog is left to appear late.
        tmux.send("u")
        screen = tmux.wait_for("Undid: Your · dim 1 = 1.0000")
        assert "Unsaved changes" not in screen and "EXITED" not in screen
        tmux.send("C-q")  # nothing unsaved any more: no question
        tmux.wait_for("EXITED:0")


def test_quit_right_after_an_edit_still_asks():
    """A burst "1⏎ Ctrl+Q" (typed fast, pasted, a slow link): the quit sees the edit."""
    with attn_tui_in_tmux(width=80, height=24) as tmux:
        tmux.wait_for("0.4419")
        tmux.send("1", "Enter", "C-q")
        tmux.wait_for("Unsaved changes")
        tmux.send("Escape")
        tmux.wait_until_gone("Unsaved changes")  # the first dialog has closed
        tmux.send("u")  # nothing unsaved any more …
        screen = tmux.wait_for("Undid: Your · dim 1 = 1.0000")
        assert "• unsaved" not in screen
        tmux.send("5", "C-q")  # … but an edit still open: it counts too
        screen = tmux.wait_for("Unsaved changes")
        assert "EXITED" not in screen
