"""Your own sentence (attn_tui.core.sentence) and the presets (attn_tui.core.presets): tokens, vocabulary,
seeded torch.nn.Embedding vectors as in the book's chapter 2, and what each preset teaches."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_tui.core.compute import analyse
from attn_tui.core.presets import PRESETS, preset
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.core.sentence import (
    MAX_DIM,
    MAX_TOKENS,
    check_tokens,
    embed,
    embedding_table,
    parse_dim,
    parse_seed,
    randomised,
    scenario_from_sentence,
    tokenize,
    vocabulary,
)
from test_scenario import assert_refused

BOOK_CH2_EMBEDDING = [
    # torch.manual_seed(123); torch.nn.Embedding(6, 3).weight, as printed in the book's chapter 2.
    [0.3374, -0.1778, -0.1690],
    [0.9178, 1.5810, 1.3010],
    [1.2753, -0.2010, -0.1606],
    [-0.4015, 0.9666, -1.1481],
    [-1.1589, 0.3255, -0.6315],
    [-2.8400, -0.7849, -1.4096],
]


# --- tokens and vocabulary -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("Your journey starts with one step", ("Your", "journey", "starts", "with", "one", "step")),
        # The book's chapter 2 example and its tokens ("--" is one token there).
        ("Hello, world. Is this-- a test?", ("Hello", ",", "world", ".", "Is", "this", "--", "a", "test", "?")),
        ("  spaces\tand\nnewlines  ", ("spaces", "and", "newlines")),
        ("naïve café, 3.5 €", ("naïve", "café", ",", "3", ".", "5", "€")),
        ("नमस्ते दुनिया", ("नमस्ते", "दुनिया")),  # vowel signs and viramas stay with their letters
        ("வணக்கம் உலகம்!", ("வணக்கம்", "உலகம்", "!")),
        ("Xin chào, Tie\u0302\u0301ng Vie\u0323\u0302t.", ("Xin", "chào", ",", "Tiếng", "Việt", ".")),  # NFC
        ("(\"don't\")", ("(", '"', "don", "'", "t", '"', ")")),
        ("", ()),
        ("   ", ()),
    ],
)
def test_tokenize_splits_words_and_punctuation(sentence, tokens):
    assert tokenize(sentence) == tokens


def test_vocabulary_numbers_distinct_tokens_in_order_of_appearance():
    assert vocabulary(tokenize("the cat saw the dog , the end")) == {
        "the": 0, "cat": 1, "saw": 2, "dog": 3, ",": 4, "end": 5,
    }


def test_check_tokens_refuses_nothing_and_too_much():
    assert_refused(lambda: check_tokens(()), "no tokens")
    assert_refused(lambda: check_tokens(("a",) * (MAX_TOKENS + 1)), f"at most {MAX_TOKENS}")
    check_tokens(("a",) * MAX_TOKENS)


# --- seeded embeddings -----------------------------------------------------------------------


def test_embedding_table_reproduces_the_books_chapter_2_layer():
    table = embedding_table(6, 3, 123)
    assert [[round(v, 4) for v in row] for row in table] == BOOK_CH2_EMBEDDING


def test_embedding_table_equals_nn_embedding_under_manual_seed_without_touching_the_global_seed():
    with torch.random.fork_rng():
        torch.manual_seed(7)
        expected = torch.nn.Embedding(5, 4).weight.tolist()
        torch.manual_seed(99)
        before = torch.rand(3)
        torch.manual_seed(99)
        assert embedding_table(5, 4, 7) == expected
        assert torch.equal(torch.rand(3), before)  # the process-wide generator did not move


def test_the_same_word_gets_the_same_vector_and_the_same_seed_the_same_numbers():
    tokens = tokenize("step by step , one step")
    rows = embed(tokens, 4, 5)
    assert rows[0] == rows[2] == rows[5]
    assert rows[0] != rows[1]
    assert embed(tokens, 4, 5) == rows
    assert embed(tokens, 4, 6) != rows


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", ",", "dd"]), min_size=1, max_size=10), st.integers(1, 6), st.integers(0, 2**32))
def test_rows_follow_the_vocabulary(tokens, dim, seed):
    """Row i is the embedding of token i's vocabulary id: nn.Embedding looked up by id."""
    rows = embed(tokens, dim, seed)
    table = embedding_table(len(vocabulary(tokens)), dim, seed)
    ids = vocabulary(tokens)
    assert [list(row) for row in rows] == [table[ids[token]] for token in tokens]
    assert all(len(row) == dim and all(math.isfinite(v) for v in row) for row in rows)


