"""Undo and redo: a bounded list of changes, each with the words that say what it did.

Plain Python, no Textual. A :class:`History` is immutable like the scenarios it holds: recording,
undoing and redoing return a new history, so nothing here can be changed behind the app's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Generic, TypeVar

from attn_tui.core.scenario import Scenario

State = TypeVar("State")

DEFAULT_LIMIT = 300
"""Changes kept for undo; the oldest are forgotten first."""

DEFAULT_BUDGET = 3_000_000
"""How much the kept changes may cost together (for scenarios: new embedding values, see
:func:`scenario_cost`), so a few hundred randomisations of a 512×768 matrix cannot eat the memory."""


@dataclass(frozen=True)
class Change(Generic[State]):
    """One undoable step: the state before and after, and what it did ("Inserted token t7")."""

    before: State
    after: State
    description: str
    cost: int = 1


@dataclass(frozen=True)
class History(Generic[State]):
    """Changes that can be undone (oldest first) and undone changes that can be redone."""

    done: tuple[Change[State], ...] = ()
    undone: tuple[Change[State], ...] = ()
    """Most recently undone last: redo takes from the end."""
    limit: int = DEFAULT_LIMIT
    budget: int = DEFAULT_BUDGET
    cost: Callable[[State, State], int] = field(default=lambda before, after: 1, compare=False)
    """What keeping a change costs, measured against ``budget``."""

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def record(self, before: State, after: State, description: str) -> History[State]:
        """A history with this change done last. A new change forgets what was undone."""
        change = Change(before, after, description, max(1, self.cost(before, after)))
        done = self.done + (change,)
        total = sum(kept.cost for kept in done)
        drop = 0
        # Forget the oldest changes beyond the limits, but always keep the newest one.
        while drop < len(done) - 1 and (len(done) - drop > self.limit or total > self.budget):
            total -= done[drop].cost
            drop += 1
        return replace(self, done=done[drop:], undone=())

    def undo(self) -> tuple[History[State], Change[State] | None]:
        """The history after undoing the last change, and that change (None: nothing to undo).

        The caller goes back to ``change.before``.
        """
        if not self.done:
            return self, None
        change = self.done[-1]
        return replace(self, done=self.done[:-1], undone=self.undone + (change,)), change

    def redo(self) -> tuple[History[State], Change[State] | None]:
        """The history after redoing the last undone change, and that change (None: nothing to
        redo). The caller goes to ``change.after``."""
        if not self.undone:
            return self, None
        change = self.undone[-1]
        return replace(self, done=self.done + (change,), undone=self.undone[:-1]), change


def scenario_cost(before: Scenario, after: Scenario) -> int:
    """How many embedding values ``after`` holds that ``before`` does not share.

    Scenario edits share unchanged rows (an edit of one cell makes one new row), so counting new
    rows measures the memory a kept change really holds.
    """
    before_rows = {id(row) for row in before.embeddings}
    new_values = sum(len(row) for row in after.embeddings if id(row) not in before_rows)
    return after.n_tokens + new_values
