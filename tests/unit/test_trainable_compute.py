"""Section 3.4's compute core (attn_tui.mechanisms.trainable.compute) and the book's weight
initialisations (attn_tui.mechanisms.weights): every printed number, loop form = matrix form, and
agreement with torch's own scaled_dot_product_attention on random inputs."""

from __future__ import annotations

import pytest
import torch
from book_chapter3 import (
    ATTN_SCORE_22,
    ATTN_SCORES_2,
    ATTN_WEIGHTS_2,
    CONTEXT_VEC_2,
    JOURNEY,
    QUERY_2,
    SELF_ATTENTION_V1,
    SELF_ATTENTION_V2,
    W_KEY,
    W_QUERY,
    W_VALUE,
    SelfAttention_v1,
    SelfAttention_v2,
    assert_book_digits,
    book_inputs,
)

from attn_tui.mechanisms.trainable.compute import attend_one_query_scaled, scaled_attention
from attn_tui.mechanisms.weights import linear_weights, rand_weights

# (tokens, d_in, d_out): one token, d_out below, equal to and above d_in.
SHAPES = [(1, 3, 2), (2, 1, 1), (6, 3, 2), (5, 4, 7), (7, 8, 3), (4, 5, 5), (9, 6, 16)]


def random_case(n: int, d_in: int, d_out: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Inputs and W_q, W_k, W_v from their own generator (never torch's global one), spread like real embeddings."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, d_in, generator=generator)
    weights = [torch.randn(d_in, d_out, generator=generator) / d_in**0.5 for _ in range(3)]
    return (inputs, *weights)


# --- the book's weights -----------------------------------------------------------------------


def test_rand_weights_are_the_books():
    """3.4.1: seed 123, torch.rand(3, 2) for query, key, value in that order."""
    w_query, w_key, w_value = rand_weights(3, 2)
    assert_book_digits(w_query, W_QUERY)
    assert_book_digits(w_key, W_KEY)
    assert_book_digits(w_value, W_VALUE)


def test_rand_weights_equal_self_attention_v1s_parameters():
    torch.manual_seed(123)
    module = SelfAttention_v1(4, 5)
    ours = rand_weights(4, 5, seed=123)
    for mine, theirs in zip(ours, (module.W_query, module.W_key, module.W_value)):
        assert torch.equal(mine, theirs.detach())


def test_linear_weights_are_self_attention_v2s_transposed():
    torch.manual_seed(789)
    module = SelfAttention_v2(3, 2)
    ours = linear_weights(3, 2)
    for mine, theirs in zip(ours, (module.W_query, module.W_key, module.W_value)):
        assert mine.shape == (3, 2)
        assert torch.equal(mine, theirs.weight.detach().T)


def test_the_callers_seed_does_not_change_the_books_weights():
    torch.manual_seed(5)
    torch.rand(10)
    assert_book_digits(rand_weights(3, 2).w_query, W_QUERY)


@pytest.mark.parametrize("make", [lambda: rand_weights(3, 2), lambda: linear_weights(3, 2)])
def test_the_callers_random_stream_is_untouched(make):
    """Asking for the book's weights must not change what the app's next torch.rand returns."""
    torch.manual_seed(2024)
    expected = torch.rand(4)
    torch.manual_seed(2024)
    make()
    assert torch.equal(torch.rand(4), expected)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_weights_refuse_sizes_that_are_not_positive_whole_numbers(bad):
    with pytest.raises(ValueError, match="d_out"):
        rand_weights(3, bad)


# --- 3.4.1, the query "journey", loop form ---------------------------------------------------


@pytest.fixture(scope="module")
def journey():
    return attend_one_query_scaled(book_inputs(), *rand_weights(3, 2), JOURNEY)


def test_journey_every_printed_number(journey):
    assert_book_digits(journey.query, QUERY_2)
    assert_book_digits(journey.scores[JOURNEY], ATTN_SCORE_22)
    assert_book_digits(journey.scores, ATTN_SCORES_2)
    assert_book_digits(journey.weights, ATTN_WEIGHTS_2)
    assert_book_digits(journey.context, CONTEXT_VEC_2)


def test_journey_projection_terms(journey):
    """q⁽²⁾₁ = 0.55×0.2961 + 0.87×0.2517 + 0.66×0.0740 = 0.4306: the terms the walkthrough prints."""
    assert journey.query_terms.shape == (3, 2)
    assert_book_digits(journey.query_terms[:, 0], [0.55 * 0.2961, 0.87 * 0.2517, 0.66 * 0.0740])
    torch.testing.assert_close(journey.query_terms.sum(dim=0), journey.query)
    torch.testing.assert_close(journey.key_terms(4).sum(dim=0), journey.keys[4])
    torch.testing.assert_close(journey.value_terms(0).sum(dim=0), journey.values[0])


def test_journey_scores_scaling_and_softmax_terms(journey):
    assert journey.scale == pytest.approx(2**0.5)
    torch.testing.assert_close(journey.score_terms.sum(dim=1), journey.scores)
    torch.testing.assert_close(journey.score_terms[2], journey.query * journey.keys[2])
    torch.testing.assert_close(journey.scaled_scores, journey.scores / 2**0.5)
    softmax = journey.softmax
    torch.testing.assert_close(softmax.exp, torch.exp(journey.scaled_scores))
    torch.testing.assert_close(softmax.exp / softmax.exp_sum, journey.weights)
    torch.testing.assert_close(softmax.shifted_exp / softmax.shifted_exp_sum, journey.weights)
    assert softmax.shifted_exp.max() == 1.0
    assert not softmax.overflowed


def test_journey_running_context(journey):
    terms = journey.weighted_values.terms
    torch.testing.assert_close(terms[3], journey.weights[3] * journey.values[3])
    running = journey.weighted_values.running
    assert running.shape == (6, 2)
    torch.testing.assert_close(running[0], terms[0])
    torch.testing.assert_close(running[2], terms[:3].sum(dim=0))
    assert torch.equal(running[-1], journey.context)


# --- matrix form ------------------------------------------------------------------------------


def test_self_attention_v1_all_six_context_vectors():
    result = scaled_attention(book_inputs(), *rand_weights(3, 2))
    assert_book_digits(result.context, SELF_ATTENTION_V1)
    assert_book_digits(result.queries[JOURNEY], QUERY_2)
    assert_book_digits(result.weights[JOURNEY], ATTN_WEIGHTS_2)


def test_self_attention_v2_with_linear_seed_789():
    result = scaled_attention(book_inputs(), *linear_weights(3, 2, seed=789))
    assert_book_digits(result.context, SELF_ATTENTION_V2)


def test_matrix_form_equals_the_books_modules():
    inputs = book_inputs()
    torch.manual_seed(123)
    v1 = SelfAttention_v1(3, 2)
    torch.manual_seed(789)
    v2 = SelfAttention_v2(3, 2)
    with torch.no_grad():
        torch.testing.assert_close(scaled_attention(inputs, *rand_weights(3, 2)).context, v1(inputs))
        torch.testing.assert_close(scaled_attention(inputs, *linear_weights(3, 2)).context, v2(inputs))


def test_matrix_fields(journey):
    result = scaled_attention(book_inputs(), *rand_weights(3, 2))
    assert result.scores.shape == result.weights.shape == (6, 6)
    assert result.queries.shape == result.keys.shape == result.values.shape == result.context.shape == (6, 2)
    torch.testing.assert_close(result.scaled_scores, result.scores / 2**0.5)
    torch.testing.assert_close(result.weights.sum(dim=-1), torch.ones(6))
    torch.testing.assert_close(result.unscaled_weights, torch.softmax(result.scores, dim=-1))
    torch.testing.assert_close(result.unscaled_weights[JOURNEY], journey.unscaled_weights)


# --- random inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_loop_form_equals_matrix_form(n, d_in, d_out, seed):
    inputs, *weights = random_case(n, d_in, d_out, seed)
    matrix = scaled_attention(inputs, *weights)
    for query_index in range(n):
        loop = attend_one_query_scaled(inputs, *weights, query_index)
        torch.testing.assert_close(loop.query, matrix.queries[query_index])
        torch.testing.assert_close(loop.scores, matrix.scores[query_index])
        torch.testing.assert_close(loop.scaled_scores, matrix.scaled_scores[query_index])
        torch.testing.assert_close(loop.weights, matrix.weights[query_index])
        torch.testing.assert_close(loop.unscaled_weights, matrix.unscaled_weights[query_index])
        torch.testing.assert_close(loop.context, matrix.context[query_index])
        reusing = attend_one_query_scaled(inputs, *weights, query_index, matrix=matrix)
        assert reusing.keys is matrix.keys and reusing.values is matrix.values
        torch.testing.assert_close(reusing.context, loop.context)


def test_the_loop_form_refuses_a_stale_matrix_form():
    """Reusing keys and values computed before an edit would show wrong numbers silently."""
    inputs, *weights = random_case(4, 3, 2, seed=0)
    matrix = scaled_attention(inputs, *weights)
    edited = inputs.clone()
    edited[2, 1] += 1
    with pytest.raises(ValueError, match="other inputs or weights"):
        attend_one_query_scaled(edited, *weights, 0, matrix=matrix)
    with pytest.raises(ValueError, match="other inputs or weights"):
        attend_one_query_scaled(inputs, weights[0], weights[1] * 2, weights[2], 0, matrix=matrix)


@pytest.mark.parametrize("n, d_in, d_out", SHAPES)
def test_agrees_with_torchs_scaled_dot_product_attention(n, d_in, d_out):
    inputs, *weights = random_case(n, d_in, d_out, seed=n * 100 + d_out)
    result = scaled_attention(inputs, *weights)
    expected = torch.nn.functional.scaled_dot_product_attention(result.queries, result.keys, result.values)
    torch.testing.assert_close(result.context, expected)
    # And from the embeddings, not from our own projections:
    w_query, w_key, w_value = weights
    torch.testing.assert_close(
        result.context,
        torch.nn.functional.scaled_dot_product_attention(inputs @ w_query, inputs @ w_key, inputs @ w_value),
    )


@pytest.mark.parametrize("seed", range(5))
def test_scaling_never_sharpens_the_weights(seed):
    """Dividing by √d_k > 1 is a temperature: each row's largest weight can only go down."""
    inputs, *weights = random_case(12, 16, 64, seed)
    result = scaled_attention(inputs, *(w * 4 for w in weights))
    assert (result.unscaled_weights.max(dim=-1).values >= result.weights.max(dim=-1).values - 1e-6).all()


def test_large_scores_overflow_exp_but_not_the_weights():
    inputs = torch.tensor([[100.0, 0.0], [0.0, 1.0]])
    eye = torch.eye(2) * 3
    result = attend_one_query_scaled(inputs, eye, eye, eye, 0)
    assert result.softmax.overflowed
    assert torch.isinf(result.softmax.exp_sum)
    assert torch.isfinite(result.weights).all()
    torch.testing.assert_close(result.weights.sum(), torch.tensor(1.0))


# --- refusals ---------------------------------------------------------------------------------


def test_refuses_weights_that_do_not_fit_the_inputs():
    inputs = book_inputs()
    w = torch.rand(3, 2)
    with pytest.raises(ValueError, match="d_in = 3"):
        scaled_attention(inputs, torch.rand(4, 2), w, w)
    with pytest.raises(ValueError, match="same shape"):
        scaled_attention(inputs, w, torch.rand(3, 5), w)
    with pytest.raises(ValueError, match="float64"):
        scaled_attention(inputs, w.double(), w, w)


def test_refuses_a_query_index_outside_the_tokens():
    w = torch.rand(3, 2)
    with pytest.raises(IndexError):
        attend_one_query_scaled(book_inputs(), w, w, w, 6)
    assert attend_one_query_scaled(book_inputs(), w, w, w, -1).query_index == 5
