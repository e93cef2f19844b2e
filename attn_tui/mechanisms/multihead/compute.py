"""Multi-head attention, both of the book's variants (Raschka, ch. 3.6).

Pure torch, no Textual. Every head is a causal head of 3.5 (:mod:`attn_tui.mechanisms.causal.compute`);
what differs is where the heads' weights come from and what follows the concatenation:

* :func:`wrapper_attention` — ``MultiHeadAttentionWrapper`` (3.6.1): h independent causal heads,
  each with its own d_in×d_head W_q, W_k, W_v; the outputs concatenated (n × h·d_head);
* :func:`multihead_attention` — ``MultiHeadAttention`` (3.6.2): one d_in×d_out W_q, W_k, W_v whose
  columns are split into h heads of d_head = d_out/h (head k owns columns k·d_head … (k+1)·d_head−1,
  the book's ``view(b, n, h, d_head)``), each head scaled by √d_head; the heads' outputs
  concatenated back to n×d_out, then ``out_proj``: Z = concat·W_out + b_out.

The matrix forms run all heads in one batched call: the ``heads`` field is a
:class:`~attn_tui.mechanisms.causal.compute.CausalAttention` whose tensors carry a leading head
dimension (``heads.weights[k]`` is head k's n×n weights). The loop forms give one
:class:`~attn_tui.mechanisms.causal.compute.QueryCausalAttention` per head.

Dropout is drawn as the book's modules draw it after ``torch.manual_seed(seed)``: the wrapper's
heads one n×n draw each, in order; ``MultiHeadAttention`` one h×n×n draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from attn_tui.mechanisms.causal.compute import CausalAttention, QueryCausalAttention, mask_one_query, mask_projections
from attn_tui.mechanisms.terms import (
    NO_DROPOUT,
    DropoutSetting,
    check_heads_divide,
    check_query_index,
    check_weights,
    project,
    project_one_query,
    projection_terms,
    check_matrix_matches,
)

__all__ = [
    "WrapperAttention",
    "MultiHeadAttention",
    "QueryWrapperAttention",
    "QueryMultiHeadAttention",
    "wrapper_attention",
    "multihead_attention",
    "attend_one_query_wrapper",
    "attend_one_query_multihead",
    "split_heads",
]

HeadWeights = Sequence[torch.Tensor]
"""One head's (W_q, W_k, W_v), each d_in×d_head, e.g. a :class:`~attn_tui.mechanisms.weights.QKVWeights`."""


