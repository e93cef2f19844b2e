"""The book's weight initialisations (ch. 3.4–3.6), reproduced digit for digit.

Each function seeds torch exactly as the book does (``torch.manual_seed(seed)``, then the same
draws in the same order), but inside :func:`torch.random.fork_rng`: the caller's global random
state is the same afterwards as before, so asking for the book's weights never changes what a
later ``torch.rand`` in the app (or a notebook) returns.

Every matrix is returned in the orientation it is *used* in, ``x @ W``: d_in×d_out for W_q, W_k,
W_v, as 3.4.1's ``torch.rand(d_in, d_out)``. ``nn.Linear`` stores its weight as d_out×d_in and
computes ``x @ weight.T``, so the ``nn.Linear`` variants return ``weight.T`` (see the reference
file's closing note). Results are plain tensors (float32, no autograd history), grouped in named
tuples so they unpack like the book's three variables.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from attn_tui.mechanisms.terms import check_heads_divide, check_num_heads, seeded

__all__ = [
    "QKVWeights",
    "MultiHeadWeights",
    "rand_weights",
    "linear_weights",
    "wrapper_heads_weights",
    "multihead_weights",
]


class QKVWeights(NamedTuple):
    """The three projection matrices of one attention head, each d_in×d_out, used as ``x @ W``."""

    w_query: torch.Tensor
    w_key: torch.Tensor
    w_value: torch.Tensor


class MultiHeadWeights(NamedTuple):
    """``MultiHeadAttention``'s parameters (3.6.2), in the orientation they are used in."""

    w_query: torch.Tensor
    """d_in×d_out, split by columns into heads of d_out/h."""
    w_key: torch.Tensor
    """d_in×d_out."""
    w_value: torch.Tensor
    """d_in×d_out."""
    w_out: torch.Tensor
    """d_out×d_out: ``out_proj.weight.T``, so that the output is ``concatenated @ w_out + b_out``."""
    b_out: torch.Tensor
    """d_out: ``out_proj.bias``."""


def _check_sizes(**sizes: int) -> None:
    for name, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {size!r}")


def _linear_weight_used(linear: torch.nn.Linear) -> torch.Tensor:
    """An ``nn.Linear``'s weight as ``x @ W`` uses it: d_in×d_out, detached, contiguous."""
    return linear.weight.detach().T.contiguous()


def _linear_qkv(d_in: int, d_out: int) -> QKVWeights:
    """Three bias-free ``nn.Linear`` in the book's order (query, key, value), from the current RNG."""
    linears = [torch.nn.Linear(d_in, d_out, bias=False) for _ in range(3)]
    return QKVWeights(*(_linear_weight_used(linear) for linear in linears))


def rand_weights(d_in: int, d_out: int, seed: int = 123) -> QKVWeights:
    """3.4.1: ``torch.manual_seed(seed)``, then ``torch.rand(d_in, d_out)`` for W_q, W_k, W_v in that order.

    The book's defaults (d_in 3, d_out 2, seed 123) give W_q = [[0.2961, 0.5166], …].
    """
    _check_sizes(d_in=d_in, d_out=d_out)
    with seeded(seed):
        return QKVWeights(*(torch.rand(d_in, d_out) for _ in range(3)))


def linear_weights(d_in: int, d_out: int, seed: int = 789) -> QKVWeights:
    """``SelfAttention_v2`` (seed 789) and ``CausalAttention`` (seed 123): three ``nn.Linear(bias=False)``.

    Each is returned as ``weight.T`` (d_in×d_out). ``CausalAttention``'s dropout module and mask
    buffer are built after the three layers and draw nothing from the generator, so its weights
    are these too (the tests check this against the book's class).
    """
    _check_sizes(d_in=d_in, d_out=d_out)
    with seeded(seed):
        return _linear_qkv(d_in, d_out)


def wrapper_heads_weights(d_in: int, d_out: int, num_heads: int, seed: int = 123) -> tuple[QKVWeights, ...]:
    """3.6.1's ``MultiHeadAttentionWrapper``: ``num_heads`` ``CausalAttention`` heads built in order.

    Each head draws its own query, key and value layers from the one stream, so head 0 equals
    ``linear_weights(d_in, d_out, seed)`` and head 1 continues where it stopped. ``d_out`` is per
    head; the concatenated output has ``num_heads * d_out`` columns.
    """
    _check_sizes(d_in=d_in, d_out=d_out)
    check_num_heads(num_heads)
    with seeded(seed):
        return tuple(_linear_qkv(d_in, d_out) for _ in range(num_heads))


def multihead_weights(d_in: int, d_out: int, num_heads: int, seed: int = 123) -> MultiHeadWeights:
    """3.6.2's ``MultiHeadAttention``: W_q, W_k, W_v (bias-free), then ``out_proj`` (with bias), in that order.

    ``out_proj`` is ``nn.Linear(d_out, d_out)``: its weight is drawn before its bias, as the book's
    module does. ``d_out`` must be divisible by ``num_heads`` (the book's assertion).
    """
    _check_sizes(d_in=d_in, d_out=d_out)
    check_heads_divide(d_out, num_heads)
    with seeded(seed):
        qkv = _linear_qkv(d_in, d_out)
        out_proj = torch.nn.Linear(d_out, d_out)
    return MultiHeadWeights(*qkv, w_out=_linear_weight_used(out_proj), b_out=out_proj.bias.detach().clone())

