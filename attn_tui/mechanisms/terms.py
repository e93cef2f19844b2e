"""Pieces every trainable mechanism (3.4, 3.5, 3.6) shares: checks, projections, scaled scores,
softmax terms, the running weighted sum and dropout multipliers.

Pure torch, no Textual. The mechanisms' compute modules build on these, so that a projection, a
softmax or a running sum is written once and the walkthroughs of all three read the same terms.

Shapes: n tokens, d_in embedding dimensions, d_out = d_k columns per head. The matrix-form
pieces also accept a leading head dimension (h×d_in×d_out weights give h×n×… results), which is
how multi-head attention runs every head in one call.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch

from attn_tui.mechanisms.simple.attention import _check_inputs as check_inputs

__all__ = [
    "check_inputs",
    "check_weights",
    "check_query_index",
    "check_num_heads",
    "check_heads_divide",
    "check_dropout",
    "projection_terms",
    "Projections",
    "project",
    "QueryProjection",
    "project_one_query",
    "check_matrix_matches",
    "reused_keys_values",
    "same_numbers",
    "SoftmaxTerms",
    "softmax_terms",
    "WeightedSum",
    "weighted_sum_terms",
    "QueryWeightsAndContext",
    "dropout_multipliers",
    "DropoutSetting",
    "NO_DROPOUT",
    "seeded",
]


# --- checks -------------------------------------------------------------------------------


def check_weights(inputs: torch.Tensor, **weights: torch.Tensor) -> None:
    """W_q, W_k, W_v must be float d_in×d_out (or h×d_in×d_out) matrices that fit ``inputs`` and each other."""
    check_inputs(inputs)
    d_in = inputs.shape[1]
    shapes = {}
    for name, weight in weights.items():
        if not isinstance(weight, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, not {type(weight).__name__}")
        if weight.dim() not in (2, 3) or weight.shape[-2] != d_in or weight.shape[-1] < 1:
            raise ValueError(f"{name} must be d_in×d_out with d_in = {d_in} (the embeddings' width), got shape {tuple(weight.shape)}")
        if weight.dtype != inputs.dtype:
            raise ValueError(f"{name} is {weight.dtype} but the inputs are {inputs.dtype}")
        shapes[name] = tuple(weight.shape)
    if len(set(shapes.values())) > 1:
        raise ValueError(f"W_q, W_k and W_v must have the same shape, got {shapes}")


def check_query_index(n_tokens: int, query_index: int) -> int:
    """The 0-based query row; negative indices count from the end, as in Python."""
    if not -n_tokens <= query_index < n_tokens:
        raise IndexError(f"query_index {query_index} is out of range for {n_tokens} tokens")
    return query_index % n_tokens


def check_num_heads(num_heads: int) -> None:
    if isinstance(num_heads, bool) or not isinstance(num_heads, int) or num_heads < 1:
        raise ValueError(f"the number of heads must be a whole number of at least 1, got {num_heads!r}")


def check_heads_divide(d_out: int, num_heads: int) -> None:
    """Refuse a split the book's ``MultiHeadAttention`` refuses, with a message a user can act on."""
    check_num_heads(num_heads)
    if d_out % num_heads:
        raise ValueError(
            f"d_out ({d_out}) must be divisible by the number of heads ({num_heads}): "
            f"each head gets d_out / heads columns of W_q, W_k and W_v"
        )


