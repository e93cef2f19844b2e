"""Section 3.5's compute core (attn_tui.mechanisms.causal.compute): every printed number (the
mask, both ways of masking, dropout, CausalAttention), loop form = matrix form, the book's own
module, and torch's scaled_dot_product_attention(is_causal=True) on random inputs."""

from __future__ import annotations

import pytest
import torch
from book_chapter3 import (
    CAUSAL_ATTENTION,
    CAUSAL_WEIGHTS,
    DROPOUT_ONES,
    DROPOUT_WEIGHTS,
    JOURNEY,
    MASKED_SCORES,
    TRIL_WEIGHTS,
    CausalAttention,
    assert_book_digits,
    book_inputs,
)

from attn_tui.mechanisms.causal.compute import attend_one_query_causal, causal_attention, causal_mask
from attn_tui.mechanisms.terms import DropoutSetting, dropout_multipliers
from attn_tui.mechanisms.weights import linear_weights

SHAPES = [(1, 3, 2), (2, 1, 1), (6, 3, 2), (5, 4, 7), (7, 8, 3), (9, 6, 16)]
BOOK_DROPOUT = DropoutSetting(p=0.5, seed=123, training=True)


def random_case(n: int, d_in: int, d_out: int, seed: int) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, d_in, generator=generator)
    return (inputs, *(torch.randn(d_in, d_out, generator=generator) / d_in**0.5 for _ in range(3)))


@pytest.fixture(scope="module")
def v2_causal():
    """3.5.1: SelfAttention_v2's projections (nn.Linear, seed 789), no dropout."""
    return causal_attention(book_inputs(), *linear_weights(3, 2, seed=789))


# --- 3.5.1, the mask and the two ways ---------------------------------------------------------


def test_causal_weights_are_the_books(v2_causal):
    assert_book_digits(v2_causal.weights, CAUSAL_WEIGHTS)
    assert_book_digits(v2_causal.masked_scores, MASKED_SCORES)


def test_the_first_way_is_the_books(v2_causal):
    """softmax, × tril(ones), renormalise: the intermediate 0.1921 0.2041 …, then the same weights."""
    assert_book_digits(v2_causal.tril_weights, TRIL_WEIGHTS)
    assert_book_digits(v2_causal.renormalised_weights, CAUSAL_WEIGHTS)
    assert v2_causal.first_way_max_difference < 1e-6
    torch.testing.assert_close(v2_causal.plain_weights, torch.softmax(v2_causal.scores / 2**0.5, dim=-1))


def test_mask_is_above_the_diagonal():
    assert torch.equal(causal_mask(3), torch.tensor([[False, True, True], [False, False, True], [False, False, False]]))


def test_journey_loop_form(v2_causal):
    """The query "journey" sees "Your" and itself: weights 0.5517 0.4483, the rest masked, not dropped."""
    journey = attend_one_query_causal(book_inputs(), *linear_weights(3, 2, seed=789), JOURNEY)
    assert_book_digits(journey.weights, CAUSAL_WEIGHTS[JOURNEY])
    assert journey.visible.tolist() == [True, True, False, False, False, False]
    assert journey.weights.shape == journey.masked_scores.shape == (6,)
    assert torch.isinf(journey.masked_scores[2:]).all() and (journey.masked_scores[2:] < 0).all()
    assert_book_digits(journey.masked_scores[:2], MASKED_SCORES[JOURNEY][:2])
    assert (journey.softmax.exp[2:] == 0).all()
    torch.testing.assert_close(journey.softmax.exp / journey.softmax.exp_sum, journey.weights)
    torch.testing.assert_close(journey.weights[:2].sum(), torch.tensor(1.0))
    assert_book_digits(journey.tril_weights, TRIL_WEIGHTS[JOURNEY])
    torch.testing.assert_close(journey.tril_sum, torch.tensor(TRIL_WEIGHTS[JOURNEY]).sum(), atol=1e-4, rtol=0)
    assert_book_digits(journey.renormalised_weights, CAUSAL_WEIGHTS[JOURNEY])
    assert journey.first_way_max_difference < 1e-6
    assert (journey.weighted_values.terms[2:] == 0).all()
    torch.testing.assert_close(journey.context, v2_causal.context[JOURNEY])


