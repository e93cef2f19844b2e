"""Section 3.3's numbers for one scenario: the matrix form for every query and the loop form for
the query, computed once per change and shared by every view."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attn_tui.core.compute import embeddings_tensor
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.simple.attention import QueryAttention, SelfAttention, attend_one_query, self_attention


@dataclass(frozen=True)
class Analysis:
    """Everything the simple mechanism's views show for one scenario."""

    scenario: Scenario
    inputs: torch.Tensor
    """The embeddings as computed with (float32)."""
    all_queries: SelfAttention
    """Matrix form, every token as a query."""
    query: QueryAttention
    """Loop form for the scenario's query, with every term."""


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
