"""Snapshot SVGs of the file dialogs at 80×24 (update with --snapshot-update, then look at them)."""

from attn_tui.ui.app import AttnApp
from conftest import wait_until_ready


def test_unsaved_changes_dialog_80x24(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["1", "enter", "ctrl+q"], run_before=wait_until_ready)


def test_snippet_dialog_80x24(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["ctrl+e"], run_before=wait_until_ready)
