"""Messages the widgets post to the app, which owns the scenario and applies every change.

A message is handled later than it is posted: keys the app handles (``x`` deletes a token) reach it
through other queues, so a burst like "x x ⏎" can delete rows before the app reads a message that
names one of them. A message that names a cell therefore carries the scenario its row and column
were taken from, and the app asks :meth:`CellMessage.names_the_same_cell_in` before it uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from attn_tui.core.scenario import Scenario


@dataclass
class CellMessage(Message):
    """About one grid cell (``column`` 0 is the token label) of the scenario ``taken_from``."""

    taken_from: Scenario
    """The scenario the grid showed when it took ``row`` and ``column``: they index this one."""
    row: int
    column: int

    def names_the_same_cell_in(self, current: Scenario) -> bool:
        """True if ``row`` and ``column`` still mean the cell they meant in ``taken_from``.

        The same scenario, or one whose rows and columns have not moved: as many tokens and
        dimensions, and the same label on this row (edits of numbers and query moves keep every
        cell where it was; inserting or deleting a token or a dimension moves them).
        """
        taken = self.taken_from
        if taken is current:
            return True
        return (
            taken.n_tokens == current.n_tokens
            and taken.n_dims == current.n_dims
            and 0 <= self.row < current.n_tokens
            and 0 <= self.column <= current.n_dims
            and taken.tokens[self.row] == current.tokens[self.row]
        )

    @property
    def token(self) -> str:
        """The label of the row, as it was when the message was posted (always a valid index)."""
        return self.taken_from.tokens[self.row]


@dataclass
class EditStarted(CellMessage):
    """A grid cell is being edited."""


@dataclass
class EditSubmitted(CellMessage):
    """The person pressed Enter on an edited cell; the app validates and applies ``text``."""

    text: str


@dataclass
class EditCancelled(Message):
    """The person left an edit without committing."""
