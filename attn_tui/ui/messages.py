"""Messages the widgets post to the app, which owns the scenario and applies every change.

A message that names a cell carries the matrix it was taken from: by the time the app handles it,
more keys may have changed the scenario (a burst of ``Ctrl+End x x Enter`` deletes the row an edit
started on), so a bare row index could point past the end or at another token.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from attn_tui.ui.widgets.grid_matrix import GridMatrix


@dataclass
class EditStarted(Message):
    """A grid cell is being edited (``column`` 0 is the row's label)."""

    matrix: GridMatrix
    """What the grid showed when the edit started; ``row`` and ``column`` index into it."""
    row: int
    column: int


@dataclass
class EditSubmitted(Message):
    """The person pressed Enter on an edited cell; the app validates and applies ``text``."""

    matrix: GridMatrix
    """What the grid showed when the edit was committed; ``row`` and ``column`` index into it."""
    row: int
    column: int
    text: str


@dataclass
class EditCancelled(Message):
    """The person left an edit without committing."""
