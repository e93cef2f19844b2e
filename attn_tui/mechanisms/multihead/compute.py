"""Multi-head attention, both of the book's variants (Raschka, ch. 3.6).

Pure torch, no Textual. Every head is a causal head of 3.5 (:func:`~attn_tui.mechanisms.causal.compute.causal_head`);
what differs is where the heads' weights come from and what follows the concatenation:

* :func:`wrapper_attention` — ``MultiHeadAttentionWrapper`` (3.6.1): h independent causal heads,
  each with its own d_in×d_head W_q, W_k, W_v; the outputs concatenated (n × h·d_head);
* :func:`multihead_attention` — ``MultiHeadAttention`` (3.6.2): one d_in×d_out W_q, W_k, W_v whose
  columns are split into h heads of d_head = d_out/h (head k owns columns k·d_head … (k+1)·d_head−1,
  the book's ``view(b, n, h, d_head)``), each head scaled by √d_head; the heads' outputs
  concatenated back to n×d_out, then ``out_proj``: Z = concat·W_out + b_out.

The matrix forms keep one :class:`~attn_tui.mechanisms.causal.compute.CausalAttention` per head
(:class:`Heads`), computed head by head: given the result before a change (``previous``), a head
whose weights and inputs are unchanged is taken as it was, so an edit of one cell of W_q
recomputes one head of twelve. ``out_proj`` is summed head by head too, concat·W_out =
Σ_k z_k·W_out[rows of head k] (added in pairs), so that an unchanged head's share is reused. A head at a time is
also the faster order at 512 tokens: one head's n×n scores stay in the processor's cache through
the mask, the softmax and the product with V, where all heads at once (h×n×n) would not. The
results are the same numbers whether reused or computed afresh, bit for bit.

The loop forms give one :class:`~attn_tui.mechanisms.causal.compute.QueryCausalAttention` per
head; :func:`attend_one_query_head` gives one head's, and :func:`query_rows` every head's results
for one query read from the matrix form (what a view of every head needs, without every head's
terms).

Dropout is drawn as the book's modules draw it after ``torch.manual_seed(seed)``: the wrapper's
heads one n×n draw each, in order; ``MultiHeadAttention`` one h×n×n draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Sequence

import torch

from attn_tui.mechanisms.causal.compute import CausalAttention, QueryCausalAttention, causal_head, mask_one_query
from attn_tui.mechanisms.terms import (
    NO_DROPOUT,
    DropoutSetting,
    check_heads_divide,
    check_matrix_matches,
    check_query_index,
    check_weights,
    project_one_query,
    projection_terms,
    same_numbers,
)

__all__ = [
    "Heads",
    "WrapperAttention",
    "MultiHeadAttention",
    "QueryWrapperAttention",
    "QueryMultiHeadAttention",
    "QueryRows",
    "wrapper_attention",
    "multihead_attention",
    "attend_one_query_wrapper",
    "attend_one_query_multihead",
    "attend_one_query_head",
    "query_rows",
    "split_heads",
]

HeadWeights = Sequence[torch.Tensor]
"""One head's (W_q, W_k, W_v), each d_in×d_head, e.g. a :class:`~attn_tui.mechanisms.weights.QKVWeights`."""


