"""Section 3.6's compute core (attn_tui.mechanisms.multihead.compute): every printed number of
both variants, the book's own modules (weights and forward, with dropout too), loop form = matrix
form, torch.nn.MultiheadAttention loaded with the same weights, and each head against
scaled_dot_product_attention(is_causal=True), on random inputs incl. 1 token and h = d_out."""

from __future__ import annotations

import pytest
import torch
from book_chapter3 import (
    CAUSAL_ATTENTION,
    JOURNEY,
    MULTIHEAD,
    WRAPPER,
    MultiHeadAttention,
    MultiHeadAttentionWrapper,
    assert_book_digits,
    book_inputs,
)

from attn_tui.mechanisms.causal.compute import causal_attention, causal_mask
from attn_tui.mechanisms.multihead.compute import (
    attend_one_query_multihead,
    attend_one_query_wrapper,
    multihead_attention,
    split_heads,
    wrapper_attention,
)
from attn_tui.mechanisms.terms import DropoutSetting
from attn_tui.mechanisms.weights import multihead_weights, wrapper_heads_weights

# (tokens, d_in, d_out, heads): 1 token, d_out ≠ d_in, h = d_out, one head, head_dim > 1.
SHAPES = [(1, 3, 2, 2), (6, 3, 2, 2), (5, 4, 6, 3), (7, 8, 4, 4), (4, 6, 6, 1), (9, 5, 12, 4), (3, 2, 8, 2)]
DROPOUTS = [DropoutSetting(), DropoutSetting(p=0.5, seed=123), DropoutSetting(p=0.3, seed=5, training=False)]


def random_multihead(n: int, d_in: int, d_out: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Inputs, W_q, W_k, W_v (d_in×d_out), W_out (d_out×d_out), b_out, from their own generator."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, d_in, generator=generator)
    qkv = [torch.randn(d_in, d_out, generator=generator) / d_in**0.5 for _ in range(3)]
    return (inputs, *qkv, torch.randn(d_out, d_out, generator=generator) / d_out**0.5, torch.randn(d_out, generator=generator))


def random_wrapper(n: int, d_in: int, d_head: int, num_heads: int, seed: int) -> tuple[torch.Tensor, list]:
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, d_in, generator=generator)
    heads = [tuple(torch.randn(d_in, d_head, generator=generator) for _ in range(3)) for _ in range(num_heads)]
    return inputs, heads


# --- 3.6.1, the wrapper -----------------------------------------------------------------------


def test_wrapper_is_the_books():
    result = wrapper_attention(book_inputs(), wrapper_heads_weights(3, 2, num_heads=2))
    assert_book_digits(result.context, WRAPPER)
    assert_book_digits(result.heads.context[0], CAUSAL_ATTENTION)  # head 0 is 3.5.3's CausalAttention
    assert result.num_heads == 2
    assert result.heads.weights.shape == (2, 6, 6)


def test_wrapper_one_query_is_the_books():
    """"Your" with seed 123, 2 heads of 2: [-0.4519, 0.2216, 0.4772, 0.1063]."""
    your = attend_one_query_wrapper(book_inputs(), wrapper_heads_weights(3, 2, num_heads=2), 0)
    assert_book_digits(your.context, WRAPPER[0])
    assert len(your.heads) == 2


def test_wrapper_heads_weights_are_the_books_heads():
    torch.manual_seed(123)
    module = MultiHeadAttentionWrapper(3, 2, context_length=6, dropout=0.0, num_heads=3)
    for ours, head in zip(wrapper_heads_weights(3, 2, num_heads=3), module.heads, strict=True):
        for mine, layer in zip(ours, (head.W_query, head.W_key, head.W_value)):
            assert torch.equal(mine, layer.weight.detach().T)


@pytest.mark.parametrize("dropout", DROPOUTS[:2])
def test_wrapper_equals_the_books_forward(dropout):
    inputs = book_inputs()
    torch.manual_seed(123)
    module = MultiHeadAttentionWrapper(3, 2, context_length=6, dropout=dropout.p, num_heads=2)
    torch.manual_seed(dropout.seed)
    with torch.no_grad():
        expected = module(inputs.unsqueeze(0))[0]
    ours = wrapper_attention(inputs, wrapper_heads_weights(3, 2, num_heads=2), dropout)
    torch.testing.assert_close(ours.context, expected)


# --- 3.6.2, MultiHeadAttention ----------------------------------------------------------------


