"""Simple self-attention without trainable weights (Raschka, *Build a LLM From Scratch*, ch. 3.3).

Pure torch: nothing here imports Textual, so notebooks, tests and a future SSH server can use it
without a screen (``tests/test_boundaries.py`` checks this).

Two forms of the same computation are exposed:

* :func:`self_attention` — the matrix form, all queries at once (``inputs @ inputs.T``, softmax by
  row, ``weights @ inputs``);
* :func:`attend_one_query` — the seed's loop form for one query, keeping every intermediate term
  (each product of each dot product, ``softmax_naive`` beside ``torch.softmax``, the running
  weighted sum) so a view or a walkthrough can show how each number arises.

Later chapter-3 options (scaling by √d_k, temperature, causal mask, trainable W_q/W_k/W_v,
dropout, heads) are meant to arrive as keyword-only arguments of these two functions, with
defaults that keep today's behaviour, so existing callers never break.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch

__all__ = [
    "SelfAttention",
    "QueryAttention",
    "self_attention",
    "attend_one_query",
    "attention_scores",
    "dot_product_scores",
    "softmax_naive",
    "sum_normalise",
    "weighted_sum",
]


def _check_inputs(inputs: torch.Tensor) -> None:
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a torch.Tensor, not {type(inputs).__name__}")
    if inputs.dim() != 2:
        raise ValueError(f"inputs must be 2-D (tokens × dimensions), got shape {tuple(inputs.shape)}")
    if inputs.shape[0] < 1 or inputs.shape[1] < 1:
        raise ValueError(f"inputs need at least one token and one dimension, got {tuple(inputs.shape)}")
    if not inputs.is_floating_point():
        raise ValueError(f"inputs must be a floating-point tensor, got {inputs.dtype}")


# --- matrix form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfAttention:
    """All queries at once: row ``i`` of each matrix belongs to query token ``i``."""

    inputs: torch.Tensor
    """n×d token embeddings x⁽ⁱ⁾."""
    scores: torch.Tensor
    """n×n attention scores ω = X·Xᵀ."""
    weights: torch.Tensor
    """n×n attention weights α = softmax(ω) by row; each row sums to 1."""
    context: torch.Tensor
    """n×d context vectors Z = α·X."""


def attention_scores(inputs: torch.Tensor) -> torch.Tensor:
    """Every token's dot product with every other: ``inputs @ inputs.T``."""
    return inputs @ inputs.T


def self_attention(inputs: torch.Tensor) -> SelfAttention:
    """Simple self-attention over an n×d float tensor, in matrix form."""
    _check_inputs(inputs)
    scores = attention_scores(inputs)
    # torch.softmax subtracts the row maximum first, so finite scores never overflow.
    weights = torch.softmax(scores, dim=-1)
    context = weights @ inputs
    return SelfAttention(inputs=inputs, scores=scores, weights=weights, context=context)


# --- loop form (the seed's), one query ------------------------------------------------------


def dot_product_scores(inputs: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """The seed's first loop: ω_i = x⁽ⁱ⁾ · query, one dot product per token."""
    scores = torch.empty(inputs.shape[0], dtype=inputs.dtype)
    for i, x_i in enumerate(inputs):
        scores[i] = torch.dot(x_i, query)
    return scores


def sum_normalise(scores: torch.Tensor) -> torch.Tensor:
    """Divide by the sum (the book's first, flawed normalisation): ω_i / Σ_j ω_j."""
    return scores / scores.sum()


def softmax_naive(x: torch.Tensor) -> torch.Tensor:
    """Softmax exactly as the seed writes it.

    Kept naive on purpose, as a teaching object: large scores overflow ``exp`` to ``inf`` and the
    result to NaN. Callers report that (see :attr:`QueryAttention.naive_overflowed`); they never
    hide or "fix" it.
    """
    return torch.exp(x) / torch.exp(x).sum(dim=0)


def weighted_sum(weights: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """The seed's last loop: z = Σ_i α_i · x⁽ⁱ⁾."""
    context = torch.zeros(inputs.shape[1], dtype=inputs.dtype)
    for i, x_i in enumerate(inputs):
        context += weights[i] * x_i
    return context


@dataclass(frozen=True)
class QueryAttention:
    """One query's attention in the seed's loop form, with every intermediate term kept."""

    query_index: int
    """Row of ``inputs`` used as the query (0-based)."""
    inputs: torch.Tensor
    """n×d token embeddings."""
    products: torch.Tensor
    """n×d: ``products[i, k] = x⁽ⁱ⁾_k · query_k``, the terms of each dot product."""
    scores: torch.Tensor
    """n: ω_i = x⁽ⁱ⁾ · query."""
    sum_normalised: torch.Tensor
    """n: ω_i / Σ_j ω_j."""
    exp_scores: torch.Tensor
    """n: exp ω_i as ``softmax_naive`` computes it (may be inf)."""
    exp_sum: torch.Tensor
    """Scalar: Σ_j exp ω_j (may be inf)."""
    naive_weights: torch.Tensor
    """n: ``softmax_naive(scores)`` (may be NaN after overflow)."""
    weights: torch.Tensor
    """n: ``torch.softmax(scores, dim=0)``, the stable form used for the context vector."""
    weighted_inputs: torch.Tensor
    """n×d: α_i · x⁽ⁱ⁾, the terms of the weighted sum."""
    context: torch.Tensor
    """d: z = Σ_i α_i · x⁽ⁱ⁾."""

    @cached_property
    def running_context(self) -> torch.Tensor:
        """n×d: row i is the context vector after adding token i's term.

        Computed when first asked for (a walk, the vector plot): n additions, a few milliseconds
        at 512 tokens that every query change paid while nothing showed them."""
        running = torch.zeros(self.inputs.shape[1], dtype=self.inputs.dtype)
        running_rows = []
        for term in self.weighted_inputs:
            running = running + term
            running_rows.append(running)
        return torch.stack(running_rows)

    @property
    def query(self) -> torch.Tensor:
        return self.inputs[self.query_index]

    @property
    def naive_overflowed(self) -> bool:
        """True when ``softmax_naive`` lost the result to inf/NaN while the stable form did not."""
        return bool(not torch.isfinite(self.naive_weights).all() and torch.isfinite(self.weights).all())


def attend_one_query(inputs: torch.Tensor, query_index: int) -> QueryAttention:
    """The seed's three loops for one query, keeping each term."""
    _check_inputs(inputs)
    n = inputs.shape[0]
    if not -n <= query_index < n:
        raise IndexError(f"query_index {query_index} is out of range for {n} tokens")
    query_index %= n
    query = inputs[query_index]

    scores = dot_product_scores(inputs, query)
    exp_scores = torch.exp(scores)
    weights = torch.softmax(scores, dim=0)

    return QueryAttention(
        query_index=query_index,
        inputs=inputs,
        products=inputs * query,
        scores=scores,
        sum_normalised=sum_normalise(scores),
        exp_scores=exp_scores,
        exp_sum=exp_scores.sum(dim=0),
        naive_weights=softmax_naive(scores),
        weights=weights,
        weighted_inputs=weights.unsqueeze(1) * inputs,
        context=weighted_sum(weights, inputs),
    )
