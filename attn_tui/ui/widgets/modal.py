"""The base of every dialog: a modal screen that gives its answer once."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

AnswerType = TypeVar("AnswerType")


class Dialog(ModalScreen[AnswerType]):
    """A modal screen whose answer is given by `close`, once.

    Two keys typed faster than the screen closes (Enter Enter, s s) would otherwise dismiss it
    twice, and the second dismissal pops whatever screen lies underneath, or raises.
    """

    _answered = False
    """Set by the first `close`. (Not `_closing`: Textual's message pump owns that name, and a
    screen that believes it is already closing never closes.)"""

    def close(self, answer: AnswerType | None = None) -> None:
        """Dismiss the dialog with ``answer``, unless it has already answered."""
        if not self._answered:
            self._answered = True
            self.dismiss(answer)

    def action_cancel(self) -> None:
        """Esc: close without an answer; nothing changes."""
        self.close(None)
