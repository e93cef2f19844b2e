"""Simple self-attention core (attn_tui.mechanisms.simple.attention): the book's numbers, loop-form internals,
properties over random inputs, float32 overflow and input validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attn_tui.mechanisms.simple.attention import QueryAttention, attend_one_query, self_attention, softmax_naive
from attn_tui.core.compute import analyse
from attn_tui.core.scenario import SEED_EXAMPLE

# --- the book's printed values (chapter3-values.md, 3.3.1 and 3.3.2) -----------------------

BOOK_INPUTS = [
    [0.43, 0.15, 0.89],  # Your
    [0.55, 0.87, 0.66],  # journey
    [0.57, 0.85, 0.64],  # starts
    [0.22, 0.58, 0.33],  # with
    [0.77, 0.25, 0.10],  # one
    [0.05, 0.80, 0.55],  # step
]
JOURNEY = 1

BOOK_QUERY_JOURNEY = {
    "scores": [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865],
    "sum_normalised": [0.1455, 0.2278, 0.2249, 0.1285, 0.1077, 0.1656],
    "naive_weights": [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581],
    "weights": [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581],
    "context": [0.4419, 0.6515, 0.5683],
}

BOOK_ALL_QUERIES = {
    "scores": [
        [0.9995, 0.9544, 0.9422, 0.4753, 0.4576, 0.6310],
        [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865],
        [0.9422, 1.4754, 1.4570, 0.8296, 0.7154, 1.0605],
        [0.4753, 0.8434, 0.8296, 0.4937, 0.3474, 0.6565],
        [0.4576, 0.7070, 0.7154, 0.3474, 0.6654, 0.2935],
        [0.6310, 1.0865, 1.0605, 0.6565, 0.2935, 0.9450],
    ],
    "weights": [
        [0.2098, 0.2006, 0.1981, 0.1242, 0.1220, 0.1452],
        [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581],
        [0.1390, 0.2369, 0.2326, 0.1242, 0.1108, 0.1565],
        [0.1435, 0.2074, 0.2046, 0.1462, 0.1263, 0.1720],
        [0.1526, 0.1958, 0.1975, 0.1367, 0.1879, 0.1295],
        [0.1385, 0.2184, 0.2128, 0.1420, 0.0988, 0.1896],
    ],
    "context": [
        [0.4421, 0.5931, 0.5790],
        [0.4419, 0.6515, 0.5683],
        [0.4431, 0.6496, 0.5671],
        [0.4304, 0.6298, 0.5510],
        [0.4671, 0.5910, 0.5266],
        [0.4177, 0.6503, 0.5645],
    ],
}


@pytest.fixture
def book_inputs() -> torch.Tensor:
    return torch.tensor(BOOK_INPUTS, dtype=torch.float32)


def assert_book_digits(actual: torch.Tensor, printed: list) -> None:
    """``actual`` rounds to the book's 4 printed decimals."""
    torch.testing.assert_close(actual, torch.tensor(printed, dtype=torch.float32), atol=5e-5, rtol=0)


@pytest.mark.parametrize("field", BOOK_QUERY_JOURNEY)
def test_journey_query_matches_book(book_inputs, field):
    """Section 3.3.1: every printed step for the query "journey"."""
    assert_book_digits(getattr(attend_one_query(book_inputs, JOURNEY), field), BOOK_QUERY_JOURNEY[field])


@pytest.mark.parametrize("field", BOOK_ALL_QUERIES)
def test_all_queries_match_book(book_inputs, field):
    """Section 3.3.2: the 6×6 scores and weights and the six context vectors."""
    assert_book_digits(getattr(self_attention(book_inputs), field), BOOK_ALL_QUERIES[field])


def test_analyse_seed_example_matches_book():
    """compute.analyse feeds the seed scenario to both forms in float32, with its query."""
    analysis = analyse(SEED_EXAMPLE)
    assert analysis.all_queries.inputs.dtype == torch.float32
    assert analysis.query.query_index == JOURNEY
    assert_book_digits(analysis.query.context, BOOK_QUERY_JOURNEY["context"])
    assert_book_digits(analysis.all_queries.context, BOOK_ALL_QUERIES["context"])


