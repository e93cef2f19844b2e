"""Causal attention: the mask, the book's two ways of applying it, and dropout (Raschka, ch. 3.5).

Pure torch, no Textual. As for 3.3 and 3.4, two forms:

* :func:`causal_attention` — the matrix form of the book's ``CausalAttention``: scores above the
  diagonal (a token looking at later tokens) set to −inf before the softmax, dropout on the
  weights, Z = α·V;
* :func:`attend_one_query_causal` — one query step by step, keeping every term; the tokens after
  the query stay in every vector (score −inf, weight 0, ``visible`` False) so a view shows them as
  masked instead of dropping them.

Both also carry the book's *first* way (softmax of the unmasked scores, times ``tril(ones)``,
each row renormalised), and how far it is from the second (−inf before the softmax): they agree
because renormalising removes exactly the masked tokens' share of the softmax's denominator.

Dropout (:class:`~attn_tui.mechanisms.terms.DropoutSetting`) multiplies the weights by 0 (dropped)
or 1/(1−p) (kept). Its mask is drawn as the book draws it, ``torch.manual_seed(seed)`` then
``dropout`` on an n×n tensor, so it depends on (n, p, seed) only: editing an embedding or a weight
never re-draws it.

:func:`causal_head` (one head, reusing what an edit left unchanged) and :func:`mask_one_query`
(the steps after one query's projection) are what the multi-head mechanism (3.6) runs each head
through.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

import torch

from attn_tui.mechanisms.terms import (
    NO_DROPOUT,
    DropoutSetting,
    Projections,
    QueryProjection,
    QueryWeightsAndContext,
    SoftmaxTerms,
    WeightedSum,
    check_weights,
    project_one_query,
    reused_keys_values,
    same_numbers,
    softmax_terms,
    weighted_sum_terms,
)

__all__ = [
    "CausalAttention",
    "QueryCausalAttention",
    "causal_attention",
    "attend_one_query_causal",
    "causal_mask",
    "causal_head",
    "mask_one_query",
]


def causal_mask(n_tokens: int) -> torch.Tensor:
    """n×n bool, True above the diagonal: ``mask[i, j]`` is True when token j comes after query i.

    The book's ``torch.triu(torch.ones(n, n), diagonal=1).bool()``.
    """
    return torch.ones(n_tokens, n_tokens, dtype=torch.bool).triu(diagonal=1)


def _renormalise_visible(plain_weights: torch.Tensor, visible: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The book's first way: zero the masked weights (× tril(ones)), then divide each row by its sum."""
    tril_weights = plain_weights * visible
    return tril_weights, tril_weights / tril_weights.sum(dim=-1, keepdim=True)


def _apply_dropout(weights: torch.Tensor, multiplier: torch.Tensor | None) -> torch.Tensor:
    return weights if multiplier is None else weights * multiplier


class _DroppedAndFirstWay:
    """What the matrix and the loop form both derive from their dropout multiplier and first way."""

    weights: torch.Tensor
    renormalised_weights: torch.Tensor
    dropout_multiplier: torch.Tensor | None

    @property
    def dropped(self) -> torch.Tensor:
        """bool, shaped as ``weights``: True where dropout zeroed the weight (all False when it does not act)."""
        if self.dropout_multiplier is None:
            return torch.zeros_like(self.weights, dtype=torch.bool)
        return self.dropout_multiplier == 0

    @property
    def first_way_max_difference(self) -> float:
        """The largest |first way − second way| over the weights (float32 rounding: about 1e-7)."""
        return float((self.renormalised_weights - self.weights).abs().max())


# --- matrix form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CausalAttention(Projections, _DroppedAndFirstWay):
    """Every query at once, masked (the book's ``CausalAttention``).

    Inherits ``inputs``, ``w_query``, ``w_key``, ``w_value``, ``queries``, ``keys``, ``values``,
    ``scores``, ``scale`` and ``scaled_scores`` (all unmasked) from
    :class:`~attn_tui.mechanisms.terms.Projections`. Multi-head attention (3.6) keeps one of these
    per head.
    """

    mask: torch.Tensor
    """n×n bool, True above the diagonal (the tokens each query may not see)."""
    weights: torch.Tensor
    """n×n α = softmax(masked ω/√d_k) by row: 0 above the diagonal, each row sums to 1."""
    dropout: DropoutSetting
    """p, seed and the training flag this was computed with."""
    dropout_multiplier: torch.Tensor | None
    """n×n: 0 where dropout dropped a weight, 1/(1−p) where it kept one; None when dropout does not act."""
    dropped_weights: torch.Tensor
    """n×n α after dropout (α × multiplier); ``weights`` itself when dropout does not act."""
    context: torch.Tensor
    """n×d_out Z = (α after dropout)·V."""

    @cached_property
    def masked_scores(self) -> torch.Tensor:
        """n×n ω with −inf above the diagonal, before scaling (as 3.5.1 prints it); computed when asked."""
        return self.scores.masked_fill(self.mask, -torch.inf)

    # The first way, computed only when a view asks for it (it costs several n×n passes per head).

    @cached_property
    def plain_weights(self) -> torch.Tensor:
        """n×n softmax(ω/√d_k) without the mask: the first way's first step (3.4's weights)."""
        return torch.softmax(self.scaled_scores, dim=-1)

    @cached_property
    def _first_way(self) -> tuple[torch.Tensor, torch.Tensor]:
        return _renormalise_visible(self.plain_weights, ~self.mask)

    @property
    def tril_weights(self) -> torch.Tensor:
        """n×n plain weights × tril(ones): masked entries zeroed, rows no longer summing to 1."""
        return self._first_way[0]

    @property
    def renormalised_weights(self) -> torch.Tensor:
        """n×n the first way's result: each row of ``tril_weights`` divided by its sum."""
        return self._first_way[1]