def test_multihead_is_the_books():
    result = multihead_attention(book_inputs(), *multihead_weights(3, 2, num_heads=2), num_heads=2)
    assert_book_digits(result.context, MULTIHEAD)
    assert (result.num_heads, result.head_dim) == (2, 1)
    assert result.heads.scale == 1.0  # √d_head, not √d_out


def test_multihead_journey_is_the_books():
    """The query "journey": [0.2943, 0.3897]."""
    journey = attend_one_query_multihead(book_inputs(), *multihead_weights(3, 2, num_heads=2), 2, JOURNEY)
    assert_book_digits(journey.context, MULTIHEAD[JOURNEY])
    torch.testing.assert_close(journey.out_terms.sum(dim=0) + journey.b_out, journey.context)
    torch.testing.assert_close(journey.concatenated, torch.cat([head.context for head in journey.heads]))
    assert all(head.visible.tolist() == [True, True, False, False, False, False] for head in journey.heads)


def test_multihead_weights_are_the_books_modules():
    torch.manual_seed(123)
    module = MultiHeadAttention(3, 4, context_length=6, dropout=0.0, num_heads=2)
    ours = multihead_weights(3, 4, num_heads=2)
    for mine, layer in zip(ours[:3], (module.W_query, module.W_key, module.W_value)):
        assert torch.equal(mine, layer.weight.detach().T)
    assert torch.equal(ours.w_out, module.out_proj.weight.detach().T)
    assert torch.equal(ours.b_out, module.out_proj.bias.detach())


@pytest.mark.parametrize("dropout", DROPOUTS[:2])
@pytest.mark.parametrize("d_out, num_heads", [(2, 2), (4, 2), (6, 3)])
def test_multihead_equals_the_books_forward(dropout, d_out, num_heads):
    inputs = book_inputs()
    torch.manual_seed(123)
    module = MultiHeadAttention(3, d_out, context_length=6, dropout=dropout.p, num_heads=num_heads)
    torch.manual_seed(dropout.seed)
    with torch.no_grad():
        expected = module(inputs.unsqueeze(0))[0]
    ours = multihead_attention(inputs, *multihead_weights(3, d_out, num_heads), num_heads, dropout)
    torch.testing.assert_close(ours.context, expected)


def test_heads_own_consecutive_columns():
    w = torch.arange(24.0).reshape(3, 8)
    split = split_heads(w, 4)
    assert split.shape == (4, 3, 2)
    for k in range(4):
        assert torch.equal(split[k], w[:, 2 * k : 2 * k + 2])


def test_a_head_of_the_split_is_a_causal_head():
    inputs, w_query, w_key, w_value, w_out, b_out = random_multihead(5, 4, 6, seed=1)
    result = multihead_attention(inputs, w_query, w_key, w_value, w_out, b_out, 3)
    head_1 = causal_attention(inputs, w_query[:, 2:4], w_key[:, 2:4], w_value[:, 2:4])
    torch.testing.assert_close(result.heads.weights[1], head_1.weights)
    torch.testing.assert_close(result.concatenated[:, 2:4], head_1.context)
    torch.testing.assert_close(result.queries, inputs @ w_query)
    torch.testing.assert_close(result.context, result.concatenated @ w_out + b_out)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("d_out, num_heads", [(3, 2), (2, 4), (5, 0)])
def test_refuses_d_out_not_divisible_by_the_heads(d_out, num_heads):
    inputs, w_query, w_key, w_value, w_out, b_out = random_multihead(4, 3, d_out, seed=0)
    message = "divisible by the number of heads" if num_heads else "number of heads must be"
    with pytest.raises(ValueError, match=message):
        multihead_attention(inputs, w_query, w_key, w_value, w_out, b_out, num_heads)
    with pytest.raises(ValueError, match=message):
        attend_one_query_multihead(inputs, w_query, w_key, w_value, w_out, b_out, num_heads, 0)
    with pytest.raises(ValueError, match=message):
        multihead_weights(3, d_out, num_heads)


def test_divisibility_message_names_the_numbers():
    with pytest.raises(ValueError) as refused:
        multihead_weights(3, 6, 4)
    assert str(refused.value).startswith("d_out (6) must be divisible by the number of heads (4)")


def test_refuses_a_badly_shaped_out_proj():
    inputs, w_query, w_key, w_value, w_out, b_out = random_multihead(4, 3, 4, seed=0)
    with pytest.raises(ValueError, match="out_proj's weight"):
        multihead_attention(inputs, w_query, w_key, w_value, w_out[:, :3], b_out, 2)
    with pytest.raises(ValueError, match="out_proj's bias"):
        multihead_attention(inputs, w_query, w_key, w_value, w_out, b_out[:3], 2)