# --- loop-form internals --------------------------------------------------------------------


@pytest.fixture(params=range(len(BOOK_INPUTS)), ids=lambda i: f"query{i}")
def book_query(request, book_inputs) -> QueryAttention:
    return attend_one_query(book_inputs, request.param)


def test_products_sum_to_scores(book_query):
    """Each score is the sum of the per-dimension products shown for it."""
    torch.testing.assert_close(book_query.products.sum(dim=1), book_query.scores)


def test_running_context_ends_at_context(book_query):
    """The running weighted sum's last row is the context vector."""
    torch.testing.assert_close(book_query.running_context[-1], book_query.context)


def test_weighted_inputs_are_weight_times_token(book_query):
    """Row i of the weighted sum's terms is α_i · x⁽ⁱ⁾."""
    for i, x_i in enumerate(book_query.inputs):
        torch.testing.assert_close(book_query.weighted_inputs[i], book_query.weights[i] * x_i)


def test_exp_sum_is_sum_of_exp_scores(book_query):
    """The softmax denominator shown is Σ_j exp ω_j."""
    torch.testing.assert_close(book_query.exp_sum, book_query.exp_scores.sum())


# --- properties over random inputs ----------------------------------------------------------

PROPERTY = settings(max_examples=60, deadline=None, database=None)
EPS32 = torch.finfo(torch.float32).eps
TINY32 = torch.finfo(torch.float32).tiny


@st.composite
def embeddings(draw) -> torch.Tensor:
    """n×d float32 inputs, n in 1..12, d in 1..8, values in [-1, 1] times a drawn scale."""
    shape = (draw(st.integers(1, 12)), draw(st.integers(1, 8)))
    unit = draw(arrays(np.float32, shape, elements=st.floats(-1, 1, width=32)))
    scale = draw(st.sampled_from([1e-3, 1.0, 10.0, 1e3]))
    return torch.from_numpy(unit) * scale


def score_tolerance(inputs: torch.Tensor) -> torch.Tensor:
    """Bound on the rounding difference between two float32 evaluations of ``inputs @ inputs.T``
    (different summation orders): a few d·eps times Σ_k |x_ik|·|x_jk|."""
    magnitude = inputs.abs() @ inputs.abs().T
    return 4 * inputs.shape[1] * EPS32 * magnitude + TINY32


def assert_same_attention(inputs, actual, expected) -> None:
    """``actual`` and ``expected`` (scores, weights, context) agree up to float32 rounding.

    The scores may differ by rounding only; a score difference δ can move a softmax weight by
    at most a factor e^{±2δ}, so weights and context are compared with that allowance (which is
    ~0 whenever the two score computations agree bit for bit)."""
    (scores, weights, context), (expected_scores, expected_weights, expected_context) = actual, expected
    score_gap = (scores - expected_scores).abs()
    assert (score_gap <= score_tolerance(inputs)).all(), f"scores differ by up to {score_gap.max()}"
    allowance = math.expm1(2 * float(score_gap.max())) + 1e-5
    torch.testing.assert_close(weights, expected_weights, atol=allowance, rtol=0)
    column_scale = inputs.abs().amax(dim=0)
    assert ((context - expected_context).abs() <= allowance * column_scale + TINY32).all()


@PROPERTY
@given(embeddings())
def test_weight_rows_are_distributions(inputs):
    """Every row of attention weights lies in [0, 1] and sums to 1."""
    weights = self_attention(inputs).weights
    assert ((weights >= 0) & (weights <= 1)).all()
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(inputs.shape[0]), atol=1e-5, rtol=0)


@PROPERTY
@given(embeddings())
def test_context_lies_within_input_columns(inputs):
    """A context vector is a convex combination: each coordinate stays within its column's range."""
    context = self_attention(inputs).context
    slack = 1e-5 * inputs.abs().amax(dim=0) + TINY32
    assert (context >= inputs.amin(dim=0) - slack).all()
    assert (context <= inputs.amax(dim=0) + slack).all()