# --- 3.5.2, dropout ---------------------------------------------------------------------------


def test_dropout_mask_is_the_books():
    (multiplier,) = dropout_multipliers([(6, 6)], p=0.5, seed=123)
    assert torch.equal(multiplier, torch.tensor(DROPOUT_ONES))


def test_dropout_on_the_causal_weights_is_the_books():
    result = causal_attention(book_inputs(), *linear_weights(3, 2, seed=789), BOOK_DROPOUT)
    assert torch.equal(result.dropout_multiplier, torch.tensor(DROPOUT_ONES))
    assert_book_digits(result.dropped_weights, DROPOUT_WEIGHTS)
    assert torch.equal(result.dropped, torch.tensor(DROPOUT_ONES) == 0)
    assert BOOK_DROPOUT.keep_factor == 2.0
    torch.testing.assert_close(result.context, result.dropped_weights @ result.values)
    assert_book_digits(result.weights, CAUSAL_WEIGHTS)  # the weights before dropout are untouched


def test_the_loop_form_takes_its_row_of_the_same_mask():
    weights = linear_weights(3, 2, seed=789)
    for query_index in range(6):
        one = attend_one_query_causal(book_inputs(), *weights, query_index, BOOK_DROPOUT)
        assert torch.equal(one.dropout_multiplier, torch.tensor(DROPOUT_ONES[query_index]))
        assert_book_digits(one.dropped_weights, DROPOUT_WEIGHTS[query_index])
        assert one.dropped.tolist() == [value == 0 for value in DROPOUT_ONES[query_index]]


def test_dropout_mask_depends_only_on_tokens_p_and_seed():
    """Editing an embedding or a weight must not re-draw the mask; another seed does."""
    first = causal_attention(*random_case(6, 3, 2, seed=1), BOOK_DROPOUT)
    edited = causal_attention(*random_case(6, 5, 4, seed=2), BOOK_DROPOUT)
    assert torch.equal(first.dropout_multiplier, edited.dropout_multiplier)
    reseeded = causal_attention(*random_case(6, 3, 2, seed=1), DropoutSetting(p=0.5, seed=124))
    assert not torch.equal(first.dropout_multiplier, reseeded.dropout_multiplier)


def test_a_redraw_with_the_same_seed_is_free():
    """The draw is cached by (shapes, p, seed): recomputing after an edit does not pay for it again."""
    first = dropout_multipliers([(64, 64)], p=0.5, seed=99)
    assert dropout_multipliers([(64, 64)], p=0.5, seed=99)[0] is first[0]


def test_dropout_leaves_the_callers_random_stream_alone():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    causal_attention(book_inputs(), *linear_weights(3, 2), BOOK_DROPOUT)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("n, p, seed", [(1, 0.5, 0), (6, 0.1, 5), (7, 0.9, 42), (33, 0.3, 123)])
def test_dropout_multipliers_are_torchs_dropout(n, p, seed):
    torch.manual_seed(seed)
    expected = torch.nn.Dropout(p)(torch.ones(n, n))
    (multiplier,) = dropout_multipliers([(n, n)], p, seed)
    assert torch.equal(multiplier, expected)
    kept = multiplier[multiplier != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 1 / (1 - p)))


@pytest.mark.parametrize("setting", [DropoutSetting(p=0.5, training=False), DropoutSetting(p=0.0, training=True)])
def test_no_dropout_in_evaluation_or_at_p_zero(setting):
    result = causal_attention(book_inputs(), *linear_weights(3, 2, seed=789), setting)
    assert result.dropout_multiplier is None
    assert not result.dropped.any()
    assert result.dropped_weights is result.weights
    one = attend_one_query_causal(book_inputs(), *linear_weights(3, 2, seed=789), 3, setting)
    assert one.dropout_multiplier is None and one.dropped_weights is one.weights


