"""Snapshot SVGs of what a person sees (pytest-textual-snapshot).

Update after an intended change of the screen with `pytest tests/test_snapshots.py --snapshot-update`,
then look at `snapshot_report.html` or the SVGs before committing.
"""

from attn_tui.app import AttnApp


def test_default_screen_80x24(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24))


def test_default_screen_120x32(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(120, 32))


def test_refused_edit(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["enter", "a", "b", "c", "enter"])


def test_help_screen(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["question_mark"])