def test_scenario_from_sentence_uses_the_second_token_as_query():
    scenario = scenario_from_sentence("Your journey starts with one step", 3, 123)
    assert scenario.tokens == SEED_EXAMPLE.tokens
    assert (scenario.query, scenario.n_dims) == (1, 3)
    assert [[round(v, 4) for v in row] for row in scenario.embeddings] == BOOK_CH2_EMBEDDING
    single = scenario_from_sentence("Hi", 2, 0)
    assert (single.tokens, single.query, single.n_dims) == (("Hi",), 0, 2)


def test_scenario_from_sentence_refuses_what_a_scenario_cannot_hold():
    assert_refused(lambda: scenario_from_sentence("  \t "), "no tokens")
    assert_refused(lambda: scenario_from_sentence("x" * 41), "at most 40")


def test_randomised_keeps_tokens_query_and_shape_with_equal_rows_for_equal_labels():
    scenario = preset("identical").scenario
    fresh = randomised(scenario, 42)
    assert (fresh.tokens, fresh.query, fresh.n_dims) == (scenario.tokens, scenario.query, scenario.n_dims)
    assert fresh.embeddings[0] == fresh.embeddings[2] != fresh.embeddings[1]
    assert fresh != scenario and randomised(scenario, 42) == fresh != randomised(scenario, 43)


# --- what a person types in the dialogs ------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("3", 3), (" 16 ", 16), (str(MAX_DIM), MAX_DIM)])
def test_parse_dim_accepts_whole_numbers_in_range(text, value):
    assert parse_dim(text) == value


@pytest.mark.parametrize(("text", "fragment"), [("", "empty"), ("0", "between 1"), (str(MAX_DIM + 1), "between 1"), ("2.5", "whole"), ("abc", "whole"), ("-3", "between")])
def test_parse_dim_refuses(text, fragment):
    assert_refused(lambda: parse_dim(text), fragment)


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("123", 123), (str(2**63 - 1), 2**63 - 1)])
def test_parse_seed_accepts(text, value):
    assert parse_seed(text) == value


@pytest.mark.parametrize(("text", "fragment"), [("", "empty"), ("-1", "between 0"), (str(2**63), "between 0"), ("1e3", "whole"), ("seed", "whole")])
def test_parse_seed_refuses(text, fragment):
    assert_refused(lambda: parse_seed(text), fragment)


def test_sentence_imports_torch_only_to_build_embeddings():
    code = (
        "import sys, attn_tui.core.sentence as s, attn_tui.core.presets;"
        "print(s.tokenize('a b'), any(m.split('.')[0] in ('torch', 'textual') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "('a', 'b') False"


# --- presets ---------------------------------------------------------------------------------


def test_the_first_preset_is_the_seeds_example():
    assert PRESETS[0].scenario == SEED_EXAMPLE
    assert preset("book") is PRESETS[0]
    assert len({p.key for p in PRESETS}) == len(PRESETS)
    with pytest.raises(KeyError):
        preset("nope")


def test_orthogonal_preset_scores_zero_but_weighs_more_than_zero():
    analysis = analyse(preset("orthogonal").scenario)
    scores, weights = analysis.query.scores.tolist(), analysis.query.weights.tolist()
    assert preset("orthogonal").scenario.tokens[3] == "with"
    assert scores[3] == 0.0
    assert weights[3] == pytest.approx(1 / sum(math.exp(s) for s in scores), rel=1e-5)


def test_identical_preset_gives_identical_tokens_identical_weights():
    analysis = analyse(preset("identical").scenario)
    weights = analysis.all_queries.weights.tolist()
    assert all(row[0] == row[2] for row in weights)


def test_overflow_preset_overflows_softmax_naive_but_not_torch_softmax():
    analysis = analyse(preset("overflow").scenario)
    assert analysis.query.naive_overflowed
    assert round(analysis.query.scores.tolist()[1], 1) == 149.5
    assert all(math.isfinite(w) for w in analysis.query.weights.tolist())


def test_zero_query_preset_weighs_every_token_equally():
    weights = analyse(preset("zero-query").scenario).query.weights.tolist()
    assert weights == pytest.approx([1 / 6] * 6)


def test_one_hot_preset_scores_only_the_query_itself():
    assert analyse(preset("one-hot").scenario).query.scores.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_every_preset_has_a_name_and_a_short_lesson():
    """The picker shows each on two lines of a 72-column dialog."""
    for item in PRESETS:
        assert 0 < len(item.name) <= 66 and 0 < len(item.lesson) <= 88