def test_wrapper_refuses_heads_of_different_sizes_and_no_heads():
    inputs = book_inputs()
    heads = [tuple(torch.rand(3, 2) for _ in range(3)), tuple(torch.rand(3, 4) for _ in range(3))]
    with pytest.raises(ValueError, match="every head"):
        wrapper_attention(inputs, heads)
    with pytest.raises(ValueError, match="at least one head"):
        wrapper_attention(inputs, [])
    with pytest.raises(ValueError, match="head 1 W_k"):
        wrapper_attention(inputs, [heads[0], (torch.rand(3, 2), torch.rand(4, 2), torch.rand(3, 2))])


# --- random inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out, num_heads", SHAPES)
@pytest.mark.parametrize("dropout", DROPOUTS)
def test_multihead_loop_form_equals_matrix_form(n, d_in, d_out, num_heads, dropout):
    case = random_multihead(n, d_in, d_out, seed=n * d_out)
    matrix = multihead_attention(*case, num_heads, dropout)
    for query_index in range(n):
        loop = attend_one_query_multihead(*case, num_heads, query_index, dropout)
        assert len(loop.heads) == num_heads
        for k, head in enumerate(loop.heads):
            torch.testing.assert_close(head.query, matrix.heads.queries[k, query_index])
            torch.testing.assert_close(head.weights, matrix.heads.weights[k, query_index])
            torch.testing.assert_close(head.dropped_weights, matrix.heads.dropped_weights[k, query_index])
        torch.testing.assert_close(loop.concatenated, matrix.concatenated[query_index])
        torch.testing.assert_close(loop.context, matrix.context[query_index])
        reusing = attend_one_query_multihead(*case, num_heads, query_index, dropout, matrix=matrix)
        torch.testing.assert_close(reusing.context, loop.context)


def test_multihead_loop_form_refuses_a_stale_matrix_form():
    case = random_multihead(4, 3, 4, seed=0)
    matrix = multihead_attention(*case, 2)
    inputs, w_query, w_key, w_value, w_out, b_out = case
    w_value = w_value.clone()
    w_value[0, 3] += 1  # head 1's column
    with pytest.raises(ValueError, match="other inputs or weights"):
        attend_one_query_multihead(inputs, w_query, w_key, w_value, w_out, b_out, 2, 0, matrix=matrix)
    with pytest.raises(ValueError, match="has 2 heads, not 4"):
        attend_one_query_multihead(*case, 4, 0, matrix=matrix)


def test_wrapper_loop_form_refuses_a_stale_matrix_form():
    inputs, heads = random_wrapper(4, 3, 2, 2, seed=0)
    matrix = wrapper_attention(inputs, heads)
    edited = [heads[0], (heads[1][0], heads[1][1] + 1, heads[1][2])]
    with pytest.raises(ValueError, match="other inputs or weights"):
        attend_one_query_wrapper(inputs, edited, 0, matrix=matrix)