def check_dropout(p: float) -> None:
    """p is the probability of dropping a weight: 0 ≤ p < 1 (at 1 the survivors' factor 1/(1−p) is infinite)."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise ValueError(f"the dropout probability p must be at least 0 and below 1, got {p!r}")


# --- projections and scores, matrix form ---------------------------------------------------


def projection_terms(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """d_in×d_out: ``terms[k, j] = x_k · W[k, j]``; column j sums to (x·W)_j.

    One broadcast product, not a loop: at d_in 768 × d_out 64 these are 49,152 terms.
    """
    return x.unsqueeze(-1) * w


@dataclass(frozen=True)
class Projections:
    """Queries, keys, values and their scaled scores, every query at once.

    With h×d_in×d_out weights (heads), every tensor below gains a leading head dimension h.
    """

    inputs: torch.Tensor
    """n×d_in token embeddings x⁽ⁱ⁾."""
    w_query: torch.Tensor
    """d_in×d_out W_q, used as x·W_q."""
    w_key: torch.Tensor
    """d_in×d_out W_k."""
    w_value: torch.Tensor
    """d_in×d_out W_v."""
    queries: torch.Tensor
    """n×d_out Q = X·W_q; row i is q⁽ⁱ⁾."""
    keys: torch.Tensor
    """n×d_out K = X·W_k."""
    values: torch.Tensor
    """n×d_out V = X·W_v."""
    scores: torch.Tensor
    """n×n ω = Q·Kᵀ: ``scores[i, j] = q⁽ⁱ⁾·k⁽ʲ⁾``."""
    scale: float
    """√d_k, d_k = d_out (the keys' width): the book's ``keys.shape[-1]**0.5``."""
    scaled_scores: torch.Tensor
    """n×n ω/√d_k."""


def _project_heads(inputs: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """x·W for d_in×d_out weights (n×d_out), or for h×d_in×d_head heads (h×n×d_head).

    The heads are multiplied as one d_in×(h·d_head) matrix, as the book's ``MultiHeadAttention``
    does: a batched ``inputs @ weight`` would first copy the n×d_in inputs once per head.
    """
    if weight.dim() == 2:
        return inputs @ weight
    num_heads, d_in, d_head = weight.shape
    side_by_side = weight.permute(1, 0, 2).reshape(d_in, num_heads * d_head)
    return (inputs @ side_by_side).reshape(-1, num_heads, d_head).permute(1, 0, 2)


def project(inputs: torch.Tensor, w_query: torch.Tensor, w_key: torch.Tensor, w_value: torch.Tensor) -> Projections:
    """Q, K, V, the scores Q·Kᵀ and the scores divided by √d_k."""
    check_weights(inputs, w_query=w_query, w_key=w_key, w_value=w_value)
    queries, keys, values = (_project_heads(inputs, w) for w in (w_query, w_key, w_value))
    scores = queries @ keys.transpose(-2, -1)
    scale = keys.shape[-1] ** 0.5
    return Projections(
        inputs=inputs, w_query=w_query, w_key=w_key, w_value=w_value,
        queries=queries, keys=keys, values=values,
        scores=scores, scale=scale, scaled_scores=scores / scale,
    )  # fmt: skip


# --- projections and scores, loop form for one query -----------------------------------------


@dataclass(frozen=True)
class QueryProjection:
    """One query's projection and scores, with the terms of each product kept."""

    query_index: int
    """Row of ``inputs`` used as the query (0-based)."""
    inputs: torch.Tensor
    """n×d_in token embeddings."""
    w_query: torch.Tensor
    """d_in×d_out W_q."""
    w_key: torch.Tensor
    """d_in×d_out W_k."""
    w_value: torch.Tensor
    """d_in×d_out W_v."""
    query_terms: torch.Tensor
    """d_in×d_out: ``query_terms[k, j] = x⁽ᑫ⁾_k · W_q[k, j]``; column j sums to q_j."""
    query: torch.Tensor
    """d_out: q = x⁽ᑫ⁾·W_q."""
    keys: torch.Tensor
    """n×d_out: row i is k⁽ⁱ⁾ = x⁽ⁱ⁾·W_k."""
    values: torch.Tensor
    """n×d_out: row i is v⁽ⁱ⁾ = x⁽ⁱ⁾·W_v."""
    score_terms: torch.Tensor
    """n×d_out: ``score_terms[i, j] = q_j · k⁽ⁱ⁾_j``; row i sums to ω_i."""
    scores: torch.Tensor
    """n: ω_i = q·k⁽ⁱ⁾."""
    scale: float
    """√d_k."""
    scaled_scores: torch.Tensor
    """n: ω_i/√d_k (before any mask)."""

    def key_terms(self, token: int) -> torch.Tensor:
        """d_in×d_out terms of k⁽ᵗᵒᵏᵉⁿ⁾ = x⁽ᵗᵒᵏᵉⁿ⁾·W_k, computed when a view asks (n of them would be n·d_in·d_out numbers)."""
        return projection_terms(self.inputs[token], self.w_key)

    def value_terms(self, token: int) -> torch.Tensor:
        """d_in×d_out terms of v⁽ᵗᵒᵏᵉⁿ⁾ = x⁽ᵗᵒᵏᵉⁿ⁾·W_v."""
        return projection_terms(self.inputs[token], self.w_value)


def project_one_query(
    inputs: torch.Tensor,
    w_query: torch.Tensor,
    w_key: torch.Tensor,
    w_value: torch.Tensor,
    query_index: int,
    keys_values: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict:
    """The fields of a :class:`QueryProjection`, as keyword arguments for it or a subclass.

    ``keys_values``: the n×d_out K and V the matrix form already computed from these inputs and
    weights (see :func:`reused_keys_values`); they are two n×d_in×d_out products, the bulk of the
    loop form's work at 512×768.
    """
    check_weights(inputs, w_query=w_query, w_key=w_key, w_value=w_value)
    if w_query.dim() != 2:
        raise ValueError("the loop form takes one head's d_in×d_out weights")
    query_index = check_query_index(inputs.shape[0], query_index)
    query_terms = projection_terms(inputs[query_index], w_query)
    query = query_terms.sum(dim=0)
    keys, values = (inputs @ w_key, inputs @ w_value) if keys_values is None else keys_values
    score_terms = keys * query
    scores = score_terms.sum(dim=1)
    scale = keys.shape[-1] ** 0.5
    return dict(
        query_index=query_index, inputs=inputs, w_query=w_query, w_key=w_key, w_value=w_value,
        query_terms=query_terms, query=query, keys=keys, values=values,
        score_terms=score_terms, scores=scores, scale=scale, scaled_scores=scores / scale,
    )  # fmt: skip


def check_matrix_matches(matrix_inputs: torch.Tensor, inputs: torch.Tensor, weight_pairs) -> None:
    """Refuse a matrix form computed from other inputs or weights: reusing its keys and values
    would show wrong numbers silently. ``weight_pairs``: (the matrix form's, the caller's) pairs.

    The same tensor object passes at once; a copy is compared, which costs far less than the
    products it saves.
    """

    def same(a: torch.Tensor, b: torch.Tensor) -> bool:
        return a is b or torch.equal(a, b)

    if not (same(matrix_inputs, inputs) and all(same(mine, theirs) for mine, theirs in weight_pairs)):
        raise ValueError("the matrix form passed in was computed from other inputs or weights")


def same_numbers(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    """True when ``a`` and ``b`` hold the very same numbers, bit for bit (or are both None): what
    was computed from one then holds for the other exactly, so it may be reused.

    Bits, not ``==``: 0.0 and −0.0 are equal but may give results of different sign, and NaN is
    never equal to itself. Two views of one tensor (the same memory, shape and strides) are the
    same at once, as is one tensor; anything else is compared, which costs far less than what
    it saves (a 768×64 block of a weight matrix: tens of microseconds).
    """
    if a is b:
        return True
    if a is None or b is None or a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.data_ptr() == b.data_ptr() and a.stride() == b.stride():
        return True
    bits = {torch.float32: torch.int32, torch.float64: torch.int64}.get(a.dtype)
    return torch.equal(a.view(bits), b.view(bits)) if bits is not None else torch.equal(a, b)


def reused_keys_values(matrix: Projections | None, inputs: torch.Tensor, *weights: torch.Tensor):
    """(K, V) of a one-head ``matrix`` form for the loop form, checked; None when there is no ``matrix``."""
    if matrix is None:
        return None
    check_matrix_matches(matrix.inputs, inputs, zip((matrix.w_query, matrix.w_key, matrix.w_value), weights))
    return matrix.keys, matrix.values


# --- softmax and the weighted sum, loop form -----------------------------------------------


@dataclass(frozen=True)
class SoftmaxTerms:
    """The terms of α_i = exp s_i / Σ_j exp s_j for one query's (scaled, maybe masked) scores s.

    Masked scores are −inf: their exp is 0 and their weight 0, and they add nothing to the sum.
    """

    scores: torch.Tensor
    """n: the scores the softmax is taken of."""
    exp: torch.Tensor
    """n: exp s_i, as the book's ``softmax_naive`` computes it (inf when s_i is large)."""
    exp_sum: torch.Tensor
    """Scalar: Σ_j exp s_j (inf after an overflow)."""
    shift: torch.Tensor
    """Scalar: max_j s_j, which ``torch.softmax`` subtracts first so that exp never overflows."""
    shifted_exp: torch.Tensor
    """n: exp(s_i − max s); the largest is 1."""
    shifted_exp_sum: torch.Tensor
    """Scalar: Σ_j exp(s_j − max s)."""
    weights: torch.Tensor
    """n: ``torch.softmax(s)`` = shifted_exp / shifted_exp_sum; sums to 1."""

    @property
    def overflowed(self) -> bool:
        """True when plain exp overflowed (so exp/Σexp is NaN) while the shifted form stayed finite."""
        return bool(not torch.isfinite(self.exp_sum) and torch.isfinite(self.weights).all())


def softmax_terms(scores: torch.Tensor) -> SoftmaxTerms:
    exp = torch.exp(scores)
    shift = scores.max()
    shifted_exp = torch.exp(scores - shift)
    return SoftmaxTerms(
        scores=scores, exp=exp, exp_sum=exp.sum(), shift=shift, shifted_exp=shifted_exp,
        shifted_exp_sum=shifted_exp.sum(), weights=torch.softmax(scores, dim=-1),
    )  # fmt: skip


@dataclass(frozen=True)
class WeightedSum:
    """z = Σ_i α_i · v⁽ⁱ⁾, term by term."""

    terms: torch.Tensor
    """n×d_out: row i is α_i · v⁽ⁱ⁾."""
    running: torch.Tensor
    """n×d_out: row i is the context after adding tokens 0…i (the last row is z)."""

    @property
    def context(self) -> torch.Tensor:
        """d_out: z."""
        return self.running[-1]


def weighted_sum_terms(weights: torch.Tensor, values: torch.Tensor) -> WeightedSum:
    terms = weights.unsqueeze(1) * values
    # cumsum adds the rows in order, as the book's loop does: row i is exactly the running total.
    return WeightedSum(terms=terms, running=torch.cumsum(terms, dim=0))


class QueryWeightsAndContext:
    """The two numbers every one-query result is read for, from its ``softmax`` and ``weighted_values`` fields."""

    softmax: SoftmaxTerms
    weighted_values: WeightedSum

    @property
    def weights(self) -> torch.Tensor:
        """n: α_i, the softmax of the (scaled, maybe masked) scores; sums to 1."""
        return self.softmax.weights

    @property
    def context(self) -> torch.Tensor:
        """d_out: z, the last row of the running weighted sum."""
        return self.weighted_values.context


# --- dropout ----------------------------------------------------------------------------------


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """``torch.manual_seed(seed)`` for the body only; the global random state is restored after.

    Only the CPU generator is seeded and restored: the book's draws are made on it, and
    ``torch.manual_seed`` would also queue a seed for CUDA (capturing a stack trace each time, a few
    ms) that ``fork_rng(devices=[])`` would not undo.
    """
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        yield


def dropout_multipliers(shapes: Sequence[tuple[int, ...]], p: float, seed: int) -> tuple[torch.Tensor, ...]:
    """What ``torch.nn.Dropout(p)`` multiplies by, for consecutive calls on tensors of ``shapes``
    right after ``torch.manual_seed(seed)``: 0 where dropped, 1/(1−p) where kept.

    Exactly the book's draws (``torch.manual_seed(123)`` then ``dropout(torch.ones(6, 6))`` gives
    3.5.2's matrix), and a function of (shapes, p, seed) only, so editing an embedding or a
    weight never re-draws the mask. The caller's random state is left as it was. The tensors are
    shared between calls with the same arguments: multiply by them, do not modify them in place.
    """
    check_dropout(p)
    return _drawn_multipliers(tuple(tuple(shape) for shape in shapes), float(p), seed)


@functools.lru_cache(maxsize=16)
def _drawn_multipliers(shapes: tuple[tuple[int, ...], ...], p: float, seed: int) -> tuple[torch.Tensor, ...]:
    # Cached: a draw is a function of its arguments, and drawing 512×512 (or 12 heads of it) costs
    # tens of ms, which every edit of an embedding or a weight would otherwise pay again. Callers
    # only multiply by these tensors, never change them.
    with seeded(seed):
        return tuple(torch.nn.functional.dropout(torch.ones(shape), p=p, training=True) for shape in shapes)


@dataclass(frozen=True)
class DropoutSetting:
    """Dropout on the attention weights, as ``nn.Dropout(p)`` in a module's training mode.

    Dropout acts only when ``training`` and ``p > 0``; the mask it draws is a function of the
    shape, ``p`` and ``seed`` only (see :func:`dropout_multipliers`).
    """

    p: float = 0.0
    """Probability of dropping each weight, 0 ≤ p < 1."""
    seed: int = 123
    """``torch.manual_seed(seed)`` right before the draw (3.5.2 uses 123)."""
    training: bool = True
    """``module.train()`` (dropout acts) or ``module.eval()`` (it does nothing)."""

    def __post_init__(self) -> None:
        check_dropout(self.p)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"the dropout seed must be a whole number, got {self.seed!r}")

    @property
    def active(self) -> bool:
        return self.training and self.p > 0

    @property
    def keep_factor(self) -> float:
        """1/(1−p): what the survivors are multiplied by, so each row's expected sum stays what it was."""
        return 1.0 / (1.0 - self.p)

    def multipliers(self, *shapes: tuple[int, ...]) -> tuple[torch.Tensor, ...] | None:
        """:func:`dropout_multipliers` for consecutive draws of ``shapes``; None when dropout does not act."""
        return dropout_multipliers(shapes, self.p, self.seed) if self.active else None


NO_DROPOUT = DropoutSetting()
"""p = 0: what the book's modules do with ``dropout=0.0``."""

