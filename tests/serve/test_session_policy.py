"""A class session never touches the server's files: each file action says why on screen and
changes nothing; the snippet and the CSV are shown to copy instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList
from textual.widgets._toast import Toast

import attn_tui.core.compute  # noqa: F401 - torch imported at collection, not inside the first test's wait
from attn_tui.ui.app import AttnApp
from attn_tui.ui.session_policy import remote_student
from attn_tui.ui.widgets.dialogs import PathDialog, SnippetDialog
from conftest import running, screen_text

REFUSAL = "This class session cannot open or save files on the server"

FILE_KEYS = {"ctrl+s": "save", "f2": "save as", "ctrl+o": "open", "ctrl+l": "import embeddings", "f12": "SVG screenshot"}

FILE_COMMANDS = ("Save", "Save as…", "Open…", "Import embeddings…", "Save SVG screenshot…", "Screenshot")
"""The palette's entries that would read or write a file: the app's, and Textual's own
"Screenshot", which saves to ~/Downloads without asking."""


@pytest.fixture(autouse=True)
def _home_in_the_scratch_folder(tmp_path, monkeypatch):
    """~ (and so ~/Downloads, where Textual delivers files) inside the test's folder, so that a
    file written by mistake is seen there. Downloads exists: else a delivery would fail, and the
    test pass, for the wrong reason."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    (tmp_path / "home" / "Downloads").mkdir(parents=True)


def student_app() -> AttnApp:
    return AttnApp(policy=remote_student("user-ada"))


def files_written(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def notes_on_screen(app: AttnApp) -> str:
    """The words of the notifications as the terminal shows them (each toast's part of the screen)."""
    lines = screen_text(app).splitlines()
    words = []
    for toast in app.screen.query(Toast):
        region = toast.region
        words += [line[region.x : region.right].replace("▌", " ") for line in lines[region.y : region.bottom]]
    return " ".join(" ".join(words).split())


async def run_from_palette(pilot, name: str) -> None:
    """Ctrl+P, type ``name``, and run the entry called exactly that (not whichever ranks first)."""
    await pilot.press("ctrl+p", *name)
    await pilot.pause(0.5)
    commands = pilot.app.screen.query_one(CommandList)
    names = [str(commands.get_option_at_index(i).prompt).splitlines()[0] for i in range(commands.option_count)]
    assert name in names, names
    commands.highlighted = names.index(name)
    await pilot.press("enter")
    await pilot.pause(0.5)  # Textual's Screenshot runs 0.1 s later, and writes in a thread


@pytest.mark.parametrize("key", FILE_KEYS, ids=FILE_KEYS.values())
async def test_each_file_key_says_why_on_screen_and_writes_nothing(key, tmp_path):
    app = student_app()
    async with running(app, toasts=True) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, PathDialog)
        assert REFUSAL in notes_on_screen(app)
    assert files_written(tmp_path) == []


@pytest.mark.parametrize("name", FILE_COMMANDS)
async def test_each_file_command_of_the_palette_says_why_and_writes_nothing(name, tmp_path):
    app = student_app()
    async with running(app, size=(100, 30), toasts=True) as pilot:
        await run_from_palette(pilot, name)
        assert not isinstance(app.screen, PathDialog)
        assert REFUSAL in notes_on_screen(app)
    assert files_written(tmp_path) == []


async def test_the_csv_is_shown_to_copy_without_a_save(tmp_path):
    app = student_app()
    async with running(app) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog)
        assert "context,journey,,1,0.4418657" in app.screen.code
        await pilot.press("s")  # no "save" here: the key does nothing
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog) and not app.screen.query("#save")
    assert files_written(tmp_path) == []


async def test_the_snippet_is_shown_to_copy_without_a_save():
    app = student_app()
    async with running(app) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog) and "import torch" in app.screen.code
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog) and not app.screen.query("#save")


async def test_quitting_a_class_session_with_changes_leaves_at_once():
    app = student_app()
    async with running(app) as pilot:
        await pilot.press("9", "enter")
        await pilot.pause()
        assert app.unsaved
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_local_session_still_saves_and_takes_textuals_screenshot(tmp_path):
    app = AttnApp()
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        await pilot.press("escape")
        await run_from_palette(pilot, "Screenshot")
    assert [name for name in files_written(tmp_path) if name.startswith("home/Downloads/")]
