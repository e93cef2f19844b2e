"""Section 3.4's numbers for one scenario: Q, K, V and the scaled attention for every query (matrix
form) and for the query term by term (loop form), computed once per change."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attn_tui.core.compute import embeddings_tensor, matrix_tensor
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.trainable.compute import QueryScaledAttention, ScaledAttention, attend_one_query_scaled, scaled_attention

WEIGHT_NAMES = ("W_q", "W_k", "W_v")
"""The scenario's names for the three d_in×d_out weight matrices, used as x·W."""


@dataclass(frozen=True)
class Analysis:
    """Everything the trainable mechanism's views show for one scenario."""

    scenario: Scenario
    inputs: torch.Tensor
    """n×d_in embeddings (float32)."""
    weights: tuple[torch.Tensor, torch.Tensor, torch.Tensor]
    """W_q, W_k, W_v (d_in×d_out, float32)."""
    all_queries: ScaledAttention
    """Matrix form, every token as a query."""
    query: QueryScaledAttention
    """Loop form for the scenario's query, every term kept."""

    @property
    def d_out(self) -> int:
        return self.weights[0].shape[1]

    @property
    def weight_names(self) -> tuple[str, str, str]:
        """The scenario's names of ``weights``, for a walk's highlights (3.6's wrapper: W_q.1 …)."""
        return WEIGHT_NAMES

    @property
    def column_offset(self) -> int:
        """The first column of ``weights`` in those matrices (3.6's split W: this head's)."""
        return 0


def weight_tensors(scenario: Scenario, previous: Analysis | None) -> tuple[torch.Tensor, ...]:
    """W_q, W_k, W_v as tensors; an unchanged matrix (the same rows) reuses the last tensor."""
    tensors = []
    for index, name in enumerate(WEIGHT_NAMES):
        rows = scenario.matrix(name)
        before = previous.scenario.matrix(name) if previous is not None and name in previous.scenario.parameters else None
        tensors.append(matrix_tensor(rows, previous.weights[index] if before is not None else None, before))
    return tuple(tensors)


def inputs_and_weights(scenario: Scenario, previous: Analysis | None) -> tuple[torch.Tensor, tuple[torch.Tensor, ...], bool]:
    """The embeddings and W_q, W_k, W_v as tensors, and whether both are ``previous``'s own (only
    the query changed): then every query's numbers are still those computed."""
    inputs = embeddings_tensor(scenario, previous)
    weights = weight_tensors(scenario, previous)
    unchanged = previous is not None and previous.inputs is inputs and all(a is b for a, b in zip(previous.weights, weights))
    return inputs, weights, unchanged


def analyse(scenario: Scenario, previous: Analysis | None = None) -> Analysis:
    """The numbers for ``scenario``; ``previous`` saves converting what is unchanged."""
    inputs, weights, unchanged = inputs_and_weights(scenario, previous)
    all_queries = previous.all_queries if unchanged else scaled_attention(inputs, *weights)
    return Analysis(
        scenario=scenario,
        inputs=inputs,
        weights=weights,  # type: ignore[arg-type]
        all_queries=all_queries,
        # The loop form reuses the matrix form's keys and values (the same inputs and weights).
        query=attend_one_query_scaled(inputs, *weights, scenario.query, matrix=all_queries),
    )
