"""Files in the app, driven by keys: open, import, save (as), overwrite and quit questions, exports,
and bad files that change nothing."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

import attn_tui.ui.app
from attn_tui.ui.app import AttnApp
from attn_tui.ui.commands import AttnCommands
from attn_tui.core.export import python_snippet
from attn_tui.core.files import ViewOptions, load_file, save_scenario
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario
from attn_tui.ui.widgets.dialogs import ConfirmDialog, PathDialog, SnippetDialog, UnsavedChangesDialog
from bad_files import BAD_FILES, RUNS_CODE_MARKER, make_bad_file
from conftest import help_keys, message, running, wait_until_ready, widget_text

EDITED = SEED_EXAMPLE.with_value(0, 0, 1.0).with_query(2)
"""Work in progress that a bad file must not touch."""


class RecordingApp(AttnApp):
    """The app, remembering every notification (title, message, severity)."""

    CSS_PATH = Path(attn_tui.ui.app.__file__).with_name("app.tcss")  # relative paths follow the subclass

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[tuple[str, str, str]] = []

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True) -> None:
        self.notes.append((title, message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder: default file names land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def type_path(pilot, path: str) -> None:
    """Replace the text of the open path dialog with ``path`` and press Enter."""
    dialog = pilot.app.screen
    assert isinstance(dialog, PathDialog)
    dialog.query_one("#path").value = ""
    await pilot.press(*path, "enter")
    await settle(pilot)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def state(app: AttnApp) -> tuple:
    """Everything a bad file must leave alone."""
    return (app.scenario, app.saved_scenario, app.document_path, app.matrix_view, app.compare_normalisations, app.sub_title)


# --- bad files change nothing ---


async def test_every_bad_file_is_notified_and_changes_nothing(tmp_path):
    app = RecordingApp()
    async with running(app, size=(100, 30)) as pilot:
        app.change_scenario(EDITED, "edited")
        app.matrix_view = True
        await pilot.pause()
        before = state(app)
        assert "•" in app.sub_title
        for case in BAD_FILES:
            path, expected = make_bad_file(tmp_path, case)
            app.notes.clear()
            app.open_file(str(path))
            await settle(pilot)
            assert len(app.notes) == 1, case
            title, message, severity = app.notes[0]
            assert severity == "error", case
            assert message.startswith(f"{path}: ") and expected in message, (case, message)
            assert "nothing changed" in title
            assert state(app) == before, case
        assert not (tmp_path / RUNS_CODE_MARKER).exists()
        # Still alive and editable after all that.
        await pilot.press("2", "enter")
        assert app.scenario.embeddings[0][0] == 2.0


async def test_bad_file_through_the_open_dialog(in_tmp):
    path, _ = make_bad_file(in_tmp, "ragged CSV")
    app = RecordingApp(EDITED)
    async with running(app) as pilot:
        await pilot.press("ctrl+o")
        await type_path(pilot, path.name)
        assert app.scenario == EDITED
        assert app.notes[-1][1] == "ragged.csv: ragged rows: line 1 has 3 values, line 2 has 2"
        assert not isinstance(app.screen, PathDialog)


async def test_escape_cancels_the_open_dialog(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, PathDialog)
        await pilot.press("a", "b", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, PathDialog)
        assert app.scenario == SEED_EXAMPLE and app.notes == []


async def test_file_name_with_brackets_is_shown_as_typed(in_tmp):
    bad = in_tmp / "data[red]x[bold].csv"
    bad.write_text("1,2\n3\n", encoding="utf-8")
    good = in_tmp / "[b]good[i].csv"
    good.write_text("1,2\n3,4\n", encoding="utf-8")
    app = RecordingApp()
    async with running(app) as pilot:
        app.open_file(str(bad))
        await settle(pilot)
        assert app.notes[-1][1].startswith(f"{bad}: ragged rows")
        app.open_file(str(good))
        await settle(pilot)
        assert app.scenario.embeddings == ((1.0, 2.0), (3.0, 4.0))
        assert "[b]good[i].csv" in widget_text(app.query_one("#message"))


# --- open and import ---


async def test_open_a_saved_scenario_with_its_view(in_tmp):
    scenario = Scenario(tokens=("a", "b", "c"), embeddings=((1.0, 0.0), (0.0, 1.0), (1.0, 1.0)), query=2)
    save_scenario(in_tmp / "lesson.json", scenario, ViewOptions(matrix_view=True))
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+o")
        await type_path(pilot, "lesson.json")
        assert app.scenario == scenario
        assert app.matrix_view and not app.compare_normalisations
        assert app.document_path is not None and app.document_path.name == "lesson.json"
        assert app.sub_title == "lesson.json · ch. 3.3"
        assert app.notes[-1][0] == "Opened"
        assert app.query_one("#right").has_class("-matrix")


async def test_import_csv_names_tokens_and_saves_under_a_new_name(in_tmp):
    (in_tmp / "emb.csv").write_text("dim1,dim2\n0.5,1.5\n2.5,3.5\n", encoding="utf-8")
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+l")
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        assert "emb.csv" in widget_text(dialog.query_one("#listing"))
        await type_path(pilot, "emb.csv")
        assert app.scenario == Scenario(tokens=("t1", "t2"), embeddings=((0.5, 1.5), (2.5, 3.5)), query=0)
        assert app.document_path is None  # Ctrl+S must not write JSON into the CSV
        assert app.sub_title == "imported from emb.csv · ch. 3.3"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PathDialog)
        await type_path(pilot, "emb")
        assert load_file(in_tmp / "emb.json").scenario == app.scenario
        assert app.sub_title == "emb.json · ch. 3.3"
        assert (in_tmp / "emb.csv").read_text(encoding="utf-8").startswith("dim1")


async def test_app_started_with_a_file_saves_back_to_it(tmp_path):
    path = tmp_path / "lesson.json"
    save_scenario(path, SEED_EXAMPLE)
    app = RecordingApp(SEED_EXAMPLE, view=ViewOptions(compare_normalisations=True), path=path)
    async with running(app) as pilot:
        assert app.sub_title == "lesson.json · ch. 3.3"
        assert app.compare_normalisations
        await pilot.press("1", "enter")
        assert app.sub_title == "lesson.json · ch. 3.3 • unsaved"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.sub_title == "lesson.json · ch. 3.3"
        loaded = load_file(path)
        assert loaded.scenario.embeddings[0][0] == 1.0
        assert loaded.view == ViewOptions(compare_normalisations=True)
        assert app.notes[-1] == ("Saved", f"Saved {path}", "information")


# --- save as: confirmation before replacing ---


async def test_save_as_asks_before_replacing_a_file(in_tmp):
    (in_tmp / "taken.json").write_text("precious", encoding="utf-8")
    app = RecordingApp()
    async with running(app) as pilot:
        app.change_scenario(EDITED, "work in progress")
        await pilot.press("f2")
        await type_path(pilot, "taken.json")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the focus is on "No": Enter alone never replaces
        await settle(pilot)
        assert (in_tmp / "taken.json").read_text(encoding="utf-8") == "precious"
        assert app.document_path is None and "•" in app.sub_title
        await pilot.press("f2")
        await type_path(pilot, "taken.json")
        await pilot.press("n")
        await settle(pilot)
        assert (in_tmp / "taken.json").read_text(encoding="utf-8") == "precious"
        await pilot.press("f2")
        await type_path(pilot, "taken.json")
        await pilot.press("y")
        await settle(pilot)
        assert load_file(in_tmp / "taken.json").scenario == EDITED
        assert app.sub_title == "taken.json · ch. 3.3"
        assert [p.name for p in in_tmp.iterdir()] == ["taken.json"]  # no temporary file left


async def test_save_as_refuses_a_name_that_is_not_json(in_tmp):
    app = RecordingApp(EDITED)
    async with running(app) as pilot:
        await pilot.press("f2")
        await type_path(pilot, "numbers.csv")
        assert app.notes[-1][2] == "error" and "numbers.csv" in app.notes[-1][1]
        assert list(in_tmp.iterdir()) == []


async def test_a_failed_save_is_notified_and_keeps_the_work(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        app.change_scenario(EDITED, "work in progress")
        await pilot.press("f2")
        await type_path(pilot, "no/such/folder/x.json")
        title, message, severity = app.notes[-1]
        assert severity == "error" and message.startswith("no/such/folder/x.json: cannot save")
        assert app.scenario == EDITED and app.document_path is None and "•" in app.sub_title


# --- quitting with unsaved changes ---


async def test_quit_without_changes_does_not_ask(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app._exit  # exiting


async def test_quit_with_changes_asks_and_cancel_keeps_running(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("1", "enter")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, UnsavedChangesDialog)
        await pilot.press("ctrl+q")  # asking twice does not stack dialogs
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert not app._exit and len(app.screen_stack) == 1
        assert app.scenario.embeddings[0][0] == 1.0
        await pilot.press("ctrl+q", "d")
        await pilot.pause()
        assert app._exit
    assert list(in_tmp.iterdir()) == []


async def test_quit_and_save_asks_for_a_name_then_quits(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("1", "enter", "ctrl+q", "s")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        await type_path(pilot, "work.json")
        assert app._exit
    assert load_file(in_tmp / "work.json").scenario.embeddings[0][0] == 1.0


async def test_undoing_back_to_the_saved_scenario_clears_the_mark(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        app.change_scenario(EDITED, "edit")
        await pilot.pause()
        assert app.unsaved and "•" in app.sub_title
        app.change_scenario(SEED_EXAMPLE, "back")
        await pilot.pause()
        assert not app.unsaved and "•" not in app.sub_title


# --- exports ---


async def test_snippet_dialog_copies_and_saves(in_tmp):
    app = RecordingApp(EDITED)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press("ctrl+e")
        dialog = app.screen
        assert isinstance(dialog, SnippetDialog)
        assert dialog.code == python_snippet(EDITED)
        assert "inputs = torch.tensor([" in widget_text(dialog.query_one("#snippet-code"))
        await pilot.press("c")
        assert app.clipboard == python_snippet(EDITED)
        assert app.notes[-1][0] == "Copied"
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        await pilot.press("enter")  # the default name
        await settle(pilot)
        assert (in_tmp / "attention.py").read_text(encoding="utf-8") == python_snippet(EDITED)
        assert app.notes[-1] == ("Exported", "Saved the snippet to attention.py", "information")


async def test_export_csv_of_the_panels(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+t", "enter")
        await settle(pilot)
        rows = list(csv.DictReader(io.StringIO((in_tmp / "attention-panels.csv").read_text(encoding="utf-8"))))
        weights = [f"{float(r['value']):.4f}" for r in rows if r["quantity"] == "weight"]
        assert weights == ["0.1385", "0.2379", "0.2333", "0.1240", "0.1082", "0.1581"]
        assert "attention-panels.csv" in app.notes[-1][1]


async def test_svg_screenshot_names_the_file(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("f12")
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        await type_path(pilot, "shot.svg")
        svg = (in_tmp / "shot.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and "0.4419" in svg.replace("&#160;", " ")
        assert "Save an SVG" not in svg  # taken before the dialog covered the screen
        assert app.notes[-1] == ("Exported", "Saved the screenshot to shot.svg", "information")


async def test_svg_screenshot_leaves_the_toasts_out(in_tmp):
    app = AttnApp()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # Pilot hides toasts by default
        await wait_until_ready(pilot)
        pilot.app.notify("Copied the snippet", title="Toast over the weights")
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        await type_path(pilot, "slide.svg")
        svg = (in_tmp / "slide.svg").read_text(encoding="utf-8").replace("&#160;", " ")
        assert "0.4419" in svg and "Toast" not in svg and "Copied" not in svg


async def test_export_asks_before_replacing(in_tmp):
    (in_tmp / "attention.py").write_text("mine", encoding="utf-8")
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+e", "s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert (in_tmp / "attention.py").read_text(encoding="utf-8") == "mine"


async def test_file_keys_are_in_the_help_and_the_palette(in_tmp):
    app = RecordingApp()
    async with running(app, size=(100, 90)) as pilot:
        text = await help_keys(pilot)
        assert "Files" in text and "Ctrl+s" in text and "Ctrl+o" in text and "F12" in text
        assert "Unsaved changes: save / discard" in text and "Snippet: copy" in text
        await pilot.press("escape")
        helps = {name: help_text for name, _, help_text in AttnCommands(app.screen)._escaped_commands()}
        for wanted in ("Save", "Save as…", "Open…", "Import embeddings…", "Export Python snippet", "Export panels as CSV…", "Save SVG screenshot…"):
            assert wanted in helps
        assert helps["Save"].endswith("(Ctrl+s)") and helps["Save SVG screenshot…"].endswith("(F12)")
        await pilot.press("ctrl+p", *"export python snippet")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SnippetDialog)


def test_saved_file_is_plain_json(tmp_path):
    save_scenario(tmp_path / "x.json", EDITED)
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["query"] == 2
    assert os.path.getsize(tmp_path / "x.json") < 1000


async def test_opening_a_file_can_be_undone(tmp_path):
    """Opening replaces the scenario through change_scenario, so undo brings the work back (marked unsaved)."""
    if not hasattr(AttnApp, "action_undo"):
        pytest.skip("undo is not in this build")
    other = Scenario(tokens=("a", "b"), embeddings=((1.0,), (2.0,)))
    save_scenario(tmp_path / "other.json", other)
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("1", "enter")
        edited = app.scenario
        app.open_file(str(tmp_path / "other.json"))
        await settle(pilot)
        assert app.scenario == other and app.sub_title == "other.json · ch. 3.3"
        assert "u brings back your unsaved work." in message(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.scenario == edited and "•" in app.sub_title


async def test_quit_during_autoplay_asks_and_the_first_key_answers(in_tmp):
    app = RecordingApp()
    async with running(app) as pilot:
        await pilot.press("1", "enter", "a")
        assert app.autoplay
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChangesDialog) and not app.autoplay
        await pilot.press("d")
        await pilot.pause()
        assert app._exit


@pytest.mark.parametrize(("size", "focused"), [((80, 24), "MatrixPanel"), ((120, 32), "EmbeddingGrid")])
async def test_a_file_in_the_matrix_view_opens_with_the_focus_on_what_is_shown(size, focused):
    app = RecordingApp(SEED_EXAMPLE, view=ViewOptions(matrix_view=True))
    async with running(app, size=size) as pilot:
        await pilot.pause()
        assert app.query_one("#right").has_class("-matrix")
        assert type(app.focused).__name__ == focused


@pytest.mark.parametrize("replace", [["P", "down", "enter"], ["t", "enter"], ["u"]])
async def test_the_header_stops_naming_an_imported_file_once_its_scenario_is_replaced(in_tmp, replace):
    (in_tmp / "emb.csv").write_text("1,2\n3,4\n5,6\n", encoding="utf-8")
    async with running() as pilot:
        app = pilot.app
        await pilot.press("ctrl+l", *"emb.csv", "enter")
        await pilot.pause()
        assert "imported from emb.csv" in app.sub_title
        await pilot.press(*replace)
        await pilot.pause()
        assert "emb.csv" not in app.sub_title
        if replace != ["u"]:
            await pilot.press("u")  # undo brings the file's scenario back, and its name
            await pilot.pause()
            assert app.sub_title == "imported from emb.csv · ch. 3.3"