@PROPERTY
@given(embeddings(), st.randoms(use_true_random=False))
def test_permuting_tokens_permutes_results(inputs, rng):
    """Reordering tokens reorders scores, weights (rows and columns) and context vectors alike."""
    perm = list(range(inputs.shape[0]))
    rng.shuffle(perm)
    original, permuted = self_attention(inputs), self_attention(inputs[perm])
    expected = (original.scores[perm][:, perm], original.weights[perm][:, perm], original.context[perm])
    assert_same_attention(inputs[perm], (permuted.scores, permuted.weights, permuted.context), expected)


@PROPERTY
@given(embeddings())
def test_loop_form_equals_matrix_form(inputs):
    """attend_one_query for each query gives the rows of self_attention."""
    queries = [attend_one_query(inputs, i) for i in range(inputs.shape[0])]
    loop = tuple(torch.stack([getattr(q, field) for q in queries]) for field in ("scores", "weights", "context"))
    matrix = self_attention(inputs)
    assert_same_attention(inputs, loop, (matrix.scores, matrix.weights, matrix.context))


# --- float32 overflow: the naive softmax breaks, the stable one does not ---------------------


@pytest.fixture
def huge_inputs() -> torch.Tensor:
    """Magnitude 1e15: scores ~1e31 are finite in float32, but exp of them is not."""
    return torch.full((4, 3), 1e15) + torch.arange(12, dtype=torch.float32).reshape(4, 3) * 1e14


def test_huge_inputs_stay_finite_in_matrix_form(huge_inputs):
    """Finite scores never give NaN weights or context vectors."""
    result = self_attention(huge_inputs)
    for field in ("scores", "weights", "context"):
        assert torch.isfinite(getattr(result, field)).all(), field
    torch.testing.assert_close(result.weights.sum(dim=1), torch.ones(4))


@pytest.mark.parametrize("query_index", range(4))
def test_naive_softmax_overflow_is_reported(huge_inputs, query_index):
    """softmax_naive overflows to inf/NaN, the loop form flags it, and the weights stay sound."""
    query = attend_one_query(huge_inputs, query_index)
    assert torch.isfinite(query.scores).all()
    assert not torch.isfinite(softmax_naive(query.scores)).all()
    assert not torch.isfinite(query.naive_weights).all()
    assert query.naive_overflowed is True
    assert torch.isfinite(query.weights).all() and torch.isfinite(query.context).all()
    torch.testing.assert_close(query.weights.sum(), torch.tensor(1.0))


def test_small_values_do_not_flag_overflow(book_inputs):
    """Ordinary embeddings: the naive softmax works and nothing is flagged."""
    assert attend_one_query(book_inputs, JOURNEY).naive_overflowed is False


# --- input validation ------------------------------------------------------------------------

BAD_SHAPES_OR_DTYPES = {
    "1-D": torch.ones(3),
    "3-D": torch.ones(2, 3, 3),
    "no tokens": torch.empty(0, 3),
    "no dimensions": torch.empty(3, 0),
    "integer": torch.ones(3, 3, dtype=torch.int64),
}
BOTH_FORMS = {
    "self_attention": self_attention,
    "attend_one_query": lambda inputs: attend_one_query(inputs, 0),
}


@pytest.mark.parametrize("form", BOTH_FORMS.values(), ids=BOTH_FORMS.keys())
@pytest.mark.parametrize("inputs", BAD_SHAPES_OR_DTYPES.values(), ids=BAD_SHAPES_OR_DTYPES.keys())
def test_bad_tensor_is_refused_with_value_error(form, inputs):
    """Only a non-empty 2-D floating-point tensor is accepted."""
    with pytest.raises(ValueError):
        form(inputs)


@pytest.mark.parametrize("form", BOTH_FORMS.values(), ids=BOTH_FORMS.keys())
def test_non_tensor_is_refused_with_type_error(form):
    """A nested list is not silently converted."""
    with pytest.raises(TypeError):
        form(BOOK_INPUTS)


@pytest.mark.parametrize("query_index", [6, 7, -7])
def test_query_index_out_of_range(book_inputs, query_index):
    """A query index outside the 6 tokens raises IndexError."""
    with pytest.raises(IndexError):
        attend_one_query(book_inputs, query_index)
