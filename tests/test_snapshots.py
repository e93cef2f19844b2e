"""Snapshot SVGs of what a person sees (pytest-textual-snapshot).

Update after an intended change of the screen with `pytest tests/test_snapshots.py --snapshot-update`,
then look at `snapshot_report.html` or the SVGs before committing.
"""

from attn_tui.app import AttnApp
from conftest import wait_until_ready


def test_default_screen_80x24(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), run_before=wait_until_ready)


def test_default_screen_120x32(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(120, 32), run_before=wait_until_ready)


def test_refused_edit(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["enter", "a", "b", "c", "enter"], run_before=wait_until_ready)


def test_help_screen(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["question_mark"], run_before=wait_until_ready)
