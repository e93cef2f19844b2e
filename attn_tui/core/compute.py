"""Scenario → numbers: the one bridge between the plain-Python scenario and the torch core.

The app calls :func:`analyse` once per change and hands the result to every view; views format it,
they never recompute. Each mechanism computes its own analysis (see :mod:`attn_tui.mechanisms`);
what they share — the embeddings as a tensor, updated row by row — lives here.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from attn_tui.core.scenario import Scenario

# One thread: these matrices are small, and a second intra-op thread spins after every operation
# (OpenMP's wait policy), taking the CPU from the event loop that has to repaint the screen.
torch.set_num_threads(1)

DTYPE = torch.float32
"""The book's dtype: its printed digits are float32 results."""


def embeddings_tensor(scenario: Scenario, previous: Any = None) -> torch.Tensor:
    """The embeddings as a tensor; from ``previous``'s tensor when only a few rows changed.

    ``previous`` is the last analysis (any mechanism's: each has ``scenario`` and ``inputs``).
    Scenarios share unchanged rows, so an edit of one cell of a 512×768 matrix copies the old
    tensor and converts one row instead of 393,216 Python floats.
    """
    if previous is not None and previous.scenario.n_dims == scenario.n_dims and previous.scenario.n_tokens == scenario.n_tokens:
        old_rows = previous.scenario.embeddings
        changed = [i for i, row in enumerate(scenario.embeddings) if row is not old_rows[i] and row != old_rows[i]]
        if not changed:
            return previous.inputs
        if len(changed) <= len(old_rows) // 4:
            inputs = previous.inputs.clone()
            for i in changed:
                inputs[i] = torch.tensor(scenario.embeddings[i], dtype=DTYPE)
            return inputs
    return torch.tensor(scenario.embeddings, dtype=DTYPE)


def matrix_tensor(rows: Sequence[Sequence[float]], previous: torch.Tensor | None = None, previous_rows: Any = None) -> torch.Tensor:
    """A weight matrix as a tensor; ``previous`` (the tensor of ``previous_rows``) is reused when
    the rows are the very same, and copied with only the changed rows converted when an edit kept
    the others (a cell edit shares every other row's tuple): converting a 768×768 matrix from
    Python floats takes ~80 ms, a copy well under 1 ms."""
    if previous is not None and previous_rows is rows:
        return previous
    if previous is not None and previous_rows is not None and len(previous_rows) == len(rows) and tuple(previous.shape) == (len(rows), len(rows[0])):
        changed = [i for i, (row, before) in enumerate(zip(rows, previous_rows)) if row is not before]
        if len(changed) <= CHANGED_ROWS_COPIED:
            updated = previous.clone()
            for i in changed:
                updated[i] = torch.tensor(rows[i], dtype=DTYPE)
            return updated
    return torch.tensor(rows, dtype=DTYPE)


CHANGED_ROWS_COPIED = 4
"""A matrix with more changed rows than this is converted whole."""


def analyse(scenario: Scenario, previous: Any = None) -> Any:
    """The numbers for ``scenario``, by its mechanism; ``previous`` (the last analysis) saves work
    when it belongs to the same mechanism."""
    from attn_tui.mechanisms import mechanism_named

    if previous is not None and previous.scenario.mechanism != scenario.mechanism:
        previous = None
    return mechanism_named(scenario.mechanism).analyse(scenario, previous)