def split_heads(weight: torch.Tensor, num_heads: int) -> torch.Tensor:
    """d_in×d_out → h×d_in×d_head: head k gets columns k·d_head … (k+1)·d_head − 1."""
    d_in, d_out = weight.shape
    check_heads_divide(d_out, num_heads)
    return weight.reshape(d_in, num_heads, d_out // num_heads).permute(1, 0, 2)


def _concatenate_heads(per_head: torch.Tensor) -> torch.Tensor:
    """h×n×d_head → n×(h·d_head), head 0's columns first (``torch.cat(..., dim=-1)``)."""
    h, n, d_head = per_head.shape
    return per_head.transpose(0, 1).reshape(n, h * d_head)


def _stacked_head_weights(inputs: torch.Tensor, heads_weights: Sequence[HeadWeights]) -> tuple[torch.Tensor, ...]:
    """The wrapper's heads as three h×d_in×d_head tensors, after checking each head."""
    if len(heads_weights) < 1:
        raise ValueError("multi-head attention needs at least one head")
    for k, (w_query, w_key, w_value) in enumerate(heads_weights):
        check_weights(inputs, **{f"head {k} W_q": w_query, f"head {k} W_k": w_key, f"head {k} W_v": w_value})
    shapes = {tuple(weights[0].shape) for weights in heads_weights}
    if len(shapes) > 1:
        raise ValueError(f"every head must have the same d_in×d_out, got {sorted(shapes)}")
    return tuple(torch.stack([weights[i] for weights in heads_weights]) for i in range(3))


def _check_multihead(inputs: torch.Tensor, w_query, w_key, w_value, w_out: torch.Tensor, b_out: torch.Tensor, num_heads: int) -> None:
    check_weights(inputs, w_query=w_query, w_key=w_key, w_value=w_value)
    d_out = w_query.shape[1]
    check_heads_divide(d_out, num_heads)
    if tuple(w_out.shape) != (d_out, d_out):
        raise ValueError(f"out_proj's weight must be d_out×d_out = {d_out}×{d_out}, got shape {tuple(w_out.shape)}")
    if tuple(b_out.shape) != (d_out,):
        raise ValueError(f"out_proj's bias must have d_out = {d_out} entries, got shape {tuple(b_out.shape)}")


def _wrapper_multipliers(n_tokens: int, num_heads: int, dropout: DropoutSetting) -> torch.Tensor | None:
    """h×n×n: the wrapper's heads each draw an n×n mask in turn (each head has its own Dropout)."""
    draws = dropout.multipliers(*[(n_tokens, n_tokens)] * num_heads)
    return None if draws is None else torch.stack(draws)


def _split_multipliers(n_tokens: int, num_heads: int, dropout: DropoutSetting) -> torch.Tensor | None:
    """h×n×n: ``MultiHeadAttention`` draws one mask for the h×n×n weights of all heads."""
    draws = dropout.multipliers((num_heads, n_tokens, n_tokens))
    return None if draws is None else draws[0]


# --- matrix forms -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WrapperAttention:
    """``MultiHeadAttentionWrapper``: h causal heads side by side, every query at once."""

    heads: CausalAttention
    """All heads in one: ``heads.w_query`` h×d_in×d_head, ``heads.queries`` h×n×d_head,
    ``heads.weights`` h×n×n, ``heads.context`` h×n×d_head (head k at index k)."""
    context: torch.Tensor
    """n×(h·d_head): the heads' context vectors concatenated, head 0's columns first."""

    @property
    def num_heads(self) -> int:
        return self.heads.weights.shape[0]


def wrapper_attention(
    inputs: torch.Tensor, heads_weights: Sequence[HeadWeights], dropout: DropoutSetting = NO_DROPOUT
) -> WrapperAttention:
    """3.6.1 over n×d_in ``inputs``; ``heads_weights`` is one (W_q, W_k, W_v) per head (see
    :func:`~attn_tui.mechanisms.weights.wrapper_heads_weights`)."""
    stacked = _stacked_head_weights(inputs, heads_weights)
    multipliers = _wrapper_multipliers(inputs.shape[0], len(heads_weights), dropout)
    heads = mask_projections(project(inputs, *stacked), dropout, multipliers)
    return WrapperAttention(heads=heads, context=_concatenate_heads(heads.context))


@dataclass(frozen=True)
class MultiHeadAttention:
    """``MultiHeadAttention``: one W split into heads, concatenated, then ``out_proj``; every query at once."""

    inputs: torch.Tensor
    """n×d_in token embeddings."""
    w_query: torch.Tensor
    """d_in×d_out W_q (all heads; head k's columns are ``heads.w_query[k]``)."""
    w_key: torch.Tensor
    """d_in×d_out W_k."""
    w_value: torch.Tensor
    """d_in×d_out W_v."""
    w_out: torch.Tensor
    """d_out×d_out, used as concat·W_out (``out_proj.weight.T``)."""
    b_out: torch.Tensor
    """d_out ``out_proj.bias``."""
    heads: CausalAttention
    """The h heads in one: ``heads.queries`` h×n×d_head, ``heads.scale`` √d_head, ``heads.weights``
    h×n×n, ``heads.context`` h×n×d_head."""
    concatenated: torch.Tensor
    """n×d_out: the heads' context vectors side by side (before ``out_proj``)."""
    context: torch.Tensor
    """n×d_out Z = concatenated·W_out + b_out."""

    @property
    def num_heads(self) -> int:
        return self.heads.weights.shape[0]

    @property
    def head_dim(self) -> int:
        return self.heads.queries.shape[-1]

    @property
    def queries(self) -> torch.Tensor:
        """n×d_out Q = X·W_q before the split."""
        return _concatenate_heads(self.heads.queries)

    @property
    def keys(self) -> torch.Tensor:
        """n×d_out K = X·W_k."""
        return _concatenate_heads(self.heads.keys)

    @property
    def values(self) -> torch.Tensor:
        """n×d_out V = X·W_v."""
        return _concatenate_heads(self.heads.values)


def multihead_attention(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    w_out: torch.Tensor,
    b_out: torch.Tensor,
    num_heads: int,
    dropout: DropoutSetting = NO_DROPOUT,
) -> MultiHeadAttention:
    """3.6.2 over n×d_in ``inputs`` (see :func:`~attn_tui.mechanisms.weights.multihead_weights`).

    Raises ValueError when d_out is not divisible by ``num_heads``.
    """
    _check_multihead(inputs, w_query, w_key, w_value, w_out, b_out, num_heads)
    projections = project(inputs, *(split_heads(w, num_heads) for w in (w_query, w_key, w_value)))
    heads = mask_projections(projections, dropout, _split_multipliers(inputs.shape[0], num_heads, dropout))
    concatenated = _concatenate_heads(heads.context)
    return MultiHeadAttention(
        inputs=inputs, w_query=w_query, w_key=w_key, w_value=w_value, w_out=w_out, b_out=b_out,
        heads=heads, concatenated=concatenated, context=concatenated @ w_out + b_out,
    )  # fmt: skip


# --- loop forms, one query --------------------------------------------------------------------


def _heads_one_query(
    inputs: torch.Tensor,
    per_head: Sequence[HeadWeights],
    query_index: int,
    dropout: DropoutSetting,
    multipliers: torch.Tensor | None,
    matrix_heads: CausalAttention | None,
) -> tuple[QueryCausalAttention, ...]:
    """Each head's causal loop form; ``multipliers`` is h×n×n (or None); ``matrix_heads``, the
    (already checked) matrix form's heads, lends its keys and values."""
    query_index = check_query_index(inputs.shape[0], query_index)
    return tuple(
        mask_one_query(
            project_one_query(
                inputs, *weights, query_index, None if matrix_heads is None else (matrix_heads.keys[k], matrix_heads.values[k])
            ),
            dropout,
            None if multipliers is None else multipliers[k, query_index],
        )
        for k, weights in enumerate(per_head)
    )


@dataclass(frozen=True)
class QueryWrapperAttention:
    """The wrapper for one query: each head's terms, and their concatenation."""

    query_index: int
    heads: tuple[QueryCausalAttention, ...]
    """Head k's loop form (its own W_q, W_k, W_v)."""
    context: torch.Tensor
    """h·d_head: the heads' context vectors concatenated."""


def attend_one_query_wrapper(
    inputs: torch.Tensor,
    heads_weights: Sequence[HeadWeights],
    query_index: int,
    dropout: DropoutSetting = NO_DROPOUT,
    *,
    matrix: WrapperAttention | None = None,
) -> QueryWrapperAttention:
    """The wrapper for one query; ``matrix`` (:func:`wrapper_attention` of the same inputs and
    weights) lends its keys and values."""
    _stacked_head_weights(inputs, heads_weights)  # the same checks as the matrix form
    if matrix is not None:
        stacked = (matrix.heads.w_query, matrix.heads.w_key, matrix.heads.w_value)
        check_matrix_matches(
            matrix.heads.inputs, inputs, ((mine[k], theirs) for k, weights in enumerate(heads_weights) for mine, theirs in zip(stacked, weights))
        )
    multipliers = _wrapper_multipliers(inputs.shape[0], len(heads_weights), dropout)
    heads = _heads_one_query(inputs, heads_weights, query_index, dropout, multipliers, None if matrix is None else matrix.heads)
    return QueryWrapperAttention(query_index=heads[0].query_index, heads=heads, context=torch.cat([head.context for head in heads]))


@dataclass(frozen=True)
class QueryMultiHeadAttention:
    """``MultiHeadAttention`` for one query: each head's terms, the concatenation, ``out_proj`` term by term."""

    query_index: int
    heads: tuple[QueryCausalAttention, ...]
    """Head k's loop form; its ``w_query`` etc. are head k's d_in×d_head column slices."""
    concatenated: torch.Tensor
    """d_out: the heads' context vectors side by side."""
    w_out: torch.Tensor
    """d_out×d_out W_out (used as concat·W_out)."""
    b_out: torch.Tensor
    """d_out bias."""
    out_terms: torch.Tensor
    """d_out×d_out: ``out_terms[j, k] = concatenated_j · W_out[j, k]``; column k sums to (concat·W_out)_k."""
    context: torch.Tensor
    """d_out: z = concatenated·W_out + b_out."""


def attend_one_query_multihead(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    w_out: torch.Tensor,
    b_out: torch.Tensor,
    num_heads: int,
    query_index: int,
    dropout: DropoutSetting = NO_DROPOUT,
    *,
    matrix: MultiHeadAttention | None = None,
) -> QueryMultiHeadAttention:
    """``MultiHeadAttention`` for one query; ``matrix`` (:func:`multihead_attention` of the same
    inputs and weights) lends its keys and values."""
    _check_multihead(inputs, w_query, w_key, w_value, w_out, b_out, num_heads)
    if matrix is not None:
        if matrix.num_heads != num_heads:
            raise ValueError(f"the matrix form passed in has {matrix.num_heads} heads, not {num_heads}")
        check_matrix_matches(matrix.inputs, inputs, zip((matrix.w_query, matrix.w_key, matrix.w_value), (w_query, w_key, w_value)))
    split = [split_heads(w, num_heads) for w in (w_query, w_key, w_value)]
    per_head = [tuple(w[k] for w in split) for k in range(num_heads)]
    multipliers = _split_multipliers(inputs.shape[0], num_heads, dropout)
    heads = _heads_one_query(inputs, per_head, query_index, dropout, multipliers, None if matrix is None else matrix.heads)
    concatenated = torch.cat([head.context for head in heads])
    out_terms = projection_terms(concatenated, w_out)
    return QueryMultiHeadAttention(
        query_index=heads[0].query_index, heads=heads, concatenated=concatenated, w_out=w_out, b_out=b_out,
        out_terms=out_terms, context=out_terms.sum(dim=0) + b_out,
    )  # fmt: skip
