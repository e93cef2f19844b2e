"""Unsaved work kept when the terminal went away, in the app: what is saved, the offer at the next
start (one key, in the footer while offered), --recover, and what a clean quit does with the file.

The signals and the terminal's end are tested in tests/unit/test_lifeline.py and
tests/terminal/test_terminal_recovery.py; here the app is driven headless."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from attn_tui.core.files import ViewOptions, load_file
from attn_tui.core.recovery import CellEditInProgress, read_recovery, recovery_dir, recovery_path, write_recovery
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.ui.app import AttnApp
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from conftest import help_keys, message, running

LOST = SEED_EXAMPLE.with_value(2, 1, 0.125).with_query(4)
"""The work a dropped connection took."""


def footer_entries(app: AttnApp) -> dict[str, FooterKey]:
    return {key.description: key for key in app.query_one(Footer).query(FooterKey)}


def restore_shown(app: AttnApp) -> bool:
    return any(binding.id == "recovery.restore" and binding.show and enabled for _, binding, enabled, _ in app.screen.active_bindings.values())


# --- what is saved ---


async def test_nothing_is_saved_without_unsaved_work():
    async with running() as pilot:
        app = pilot.app
        assert app.save_unsaved_work() is None
        await pilot.press("m")  # a view is not work
        assert app.save_unsaved_work() is None
    assert read_recovery() is None


async def test_a_changed_scenario_is_saved_with_its_view_and_file(tmp_path):
    path = tmp_path / "lesson.json"
    async with running(AttnApp(path=path)) as pilot:
        app = pilot.app
        await pilot.press("5", "enter", "c")
        assert app.save_unsaved_work() == recovery_path()
    recovered = read_recovery()
    assert recovered.scenario == SEED_EXAMPLE.with_value(0, 0, 5.0)
    assert recovered.view == ViewOptions(compare_normalisations=True)
    assert recovered.document == path and recovered.cell_edit is None


@pytest.mark.parametrize(("keys", "edit"), [
    (["down", "right", "right", "4", "2", "x"], CellEditInProgress(1, 2, "42x")),  # dim 3, not even a number yet
    (["home", "enter", "end", "backspace", "W"], CellEditInProgress(0, None, "YouW")),  # a label being renamed (End: the pre-filled text is no longer selected)
])
async def test_a_cell_edit_in_progress_is_saved_with_its_text(keys, edit):
    async with running() as pilot:
        await pilot.press(*keys)
        pilot.app.save_unsaved_work()
    recovered = read_recovery()
    assert recovered.scenario == SEED_EXAMPLE and recovered.cell_edit == edit


# --- the offer at the next start ---


async def test_without_recovered_work_nothing_is_offered():
    async with running() as pilot:
        assert not restore_shown(pilot.app)
        assert "recovered" not in message(pilot.app)
        assert "Restore work" not in await help_keys(pilot)
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        assert pilot.app.scenario == SEED_EXAMPLE


async def test_recovered_work_is_offered_in_one_line_and_one_key_in_the_footer():
    write_recovery(LOST, ViewOptions(compare_normalisations=True), cell_edit=CellEditInProgress(3, 2, "0.7"))
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        assert app.scenario == SEED_EXAMPLE  # nothing replaced before the person says so
        assert message(app).startswith("Ctrl+R restores the unsaved work from ")
        assert restore_shown(app)
        entries = footer_entries(app)
        assert "Restore work" in entries
        palette = app.query_one(Footer).query_one(".-command-palette")
        assert entries["Restore work"].region.right <= palette.region.x  # not cut off at 80 columns
        assert "Ctrl+r                  Restore work" in await help_keys(pilot)
        await pilot.press("escape")

        await pilot.press("ctrl+r")
        assert app.scenario == LOST and app.compare_normalisations
        grid = app.query_one(EmbeddingGrid)
        assert (grid.editing.row, grid.editing.column, grid.editing.text) == (3, 3, "0.7")
        assert "Restored the unsaved work" in message(app)
        assert "unsaved" in app.sub_title  # the quit question protects it again
        assert not restore_shown(app)
        # Restoring is a change like opening a file: undo brings back what was there.
        await pilot.press("escape", "u")
        assert app.scenario == SEED_EXAMPLE


async def test_after_the_first_change_the_offer_leaves_the_footer_but_ctrl_r_still_restores():
    """At 80 columns "^r Restore work" pushed "{} Section" and "u Undo" off the footer."""
    write_recovery(LOST, ViewOptions())
    async with running(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("5", "enter")
        await pilot.pause()
        entries = footer_entries(app)
        assert "Restore work" not in entries and not restore_shown(app)
        palette = app.query_one(Footer).query_one(".-command-palette")
        assert "Undo" in entries
        shown = [entry for entry in app.query_one(Footer).query("FooterKey, FooterLabel") if entry is not palette]
        assert all(entry.region.right <= palette.region.x for entry in shown), [(entry, entry.region) for entry in shown]  # none cut off
        assert "Ctrl+r                  Restore work" in await help_keys(pilot)  # still listed
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"restore")
        await pilot.pause(0.3)
        assert "Restore work" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert app.scenario == LOST
        await pilot.press("u")
        assert app.scenario == SEED_EXAMPLE.with_value(0, 0, 5.0)  # the change made before restoring


async def test_restored_work_goes_back_to_its_file_on_save(tmp_path):
    path = tmp_path / "lesson.json"
    write_recovery(LOST, document=path)
    async with running() as pilot:
        await pilot.press("ctrl+r", "ctrl+s")
        await pilot.pause()
        assert "lesson.json" in pilot.app.sub_title and "unsaved" not in pilot.app.sub_title
    assert load_file(path).scenario == LOST


async def test_recover_restores_at_once_without_an_undo_step():
    write_recovery(LOST, cell_edit=CellEditInProgress(0, 0, "1e"))
    app = AttnApp()
    app.restore_at_start = True
    async with running(app) as pilot:
        assert app.scenario == LOST
        assert app.query_one(EmbeddingGrid).editing.text == "1e"
        assert not restore_shown(app)
        await pilot.press("escape", "u")
        assert app.scenario == LOST  # nothing before it to go back to


async def test_an_unreadable_recovery_file_is_named_and_left_alone():
    recovery_dir().mkdir(parents=True)
    recovery_path().write_text("{broken")
    app = AttnApp()
    notes = []
    app.notify = lambda text, **options: notes.append((options.get("title"), text))
    async with running(app) as pilot:
        assert "could not be read" in message(app)
        assert notes[0][0] == "Recovered work unreadable" and notes[0][1].startswith(f"{recovery_path()}: invalid JSON")
        assert not restore_shown(pilot.app)
    assert recovery_path().read_text() == "{broken"


# --- a clean quit ---


async def test_a_clean_quit_after_restoring_removes_the_file():
    write_recovery(LOST)
    async with running() as pilot:
        await pilot.press("ctrl+r")
    pilot.app.settle_recovery()
    assert read_recovery() is None and not (recovery_dir() / "declined").exists()


async def test_a_declined_offer_is_set_aside_and_not_offered_again():
    write_recovery(LOST)
    async with running() as pilot:
        pass
    pilot.app.settle_recovery()
    assert read_recovery() is None
    assert load_file(recovery_dir() / "declined" / "default.json").scenario == LOST
    async with running() as pilot:
        assert not restore_shown(pilot.app)


async def test_new_lost_work_does_not_overwrite_an_offer_not_taken():
    write_recovery(LOST)
    async with running() as pilot:
        await pilot.press("9", "enter")
        pilot.app.save_unsaved_work()
    assert read_recovery().scenario == SEED_EXAMPLE.with_value(0, 0, 9.0)
    assert load_file(recovery_dir() / "declined" / "default.json").scenario == LOST


async def test_each_session_name_has_its_own_file():
    write_recovery(LOST, name="alice")
    app = AttnApp()
    app.recovery_name = "bob"
    async with running(app) as pilot:
        assert not restore_shown(pilot.app)
        await pilot.press("1", "enter")
        app.save_unsaved_work()
    assert read_recovery("alice").scenario == LOST
    assert read_recovery("bob").scenario.embeddings[0][0] == 1.0


async def test_an_edit_in_a_weight_matrix_comes_back_in_that_matrix():
    from test_mechanisms_app import settle, switched

    async with running(size=(100, 30)) as pilot:
        app = pilot.app
        await switched(pilot)
        await pilot.press("g")  # W_q
        await settle(pilot)
        await pilot.press("down", "0", ".", "7")  # in 2, out 1: typed, not committed
        app.save_unsaved_work()
    recovered = read_recovery()
    assert recovered.cell_edit == CellEditInProgress(1, 0, "0.7", "W_q")
    app = AttnApp()
    app.restore_at_start = True
    async with running(app, size=(100, 30)) as pilot:
        await settle(pilot)
        grid = app.query_one(EmbeddingGrid)
        assert "W_q" in str(grid.border_title)
        assert (grid.editing.row, grid.editing.column, grid.editing.text) == (1, 1, "0.7")
