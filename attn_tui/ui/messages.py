"""Messages the widgets post to the app, which owns the scenario and applies every change."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class EditStarted(Message):
    """A grid cell is being edited (``column`` 0 is the token label)."""

    row: int
    column: int


@dataclass
class EditSubmitted(Message):
    """The person pressed Enter on an edited cell; the app validates and applies ``text``."""

    row: int
    column: int
    text: str


@dataclass
class EditCancelled(Message):
    """The person left an edit without committing."""