@pytest.mark.parametrize("n, d_in, d_out, num_heads", SHAPES)
@pytest.mark.parametrize("dropout", DROPOUTS[:2])
def test_wrapper_loop_form_equals_matrix_form(n, d_in, d_out, num_heads, dropout):
    inputs, heads = random_wrapper(n, d_in, d_out // num_heads, num_heads, seed=n + d_in)
    matrix = wrapper_attention(inputs, heads, dropout)
    for query_index in range(n):
        loop = attend_one_query_wrapper(inputs, heads, query_index, dropout)
        for k, head in enumerate(loop.heads):
            torch.testing.assert_close(head.dropped_weights, matrix.heads.dropped_weights[k, query_index])
        torch.testing.assert_close(loop.context, matrix.context[query_index])
        reusing = attend_one_query_wrapper(inputs, heads, query_index, dropout, matrix=matrix)
        torch.testing.assert_close(reusing.context, loop.context)


def torch_multihead_attention(inputs, w_query, w_key, w_value, w_out, b_out, num_heads):
    """torch.nn.MultiheadAttention loaded with our weights, causal, dropout 0: (output, per-head weights).

    Its query must be embed_dim = d_out wide. With d_in = d_out the packed in_proj is W_q, W_k, W_v
    transposed; otherwise keys and values take kdim = vdim = d_in and the query is projected
    beforehand (q_proj = identity), the closest torch allows.
    """
    n, d_in = inputs.shape
    d_out = w_query.shape[1]
    same_width = d_in == d_out
    module = torch.nn.MultiheadAttention(
        d_out, num_heads, dropout=0.0, bias=True, batch_first=True, kdim=None if same_width else d_in, vdim=None if same_width else d_in
    )
    with torch.no_grad():
        if same_width:
            module.in_proj_weight.copy_(torch.cat([w_query.T, w_key.T, w_value.T]))
            query = inputs
        else:
            module.q_proj_weight.copy_(torch.eye(d_out))
            module.k_proj_weight.copy_(w_key.T)
            module.v_proj_weight.copy_(w_value.T)
            query = inputs @ w_query
        module.in_proj_bias.zero_()
        module.out_proj.weight.copy_(w_out.T)
        module.out_proj.bias.copy_(b_out)
        output, weights = module(
            query.unsqueeze(0), inputs.unsqueeze(0), inputs.unsqueeze(0),
            attn_mask=causal_mask(n), need_weights=True, average_attn_weights=False,
        )  # fmt: skip
    return output[0], weights[0]


@pytest.mark.parametrize("n, d_in, d_out, num_heads", SHAPES)
def test_equals_torchs_multihead_attention(n, d_in, d_out, num_heads):
    case = random_multihead(n, d_in, d_out, seed=3 * n + num_heads)
    ours = multihead_attention(*case, num_heads)
    expected_output, expected_weights = torch_multihead_attention(*case, num_heads)
    torch.testing.assert_close(ours.context, expected_output)
    torch.testing.assert_close(ours.heads.weights, expected_weights)


def test_equals_torchs_multihead_attention_with_the_packed_in_proj():
    """d_in = d_out: torch's own query projection, no pre-projected query."""
    case = random_multihead(6, 4, 4, seed=11)
    ours = multihead_attention(*case, 2)
    torch.testing.assert_close(ours.context, torch_multihead_attention(*case, 2)[0])


@pytest.mark.parametrize("n, d_in, d_out, num_heads", SHAPES)
def test_every_head_is_torchs_causal_scaled_dot_product_attention(n, d_in, d_out, num_heads):
    case = random_multihead(n, d_in, d_out, seed=5 * n + d_in)
    heads = multihead_attention(*case, num_heads).heads
    torch.testing.assert_close(
        heads.context, torch.nn.functional.scaled_dot_product_attention(heads.queries, heads.keys, heads.values, is_causal=True)
    )
    inputs, wrapper_heads = random_wrapper(n, d_in, d_out // num_heads, num_heads, seed=n)
    wrapped = wrapper_attention(inputs, wrapper_heads).heads
    for k, (w_query, w_key, w_value) in enumerate(wrapper_heads):
        expected = torch.nn.functional.scaled_dot_product_attention(inputs @ w_query, inputs @ w_key, inputs @ w_value, is_causal=True)
        torch.testing.assert_close(wrapped.context[k], expected)


def test_a_change_to_one_head_computes_that_head_and_log2_h_sums_of_out_proj_again():
    """With the result before an edit, only the edited head is computed again, its share of
    out_proj, and the pairwise sums above it; the output is bit for bit a fresh computation's."""
    inputs, w_query, w_key, w_value, w_out, b_out = random_multihead(7, 5, 8, seed=4)
    before = multihead_attention(inputs, w_query, w_key, w_value, w_out, b_out, 4, DROPOUTS[1])
    edited = w_query.clone()
    edited[3, 5] += 1.0  # column 5: head 2 (0-based) of 4 heads of 2 columns
    after = multihead_attention(inputs, edited, w_key, w_value, w_out, b_out, 4, DROPOUTS[1], previous=before)
    fresh = multihead_attention(inputs, edited, w_key, w_value, w_out, b_out, 4, DROPOUTS[1])
    assert [head is old for head, old in zip(after.heads, before.heads)] == [True, True, False, True]
    assert [share is old for share, old in zip(after.out_shares[0], before.out_shares[0])] == [True, True, False, True]
    assert [pair is old for pair, old in zip(after.out_shares[1], before.out_shares[1])] == [True, False]
    assert after.context.view(torch.int32).equal(fresh.context.view(torch.int32))
    assert multihead_attention(inputs, edited, w_key, w_value, w_out, b_out, 4, DROPOUTS[1], previous=after) is after
    wrapper_inputs, heads = random_wrapper(5, 3, 2, 3, seed=2)
    first = wrapper_attention(wrapper_inputs, heads)
    changed = [heads[0], (heads[1][0] + 1, heads[1][1], heads[1][2]), heads[2]]
    second = wrapper_attention(wrapper_inputs, changed, previous=first)
    assert [head is old for head, old in zip(second.heads, first.heads)] == [True, False, True]
    assert second.context.equal(wrapper_attention(wrapper_inputs, changed).context)
