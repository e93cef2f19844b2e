"""A class session never touches the server's files: the file actions say so and change nothing;
the snippet and the CSV are shown to copy instead."""

from __future__ import annotations

from pathlib import Path

import attn_tui.core.compute  # noqa: F401 - torch imported at collection, not inside the first test's wait
from attn_tui.ui.app import AttnApp
from attn_tui.ui.session_policy import remote_student
from attn_tui.ui.widgets.dialogs import PathDialog, SnippetDialog
from conftest import running


def student_app() -> AttnApp:
    return AttnApp(policy=remote_student("user-ada"))


async def test_save_open_import_and_screenshots_are_refused_and_write_nothing():
    app = student_app()
    async with running(app) as pilot:
        for key in ("ctrl+s", "f2", "ctrl+o", "ctrl+l", "f12"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, PathDialog), key
        notes = [n.message for n in app._notifications]
        assert notes and all("cannot open or save files on the server" in note for note in notes)
    assert list(Path.cwd().iterdir()) == []


async def test_the_command_palette_cannot_reach_them_either():
    app = student_app()
    async with running(app):
        app.action_save_as()
        app.action_open()
        assert not isinstance(app.screen, PathDialog)


async def test_the_csv_is_shown_to_copy_and_the_snippet_has_no_save():
    app = student_app()
    async with running(app) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog)
        assert "context,journey,,1,0.4418657" in app.screen.code
        await pilot.press("s")  # no "save" here: the key does nothing
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog)
        await pilot.press("escape")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog) and not app.screen.query("#save")
    assert list(Path.cwd().iterdir()) == []


async def test_quitting_a_class_session_with_changes_leaves_at_once():
    app = student_app()
    async with running(app) as pilot:
        await pilot.press("9", "enter")
        await pilot.pause()
        assert app.unsaved
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_local_session_still_saves(tmp_path):
    app = AttnApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