@functools.lru_cache(maxsize=4)
def _shared_causal_mask(n_tokens: int) -> torch.Tensor:
    # One mask per size, shared by every head and every edit (only read, never written).
    return causal_mask(n_tokens)


def causal_head(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    dropout: DropoutSetting,
    dropout_multiplier: torch.Tensor | None,
    previous: CausalAttention | None = None,
) -> CausalAttention:
    """One causal head, every query at once: Q, K, V, the masked softmax, dropout by
    ``dropout_multiplier`` (n×n, or None), Z.

    ``previous`` is the same head before a change (an edit, another query, another dropout
    draw): whatever it computed from the very same numbers (:func:`~attn_tui.mechanisms.terms.same_numbers`)
    is taken from it, so that an edit of W_q computes neither K nor V, and another dropout mask
    neither the scores nor the softmax. The result is bit for bit the one computed afresh: the
    same operations on the same numbers. Nothing changed at all: ``previous`` itself.
    """
    check_weights(inputs, w_query=w_query, w_key=w_key, w_value=w_value)
    if w_query.dim() != 2:
        raise ValueError("a causal head takes one head's d_in×d_out weights")
    same_inputs = previous is not None and same_numbers(previous.inputs, inputs)
    kept = [same_inputs and same_numbers(getattr(previous, name), weight) for name, weight in (("w_query", w_query), ("w_key", w_key), ("w_value", w_value))]
    queries, keys, values = (
        getattr(previous, name) if keep else inputs @ weight
        for keep, name, weight in zip(kept, ("queries", "keys", "values"), (w_query, w_key, w_value))
    )
    mask = _shared_causal_mask(inputs.shape[0])
    if kept[0] and kept[1]:
        scale, scores, scaled_scores, weights = previous.scale, previous.scores, previous.scaled_scores, previous.weights  # type: ignore[union-attr]
    else:
        scores = queries @ keys.T
        scale = keys.shape[-1] ** 0.5
        scaled_scores = scores / scale
        # Masking the scaled scores equals the book's scaling of the masked ones (−inf/√d_k = −inf),
        # and saves dividing an n×n matrix a second time.
        weights = torch.softmax(scaled_scores.masked_fill(mask, -torch.inf), dim=-1)
    if all(kept) and same_numbers(previous.dropout_multiplier, dropout_multiplier):  # type: ignore[union-attr]
        if previous.dropout == dropout:  # type: ignore[union-attr]
            return previous  # type: ignore[return-value]
        dropped_weights, context = previous.dropped_weights, previous.context  # type: ignore[union-attr]
    else:
        dropped_weights = _apply_dropout(weights, dropout_multiplier)
        context = dropped_weights @ values
    return CausalAttention(
        inputs=inputs, w_query=w_query, w_key=w_key, w_value=w_value,
        queries=queries, keys=keys, values=values, scores=scores, scale=scale, scaled_scores=scaled_scores,
        mask=mask, weights=weights, dropout=dropout, dropout_multiplier=dropout_multiplier,
        dropped_weights=dropped_weights, context=context,
    )  # fmt: skip


def _one_head_multiplier(n_tokens: int, dropout: DropoutSetting) -> torch.Tensor | None:
    """The n×n multiplier of one causal head: one draw of an n×n tensor, as 3.5.2."""
    multipliers = dropout.multipliers((n_tokens, n_tokens))
    return None if multipliers is None else multipliers[0]


