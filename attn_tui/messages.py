"""Messages the widgets post to the app, which owns the scenario and applies every change."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class EditRequested(Message):
    """The person wants to edit a grid cell (``column`` 0 is the token label)."""

    row: int
    column: int
    initial_text: str | None = None
    """Text that replaces the value (typing a digit starts an edit); None pre-fills the value."""


@dataclass
class EditSubmitted(Message):
    """The person pressed Enter in the cell editor."""

    row: int
    column: int
    text: str


@dataclass
class EditCancelled(Message):
    """The person left the cell editor without committing."""


@dataclass
class QueryChosen(Message):
    """The person picked a token as the query (by click; keys go through app actions)."""

    index: int