def split_heads(weight: torch.Tensor, num_heads: int) -> torch.Tensor:
    """d_in×d_out → h×d_in×d_head: head k gets columns k·d_head … (k+1)·d_head − 1."""
    d_in, d_out = weight.shape
    check_heads_divide(d_out, num_heads)
    return weight.reshape(d_in, num_heads, d_out // num_heads).permute(1, 0, 2)


def _stacked(name: str) -> cached_property:
    """Every head's ``name`` stacked along a new first dimension, when first asked."""
    return cached_property(lambda heads: torch.stack([getattr(head, name) for head in heads.each]))


@dataclass(frozen=True)
class Heads:
    """h causal heads, each its own :class:`~attn_tui.mechanisms.causal.compute.CausalAttention`
    (``heads[k]``, 2-D tensors); read as one, every per-head tensor gains a leading head
    dimension (``heads.weights`` is h×n×n, ``heads.weights[k]`` head k's), stacked when first
    asked: the views read one head, an export or a cross-check all of them."""

    each: tuple[CausalAttention, ...]

    def __getitem__(self, head: int) -> CausalAttention:
        return self.each[head]

    def __len__(self) -> int:
        return len(self.each)

    def __iter__(self) -> Iterator[CausalAttention]:
        return iter(self.each)

    @property
    def inputs(self) -> torch.Tensor:
        """n×d_in, shared by every head."""
        return self.each[0].inputs

    @property
    def mask(self) -> torch.Tensor:
        """n×n, shared by every head."""
        return self.each[0].mask

    @property
    def scale(self) -> float:
        """√d_head, the same for every head."""
        return self.each[0].scale

    @property
    def dropout(self) -> DropoutSetting:
        return self.each[0].dropout

    @cached_property
    def dropout_multiplier(self) -> torch.Tensor | None:
        """h×n×n, or None when dropout does not act."""
        return None if self.each[0].dropout_multiplier is None else torch.stack([head.dropout_multiplier for head in self.each])  # type: ignore[misc]

    w_query = _stacked("w_query")
    w_key = _stacked("w_key")
    w_value = _stacked("w_value")
    queries = _stacked("queries")
    keys = _stacked("keys")
    values = _stacked("values")
    scores = _stacked("scores")
    scaled_scores = _stacked("scaled_scores")
    weights = _stacked("weights")
    dropped_weights = _stacked("dropped_weights")
    context = _stacked("context")


def _concatenate(per_head: Sequence[torch.Tensor]) -> torch.Tensor:
    """Each head's n×d_head side by side, n×(h·d_head), head 0's columns first (``torch.cat(..., dim=-1)``)."""
    return torch.cat(list(per_head), dim=-1)


def _check_heads_weights(inputs: torch.Tensor, heads_weights: Sequence[HeadWeights]) -> None:
    """The wrapper's heads: at least one, each fitting the inputs, all of one shape."""
    if len(heads_weights) < 1:
        raise ValueError("multi-head attention needs at least one head")
    for k, (w_query, w_key, w_value) in enumerate(heads_weights):
        check_weights(inputs, **{f"head {k} W_q": w_query, f"head {k} W_k": w_key, f"head {k} W_v": w_value})
    shapes = {tuple(weights[0].shape) for weights in heads_weights}
    if len(shapes) > 1:
        raise ValueError(f"every head must have the same d_in×d_out, got {sorted(shapes)}")


def _check_multihead(inputs: torch.Tensor, w_query, w_key, w_value, w_out: torch.Tensor, b_out: torch.Tensor, num_heads: int) -> None:
    check_weights(inputs, w_query=w_query, w_key=w_key, w_value=w_value)
    d_out = w_query.shape[1]
    check_heads_divide(d_out, num_heads)
    if tuple(w_out.shape) != (d_out, d_out):
        raise ValueError(f"out_proj's weight must be d_out×d_out = {d_out}×{d_out}, got shape {tuple(w_out.shape)}")
    if tuple(b_out.shape) != (d_out,):
        raise ValueError(f"out_proj's bias must have d_out = {d_out} entries, got shape {tuple(b_out.shape)}")


def _wrapper_multipliers(n_tokens: int, num_heads: int, dropout: DropoutSetting) -> tuple[torch.Tensor, ...] | None:
    """h n×n: the wrapper's heads each draw an n×n mask in turn (each head has its own Dropout)."""
    return dropout.multipliers(*[(n_tokens, n_tokens)] * num_heads)


def _split_multipliers(n_tokens: int, num_heads: int, dropout: DropoutSetting) -> torch.Tensor | None:
    """h×n×n: ``MultiHeadAttention`` draws one mask for the h×n×n weights of all heads."""
    draws = dropout.multipliers((num_heads, n_tokens, n_tokens))
    return None if draws is None else draws[0]


def _compute_heads(
    inputs: torch.Tensor,
    heads_weights: Sequence[HeadWeights],
    dropout: DropoutSetting,
    multipliers: Sequence[torch.Tensor] | torch.Tensor | None,
    previous: Heads | None,
) -> Heads:
    """Each head by :func:`~attn_tui.mechanisms.causal.compute.causal_head`, lending it the same
    head of ``previous`` if it had one (a wrapper given a third head keeps its first two: what a
    head reuses is checked number by number, its dropout mask too)."""
    before = () if previous is None else previous.each
    return Heads(
        tuple(
            causal_head(inputs, *weights, dropout, None if multipliers is None else multipliers[k], before[k] if k < len(before) else None)
            for k, weights in enumerate(heads_weights)
        )
    )


# --- matrix forms -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WrapperAttention:
    """``MultiHeadAttentionWrapper``: h causal heads side by side, every query at once."""

    heads: Heads
    """Head k is ``heads[k]`` (its own W_q, W_k, W_v); ``heads.weights`` etc. read all at once."""
    context: torch.Tensor
    """n×(h·d_head): the heads' context vectors concatenated, head 0's columns first."""

    @property
    def num_heads(self) -> int:
        return len(self.heads)


def wrapper_attention(
    inputs: torch.Tensor,
    heads_weights: Sequence[HeadWeights],
    dropout: DropoutSetting = NO_DROPOUT,
    *,
    previous: WrapperAttention | None = None,
) -> WrapperAttention:
    """3.6.1 over n×d_in ``inputs``; ``heads_weights`` is one (W_q, W_k, W_v) per head (see
    :func:`~attn_tui.mechanisms.weights.wrapper_heads_weights`); ``previous`` (the result before a
    change) lends the heads the change left as they were."""
    _check_heads_weights(inputs, heads_weights)
    multipliers = _wrapper_multipliers(inputs.shape[0], len(heads_weights), dropout)
    heads = _compute_heads(inputs, heads_weights, dropout, multipliers, None if previous is None else previous.heads)
    if previous is not None and len(heads) == len(previous.heads) and all(a is b for a, b in zip(heads, previous.heads)):
        return previous
    return WrapperAttention(heads=heads, context=_concatenate([head.context for head in heads]))


@dataclass(frozen=True)
class MultiHeadAttention:
    """``MultiHeadAttention``: one W split into heads, concatenated, then ``out_proj``; every query at once."""

    inputs: torch.Tensor
    """n×d_in token embeddings."""
    w_query: torch.Tensor
    """d_in×d_out W_q (all heads; head k's columns are ``heads[k].w_query``)."""
    w_key: torch.Tensor
    """d_in×d_out W_k."""
    w_value: torch.Tensor
    """d_in×d_out W_v."""
    w_out: torch.Tensor
    """d_out×d_out, used as concat·W_out (``out_proj.weight.T``)."""
    b_out: torch.Tensor
    """d_out ``out_proj.bias``."""
    heads: Heads
    """Head k is ``heads[k]``, computed from its d_in×d_head columns and scaled by √d_head;
    ``heads.weights`` etc. read all at once (h×n×n)."""
    out_shares: tuple[tuple[torch.Tensor, ...], ...]
    """``out_shares[0][k]`` (n×d_out) is head k's share of concat·W_out, z_k·W_out[rows of head
    k]; each further level adds the one below in pairs, the last is concat·W_out itself."""
    context: torch.Tensor
    """n×d_out Z = concatenated·W_out + b_out."""

    @property
    def num_heads(self) -> int:
        return len(self.heads)

    @property
    def head_dim(self) -> int:
        return self.heads[0].queries.shape[-1]

    @cached_property
    def concatenated(self) -> torch.Tensor:
        """n×d_out: the heads' context vectors side by side (before ``out_proj``)."""
        return _concatenate([head.context for head in self.heads])

    @property
    def queries(self) -> torch.Tensor:
        """n×d_out Q = X·W_q before the split."""
        return _concatenate([head.queries for head in self.heads])

    @property
    def keys(self) -> torch.Tensor:
        """n×d_out K = X·W_k."""
        return _concatenate([head.keys for head in self.heads])

    @property
    def values(self) -> torch.Tensor:
        """n×d_out V = X·W_v."""
        return _concatenate([head.values for head in self.heads])


def _head_columns(weight: torch.Tensor, num_heads: int, before: torch.Tensor | None, before_heads: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Each head's d_in×d_head columns of ``weight``, contiguous (every head's product then runs
    the same way, reused or not); the very matrix of the result before (``before``) gives its
    heads' own columns back, so they are known to be unchanged without comparing them."""
    if weight is before and len(before_heads) == num_heads:
        return list(before_heads)
    return [columns.contiguous() for columns in split_heads(weight, num_heads)]


def _out_shares(heads: Heads, w_out: torch.Tensor, previous: MultiHeadAttention | None) -> tuple[torch.Tensor, ...]:
    """Each head's share z_k·W_out[rows of head k] of concat·W_out; an unchanged head with
    unchanged rows of W_out keeps its share."""
    d_head = heads[0].context.shape[-1]
    shares = []
    for k, head in enumerate(heads):
        rows = w_out[k * d_head : (k + 1) * d_head]
        if previous is not None and previous.heads[k].context is head.context and same_numbers(previous.w_out[k * d_head : (k + 1) * d_head], rows):
            shares.append(previous.out_shares[0][k])
        else:
            shares.append(head.context @ rows)
    return tuple(shares)


def _pairwise_sums(shares: tuple[torch.Tensor, ...], previous: tuple[tuple[torch.Tensor, ...], ...] | None) -> tuple[tuple[torch.Tensor, ...], ...]:
    """The shares added in pairs, the pairs in pairs, … (the last level holds concat·W_out); a sum
    whose two terms are the very tensors of ``previous``'s is taken from it. One changed share
    costs log₂ h additions of an n×d_out matrix instead of h (12 heads: 4, not 12), and the order
    of the additions, so every rounding, is the same whether reused or not."""
    levels = [shares]
    while len(levels[-1]) > 1:
        below, level = levels[-1], []
        before = previous[len(levels) - 1] if previous is not None and len(previous) > len(levels) else None
        above = previous[len(levels)] if before is not None else None
        for i in range(0, len(below), 2):
            pair = below[i : i + 2]
            if len(pair) == 1:
                level.append(pair[0])
            elif before is not None and len(before) == len(below) and pair[0] is before[i] and pair[1] is before[i + 1]:
                level.append(above[i // 2])  # type: ignore[index]
            else:
                level.append(pair[0] + pair[1])
        levels.append(tuple(level))
    return tuple(levels)


def multihead_attention(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    w_out: torch.Tensor,
    b_out: torch.Tensor,
    num_heads: int,
    dropout: DropoutSetting = NO_DROPOUT,
    *,
    previous: MultiHeadAttention | None = None,
) -> MultiHeadAttention:
    """3.6.2 over n×d_in ``inputs`` (see :func:`~attn_tui.mechanisms.weights.multihead_weights`);
    ``previous`` (the result before a change) lends the heads, and their shares of out_proj, that
    the change left as they were.

    Raises ValueError when d_out is not divisible by ``num_heads``.
    """
    _check_multihead(inputs, w_query, w_key, w_value, w_out, b_out, num_heads)
    if previous is not None and previous.num_heads != num_heads:
        previous = None
    columns = [
        _head_columns(weight, num_heads, None if previous is None else getattr(previous, name), () if previous is None else [getattr(head, name) for head in previous.heads])
        for name, weight in (("w_query", w_query), ("w_key", w_key), ("w_value", w_value))
    ]
    multipliers = _split_multipliers(inputs.shape[0], num_heads, dropout)
    heads = _compute_heads(inputs, list(zip(*columns)), dropout, multipliers, None if previous is None else previous.heads)
    shares = _pairwise_sums(_out_shares(heads, w_out, previous), None if previous is None else previous.out_shares)
    if previous is not None and shares[-1][0] is previous.out_shares[-1][0] and same_numbers(previous.b_out, b_out):
        if all(a is b for a, b in zip(heads, previous.heads)):
            return previous  # nothing changed (another query, another head shown)
        context = previous.context  # e.g. dropout's settings changed, but not while it does not act
    else:
        context = shares[-1][0] + b_out
    return MultiHeadAttention(
        inputs=inputs, w_query=w_query, w_key=w_key, w_value=w_value, w_out=w_out, b_out=b_out,
        heads=heads, out_shares=shares, context=context,
    )  # fmt: skip


# --- loop forms, one query --------------------------------------------------------------------


def _one_head_one_query(
    inputs: torch.Tensor,
    weights: HeadWeights,
    query_index: int,
    dropout: DropoutSetting,
    multiplier: torch.Tensor | None,
    keys_values: tuple[torch.Tensor, torch.Tensor] | None,
) -> QueryCausalAttention:
    """One head's causal loop form; ``multiplier`` is the head's n×n dropout multiplier (or None),
    ``keys_values`` the matrix form's K and V of this head (or None)."""
    projection = project_one_query(inputs, *weights, query_index, keys_values)
    return mask_one_query(projection, dropout, None if multiplier is None else multiplier[projection["query_index"]])


def _heads_one_query(
    inputs: torch.Tensor,
    per_head: Sequence[HeadWeights],
    query_index: int,
    dropout: DropoutSetting,
    multipliers: Sequence[torch.Tensor] | torch.Tensor | None,
    matrix_heads: Heads | None,
) -> tuple[QueryCausalAttention, ...]:
    """Each head's causal loop form; ``multipliers`` has one n×n per head (or is None);
    ``matrix_heads``, the (already checked) matrix form's heads, lends their keys and values."""
    query_index = check_query_index(inputs.shape[0], query_index)
    return tuple(
        _one_head_one_query(
            inputs, weights, query_index, dropout, None if multipliers is None else multipliers[k],
            None if matrix_heads is None else (matrix_heads[k].keys, matrix_heads[k].values),
        )  # fmt: skip
        for k, weights in enumerate(per_head)
    )


def attend_one_query_head(heads: Heads, head: int, query_index: int) -> QueryCausalAttention:
    """Head ``head``'s loop form for one query, every term kept, from the matrix form's head: its
    weights, keys, values and row of the dropout mask. The one head a view walks through: every
    head's terms would cost h times as much for numbers no view shows."""
    matrix = heads[head]
    query_index = check_query_index(matrix.inputs.shape[0], query_index)
    weights = (matrix.w_query, matrix.w_key, matrix.w_value)
    return _one_head_one_query(matrix.inputs, weights, query_index, matrix.dropout, matrix.dropout_multiplier, (matrix.keys, matrix.values))


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
    _check_heads_weights(inputs, heads_weights)  # the same checks as the matrix form
    if matrix is not None:
        if matrix.num_heads != len(heads_weights):
            raise ValueError(f"the matrix form passed in has {matrix.num_heads} heads, not {len(heads_weights)}")
        pairs = ((mine, theirs) for head, weights in zip(matrix.heads, heads_weights) for mine, theirs in zip((head.w_query, head.w_key, head.w_value), weights))
        check_matrix_matches(matrix.heads.inputs, inputs, pairs)
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


# --- every head for one query, from the matrix form ---------------------------------------------


@dataclass(frozen=True)
class QueryRows:
    """Every head's result for one query, read from the matrix form's rows (no terms): what a view
    of every head shows. The shown head's terms are :func:`attend_one_query_head`'s."""

    query_index: int
    head_contexts: tuple[torch.Tensor, ...]
    """Head k's context vector for the query (d_head)."""
    context: torch.Tensor
    """The module's output for the query: z = concat·W_out + b_out, or (the wrapper) the concatenation."""
    w_out: torch.Tensor | None
    """d_out×d_out W_out (None for the wrapper)."""
    b_out: torch.Tensor | None
    """d_out bias (None for the wrapper)."""

    @cached_property
    def concatenated(self) -> torch.Tensor:
        """d_out: the heads' context vectors side by side."""
        return torch.cat(self.head_contexts)

    @cached_property
    def out_terms(self) -> torch.Tensor:
        """d_out×d_out: ``out_terms[j, k] = concatenated_j · W_out[j, k]`` (computed when a walk asks:
        768×768 terms at d_out 768); column k sums to (concat·W_out)_k."""
        if self.w_out is None:
            raise ValueError("the wrapper has no out_proj")
        return projection_terms(self.concatenated, self.w_out)


def query_rows(matrix: MultiHeadAttention | WrapperAttention, query_index: int) -> QueryRows:
    """Row ``query_index`` of every head's context vectors and of the output."""
    query_index = check_query_index(matrix.context.shape[0], query_index)
    split = isinstance(matrix, MultiHeadAttention)
    return QueryRows(
        query_index=query_index,
        head_contexts=tuple(head.context[query_index] for head in matrix.heads),
        context=matrix.context[query_index],
        w_out=matrix.w_out if split else None,
        b_out=matrix.b_out if split else None,
    )
