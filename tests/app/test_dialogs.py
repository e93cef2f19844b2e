"""Every dialog answers once: a second key typed before it has closed must not pop another screen."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Static

from attn_tui.ui.widgets.dialogs import ConfirmDialog, PathDialog, SnippetDialog, UnsavedChangesDialog
from attn_tui.ui.widgets.help_screen import HelpScreen
from attn_tui.ui.widgets.modal import Dialog
from attn_tui.ui.widgets.scenario_dialogs import PresetDialog, SeedDialog, SentenceDialog


class Host(App[None]):
    def compose(self):
        yield Static("under the dialogs")


DIALOGS = [
    lambda: ConfirmDialog("Replace?", "Replace x.json?"),
    lambda: PathDialog("Save", "File name", default="x.json"),
    lambda: SnippetDialog("print(1)"),
    lambda: UnsavedChangesDialog("x.json"),
    lambda: HelpScreen([]),
    lambda: SentenceDialog("Your journey", 3, 123),
    lambda: SeedDialog(1, 6, 3),
    PresetDialog,
]


@pytest.mark.parametrize("make", DIALOGS, ids=["confirm", "path", "snippet", "unsaved", "help", "sentence", "seed", "preset"])
async def test_a_dialog_answers_once_and_closes(make):
    answers = []
    app = Host()
    async with app.run_test() as pilot:
        dialog = make()
        assert isinstance(dialog, Dialog)
        app.push_screen(dialog, answers.append)
        await pilot.pause()
        dialog.close("first")
        dialog.close("second")  # as a second Enter would, before the screen has gone
        await pilot.pause()
        assert answers == ["first"]
        assert len(app.screen_stack) == 1  # closed, and the screen under it is still there
        assert not dialog.is_attached  # removed: its message loop really ended


async def test_escape_closes_every_dialog_without_an_answer():
    for make in DIALOGS:
        answers = []
        app = Host()
        async with app.run_test() as pilot:
            app.push_screen(make(), answers.append)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen_stack) == 1
            assert answers in ([None], ["cancel"], [False])