def causal_attention(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    dropout: DropoutSetting = NO_DROPOUT,
    *,
    previous: CausalAttention | None = None,
) -> CausalAttention:
    """The book's ``CausalAttention`` forward pass over n×d_in ``inputs`` with d_in×d_out weights;
    ``previous`` (the result before a change) lends what the change left as it was (see :func:`causal_head`)."""
    return causal_head(inputs, w_query, w_key, w_value, dropout, _one_head_multiplier(inputs.shape[0], dropout), previous)


# --- loop form, one query --------------------------------------------------------------------


@dataclass(frozen=True)
class QueryCausalAttention(QueryProjection, QueryWeightsAndContext, _DroppedAndFirstWay):
    """One query's causal attention, every term kept; the tokens after the query stay, masked.

    Inherits the projection and score terms (``query_terms``, ``query``, ``keys``, ``values``,
    ``score_terms``, ``scores`` and ``scaled_scores`` — both unmasked —, ``scale``,
    ``key_terms(i)``, ``value_terms(i)``) from :class:`~attn_tui.mechanisms.terms.QueryProjection`.
    ``weights`` (n: α, 0 after the query, the visible ones summing to 1) reads ``softmax``;
    ``context`` (d_out: z = Σ_i α'_i v⁽ⁱ⁾, α' after dropout) reads ``weighted_values``;
    ``dropped`` (n bool) and ``first_way_max_difference`` as in :class:`CausalAttention`.
    """

    visible: torch.Tensor
    """n bool: True for the tokens up to and including the query, False for the masked ones after it."""
    masked_scores: torch.Tensor
    """n: ω_i, −inf after the query (before scaling)."""
    softmax: SoftmaxTerms
    """Softmax of the masked ω/√d_k: ``exp`` (0 for masked tokens), ``exp_sum``, the shifted forms, ``weights``."""
    plain_weights: torch.Tensor
    """n: the first way's first step, softmax(ω/√d_k) over every token."""
    tril_weights: torch.Tensor
    """n: ``plain_weights`` with the masked tokens zeroed (sums to less than 1)."""
    renormalised_weights: torch.Tensor
    """n: ``tril_weights`` divided by their sum: the first way's result, equal to ``weights``."""
    dropout: DropoutSetting
    """p, seed and the training flag."""
    dropout_multiplier: torch.Tensor | None
    """n: this query's row of the n×n dropout multiplier (0 or 1/(1−p)); None when dropout does not act."""
    dropped_weights: torch.Tensor
    """n: the weights after dropout (``weights`` when dropout does not act)."""
    weighted_values: WeightedSum
    """``terms`` (n×d_out, α'_i·v⁽ⁱ⁾ with α' the weights after dropout; 0 for masked tokens) and ``running``."""

    @property
    def tril_sum(self) -> torch.Tensor:
        """Scalar: what the first way divides by, the visible tokens' share of the plain softmax."""
        return self.tril_weights.sum()


def mask_one_query(projection: dict, dropout: DropoutSetting, dropout_multiplier: torch.Tensor | None) -> QueryCausalAttention:
    """The causal steps for one query after :func:`~attn_tui.mechanisms.terms.project_one_query`.

    ``dropout_multiplier`` is the query's row of the n×n multiplier (or None).
    """
    n_tokens = projection["inputs"].shape[0]
    visible = torch.arange(n_tokens) <= projection["query_index"]
    masked_scores = projection["scores"].masked_fill(~visible, -torch.inf)
    softmax = softmax_terms(masked_scores / projection["scale"])
    plain_weights = torch.softmax(projection["scaled_scores"], dim=-1)
    tril_weights, renormalised_weights = _renormalise_visible(plain_weights, visible)
    dropped_weights = _apply_dropout(softmax.weights, dropout_multiplier)
    return QueryCausalAttention(
        **projection,
        visible=visible,
        masked_scores=masked_scores,
        softmax=softmax,
        plain_weights=plain_weights,
        tril_weights=tril_weights,
        renormalised_weights=renormalised_weights,
        dropout=dropout,
        dropout_multiplier=dropout_multiplier,
        dropped_weights=dropped_weights,
        weighted_values=weighted_sum_terms(dropped_weights, projection["values"]),
    )


def attend_one_query_causal(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    query_index: int,
    dropout: DropoutSetting = NO_DROPOUT,
    *,
    matrix: CausalAttention | None = None,
) -> QueryCausalAttention:
    """Causal attention for one query, keeping every term (the book's query is "journey", index 1).

    ``matrix``: :func:`causal_attention` of the same inputs and weights, whose keys and values are
    then reused instead of recomputed.
    """
    weights = (w_query, w_key, w_value)
    projection = project_one_query(inputs, *weights, query_index, reused_keys_values(matrix, inputs, *weights))
    multiplier = _one_head_multiplier(inputs.shape[0], dropout)
    row = None if multiplier is None else multiplier[projection["query_index"]]
    return mask_one_query(projection, dropout, row)
