"""An independent reference for chapter 3.4–3.6, in plain Python floats (float64).

No torch, no attn_tui: lists of lists and the formulas as the book states them, written the
obvious way (explicit sums, a softmax over the visible scores only, dropout from a given keep
mask). The compute tests compare the torch core with it on random inputs; it shares no code with
the core, so a mistake would have to be made twice, differently, to pass.

Matrices are lists of rows; weights are used as ``x @ W`` (d_in×d_out).
"""

from __future__ import annotations

import math

Matrix = list[list[float]]
Vector = list[float]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a_row[k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for a_row in a]


def transpose(a: Matrix) -> Matrix:
    return [list(column) for column in zip(*a)]


def columns(a: Matrix, start: int, stop: int) -> Matrix:
    return [row[start:stop] for row in a]


def softmax_visible(scores: Vector, visible: list[bool]) -> Vector:
    """exp(s_i − max) / Σ over the visible tokens; 0 for the others."""
    top = max(s for s, v in zip(scores, visible) if v)
    exps = [math.exp(s - top) if v else 0.0 for s, v in zip(scores, visible)]
    total = sum(exps)
    return [e / total for e in exps]


def _attention(x: Matrix, w_query: Matrix, w_key: Matrix, w_value: Matrix, causal: bool, keep: list[list[bool]] | None, p: float) -> dict:
    queries, keys, values = matmul(x, w_query), matmul(x, w_key), matmul(x, w_value)
    d_k = len(keys[0])
    n = len(x)
    scores = matmul(queries, transpose(keys))
    visible = [[(j <= i) or not causal for j in range(n)] for i in range(n)]
    weights = [softmax_visible([s / math.sqrt(d_k) for s in scores[i]], visible[i]) for i in range(n)]
    if keep is None:
        after_dropout = weights
    else:
        after_dropout = [[w / (1.0 - p) if k else 0.0 for w, k in zip(w_row, k_row)] for w_row, k_row in zip(weights, keep)]
    context = matmul(after_dropout, values)
    result = dict(queries=queries, keys=keys, values=values, scores=scores, weights=weights, dropped_weights=after_dropout, context=context)
    if causal:
        plain = [softmax_visible([s / math.sqrt(d_k) for s in scores[i]], [True] * n) for i in range(n)]
        tril = [[w if visible[i][j] else 0.0 for j, w in enumerate(plain[i])] for i in range(n)]
        result.update(
            masked_scores=[[s if visible[i][j] else -math.inf for j, s in enumerate(scores[i])] for i in range(n)],
            tril_weights=tril,
            renormalised_weights=[[w / sum(row) for w in row] for row in tril],
        )
    return result


def scaled_attention(x: Matrix, w_query: Matrix, w_key: Matrix, w_value: Matrix) -> dict:
    """3.4: Q, K, V, ω = QKᵀ, α = softmax(ω/√d_k), Z = αV."""
    return _attention(x, w_query, w_key, w_value, causal=False, keep=None, p=0.0)


def causal_attention(x: Matrix, w_query: Matrix, w_key: Matrix, w_value: Matrix, keep: list[list[bool]] | None = None, p: float = 0.0) -> dict:
    """3.5: as 3.4 with the tokens after each query masked; ``keep`` (n×n, True = kept) applies dropout."""
    return _attention(x, w_query, w_key, w_value, causal=True, keep=keep, p=p)


def wrapper(x: Matrix, heads: list[tuple[Matrix, Matrix, Matrix]], keeps: list | None = None, p: float = 0.0) -> Matrix:
    """3.6.1: each head's causal context, concatenated row by row."""
    outputs = [causal_attention(x, *head, keep=None if keeps is None else keeps[k], p=p)["context"] for k, head in enumerate(heads)]
    return [sum((output[i] for output in outputs), []) for i in range(len(x))]


def multihead(
    x: Matrix, w_query: Matrix, w_key: Matrix, w_value: Matrix, w_out: Matrix, b_out: Vector, num_heads: int,
    keeps: list | None = None, p: float = 0.0,
) -> dict:  # fmt: skip
    """3.6.2: head k uses columns k·d_head … of each W, scaled by √d_head; concat · W_out + b_out."""
    d_head = len(w_query[0]) // num_heads
    heads = [
        causal_attention(
            x, *(columns(w, k * d_head, (k + 1) * d_head) for w in (w_query, w_key, w_value)),
            keep=None if keeps is None else keeps[k], p=p,
        )
        for k in range(num_heads)
    ]  # fmt: skip
    concatenated = [sum((head["context"][i] for head in heads), []) for i in range(len(x))]
    projected = matmul(concatenated, w_out)
    context = [[value + bias for value, bias in zip(row, b_out)] for row in projected]
    return dict(heads=heads, concatenated=concatenated, context=context)
