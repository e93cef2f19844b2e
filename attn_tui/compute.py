"""Scenario → numbers: the one bridge between the plain-Python scenario and the torch core.

The app calls :func:`analyse` once per change and hands the resulting :class:`Analysis` to every
view; views format it, they never recompute.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attn_tui.attention import QueryAttention, SelfAttention, attend_one_query, self_attention
from attn_tui.scenario import Scenario

DTYPE = torch.float32
"""The book's dtype: its printed digits are float32 results."""


@dataclass(frozen=True)
class Analysis:
    """Everything the views show for one scenario."""

    scenario: Scenario
    all_queries: SelfAttention
    """Matrix form, every token as a query."""
    query: QueryAttention
    """Loop form for the scenario's query, with every term."""


def embeddings_tensor(scenario: Scenario) -> torch.Tensor:
    return torch.tensor(scenario.embeddings, dtype=DTYPE)


def analyse(scenario: Scenario) -> Analysis:
    inputs = embeddings_tensor(scenario)
    return Analysis(
        scenario=scenario,
        all_queries=self_attention(inputs),
        query=attend_one_query(inputs, scenario.query),
    )