def test_survivors_scaled_by_one_over_keep_keep_the_expected_row_sum():
    """Why 1/(1−p): over many masks, each row of the weights after dropout still sums to 1 on average."""
    weights = causal_attention(*random_case(5, 3, 2, seed=3)).weights
    (masks,) = DropoutSetting(p=0.3, seed=0).multipliers((2000, 5, 5))
    row_sums = (weights * masks).sum(dim=-1)
    torch.testing.assert_close(row_sums.mean(dim=0), torch.ones(5), atol=0.03, rtol=0)
    unscaled_row_sums = (weights * (masks != 0)).sum(dim=-1)
    assert (unscaled_row_sums.mean(dim=0) < 0.75).all()  # without the factor: 1 − p on average


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, "0.5"])
def test_dropout_refuses_p_outside_zero_to_one(p):
    with pytest.raises(ValueError, match="dropout probability"):
        DropoutSetting(p=p)


# --- 3.5.3, CausalAttention -------------------------------------------------------------------


def test_causal_attention_module_is_the_books():
    result = causal_attention(book_inputs(), *linear_weights(3, 2, seed=123))
    assert_book_digits(result.context, CAUSAL_ATTENTION)


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_linear_weights_are_causal_attentions_whatever_its_dropout(dropout):
    """Its Dropout module and mask buffer draw nothing, so seed 123 gives SelfAttention_v2-style weights."""
    torch.manual_seed(123)
    module = CausalAttention(3, 2, context_length=6, dropout=dropout)
    for mine, layer in zip(linear_weights(3, 2, seed=123), (module.W_query, module.W_key, module.W_value)):
        assert torch.equal(mine, layer.weight.detach().T)


@pytest.mark.parametrize("p, seed", [(0.0, 123), (0.5, 123), (0.2, 9)])
def test_equals_the_books_module_forward_in_training(p, seed):
    """The module's forward after torch.manual_seed(seed): the same mask, so the same context."""
    inputs = book_inputs()
    torch.manual_seed(123)
    module = CausalAttention(3, 2, context_length=6, dropout=p)
    torch.manual_seed(seed)
    with torch.no_grad():
        expected = module(inputs.unsqueeze(0))[0]
    ours = causal_attention(inputs, *linear_weights(3, 2, seed=123), DropoutSetting(p=p, seed=seed))
    torch.testing.assert_close(ours.context, expected)


# --- random inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out", SHAPES)
@pytest.mark.parametrize("dropout", [DropoutSetting(), BOOK_DROPOUT])
def test_loop_form_equals_matrix_form(n, d_in, d_out, dropout):
    inputs, *weights = random_case(n, d_in, d_out, seed=n + d_out)
    matrix = causal_attention(inputs, *weights, dropout)
    for query_index in range(n):
        loop = attend_one_query_causal(inputs, *weights, query_index, dropout)
        assert torch.equal(loop.visible, ~matrix.mask[query_index])
        torch.testing.assert_close(loop.masked_scores, matrix.masked_scores[query_index])
        torch.testing.assert_close(loop.weights, matrix.weights[query_index])
        torch.testing.assert_close(loop.renormalised_weights, matrix.renormalised_weights[query_index])
        torch.testing.assert_close(loop.tril_weights, matrix.tril_weights[query_index])
        torch.testing.assert_close(loop.dropped_weights, matrix.dropped_weights[query_index])
        torch.testing.assert_close(loop.context, matrix.context[query_index])
        reusing = attend_one_query_causal(inputs, *weights, query_index, dropout, matrix=matrix)
        assert reusing.keys is matrix.keys
        torch.testing.assert_close(reusing.context, loop.context)


@pytest.mark.parametrize("n, d_in, d_out", SHAPES)
def test_agrees_with_torchs_causal_scaled_dot_product_attention(n, d_in, d_out):
    inputs, w_query, w_key, w_value = random_case(n, d_in, d_out, seed=7 * n + d_in)
    result = causal_attention(inputs, w_query, w_key, w_value)
    expected = torch.nn.functional.scaled_dot_product_attention(inputs @ w_query, inputs @ w_key, inputs @ w_value, is_causal=True)
    torch.testing.assert_close(result.context, expected)
    assert result.first_way_max_difference < 1e-5
