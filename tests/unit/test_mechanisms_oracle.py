"""The torch cores of 3.4–3.6 against the independent float64 oracle (tests/oracle_weights.py)
on random inputs: every matrix the oracle computes, to 1e-4; dropout given the same keep mask."""

from __future__ import annotations

import random

import oracle_weights as oracle
import pytest
import torch
from book_chapter3 import CAUSAL_WEIGHTS, MULTIHEAD, SELF_ATTENTION_V1, WRAPPER, BOOK_INPUTS, assert_book_digits

from attn_tui.mechanisms.causal.compute import attend_one_query_causal, causal_attention
from attn_tui.mechanisms.multihead.compute import attend_one_query_multihead, multihead_attention, wrapper_attention
from attn_tui.mechanisms.terms import DropoutSetting
from attn_tui.mechanisms.trainable.compute import attend_one_query_scaled, scaled_attention
from attn_tui.mechanisms.weights import linear_weights, multihead_weights, rand_weights, wrapper_heads_weights

# (tokens, d_in, d_out, heads)
SHAPES = [(1, 3, 2, 1), (6, 3, 2, 2), (5, 4, 6, 3), (8, 7, 4, 4), (3, 2, 9, 3), (10, 6, 8, 2)]
DROPOUT = DropoutSetting(p=0.4, seed=31)


def random_matrix(rng: random.Random, rows: int, cols: int, spread: float = 1.0) -> list[list[float]]:
    return [[rng.gauss(0.0, spread) for _ in range(cols)] for _ in range(rows)]


def as_tensors(*matrices) -> list[torch.Tensor]:
    return [torch.tensor(m, dtype=torch.float32) for m in matrices]


def assert_near(actual: torch.Tensor, expected) -> None:
    torch.testing.assert_close(actual, torch.tensor(expected, dtype=torch.float32), atol=1e-4, rtol=1e-4)


def single_head_case(n: int, d_in: int, d_out: int, seed: int):
    rng = random.Random(seed)
    return random_matrix(rng, n, d_in), *(random_matrix(rng, d_in, d_out, d_in**-0.5) for _ in range(3))


def keep_mask(multiplier: torch.Tensor) -> list:
    """The oracle takes dropout as a given mask: the one the torch core drew."""
    return (multiplier != 0).tolist()


# --- the oracle reads the book correctly ------------------------------------------------------


def test_oracle_reproduces_the_books_numbers():
    """Given the book's exact weights (drawn by torch, handed over as floats), the oracle prints the book's digits."""
    as_lists = lambda weights: [w.tolist() for w in weights]  # noqa: E731
    assert_book_digits(torch.tensor(oracle.scaled_attention(BOOK_INPUTS, *as_lists(rand_weights(3, 2)))["context"]), SELF_ATTENTION_V1)
    causal = oracle.causal_attention(BOOK_INPUTS, *as_lists(linear_weights(3, 2, seed=789)))
    assert_book_digits(torch.tensor(causal["weights"]), CAUSAL_WEIGHTS)
    heads = [as_lists(head) for head in wrapper_heads_weights(3, 2, 2)]
    assert_book_digits(torch.tensor(oracle.wrapper(BOOK_INPUTS, heads)), WRAPPER)
    mha = as_lists(multihead_weights(3, 2, 2))
    assert_book_digits(torch.tensor(oracle.multihead(BOOK_INPUTS, *mha, num_heads=2)["context"]), MULTIHEAD)


# --- 3.4 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out, _heads", SHAPES)
def test_scaled_attention_against_the_oracle(n, d_in, d_out, _heads):
    case = single_head_case(n, d_in, d_out, seed=n * 31 + d_out)
    expected = oracle.scaled_attention(*case)
    ours = scaled_attention(*as_tensors(*case))
    for field in ("queries", "keys", "values", "scores", "weights", "context"):
        assert_near(getattr(ours, field), expected[field])
    last = attend_one_query_scaled(*as_tensors(*case), n - 1)
    assert_near(last.weights, expected["weights"][-1])
    assert_near(last.context, expected["context"][-1])


# --- 3.5 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out, _heads", SHAPES)
@pytest.mark.parametrize("dropout", [DropoutSetting(), DROPOUT])
def test_causal_attention_against_the_oracle(n, d_in, d_out, _heads, dropout):
    case = single_head_case(n, d_in, d_out, seed=n * 17 + d_in)
    ours = causal_attention(*as_tensors(*case), dropout)
    keep = None if ours.dropout_multiplier is None else keep_mask(ours.dropout_multiplier)
    expected = oracle.causal_attention(*case, keep=keep, p=dropout.p)
    for field in ("masked_scores", "weights", "tril_weights", "renormalised_weights", "dropped_weights", "context"):
        assert_near(getattr(ours, field), expected[field])
    middle = attend_one_query_causal(*as_tensors(*case), n // 2, dropout)
    assert_near(middle.dropped_weights, expected["dropped_weights"][n // 2])
    assert_near(middle.context, expected["context"][n // 2])


# --- 3.6 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out, num_heads", SHAPES)
@pytest.mark.parametrize("dropout", [DropoutSetting(), DROPOUT])
def test_wrapper_against_the_oracle(n, d_in, d_out, num_heads, dropout):
    rng = random.Random(n + 100 * num_heads)
    x = random_matrix(rng, n, d_in)
    heads = [[random_matrix(rng, d_in, d_out // num_heads) for _ in range(3)] for _ in range(num_heads)]
    ours = wrapper_attention(torch.tensor(x), [as_tensors(*head) for head in heads], dropout)
    keeps = None if ours.heads.dropout_multiplier is None else keep_mask(ours.heads.dropout_multiplier)
    assert_near(ours.context, oracle.wrapper(x, heads, keeps=keeps, p=dropout.p))


@pytest.mark.parametrize("n, d_in, d_out, num_heads", SHAPES)
@pytest.mark.parametrize("dropout", [DropoutSetting(), DROPOUT])
def test_multihead_against_the_oracle(n, d_in, d_out, num_heads, dropout):
    rng = random.Random(n * 7 + d_out)
    x = random_matrix(rng, n, d_in)
    qkv = [random_matrix(rng, d_in, d_out, d_in**-0.5) for _ in range(3)]
    w_out = random_matrix(rng, d_out, d_out, d_out**-0.5)
    b_out = [rng.gauss(0.0, 1.0) for _ in range(d_out)]
    tensors = [*as_tensors(x, *qkv, w_out), torch.tensor(b_out)]
    ours = multihead_attention(*tensors, num_heads, dropout)
    keeps = None if ours.heads.dropout_multiplier is None else keep_mask(ours.heads.dropout_multiplier)
    expected = oracle.multihead(x, *qkv, w_out, b_out, num_heads, keeps=keeps, p=dropout.p)
    for k, head in enumerate(expected["heads"]):
        assert_near(ours.heads.weights[k], head["weights"])
        assert_near(ours.heads.dropped_weights[k], head["dropped_weights"])
    assert_near(ours.concatenated, expected["concatenated"])
    assert_near(ours.context, expected["context"])
    first = attend_one_query_multihead(*tensors, num_heads, 0, dropout)
    assert_near(first.context, expected["context"][0])
