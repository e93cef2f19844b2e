"""Recovery files without the app: where they live, what they hold, atomic and per session."""

from __future__ import annotations

import json
import os
import stat

import pytest

from attn_tui.core.files import FileError, ViewOptions, load_file
from attn_tui.core.recovery import (
    CellEditInProgress,
    discard_recovery,
    read_recovery,
    recovery_dir,
    recovery_path,
    set_aside_recovery,
    write_recovery,
)
from attn_tui.core.scenario import SEED_EXAMPLE


def test_the_folder_follows_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert recovery_dir() == tmp_path / "xdg" / "attn-tui" / "recovery"


@pytest.mark.parametrize("value", [None, "", "relative/state"])
def test_without_a_usable_xdg_state_home_it_is_under_the_home_folder(tmp_path, monkeypatch, value):
    # The XDG spec: unset, empty or relative means the default, ~/.local/state.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if value is None:
        monkeypatch.delenv("XDG_STATE_HOME")
    else:
        monkeypatch.setenv("XDG_STATE_HOME", value)
    assert recovery_dir() == tmp_path / "home" / ".local" / "state" / "attn-tui" / "recovery"


def test_nothing_to_recover_at_first():
    assert read_recovery() is None
    assert read_recovery("alice") is None
    assert discard_recovery() is False


def test_written_work_reads_back_with_its_view_edit_and_file(tmp_path):
    scenario = SEED_EXAMPLE.with_value(1, 2, 0.25).with_query(4)
    view = ViewOptions(matrix_view=True, compare_normalisations=True)
    edit = CellEditInProgress(token=3, dimension=1, text="0.12abc")
    path = write_recovery(scenario, view, cell_edit=edit, document=tmp_path / "lesson.json")
    assert path == recovery_path() and path.parent == recovery_dir()
    recovered = read_recovery()
    assert recovered is not None
    assert (recovered.scenario, recovered.view, recovered.cell_edit) == (scenario, view, edit)
    assert recovered.document == tmp_path / "lesson.json"
    assert recovered.written_at and recovered.written_at.endswith("+00:00")
    assert recovered.path == path


def test_an_edit_of_a_weight_matrix_keeps_its_name():
    edit = CellEditInProgress(token=2, dimension=1, text="0.3", matrix="W_query")
    write_recovery(SEED_EXAMPLE, cell_edit=edit)
    assert read_recovery().cell_edit == edit


def test_a_renamed_label_in_progress_reads_back():
    edit = CellEditInProgress(token=0, dimension=None, text="Your ω")
    write_recovery(SEED_EXAMPLE, cell_edit=edit)
    assert read_recovery().cell_edit == edit


def test_a_recovery_file_is_a_scenario_file_attn_tui_opens():
    # "attn-tui ~/.local/state/attn-tui/recovery/default.json" is the way back by hand.
    path = write_recovery(SEED_EXAMPLE.with_query(0), ViewOptions(matrix_view=True))
    loaded = load_file(path)
    assert loaded.scenario == SEED_EXAMPLE.with_query(0)
    assert loaded.view == ViewOptions(matrix_view=True)
    assert json.loads(path.read_text())["recovery"]["cell_edit"] is None


def test_a_new_write_replaces_the_old_one_and_leaves_no_temporary_file():
    write_recovery(SEED_EXAMPLE)
    write_recovery(SEED_EXAMPLE.with_query(5))
    assert read_recovery().scenario.query == 5
    assert os.listdir(recovery_dir()) == ["default.json"]


def test_discard_removes_it():
    write_recovery(SEED_EXAMPLE)
    assert discard_recovery() is True
    assert read_recovery() is None
    assert discard_recovery() is False


def test_each_name_has_its_own_file():
    write_recovery(SEED_EXAMPLE.with_query(1), name="alice")
    write_recovery(SEED_EXAMPLE.with_query(2), name="bob")
    assert read_recovery("alice").scenario.query == 1
    assert read_recovery("bob").scenario.query == 2
    assert read_recovery() is None
    discard_recovery("alice")
    assert read_recovery("alice") is None and read_recovery("bob") is not None


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".", "x y", "ünï", "a%2Fb", "con.json"])
def test_no_name_leaves_the_folder_and_different_names_never_collide(name):
    path = write_recovery(SEED_EXAMPLE, name=name)
    assert path.parent == recovery_dir()
    assert read_recovery(name) is not None
    assert os.listdir(recovery_dir()) == [path.name]
    assert recovery_path(name) != recovery_path(name + "x")
    assert recovery_path("a/b") != recovery_path("a%2Fb")


def test_an_empty_name_is_refused():
    with pytest.raises(ValueError):
        recovery_path("")


def test_the_folder_is_private():
    write_recovery(SEED_EXAMPLE)
    assert stat.S_IMODE(recovery_dir().stat().st_mode) == 0o700


def test_an_edit_of_a_cell_that_is_not_there_is_dropped_the_scenario_kept():
    write_recovery(SEED_EXAMPLE, cell_edit=CellEditInProgress(token=9, dimension=0, text="1"))
    recovered = read_recovery()
    assert recovered.scenario == SEED_EXAMPLE and recovered.cell_edit is None


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"\xff\xfe", b'{"version": 1}', b'{"version": 1, "tokens": ["a"], "embeddings": [[1]], "recovery": 3}',
     b'{"version": 1, "tokens": ["a"], "embeddings": [[1]], "recovery": {"cell_edit": {"token": -1, "dimension": 0, "text": ""}}}'],
)
def test_a_broken_file_raises_a_file_error_naming_it(content):
    recovery_dir().mkdir(parents=True)
    recovery_path().write_bytes(content)
    with pytest.raises(FileError) as raised:
        read_recovery()
    assert str(recovery_path()) in str(raised.value)


def test_a_folder_that_cannot_be_created_raises_a_file_error(tmp_path, monkeypatch):
    (tmp_path / "blocked").write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "blocked"))
    with pytest.raises(FileError):
        write_recovery(SEED_EXAMPLE)



def test_a_declined_recovery_is_set_aside_not_offered_again_and_still_opens():
    write_recovery(SEED_EXAMPLE.with_query(1))
    aside = set_aside_recovery()
    assert aside == recovery_dir() / "declined" / "default.json"
    assert read_recovery() is None
    assert load_file(aside).scenario == SEED_EXAMPLE.with_query(1)
    # The next one declined replaces it; with nothing to set aside, nothing happens.
    write_recovery(SEED_EXAMPLE.with_query(2))
    set_aside_recovery()
    assert load_file(aside).scenario.query == 2
    assert set_aside_recovery() is None
