"""Self-attention with trainable weights and √d_k scaling (Raschka, ch. 3.4).

Pure torch, no Textual. Two forms of the same computation, as for 3.3
(:mod:`attn_tui.mechanisms.simple.attention`):

* :func:`scaled_attention` — the matrix form of ``SelfAttention_v1``: Q = X·W_q, K = X·W_k,
  V = X·W_v, ω = Q·Kᵀ, α = softmax(ω/√d_k) by row, Z = α·V;
* :func:`attend_one_query_scaled` — 3.4.1's step-by-step computation for one query, keeping every
  term (each x_k·W[k, j] of q, each q_j·k_j of each score, the softmax's exp and sum, each α_i·v⁽ⁱ⁾
  and the running context) so a walkthrough can show how each number arises.

Both also give the weights *without* the √d_k scaling, for the "why √d_k" comparison: with a
large d_k the unscaled scores spread widely and their softmax is nearly one-hot.

The weights are d_in×d_out, used as ``x @ W`` (3.4.1's ``torch.rand(d_in, d_out)``); for the
``nn.Linear`` variants pass ``weight.T`` (see :mod:`attn_tui.mechanisms.weights`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch

from attn_tui.mechanisms.terms import (
    Projections,
    QueryProjection,
    QueryWeightsAndContext,
    SoftmaxTerms,
    WeightedSum,
    project,
    project_one_query,
    reused_keys_values,
    softmax_terms,
    weighted_sum_terms,
)

__all__ = ["ScaledAttention", "QueryScaledAttention", "scaled_attention", "attend_one_query_scaled"]


@dataclass(frozen=True)
class ScaledAttention(Projections):
    """Every query at once (``SelfAttention_v1``): row i of each n×… matrix belongs to query token i.

    Inherits ``inputs``, ``w_query``, ``w_key``, ``w_value``, ``queries``, ``keys``, ``values``,
    ``scores``, ``scale`` and ``scaled_scores`` from :class:`~attn_tui.mechanisms.terms.Projections`.
    """

    weights: torch.Tensor
    """n×n α = softmax(ω/√d_k) by row; each row sums to 1."""
    context: torch.Tensor
    """n×d_out Z = α·V; row i is z⁽ⁱ⁾."""

    @cached_property
    def unscaled_weights(self) -> torch.Tensor:
        """n×n softmax(ω) without the √d_k: what the scaling prevents (computed when first asked)."""
        return torch.softmax(self.scores, dim=-1)


def scaled_attention(inputs: torch.Tensor, w_query: torch.Tensor, w_key: torch.Tensor, w_value: torch.Tensor) -> ScaledAttention:
    """``SelfAttention_v1``'s forward pass over n×d_in ``inputs`` with d_in×d_out weights."""
    projections = project(inputs, w_query, w_key, w_value)
    weights = torch.softmax(projections.scaled_scores, dim=-1)
    return ScaledAttention(**vars(projections), weights=weights, context=weights @ projections.values)


@dataclass(frozen=True)
class QueryScaledAttention(QueryProjection, QueryWeightsAndContext):
    """One query's scaled attention, every term kept.

    Inherits the projection and score terms (``query_terms``, ``query``, ``keys``, ``values``,
    ``score_terms``, ``scores``, ``scale``, ``scaled_scores``, ``key_terms(i)``, ``value_terms(i)``)
    from :class:`~attn_tui.mechanisms.terms.QueryProjection`; ``weights`` (n, α = softmax(ω/√d_k))
    and ``context`` (d_out, z = Σ_i α_i v⁽ⁱ⁾) read ``softmax`` and ``weighted_values``.
    """

    softmax: SoftmaxTerms
    """The softmax of ``scaled_scores``: ``exp``, ``exp_sum``, the max-shifted forms, ``weights``."""
    unscaled_weights: torch.Tensor
    """n: softmax(ω) without the √d_k, for the comparison."""
    weighted_values: WeightedSum
    """``terms`` (n×d_out α_i·v⁽ⁱ⁾) and ``running`` (n×d_out, row i = the context after token i)."""


def attend_one_query_scaled(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    query_index: int,
    *,
    matrix: ScaledAttention | None = None,
) -> QueryScaledAttention:
    """3.4.1 for one query (the book's query is "journey", index 1), keeping every term.

    ``matrix``: :func:`scaled_attention` of the same inputs and weights, whose keys and values
    are then reused instead of recomputed.
    """
    weights = (w_query, w_key, w_value)
    projection = project_one_query(inputs, *weights, query_index, reused_keys_values(matrix, inputs, *weights))
    softmax = softmax_terms(projection["scaled_scores"])
    return QueryScaledAttention(
        **projection,
        softmax=softmax,
        unscaled_weights=torch.softmax(projection["scores"], dim=-1),
        weighted_values=weighted_sum_terms(softmax.weights, projection["values"]),
    )
