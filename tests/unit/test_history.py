"""Undo and redo (attn_tui.core.history): a bounded, immutable list of described changes."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from attn_tui.core.history import History, scenario_cost
from attn_tui.core.scenario import SEED_EXAMPLE


def test_undo_and_redo_walk_back_and_forth_with_descriptions():
    history = History[int]().record(0, 1, "one").record(1, 2, "two")
    history, change = history.undo()
    assert (change.before, change.after, change.description) == (1, 2, "two")
    history, change = history.undo()
    assert (change.before, change.description) == (0, "one")
    history, change = history.undo()
    assert change is None and not history.can_undo and history.can_redo
    history, change = history.redo()
    assert (change.after, change.description) == (1, "one")
    history, change = history.redo()
    assert change.after == 2
    assert history.redo()[1] is None


def test_a_new_change_forgets_what_was_undone():
    history, _ = History[int]().record(0, 1, "one").record(1, 2, "two").undo()
    history = history.record(1, 5, "five")
    assert not history.can_redo
    assert [change.description for change in history.done] == ["one", "five"]


def test_recording_returns_a_new_history_and_leaves_the_old_one_alone():
    empty = History[int]()
    one = empty.record(0, 1, "one")
    assert not empty.can_undo and one.can_undo
    assert one.undo()[0] is not one and one.can_undo


def test_the_oldest_changes_go_beyond_the_limit():
    history = History[int](limit=3)
    for value in range(10):
        history = history.record(value, value + 1, f"to {value + 1}")
    assert [change.after for change in history.done] == [8, 9, 10]


def test_the_budget_bounds_the_total_cost_but_keeps_the_newest_change():
    history = History[int](budget=10, cost=lambda before, after: after)
    history = history.record(0, 4, "4").record(4, 5, "5")
    assert [c.after for c in history.done] == [4, 5]
    history = history.record(5, 3, "3")  # 4 + 5 + 3 > 10: the oldest goes
    assert [c.after for c in history.done] == [5, 3]
    history = history.record(3, 50, "50")  # alone over budget: still undoable
    assert [c.after for c in history.done] == [50]


def test_scenario_cost_counts_only_rows_that_are_not_shared():
    """Kept changes hold memory for the rows they do not share with the state before."""
    rows = SEED_EXAMPLE.embeddings
    edited = SimpleNamespace(embeddings=((1.0, 0.15, 0.89),) + rows[1:], n_tokens=6)  # one new row
    assert scenario_cost(SEED_EXAMPLE, edited) == 6 + 3
    assert scenario_cost(SEED_EXAMPLE, SEED_EXAMPLE) == 6
    fresh = SEED_EXAMPLE.with_dimension_inserted(0)  # every row is new
    assert scenario_cost(SEED_EXAMPLE, fresh) == 6 + 6 * 4


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 99), st.sampled_from(["undo", "redo"])), max_size=60), st.integers(1, 8))
def test_history_behaves_like_a_list_of_states_with_a_cursor(operations, limit):
    """Against a model: the states so far, the current position, and how far back undo reaches
    (``floor``: the history forgets changes beyond ``limit``)."""
    history = History[int](limit=limit)
    states, position, floor = [0], 0, 0
    for operation in operations:
        if operation == "undo":
            history, change = history.undo()
            if position > floor:
                assert (change.before, change.after) == (states[position - 1], states[position])
                position -= 1
            else:
                assert change is None
        elif operation == "redo":
            history, change = history.redo()
            if position < len(states) - 1:
                assert (change.before, change.after) == (states[position], states[position + 1])
                position += 1
            else:
                assert change is None
        else:
            history = history.record(states[position], operation, str(operation))
            states = states[: position + 1] + [operation]
            position = len(states) - 1
            floor = max(floor, position - limit)
        assert len(history.done) == position - floor <= limit
        assert len(history.undone) == len(states) - 1 - position


def test_history_imports_neither_textual_nor_torch():
    code = "import sys, attn_tui.core.history; print(any(m.split('.')[0] in ('textual', 'torch') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
