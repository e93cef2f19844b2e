"""Scenario → numbers: the one bridge between the plain-Python scenario and the torch core.

The app calls :func:`analyse` once per change and hands the resulting :class:`Analysis` to every
view; views format it, they never recompute.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attn_tui.core.attention import QueryAttention, SelfAttention, attend_one_query, self_attention
from attn_tui.core.scenario import Scenario

# One thread: these matrices are small, and a second intra-op thread spins after every operation
# (OpenMP's wait policy), taking the CPU from the event loop that has to repaint the screen.
torch.set_num_threads(1)

DTYPE = torch.float32
"""The book's dtype: its printed digits are float32 results."""


@dataclass(frozen=True)
class Analysis:
    """Everything the views show for one scenario."""

    scenario: Scenario
    inputs: torch.Tensor
    """The embeddings as computed with (float32)."""
    all_queries: SelfAttention
    """Matrix form, every token as a query."""
    query: QueryAttention
    """Loop form for the scenario's query, with every term."""


def embeddings_tensor(scenario: Scenario, previous: Analysis | None = None) -> torch.Tensor:
    """The embeddings as a tensor; from ``previous``'s tensor when only a few rows changed.

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


def analyse(scenario: Scenario, previous: Analysis | None = None) -> Analysis:
    """The numbers for ``scenario``; ``previous`` (the last analysis) saves converting what is unchanged."""
    inputs = embeddings_tensor(scenario, previous)
    # Only the query changed (the same tensor): every query's numbers are still those computed.
    same_inputs = previous is not None and previous.inputs is inputs
    return Analysis(
        scenario=scenario,
        inputs=inputs,
        all_queries=previous.all_queries if same_inputs else self_attention(inputs),
        query=attend_one_query(inputs, scenario.query),
    )
